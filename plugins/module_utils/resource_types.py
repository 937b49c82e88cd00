# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The FlyWP objects the collection manages: for each, the one map from module parameters
to API fields, its natural key, and what a difference leads to. Field names follow
docs/api-contract.md."""

from __future__ import annotations

from ansible_collections.flywp.cloud.plugins.module_utils.resource import ALWAYS, NEVER, WITH_FORCE, ResourceType
from ansible_collections.flywp.cloud.plugins.module_utils.validation import domain, ssh_public_key

SERVER = ResourceType(
    'server', 'servers', 'server', 'server_id',
    fields={'name': 'name', 'provider': 'provider', 'region': 'region', 'size': 'size', 'os': 'os'},
    key=('name',), replace=NEVER, ready=('ready',), gone=('deleting', 'deleted'))

SITE = ResourceType(
    'site', 'sites', 'site', 'site_id',
    fields={'domain': 'domain', 'web_server': 'web_server', 'php_version': 'php_version', 'title': 'title',
            'admin_email': 'admin_email', 'admin_user': 'admin_user', 'admin_password': 'admin_password',
            'cache': 'cache'},
    key=('domain',), secrets=('admin_password',), replace=NEVER, ready=('active',), gone=('deleting', 'deleted'),
    fold_key=lambda value: value.lower(), key_checks={'domain': domain})

DATABASE = ResourceType(
    'database', 'databases', 'database', 'database_id',
    fields={'name': 'name'}, key=('name',))

# The API may not echo a public key (or may echo it with another comment): its fingerprint is compared.
SSH_KEY = ResourceType(
    'ssh_key', 'ssh_keys', 'SSH key', 'key_id',
    fields={'name': 'name', 'public_key': 'public_key'}, key=('name',), unchecked=('public_key',),
    derived={'fingerprint': lambda item: ssh_public_key(item['public_key'])[1] if item.get('public_key') else None},
    replace=WITH_FORCE)

# A cron job is nothing but its fields, and the API cannot update one: a new frequency replaces it.
CRON = ResourceType(
    'cron', 'crons', 'cron job', 'cron_id',
    fields={'command': 'command', 'frequency': 'frequency', 'user': 'user'}, key=('command', 'user'), replace=ALWAYS,
    key_defaults={'user': 'fly'}, compare_as={'frequency': lambda value: ' '.join(str(value).split()).lower()})

BACKUP = ResourceType(
    'backup', 'backups', 'backup', 'backup_id',
    fields={'type': 'type'}, key=('type',), ready=('completed',), key_defaults={'type': 'full'},
    choices={'type': ['full', 'database', 'files']})
