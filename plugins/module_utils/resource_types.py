# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The FlyWP objects the collection knows, each declared once with every fact of it
(declaration.py says what each word means). Paths, field names, choices and defaults follow
docs/api-contract.md; a path or a choice that turns out different in the real service is a
one-line change here, and the modules' documentation is held to it by
tests/unit/test_declarations.py.
"""

from __future__ import annotations

from ansible_collections.flywp.cloud.plugins.module_utils.declaration import (
    ALWAYS, ASSUMED, DOC, NAMES, NEVER, PREDICTIONS, WITH_FORCE, Field, GivenEndpoint, ResourceType)
from ansible_collections.flywp.cloud.plugins.module_utils.validation import (
    cron_frequency, database_name, domain, email, ssh_public_key, system_user)

# The Linux user FlyWP sets up on every server: the one to log in as over SSH, and the one a
# cron job runs as unless it says another.
SYSTEM_USER = 'fly'


def _public_key(value):
    ssh_public_key(value)  # refuses what is not one OpenSSH public key, saying what it is instead
    return value


def _spacing_and_case(frequency):
    return ' '.join(str(frequency).split()).lower()


SERVER = ResourceType(
    name='server', plural='servers', label='server', id_arg='server_id',
    endpoints=dict(list=('/servers', DOC), create=('/servers', DOC), get=('/servers/{server_id}', DOC),
                   delete=('/servers/{server_id}', ASSUMED)),
    fields=dict(
        name=Field(),
        provider=Field(choices=('digitalocean', 'vultr', 'hetzner', 'aws', 'akamai', 'custom')),
        region=Field(),
        size=Field(),
        os=Field(choices=('ubuntu-22.04', 'ubuntu-24.04')),
    ),
    key=('name',), replace=NEVER,
    statuses=('creating', 'provisioning', 'ready', 'failed'), ready=('ready',), in_progress=('creating', 'provisioning'),
    gone=('deleting', 'deleted'), hints=(NAMES, PREDICTIONS))

SITE = ResourceType(
    name='site', plural='sites', label='site', id_arg='site_id', parent=SERVER,
    endpoints=dict(list=('/servers/{server_id}/sites', DOC), create=('/servers/{server_id}/sites', DOC),
                   get=('/servers/{server_id}/sites/{site_id}', ASSUMED),
                   delete=('/servers/{server_id}/sites/{site_id}', ASSUMED)),
    fields=dict(
        domain=Field(check=domain, fold=str.lower),
        web_server=Field(choices=('nginx', 'openlitespeed')),
        php_version=Field(choices=('8.1', '8.2', '8.3')),
        title=Field(),
        # Only used on creation; compared only if the API ever shows them back.
        admin_email=Field(check=email),
        admin_user=Field(),
        admin_password=Field(secret=True),
        cache=Field(kind='bool'),
    ),
    key=('domain',), replace=NEVER,
    statuses=('creating', 'active', 'failed', 'deleting'), ready=('active',), in_progress=('creating',),
    gone=('deleting', 'deleted'), hints=(PREDICTIONS,))

DATABASE = ResourceType(
    name='database', plural='databases', label='database', id_arg='database_id', parent=SERVER,
    endpoints=dict(list=('/servers/{server_id}/databases', DOC), create=('/servers/{server_id}/databases', ASSUMED),
                   delete=('/servers/{server_id}/databases/{database_id}', ASSUMED)),
    fields=dict(name=Field(check=database_name)), key=('name',))

# The API may not echo a public key (or may echo it with another comment): its fingerprint is compared.
SSH_KEY = ResourceType(
    name='ssh_key', plural='ssh_keys', label='SSH key', article='an', id_arg='key_id', parent=SERVER,
    endpoints=dict(list=('/servers/{server_id}/ssh-keys', DOC), create=('/servers/{server_id}/ssh-keys', DOC),
                   delete=('/servers/{server_id}/ssh-keys/{key_id}', ASSUMED)),
    fields=dict(name=Field(), public_key=Field(check=_public_key, echoed=False, needed=True)),
    key=('name',), replace=WITH_FORCE,
    derived={'fingerprint': lambda item: ssh_public_key(item['public_key'])[1] if item.get('public_key') else None})

# A cron job is nothing but its fields, and the API cannot update one: a new frequency replaces it.
CRON = ResourceType(
    name='cron', plural='crons', label='cron job', id_arg='cron_id', parent=SERVER,
    endpoints=dict(list=('/servers/{server_id}/crons', DOC), create=('/servers/{server_id}/crons', DOC),
                   delete=('/servers/{server_id}/crons/{cron_id}', ASSUMED)),
    fields=dict(
        command=Field(),
        frequency=Field(check=cron_frequency, compare_as=_spacing_and_case, needed=True),
        user=Field(check=system_user, default=SYSTEM_USER),
    ),
    key=('command', 'user'), replace=ALWAYS)

# Many backups of one type: the newest counts, and a new one is made unless one is fresh enough.
BACKUP = ResourceType(
    name='backup', plural='backups', label='backup', id_arg='backup_id', parent=SITE,
    endpoints=dict(list=('/sites/{site_id}/backups', DOC), create=('/sites/{site_id}/backups', DOC)),
    fields=dict(type=Field(choices=('full', 'database', 'files'), default='full')),
    key=('type',), many_per_key=True, recency=('completed_at', 'created_at'),
    statuses=('pending', 'running', 'completed', 'failed'), ready=('completed',), in_progress=('pending', 'running'))

RESOURCES = (SERVER, SITE, DATABASE, SSH_KEY, CRON, BACKUP)


def given_endpoint(method, path):
    """The endpoint a task names by its method and whole path (flywp.cloud.api): its objects
    found by these resources' collection segments (declaration.GivenEndpoint)."""
    return GivenEndpoint(method, path, RESOURCES)
