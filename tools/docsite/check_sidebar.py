"""Check the site's sidebar: one entry per thing, and a page for every event source.

    python tools/docsite/check_sidebar.py SITE_DIR COLLECTION_DIR

The sidebar is the navigation of SITE_DIR/index.html. An entry names a thing by its title up
to " – ", such as "flywp.cloud.backup module" or "Authentication"; the title of a module,
plugin, role or event source ends in its kind. Two entries that name one thing are a
mistake, and so is a guide whose title is the bare name of a module, plugin or role
(the role guides once made "flywp.cloud.backup" three entries: guide, module, role).
Each event source of COLLECTION_DIR/extensions/eda/plugins/event_source/ must have an
entry. Exits 1 and says what is wrong.
"""

import os
import re
import sys
from html import unescape
from html.parser import HTMLParser

import yaml

KINDS = ('module', 'role', 'event source', 'inventory', 'filter', 'lookup', 'callback', 'connection', 'test')


class Sidebar(HTMLParser):
    """The text of the links in the first <nav> with the class wy-nav-side (the theme's sidebar)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth, self.link, self.entries = 0, None, []

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get('class') or '').split()
        if tag == 'nav' and 'wy-nav-side' in classes and not self.entries:
            self.depth = 1
        elif tag == 'nav' and self.depth:
            self.depth += 1
        elif tag == 'a' and self.depth and 'reference' in classes and 'internal' in classes:
            self.link = []

    def handle_endtag(self, tag):
        if tag == 'nav' and self.depth:
            self.depth -= 1
        elif tag == 'a' and self.link is not None:
            self.entries.append(' '.join(''.join(self.link).split()))
            self.link = None

    def handle_data(self, data):
        if self.link is not None:
            self.link.append(data)


def thing(title):
    """(name, kind) an entry stands for; kind is None for a guide."""
    name = re.split(r' [\u2013-]{1,2} ', unescape(title), maxsplit=1)[0]
    for kind in KINDS:
        if name.endswith(' ' + kind):
            return name[:-len(kind) - 1], kind
    return name, None


def problems(entries, event_sources):
    found, said = [], {}
    for title in entries:
        name, kind = thing(title)
        if (name, kind) in said:
            found.append('two sidebar entries for the %s %s: %r and %r' % (kind or 'guide', name, said[name, kind], title))
        said[name, kind] = title
    for (name, kind), title in said.items():
        if kind is None and any(other == name and other_kind for other, other_kind in said):
            found.append('the guide %r has the name of a %s of the collection: one thing, two entries'
                         % (title, ' and a '.join(k for n, k in said if n == name and k)))
    for name in event_sources:
        if (name, 'event source') not in said:
            found.append('no sidebar entry for the event source %s' % name)
    return found


def main(site, collection_dir):
    page = Sidebar()
    with open(os.path.join(site, 'index.html'), encoding='utf-8') as handle:
        page.feed(handle.read())
    with open(os.path.join(collection_dir, 'galaxy.yml'), encoding='utf-8') as handle:
        galaxy = yaml.safe_load(handle)
    directory = os.path.join(collection_dir, 'extensions', 'eda', 'plugins', 'event_source')
    event_sources = ['%s.%s.%s' % (galaxy['namespace'], galaxy['name'], name[:-3])
                     for name in sorted(os.listdir(directory)) if name.endswith('.py') and not name.startswith('_')] \
        if os.path.isdir(directory) else []
    found = problems(page.entries, event_sources)
    for problem in found:
        print(problem)
    print('%d sidebar entries, %d things named twice or missing' % (len(page.entries), len(found)))
    return 1 if found or not page.entries else 0


if __name__ == '__main__':
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    sys.exit(main(*sys.argv[1:]))
