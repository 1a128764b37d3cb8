#!/bin/bash
# check_man.sh -- precopy(1) (and docs/cli.md) must document exactly the CLI that `precopy --help`
# describes.
#
#   tests/package/check_man.sh [PRECOPY [DOC...]]
#     PRECOPY  the precopy binary (default: precopy on PATH)
#     DOC      the scdoc source of precopy(1) and/or the Markdown CLI reference
#              (default: docs/man/precopy.1.scd and docs/cli.md of this repository)
#
# Subcommands are read from `precopy --help` (its "Subcommands:" list), so new ones are checked
# without editing this script. Conventions of the documents that the check relies on:
#   - each subcommand SUB has a section whose header line starts "## precopy SUB";
#   - an option is defined by a line starting with "*-" in scdoc (e.g. "*-p*, *--policy* _NAME_")
#     or with "| `-" in Markdown (a table row "| `-p`, `--policy` NAME | ... |"), inside its
#     subcommand's section, or in the global section ("# OPTIONS" in scdoc, "## Global options"
#     in Markdown);
#   - a section ends at the next header line ("#..."); fenced code blocks (```) are skipped;
#   - --help is documented once, in the global section; subcommand sections need not repeat it.
# Checked for each document:
#   1. every subcommand in `precopy --help` has a section, and every section is a subcommand;
#   2. for each subcommand, the long flags defined in its section are exactly the long flags
#      `precopy SUB --help` lists (both directions);
#   3. the global flags defined in the global section are exactly those of `precopy --help`;
#   4. every --flag anywhere in the document exists in some --help, and on a line (with its "\"
#      continuations) that runs "precopy SUB", every --flag belongs to SUB.
# Exit status 0 when all hold; 1 with one line per mismatch otherwise.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
precopy=${1:-precopy}
shift || true
docs=("$@")
((${#docs[@]})) || docs=("$here/../../docs/man/precopy.1.scd" "$here/../../docs/cli.md")

die() { echo "check_man: $*" >&2; exit 1; }
command -v "$precopy" >/dev/null 2>&1 || [ -x "$precopy" ] || die "cannot run $precopy"

# Long flags that start an option line of CLI11's help ("  -p,--policy TEXT ...", "  --json ...").
help_flags() {
    awk '/^  -/ { n = split($1, names, ","); for (i = 1; i <= n; i++) if (names[i] ~ /^--[a-z0-9]/) print names[i] }' |
        sed 's/[^a-z0-9-].*$//' | sort -u
}

# Long flags on option-definition lines of one section of $doc: from a header matching $1 to the
# next header, outside fenced code blocks. In Markdown only a row's first cell defines flags.
doc_flags() {
    awk -v start="$1" -v def="$def_re" -v md="$is_md" '
        /^```/ { fenced = !fenced; next }
        fenced { next }
        /^#/ { inside = ($0 ~ start); next }
        inside && $0 ~ def { if (md) { split($0, cell, "|"); print cell[2] } else print }
    ' "$doc" | grep -o -- '--[a-z0-9][a-z0-9-]*' | sort -u || true
}

top_help=$("$precopy" --help) || die "'$precopy --help' failed"
subcommands=$(printf '%s\n' "$top_help" |
    awk '/^Subcommands:/ { on = 1; next } on && /^$/ { on = 0 } on && /^  [a-z][a-z0-9-]*( |$)/ { print $1 }')
[ -n "$subcommands" ] || die "no subcommands found in '$precopy --help'"

failures=0
fail() { echo "check_man: $*" >&2; failures=$((failures + 1)); }

# Compares two sorted lists; $3 names what is compared.
compare() {
    local only_help only_man
    only_help=$(comm -23 <(printf '%s\n' "$1" | sed '/^$/d') <(printf '%s\n' "$2" | sed '/^$/d'))
    only_man=$(comm -13 <(printf '%s\n' "$1" | sed '/^$/d') <(printf '%s\n' "$2" | sed '/^$/d'))
    for f in $only_help; do fail "$3: $f is in --help but not documented"; done
    for f in $only_man; do fail "$3: $f is documented but not in --help"; done
}

all_flags=$(printf '%s\n' "$top_help" | help_flags)
global_help=$all_flags
declare -A sub_flags
for sub in $subcommands; do
    flags=$("$precopy" "$sub" --help | help_flags) || die "'$precopy $sub --help' failed"
    flags=$(printf '%s\n' "$flags" | grep -vx -- '--help' || true)
    sub_flags[$sub]=$flags
    all_flags=$(printf '%s\n%s\n' "$all_flags" "$flags" | sed '/^$/d' | sort -u)
done

for doc in "${docs[@]}"; do
    [ -r "$doc" ] || die "cannot read $doc"
    name=$(basename "$doc")
    case $doc in
        *.scd) def_re='^\*-'; global_re='^# OPTIONS$'; is_md=0 ;;
        *.md) def_re='^\| `-'; global_re='^## Global options$'; is_md=1 ;;
        *) die "$doc: expected a .scd or .md file" ;;
    esac

    # 1. Subcommands both ways.
    doc_subs=$(grep -o '^## precopy [a-z][a-z0-9-]*' "$doc" | awk '{ print $3 }' | sort -u)
    for sub in $subcommands; do
        printf '%s\n' "$doc_subs" | grep -qx "$sub" || fail "$name: subcommand '$sub' has no '## precopy $sub' section"
    done
    for sub in $doc_subs; do
        printf '%s\n' "$subcommands" | grep -qx "$sub" || fail "$name: '## precopy $sub' documents a subcommand that --help does not list"
    done

    # 3. Global flags; 2. each subcommand's flags.
    compare "$global_help" "$(doc_flags "$global_re")" "$name: precopy"
    for sub in $subcommands; do
        compare "${sub_flags[$sub]}" "$(doc_flags "^## precopy $sub( |\$)")" "$name: precopy $sub"
    done

    # 4. Flags mentioned anywhere (prose, examples) must exist, and belong to the subcommand run.
    for f in $(grep -o -- '--[a-z0-9][a-z0-9-]*' "$doc" | sort -u); do
        printf '%s\n' "$all_flags" | grep -qx -- "$f" || fail "$name: $f is mentioned but no --help lists it"
    done
    while IFS= read -r line; do
        for sub in $subcommands; do
            case " $line " in
                *"precopy $sub "*) ;;
                *) continue ;;
            esac
            rest=${line#*precopy $sub }
            for f in $(printf '%s\n' "$rest" | grep -o -- '--[a-z0-9][a-z0-9-]*' | sort -u); do
                [ "$f" = --help ] && continue
                printf '%s\n' "${sub_flags[$sub]}" | grep -qx -- "$f" ||
                    fail "$name: 'precopy $sub ... $f', but $f is not a flag of $sub"
            done
        done
    done < <(sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$doc" | sed 's/[*`]//g')
done

if [ "$failures" -gt 0 ]; then
    echo "check_man: $failures mismatch(es) between the docs and '$precopy ... --help'" >&2
    exit 1
fi
echo "check_man: $(for d in "${docs[@]}"; do basename "$d"; done | tr '\n' ' ')match --help of: precopy $(echo $subcommands)"
