# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The flywp.cloud.changes event source against the simulator, over real HTTP.

The source, the simulator and the clients that make the changes share one FakeClock: a
status changes, a poll interval passes, a rate-limit window ends, when a test says so, and
no test sleeps for real. The events go to a queue that records them; the requests are
counted in the simulator's log. Changes are made with a token of their own, so that they
spend nothing of the source's budget.
"""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys

import pytest

from ansible_collections.flywp.cloud.extensions.eda.plugins.event_source import changes
from ansible_collections.flywp.cloud.extensions.eda.plugins.event_source.changes import ChangesSource, SourceError
from ansible_collections.flywp.cloud.plugins.module_utils.client import FlyWPClient
from ansible_collections.flywp.cloud.plugins.module_utils.resource_types import BACKUP, SERVER, SITE
from ansible_collections.flywp.cloud.plugins.module_utils.errors import FlyWPAPIError
from ansible_collections.flywp.cloud.tests.unit.extensions.eda.harness import (
    ACTOR_TOKEN, CLOCK, RecordingQueue, actor, fail_the_sites_of, fake_sleep, poll, poll_events, source)
from ansible_collections.flywp.cloud.tests.unit.fault_proxy import redirecting

SOURCE_FILE = os.path.abspath(changes.__file__)


@pytest.fixture(scope='module')
def simulator_options():
    return {'clock': CLOCK.time}


@pytest.fixture(autouse=True)
def fresh(sim):
    sim.reset()
    # The simulator's own pace: a server is creating 1 s, then provisioning 2 s; a site
    # creating 1 s; a backup pending 0.5 s, then running 1 s.
    sim.add_token(ACTOR_TOKEN)
    CLOCK.advance(3600)  # past every rate-limit window of an earlier test
    yield


class Stop(Exception):
    """Ends a test's run() after the rounds it wants."""


def source_requests(sim):
    """(method, path) of the requests the source sent (the actor's are not logged apart, so
    tests read the log before or after the actor's own requests)."""
    return [(entry['method'], entry['path']) for entry in sim.requests()]


def run_rounds(watcher, rounds):
    """run() until it has slept `rounds` times; the sleeps it asked for."""
    asked = []

    async def sleep(seconds):
        asked.append(seconds)
        if len(asked) > rounds:
            raise Stop()
        await fake_sleep(seconds)

    watcher.sleep = sleep
    watcher.pacer._sleep = sleep  # pylint: disable=protected-access
    with pytest.raises(Stop):
        asyncio.run(watcher.run())
    return asked[:-1]


# --- servers: the baseline, then added, updated and removed, each once ---

def test_the_first_poll_is_a_baseline_then_each_change_is_one_event(sim):
    first = sim.seed([{'name': 'web-1'}, {'name': 'web-2'}])[0]
    watcher = source(sim)
    assert poll(watcher) == []
    assert source_requests(sim) == [('GET', '/servers')]

    created = actor(sim).call(SERVER.endpoints.create, body={'name': 'web-3', 'provider': 'hetzner'})
    events = poll_events(watcher)
    assert len(events) == 1
    flywp = events[0]['flywp']
    assert (flywp['kind'], flywp['change'], flywp['id'], flywp['name']) == ('server', 'added', created['id'], 'web-3')
    assert flywp['before'] is None and flywp['after']['status'] == 'creating' and flywp['changed'] == {}
    assert events[0]['meta'] == {'hosts': 'web-3'}
    assert poll(watcher) == []  # nothing twice

    CLOCK.advance(1.5)
    events = poll_events(watcher)
    assert [e['flywp']['change'] for e in events] == ['updated']
    assert events[0]['flywp']['changed']['status'] == ['creating', 'provisioning']
    assert events[0]['flywp']['changed']['ip_address'][0] is None
    assert set(events[0]['flywp']['changed']) == {'status', 'ip_address'}

    CLOCK.advance(2)
    events = poll_events(watcher)
    assert [(e['flywp']['name'], e['flywp']['changed']) for e in events] == [('web-3', {'status': ['provisioning', 'ready']})]
    assert events[0]['flywp']['before']['status'] == 'provisioning' and events[0]['flywp']['after']['status'] == 'ready'
    assert poll(watcher) == []

    actor(sim).call(SERVER.endpoints.delete, server_id=first['id'])
    events = poll_events(watcher)
    assert [(e['flywp']['kind'], e['flywp']['change'], e['flywp']['name']) for e in events] == [('server', 'removed', 'web-1')]
    assert events[0]['flywp']['after'] is None and events[0]['flywp']['before']['name'] == 'web-1'
    # The inventory no longer has the server: what reacts to it runs on localhost.
    assert events[0]['meta'] == {'hosts': 'localhost'}
    assert poll(watcher) == []


