# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fault suite's cases for the inventory plugin, which uses the modules' client: an odd
answer is named, bad settings are refused before any request. (Controller code: kept out of
tests/unit/plugins/module_utils, where ansible-test units allows only module_utils.)"""

from __future__ import annotations

import collections
import json

import pytest

from ansible.errors import AnsibleError
from ansible.inventory.data import InventoryData
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import inventory_loader

from ansible_collections.flywp.cloud.tests.unit.fault_proxy import FaultProxy, redirecting


@pytest.fixture(scope='module')
def proxy(sim):
    with FaultProxy(sim.api_url) as running:
        yield running


@pytest.fixture(autouse=True)
def fleet(sim, proxy):
    sim.reset()
    proxy.clear()
    sim.seed([{'name': 'web-1'}])
    sim.clear_requests()


def counts(sim):
    """The requests the simulator saw, by method; the log is cleared."""
    seen = collections.Counter(entry['method'] for entry in sim.requests())
    sim.clear_requests()
    return dict(seen)


def _inventory(tmp_path, monkeypatch, url, token='flywp-demo-token', **options):
    """Parse an inventory source of the flywp plugin; its error's message, or None."""
    monkeypatch.setenv('FLYWP_API_URL', url)
    monkeypatch.setenv('FLYWP_API_TOKEN', token)
    path = tmp_path / 'servers.flywp.yml'
    path.write_text(json.dumps(dict({'plugin': 'flywp.cloud.flywp'}, **options)))
    try:
        inventory_loader.get('flywp.cloud.flywp').parse(InventoryData(), DataLoader(), str(path), cache=False)
    except AnsibleError as error:
        return str(error)
    return None


@pytest.mark.parametrize('answer, what', [
    (['web-1'], 'with a list whose item 1 is a string where every item should be a server object with an id'),
    ({'data': 'none'}, 'with an object without an id (fields: data) where a list of servers was expected'),
    (b'', 'with an empty body where a list of servers was expected'),
])
def test_the_inventory_names_an_odd_answer(sim, proxy, tmp_path, monkeypatch, answer, what):
    proxy.add('transform', path='/servers', methods=['GET'], change=lambda payload: answer)
    message = _inventory(tmp_path, monkeypatch, proxy.url)
    assert 'The FlyWP API answered GET /servers ' + what in message
    assert 'Traceback' not in message and 'flywp-demo-token' not in message
    assert counts(sim) == {'GET': 1}


@pytest.mark.parametrize('token, options, fragment', [
    ('flywp-demo-token', {'api_timeout': 0}, 'api_timeout must be more than 0'),
    ('flywp-demo-token', {'rate_limit_timeout': -1}, 'rate_limit_timeout must be 0 or more'),
    ('flywp-demo\n-token', {}, 'The FlyWP API token holds a line break'),
])
def test_the_inventory_refuses_bad_settings_before_any_request(sim, tmp_path, monkeypatch, token, options, fragment):
    message = _inventory(tmp_path, monkeypatch, sim.api_url, token=token, **options)
    assert fragment in message and 'flywp-demo' not in message
    assert counts(sim) == {}


def test_the_inventory_takes_a_token_with_a_trailing_line_break(sim, tmp_path, monkeypatch):
    assert _inventory(tmp_path, monkeypatch, sim.api_url, token='flywp-demo-token\n') is None
    assert counts(sim) == {'GET': 1}


@pytest.mark.parametrize('status', [301, 302, 307, 308])
def test_the_inventory_never_follows_a_redirect(tmp_path, monkeypatch, status):
    with redirecting(status, '/servers') as (api, elsewhere, location):
        message = _inventory(tmp_path, monkeypatch, api.url)
        assert api.seen == [('GET', '/servers')] and elsewhere.seen == []
    assert 'answered %d to GET /servers with a redirect to %s,' % (status, location) in message
    assert 'never follows' in message and 'flywp-demo-token' not in message
