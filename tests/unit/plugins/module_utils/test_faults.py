# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fault suite: real module runs against the simulator, with faults in between.

Odd answer shapes, 5xx and dropped connections, answers lost after the API acted, 429
storms, hanging and trickling answers. The simulator makes the faults of its contract;
FaultProxy (tests/unit/fault_proxy.py) the others. Each case asserts what the simulator's
request log shows (requests by method) and what the user sees: a sentence, no traceback,
`changed` true exactly when something was or may have been made. A POST is never sent
twice, and a rerun adopts what a failed run made.

Module clients run on the fake clock (backoff and rate-limit waits are measured, not
spent); the only real waits are the sockets' own, under a second each.
"""

from __future__ import annotations

import collections
import functools
import json

import pytest

from ansible_collections.flywp.cloud.plugins.module_utils import module as module_utils
from ansible_collections.flywp.cloud.plugins.module_utils import results
from ansible_collections.flywp.cloud.plugins.module_utils.client import RATE_LIMIT_FLOOR, RATE_LIMIT_RETRIES, FlyWPClient
from ansible_collections.flywp.cloud.tests.unit.fake_clock import FakeClock
from ansible_collections.flywp.cloud.tests.unit.fault_proxy import FaultProxy
from ansible_collections.flywp.cloud.tests.unit.module_runner import run_module

CLOCK = FakeClock()
KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGmv4CuxY0hNe1FAI4xqv5TSUiwFQFMr6BBS6cVTWP/t a@laptop'
NO_DELAYS = {'server_creating': 0, 'server_provisioning': 0, 'site_creating': 0, 'backup_pending': 0, 'backup_running': 0}
SOCKET_TIMEOUT = 0.4  # seconds; the deadline of a request is twice this


@pytest.fixture(scope='module')
def simulator_options():
    return {'clock': CLOCK.time, 'delays': NO_DELAYS}


@pytest.fixture(scope='module')
def proxy(sim):
    with FaultProxy(sim.api_url) as running:
        yield running


@pytest.fixture(autouse=True)
def fleet(sim, proxy, monkeypatch):
    """web-1 with the site blog.example.com; module clients on the fake clock."""
    sim.reset()
    proxy.clear()
    monkeypatch.setattr(module_utils, 'FlyWPClient', functools.partial(FlyWPClient, clock=CLOCK.time, sleep=CLOCK.sleep))
    server = sim.seed([{'name': 'web-1', 'sites': [{'domain': 'blog.example.com'}]}])[0]
    sim.clear_requests()
    return server


@pytest.fixture
def short_socket_waits(monkeypatch):
    """api_timeout is a whole number of seconds in a module; these tests make it SOCKET_TIMEOUT."""
    def client(*args, **kwargs):
        return FlyWPClient(*args, **dict(kwargs, timeout=SOCKET_TIMEOUT, clock=CLOCK.time, sleep=CLOCK.sleep))
    monkeypatch.setattr(module_utils, 'FlyWPClient', client)


def through(url, **args):
    return dict(args, api_url=url, api_token='flywp-demo-token')


def counts(sim):
    """The requests the simulator saw, by method; the log is cleared."""
    seen = collections.Counter(entry['method'] for entry in sim.requests())
    sim.clear_requests()
    return dict(seen)


def failed_cleanly(result, *fragments):
    """The user sees a failure in a sentence: no traceback, no token."""
    text = json.dumps(result)
    assert result.get('failed') is True, result
    assert 'Traceback' not in text and 'flywp-demo-token' not in text
    for fragment in fragments:
        assert fragment in result['msg'], result['msg']
    return result


# What each state module makes, and where its create request goes; {server} and {site}
# stand for the ids of the fleet's server and site (on()).
CREATES = {
    'server': ({'name': 'web-2'}, '/servers', 'server', 'name', 'web-2'),
    'site': ({'server': '{server}', 'domain': 'new.example.com'}, '/servers/{server}/sites', 'site', 'domain', 'new.example.com'),
    'ssh_key': ({'server': '{server}', 'name': 'deploy', 'public_key': KEY}, '/servers/{server}/ssh-keys', 'ssh_key', 'name',
                'deploy'),
    'cron': ({'server': '{server}', 'command': 'wp cron event run', 'frequency': '@daily'}, '/servers/{server}/crons', 'cron',
             'command', 'wp cron event run'),
    'backup': ({'site': '{site}', 'max_age': '1d'}, '/sites/{site}/backups', 'backup', 'type', 'full'),
}
CRONS = '/servers/{server}/crons'


def on(fleet, value):
    """A string, or a dict of strings, with {server} and {site} made the ids of the fleet's server and site."""
    ids = {'server': fleet['id'], 'site': fleet['sites'][0]['id']}
    if isinstance(value, dict):
        return {key: on(fleet, item) if isinstance(item, str) else item for key, item in value.items()}
    return value.format(**ids)


