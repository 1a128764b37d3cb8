#!/bin/bash
# Runs inside the e2e dom0: follows docs/operators-guide.md literally on a running guest.
#
#   operator-guide.sh GUEST
#
# Every ```sh block of the guide (except those marked "<!-- guide-test: build machine -->", which the
# host ran to build the packages staged in /root) runs in order, in one root shell in /root, the way an
# administrator would paste them, with two words replaced: "mydomain" by GUEST and "otherhost" by
# localhost (xl reaches it over ssh, as it reaches a real receiving host). The guide's one
# interactive command, `editor FILE`, keeps the file as it is (the example's settings are the ones
# the guide recommends) and prints its active lines; questions (apt's "Do you want to continue?")
# are answered "y".
#
# Reports on the console, for the host (report.py):
#   E2E|GUIDE|BLOCK|n=..|section=..|failed_commands=..|first_line=..   one per block
#   E2E|GUIDE|CHECK|n=..|what=..|ok=0/1|detail=..                        checks of what a block did
#   E2E|FILE|guide.log|...                                               the whole session's output
set -u
G=$1
GUIDE=/e2e/operators-guide.md
W=/tmp/e2e/guide
mkdir -p "$W/blocks" "$W/out" "$W/bin"
source /e2e/lib.sh             # say, console_of, checked_after
rec() { echo "E2E|GUIDE|$*"; }

# ---- what two real Xen hosts already have: root ssh from the sender to the receiver ------------
ip link set lo up 2>/dev/null
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd      # what udev makes on a real host
grep -qw localhost /etc/hosts 2>/dev/null || echo '127.0.0.1 localhost' >> /etc/hosts
mkdir -p /root/.ssh /run/sshd && chmod 700 /root/.ssh
ssh-keygen -A >/dev/null 2>&1
[ -f /root/.ssh/id_ed25519 ] || ssh-keygen -q -t ed25519 -N '' -f /root/.ssh/id_ed25519
cat /root/.ssh/id_ed25519.pub >> /root/.ssh/authorized_keys
printf 'Host localhost\n    StrictHostKeyChecking accept-new\n    BatchMode yes\n' > /root/.ssh/config
/usr/sbin/sshd 2>&1
if ! timeout 60 ssh localhost true 2>&1; then
  rec "CHECK|n=0|what=root ssh to localhost (testbed setup)|ok=0|detail=ssh localhost true failed"
  exit 1
fi
# The guide's `editor FILE`: the administrator reads the file and keeps the recommended settings.
cat > "$W/bin/editor" <<'ED'
#!/bin/sh
echo "(editor: keeping $1 as it is; its active settings:)"
grep -v '^[[:space:]]*\(#\|$\)' "$1"
ED
chmod +x "$W/bin/editor"

