# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lookup flywp.cloud.api against the simulator: GETs in a template, on the modules'
client, with its names, paging and errors; never a secret field. (Controller code: kept
out of tests/unit/plugins/module_utils, where ansible-test units allows only module_utils.)"""

from __future__ import annotations

import json

import pytest

from ansible.errors import AnsibleError
from ansible.plugins.loader import lookup_loader

from ansible_collections.flywp.cloud.tests.unit.conftest import requests_of


@pytest.fixture
def fleet(sim, monkeypatch):
    sim.reset()
    monkeypatch.setenv('FLYWP_API_URL', sim.api_url)
    monkeypatch.setenv('FLYWP_API_TOKEN', sim.token)
    servers = sim.seed([{'name': 'web-1', 'sites': [{'domain': 'blog.example.com'}, {'domain': 'shop.example.com'}]}])
    sim.clear_requests()
    return servers


def lookup(*terms, **options):
    return lookup_loader.get('flywp.cloud.api').run(list(terms), variables={}, **options)


def test_every_site_of_a_server_by_name(sim, fleet):
    sites = lookup('/servers/{server}/sites', server='web-1', all_pages=True)
    assert [site['domain'] for site in sites] == ['blog.example.com', 'shop.example.com']
    server_id = fleet[0]['id']
    assert requests_of(sim) == ['GET /servers', 'GET /servers/%s/sites' % server_id]
    # the name is remembered, as by the modules: the next lookup confirms it instead of listing
    lookup('/servers/{server}', server='web-1')
    assert requests_of(sim) == ['GET /servers/%s' % server_id, 'GET /servers/%s' % server_id]


def test_one_answer_a_path_as_flywp_gives_it(sim, fleet):
    server_id, site_id = fleet[0]['id'], fleet[0]['sites'][1]['id']
    site, backups = lookup('/servers/{server}/sites/{site}', '/sites/{site}/backups', server=str(server_id),
                           site='shop.example.com')
    assert site['data']['id'] == site_id and backups['data'] == []
    # each path finds its names as a module would: the server by id costs nothing, the site its server's sites
    assert requests_of(sim) == ['GET /servers/%s/sites' % server_id, 'GET /servers/%s/sites/%s' % (server_id, site_id),
                                'GET /servers/%s/sites' % server_id, 'GET /sites/%s/backups' % site_id]


def test_every_page_with_a_query(sim, fleet):
    sim.seed([{'name': 'web-%03d' % number} for number in range(2, 251)])
    sim.clear_requests()
    servers = lookup('/servers', all_pages=True, query={'sort': 'name'})
    assert len(servers) == 250
    assert [entry['query'] for entry in sim.requests()] == [
        {'page': str(page), 'per_page': '100', 'sort': 'name'} for page in (1, 2, 3)]


def test_no_secret_field_is_returned(sim, fleet):
    sim.configure(extra_fields=True)
    assert 'password' not in json.dumps(lookup('/servers', all_pages=True))
    assert 'password' not in json.dumps(lookup('/servers/{server}/sites', server='web-1'))


@pytest.mark.parametrize('terms, options, words', [
    (['servers'], {}, "must start with '/'"),
    (['/servers/{server}/sites'], {}, 'path holds {server}: give server'),
    (['/servers', '/servers?page=2'], {}, "holds '?' or '#'"),
    (['/sites/x-{site}'], {'site': '1'}, 'a placeholder is a whole segment'),
    (['/sites/{site}'], {'site': '1', 'server': 'web-1'}, 'server is given, but path holds no {server}'),
    ([12], {}, 'path must be text'),
])
def test_a_bad_path_is_refused_before_any_request(sim, fleet, terms, options, words):
    with pytest.raises(AnsibleError) as raised:
        lookup(*terms, **options)
    assert str(raised.value).startswith('flywp.cloud.api: ') and words in str(raised.value)
    assert sim.requests() == []


def test_an_api_error_is_the_collections_sentence_without_the_token(sim, fleet, monkeypatch):
    with pytest.raises(AnsibleError) as raised:
        lookup('/servers/{server}/sites', server='web-9')
    assert "There is no FlyWP server named 'web-9'" in str(raised.value)
    monkeypatch.setenv('FLYWP_API_TOKEN', 'not-a-token-of-this-account')
    with pytest.raises(AnsibleError) as raised:
        lookup('/servers')
    assert 'answered 401 to GET /servers' in str(raised.value) and 'not-a-token' not in str(raised.value)


def test_a_secret_in_the_query_is_not_in_the_error_of_a_request_that_failed(sim, fleet):
    closed = 'http://127.0.0.1:9/api/v1'  # the discard port: nothing listens on loopback
    with pytest.raises(AnsibleError) as raised:
        lookup('/servers', api_url=closed, query={'token': 'query-Secret-7e1'}, api_timeout=1)
    assert 'query-Secret-7e1' not in str(raised.value) and '/servers' in str(raised.value)


def test_options_win_over_the_environment(sim, fleet, monkeypatch):
    monkeypatch.setenv('FLYWP_API_URL', 'https://api.example.invalid/api/v1')
    monkeypatch.delenv('FLYWP_API_TOKEN')
    answer, = lookup('/servers', api_url=sim.api_url, api_token=sim.token)
    assert [server['name'] for server in answer['data']] == ['web-1']
