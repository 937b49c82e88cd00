# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The report page as Chromium rendered it (its DOM, from --dump-dom): every server and site is
there as text, and no markup from the API became an element or ran.

    python check_dom.py DOM SEED TITLE

SEED is the body seed.py made. Exit status 0, or 1 with what is wrong on stderr.
"""

from __future__ import annotations

import json
import sys
from html.parser import HTMLParser


class Dom(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.attributes, self.title = [], [], ''
        self.server_names, self.domains = [], []
        self._open = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        self.attributes.extend((tag, name) for name in attrs)
        classes = (attrs.get('class') or '').split()
        target = ('server_names' if 'server-name' in classes else 'domains' if 'domain' in classes
                  else 'title' if tag == 'title' else None)
        if target == 'title':
            self.title = ''
        elif target:
            getattr(self, target).append('')
        if tag not in ('meta', 'br', 'img', 'input', 'link'):
            self._open.append(target)

    def handle_endtag(self, tag):
        if self._open:
            self._open.pop()

    def handle_data(self, data):
        for target in self._open:
            if target == 'title':
                self.title += data
            elif target:
                getattr(self, target)[-1] += data


def main():
    dom_path, seed_path, title = sys.argv[1:4]
    with open(seed_path, encoding='utf-8') as handle:
        servers = json.load(handle)['servers']
    dom = Dom()
    with open(dom_path, encoding='utf-8') as handle:
        dom.feed(handle.read())
    dom.close()
    problems = []
    if dom.title != title:
        problems.append('the title is %r, not %r: a script ran' % (dom.title, title))
    for tag in ('script', 'img', 'iframe', 'object', 'embed', 'link'):
        if tag in dom.tags:
            problems.append('the page has a %s element' % tag)
    ran = [pair for pair in dom.attributes if pair[1].startswith('data-injected') or pair[1].startswith('on')]
    if ran:
        problems.append('injected attributes: %r' % ran)
    names = [server['name'] for server in servers]
    if dom.server_names != names:
        missing = [name for name in names if name not in dom.server_names]
        problems.append('the servers shown are not the account\'s (%d shown, %d in the account); not shown as text: %r'
                        % (len(dom.server_names), len(names), missing[:5]))
    domains = sorted(site['domain'] for server in servers for site in server.get('sites', []))
    if sorted(dom.domains) != domains:
        missing = sorted(set(domains) - set(dom.domains))
        problems.append('the sites shown are not the account\'s (%d shown, %d in the account); not shown as text: %r'
                        % (len(dom.domains), len(domains), missing[:5]))
    for problem in problems:
        sys.stderr.write(problem + '\n')
    print('the rendered page: %d servers and %d sites as text, %s' % (
        len(dom.server_names), len(dom.domains), 'no markup from the API ran' if not problems else
        '%d problems' % len(problems)))
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
