# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The report role's page template: every expression escaped (Ansible's templating ignores
{% autoescape %}), markup from the API shown as text in every field, and a page that needs
nothing from elsewhere. The integration target role_report renders it with Ansible itself."""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser

import jinja2
import pytest
from jinja2 import nodes

from ansible_collections.flywp.cloud.plugins.filter.account_report import account_report
from ansible_collections.flywp.cloud.plugins.filter.fleet_diff import fleet_diff

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..')
TEMPLATES = os.path.join(ROOT, 'roles', 'report', 'templates')
TEMPLATE = 'report.html.j2'
ESCAPING_FILTERS = ('e', 'escape')
ATTACK = '"><script>alert(1)</script><img src=x onerror=alert(2)>\'<b>x</b>'
TAGS = {'html', 'head', 'meta', 'title', 'style', 'body', 'header', 'h1', 'h2', 'h3', 'p', 'main', 'section', 'div',
        'span', 'ul', 'li', 'b', 'br', 'a', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'article', 'dl', 'dt', 'dd',
        'footer'}


def source():
    with open(os.path.join(TEMPLATES, TEMPLATE), encoding='utf-8') as handle:
        return handle.read()


def outputs(tree):
    """Every expression the template writes out."""
    for output in tree.find_all(nodes.Output):
        for node in output.nodes:
            if not isinstance(node, nodes.TemplateData):
                yield node


def unescaped(tree):
    """The expressions written out without `| e` last; a call of one of the template's own macros
    is its output, whose expressions are checked where the macro is."""
    macros = {macro.name for macro in tree.find_all(nodes.Macro)}
    return [node for node in outputs(tree)
            if not (isinstance(node, nodes.Filter) and node.name in ESCAPING_FILTERS)
            and not (isinstance(node, nodes.Call) and isinstance(node.node, nodes.Name) and node.node.name in macros)]


def test_every_expression_written_out_is_escaped_last():
    tree = jinja2.Environment().parse(source())
    assert len(list(outputs(tree))) > 20
    assert unescaped(tree) == [], ['line %d' % node.lineno for node in unescaped(tree)]


def test_the_check_finds_an_unescaped_expression():
    tree = jinja2.Environment().parse(
        '{% macro m(a) %}{{ a }}{% endmacro %}{{ m(1) }}\n{{ a | e }} {{ b }} {{ c | e | upper }} {{ (d if x else y) | e }}'
        '{{ d | e if x else y }} {{ n(1) }} {{ loop.m(1) }}')
    assert [node.lineno for node in unescaped(tree)] == [1, 2, 2, 2, 2, 2]


def test_the_page_needs_nothing_from_elsewhere():
    text = source()
    assert '<script' not in text.lower() and not re.search(r'\b(src|href)\s*=\s*["\']?(https?:)?//', text)
    assert "Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\"" in text
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in text
    assert '@media print' in text and '@media (max-width:640px)' in text
    assert '@import' not in text and 'url(' not in text


class Page(HTMLParser):
    """The tags, attributes, text and classes of a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.attributes, self.classes, self.texts = set(), set(), [], []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attributes.update(name for name, _value in attrs)
        self.classes.extend(value.split() for name, value in attrs if name == 'class' and value)

    def handle_data(self, data):
        self.texts.append(data)

    @property
    def text(self):
        return ''.join(self.texts)


def render(servers, fleet=None, title='FlyWP fleet'):
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), undefined=jinja2.StrictUndefined)
    page = account_report(servers, now='2026-12-02T12:00:00Z', php_end_of_life={'8.1': '2025-12-31'})
    html = environment.get_template(TEMPLATE).render(
        report_page=page, report_title=title, report_fleet_servers=fleet,
        report_differences=fleet_diff(servers, fleet) if fleet is not None else [])
    parsed = Page()
    parsed.feed(html)
    parsed.close()
    return html, parsed


def hostile_account():
    return [{
        'id': 1, 'name': 'web' + ATTACK, 'status': 'provisioning' + ATTACK, 'provider': 'p' + ATTACK,
        'region': 'r' + ATTACK, 'size': 's' + ATTACK, 'ip_address': 'i' + ATTACK,
        'sites': [{'id': 2, 'domain': 'd' + ATTACK, 'php_version': '8.1' + ATTACK, 'web_server': 'w' + ATTACK,
                   'status': 'active' + ATTACK,
                   'backups': [{'id': 3, 'type': 't' + ATTACK, 'status': 'failed' + ATTACK,
                                'created_at': '2026-12-01T12:00:00Z'}]}],
    }]


@pytest.mark.parametrize('fleet', [None, [{'name': 'web' + ATTACK, 'sites': [{'domain': 'x' + ATTACK}]}]])
def test_markup_from_the_api_is_text_in_every_field(fleet):
    html, page = render(hostile_account(), fleet=fleet, title='Fleet' + ATTACK)
    assert page.tags <= TAGS, page.tags - TAGS
    assert not [name for name in page.attributes if name.startswith('on') or name in ('src', 'srcset', 'style')]
    for field in ('web', 'provisioning', 'p', 'r', 's', 'i', 'd', '8.1', 'w', 't', 'failed', 'Fleet'):
        assert field + ATTACK in page.text, field
    assert '<script>' not in html and 'onerror=alert' in page.text
    if fleet is not None:
        assert 'x' + ATTACK in page.text and 'web' + ATTACK in page.text


def test_the_marks_are_classes_and_words():
    servers = [
        {'id': 1, 'name': 'web-1', 'status': 'ready', 'sites': [
            {'id': 1, 'domain': 'fresh.example.com', 'php_version': '8.3', 'status': 'active',
             'backups': [{'id': 1, 'type': 'full', 'status': 'completed', 'created_at': '2026-12-02T11:00:00Z',
                          'completed_at': '2026-12-02T11:00:00Z'}]},
            {'id': 2, 'domain': 'old.example.com', 'php_version': '8.1', 'status': 'active',
             'backups': [{'id': 2, 'type': 'full', 'status': 'completed', 'created_at': '2026-11-20T11:00:00Z',
                          'completed_at': '2026-11-20T11:00:00Z'}]}]},
        {'id': 2, 'name': 'web-2', 'status': 'creating', 'sites': []},
    ]
    page = render(servers)[1]
    flat = [name for names in page.classes for name in names]
    assert flat.count('mark-php-eol') >= 2 and flat.count('mark-backup-old') == 2
    assert 'mark-server-not-ready' in flat and 'mark-backup-never' not in flat
    assert 'last completed backup 12 days old' in page.text and 'PHP 8.1: end of life 2025-12-31' in page.text
    assert 'Needs attention (2)' in page.text and '2 servers, 2 sites' in page.text