def test_emit_existing_reports_everything_at_the_first_poll(sim):
    sim.seed([{'name': 'web-1', 'sites': [{'domain': 'example.com'}]}, {'name': 'web-2'}])
    watcher = source(sim, kinds=['server', 'site'], emit_existing=True)
    assert poll(watcher) == [('server', 'added', 'web-1'), ('server', 'added', 'web-2'), ('site', 'added', 'example.com')]
    assert poll(watcher) == []


def test_what_a_rule_does_to_an_event_never_changes_what_was_seen(sim):
    sim.seed([{'name': 'web-1'}])
    watcher = source(sim, emit_existing=True)
    event = poll_events(watcher)[0]
    event['flywp']['after']['name'] = 'changed by a rule'
    assert poll(watcher) == []


# --- sites and backups ---

def test_sites_added_updated_removed_with_their_server(sim):
    server, other = sim.seed([{'name': 'web-1', 'sites': [{'domain': 'example.com'}]}, {'name': 'web-2'}])
    watcher = source(sim, kinds=['server', 'site'])
    assert poll(watcher) == []
    assert source_requests(sim) == [('GET', '/servers'), ('GET', '/servers/%s/sites' % server['id']),
                                    ('GET', '/servers/%s/sites' % other['id'])]

    site = actor(sim).call(SITE.endpoints.create, server_id=server['id'], body={'domain': 'blog.example.com'})
    events = poll_events(watcher)
    assert len(events) == 1
    flywp = events[0]['flywp']
    assert (flywp['kind'], flywp['change'], flywp['name'], flywp['id']) == ('site', 'added', 'blog.example.com', site['id'])
    assert flywp['server'] == {'id': server['id'], 'name': 'web-1'}
    assert events[0]['meta'] == {'hosts': 'web-1'}

    CLOCK.advance(1.5)
    events = poll_events(watcher)
    assert [(e['flywp']['name'], e['flywp']['changed']) for e in events] == [('blog.example.com', {'status': ['creating', 'active']})]

    actor(sim).call(SITE.endpoints.delete, server_id=server['id'], site_id=site['id'])
    assert poll(watcher) == [('site', 'removed', 'blog.example.com')]

    # A removed server takes its sites with it: both are reported, on localhost.
    actor(sim).call(SERVER.endpoints.delete, server_id=server['id'])
    events = poll_events(watcher)
    assert [(e['flywp']['kind'], e['flywp']['change'], e['flywp']['name'], e['meta']['hosts']) for e in events] == [
        ('server', 'removed', 'web-1', 'localhost'), ('site', 'removed', 'example.com', 'localhost')]
    assert events[1]['flywp']['server'] == {'id': server['id'], 'name': 'web-1'}
    assert poll(watcher) == []


def test_a_new_servers_sites_are_new(sim):
    watcher = source(sim, kinds=['site'])
    assert poll(watcher) == []
    created = actor(sim).call(SERVER.endpoints.create, body={'name': 'web-1'})
    assert poll(watcher) == []  # kinds has no server: no server event
    CLOCK.advance(3)
    actor(sim).call(SITE.endpoints.create, server_id=created['id'], body={'domain': 'example.com'})
    assert poll(watcher) == [('site', 'added', 'example.com')]