def made(sim, name):
    _args, _path, kind, field, value = CREATES[name]
    return [obj for obj in sim.objects(kind) if obj.get(field) == value]


def rerun_adopts(sim, url, name, fleet):
    """The run after a failed create finds what it made: no POST, no change, one object."""
    again = run_module(name, through(url, **on(fleet, CREATES[name][0])))
    assert not again.get('failed'), again
    assert again['changed'] is False
    assert 'POST' not in counts(sim)
    assert len(made(sim, name)) == 1


# --- answers the client does not expect ---

@pytest.mark.parametrize('answer, what', [
    (['a', 'b'], 'with a list whose item 1 is a string'),
    ('ok', 'with a string where a list of cron jobs was expected'),
    ({'data': {'command': 'x'}}, 'with an object without an id (fields: data) where a list'),
    ({'data': [{'command': 'x', 'user': 'fly'}]}, 'with a list whose item 1 is an object without an id (fields: command, user)'),
    ([{'id': {'n': 1}}], 'with a list whose item 1 is an object whose id is an object'),
    (b'', 'with an empty body where a list of cron jobs was expected'),
    (None, 'with an empty body where a list of cron jobs was expected'),
])
def test_a_list_of_another_shape_is_named(sim, proxy, fleet, answer, what):
    proxy.add('transform', path=on(fleet, CRONS), change=lambda payload: answer)
    result = run_module('cron_info', through(proxy.url, server=str(fleet['id'])))
    failed_cleanly(result, 'The FlyWP API answered GET %s %s' % (on(fleet, CRONS), what))
    assert result['changed'] is False
    assert counts(sim) == {'GET': 1}


@pytest.mark.parametrize('answer, what', [
    ([{'id': 1}], 'a list of 1 objects'),
    ('web-1', 'a string'),
    (b'', 'an empty body'),
    ({'data': None}, 'an object without an id (fields: data)'),
    ({'id': True, 'name': 'web-1'}, 'an object whose id is a boolean'),
    ({'id': '  ', 'name': 'web-1'}, 'an object whose id is an empty string'),
])
def test_an_object_of_another_shape_is_named(sim, proxy, fleet, answer, what):
    proxy.add('transform', path='/servers/%s' % fleet['id'], methods=['GET'], change=lambda payload: answer)
    result = run_module('server', through(proxy.url, id=str(fleet['id'])))
    failed_cleanly(result, 'The FlyWP API answered GET /servers/%s with %s where a server object with an id was '
                           'expected.' % (fleet['id'], what))
    assert result['changed'] is False
    assert counts(sim) == {'GET': 1}


@pytest.mark.parametrize('answer', [['created'], b'', {'message': 'Created.'}])
@pytest.mark.parametrize('name', sorted(CREATES))
def test_an_odd_answer_to_a_create_that_went_through_is_a_change_and_the_rerun_adopts_it(sim, proxy, fleet, name, answer):
    args, path = on(fleet, CREATES[name][0]), on(fleet, CREATES[name][1])
    proxy.add('transform', path=path, methods=['POST'], change=lambda payload: answer)
    result = run_module(name, through(proxy.url, **args))
    failed_cleanly(result, 'The FlyWP API answered POST %s with ' % path, 'FlyWP has probably carried out the request')
    assert result['changed'] is True
    assert counts(sim).get('POST') == 1
    assert len(made(sim, name)) == 1
    rerun_adopts(sim, proxy.url, name, fleet)


def test_any_other_exception_is_a_bug_report_with_its_traceback(sim, fleet, monkeypatch):
    def broken(*_args, **_kwargs):
        raise KeyError('fields')
    monkeypatch.setattr(results, 'converge', broken)
    _enable_module_tracebacks(monkeypatch)
    result = run_module('cron', through(sim.api_url, **on(fleet, CREATES['cron'][0])))
    assert result['failed'] is True and result['changed'] is False
    assert result['msg'].startswith("Unexpected KeyError in the flywp.cloud collection: 'fields'. This is a bug in the "
                                    "collection")
    assert 'Traceback (most recent call last)' in result['exception'] and 'broken' in result['exception']
    assert counts(sim) == {}  # the server was given by id: nothing was read before the failure


