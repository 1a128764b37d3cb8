#!/usr/bin/env python3
"""Every relative link in the project's Markdown resolves: the file exists and, for FILE#anchor, FILE
has a heading with that anchor (GitHub's rule: lower case, punctuation dropped, spaces to dashes).

  check_links.py REPO_ROOT

Prints one line per broken link (FILE: LINK: why) and exits 1 if there is any; links inside code
blocks and to http(s) addresses are not checked.
"""
import glob
import os
import re
import sys


def anchors(path):
    found = set()
    in_code = False
    with open(path, encoding='utf-8') as f:
        for line in f:
            if line.startswith('```'):
                in_code = not in_code
            m = None if in_code else re.match(r'^#+\s+(.*)', line)
            if m:
                text = re.sub(r'[^\w\- ]', '', m.group(1).strip().lower())
                found.add(text.replace(' ', '-'))
    return found


def main():
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else '.')
    files = sorted(set(glob.glob(os.path.join(root, '*.md')) + glob.glob(os.path.join(root, 'docs', '*.md')) +
                       glob.glob(os.path.join(root, 'tests', '**', '*.md'), recursive=True) +
                       glob.glob(os.path.join(root, 'xen-patches', '**', '*.md'), recursive=True) +
                       glob.glob(os.path.join(root, 'data', '**', '*.md'), recursive=True)))
    broken = 0
    for path in files:
        with open(path, encoding='utf-8') as f:
            text = re.sub(r'```.*?```', '', f.read(), flags=re.S)
        text = re.sub(r'`[^`\n]*`', '', text)
        for m in re.finditer(r'\]\(([^)\s]+)\)', text):
            link = m.group(1)
            if re.match(r'[a-z]+:', link):
                continue
            target, _, anchor = link.partition('#')
            resolved = os.path.normpath(os.path.join(os.path.dirname(path), target)) if target else path
            where = os.path.relpath(path, root)
            if not os.path.exists(resolved):
                print('%s: %s: no such file' % (where, link))
                broken += 1
            elif anchor and resolved.endswith('.md') and anchor not in anchors(resolved):
                print('%s: %s: no heading with that anchor in %s' % (where, link, os.path.relpath(resolved, root)))
                broken += 1
    print('check_links: %d Markdown files, %d broken links' % (len(files), broken))
    return 1 if broken else 0


if __name__ == '__main__':
    sys.exit(main())
