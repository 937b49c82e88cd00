# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The declarations' endpoints against the API contract (docs/api-contract.md), and what an
Endpoint does with a path."""

from __future__ import annotations

import re
import string

import pytest

from ansible_collections.flywp.cloud.plugins.module_utils.declaration import ASSUMED, DOC, METHODS, Field, ResourceType
from ansible_collections.flywp.cloud.plugins.module_utils.resource_types import (
    BACKUP, RESOURCES, SERVER, SITE, SSH_KEY, given_endpoint)
from ansible_collections.flywp.cloud.tests.unit.contract import contract_endpoints, endpoints_beyond_the_modules, shape

ENDPOINTS = dict(('%s.%s' % (rtype.name, endpoint.action), endpoint)
                 for rtype in RESOURCES for endpoint in rtype.endpoints if endpoint is not None)


def placeholders(path):
    return [name for _text, name, _spec, _conversion in string.Formatter().parse(path) if name]


def test_contract_table_is_read():
    endpoints = contract_endpoints()
    assert len(endpoints) >= 15
    assert endpoints[('GET', '/servers')] == DOC
    assert endpoints[('DELETE', '/servers/{}')] == ASSUMED


@pytest.mark.parametrize('name', sorted(ENDPOINTS))
def test_every_endpoint_has_method_path_and_source(name):
    endpoint = ENDPOINTS[name]
    assert re.match(r'^[a-z_]+\.[a-z_]+$', name)
    assert endpoint.method == METHODS[endpoint.action]
    assert endpoint.path.startswith('/') and not endpoint.path.endswith('/')
    assert '//' not in endpoint.path and ' ' not in endpoint.path
    assert endpoint.source in (DOC, ASSUMED)
    assert all(re.match(r'^[a-z]+_id$', part) for part in placeholders(endpoint.path))


def test_paths_are_unique_per_method():
    seen = {}
    for name, endpoint in sorted(ENDPOINTS.items()):
        key = (endpoint.method, shape(endpoint.path))
        assert key not in seen, '%s and %s are both %s %s' % (seen.get(key), name, endpoint.method, endpoint.path)
        seen[key] = name


def test_table_and_contract_name_the_same_endpoints():
    table = dict(((endpoint.method, shape(endpoint.path)), endpoint.source) for endpoint in ENDPOINTS.values())
    assert set(table) == set(contract_endpoints())


def test_assumed_endpoints_are_the_contracts_assumed_rows():
    contract = contract_endpoints()
    assumed_in_table = set((e.method, shape(e.path)) for e in ENDPOINTS.values() if e.source == ASSUMED)
    assumed_in_contract = set(key for key, source in contract.items() if source == ASSUMED)
    assert assumed_in_table == assumed_in_contract
    assert assumed_in_table  # the contract does mark some rows [assumed]
    documented = set((e.method, shape(e.path)) for e in ENDPOINTS.values() if e.source == DOC)
    assert documented == set(key for key, source in contract.items() if source == DOC)


def test_no_declaration_uses_an_endpoint_the_contract_keeps_for_flywp_cloud_api():
    beyond = endpoints_beyond_the_modules()
    assert beyond and not set(beyond) & set((endpoint.method, shape(endpoint.path)) for endpoint in ENDPOINTS.values())


def test_a_given_path_names_its_objects_by_the_collections_segments():
    purge = given_endpoint('POST', '/servers/12/sites/34/cache/purge')
    assert purge.objects_in(purge.path) == [(SERVER, '12'), (SITE, '34')]
    assert purge.innermost_object(purge.path) == (SITE, '34')
    keys = given_endpoint('DELETE', '/servers/12/ssh-keys/7')
    assert keys.objects_in(keys.path) == [(SERVER, '12'), (SSH_KEY, '7')]
    assert given_endpoint('GET', '/sites/5/backups').objects_in('/sites/5/backups') == [(SITE, '5')]
    # a segment after a collection that is not an id names no object
    assert given_endpoint('GET', '/servers/settings/sites').objects_in('/servers/settings/sites') == []
    assert given_endpoint('GET', '/servers').innermost_object('/servers') is None
    assert [rtype.collection for rtype in RESOURCES] == ['servers', 'sites', 'databases', 'ssh-keys', 'crons', 'backups']


@pytest.mark.parametrize('method, path, source', [
    ('GET', '/servers', DOC), ('GET', '/servers/12/sites', DOC), ('DELETE', '/servers/12', ASSUMED),
    ('GET', '/servers/12/sites/34', ASSUMED), ('PATCH', '/servers/12/sites/34', ASSUMED),
    ('POST', '/servers/12/sites/34/cache/purge', ASSUMED), ('GET', '/servers/web-1', ASSUMED),
    ('PUT', '/servers', ASSUMED),
])
def test_a_given_path_keeps_the_source_of_the_declared_endpoint_it_is(method, path, source):
    endpoint = given_endpoint(method, path)
    assert endpoint.source == source and endpoint.declared is False and endpoint.path_with({}) == path


def test_an_endpoint_fills_its_path_with_numeric_or_string_ids():
    assert SSH_KEY.endpoints.delete.path_with({'server_id': 12, 'key_id': '7'}) == '/servers/12/ssh-keys/7'
    assert SERVER.endpoints.get.path_with({'server_id': '12'}) == SERVER.endpoints.get.path_with({'server_id': 12})


def test_an_endpoint_quotes_ids_so_they_stay_one_path_segment():
    assert SERVER.endpoints.get.path_with({'server_id': '1/../2'}) == '/servers/1%2F..%2F2'
    assert SERVER.endpoints.get.path_with({'server_id': 'a b?c'}) == '/servers/a%20b%3Fc'


def test_an_endpoint_needs_every_id_of_its_path():
    with pytest.raises(KeyError):
        SITE.endpoints.get.path_with({'server_id': 1})


def test_an_action_a_resource_does_not_have_is_none_and_a_misspelt_one_fails():
    assert BACKUP.endpoints.delete is None
    with pytest.raises(AttributeError):
        SERVER.endpoints.lst  # pylint: disable=no-member,pointless-statement


@pytest.mark.parametrize('endpoint, path, expected', [
    (SERVER.endpoints.get, '/servers/12', (SERVER, '12')),
    (SSH_KEY.endpoints.list, '/servers/12/ssh-keys', (SERVER, '12')),
    (SSH_KEY.endpoints.delete, '/servers/12/ssh-keys/7', (SSH_KEY, '7')),
    (BACKUP.endpoints.list, '/sites/a%2Fb/backups', (SITE, 'a/b')),
    (SERVER.endpoints.list, '/servers', None),
])
def test_innermost_object_names_the_last_object_a_path_gives_by_id(endpoint, path, expected):
    assert endpoint.innermost_object(path) == expected


def test_a_declaration_is_checked_when_it_is_made():
    """A misspelt action, a path naming an id no resource of its lineage has, a key that is no
    field: each fails as the collection loads, not at the first request."""
    def declare(**changes):
        spec = dict(name='thing', plural='things', label='thing', id_arg='thing_id', parent=SERVER,
                    endpoints={'list': ('/servers/{server_id}/things', DOC)}, fields={'name': Field()}, key=('name',))
        spec.update(changes)
        return ResourceType(**spec)
    assert declare().endpoints.list.path == '/servers/{server_id}/things'
    with pytest.raises(ValueError, match='no action'):
        declare(endpoints={'lst': ('/servers/{server_id}/things', DOC)})
    with pytest.raises(ValueError, match='site_id'):
        declare(endpoints={'list': ('/sites/{site_id}/things', DOC)})
    with pytest.raises(ValueError, match='source'):
        declare(endpoints={'list': ('/servers/{server_id}/things', 'rumour')})
    with pytest.raises(ValueError, match='not fields'):
        declare(key=('title',))