def test_backups_of_the_named_sites_a_failed_one_included(sim):
    server = sim.seed([{'name': 'web-1', 'sites': [{'domain': 'blog.example.com', 'backups': [{'type': 'full'}]},
                                                   {'domain': 'shop.example.com', 'backups': [{'type': 'full'}]}]}])[0]
    blog, shop = server['sites']
    watcher = source(sim, kinds=['backup'], sites=['BLOG.example.com'])
    assert poll(watcher) == []
    assert source_requests(sim) == [('GET', '/servers'), ('GET', '/servers/%s/sites' % server['id']),
                                    ('GET', '/sites/%s/backups' % blog['id'])]

    sim.configure(fail_next={'backup': 1})
    backup = actor(sim).call(BACKUP.endpoints.create, site_id=blog['id'], body={'type': 'database'})
    actor(sim).call(BACKUP.endpoints.create, site_id=shop['id'], body={})
    sim.clear_requests()
    events = poll_events(watcher)
    assert [(e['flywp']['kind'], e['flywp']['change'], e['flywp']['id']) for e in events] == [('backup', 'added', backup['id'])]
    flywp = events[0]['flywp']
    assert flywp['name'] == 'database' and flywp['after']['status'] == 'pending'
    assert flywp['server'] == {'id': server['id'], 'name': 'web-1'}
    assert flywp['site'] == {'id': blog['id'], 'domain': 'blog.example.com'}
    assert events[0]['meta'] == {'hosts': 'web-1'}
    assert ('GET', '/sites/%s/backups' % shop['id']) not in source_requests(sim)  # not named in sites: never asked

    CLOCK.advance(0.6)
    assert [e['flywp']['changed'] for e in poll_events(watcher)] == [{'status': ['pending', 'running']}]
    CLOCK.advance(1)
    events = poll_events(watcher)
    assert [e['flywp']['changed'] for e in events] == [{'status': ['running', 'failed']}]
    assert poll(watcher) == []


def test_a_removed_site_takes_its_backups_with_it(sim):
    server = sim.seed([{'name': 'web-1', 'sites': [{'domain': 'example.com', 'backups': [{'type': 'full'}, {'type': 'files'}]}]}])[0]
    watcher = source(sim, kinds=['site', 'backup'], sites=['*'])
    assert poll(watcher) == []
    actor(sim).call(SITE.endpoints.delete, server_id=server['id'], site_id=server['sites'][0]['id'])
    assert poll(watcher) == [('site', 'removed', 'example.com'), ('backup', 'removed', 'full'), ('backup', 'removed', 'files')]


def test_servers_and_sites_limit_what_is_watched(sim):
    web_1, _db_1, web_2 = sim.seed([{'name': 'web-1', 'sites': [{'domain': 'a.example.com'}, {'domain': 'b.example.org'}]},
                                    {'name': 'db-1'}, {'name': 'web-2'}])
    watcher = source(sim, kinds=['server', 'site'], servers=['web-*', 'NOPE'], sites=['*.example.com'])
    assert poll(watcher) == []
    assert source_requests(sim) == [('GET', '/servers'), ('GET', '/servers/%s/sites' % web_1['id']),
                                    ('GET', '/servers/%s/sites' % web_2['id'])]
    client = actor(sim)
    client.call(SERVER.endpoints.create, body={'name': 'db-2'})
    client.call(SERVER.endpoints.create, body={'name': 'web-3'})
    client.call(SITE.endpoints.create, server_id=web_1['id'], body={'domain': 'c.example.com'})
    client.call(SITE.endpoints.create, server_id=web_1['id'], body={'domain': 'c.example.org'})
    assert poll(watcher) == [('server', 'added', 'web-3'), ('site', 'added', 'c.example.com')]


def test_a_server_is_named_by_its_id_too(sim):
    second = sim.seed([{'name': 'web-1'}, {'name': 'web-2'}])[1]
    watcher = source(sim, servers=[int(second['id'])], emit_existing=True)
    assert poll(watcher) == [('server', 'added', 'web-2')]


def test_secret_fields_never_reach_an_event(sim):
    sim.configure(extra_fields=True)
    sim.seed([{'name': 'web-1', 'sites': [{'domain': 'example.com'}]}])
    watcher = source(sim, kinds=['server', 'site'], emit_existing=True)
    events = poll_events(watcher)
    text = repr(events)
    assert len(events) == 2 and 'password' not in text and 'secret' not in text


