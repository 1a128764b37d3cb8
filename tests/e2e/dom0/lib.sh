# shellcheck shell=bash
# Helpers shared by the dom0 scripts (run-dom0.sh, operator-guide.sh); sourced from /e2e/lib.sh.

CONS=/var/log/xen/console

say() { echo "E2E|INFO|[$(cut -d' ' -f1 /proc/uptime)] $*"; }

# console_of GUEST: the guest's console so far, before and after a migration to localhost
console_of() { cat "$CONS"/guest-"$1".log "$CONS"/guest-"$1"--incoming.log 2>/dev/null | tr -d '\r'; }

# checked_after GUEST T SECONDS: waits up to SECONDS for the guest's memory checker to report a pass
# stamped after wall-clock time T, the proof that the guest runs after a migration.
checked_after() {
  local deadline=$(( $(date +%s) + $3 ))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    console_of "$1" | awk -v t="$2" '/E2E CHECK wall=/{split($3,a,"=");if(a[2]+0>t+0)f=1}END{exit !f}' && return 0
    sleep 2
  done
  return 1
}

# guide_blocks GUIDE DIR GUEST: the ```sh blocks of the operator's guide as DIR/NN.sh (with "mydomain"
# replaced by GUEST, "otherhost" by localhost, and a final ":" so that sourcing the block succeeds
# whatever its last command did: failures are counted per command by the caller) and DIR/NN.section
# (the "## N. Title" above it). A block after "<!-- guide-test: build machine -->" becomes
# DIR/NN.sh.skipped: the host runs it.
guide_blocks() {
  mkdir -p "$2"
  awk -v dir="$2" -v guest="$3" '
    /^## / { section = substr($0, 4) }
    /^<!-- guide-test: build machine -->/ { skip = 1; next }
    /^```sh[[:space:]]*$/ && !inblock { inblock = 1; n++; f = sprintf("%s/%02d.sh", dir, n)
                                        if (skip) f = f ".skipped"; printf "" > f
                                        print section > (sprintf("%s/%02d.section", dir, n)); next }
    /^```/ && inblock { inblock = 0; skip = 0; print ":" > f; close(f); next }
    /^```/ { skip = 0 }
    inblock { line = $0; gsub(/mydomain/, guest, line); gsub(/otherhost/, "localhost", line)
              print line > f }
  ' "$1"
}
