# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The resource state machine (converge, find_by_id, find_by_key, read_current,
wait_until_ready) against a real in-process simulator, counting the requests it sends in
the simulator's request log. The simulator and the client share a FakeClock, so waits
are measured, never spent."""

from __future__ import annotations

import json

import pytest

from ansible_collections.flywp.cloud.plugins.module_utils.client import FlyWPClient
from ansible_collections.flywp.cloud.plugins.module_utils.errors import FlyWPAPIError, FlyWPError
from ansible_collections.flywp.cloud.plugins.module_utils.resource import (
    FIRST_POLL, LONGEST_POLL, POLL_GROWTH, converge, find_by_id, find_by_key, read_current, wait_until_ready)
from ansible_collections.flywp.cloud.plugins.module_utils.resource_types import BACKUP, CRON, SERVER, SITE, SSH_KEY
from ansible_collections.flywp.cloud.tests.unit.fake_clock import FakeClock

# Quick asynchronous states: a server is ready 0.4 s after it is asked for, a site active after 0.2 s.
FAST = {'server_creating': 0.2, 'server_provisioning': 0.2, 'site_creating': 0.2, 'site_deleting': 0.0}
PASSWORD = 'unit-Secret-pass-51c2'
ED25519_A = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGmv4CuxY0hNe1FAI4xqv5TSUiwFQFMr6BBS6cVTWP/t a@laptop'
ED25519_B = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl b@laptop'


@pytest.fixture(scope='module')
def fake():
    return FakeClock()


@pytest.fixture(scope='module')
def simulator_options(fake):
    return {'delays': FAST, 'clock': fake.time}


@pytest.fixture(autouse=True)
def fresh(sim):
    sim.reset()


@pytest.fixture
def client(sim, fake):
    fake.sleeps.clear()
    return FlyWPClient(sim.token, url=sim.api_url, backoff=0.01, clock=fake.time, sleep=fake.sleep)


def requests_of(sim):
    """The request log as 'METHOD /path' strings, then cleared."""
    log = ['%s %s' % (entry['method'], entry['path']) for entry in sim.requests()]
    sim.clear_requests()
    return log


def writes(log):
    return [entry for entry in log if not entry.startswith('GET ')]


def seed_server(sim, **spec):
    spec.setdefault('name', 'web-1')
    return sim.seed([spec])[0]


def web(**fields):
    return dict({'name': 'web-1', 'provider': 'hetzner', 'region': 'fsn1', 'size': 'cx22', 'os': None}, **fields)


# --- converge: create, keep, differences ---

def test_converge_creates_what_is_missing_with_one_list_and_one_create(sim, client):
    outcome = converge(client, SERVER, [web()])
    assert outcome['changed'] is True
    server, = outcome['objects']
    assert server['id'] is not None and server['name'] == 'web-1' and server['region'] == 'fsn1'
    assert outcome['before'] == [] and outcome['after'] == [server]
    assert outcome['warnings'] == []
    assert requests_of(sim) == ['GET /servers', 'POST /servers']
    assert [obj['name'] for obj in sim.objects('server')] == ['web-1']


def test_converge_keeps_what_is_there_with_one_get(sim, client):
    converge(client, SERVER, [web()])
    sim.clear_requests()
    outcome = converge(client, SERVER, [web()])
    assert outcome['changed'] is False
    assert outcome['before'] == outcome['after'] == outcome['objects']
    assert outcome['warnings'] == []
    assert requests_of(sim) == ['GET /servers']


def test_an_unset_parameter_is_neither_sent_nor_compared(sim, client):
    seed_server(sim, name='web-1', provider='vultr', region='ams', size='vc2-1c-1gb')
    outcome = converge(client, SERVER, [{'name': 'web-1', 'provider': None, 'region': None, 'size': None, 'os': None}])
    assert outcome['changed'] is False and outcome['warnings'] == []
    assert outcome['objects'][0]['provider'] == 'vultr'


def test_an_immutable_difference_is_a_warning_and_never_a_write(sim, client):
    seed_server(sim, name='web-1', provider='hetzner', region='fsn1', size='cx22')
    outcome = converge(client, SERVER, [web(region='nbg1', size='cx32')])
    assert outcome['changed'] is False
    assert outcome['objects'][0]['region'] == 'fsn1'
    warning, = outcome['warnings']
    assert "region is 'fsn1', not 'nbg1'" in warning and "size is 'cx22', not 'cx32'" in warning
    assert 'The collection knows no FlyWP API endpoint that changes region or size of a server in place' in warning
    assert 'flywp.cloud.api can send that request (docs/any-endpoint.md)' in warning
    assert writes(requests_of(sim)) == []


def test_a_key_the_api_spells_otherwise_is_the_same_and_no_difference(sim, client):
    """A domain the API shows in capitals matched the one asked for by its folded key: it is that
    site, kept, with no warning that its domain differs."""
    server = sim.seed([{'name': 'web-1', 'sites': [{'domain': 'blog.example.com'}]}])[0]
    sim.update_object('site', server['sites'][0]['id'], domain='Blog.Example.com')
    outcome = converge(client, SITE, [{'domain': 'blog.example.com'}], {'server_id': server['id']})
    assert (outcome['changed'], outcome['warnings']) == (False, [])
    assert outcome['objects'][0]['domain'] == 'Blog.Example.com'


def test_a_difference_is_replaced_create_first_then_delete(sim, client):
    server = seed_server(sim, crons=[{'command': 'wp cron event run', 'frequency': '*/5 * * * *'}])
    old_id = server['crons'][0]['id']
    parent = {'server_id': server['id']}
    outcome = converge(client, CRON, [{'command': 'wp cron event run', 'frequency': '@hourly', 'user': 'fly'}], parent)
    assert outcome['changed'] is True
    new, = outcome['objects']
    assert new['frequency'] == '@hourly' and new['id'] != old_id
    assert [obj['id'] for obj in outcome['before']] == [old_id]
    assert [obj['id'] for obj in outcome['after']] == [new['id']]
    path = '/servers/%s/crons' % server['id']
    assert requests_of(sim) == ['GET ' + path, 'POST ' + path, 'DELETE %s/%s' % (path, old_id)]


def test_with_force_replaces_only_when_forced(sim, client):
    server = seed_server(sim, ssh_keys=[{'name': 'deploy', 'public_key': ED25519_A}])
    parent = {'server_id': server['id']}
    item = {'name': 'deploy', 'public_key': ED25519_B}

    unforced = converge(client, SSH_KEY, [item], parent)
    assert unforced['changed'] is False
    assert 'fingerprint' in unforced['warnings'][0] and 'force=true' in unforced['warnings'][0]
    assert writes(requests_of(sim)) == []

    forced = converge(client, SSH_KEY, [item], parent, force=True)
    assert forced['changed'] is True and forced['warnings'] == []
    assert [entry.split(' ')[0] for entry in writes(requests_of(sim))] == ['POST', 'DELETE']


def test_exclusive_removes_the_siblings_not_asked_for(sim, client):
    server = seed_server(sim, ssh_keys=[{'name': 'alice', 'public_key': ED25519_A}, {'name': 'bob'}])
    parent = {'server_id': server['id']}
    outcome = converge(client, SSH_KEY, [{'name': 'alice', 'public_key': ED25519_A}], parent, exclusive=True)
    assert outcome['changed'] is True
    assert [obj['name'] for obj in outcome['objects']] == ['alice']
    assert sorted(obj['name'] for obj in outcome['before']) == ['alice', 'bob']
    assert [obj['name'] for obj in outcome['after']] == ['alice']
    bob = [key for key in server['ssh_keys'] if key['name'] == 'bob'][0]
    assert writes(requests_of(sim)) == ['DELETE /servers/%s/ssh-keys/%s' % (server['id'], bob['id'])]


# --- converge: absent ---

def test_absent_deletes_and_reports_the_deleted_object(sim, client):
    server = seed_server(sim)
    outcome = converge(client, SERVER, [{'name': 'web-1'}], state='absent')
    assert outcome['changed'] is True
    assert [obj['id'] for obj in outcome['objects']] == [server['id']]
    assert [obj['id'] for obj in outcome['before']] == [server['id']] and outcome['after'] == []
    assert requests_of(sim) == ['GET /servers', 'DELETE /servers/%s' % server['id']]
    assert sim.objects('server') == []


def test_absent_when_already_gone_is_unchanged_with_one_get(sim, client):
    outcome = converge(client, SERVER, [{'name': 'web-1'}], state='absent')
    assert outcome == {'changed': False, 'objects': [], 'before': [], 'after': [], 'warnings': []}
    assert requests_of(sim) == ['GET /servers']


def test_an_object_being_deleted_counts_as_gone(sim, client):
    sim.configure(delays={'site_deleting': 30})
    server = seed_server(sim, sites=[{'domain': 'blog.example.com'}])
    parent = {'server_id': server['id']}
    assert converge(client, SITE, [{'domain': 'blog.example.com'}], parent, state='absent')['changed'] is True
    assert sim.objects('site')[0]['status'] == 'deleting'
    sim.clear_requests()
    again = converge(client, SITE, [{'domain': 'blog.example.com'}], parent, state='absent')
    assert again['changed'] is False
    assert requests_of(sim) == ['GET /servers/%s/sites' % server['id']]


# --- converge: check mode ---

def test_check_mode_predicts_a_creation_without_writing(sim, client):
    outcome = converge(client, SERVER, [web()], check_mode=True)
    assert outcome['changed'] is True
    assert outcome['objects'] == [{'id': None, 'name': 'web-1', 'provider': 'hetzner', 'region': 'fsn1', 'size': 'cx22'}]
    assert outcome['after'] == outcome['objects'] and outcome['before'] == []
    assert requests_of(sim) == ['GET /servers']
    assert sim.objects('server') == []


def test_check_mode_predicts_deletes_and_replacements_without_writing(sim, client):
    server = seed_server(sim, ssh_keys=[{'name': 'alice', 'public_key': ED25519_A}, {'name': 'bob'}],
                         crons=[{'command': 'backup.sh', 'frequency': '@daily'}])
    parent = {'server_id': server['id']}
    deleted = converge(client, SERVER, [{'name': 'web-1'}], state='absent', check_mode=True)
    replaced = converge(client, CRON, [{'command': 'backup.sh', 'frequency': '@hourly', 'user': 'fly'}], parent,
                        check_mode=True)
    pruned = converge(client, SSH_KEY, [{'name': 'alice', 'public_key': ED25519_A}], parent, exclusive=True,
                      check_mode=True)
    assert deleted['changed'] and replaced['changed'] and pruned['changed']
    assert replaced['after'][0]['frequency'] == '@hourly' and replaced['after'][0]['id'] is None
    assert [obj['name'] for obj in pruned['after']] == ['alice']
    assert writes(requests_of(sim)) == []
    assert len(sim.objects('server')) == 1 and len(sim.objects('ssh_key')) == 2
    assert sim.objects('cron')[0]['frequency'] == '@daily'


def test_check_mode_does_not_wait(sim, client):
    outcome = converge(client, SERVER, [web()], check_mode=True, wait=True)
    assert outcome['objects'][0]['id'] is None
    assert requests_of(sim) == ['GET /servers']


# --- converge: secrets, ambiguity, duplicates, given candidates ---

def test_a_secret_is_sent_but_never_returned_compared_or_shown(sim, client):
    server = seed_server(sim)
    parent = {'server_id': server['id']}
    item = {'domain': 'blog.example.com', 'php_version': '8.2', 'admin_user': 'editor', 'admin_password': PASSWORD}
    predicted = converge(client, SITE, [item], parent, check_mode=True)
    created = converge(client, SITE, [item], parent)
    kept = converge(client, SITE, [dict(item, php_version='8.1')], parent)
    for outcome in (predicted, created, kept):
        assert PASSWORD not in json.dumps(outcome)
        assert all('admin_password' not in obj for obj in outcome['objects'] + outcome['before'] + outcome['after'])
    assert created['changed'] is True and kept['changed'] is False
    assert 'php_version' in kept['warnings'][0] and 'admin_password' not in kept['warnings'][0]
    assert PASSWORD not in json.dumps(sim.requests())


def test_an_ambiguous_name_fails_asking_for_the_id_without_writing(sim, client):
    twins = sim.seed([{'name': 'twin'}, {'name': 'twin'}])
    for state in ('present', 'absent'):
        with pytest.raises(FlyWPError) as error:
            converge(client, SERVER, [{'name': 'twin'}], state=state)
        message = str(error.value)
        assert 'give the id' in message
        assert all(str(server['id']) in message for server in twins)
    assert writes(requests_of(sim)) == []
    assert len(sim.objects('server')) == 2


def test_an_item_asked_for_twice_fails_before_any_request(sim, client):
    with pytest.raises(FlyWPError, match='each must be listed once'):
        converge(client, SITE, [{'domain': 'a.example.com'}, {'domain': 'A.example.com'}], {'server_id': 1})
    assert requests_of(sim) == []


def test_given_candidates_are_matched_without_a_list(sim, client):
    server = seed_server(sim, region='fsn1')
    fetched = client.call(SERVER.endpoints.get, server_id=server['id'])
    sim.clear_requests()
    kept = converge(client, SERVER, [{'name': 'web-1', 'region': 'nbg1'}], existing=[fetched])
    assert kept['changed'] is False and len(kept['warnings']) == 1
    deleted = converge(client, SERVER, [{'name': 'web-1'}], state='absent', existing=[fetched])
    assert deleted['changed'] is True
    assert requests_of(sim) == ['DELETE /servers/%s' % server['id']]


def test_converge_accepts_string_ids_and_bare_json(sim, client):
    sim.configure(string_ids=True, bare_json=True, create_status=200, delete_status=204)
    created = converge(client, SERVER, [web()])
    assert isinstance(created['objects'][0]['id'], str)
    assert converge(client, SERVER, [web()])['changed'] is False
    assert converge(client, SERVER, [web()], state='absent')['changed'] is True
    assert sim.objects('server') == []


# --- find_by_id, find_by_key, read_current ---

def test_find_by_id_is_one_get_of_that_object(sim, client):
    server = seed_server(sim)
    found = find_by_id(client, SERVER, str(server['id']))
    assert found['name'] == 'web-1'
    assert requests_of(sim) == ['GET /servers/%s' % server['id']]


def test_find_by_id_of_a_missing_id_is_none(sim, client):
    assert find_by_id(client, SERVER, '404') is None
    assert requests_of(sim) == ['GET /servers/404']


def test_find_by_key_lists_and_matches(sim, client):
    seed_server(sim, name='web-1')
    second = seed_server(sim, name='web-2')
    assert find_by_key(client, SERVER, {'name': 'web-2'})['id'] == second['id']
    assert find_by_key(client, SERVER, {'name': ' web-2 '})['id'] == second['id']  # trimmed, as converge does
    assert find_by_key(client, SERVER, {'name': 'web-3'}) is None
    assert requests_of(sim) == ['GET /servers'] * 3


def test_find_by_key_of_a_name_of_digits_is_a_name(sim, client):
    seed_server(sim, name='web-1')
    named_2024 = seed_server(sim, name='2024')
    assert find_by_key(client, SERVER, {'name': '2024'})['id'] == named_2024['id']


def test_find_by_key_of_an_ambiguous_name_fails(sim, client):
    sim.seed([{'name': 'twin'}, {'name': 'twin'}])
    with pytest.raises(FlyWPError, match='give the id'):
        find_by_key(client, SERVER, {'name': 'twin'})


def test_find_by_key_with_a_key_of_two_fields_and_a_default(sim, client):
    server = seed_server(sim, crons=[{'command': 'wp cron event run', 'frequency': '@daily', 'user': 'fly'},
                                     {'command': 'wp cron event run', 'frequency': '@daily', 'user': 'root'}])
    parent = {'server_id': server['id']}
    assert find_by_key(client, CRON, {'command': 'wp cron event run', 'user': 'root'}, parent)['user'] == 'root'
    # A blank user is the API's default, fly, on both sides.
    assert find_by_key(client, CRON, {'command': ' wp cron event run ', 'user': ' '}, parent)['user'] == 'fly'


def test_a_key_field_the_api_leaves_out_is_its_default():
    assert CRON.key_of_object({'command': 'true'}) == CRON.key_of_item({'command': 'true', 'user': 'fly'})
    assert CRON.key_of_object({'command': 'true', 'user': '  '}) == CRON.key_of_item({'command': 'true', 'user': None})
    assert BACKUP.key_of_object({'type': None}) == BACKUP.key_of_item({'type': 'full'})
    assert SITE.key_of_object({'domain': 'Blog.Example.COM '}) == SITE.key_of_item({'domain': 'blog.example.com'})


def test_find_by_key_of_a_site_domain_ignores_case(sim, client):
    server = seed_server(sim, sites=[{'domain': 'blog.example.com'}])
    assert find_by_key(client, SITE, {'domain': 'Blog.Example.COM'}, {'server_id': server['id']})['id'] == server['sites'][0]['id']


def test_read_current_is_none_once_the_object_is_gone_or_going(sim, client):
    server = seed_server(sim, sites=[{'domain': 'a.example.com'}, {'domain': 'b.example.com'}])
    parent = {'server_id': server['id']}
    first, second = server['sites']
    assert read_current(client, SITE, first, parent)['domain'] == 'a.example.com'
    sim.configure(delays={'site_deleting': 30})
    client.call(SITE.endpoints.delete, server_id=server['id'], site_id=first['id'])
    sim.configure(delays={'site_deleting': 0})
    client.call(SITE.endpoints.delete, server_id=server['id'], site_id=second['id'])
    assert read_current(client, SITE, first, parent) is None  # deleting
    assert read_current(client, SITE, second, parent) is None  # 404


def test_read_current_without_a_get_endpoint_searches_the_list(sim, client):
    server = seed_server(sim, ssh_keys=[{'name': 'alice'}, {'name': 'bob'}])
    bob = server['ssh_keys'][1]
    parent = {'server_id': server['id']}
    assert read_current(client, SSH_KEY, bob, parent)['name'] == 'bob'
    assert read_current(client, SSH_KEY, {'id': 999}, parent) is None
    assert requests_of(sim) == ['GET /servers/%s/ssh-keys' % server['id']] * 2


# --- wait_until_ready ---

def test_wait_polls_a_new_server_until_ready(sim, client, fake):
    server = client.call(SERVER.endpoints.create, body={'name': 'web-1'})
    assert server['status'] == 'creating'
    sim.clear_requests()
    ready = wait_until_ready(client, SERVER, server, {}, timeout=30)
    assert ready['status'] == 'ready' and ready['ip_address']
    # Ready after 0.4 s: the first poll, after FIRST_POLL seconds, finds it so.
    assert requests_of(sim) == ['GET /servers/%s' % server['id']]
    assert fake.sleeps == [FIRST_POLL]


def test_wait_returns_at_once_when_already_ready(sim, client):
    server = seed_server(sim)
    assert wait_until_ready(client, SERVER, server, {}, timeout=30) is server
    assert requests_of(sim) == []


def test_wait_spaces_its_polls_out_and_times_out_with_the_object(sim, client, fake):
    server = seed_server(sim, status='provisioning')
    with pytest.raises(FlyWPError) as error:
        wait_until_ready(client, SERVER, server, {}, timeout=60)
    expected, interval = [], FIRST_POLL
    while sum(expected) + interval <= 60:
        expected.append(interval)
        interval = min(interval * POLL_GROWTH, LONGEST_POLL)
    assert fake.sleeps == pytest.approx(expected)
    assert max(fake.sleeps) == LONGEST_POLL
    assert len(requests_of(sim)) == len(expected) < 12
    assert "still 'provisioning' after wait_timeout (60 s)" in str(error.value)
    assert error.value.result['server']['id'] == server['id']


def test_a_long_wait_stays_well_inside_the_rate_limit(sim, client, fake):
    server = seed_server(sim, status='provisioning')
    with pytest.raises(FlyWPError):
        wait_until_ready(client, SERVER, server, {}, timeout=600)
    polls = len(requests_of(sim))
    assert polls == len(fake.sleeps)
    assert polls / (600 / 60.0) <= 5  # polls per minute, out of 60 requests a minute


def test_wait_fails_on_failed_with_the_object_in_the_result(sim, client):
    sim.configure(fail_next={'server': 1})
    with pytest.raises(FlyWPError) as error:
        converge(client, SERVER, [web()], wait=True, wait_timeout=30)
    assert 'ended in status failed' in str(error.value)
    assert error.value.result['server']['status'] == 'failed'
    assert error.value.result['server']['name'] == 'web-1'
    assert error.value.result['changed'] is True
    assert [entry.split(' ')[0] for entry in requests_of(sim)] == ['GET', 'POST', 'GET']


def test_wait_fails_when_the_object_disappears(sim, client):
    server = seed_server(sim, status='provisioning')

    def delete_then_sleep(seconds):
        client.call(SERVER.endpoints.delete, server_id=server['id'])

    client.sleep = delete_then_sleep
    with pytest.raises(FlyWPError, match='disappeared'):
        wait_until_ready(client, SERVER, server, {}, timeout=30)


def test_converge_waits_for_a_site_and_reports_it_active_in_the_diff(sim, client):
    server = seed_server(sim)
    parent = {'server_id': server['id']}
    outcome = converge(client, SITE, [{'domain': 'blog.example.com'}], parent, wait=True, wait_timeout=30)
    site, = outcome['objects']
    assert site['status'] == 'active'
    assert outcome['after'] == [site]
    path = '/servers/%s/sites' % server['id']
    assert requests_of(sim) == ['GET ' + path, 'POST ' + path, 'GET %s/%s' % (path, site['id'])]


def test_converge_without_wait_returns_the_object_as_created(sim, client):
    outcome = converge(client, SERVER, [web()], wait=False)
    assert outcome['objects'][0]['status'] == 'creating'
    assert requests_of(sim) == ['GET /servers', 'POST /servers']


def test_converge_waits_for_a_kept_object_that_is_not_ready_yet(sim, client):
    created = converge(client, SERVER, [web()])['objects'][0]
    sim.clear_requests()
    outcome = converge(client, SERVER, [web()], wait=True, wait_timeout=30)
    assert outcome['changed'] is False
    assert outcome['objects'][0]['status'] == 'ready'
    assert requests_of(sim) == ['GET /servers', 'GET /servers/%s' % created['id']]


def test_a_server_id_that_does_not_exist_fails_without_writing(sim, client):
    # converge leaves a missing parent to its caller (References.on_server tries the id as a name).
    for state in ('present', 'absent'):
        with pytest.raises(FlyWPAPIError) as raised:
            converge(client, CRON, [{'command': 'true', 'user': 'fly', 'frequency': '@daily'}], parent={'server_id': 999},
                     state=state)
        assert 'there is no FlyWP server with id 999' in str(raised.value)
        assert raised.value.is_missing(SERVER, 999)
    assert requests_of(sim) == ['GET /servers/999/crons'] * 2


def test_matching_many_items_builds_one_index(sim, client, monkeypatch):
    jobs = [{'command': 'job %d' % number, 'frequency': '@daily', 'user': 'fly'} for number in range(300)]
    server = seed_server(sim, crons=jobs)
    calls = []
    original = CRON.key_of_object
    monkeypatch.setattr(CRON, 'key_of_object', lambda obj: calls.append(1) or original(obj))
    outcome = converge(client, CRON, [dict(job) for job in jobs], parent={'server_id': server['id']})
    assert outcome['changed'] is False
    # Each listed job is keyed once for the index and once for the diff's scope: O(N), not O(N * N).
    assert len(calls) == 2 * len(jobs)