def test_ids_as_numeric_strings(sim):
    sim.configure(string_ids=True)
    server = sim.seed([{'name': 'web-1', 'sites': [{'domain': 'example.com'}]}])[0]
    watcher = source(sim, kinds=['server', 'site', 'backup'], sites=['*'])
    assert poll(watcher) == []
    actor(sim).call(BACKUP.endpoints.create, site_id=server['sites'][0]['id'], body={})
    events = poll_events(watcher)
    assert [(e['flywp']['kind'], e['flywp']['change']) for e in events] == [('backup', 'added')]
    assert events[0]['flywp']['site']['id'] == str(server['sites'][0]['id']) and isinstance(events[0]['flywp']['id'], str)


# --- a failed poll loses nothing and repeats nothing ---

def test_a_failed_poll_in_between_loses_and_repeats_nothing(sim):
    server = sim.seed([{'name': 'web-1', 'sites': [{'domain': 'example.com'}]}])[0]
    watcher = source(sim, kinds=['server', 'site'])
    assert poll(watcher) == []
    client = actor(sim)
    client.call(SERVER.endpoints.create, body={'name': 'web-2'})
    sim.queue_fault(count=4, status=503)  # the first try and the client's three retries
    with pytest.raises(FlyWPAPIError):
        poll(watcher)
    assert watcher.queue.take() == []
    client.call(SITE.endpoints.create, server_id=server['id'], body={'domain': 'blog.example.com'})
    assert poll(watcher) == [('server', 'added', 'web-2'), ('site', 'added', 'blog.example.com')]
    assert poll(watcher) == []


def test_a_poll_that_fails_half_way_keeps_what_came_before_the_failure(sim):
    sim.configure(delays={'server_creating': 1000, 'site_creating': 1000})  # no status changes meanwhile
    first, second = sim.seed([{'name': 'web-1', 'sites': [{'domain': 'example.com'}]}, {'name': 'web-2'}])
    watcher = source(sim, kinds=['server', 'site'])
    assert poll(watcher) == []
    client = actor(sim)
    client.call(SERVER.endpoints.create, body={'name': 'web-3'})
    client.call(SITE.endpoints.create, server_id=first['id'], body={'domain': 'blog.example.com'})
    client.call(SITE.endpoints.create, server_id=second['id'], body={'domain': 'shop.example.com'})
    put_right = fail_the_sites_of(sim, watcher, second['id'])
    with pytest.raises(FlyWPAPIError):
        poll(watcher)
    # What the poll saw before the failure is reported, and only that.
    assert [(e['flywp']['kind'], e['flywp']['name']) for e in watcher.queue.take()] == [
        ('server', 'web-3'), ('site', 'blog.example.com')]
    put_right()
    assert poll(watcher) == [('site', 'added', 'shop.example.com')]
    assert poll(watcher) == []


def test_a_failed_poll_is_logged_and_the_next_round_comes_at_the_interval(sim, caplog):
    sim.seed([{'name': 'web-1'}])
    watcher = source(sim, interval=30)
    starts, polling = [], watcher.poll

    async def poll_noting_the_time():
        starts.append(CLOCK.time())
        await polling()

    watcher.poll = poll_noting_the_time
    sim.queue_fault(count=4, status=503)  # the first round fails, after the client's three retries
    with caplog.at_level(logging.WARNING, logger='flywp.cloud.changes'):
        run_rounds(watcher, 3)
    assert [later - earlier for earlier, later in zip(starts, starts[1:])] == [30, 30, 30]
    assert 'A poll failed, and is tried again in ' in caplog.text and 'answered 503 to GET /servers' in caplog.text
    assert watcher.queue.events == [] and watcher.polls == 3


