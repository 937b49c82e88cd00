# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The report role's page and fleet spec, read as a browser and Ansible read them, not as bytes.

    python check_page.py CASE PAGE [SPEC]     with REPORT_TOKEN in the environment

CASE is the run of runme.sh the page comes from: `first` (now, with the fleet and the spec),
`later` (three days later: every backup old) or `cheap` (without backups). Exit status 0, or
1 with what is wrong on stderr. The token is never printed.
"""

from __future__ import annotations

import os
import sys
from html.parser import HTMLParser

import yaml

SERVERS = ['it-report-1', '<script>alert(1)</script><b>x</b>', 'it-report-{{ 6 * 7 }}']
SITES = {'fresh.example.com': 'it-report-1', 'failed.example.com': 'it-report-1', 'never.example.com': 'it-report-1',
         'old-php.example.com': 'it-report-1', 'markup.example.org': SERVERS[1], 'waiting.example.net': SERVERS[2]}
# The page's own elements; an element of the API's text would be another (script, or b inside a name).
TAGS = {'html', 'head', 'meta', 'title', 'style', 'body', 'header', 'h1', 'h2', 'h3', 'p', 'main', 'section', 'div',
        'span', 'ul', 'li', 'b', 'br', 'a', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'article', 'dl', 'dt', 'dd',
        'footer'}
MARKS = {
    'first': {'fresh.example.com': [], 'failed.example.com': ['backup-failed'], 'never.example.com': ['backup-never'],
              'old-php.example.com': ['php-eol'], 'markup.example.org': [], 'waiting.example.net': ['backup-never']},
    'later': {'fresh.example.com': ['backup-old'], 'failed.example.com': ['backup-failed', 'backup-old'],
              'never.example.com': ['backup-never'], 'old-php.example.com': ['php-eol', 'backup-old'],
              'markup.example.org': ['backup-old'], 'waiting.example.net': ['backup-never']},
    'cheap': {'fresh.example.com': [], 'failed.example.com': [], 'never.example.com': [],
              'old-php.example.com': ['php-eol'], 'markup.example.org': [], 'waiting.example.net': []},
}
DIFFERENCES = sorted([
    ('it-report-1', 'server', 'differs', 'provider: vultr in the fleet, hetzner in the account'),
    ('it-report-1', 'site fresh.example.com', 'differs', 'php_version: 8.2 in the fleet, 8.3 in the account'),
    ('it-report-1', 'site missing.example.com', 'missing', 'in the fleet, not in the account'),
    ('it-report-1', 'site old-php.example.com', 'extra', 'in the account, not in the fleet'),
    ('it-report-1', 'cron job wp cron event run --due-now (user fly)', 'differs',
     'frequency: @hourly in the fleet, */5 * * * * in the account'),
    ('it-report-1', 'cron job php /var/www/backup.php (user root)', 'extra', 'in the account, not in the fleet'),
    ('it-report-gone', 'server', 'missing', 'in the fleet, not in the account'),
    (SERVERS[1], 'server', 'extra', 'in the account, not in the fleet'),
    (SERVERS[2], 'server', 'extra', 'in the account, not in the fleet'),
])


class Page(HTMLParser):
    """The elements of a page, each with its classes, id, text and the tags inside it."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements, self._open = [], []
        self.meta = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        element = {'tag': tag, 'classes': (attrs.get('class') or '').split(), 'id': attrs.get('id'),
                   'attrs': attrs, 'text': '', 'inner_tags': []}
        for parent in self._open:
            parent['inner_tags'].append(tag)
        self.elements.append(element)
        if tag == 'meta':
            self.meta.append(attrs)
        elif tag not in ('br',):
            self._open.append(element)

    def handle_endtag(self, tag):
        while self._open:
            if self._open.pop()['tag'] == tag:
                break

    def handle_data(self, data):
        for element in self._open:
            element['text'] += data

    def having(self, tag=None, cls=None):
        return [element for element in self.elements
                if (tag is None or element['tag'] == tag) and (cls is None or cls in element['classes'])]

    def by_id(self, element_id):
        return next(element for element in self.elements if element['id'] == element_id)


def read_page(path):
    with open(path, encoding='utf-8') as handle:
        text = handle.read()
    page = Page()
    page.feed(text)
    page.close()
    return text, page