def test_a_bug_after_a_write_still_reports_the_change(sim, fleet, monkeypatch):
    def broken(objects):
        raise TypeError('cannot show %d objects' % len(objects))
    monkeypatch.setattr(results, '_first', broken)
    result = run_module('cron', through(sim.api_url, **on(fleet, CREATES['cron'][0])))
    assert result['failed'] is True and result['changed'] is True
    assert 'Unexpected TypeError' in result['msg'] and 'bug in the collection' in result['msg']
    assert counts(sim) == {'GET': 1, 'POST': 1}


def _enable_module_tracebacks(monkeypatch):
    """ansible-core 2.19 and later include `exception` only when tracebacks are asked for
    (ANSIBLE_DISPLAY_TRACEBACK on the controller, which this process also is)."""
    try:
        from ansible.module_utils._internal import _traceback  # pylint: disable=import-outside-toplevel
    except ImportError:  # 2.18 always includes it
        return
    monkeypatch.setattr(_traceback, '_is_traceback_enabled', lambda event: True)


# --- 5xx and dropped connections: a GET is tried again, a POST never ---

@pytest.mark.parametrize('fault, seen', [
    ({'count': 2, 'status': 503}, [503, 503, 200]),
    ({'count': 1, 'status': 502}, [502, 200]),
    ({'count': 1, 'drop': True}, [0, 200]),
])
def test_a_get_recovers_from_5xx_and_dropped_connections(sim, fleet, fault, seen):
    sim.queue_fault(methods=['GET'], **fault)
    result = run_module('cron_info', through(sim.api_url, server=str(fleet['id'])))
    assert not result.get('failed') and result['crons'] == []
    assert [entry['status'] for entry in sim.requests()] == seen


@pytest.mark.parametrize('fault, changed, message', [
    # The simulator's faults come before it acts; the client cannot know, and says what it knows.
    ({'status': 503}, False, 'the FlyWP service failed. Try again later.'),
    ({'status': 500}, False, 'the FlyWP service failed. Try again later.'),
    ({'status': 502}, True, 'FlyWP may have carried out the request before its answer was lost'),
    ({'status': 504}, True, 'FlyWP may have carried out the request before its answer was lost'),
    ({'drop': True}, True, 'FlyWP may have carried out the request before its answer was lost'),
])
def test_a_post_is_never_sent_twice_and_the_rerun_makes_it_once(sim, fleet, fault, changed, message):
    sim.queue_fault(count=1, methods=['POST'], **fault)
    result = run_module('cron', through(sim.api_url, **on(fleet, CREATES['cron'][0])))
    failed_cleanly(result, message)
    assert result['changed'] is changed
    assert counts(sim) == {'GET': 1, 'POST': 1}
    again = run_module('cron', through(sim.api_url, **on(fleet, CREATES['cron'][0])))
    assert again['changed'] is True and not again.get('failed')
    assert counts(sim) == {'GET': 1, 'POST': 1}
    assert len(made(sim, 'cron')) == 1


@pytest.mark.parametrize('name', sorted(CREATES))
def test_a_post_whose_answer_is_lost_after_the_api_acted(sim, proxy, fleet, name):
    args, path = on(fleet, CREATES[name][0]), on(fleet, CREATES[name][1])
    proxy.add('lose', path=path, methods=['POST'])
    result = run_module(name, through(proxy.url, **args))
    failed_cleanly(result, 'Could not reach the FlyWP API for POST %s' % path, 'FlyWP may have carried out the request')
    assert result['changed'] is True
    assert counts(sim).get('POST') == 1  # the API made it, once
    assert len(made(sim, name)) == 1
    rerun_adopts(sim, proxy.url, name, fleet)


# --- time: hanging and trickling answers, 429 storms ---

def test_a_hanging_get_is_tried_again(sim, proxy, fleet, short_socket_waits):
    proxy.add('hang', path=on(fleet, CRONS), seconds=SOCKET_TIMEOUT * 2)
    result = run_module('cron_info', through(proxy.url, server=str(fleet['id'])))
    assert not result.get('failed') and result['crons'] == []
    assert proxy.seen == [('GET', on(fleet, CRONS))] * 2
    assert counts(sim) == {'GET': 1}  # the hanging one never reached the API


