"""Write the Markdown guides as the collection's extra docs (docs/docsite/rst/*.rst).

    python tools/docsite/guides_to_rst.py ROOT OUT_DIR

ROOT is a collection tree (the checkout), OUT_DIR the directory to (re)write. The guides
stay Markdown, where GitHub shows them; antsibull-docs takes only reStructuredText, so
pandoc (from pypandoc-binary, pinned so the output is the same on every machine) converts
them. Links are rewritten on the way:
  - to another guide (or one of its headings): a :ref: to that page's label, so Sphinx
    checks it;
  - to any other file of the repository: a link to it on GitHub (galaxy.yml's repository);
  - a relative link to a file that does not exist, or to a heading that no guide has,
    stops the conversion.
Images must be files under docs/images/ (tools/docs_site.sh copies that folder beside the
pages): an image elsewhere, or one that does not exist, stops the conversion too.
"""

import json
import os
import re
import subprocess
import sys

import pypandoc
import yaml

# (Markdown source, name of the page in docs/docsite/rst), in the order of extra-docs.yml; the
# roles' READMEs (role_*) are in none of its sections: on the site, each goes on its role's page
# (tools/docsite/role_pages.py), and elsewhere it is a page of its own, in no table of contents.
GUIDES = [
    ('docs/getting-started.md', 'getting_started'),
    ('docs/authentication.md', 'authentication'),
    ('docs/inventory.md', 'inventory'),
    ('docs/awx.md', 'awx'),
    ('docs/eda.md', 'eda'),
    ('docs/rate-limits.md', 'rate_limits'),
    ('docs/performance.md', 'performance'),
    ('docs/simulator.md', 'simulator'),
    ('docs/any-endpoint.md', 'any_endpoint'),
    ('docs/troubleshooting.md', 'troubleshooting'),
    ('docs/real-api.md', 'real_api'),
    ('docs/versioning.md', 'versioning'),
    ('docs/report.md', 'report'),
    ('roles/fleet/README.md', 'role_fleet'),
    ('roles/backup/README.md', 'role_backup'),
    ('roles/report/README.md', 'role_report'),
    ('docs/development.md', 'development'),
    ('docs/releasing.md', 'releasing'),
    ('docs/api-contract.md', 'api_contract'),
]
LABEL_PREFIX = 'ansible_collections.flywp.cloud.docsite.'
ROLE_GUIDE = re.compile(r'^role_\w+$')
IMAGES = 'docs/images'
SCHEME = re.compile(r'^[a-zA-Z][a-zA-Z0-9+.-]*:')


def pandoc(args, text):
    return subprocess.run([pypandoc.get_pandoc_path()] + args, input=text, capture_output=True,
                          text=True, check=True).stdout


def plain(inlines):
    """The text of pandoc inlines, without markup."""
    parts = []
    for inline in inlines:
        kind, content = inline['t'], inline.get('c')
        if kind == 'Str':
            parts.append(content)
        elif kind in ('Space', 'SoftBreak', 'LineBreak'):
            parts.append(' ')
        elif kind == 'Code':
            parts.append(content[1])
        elif kind in ('Emph', 'Strong', 'Strikeout', 'Underline', 'SmallCaps', 'Superscript', 'Subscript'):
            parts.append(plain(content))
        elif kind in ('Link', 'Span', 'Quoted'):
            parts.append(plain(content[1]))
    return ''.join(parts)


def escape(text):
    """Text for inside a reStructuredText role or link."""
    return re.sub(r'([\\`<>])', r'\\\1', text)


def github_slug(text):
    """The anchor GitHub gives a Markdown heading."""
    return re.sub(r'[^\w\- ]', '', text.strip().lower()).replace(' ', '-')


def unnest_code(node):
    """reStructuredText cannot nest inline markup: code inside bold or italics becomes text."""
    if node.get('t') in ('Strong', 'Emph'):
        def to_text(inner):
            return {'t': 'Str', 'c': inner['c'][1]} if inner.get('t') == 'Code' else None
        walk(node['c'], to_text)
    return None


def walk(node, visit):
    """Call visit on every dict of the pandoc tree; a non-None answer replaces the dict."""
    if isinstance(node, list):
        for index, item in enumerate(node):
            replaced = visit(item) if isinstance(item, dict) else None
            if replaced is not None:
                node[index] = replaced
            else:
                walk(item, visit)
    elif isinstance(node, dict):
        for value in node.values():
            walk(value, visit)


