"""One page per role on the site: the role's guide (its README) on its reference page.

    python tools/docsite/role_pages.py RST_DIR

antsibull-docs writes a role's reference (RST_DIR/NAME_role.rst, from meta/argument_specs.yml);
the role's README, made into docsite/role_NAME.rst by guides_to_rst.py, is its guide. Two pages
titled flywp.cloud.NAME, beside the module of the same name, made three sidebar entries of one
name. This puts the guide at the top of the reference page, after its table of contents, and
removes the guide's own page: one entry per role, with the example, what the role does and its
cost first, then the parameters. The guide's labels come along, so the links to it (and to
its headings) now lead there. The guide's title goes; its sections keep the level of the
reference page's sections (the README's ## headings), and a README with deeper headings
fails here rather than nest them wrongly.
"""

import os
import re
import sys

GUIDE = re.compile(r'^role_(\w+)\.rst$')
LABEL = re.compile(r'^\.\. _[^:]+:\s*$')
# A section title's underline as pandoc writes it: = for #, - for ##, ~ for ###.
UNDERLINE = re.compile(r'^([=\-~^"\'`#*+<>])\1+\s*$')
# Where the guide goes in antsibull-docs' role page: after its table of contents.
CONTENTS = re.compile(r'^\.\. contents::\n(?:   :\w+:.*\n)*\n', re.MULTILINE)
TITLE = re.compile(r'^\.\. Title\n\n', re.MULTILINE)


def split_guide(text, path):
    """(labels of the page, body without its title) of a guide that guides_to_rst.py wrote."""
    lines = text.split('\n')
    for index in range(1, len(lines)):
        if UNDERLINE.match(lines[index]) and lines[index - 1].strip() and lines[index][0] == '=':
            labels = [line for line in lines[:index - 1] if LABEL.match(line)]
            body = '\n'.join(lines[index + 1:]).strip('\n')
            break
    else:
        raise SystemExit('%s has no title' % path)
    for number, line in enumerate(body.split('\n')):
        if UNDERLINE.match(line) and line[0] != '-' and number and body.split('\n')[number - 1].strip():
            raise SystemExit('%s: a heading below ## (underlined with %r) cannot go into the role page: '
                             'use ## headings in the role\'s README' % (path, line[0]))
    return labels, body


def merge(rst_dir, name):
    guide_path = os.path.join(rst_dir, 'docsite', 'role_%s.rst' % name)
    role_path = os.path.join(rst_dir, '%s_role.rst' % name)
    if not os.path.isfile(role_path):
        raise SystemExit('%s has no role page %s for it' % (guide_path, role_path))
    with open(guide_path, encoding='utf-8') as handle:
        labels, body = split_guide(handle.read(), guide_path)
    with open(role_path, encoding='utf-8') as handle:
        page = handle.read()
    title, contents = TITLE.search(page), CONTENTS.search(page)
    if not title or not contents or contents.start() < title.end():
        raise SystemExit('%s: antsibull-docs changed its role pages (no ".. Title" or ".. contents::")' % role_path)
    page = (page[:title.start()] + '\n'.join(labels) + '\n\n' + page[title.start():contents.end()]
            + body + '\n\n' + page[contents.end():])
    with open(role_path, 'w', encoding='utf-8') as handle:
        handle.write(page)
    os.remove(guide_path)


def main(rst_dir):
    names = sorted(GUIDE.match(name).group(1) for name in os.listdir(os.path.join(rst_dir, 'docsite'))
                   if GUIDE.match(name))
    for name in names:
        merge(rst_dir, name)
    print('the guides of the roles %s are on their role pages' % ', '.join(names))


if __name__ == '__main__':
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    main(sys.argv[1])
