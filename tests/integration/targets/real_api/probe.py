# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which FlyWP API endpoints answer as docs/api-contract.md expects. Reads only.

    python probe.py [SERVER]    with FLYWP_API_URL and FLYWP_API_TOKEN in the environment

It sends plain requests (not through the collection's client, which tolerates the
differences this is meant to show), about eight GETs: the servers, one server (SERVER, a
name or id, or the first), its sites, databases, SSH keys and cron jobs, one site and its
backups. It prints a line an endpoint: "as the contract expects", "tolerated: ..." (a
difference the contract's tolerances cover) or "DIFFERS: ..." (one the collection cannot
work with). Exit status: 0, or 1 when an endpoint differs, 2 when the API cannot be
reached or refuses the token. The token is never printed.
"""

from __future__ import annotations

import os
import sys

import requests

# The fields docs/api-contract.md gives each object, and those the collection matches by.
FIELDS = {
    'server': ('id', 'name', 'status', 'provider', 'region', 'size', 'os', 'ip_address', 'php_versions', 'created_at'),
    'site': ('id', 'server_id', 'domain', 'status', 'web_server', 'php_version', 'title', 'created_at'),
    'database': ('id', 'server_id', 'site_id', 'name', 'size_bytes'),
    'SSH key': ('id', 'name', 'fingerprint', 'created_at'),
    'cron job': ('id', 'command', 'frequency', 'user', 'created_at'),
    'backup': ('id', 'site_id', 'type', 'status', 'size_bytes', 'created_at', 'completed_at'),
}
KEYS = {'server': ('name',), 'site': ('domain',), 'database': ('name',), 'SSH key': ('name',), 'cron job': ('command',)}
# Key fields the API may leave out: the collection takes the contract's default for them.
DEFAULTED = {'cron job': ('user',), 'backup': ('type',)}
SECRET_WORDS = ('password', 'passwd', 'passphrase', 'secret', 'token', 'private_key')


class Probe:
    def __init__(self, url, token):
        self.url = url.rstrip('/')
        self.session = requests.Session()
        self.session.headers.update({'Authorization': 'Bearer ' + token, 'Accept': 'application/json',
                                     'User-Agent': 'flywp.cloud real-API probe'})
        self.lines, self.differs = [], False

    def get(self, path, kind, listed, source='doc'):
        """GET path; print its verdict; return the objects it answered with ([] when it differs)."""
        label = 'GET %s [%s]' % (path, source)
        try:
            response = self.session.get(self.url + path, params={'per_page': 100} if listed else None, timeout=30)
        except requests.RequestException as error:
            print('%-44s could not be reached: %s' % (label, type(error).__name__))
            sys.exit(2)
        if response.status_code in (401, 403):
            print('%-44s answered %d: the token is not accepted, or lacks the Read permission' % (
                label, response.status_code))
            sys.exit(2)
        tolerated, differs = [], []
        if response.status_code != 200:
            differs.append('answered %d, not 200' % response.status_code)
        if not response.headers.get('X-RateLimit-Limit') or response.headers.get('X-RateLimit-Remaining') is None:
            tolerated.append('no X-RateLimit-Limit/-Remaining headers')
        try:
            body = response.json()
        except ValueError:
            differs.append('a body that is not JSON (%s)' % response.headers.get('Content-Type', 'no content type'))
            body = None
        objects = self._shape(body, kind, listed, tolerated, differs) if not differs else []
        if differs:
            self.differs = True
            verdict = 'DIFFERS: ' + '; '.join(differs)
        elif tolerated:
            verdict = 'tolerated: ' + '; '.join(tolerated)
        else:
            verdict = 'as the contract expects'
        print('%-44s %s' % (label, verdict))
        return objects

    def _shape(self, body, kind, listed, tolerated, differs):
        envelope = isinstance(body, dict) and 'data' in body and 'id' not in body
        data = body['data'] if envelope else body
        if not envelope:
            tolerated.append('no data envelope')
        if listed:
            if not isinstance(data, list):
                differs.append('%s where a list was expected' % type(data).__name__)
                return []
            meta = body.get('meta') if envelope else None
            links = body.get('links') if envelope else None
            if not (isinstance(meta, dict) and isinstance(links, dict)):
                tolerated.append('pages without meta' + ('' if isinstance(links, dict) else ' or links'))
            objects = data
        else:
            if not isinstance(data, dict):
                differs.append('%s where an object was expected' % type(data).__name__)
                return []
            objects = [data]
        if any(not isinstance(item, dict) or item.get('id') in (None, '') for item in objects):
            differs.append('items without an id')
            return []
        if any(isinstance(item['id'], str) for item in objects):
            tolerated.append('ids as strings')
        missing = sorted(set(field for item in objects for field in FIELDS[kind] if field not in item))
        for field in missing:
            if field in KEYS.get(kind, ()):
                differs.append('objects without %r, which the collection matches them by' % field)
            elif field in DEFAULTED.get(kind, ()):
                tolerated.append('objects without %r (the default is assumed)' % field)
        optional = [field for field in missing if field not in KEYS.get(kind, ()) + DEFAULTED.get(kind, ())]
        if optional:
            tolerated.append('without ' + ', '.join(optional))
        extra = sorted(set(str(field) for item in objects for field in item if field not in FIELDS[kind]))
        if extra:
            secret = [field for field in extra if any(word in field.lower() for word in SECRET_WORDS)]
            tolerated.append('extra fields %s%s' % (', '.join(extra[:8]), ', ...' if len(extra) > 8 else '') + (
                ' (secret-looking %s: dropped by the collection)' % ', '.join(secret) if secret else ''))
        return objects if not differs else []


def main():
    url, token = os.environ.get('FLYWP_API_URL'), os.environ.get('FLYWP_API_TOKEN', '').strip()
    if not url or not token:
        print('probe.py needs FLYWP_API_URL and FLYWP_API_TOKEN in the environment.')
        return 2
    wanted = sys.argv[1] if len(sys.argv) > 1 else ''
    probe = Probe(url, token)
    print('Endpoints of %s, as docs/api-contract.md expects them:' % probe.url)
    servers = probe.get('/servers', 'server', listed=True)
    server = next((item for item in servers if wanted in (str(item.get('id')), item.get('name'))), None) if wanted else (
        servers[0] if servers else None)
    if server is None:
        print('No server %s to read further.' % (repr(wanted) if wanted else 'in the account'))
        return 1 if probe.differs or wanted else 0
    base = '/servers/%s' % server['id']
    probe.get(base, 'server', listed=False)
    sites = probe.get(base + '/sites', 'site', listed=True)
    probe.get(base + '/databases', 'database', listed=True)
    probe.get(base + '/ssh-keys', 'SSH key', listed=True)
    probe.get(base + '/crons', 'cron job', listed=True)
    if sites:
        probe.get('%s/sites/%s' % (base, sites[0]['id']), 'site', listed=False, source='assumed')
        probe.get('/sites/%s/backups' % sites[0]['id'], 'backup', listed=True)
    else:
        print('The server %r has no site: its backups were not read.' % server.get('name'))
    return 1 if probe.differs else 0


if __name__ == '__main__':
    sys.exit(main())
