# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The API contract (docs/api-contract.md) as the tests read it: its Resources table's
endpoints, and the choices and defaults it gives the fields of each create body.

Both sides of the contract are held to it: the collection's declarations
(plugins/module_utils/resource_types.py) and the simulator's own copies (simulator/), which
never import each other, so a mistake shared by the two would still fail one of the tests.
"""

from __future__ import annotations

import os
import re

CONTRACT = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                        'docs', 'api-contract.md')
SOURCES = ('doc', 'likely', 'assumed')
ENDPOINT_IN_CELL = re.compile(r'`(GET|POST|PUT|PATCH|DELETE) (/[^`]*)`')
FIELD_IN_CELL = re.compile(r'`([a-z_]+)`(?: \(([^)]*)\))?')
CHOICE = re.compile(r'^"?[A-Za-z0-9][A-Za-z0-9._-]*"?$')


def shape(path):
    """A path with its placeholders made anonymous: /servers/{id} and /servers/{server_id} are one path."""
    return re.sub(r'\{[^}]*\}', '{}', path)


def _rows():
    """[(resource, endpoints cell, source, body cell)] of the Resources table."""
    with open(CONTRACT, encoding='utf-8') as handle:
        text = handle.read()
    table = text.split('\n## Resources', 1)[1].split('\n## ', 1)[0]
    rows = []
    for line in table.splitlines():
        cells = [cell.strip() for cell in line.strip().strip('|').split('|')]
        if len(cells) >= 4 and cells[2] in SOURCES:
            rows.append(tuple(cells[:4]))
    return rows


def endpoints_beyond_the_modules():
    """{(method, path shape): source} of the table of actions no typed module uses."""
    with open(CONTRACT, encoding='utf-8') as handle:
        table = handle.read().split('\n## Beyond the typed modules', 1)[1].split('\n## ', 1)[0]
    found = {}
    for line in table.splitlines():
        cells = [cell.strip() for cell in line.strip().strip('|').split('|')]
        if len(cells) >= 3 and cells[2] in SOURCES:
            for method, path in ENDPOINT_IN_CELL.findall(cells[1]):
                found[(method, shape(path))] = cells[2]
    return found


def contract_endpoints():
    """{(method, path shape): source}."""
    endpoints = {}
    for _resource, cell, source, _body in _rows():
        for method, path in ENDPOINT_IN_CELL.findall(cell):
            assert (method, shape(path)) not in endpoints, 'the contract lists %s %s twice' % (method, path)
            endpoints[(method, shape(path))] = source
    return endpoints


def contract_fields():
    """{resource as the table names it ('servers', 'SSH keys'): {field: (choices or None, default or None)}}
    of the create bodies: `provider` (digitalocean, vultr, ...) gives choices, `type` (full, ...;
    default full) choices and a default, `user` (default `fly`) a default."""
    fields = {}
    for resource, _cell, _source, body in _rows():
        for name, note in FIELD_IN_CELL.findall(body):
            choices = default = None
            for part in (part.strip() for part in note.split(';')) if note else ():
                words = [word.strip() for word in part.split(',')]
                if part.startswith('default '):
                    default = part[len('default '):].strip('`"')
                elif len(words) > 1 and all(CHOICE.match(word) for word in words):
                    choices = [word.strip('"') for word in words]
            fields.setdefault(resource, {})[name] = (choices, default)
    return fields
