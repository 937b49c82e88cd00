"""Check every internal link of a generated HTML site, offline.

    python tools/docsite/check_links.py SITE_DIR

An internal link is an href or src without a scheme: its file must exist under SITE_DIR
and, when it has a #fragment, that page must have an element with that id (or name). A
path from the root (the theme's home link, "/") is taken from SITE_DIR, as when the site
is served from the root of a web server.
Links to other sites are not followed. Exits 1 and lists the broken links, if any.
"""

import os
import re
import sys
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit

EXTERNAL = re.compile(r'^([a-zA-Z][a-zA-Z0-9+.-]*:|//)')


class Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids, self.links = set(), []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ('id', 'name') if tag == 'a' else ('id',):
            if attrs.get(key):
                self.ids.add(attrs[key])
        for key in ('href', 'src'):
            if attrs.get(key) is not None:
                self.links.append(attrs[key])


def parse(path):
    page = Page()
    with open(path, encoding='utf-8') as handle:
        page.feed(handle.read())
    return page


def main(site):
    pages = {}
    for directory, _dirs, files in os.walk(site):
        for name in files:
            if name.endswith('.html'):
                path = os.path.normpath(os.path.join(directory, name))
                pages[path] = parse(path)
    broken, checked = [], 0
    for path, page in sorted(pages.items()):
        for link in page.links:
            if not link or EXTERNAL.match(link):
                continue
            checked += 1
            parts = urlsplit(link)
            base = site if parts.path.startswith('/') else os.path.dirname(path)
            target = os.path.normpath(os.path.join(base, unquote(parts.path).lstrip('/'))) if parts.path else path
            if os.path.isdir(target):
                target = os.path.join(target, 'index.html')
            if not os.path.isfile(target):
                broken.append('%s: %s (no such file)' % (os.path.relpath(path, site), link))
            elif parts.fragment and target in pages and unquote(parts.fragment) not in pages[target].ids:
                broken.append('%s: %s (no such anchor)' % (os.path.relpath(path, site), link))
    for line in broken:
        print('broken link in ' + line)
    print('%d internal links in %d pages: %d broken' % (checked, len(pages), len(broken)))
    return 1 if broken or not checked else 0


if __name__ == '__main__':
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    sys.exit(main(sys.argv[1]))
