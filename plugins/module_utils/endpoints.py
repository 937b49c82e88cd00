# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Every FlyWP API endpoint the collection uses, in one table.

FlyWP documents only an overview of its API, so each endpoint says where its shape comes
from (see docs/api-contract.md). An endpoint marked ASSUMED is the conventional REST shape
of a dashboard feature; if the real service answers it with 404 or 405, the error says the
action may not exist in the user's FlyWP API version. A path that turns out different in
the real service is a one-line change here.
"""

from __future__ import annotations

from collections import namedtuple

from urllib.parse import quote, unquote

DOC = 'doc'
ASSUMED = 'assumed'

Endpoint = namedtuple('Endpoint', ['method', 'path', 'source'])

ENDPOINTS = {
    'server.list': Endpoint('GET', '/servers', DOC),
    'server.create': Endpoint('POST', '/servers', DOC),
    'server.get': Endpoint('GET', '/servers/{server_id}', DOC),
    'server.delete': Endpoint('DELETE', '/servers/{server_id}', ASSUMED),
    'site.list': Endpoint('GET', '/servers/{server_id}/sites', DOC),
    'site.create': Endpoint('POST', '/servers/{server_id}/sites', DOC),
    'site.get': Endpoint('GET', '/servers/{server_id}/sites/{site_id}', ASSUMED),
    'site.delete': Endpoint('DELETE', '/servers/{server_id}/sites/{site_id}', ASSUMED),
    'database.list': Endpoint('GET', '/servers/{server_id}/databases', DOC),
    'ssh_key.list': Endpoint('GET', '/servers/{server_id}/ssh-keys', DOC),
    'ssh_key.create': Endpoint('POST', '/servers/{server_id}/ssh-keys', DOC),
    'ssh_key.delete': Endpoint('DELETE', '/servers/{server_id}/ssh-keys/{key_id}', ASSUMED),
    'cron.list': Endpoint('GET', '/servers/{server_id}/crons', DOC),
    'cron.create': Endpoint('POST', '/servers/{server_id}/crons', DOC),
    'cron.delete': Endpoint('DELETE', '/servers/{server_id}/crons/{cron_id}', ASSUMED),
    'backup.list': Endpoint('GET', '/sites/{site_id}/backups', DOC),
    'backup.create': Endpoint('POST', '/sites/{site_id}/backups', DOC),
}


def resolve(name, ids):
    """Return (endpoint, path) for an endpoint name and the ids its path needs."""
    endpoint = ENDPOINTS[name]
    path = endpoint.path.format(**dict((key, quote(str(value), safe='')) for key, value in ids.items()))
    return endpoint, path


def path_ids(endpoint, path):
    """{kind: id} of the objects the path names by id, in order: for the endpoint
    /servers/{server_id}/ssh-keys/{key_id} and the path /servers/12/ssh-keys/7,
    {'server': '12', 'key': '7'}."""
    pairs = zip(endpoint.path.strip('/').split('/'), path.strip('/').split('/'))
    return dict((template[1:-len('_id}')], unquote(actual)) for template, actual in pairs
                if template.startswith('{') and template.endswith('_id}'))


def owner(endpoint, path):
    """(kind, id) of the last object the path names by id, ('server', '12') for
    /servers/12/ssh-keys; None when it names none."""
    ids = list(path_ids(endpoint, path).items())
    return ids[-1] if ids else None
