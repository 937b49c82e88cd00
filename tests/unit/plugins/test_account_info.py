# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""flywp.cloud.account_info and read_account: the whole account, nested, at the documented
cost of 1 + N + M (+ N + N) requests, counted in the simulator's request log."""

from __future__ import annotations

import pytest

from ansible_collections.flywp.cloud.plugins.module_utils.account import read_account
from ansible_collections.flywp.cloud.plugins.module_utils.client import FlyWPClient
from ansible_collections.flywp.cloud.plugins.module_utils.resource_types import BACKUP, CRON
from ansible_collections.flywp.cloud.tests.unit.fake_clock import FakeClock
from ansible_collections.flywp.cloud.tests.unit.module_runner import run_module

CLOCK = FakeClock()
KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGmv4CuxY0hNe1FAI4xqv5TSUiwFQFMr6BBS6cVTWP/t a@laptop'
ACCOUNT = [
    {'name': 'web-1', 'provider': 'hetzner', 'region': 'fsn1', 'size': 'cx22',
     'sites': [{'domain': 'a.example.com', 'backups': [{'type': 'full'}, {'type': 'database', 'status': 'failed'}]},
               {'domain': 'b.example.com'}],
     'crons': [{'command': 'wp cron event run --due-now', 'frequency': '*/5 * * * *'}],
     'ssh_keys': [{'name': 'deploy', 'public_key': KEY}]},
    {'name': 'web-2', 'status': 'provisioning', 'sites': [{'domain': 'c.example.com'}]},
    {'name': 'web-3'},
]


@pytest.fixture(scope='module')
def simulator_options():
    return {'clock': CLOCK.time}


@pytest.fixture
def seeded(sim):
    sim.reset()
    seeded = sim.seed(ACCOUNT)
    sim.clear_requests()
    return seeded


@pytest.fixture
def api(sim):
    return {'api_url': sim.api_url, 'api_token': sim.token}


def requests_of(sim):
    return ['%s %s' % (entry['method'], entry['path']) for entry in sim.requests()]


def ids(seeded):
    servers = [server['id'] for server in seeded]
    sites = [site['id'] for server in seeded for site in server['sites']]
    return servers, sites


def test_the_whole_account_nested_at_one_request_a_list(sim, seeded, api):
    result = run_module('account_info', dict(api, crons=True, ssh_keys=True))
    assert not result.get('failed') and result['changed'] is False
    servers, sites = ids(seeded)
    assert [server['name'] for server in result['servers']] == ['web-1', 'web-2', 'web-3']
    web_1, web_2, web_3 = result['servers']
    assert [site['domain'] for site in web_1['sites']] == ['a.example.com', 'b.example.com']
    assert [(backup['type'], backup['status']) for backup in web_1['sites'][0]['backups']] == [
        ('full', 'completed'), ('database', 'failed')]
    assert web_1['sites'][1]['backups'] == []
    assert [job['command'] for job in web_1['crons']] == ['wp cron event run --due-now']
    assert [key['name'] for key in web_1['ssh_keys']] == ['deploy'] and web_1['ssh_keys'][0]['fingerprint']
    assert web_2['status'] == 'provisioning' and [site['domain'] for site in web_2['sites']] == ['c.example.com']
    assert web_3['sites'] == [] and web_3['crons'] == [] and web_3['ssh_keys'] == []
    # 1 + N (sites) + N (cron jobs) + N (SSH keys) + M (backups): N = 3 servers, M = 3 sites
    expected = ['GET /servers']
    for server_id, server_sites in zip(servers, [sites[:2], sites[2:], []]):
        expected += ['GET /servers/%s/sites' % server_id, 'GET /servers/%s/crons' % server_id,
                     'GET /servers/%s/ssh-keys' % server_id]
        expected += ['GET /sites/%s/backups' % site_id for site_id in server_sites]
    assert requests_of(sim) == expected
    assert len(expected) == 1 + 3 + 3 + 3 + 3


