# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A secret the API might echo never reaches a user: every path, one read helper.

The simulator's extra_fields switch adds unknown fields to every object it answers,
among them a password at the top level and one nested (tolerance 4 of the contract, at
its worst). Every state module (result and diff, in check mode too), every _info module,
and the inventory plugin (host variables and the cache file) must show none of them.
"""

from __future__ import annotations

import json

import pytest
import yaml

from ansible.inventory.data import InventoryData
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import inventory_loader

from ansible_collections.flywp.cloud.plugins.module_utils.redaction import SECRET_FIELD, without_secrets
from ansible_collections.flywp.cloud.tests.unit.fake_clock import FakeClock
from ansible_collections.flywp.cloud.tests.unit.module_runner import run_module

ECHOED = 'echoed-Secret'
GIVEN_PASSWORD = 'given-Secret-pass-9c1d'
KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGmv4CuxY0hNe1FAI4xqv5TSUiwFQFMr6BBS6cVTWP/t a@laptop'
CLOCK = FakeClock()


@pytest.fixture(scope='module')
def simulator_options():
    return {'clock': CLOCK.time, 'extra_fields': True,
            'delays': {'server_creating': 0, 'server_provisioning': 0, 'site_creating': 0,
                       'backup_pending': 0, 'backup_running': 0}}


@pytest.fixture
def fleet(sim):
    sim.reset()
    return sim.seed([{'name': 'web-1', 'sites': [{'domain': 'blog.example.com'}],
                      'ssh_keys': [{'name': 'deploy', 'public_key': KEY}],
                      'crons': [{'command': 'wp cron event run', 'frequency': '@daily'}]}])[0]


def assert_no_secret(value):
    text = json.dumps(value)
    assert ECHOED not in text and GIVEN_PASSWORD not in text
    # ansible-core 2.18 returns the options under `invocation`, api_token among them, masked.
    assert not _secret_keys(dict((key, item) for key, item in value.items() if key != 'invocation'))


def _secret_keys(value):
    if isinstance(value, dict):
        return [key for key in value if SECRET_FIELD.search(key)] + [k for item in value.values() for k in _secret_keys(item)]
    if isinstance(value, list):
        return [k for item in value for k in _secret_keys(item)]
    return []


def test_the_read_helper_drops_secret_fields_at_any_depth():
    answer = {'id': 1, 'name': 'web-1', 'root_password': 'x', 'api_token': 'y', 'ssh': {'private_key': 'z', 'port': 22},
              'sites': [{'id': 2, 'admin_password': 'w', 'Client_Secret': 'v', 'fingerprint': 'SHA256:a'}]}
    assert without_secrets(answer) == {'id': 1, 'name': 'web-1', 'ssh': {'port': 22},
                                       'sites': [{'id': 2, 'fingerprint': 'SHA256:a'}]}


def test_the_simulator_does_echo_them(sim, fleet):
    """Without this, the tests below would prove nothing."""
    import requests  # pylint: disable=import-outside-toplevel
    answer = requests.get(sim.api_url + '/servers', headers={'Authorization': 'Bearer ' + sim.token}, timeout=5).json()
    assert ECHOED in json.dumps(answer) and answer['data'][0]['settings']['db_password']


@pytest.fixture
def api(sim):
    return {'api_url': sim.api_url, 'api_token': sim.token}


@pytest.mark.parametrize('check_mode', [False, True])
@pytest.mark.parametrize('name, args', [
    ('server', {'name': 'web-1'}),
    ('server', {'name': 'web-2', 'provider': 'hetzner'}),
    ('site', {'server': 'web-1', 'domain': 'blog.example.com'}),
    ('site', {'server': 'web-1', 'domain': 'new.example.com', 'admin_password': GIVEN_PASSWORD}),
    ('ssh_key', {'server': 'web-1', 'name': 'deploy', 'public_key': KEY}),
    ('cron', {'server': 'web-1', 'jobs': [{'command': 'wp cron event run', 'frequency': '@hourly'}]}),
    ('backup', {'server': 'web-1', 'site': 'blog.example.com'}),
])
def test_state_modules_show_no_secret_in_result_or_diff(sim, fleet, api, name, args, check_mode):
    result = run_module(name, dict(api, **args), check_mode=check_mode, diff=True)
    assert not result.get('failed'), result
    assert_no_secret(result)


WEB_1_ID = object()  # stands for the id of the fleet's web-1


@pytest.mark.parametrize('name, args, key', [
    ('account_info', {'crons': True, 'ssh_keys': True}, 'servers'),
    ('server_info', {}, 'servers'),
    ('server_info', {'id': WEB_1_ID}, 'servers'),
    ('site_info', {}, 'sites'),
    ('database_info', {'server': 'web-1'}, 'databases'),
    ('ssh_key_info', {'server': 'web-1'}, 'ssh_keys'),
    ('cron_info', {'server': 'web-1'}, 'crons'),
    ('backup_info', {'server': 'web-1', 'site': 'blog.example.com'}, 'backups'),
])
def test_info_modules_show_no_secret(sim, fleet, api, name, args, key):
    if name == 'backup_info':
        run_module('backup', dict(api, server='web-1', site='blog.example.com'))
    args = {option: str(fleet['id']) if value is WEB_1_ID else value for option, value in args.items()}
    result = run_module(name, dict(api, **args))
    assert not result.get('failed'), result
    assert result[key], 'nothing listed: the test would prove nothing'
    assert_no_secret(result)


def test_the_inventory_shows_and_caches_no_secret(sim, fleet, tmp_path, monkeypatch):
    monkeypatch.setenv('FLYWP_API_URL', sim.api_url)
    monkeypatch.setenv('FLYWP_API_TOKEN', sim.token)
    cache_dir = tmp_path / 'cache'
    path = tmp_path / 'servers.flywp.yml'
    path.write_text(yaml.safe_dump({'plugin': 'flywp.cloud.flywp', 'include_sites': True, 'cache': True,
                                    'cache_plugin': 'ansible.builtin.jsonfile', 'cache_connection': str(cache_dir)}))
    plugin = inventory_loader.get('flywp.cloud.flywp')
    inventory = InventoryData()
    plugin.parse(inventory, DataLoader(), str(path), cache=True)
    plugin.update_cache_if_changed()
    host = inventory.get_host('web-1')
    assert host.get_vars()['flywp_sites'], 'no sites: the test would prove nothing'
    assert_no_secret(dict((str(key), value) for key, value in host.get_vars().items()))
    cached = [item.read_text() for item in cache_dir.iterdir()]
    assert cached and 'blog.example.com' in ''.join(cached)
    assert ECHOED not in ''.join(cached)
