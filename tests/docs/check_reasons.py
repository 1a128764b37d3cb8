#!/usr/bin/env python3
"""Every reason a policy or the Xen adapter can log is explained in docs/operators-guide.md, so that an
operator who reads `reason="..."` in a migration log finds it there.

  check_reasons.py REPO_ROOT

Reasons are the string literals of Verdicts ({Decision::kStop, "..."}, {Decision::kContinue, "..."})
and of the named reason constants (static constexpr const char* kName = "...") in src/*.cc. Prints one
line per reason the guide lacks (FILE: "reason") and exits 1 if there is any.
"""
import glob
import os
import re
import sys

VERDICT = re.compile(r'(?:Decision::k\w+,\s*|constexpr const char\* k\w+ =\s*)"((?:[^"\\]|\\.)+)"')


def squeeze(text):
    return re.sub(r'\s+', ' ', text)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__.strip())
    root = sys.argv[1]
    with open(os.path.join(root, 'docs', 'operators-guide.md'), encoding='utf-8') as f:
        guide = squeeze(f.read())
    missing = 0
    checked = 0
    for path in sorted(glob.glob(os.path.join(root, 'src', '*.cc'))):
        if path.endswith('_test.cc'):
            continue
        with open(path, encoding='utf-8') as f:
            source = f.read()
        for match in VERDICT.finditer(source):
            checked += 1
            reason = squeeze(match.group(1))
            if reason not in guide:
                print(f'{os.path.relpath(path, root)}: "{reason}" is not in docs/operators-guide.md')
                missing += 1
    if checked == 0:
        sys.exit('no reasons found in src/*.cc: has the Verdict syntax changed?')
    print(f'{checked} reasons checked, {missing} missing')
    return 1 if missing else 0


if __name__ == '__main__':
    sys.exit(main())
