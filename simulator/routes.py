"""The API's routes under /api/v1 and what each one does with the store."""

import re
from dataclasses import dataclass

from .responses import ApiError, Collection, Deleted, Done, Item
from .state import SimulatorState
from .validation import (ValidationFailed, check_backup, check_cron, check_database, check_server, check_site, check_site_update,
                         check_ssh_key)

# Laravel's model names, as they appear in its 404 messages.
MODEL_NAMES = {'server': 'Server', 'site': 'Site', 'database': 'Database', 'ssh_key': 'SshKey', 'cron': 'CronJob', 'backup': 'Backup'}


@dataclass
class Context:
    """What a handler gets: the simulator state (its lock is held), the request's JSON body and
    the token's account, the only one whose objects it sees and makes."""

    state: SimulatorState
    body: dict
    account: str

    @property
    def store(self):
        return self.state.store

    @property
    def delays(self):
        return self.state.config['delays']


def find(ctx, kind, object_id, **match):
    """The record, or Laravel's 404 for a missing model (also when it belongs to another parent or another account)."""
    record = ctx.store.get(kind, int(object_id)) if object_id.isdigit() else None
    match['account'] = ctx.account
    if record is None or any(record.get(name) != value for name, value in match.items()):
        raise ApiError(404, f'No query results for model [App\\Models\\{MODEL_NAMES[kind]}] {object_id}')
    return record


def checked(check, *args):
    try:
        return check(*args)
    except ValidationFailed as failure:
        raise ApiError(422, failure.message, failure.errors) from None


def views(ctx, kind, records):
    return Collection([ctx.store.view(kind, record) for record in records])


def list_servers(ctx):
    return views(ctx, 'server', ctx.store.select('server', account=ctx.account))


def create_server(ctx):
    fields = checked(check_server, ctx.body)
    server = ctx.store.create_server(ctx.account, fields, ctx.delays, ctx.state.take_failure('server'))
    return Item(ctx.store.view('server', server), created=True)


def show_server(ctx, server_id):
    return Item(ctx.store.view('server', find(ctx, 'server', server_id)))


def delete_server(ctx, server_id):
    ctx.store.delete('server', find(ctx, 'server', server_id)['id'])
    return Deleted('Server')


def list_sites(ctx, server_id):
    server = find(ctx, 'server', server_id)
    return views(ctx, 'site', ctx.store.select('site', server_id=server['id']))


def create_site(ctx, server_id):
    server = find(ctx, 'server', server_id)
    fields = checked(check_site, ctx.body, lambda domain: ctx.store.domain_taken(server['id'], domain))
    site = ctx.store.create_site(server, fields, ctx.delays, ctx.state.take_failure('site'))
    return Item(ctx.store.view('site', site), created=True)


def show_site(ctx, server_id, site_id):
    server = find(ctx, 'server', server_id)
    return Item(ctx.store.view('site', find(ctx, 'site', site_id, server_id=server['id'])))


def update_site(ctx, server_id, site_id):
    """A site's PHP version, as the dashboard changes it (assumed: docs/api-contract.md)."""
    server = find(ctx, 'server', server_id)
    site = find(ctx, 'site', site_id, server_id=server['id'])
    site = ctx.store.update('site', site['id'], checked(check_site_update, ctx.body))
    return Item(ctx.store.view('site', site))


def purge_site_cache(ctx, server_id, site_id):
    """The dashboard's "Purge cache" (assumed: docs/api-contract.md): nothing the API shows changes."""
    server = find(ctx, 'server', server_id)
    find(ctx, 'site', site_id, server_id=server['id'])
    return Done('Cache purged.')


def delete_site(ctx, server_id, site_id):
    server = find(ctx, 'server', server_id)
    site = find(ctx, 'site', site_id, server_id=server['id'])
    ctx.store.delete_site(site['id'], ctx.delays['site_deleting'])
    return Deleted('Site')


def list_databases(ctx, server_id):
    server = find(ctx, 'server', server_id)
    return views(ctx, 'database', ctx.store.select('database', server_id=server['id']))


def create_database(ctx, server_id):
    server = find(ctx, 'server', server_id)
    taken = {database['name'] for database in ctx.store.select('database', server_id=server['id'])}
    fields = checked(check_database, ctx.body, lambda name: name in taken)
    database, password = ctx.store.create_database(server, fields['name'])
    return Item(dict(ctx.store.view('database', database), password=password), created=True)