def check_page(case, path, problems):
    text, page = read_page(path)
    token = os.environ['REPORT_TOKEN']
    if token in text:
        problems.append('the token is in the page')
    tags = {element['tag'] for element in page.elements}
    if tags - TAGS:
        problems.append('elements the page does not make: %s' % sorted(tags - TAGS))
    if not any(meta.get('name') == 'viewport' for meta in page.meta):
        problems.append('no viewport')
    if not any(meta.get('http-equiv') == 'Content-Security-Policy' and "default-src 'none'" in meta.get('content', '')
               for meta in page.meta):
        problems.append('no content security policy forbidding scripts and fetches')
    if any(name.startswith('on') or name in ('src', 'srcset') for element in page.elements for name in element['attrs']):
        problems.append('an element with an event handler or a source')
    names = [element['text'] for element in page.having('span', 'server-name')]
    if names != SERVERS:
        problems.append('server names %r, not %r' % (names, SERVERS))
    if any(element['inner_tags'] for element in page.having('span', 'server-name')):
        problems.append('markup inside a server name')
    not_ready = [element['text'] for element in page.having('article', 'mark-server-not-ready')]
    if len(not_ready) != 1 or SERVERS[2] not in not_ready[0] or 'server provisioning' not in page.by_id('attention')['text']:
        problems.append('the server not ready is not marked (once)')
    rows = page.having('tr', 'site')
    domains = [next(cell['text'] for cell in _inside(page, row) if 'domain' in cell['classes']) for row in rows]
    if sorted(domains) != sorted(SITES):
        problems.append('sites %r, not %r' % (sorted(domains), sorted(SITES)))
    for row, domain in zip(rows, domains):
        marks = [cls[len('mark-'):] for element in _inside(page, row) if 'mark' in element['classes']
                 for cls in element['classes'] if cls.startswith('mark-')]
        if domain in MARKS[case] and marks != MARKS[case][domain]:
            problems.append('%s: marks %r, not %r' % (domain, marks, MARKS[case][domain]))
        if MARKS[case].get(domain) and 'marked' not in row['classes']:
            problems.append('%s: the row is not marked' % domain)
    summary = page.by_id('summary')['text']
    for words in ('3 servers', '6 sites', 'PHP versions in use', '8.1 (end of life 2020-01-01)'):
        if words not in ' '.join(summary.split()):
            problems.append('the summary does not say %r' % words)
    tile = [' '.join(element['text'].split()) for element in page.elements if element['id'] == 'summary-backups']
    expected = {'first': ['2 sites without a backup in 1 day 1 whose last backup failed'],
                'later': ['6 sites without a backup in 1 day 1 whose last backup failed'], 'cheap': []}
    if tile != expected[case]:
        problems.append('the backups tile says %r, not %r' % (tile, expected[case]))
    if case == 'cheap' and 'Backups were not read.' not in text:
        problems.append('the cheap page does not say backups were not read')
    if case == 'later' and 'last completed backup 3 days old' not in page.by_id('attention')['text']:
        problems.append('the later page does not show the age counted to report_now')
    differences = page.having('tr', 'difference')
    if case == 'first':
        found = sorted((cells[0], cells[1], row['classes'][1][len('difference-'):], cells[2])
                       for row, cells in ((row, _inside_text(page, row)) for row in differences))
        if found != DIFFERENCES:
            problems.append('differences %r, not %r' % (found, DIFFERENCES))
    elif differences or any(element['id'] == 'differences' for element in page.elements):
        problems.append('a differences section without a fleet')


def _inside(page, element):
    """The elements after `element` up to its end (the parser keeps document order)."""
    start = page.elements.index(element)
    return page.elements[start + 1:start + 1 + len(element['inner_tags'])]


def _inside_text(page, row):
    return [' '.join(cell['text'].split()) for cell in _inside(page, row) if cell['tag'] == 'td']


class SpecLoader(yaml.SafeLoader):
    """YAML as Ansible reads it, for what the spec uses: the !unsafe tag is a plain text."""


SpecLoader.add_constructor('!unsafe', lambda loader, node: loader.construct_scalar(node))


def check_spec(path, problems):
    """The spec as YAML (the !unsafe tag read as a plain text) and its comments."""
    with open(path, encoding='utf-8') as handle:
        text = handle.read()
    if os.environ['REPORT_TOKEN'] in text:
        problems.append('the token is in the spec')
    servers = yaml.load(text, Loader=SpecLoader)['fleet_servers']
    if [server['name'] for server in servers] != SERVERS:
        problems.append('spec servers %r' % [server['name'] for server in servers])
    first = servers[0]
    sites = [site['domain'] for site in first.get('sites', [])]
    if sites != ['fresh.example.com', 'failed.example.com', 'never.example.com', 'old-php.example.com']:
        problems.append('spec sites %r' % sites)
    if first['sites'][3].get('title') != "{{ lookup('pipe', 'touch @MARKER@') }}".replace('@MARKER@', os.environ['REPORT_MARKER']):
        problems.append('the title with a template is not kept as it is: %r' % first['sites'][3].get('title'))
    if first.get('cron_jobs') != [{'command': 'wp cron event run --due-now', 'frequency': '*/5 * * * *', 'user': 'fly'},
                                  {'command': 'php /var/www/backup.php', 'frequency': '@daily', 'user': 'root'}]:
        problems.append('spec cron jobs %r' % first.get('cron_jobs'))
    if any('ssh_keys' in server for server in servers):
        problems.append('an SSH key without its public key in the spec')
    header = text.split('---\n', 1)[0]
    for words in ('admin_password', 'fingerprint', 'ssh_keys_exclusive is false'):
        if words not in header:
            problems.append('the top of the spec does not name %r' % words)
    if not [line for line in text.splitlines() if line.startswith('  # SSH key "deploy", "SHA256:')]:
        problems.append('the key deploy is not named under its server with its fingerprint')
    if "title: !unsafe '" not in text:
        problems.append('the title holding a template is not marked !unsafe')


def main():
    case, page = sys.argv[1:3]
    problems = []
    check_page(case, page, problems)
    if len(sys.argv) > 3:
        check_spec(sys.argv[3], problems)
    for problem in problems:
        sys.stderr.write(problem + '\n')
    print('%s: %s' % (case, 'as expected' if not problems else '%d problems' % len(problems)))
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
