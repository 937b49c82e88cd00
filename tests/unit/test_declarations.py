# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Each fact of a resource is written once, in its declaration (resource_types.py), and what
must stay static is held to it here: the choices and defaults the modules' documentation and
the roles' argument specifications show (ansible-doc, the docs site and Ansible's role checks
read those, not the code), the values the inventory's and the event source's documentation
name, and the contract the declarations follow (docs/api-contract.md)."""

from __future__ import annotations

import os

import pytest
import yaml

from ansible_collections.flywp.cloud.extensions.eda.plugins.event_source import changes
from ansible_collections.flywp.cloud.plugins.inventory import flywp as inventory
from ansible_collections.flywp.cloud.plugins.module_utils.resource_types import (
    BACKUP, CRON, DATABASE, RESOURCES, SERVER, SITE, SSH_KEY, SYSTEM_USER)
from ansible_collections.flywp.cloud.tests.unit.contract import contract_fields
from ansible_collections.flywp.cloud.tests.unit.module_catalogue import MODULES, ROOT, documentation

BY_NAME = dict((rtype.name, rtype) for rtype in RESOURCES)
# The contract's Resources table names each resource so.
CONTRACT_NAMES = {SERVER: 'servers', SITE: 'sites', DATABASE: 'databases', SSH_KEY: 'SSH keys', CRON: 'cron jobs',
                  BACKUP: 'backups'}
# Where a role's argument specification takes a resource's fields: (role, path of options) -> resource.
ROLE_RESOURCES = {
    ('fleet', ('fleet_servers',)): SERVER,
    ('fleet', ('fleet_servers', 'sites')): SITE,
    ('fleet', ('fleet_servers', 'ssh_keys')): SSH_KEY,
    ('fleet', ('fleet_servers', 'cron_jobs')): CRON,
}
# A role variable that is one field of a resource: (role, variable) -> (resource, field).
ROLE_FIELDS = {('backup', 'backup_type'): (BACKUP, 'type')}


def module_resource(name):
    """The resource a module manages or lists (server and server_info: SERVER), or None."""
    return BY_NAME.get(name[:-len('_info')] if name.endswith('_info') else name)


def options_of(options, path=()):
    """(path, name, documentation) of every option and suboption."""
    for name, doc in (options or {}).items():
        yield path, name, doc
        yield from options_of(doc.get('suboptions') or doc.get('options'), path + (name,))


def assert_held_to(rtype, param, doc, where):
    field = rtype.fields[param]
    assert doc.get('choices') == field.choices, '%s: choices %r, declared %r' % (where, doc.get('choices'), field.choices)
    if 'default' in doc:
        assert doc['default'] == field.default, '%s: default %r, declared %r' % (where, doc['default'], field.default)


MODULE_FIELDS = [(name, path, option, doc) for name in MODULES if module_resource(name)
                 for path, option, doc in options_of(documentation(name)['options'])
                 if option in module_resource(name).fields]


def test_the_modules_document_fields_of_their_resources():
    """Without this, the test below would hold nothing."""
    documented = set((name, option) for name, _path, option, _doc in MODULE_FIELDS)
    assert {('server', 'provider'), ('site', 'php_version'), ('cron', 'user'), ('backup', 'type'),
            ('backup_info', 'type')} <= documented


@pytest.mark.parametrize('name, path, option, doc', MODULE_FIELDS,
                         ids=['%s-%s' % (name, '.'.join(path + (option,))) for name, path, option, _doc in MODULE_FIELDS])
def test_a_modules_documented_choices_and_default_are_the_declarations(name, path, option, doc):
    """A documented default is the API's own (a filter of an _info module has none)."""
    assert_held_to(module_resource(name), option, doc, '%s %s' % (name, '.'.join(path + (option,))))


def role_options(role):
    with open(os.path.join(ROOT, 'roles', role, 'meta', 'argument_specs.yml'), encoding='utf-8') as handle:
        return yaml.safe_load(handle)['argument_specs']['main']['options']


@pytest.mark.parametrize('role, path', sorted(ROLE_RESOURCES))
def test_a_roles_choices_and_defaults_are_the_declarations(role, path):
    options = role_options(role)
    for step in path:
        options = options[step]['options']
    rtype = ROLE_RESOURCES[(role, path)]
    held = [name for name in options if name in rtype.fields]
    assert held, (role, path)
    for name in held:
        assert_held_to(rtype, name, options[name], '%s %s' % (role, '.'.join(path + (name,))))


@pytest.mark.parametrize('role, variable', sorted(ROLE_FIELDS))
def test_a_role_variable_of_a_field_is_held_to_its_declaration(role, variable):
    rtype, param = ROLE_FIELDS[(role, variable)]
    assert_held_to(rtype, param, role_options(role)[variable], '%s %s' % (role, variable))


def test_the_inventory_documentation_names_the_declared_values():
    doc = yaml.safe_load(inventory.DOCUMENTATION)
    providers, statuses = ' '.join(doc['options']['provider']['description']), ' '.join(
        doc['options']['status']['description'])
    assert [value for value in SERVER.choices('provider') if 'V(%s)' % value not in providers] == []
    assert [value for value in SERVER.statuses if 'C(%s)' % value not in statuses] == []
    assert 'C(ansible_user=%s)' % SYSTEM_USER in ' '.join(doc['description'])


def test_the_event_source_documents_the_kinds_it_watches():
    assert yaml.safe_load(changes.DOCUMENTATION)['options']['kinds']['choices'] == list(changes.KINDS)
    assert set(changes.KINDS) <= set(BY_NAME)


@pytest.mark.parametrize('rtype', RESOURCES, ids=[rtype.name for rtype in RESOURCES])
def test_the_declarations_choices_and_defaults_are_the_contracts(rtype):
    body = contract_fields().get(CONTRACT_NAMES[rtype], {})
    for param, field in rtype.fields.items():
        if field.choices is not None or field.default is not None:
            assert body.get(field.api) == (field.choices, field.default), (rtype, param)
    for api_field, (choices, default) in body.items():
        if choices or default:
            declared = [field for field in rtype.fields.values() if field.api == api_field]
            assert declared and (declared[0].choices, declared[0].default) == (choices, default), (rtype, api_field)