class Converter:
    def __init__(self, root):
        self.root = root
        with open(os.path.join(root, 'galaxy.yml'), encoding='utf-8') as handle:
            self.repository = yaml.safe_load(handle)['repository'].rstrip('/')
        self.pages = dict(GUIDES)
        self.trees = {}
        self.anchors = {source: set() for source, _name in GUIDES}  # headings linked to
        for source, _name in GUIDES:
            with open(os.path.join(root, source), encoding='utf-8') as handle:
                self.trees[source] = json.loads(pandoc(['-f', 'gfm', '-t', 'json'], handle.read()))

    def label(self, source, fragment=''):
        return LABEL_PREFIX + self.pages[source] + ('.' + fragment if fragment else '')

    def target(self, source, url):
        """(guide, fragment) for a link to a guide, else a URL; fails on a broken relative link."""
        if SCHEME.match(url) or url.startswith('//'):
            return None, url
        path, _hash, fragment = url.partition('#')
        if not path:
            return (source, fragment), None
        relative = os.path.normpath(os.path.join(os.path.dirname(source), path))
        if relative.startswith('..') or not os.path.exists(os.path.join(self.root, relative)):
            raise SystemExit('%s: the link %r names no file of the collection' % (source, url))
        if relative in self.pages:
            return (relative, fragment), None
        kind = 'tree' if os.path.isdir(os.path.join(self.root, relative)) else 'blob'
        return None, '%s/%s/main/%s%s' % (self.repository, kind, relative, '#' + fragment if fragment else '')

    def rewrite_images(self, source):
        """An image's path as the site's pages see it: docs/images/ is copied beside them, as images/."""
        def visit(node):
            if node.get('t') != 'Image':
                return None
            url = node['c'][2][0]
            relative = os.path.normpath(os.path.join(os.path.dirname(source), url))
            if SCHEME.match(url) or not relative.startswith(IMAGES + '/') or \
                    not os.path.isfile(os.path.join(self.root, relative)):
                raise SystemExit('%s: the image %r is not a file under %s/' % (source, url, IMAGES))
            node['c'][2][0] = 'images/' + relative[len(IMAGES) + 1:]
            return node
        walk(self.trees[source]['blocks'], visit)

    def rewrite_links(self, source):
        """Links as reStructuredText of their own: pandoc would nest a code span in a link,
        which reStructuredText cannot show."""
        def visit(node):
            if node.get('t') != 'Link':
                return None
            _attr, inlines, (url, _title) = node['c']
            text = plain(inlines)
            guide, external = self.target(source, url)
            if guide is None:
                rst = '`%s <%s>`__' % (escape(text), external)
            else:
                if guide[1]:
                    self.anchors[guide[0]].add(guide[1])
                # A link that reads as the file name shows the page's title instead.
                named_by_file = text in (url, os.path.basename(url)) and not guide[1]
                label = self.label(*guide)
                rst = ':ref:`%s`' % label if named_by_file else ':ref:`%s <%s>`' % (escape(text), label)
            return {'t': 'RawInline', 'c': ['rst', rst]}
        walk(self.trees[source]['blocks'], visit)
        walk(self.trees[source]['blocks'], unnest_code)

    def rst(self, source):
        blocks, found = [], set()
        for block in self.trees[source]['blocks']:
            if block['t'] == 'Header':
                level, (_id, classes, values), inlines = block['c']
                block['c'] = [level, ['', classes, values], inlines]  # no pandoc label: antsibull wants ours
                slug = github_slug(plain(inlines))
                if slug in self.anchors[source]:
                    found.add(slug)
                    blocks.append({'t': 'RawBlock', 'c': ['rst', '.. _%s:' % self.label(source, slug)]})
            elif block['t'] == 'CodeBlock' and not block['c'][0][1]:
                block['c'][0][1].append('text')  # not highlighted as the site's default, YAML
            blocks.append(block)
        missing = self.anchors[source] - found
        if missing:
            raise SystemExit('%s has no heading for the links to %s' % (source, ', '.join('#' + m for m in sorted(missing))))
        tree = dict(self.trees[source], blocks=blocks)
        body = pandoc(['-f', 'json', '-t', 'rst', '--wrap=preserve', '--columns=100'], json.dumps(tree))
        # pandoc writes a raw block without the blank line a label needs before its heading
        body = re.sub(r'^(\.\. _%s[^\n]*:)\n(?=\S)' % re.escape(LABEL_PREFIX), r'\1\n\n', body, flags=re.M)
        orphan = ':orphan:\n\n' if ROLE_GUIDE.match(self.pages[source]) else ''
        return ('.. Made from %s by tools/docs_site.sh (make docs): edit that file, not this one.\n\n'
                '%s.. _%s:\n\n%s' % (source, orphan, self.label(source), body))


def main(root, out_dir):
    converter = Converter(root)
    for source, _name in GUIDES:
        converter.rewrite_links(source)
        converter.rewrite_images(source)
    os.makedirs(out_dir, exist_ok=True)
    for name in os.listdir(out_dir):
        if name.endswith('.rst'):
            os.remove(os.path.join(out_dir, name))
    for source, name in GUIDES:
        with open(os.path.join(out_dir, name + '.rst'), 'w', encoding='utf-8') as handle:
            handle.write(converter.rst(source))
    print('%d guides written to %s' % (len(GUIDES), out_dir))


if __name__ == '__main__':
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    main(*sys.argv[1:])
