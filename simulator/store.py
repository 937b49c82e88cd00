"""The FlyWP objects the simulator keeps, their life cycle and their public views.

A record is a dict: the object's stored fields, its `id`, the `account` it belongs to (a
server's by choice, every other object's that of the server or site holding it), the
internal `_created` (unix time) and, for objects that change status by themselves, a
`_timeline` of [status, seconds after creation] pairs. The status is computed from the
clock when the object is read, so no background thread is needed and a restart keeps the
timing. A site being deleted has `_delete_at`; it is removed the first time the store is
used after that moment. Ids count per kind and are never given twice. The store is not
thread-safe by itself: callers hold the simulator's lock.
"""

import hashlib
import re
import secrets
import time
from contextlib import contextmanager
from datetime import datetime, timezone

from .persistence import StateFile
from .validation import parse_public_key, ssh_fingerprint

KINDS = ('server', 'site', 'database', 'ssh_key', 'cron', 'backup')
# The account of the demo token, of the start-up tokens, and of objects seeded without one.
DEFAULT_ACCOUNT = 'default'

PUBLIC_FIELDS = {
    'server': ('id', 'name', 'status', 'provider', 'region', 'size', 'os', 'ip_address', 'php_versions', 'created_at'),
    'site': ('id', 'server_id', 'domain', 'status', 'web_server', 'php_version', 'title', 'created_at'),
    'database': ('id', 'server_id', 'site_id', 'name', 'size_bytes'),
    'ssh_key': ('id', 'name', 'fingerprint', 'created_at'),
    'cron': ('id', 'command', 'frequency', 'user', 'created_at'),
    'backup': ('id', 'site_id', 'type', 'status', 'size_bytes', 'created_at', 'completed_at'),
}

STATUSES = {
    'server': ('creating', 'provisioning', 'ready', 'failed'),
    'site': ('creating', 'active', 'failed'),
    'backup': ('pending', 'running', 'completed', 'failed'),
}

# The fields a person can change in the FlyWP dashboard, per kind (Store.update, the control
# API's PATCH /objects): the other public fields are ids and dates, or follow the status (a
# backup's size_bytes and completed_at).
DASHBOARD_FIELDS = {
    'server': ('name', 'status', 'provider', 'region', 'size', 'os', 'ip_address', 'php_versions'),
    'site': ('domain', 'status', 'web_server', 'php_version', 'title'),
    'backup': ('type', 'status'),
    'ssh_key': ('name', 'fingerprint'),
    'cron': ('command', 'frequency', 'user'),
}

PHP_VERSIONS = ('8.1', '8.2', '8.3')
# Documentation address blocks (RFC 5737): never a real machine.
IP_BLOCKS = ('203.0.113', '198.51.100', '192.0.2')
BACKUP_BASE_SIZES = {'full': 256 * 2 ** 20, 'database': 4 * 2 ** 20, 'files': 252 * 2 ** 20}

SERVER_DEFAULTS = {'provider': 'custom', 'region': None, 'size': None, 'os': 'ubuntu-24.04'}
SITE_DEFAULTS = {'web_server': 'nginx', 'php_version': '8.3', 'title': None}
CRON_DEFAULTS = {'user': 'fly'}


class SeedError(ValueError):
    """A seed description the store cannot make objects from."""


class ChangeError(ValueError):
    """A change of an object's fields that the dashboard does not allow."""


class UnknownObject(LookupError):
    """No object of that kind and id (or no such kind)."""