def test_an_api_that_cannot_be_reached_is_tried_again_with_back_off(caplog):
    args = {'api_url': 'http://127.0.0.1:9/api/v1', 'api_token': 'a-token', 'interval': 100}
    watcher = ChangesSource.from_args(RecordingQueue(), args, clock=CLOCK.time, sleep=fake_sleep, client_sleep=CLOCK.sleep)
    with caplog.at_level(logging.WARNING, logger='flywp.cloud.changes'):
        asked = run_rounds(watcher, 6)
    assert asked == [100, 200, 400, 600, 600, 600]
    assert 'Could not reach the FlyWP API' in caplog.text


def test_a_429_is_logged_never_an_event_and_the_source_goes_on(sim, caplog):
    sim.configure(rate_limit=3)
    server = sim.seed([{'name': 'web-1'}])[0]
    watcher = source(sim, interval=20)
    # Another controller (a state of its own) spends the token's window: the source meets a 429.
    other = FlyWPClient(sim.token, url=sim.api_url, clock=CLOCK.time, sleep=CLOCK.sleep, state_dir='')
    for _request in range(3):
        other.call(SERVER.endpoints.get, server_id=server['id'])
    with caplog.at_level(logging.WARNING, logger='flywp.cloud.changes'):
        asked = run_rounds(watcher, 5)
    assert 'rate limit (3 requests a minute per token)' in caplog.text
    assert watcher.queue.events == [] and watcher.polls >= 1
    statuses = [entry['status'] for entry in sim.requests() if entry['path'] == '/servers']
    assert statuses[0] == 429 and 200 in statuses
    assert len(asked) == 5


def test_the_source_never_sends_into_a_window_its_budget_knows_is_used_up(sim):
    sim.configure(rate_limit=5)
    server = sim.seed([{'name': 'web-1'}])[0]
    # A playbook on this controller (the same state) spends the window and learns its end from a 429.
    playbook = FlyWPClient(sim.token, url=sim.api_url, clock=CLOCK.time, sleep=CLOCK.sleep)
    for _request in range(5):
        playbook.call(SERVER.endpoints.get, server_id=server['id'])
    before = CLOCK.time()
    playbook.call(SERVER.endpoints.get, server_id=server['id'])  # waits for the next window, after one 429
    assert CLOCK.time() > before
    for _request in range(4):
        playbook.call(SERVER.endpoints.get, server_id=server['id'])
    watcher = source(sim, interval=10)
    sim.clear_requests()
    with pytest.raises(FlyWPAPIError) as failure:
        poll(watcher)
    assert failure.value.status == 429 and 'rate limit' in str(failure.value)
    assert sim.requests() == []  # it did not send: the playbook's window is left alone


# --- what stops the source ---

@pytest.mark.parametrize('args, words', [
    ({'intervall': 5}, 'no argument intervall (did you mean interval?)'),
    ({'interval': 0}, 'interval must be a number of seconds from 1 to 86400, not 0'),
    ({'interval': 'soon'}, "interval must be a number of seconds from 1 to 86400, not 'soon'"),
    ({'interval': True}, 'interval must be'),
    ({'api_timeout': 2.5}, 'api_timeout must be a whole number of seconds'),
    ({'kinds': ['servers']}, "kinds must list some of server, site, backup, not ['servers']"),
    ({'kinds': []}, 'kinds must list some of'),
    ({'kinds': ['backup']}, 'sites must name the sites whose backups to watch'),
    ({'max_share': 0}, 'max_share must be a number more than 0 and at most 1'),
    ({'max_share': 1.5}, 'max_share must be'),
    ({'max_share': 'half'}, 'max_share must be'),
    ({'emit_existing': 'maybe'}, "emit_existing must be true or false, not 'maybe'"),
    ({'servers': [{'name': 'web-1'}]}, 'servers must be a list of names or ids'),
    ({'sites': ['']}, 'sites holds an empty name'),
    ({'api_url': 'ftp://example.com/api/v1'}, 'is not an http(s) URL'),
    ({'api_url': 'http://api.example.com/api/v1'}, 'Refusing to send the FlyWP API token over plain http://'),
    ({'api_token': ''}, 'No FlyWP API token'),
    ({'api_token': 12}, 'api_token must be text, not int'),
])
def test_a_bad_argument_stops_the_source_at_once_with_a_sentence(sim, monkeypatch, args, words):
    monkeypatch.delenv('FLYWP_API_TOKEN', raising=False)
    args = dict({'api_url': sim.api_url, 'api_token': sim.token}, **args)
    with pytest.raises(SourceError) as failure:
        asyncio.run(changes.main(RecordingQueue(), args))
    assert words in str(failure.value)
    assert str(failure.value).startswith('flywp.cloud.changes')
    # ansible-rulebook prints each frame of a failed source's traceback: this one shows none.
    assert failure.value.__traceback__ is None
    assert sim.requests() == []