# ---- the guide's blocks ---------------------------------------------------------------------
guide_blocks "$GUIDE" "$W/blocks" "$G"
nblocks=$(ls "$W"/blocks/*.section 2>/dev/null | wc -l)
say "operator's guide: $nblocks command blocks in $GUIDE (guest $G)"
[ "$nblocks" -gt 0 ] || { rec "CHECK|n=0|what=command blocks in the guide|ok=0|detail=none found"; exit 1; }

# One shell for all blocks (a block may set variables for the next ones, as in a real session),
# run from /root where the host staged the packages. A failing command is counted by the ERR trap
# and the block goes on, as it would in a terminal.
cat > "$W/session.sh" <<'SESSION'
cd /root
export PATH=/tmp/e2e/guide/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=dumb DEBIAN_FRONTEND=noninteractive
for b in /tmp/e2e/guide/blocks/*.section; do
  n=$(basename "$b" .section)
  section=$(cat "$b")
  if [ -f "/tmp/e2e/guide/blocks/$n.sh.skipped" ]; then
    echo "E2E|GUIDE|BLOCK|n=$n|section=$section|skipped=build machine (ran on the host)" >&3
    continue
  fi
  echo "E2E|INFO|operator's guide block $n ($section) running" >&3
  {
    echo "######## block $n -- $section"
    sed '$d; s/^/# $ /' "/tmp/e2e/guide/blocks/$n.sh"
    env | grep -E '^(LIBXL_SAVE_HELPER|PRECOPY_[A-Z_]+)=' | sort | sed 's/^/#   (set before the block) /'
  } | tee "/tmp/e2e/guide/out/$n.txt"
  failed=0
  trap 'status=$?; failed=$((failed + 1)); echo "######## FAILED (status $status): $BASH_COMMAND"' ERR
  # in this shell (no pipe: a pipe would run the block in a subshell and lose what it sets)
  # shellcheck disable=SC1090
  # stdin answers "y" to every question, as the administrator does to apt's "Do you want to continue?"
  source "/tmp/e2e/guide/blocks/$n.sh" > "/tmp/e2e/guide/out/$n.block" 2>&1 < <(yes)
  trap - ERR
  cat "/tmp/e2e/guide/out/$n.block" >> "/tmp/e2e/guide/out/$n.txt"
  cat "/tmp/e2e/guide/out/$n.block"
  echo "LIBXL_SAVE_HELPER=${LIBXL_SAVE_HELPER:-}" > "/tmp/e2e/guide/out/$n.env"
  echo "E2E|GUIDE|BLOCK|n=$n|section=$section|failed_commands=$failed|first_line=$(head -1 "/tmp/e2e/guide/blocks/$n.sh" | tr '|' '/')" >&3
  bash /tmp/e2e/guide/check-block.sh "$n" >&3
done
SESSION

# ---- what each block must have done -----------------------------------------------------------
# Checks on the system, not on the guide's words: a block that migrates must leave the guest running
# with its memory intact, with precopy's decisions in the output exactly when LIBXL_SAVE_HELPER routes
# the migration through precopy-save-helper; installing and purging must really (un)install.
cat > "$W/check-block.sh" <<'CHECK'
source /e2e/lib.sh
n=$1 G=$(cat /tmp/e2e/guide/guest) W=/tmp/e2e/guide
check() { local d=${3:-}; echo "E2E|GUIDE|CHECK|n=$n|what=$1|ok=$2|detail=${d//|//}"; }
block=$W/blocks/$n.sh out=$W/out/$n.block
if grep -q 'apt-get install \./libprecopy0' "$block"; then
  st=$(dpkg-query -W -f='${Status} ${Version}' libprecopy0 2>&1)
  case "$st" in "install ok installed"*) check "libprecopy0 installed" 1 "$st" ;; *) check "libprecopy0 installed" 0 "$st" ;; esac
  v=$(grep -m1 '^precopy [0-9]' "$out")
  [ -n "$v" ] && check "precopy --version" 1 "$v" || check "precopy --version" 0 "no version line"
fi
if grep -q 'LD_DEBUG=bindings' "$block"; then
  l=$(grep -m1 "libprecopy_preload.so.*xc_domain_save'" "$out" | tr -s ' ')
  [ -n "$l" ] && check "xc_domain_save bound to the preload" 1 "$l" || check "xc_domain_save bound to the preload" 0 "no binding line"
fi
if grep -q 'xl migrate' "$block"; then
  t_end=$(date +%s.%N)
  if grep -q 'Migration successful' "$out"; then check "xl migrate succeeded" 1 "$(grep -c 'Migration successful' "$out") migration(s)"
  else check "xl migrate succeeded" 0 "no 'Migration successful' in the output"; fi
  # the guest's memory checker must report a pass stamped after the migration, with no lost update
  alive=0
  checked_after "$G" "$t_end" 90 && alive=1
  state=$(xl list "$G" 2>/dev/null | awk 'NR==2{print $5}')
  check "guest running after the migration" "$alive" "state=${state:-gone}"
  mism=$(console_of "$G" | grep -c 'MISMATCH')
  [ "$mism" = 0 ] && check "no lost memory update" 1 "0 MISMATCH lines" || check "no lost memory update" 0 "$mism MISMATCH lines"
  # precopy in charge exactly when the block routed the helper through the wrapper
  helper=$(sed -n 's/^LIBXL_SAVE_HELPER=//p' "$W/out/$n.env")
  if [ -n "$helper" ] || grep -q 'LIBXL_SAVE_HELPER=' "$block"; then
    if grep -q "Xen's default precopy policy\|using Xen's own policy" "$out"; then
      check "precopy decided" 0 "$(grep -m1 "Xen's default precopy policy\|using Xen's own policy" "$out")"
    elif grep -q 'decision=stop' "$out"; then
      check "precopy decided" 1 "$(grep -m1 '^libprecopy_preload:' "$out"); $(grep -c ' decision=' "$out") decision lines; last stop: $(grep 'decision=stop' "$out" | tail -n 1 | grep -o 'round=[0-9]*.*' | cut -c1-160)"
    else
      check "precopy decided" 0 "no decision=stop line"
    fi
  else
    if grep -q 'precopy' "$out"; then check "Xen's own policy (precopy not loaded)" 0 "$(grep -m1 precopy "$out")"
    else check "Xen's own policy (precopy not loaded)" 1 "no precopy line in the output"; fi
  fi
fi
if grep -q 'precopy replay.*/var/tmp/' "$block"; then
  # the replay names each trace it read, then one row per policy
  traces=$(ls /var/tmp/"$G"-*.csv 2>/dev/null | wc -l)
  if [ "$traces" -gt 0 ] && grep -q "^trace /var/tmp/$G-" "$out" && grep -q '^  predictive ' "$out"; then
    check "trace recorded and replayed" 1 "$traces trace(s); $(grep -m1 "^trace /var/tmp/$G-" "$out")"
  else
    check "trace recorded and replayed" 0 "$traces trace(s) under /var/tmp; replay output without a trace or a predictive row"
  fi
fi
if grep -q 'apt-get purge libprecopy0' "$block"; then
  st=$(dpkg-query -W -f='${Status}' libprecopy0 2>/dev/null)
  left=$(ls -d /usr/bin/precopy /usr/libexec/precopy /usr/share/doc/libprecopy0 2>/dev/null | tr '\n' ' ')
  case "$st" in
    ""|*not-installed)
       if [ -n "$left" ]; then check "libprecopy0 purged" 0 "left behind: $left"
       else check "libprecopy0 purged" 1 "dpkg status '${st:-unknown to dpkg}'; nothing left under /usr"; fi ;;
    *) check "libprecopy0 purged" 0 "dpkg status '$st'" ;;
  esac
fi
CHECK
echo "$G" > "$W/guest"

say "operator's guide: running its blocks in one root shell (log: guide.log)"
bash "$W/session.sh" 3>&1 > "$W/guide.log" 2>&1
tr -d '\r' < "$W/guide.log" | sed -e 's/^/E2E|FILE|guide.log|/'
echo "E2E|EOF|guide.log"
say "operator's guide done"