def iso8601(timestamp):
    """Laravel's JSON date format: 2024-05-01T12:00:00.000000Z."""
    return datetime.fromtimestamp(timestamp, timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.%fZ')


def timeline(steps, final):
    """[(status, seconds in it), ...] and the final status -> [[status, offset], ...]."""
    result, offset = [], 0.0
    for status, seconds in steps:
        result.append([status, offset])
        offset += seconds
    result.append([final, offset])
    return result


def status_since(record, now):
    """Return (status, unix time it was reached) for a record with a timeline."""
    elapsed = now - record['_created']
    status, offset = record['_timeline'][0]
    for name, start in record['_timeline']:
        if elapsed < start:
            break
        status, offset = name, start
    return status, record['_created'] + offset


def ip_address_for(server_id):
    """A deterministic documentation address per server id."""
    index = server_id - 1
    block = IP_BLOCKS[(index // 254) % len(IP_BLOCKS)]
    return f'{block}.{index % 254 + 1}'


def database_name_for(domain):
    """example.com -> example_com (MySQL names: 64 characters at most)."""
    return re.sub(r'[^a-z0-9]+', '_', domain.lower()).strip('_')[:64] or 'wordpress'


class Store:
    """All objects of all kinds, their ids and their life cycle, optionally saved in SQLite."""

    def __init__(self, state_file=None, clock=time.time):
        self._clock = clock
        self._objects = {kind: {} for kind in KINDS}
        self._next_ids = {kind: 1 for kind in KINDS}
        self._saved = {}
        self._deleted = set()
        self._depth = 0  # of nested _writing()
        self._file = StateFile(state_file) if state_file else None
        if self._file:
            objects, counters = self._file.load()
            for kind, records in objects.items():
                if kind in self._objects:
                    # A state file from before accounts holds the default account's objects.
                    self._objects[kind] = {record['id']: dict({'account': DEFAULT_ACCOUNT}, **record) for record in records}
            for kind, next_id in counters.items():
                if kind in self._next_ids:
                    self._next_ids[kind] = next_id

    def now(self):
        return self._clock()

    # Low level: every change goes through _insert/_changed/_remove inside _writing().

    @contextmanager
    def _writing(self):
        """Group the changes of one operation, the operations it is made of included, into one SQLite transaction."""
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
            if not self._depth:
                self._flush()

    def _flush(self):
        if self._file and (self._saved or self._deleted):
            self._file.write(list(self._saved.values()), sorted(self._deleted), self._next_ids)
        self._saved.clear()
        self._deleted.clear()

    def _insert(self, kind, fields, lifecycle=None, created=None):
        object_id = self._next_ids[kind]
        self._next_ids[kind] += 1
        record = dict(fields, id=object_id, _created=self.now() if created is None else created)
        if lifecycle is not None:
            record['_timeline'] = lifecycle
        self._objects[kind][object_id] = record
        self._changed(kind, record)
        return record

    def _changed(self, kind, record):
        self._saved[(kind, record['id'])] = (kind, record)

    def _remove(self, kind, object_id):
        self._objects[kind].pop(object_id, None)
        self._saved.pop((kind, object_id), None)
        self._deleted.add((kind, object_id))

    def _purge_deleted_sites(self):
        now = self.now()
        expired = [site_id for site_id, site in self._objects['site'].items()
                   if site.get('_delete_at') is not None and site['_delete_at'] <= now]
        if expired:
            with self._writing():
                for site_id in expired:
                    self._remove_site(site_id)

    def _remove_site(self, site_id):
        for kind in ('database', 'backup'):
            for record in list(self._objects[kind].values()):
                if record.get('site_id') == site_id:
                    self._remove(kind, record['id'])
        self._remove('site', site_id)

    # Reading.

    def get(self, kind, object_id):
        """The record of that kind and id, or None."""
        self._purge_deleted_sites()
        return self._objects[kind].get(object_id)

    def select(self, kind, **match):
        """The records of a kind whose fields equal the given values, in id order."""
        self._purge_deleted_sites()
        records = sorted(self._objects[kind].values(), key=lambda record: record['id'])
        return [record for record in records if all(record.get(name) == value for name, value in match.items())]

    def view(self, kind, record):
        """The public object, exactly the contract's fields, with statuses as of now."""
        now = self.now()
        public = {name: record.get(name) for name in PUBLIC_FIELDS[kind]}
        if 'created_at' in public:
            public['created_at'] = iso8601(record['_created'])
        status = since = None
        if '_timeline' in record:
            status, since = status_since(record, now)
            public['status'] = status
        if kind == 'site' and record.get('_delete_at') is not None:
            public['status'] = 'deleting'
        elif kind == 'server' and public['ip_address'] is None and status != 'creating':
            public['ip_address'] = ip_address_for(record['id'])
        elif kind == 'backup':
            completed = status == 'completed'
            public['size_bytes'] = BACKUP_BASE_SIZES[record['type']] + 4096 * record['id'] if completed else None
            public['completed_at'] = iso8601(since) if completed else None
        return public

    def domain_taken(self, server_id, domain):
        return any(site['domain'].lower() == domain.lower() for site in self.select('site', server_id=server_id))

    # Changing.

    def create_server(self, account, fields, delays, failed=False):
        steps = [('creating', delays['server_creating']), ('provisioning', delays['server_provisioning'])]
        with self._writing():
            return self._insert('server', self._server_fields(account, fields), timeline(steps, 'failed' if failed else 'ready'))

    def create_site(self, server, fields, delays, failed=False):
        steps = [('creating', delays['site_creating'])]
        with self._writing():
            site = self._insert('site', self._site_fields(server, fields), timeline(steps, 'failed' if failed else 'active'))
            self._add_database(site)
        return site

    @staticmethod
    def _server_fields(account, fields):
        result = dict(SERVER_DEFAULTS, account=account, ip_address=None, php_versions=list(PHP_VERSIONS))
        result.update(fields)
        return result

    @staticmethod
    def _site_fields(server, fields):
        result = dict(SITE_DEFAULTS, account=server['account'], server_id=server['id'])
        result.update(fields)
        if not result['title']:
            result['title'] = result['domain']
        return result

    def _add_database(self, site):
        taken = {database['name'] for database in self.select('database', server_id=site['server_id'])}
        base = name = database_name_for(site['domain'])
        suffix = 1
        while name in taken:
            suffix += 1
            name = f'{base[:60]}_{suffix}'
        fields = {'account': site['account'], 'server_id': site['server_id'], 'site_id': site['id'], 'name': name, 'size_bytes': None}
        database = self._insert('database', fields)
        database['size_bytes'] = 4 * 2 ** 20 + 65536 * (database['id'] % 64)

    def delete_site(self, site_id, delay):
        """Remove a site now, or mark it `deleting` for delay seconds; its database and backups go with it."""
        with self._writing():
            site = self._objects['site'][site_id]
            if delay <= 0:
                self._remove_site(site_id)
            elif site.get('_delete_at') is None:
                site['_delete_at'] = self.now() + delay
                self._changed('site', site)

    def delete(self, kind, object_id):
        """Remove an object now with what it holds: a server its sites, databases, SSH keys,
        cron jobs and backups; a site its database and backups."""
        with self._writing():
            if kind == 'server':
                for site in self.select('site', server_id=object_id):
                    self._remove_site(site['id'])
                for held in ('database', 'ssh_key', 'cron'):
                    for record in self.select(held, server_id=object_id):
                        self._remove(held, record['id'])
                self._remove('server', object_id)
            elif kind == 'site':
                self._remove_site(object_id)
            else:
                self._remove(kind, object_id)

    def dashboard_record(self, kind, object_id):
        """The record of a kind DASHBOARD_FIELDS names, in any account; UnknownObject if there is none."""
        if kind not in DASHBOARD_FIELDS:
            raise UnknownObject(f'unknown kind {kind!r}; known: {", ".join(DASHBOARD_FIELDS)}')
        record = self.get(kind, object_id)
        if record is None:
            raise UnknownObject(f'there is no {kind} with id {object_id}')
        return record

    def update(self, kind, object_id, changes):
        """Change fields of an object as in the dashboard; a status given stays as given. Return the record."""
        record = self.dashboard_record(kind, object_id)
        for name, value in changes.items():
            if name not in DASHBOARD_FIELDS[kind]:
                known = 'is not a field' if name not in PUBLIC_FIELDS[kind] else 'cannot be changed'
                raise ChangeError(f'{kind} {name!r} {known}; changeable: {", ".join(DASHBOARD_FIELDS[kind])}')
            if name == 'status' and value not in STATUSES[kind]:
                raise ChangeError(f'{kind} status must be one of {", ".join(STATUSES[kind])}, not {value!r}')
            if kind == 'backup' and name == 'type' and value not in BACKUP_BASE_SIZES:
                raise ChangeError(f'backup type must be one of {", ".join(BACKUP_BASE_SIZES)}, not {value!r}')
        with self._writing():
            for name, value in changes.items():
                if name == 'status':
                    # in that status from now on, whatever its own timeline would have said
                    record['_timeline'] = [[value, self.now() - record['_created']]]
                else:
                    record[name] = value
            self._changed(kind, record)
        return record

    def create_ssh_key(self, server, name, fingerprint):
        with self._writing():
            return self._insert('ssh_key', {'account': server['account'], 'server_id': server['id'], 'name': name, 'fingerprint': fingerprint})

    def create_database(self, server, name):
        """A database of its own (no site), and its user's password, which the answer shows once."""
        with self._writing():
            database = self._insert('database', {'account': server['account'], 'server_id': server['id'], 'site_id': None,
                                                 'name': name, 'size_bytes': None})
        return database, secrets.token_urlsafe(18)

    def create_cron(self, server, fields):
        with self._writing():
            return self._insert('cron', dict(CRON_DEFAULTS, account=server['account'], server_id=server['id'], **fields))

    def create_backup(self, site, backup_type, delays, failed=False):
        steps = [('pending', delays['backup_pending']), ('running', delays['backup_running'])]
        with self._writing():
            return self._insert('backup', {'account': site['account'], 'site_id': site['id'], 'type': backup_type},
                                timeline(steps, 'failed' if failed else 'completed'))

    def clear(self):
        """Forget every object, but not the next ids: as in the real API, an id is never given twice."""
        self._objects = {kind: {} for kind in KINDS}
        self._saved.clear()
        self._deleted.clear()
        if self._file:
            self._file.clear()

    def close(self):
        if self._file:
            self._file.close()
            self._file = None

    # Seeding: objects made directly in a given status, without validation of timing.

    def seed(self, servers, account=DEFAULT_ACCOUNT):
        """Make servers of an account (with nested sites, ssh_keys, crons; sites with backups); return their views, nested."""
        if not isinstance(servers, list):
            raise SeedError('servers must be a list of objects')
        with self._writing():
            return [self._seed_server(spec, account) for spec in servers]

    def _seed_server(self, spec, account):
        spec = _seed_spec(spec, 'server', 'name', ('sites', 'ssh_keys', 'crons'))
        fields = {name: spec[name] for name in ('name', 'provider', 'region', 'size', 'os', 'ip_address', 'php_versions') if name in spec}
        server = self._insert('server', self._server_fields(account, fields), _fixed(spec, 'server', 'ready'))
        result = self.view('server', server)
        result['sites'] = [self._seed_site(server, site) for site in _seed_list(spec, 'sites')]
        result['ssh_keys'] = [self._seed_ssh_key(server, key) for key in _seed_list(spec, 'ssh_keys')]
        result['crons'] = []
        for cron in _seed_list(spec, 'crons'):
            cron = _seed_spec(cron, 'cron', 'command', ())
            fields = {name: cron[name] for name in ('command', 'frequency', 'user') if name in cron}
            fields.setdefault('frequency', '* * * * *')
            result['crons'].append(self.view('cron', self.create_cron(server, fields)))
        return result

    def _seed_site(self, server, spec):
        spec = _seed_spec(spec, 'site', 'domain', ('backups',))
        fields = {name: spec[name] for name in ('domain', 'web_server', 'php_version', 'title') if name in spec}
        site = self._insert('site', self._site_fields(server, fields), _fixed(spec, 'site', 'active'))
        self._add_database(site)
        result = self.view('site', site)
        result['backups'] = []
        for backup in _seed_list(spec, 'backups'):
            backup = _seed_spec(backup, 'backup', None, ())
            backup_type = backup.get('type', 'full')
            if backup_type not in BACKUP_BASE_SIZES:
                raise SeedError(f'backup type must be one of {", ".join(BACKUP_BASE_SIZES)}')
            record = self._insert('backup', {'account': site['account'], 'site_id': site['id'], 'type': backup_type},
                                  _fixed(backup, 'backup', 'completed'))
            result['backups'].append(self.view('backup', record))
        return result

    def _seed_ssh_key(self, server, spec):
        spec = _seed_spec(spec, 'ssh_key', 'name', ())
        fingerprint = spec.get('fingerprint')
        if 'public_key' in spec:
            parsed = parse_public_key(spec['public_key'])
            if parsed is None:
                raise SeedError(f'ssh_key {spec["name"]!r}: public_key is not an OpenSSH public key')
            fingerprint = ssh_fingerprint(parsed[1])
        if not fingerprint:
            fingerprint = ssh_fingerprint(hashlib.sha256(spec['name'].encode()).digest())
        return self.view('ssh_key', self.create_ssh_key(server, spec['name'], fingerprint))


def _seed_spec(spec, kind, required, nested):
    if not isinstance(spec, dict):
        raise SeedError(f'each {kind} must be an object')
    if required and not isinstance(spec.get(required), str):
        raise SeedError(f'each {kind} needs a {required} string')
    for name in nested:
        if not isinstance(spec.get(name, []), list):
            raise SeedError(f'{kind} {name} must be a list')
    return spec


def _seed_list(spec, name):
    return spec.get(name) or []


def _fixed(spec, kind, default):
    status = spec.get('status', default)
    if status not in STATUSES[kind]:
        raise SeedError(f'{kind} status must be one of {", ".join(STATUSES[kind])}, not {status!r}')
    return [[status, 0.0]]
