# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fault suite, part three: identity. No run adds what a former run made.

Every natural-key field is compared the same way on both sides (trimmed, folded, the API's
default when missing), in every tolerant mode of the simulator; an object the API lists
without a key field fails the task before any write instead of being made again.
"""

from __future__ import annotations

import collections
import functools

import pytest

from ansible_collections.flywp.cloud.plugins.module_utils import module as module_utils
from ansible_collections.flywp.cloud.plugins.module_utils.client import FlyWPClient
from ansible_collections.flywp.cloud.tests.unit.fake_clock import FakeClock
from ansible_collections.flywp.cloud.tests.unit.fault_proxy import FaultProxy
from ansible_collections.flywp.cloud.tests.unit.module_runner import run_module

CLOCK = FakeClock()
NO_DELAYS = {'server_creating': 0, 'server_provisioning': 0, 'site_creating': 0, 'backup_pending': 0, 'backup_running': 0}
KEYS = [
    {'name': 'alice', 'public_key': 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINqBE7a11t52cA1UgQZfHQTVzwtuDFZP9axJaGF/ZwOd a@it'},
    {'name': ' deploy ', 'public_key': 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFsB8GN1Xpq4g4aGGk68DlBIrohboQLQJq+JPCS2/tj5 d@it'},
    {'name': 'ci', 'public_key': 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPWizq9hcK6u/BaQJ8CwdxUGyKCyVjxQHCCzAmuPZAo+ ci@it'},
]
JOBS = [
    {'command': 'php /var/www/example.com/wp-cron.php', 'frequency': '*/5  * * * *'},
    {'command': 'wp transient delete --expired', 'user': '   ', 'frequency': '@DAILY'},
    {'command': '/usr/local/bin/rotate-reports', 'user': 'root', 'frequency': '30 2 * * SUN'},
]
# Each state module, given what it makes in a form the API spells otherwise.
RUNS = {
    'server': {'name': ' web-2 '},
    'site': {'server': 'web-1', 'domain': 'New.Example.com'},
    'ssh_key': {'server': 'web-1', 'keys': KEYS, 'exclusive': True},
    'cron': {'server': 'web-1', 'jobs': JOBS, 'exclusive': True},
    'backup': {'server': 'web-1', 'site': 'BLOG.example.com', 'max_age': '1d'},
}
MODES = {
    'bare_json': {'bare_json': True},
    'string_ids': {'string_ids': True},
    'pagination_none': {'pagination': 'none'},
    'pagination_links': {'pagination': 'links', 'max_per_page': 2},
    'extra_fields': {'extra_fields': True},
    'all_at_once': {'bare_json': True, 'string_ids': True, 'extra_fields': True, 'create_status': 200},
}


@pytest.fixture(scope='module')
def simulator_options():
    return {'clock': CLOCK.time, 'delays': NO_DELAYS}


@pytest.fixture(autouse=True)
def fleet(sim, monkeypatch):
    sim.reset()
    monkeypatch.setattr(module_utils, 'FlyWPClient', functools.partial(FlyWPClient, clock=CLOCK.time, sleep=CLOCK.sleep))
    sim.seed([{'name': 'web-1', 'sites': [{'domain': 'blog.example.com'}]}, {'name': 'web-3'}])
    sim.clear_requests()


def api(url):
    return {'api_url': url, 'api_token': 'flywp-demo-token'}


def counts(sim):
    seen = collections.Counter(entry['method'] for entry in sim.requests())
    sim.clear_requests()
    return dict(seen)


@pytest.mark.parametrize('mode', sorted(MODES))
@pytest.mark.parametrize('name', sorted(RUNS))
def test_a_rerun_in_every_tolerant_mode_changes_nothing(sim, name, mode):
    sim.configure(**MODES[mode])
    first = run_module(name, dict(api(sim.api_url), **RUNS[name]))
    assert not first.get('failed'), first
    assert first['changed'] is True
    assert counts(sim).get('POST')
    again = run_module(name, dict(api(sim.api_url), **RUNS[name]))
    assert not again.get('failed'), again
    assert again['changed'] is False
    assert set(counts(sim)) == {'GET'}


def test_a_cron_user_of_only_spaces_is_the_default_user(sim):
    job = {'server': 'web-1', 'command': 'wp cron event run', 'user': '   ', 'frequency': '@daily'}
    assert run_module('cron', dict(api(sim.api_url), **job))['changed'] is True
    assert [cron['user'] for cron in sim.objects('cron')] == ['fly']
    assert counts(sim) == {'GET': 2, 'POST': 1}
    again = run_module('cron', dict(api(sim.api_url), **job))
    assert again['changed'] is False and again['cron']['user'] == 'fly'
    assert counts(sim) == {'GET': 2}  # the remembered server confirmed by its id, then its crons: no listing


def test_a_cron_list_without_users_is_read_as_the_default_user(sim):
    """A tolerance of docs/api-contract.md: an API that leaves `user` out of each job."""
    server_id = str(sim.seed([{'name': 'web-2', 'crons': [
        {'command': 'wp cron event run', 'frequency': '@daily', 'user': 'fly'},
        {'command': 'backup.sh', 'frequency': '@hourly', 'user': 'root'}]}])[0]['id'])
    sim.clear_requests()
    with FaultProxy(sim.api_url) as proxy:
        proxy.add('transform', count=10, path='/servers/%s/crons' % server_id, change=_without('user'))
        jobs = [{'command': 'wp cron event run', 'frequency': '@daily'}]
        result = run_module('cron', dict(api(proxy.url), server=server_id, jobs=jobs))
        assert not result.get('failed') and result['changed'] is False
        listed = run_module('cron_info', dict(api(proxy.url), server=server_id, user='fly'))
    # Without a user, root's job too is taken for fly's: the API gave no way to tell.
    assert [job['command'] for job in listed['crons']] == ['wp cron event run', 'backup.sh']
    assert counts(sim) == {'GET': 2}


@pytest.mark.parametrize('name, args, path, field', [
    ('ssh_key', {'name': 'deploy', 'public_key': KEYS[0]['public_key']}, '/servers/%s/ssh-keys', 'name'),
    ('cron', {'command': 'wp cron event run', 'frequency': '@daily'}, '/servers/%s/crons', 'command'),
])
def test_a_listed_object_without_its_key_fails_before_any_write(sim, name, args, path, field):
    server = sim.seed([{'name': 'web-2', 'ssh_keys': [{'name': 'deploy', 'public_key': KEYS[0]['public_key']}],
                        'crons': [{'command': 'wp cron event run', 'frequency': '@daily'}]}])[0]
    listed_id = server['ssh_keys' if name == 'ssh_key' else 'crons'][0]['id']
    sim.clear_requests()
    with FaultProxy(sim.api_url) as proxy:
        proxy.add('transform', path=path % server['id'], change=_without(field))
        result = run_module(name, dict(api(proxy.url), server='web-2', **args))
    assert result['failed'] is True and result['changed'] is False
    assert 'listed a' in result['msg'] and 'without its %s (id %s)' % (field, listed_id) in result['msg']
    assert 'nothing was changed' in result['msg']
    assert counts(sim) == {'GET': 2}


def _without(field):
    """A transform that drops `field` from every item of a list answer, in or out of the envelope."""
    def change(payload):
        items = payload['data'] if isinstance(payload, dict) else payload
        for item in items:
            item.pop(field, None)
        return payload
    return change