@pytest.mark.parametrize('options, cost, nested', [
    ({}, 1 + 3 + 3, {'sites', 'backups'}),
    ({'backups': False}, 1 + 3, {'sites'}),
    ({'sites': False}, 1, set()),
    ({'sites': False, 'crons': True}, 1 + 3, {'crons'}),
    ({'backups': False, 'ssh_keys': True}, 1 + 3 + 3, {'sites', 'ssh_keys'}),
])
def test_what_is_left_out_is_not_read(sim, seeded, api, options, cost, nested):
    result = run_module('account_info', dict(api, **options))
    assert not result.get('failed'), result
    assert len(sim.requests()) == cost
    assert all(entry['method'] == 'GET' for entry in sim.requests())
    for server in result['servers']:
        found = {key for key in ('sites', 'crons', 'ssh_keys') if key in server}
        found |= {'backups' for site in server.get('sites', []) if 'backups' in site}
        assert found == nested - ({'backups'} if not server.get('sites') else set())


def test_check_mode_reads_the_same_and_changes_nothing(sim, seeded, api):
    result = run_module('account_info', api, check_mode=True)
    assert not result.get('failed') and result['changed'] is False
    assert len(result['servers']) == 3
    assert len(sim.requests()) == 1 + 3 + 3
    assert {entry['method'] for entry in sim.requests()} == {'GET'}


def test_every_page_of_every_list(sim, seeded, api):
    sim.configure(max_per_page=2)
    try:
        result = run_module('account_info', dict(api, backups=False))
    finally:
        sim.configure(max_per_page=100)
    assert [server['name'] for server in result['servers']] == ['web-1', 'web-2', 'web-3']
    # two pages of servers, then one of sites a server (none holds more than two)
    assert requests_of(sim)[:2] == ['GET /servers', 'GET /servers'] and len(sim.requests()) == 2 + 3


def test_another_accounts_servers_are_not_shown(sim, seeded, api):
    sim.seed([{'name': 'theirs', 'sites': [{'domain': 'theirs.example.com'}]}], account='other')
    sim.clear_requests()
    result = run_module('account_info', api)
    assert [server['name'] for server in result['servers']] == ['web-1', 'web-2', 'web-3']
    assert 'theirs' not in str(result)


class DeletingClient(FlyWPClient):
    """A client whose account loses an object, as in the dashboard, just before one list is read."""

    def __init__(self, sim, before, kind, object_id):
        super().__init__(sim.token, url=sim.api_url, clock=CLOCK.time, sleep=CLOCK.sleep)
        self.sim, self.before, self.kind, self.object_id = sim, before, kind, object_id

    def list(self, endpoint, **ids):
        if (endpoint, ids) == self.before:
            self.sim.delete_object(self.kind, self.object_id)
        return super().list(endpoint, **ids)


def test_a_server_deleted_while_it_is_read_is_left_out(sim, seeded):
    web_1 = seeded[0]['id']
    client = DeletingClient(sim, (CRON.endpoints.list, {'server_id': web_1}), 'server', web_1)
    servers = read_account(client, crons=True)
    assert [server['name'] for server in servers] == ['web-2', 'web-3']
    assert requests_of(sim)[:3] == ['GET /servers', 'GET /servers/%s/sites' % web_1, 'GET /servers/%s/crons' % web_1]
    assert sim.requests()[2]['status'] == 404


def test_a_site_deleted_before_its_backups_are_read_is_left_out(sim, seeded):
    site_a = seeded[0]['sites'][0]['id']
    client = DeletingClient(sim, (BACKUP.endpoints.list, {'site_id': site_a}), 'site', site_a)
    servers = read_account(client)
    assert [site['domain'] for site in servers[0]['sites']] == ['b.example.com']
    assert [server['name'] for server in servers] == ['web-1', 'web-2', 'web-3']


def test_any_other_failure_fails_the_task(sim, seeded, api):
    sim.queue_fault(count=1, status=403, methods=['GET'])
    result = run_module('account_info', api)
    assert result.get('failed') and '403' in result['msg']