def delete_database(ctx, server_id, database_id):
    server = find(ctx, 'server', server_id)
    ctx.store.delete('database', find(ctx, 'database', database_id, server_id=server['id'])['id'])
    return Deleted('Database')


def list_ssh_keys(ctx, server_id):
    server = find(ctx, 'server', server_id)
    return views(ctx, 'ssh_key', ctx.store.select('ssh_key', server_id=server['id']))


def create_ssh_key(ctx, server_id):
    server = find(ctx, 'server', server_id)
    fields = checked(check_ssh_key, ctx.body)
    key = ctx.store.create_ssh_key(server, fields['name'], fields['fingerprint'])
    return Item(ctx.store.view('ssh_key', key), created=True)


def delete_ssh_key(ctx, server_id, key_id):
    server = find(ctx, 'server', server_id)
    ctx.store.delete('ssh_key', find(ctx, 'ssh_key', key_id, server_id=server['id'])['id'])
    return Deleted('SSH key')


def list_crons(ctx, server_id):
    server = find(ctx, 'server', server_id)
    return views(ctx, 'cron', ctx.store.select('cron', server_id=server['id']))


def create_cron(ctx, server_id):
    server = find(ctx, 'server', server_id)
    cron = ctx.store.create_cron(server, checked(check_cron, ctx.body))
    return Item(ctx.store.view('cron', cron), created=True)


def delete_cron(ctx, server_id, cron_id):
    server = find(ctx, 'server', server_id)
    ctx.store.delete('cron', find(ctx, 'cron', cron_id, server_id=server['id'])['id'])
    return Deleted('Cron job')


def list_backups(ctx, site_id):
    site = find(ctx, 'site', site_id)
    return views(ctx, 'backup', ctx.store.select('backup', site_id=site['id']))


def create_backup(ctx, site_id):
    site = find(ctx, 'site', site_id)
    fields = checked(check_backup, ctx.body)
    backup = ctx.store.create_backup(site, fields['type'], ctx.delays, ctx.state.take_failure('backup'))
    return Item(ctx.store.view('backup', backup), created=True)


class Route:
    """A path template such as /servers/{server_id} and its handler per HTTP method."""

    def __init__(self, template, **handlers):
        self.template = template
        self.pattern = re.compile('^' + re.sub(r'\{(\w+)\}', r'(?P<\1>[^/]+)', template) + '$')
        self.handlers = handlers

    def match(self, path):
        found = self.pattern.match(path)
        return found.groupdict() if found else None

    def allowed_methods(self):
        methods = set(self.handlers)
        if 'GET' in methods:
            methods.add('HEAD')
        return sorted(methods)

    def handler(self, method):
        return self.handlers.get('GET' if method == 'HEAD' else method)


ROUTES = (
    Route('/servers', GET=list_servers, POST=create_server),
    Route('/servers/{server_id}', GET=show_server, DELETE=delete_server),
    Route('/servers/{server_id}/sites', GET=list_sites, POST=create_site),
    Route('/servers/{server_id}/sites/{site_id}', GET=show_site, PATCH=update_site, DELETE=delete_site),
    Route('/servers/{server_id}/sites/{site_id}/cache/purge', POST=purge_site_cache),
    Route('/servers/{server_id}/databases', GET=list_databases, POST=create_database),
    Route('/servers/{server_id}/databases/{database_id}', DELETE=delete_database),
    Route('/servers/{server_id}/ssh-keys', GET=list_ssh_keys, POST=create_ssh_key),
    Route('/servers/{server_id}/ssh-keys/{key_id}', DELETE=delete_ssh_key),
    Route('/servers/{server_id}/crons', GET=list_crons, POST=create_cron),
    Route('/servers/{server_id}/crons/{cron_id}', DELETE=delete_cron),
    Route('/sites/{site_id}/backups', GET=list_backups, POST=create_backup),
)


def resolve(method, path):
    """(handler, path parameters) for a request, or ApiError 404 (no route) / 405 (route without that method)."""
    for route in ROUTES:
        params = route.match(path)
        if params is None:
            continue
        handler = route.handler(method)
        if handler is None:
            allowed = route.allowed_methods()
            raise ApiError(405, f'The {method} method is not supported for route api/v1{path}. Supported methods: {", ".join(allowed)}.',
                           headers={'Allow': ', '.join(allowed)})
        return handler, params
    raise ApiError(404, f'The route api/v1{path} could not be found.')