def test_a_hanging_post_is_not_sent_again(sim, proxy, fleet, short_socket_waits):
    proxy.add('hang', path=on(fleet, CRONS), methods=['POST'], forward=True, seconds=SOCKET_TIMEOUT * 2)
    result = run_module('cron', through(proxy.url, **on(fleet, CREATES['cron'][0])))
    failed_cleanly(result, 'no answer in time (raise api_timeout if the API is slow)', 'FlyWP may have carried out')
    assert result['changed'] is True
    assert counts(sim) == {'GET': 1, 'POST': 1}
    rerun_adopts(sim, proxy.url, 'cron', fleet)


def test_a_trickling_get_ends_at_the_deadline_and_is_not_tried_again(sim, proxy, fleet, short_socket_waits):
    proxy.add('trickle', path=on(fleet, CRONS), interval=SOCKET_TIMEOUT / 4, seconds=3)
    result = run_module('cron_info', through(proxy.url, server=str(fleet['id'])))
    failed_cleanly(result, 'the answer did not arrive whole within %s s (twice api_timeout)' % (SOCKET_TIMEOUT * 2))
    assert result['changed'] is False
    assert counts(sim) == {'GET': 1}


def test_a_trickling_post_ends_at_the_deadline_as_a_possible_change(sim, proxy, fleet, short_socket_waits):
    proxy.add('trickle', path=on(fleet, CRONS), methods=['POST'], interval=SOCKET_TIMEOUT / 4, seconds=3)
    result = run_module('cron', through(proxy.url, **on(fleet, CREATES['cron'][0])))
    failed_cleanly(result, 'did not arrive whole within', 'FlyWP may have carried out the request')
    assert result['changed'] is True
    assert counts(sim) == {'GET': 1, 'POST': 1}
    rerun_adopts(sim, proxy.url, 'cron', fleet)


PAST = 'Thu, 01 Jan 1970 00:00:00 GMT'


@pytest.mark.parametrize('headers', [
    {'Retry-After': '0'},
    {'Retry-After': '-5'},
    {'Retry-After': PAST},
    {'Retry-After': 'soon'},
    {'Retry-After': '0', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': '0'},
    {'X-RateLimit-Reset': '0'},
    {'X-RateLimit-Reset': 'later'},
    {},
], ids=lambda headers: ','.join('%s=%s' % item for item in headers.items()) or 'no-header')
def test_a_429_storm_is_capped_and_every_wait_has_a_floor(sim, proxy, fleet, headers):
    """Forwarded, then answered 429: the simulator counts every attempt."""
    proxy.add('replace', count=100, path=on(fleet, CRONS), status=429, headers=headers,
              body=b'{"message": "Too Many Attempts."}')
    slept = len(CLOCK.sleeps)
    result = run_module('cron_info', through(proxy.url, server=str(fleet['id'])))
    failed_cleanly(result, '429')
    attempts = counts(sim)['GET']
    waits = CLOCK.sleeps[slept:]
    assert 2 <= attempts <= RATE_LIMIT_RETRIES + 1
    assert len(waits) == attempts - 1 and min(waits) >= RATE_LIMIT_FLOOR
    if attempts == RATE_LIMIT_RETRIES + 1:
        assert '%d times in a row' % attempts in result['msg']
    else:  # the backoff without a usable header grew past rate_limit_timeout first
        assert 'rate_limit_timeout (300 s' in result['msg']


def test_a_429_far_in_the_future_fails_at_once(sim, proxy, fleet):
    proxy.add('replace', count=100, path=on(fleet, CRONS), status=429, headers={'Retry-After': '9' * 30})
    result = run_module('cron_info', through(proxy.url, server=str(fleet['id'])))
    failed_cleanly(result, 'would pass rate_limit_timeout (300 s')
    assert counts(sim) == {'GET': 1}


def test_a_429_storm_on_post_is_capped_and_never_makes_anything(sim, proxy, fleet):
    """A 429 is a refusal, so a POST is tried again; a proxy answers it here, never the API."""
    proxy.add('answer', count=100, path=on(fleet, CRONS), methods=['POST'], status=429, headers={'Retry-After': '0'})
    result = run_module('cron', through(proxy.url, **on(fleet, CREATES['cron'][0])))
    failed_cleanly(result, 'answered 429 (too many requests) to POST %s %d times in a row' % (
        on(fleet, CRONS), RATE_LIMIT_RETRIES + 1))
    assert result['changed'] is False
    assert counts(sim) == {'GET': 1}
    assert proxy.seen.count(('POST', on(fleet, CRONS))) == RATE_LIMIT_RETRIES + 1