def test_arguments_come_from_the_environment_and_rulebook_strings(sim, monkeypatch):
    monkeypatch.setenv('FLYWP_API_URL', sim.api_url)
    monkeypatch.setenv('FLYWP_API_TOKEN', sim.token)
    watcher = ChangesSource.from_args(RecordingQueue(), {'interval': '90', 'emit_existing': 'true', 'kinds': 'site',
                                                         'eda_feedback_queue': object()}, clock=CLOCK.time)
    settings = watcher.settings
    assert (settings.api_url, settings.interval, settings.emit_existing, settings.kinds) == (sim.api_url, 90.0, True, ('site',))
    assert (settings.max_share, settings.servers, settings.sites, settings.api_timeout) == (0.25, (), (), 30)


def test_a_token_the_api_refuses_at_the_first_poll_stops_the_source(sim):
    watcher = source(sim, api_token='not-a-token')
    with pytest.raises(SourceError) as failure:
        asyncio.run(watcher.run())
    assert '401' in str(failure.value) and 'not-a-token' not in str(failure.value)


def test_an_api_url_without_the_flywp_api_stops_the_source(sim):
    watcher = source(sim, api_url=sim.api_url.replace('/api/v1', '/api/v9'))
    with pytest.raises(SourceError) as failure:
        asyncio.run(watcher.run())
    assert '404' in str(failure.value)


@pytest.mark.parametrize('status', [301, 302, 307, 308])
def test_a_poll_answered_with_a_redirect_fails_and_reaches_nothing_else(sim, status):
    with redirecting(status, '/servers') as (api, elsewhere, _location):
        watcher = source(sim, api_url=api.url)
        with pytest.raises(FlyWPAPIError) as failure:
            asyncio.run(watcher.poll())
        assert [method for method, _path in api.seen] == ['GET'] and elsewhere.seen == []
    assert failure.value.status == status and 'never follows' in str(failure.value)
    assert sim.token not in str(failure.value)


def test_a_token_refused_after_good_polls_is_logged_and_tried_again(sim, caplog):
    sim.seed([{'name': 'web-1'}])
    watcher = source(sim, api_token=ACTOR_TOKEN)
    assert poll(watcher) == []
    sim.reset()  # the actor's token is forgotten
    with caplog.at_level(logging.WARNING, logger='flywp.cloud.changes'):
        asked = run_rounds(watcher, 2)
    assert asked == [60, 60] and '401' in caplog.text


# --- how ansible-rulebook loads it ---

def test_ansible_rulebook_can_load_it_without_the_collection_loader(tmp_path):
    """ansible-rulebook runs the file with runpy.run_path, in a process where nothing made
    ansible_collections importable: the source finds its module_utils by its own path."""
    installed = SOURCE_FILE  # inside ansible_collections/flywp/cloud/, as an installed collection is
    assert os.sep.join(['ansible_collections', 'flywp', 'cloud', 'extensions']) in installed
    script = ('import asyncio, runpy, sys\n'
              'module = runpy.run_path(sys.argv[1])\n'
              'assert asyncio.iscoroutinefunction(module["main"])\n'
              'print(module["FlyWPClient"].__module__)\n')
    env = dict((key, value) for key, value in os.environ.items() if key not in ('PYTHONPATH', 'ANSIBLE_COLLECTIONS_PATH'))
    done = subprocess.run([sys.executable, '-I', '-c', script, installed], cwd=str(tmp_path), env=env,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == 'ansible_collections.flywp.cloud.plugins.module_utils.client'
