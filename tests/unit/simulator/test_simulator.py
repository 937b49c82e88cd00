# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The FlyWP API simulator, over real HTTP: the contract it serves, its switches, faults and control API."""

from __future__ import annotations

import email.utils
import http.client
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

try:
    from ansible_collections.flywp.cloud.simulator import Simulator
    from ansible_collections.flywp.cloud.tests.unit.fake_clock import FakeClock
except ImportError:
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
    from simulator import Simulator  # pylint: disable=import-error
    from tests.unit.fake_clock import FakeClock  # pylint: disable=import-error

# A fixed ed25519 public key and its fingerprint as printed by `ssh-keygen -lf`.
KNOWN_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA0aMjx2Ycej4nYul8zAeOr1d0c24/grPeCbf89xd3ZG test@example'
KNOWN_FINGERPRINT = 'SHA256:CIWoD8joBVX2DKNg3WF3RCB4UMmW54L9NSZ5aww3IRE'
NO_DELAYS = {name: 0 for name in ('server_creating', 'server_provisioning', 'site_creating', 'site_deleting', 'backup_pending', 'backup_running')}
ALL = object()


@dataclass
class Reply:
    """An HTTP answer: status, lower-case header names, body text."""

    status: int
    headers: dict
    text: str

    @property
    def json(self):
        return json.loads(self.text)

    @property
    def data(self):
        return self.json['data']


def http_call(sim, method, path, body=None, *, token=ALL, raw=None, query=None):
    """One request on a new connection; token ALL means the demo token, None means no Authorization."""
    headers = {'Accept': 'application/json'}
    if token is ALL:
        token = sim.token
    if token is not None:
        headers['Authorization'] = f'Bearer {token}'
    payload = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    if payload is not None:
        headers['Content-Type'] = 'application/json'
    target = path + ('?' + urlencode(query) if query else '')
    connection = http.client.HTTPConnection('127.0.0.1', sim.port, timeout=10)
    try:
        connection.request(method, target, body=payload, headers=headers)
        response = connection.getresponse()
        return Reply(response.status, {name.lower(): value for name, value in response.getheaders()}, response.read().decode())
    finally:
        connection.close()


def api(sim, method, path, body=None, **kwargs):
    return http_call(sim, method, '/api/v1' + path, body, **kwargs)


def control(sim, method, path, body=None):
    return http_call(sim, method, '/_simulator' + path, body, token=None)


@pytest.fixture(name='sim')
def sim_fixture():
    with Simulator(delays=NO_DELAYS) as simulator:
        yield simulator


# Authentication and permissions.

def test_missing_or_unknown_token_is_401_with_rate_limit_headers(sim):
    for token in (None, 'not-a-token'):
        reply = api(sim, 'GET', '/servers', token=token)
        assert reply.status == 401
        assert reply.json == {'message': 'Unauthenticated.'}
        assert reply.headers['content-type'] == 'application/json'
        assert reply.headers['x-ratelimit-limit'] == '60'
        assert 'x-ratelimit-remaining' in reply.headers


@pytest.mark.parametrize('permission, allowed', [
    ('read', {'GET'}),
    ('create', {'POST'}),
    ('delete', {'DELETE'}),
    ('update', set()),
])
def test_each_method_needs_its_permission(sim, permission, allowed):
    server_id = sim.seed(servers=[{'name': 'keep'}, {'name': 'victim'}])[1]['id']
    sim.add_token('limited', [permission])
    calls = {'GET': ('/servers', None), 'POST': ('/servers', {'name': 'new'}), 'DELETE': (f'/servers/{server_id}', None)}
    for method, (path, body) in calls.items():
        reply = api(sim, method, path, body, token='limited')
        if method in allowed:
            assert reply.status in (200, 201), (method, reply.text)
        else:
            assert reply.status == 403, method
            assert reply.json == {'message': 'This action is unauthorized.'}
            assert reply.headers['x-ratelimit-remaining']


# Envelope and pagination.

def test_single_object_envelope_and_fields(sim):
    reply = api(sim, 'POST', '/servers', {'name': 'web1', 'provider': 'hetzner', 'region': 'fsn1', 'size': 'cx22', 'os': 'ubuntu-22.04'})
    assert reply.status == 201
    server = reply.data
    assert set(server) == {'id', 'name', 'status', 'provider', 'region', 'size', 'os', 'ip_address', 'php_versions', 'created_at'}
    assert (server['id'], server['name'], server['provider']) == (1, 'web1', 'hetzner')
    assert (server['region'], server['size'], server['os']) == ('fsn1', 'cx22', 'ubuntu-22.04')
    assert server['status'] == 'ready'
    assert server['ip_address'] == '203.0.113.1'
    assert server['php_versions'] == ['8.1', '8.2', '8.3']
    assert server['created_at'].endswith('Z') and 'T' in server['created_at']
    assert api(sim, 'GET', '/servers/1').json == {'data': server}
    defaults = api(sim, 'POST', '/servers', {'name': 'web1'}).data
    assert (defaults['id'], defaults['provider'], defaults['os'], defaults['region'], defaults['size']) == (2, 'custom', 'ubuntu-24.04', None, None)


def test_list_pagination_meta_and_links(sim):
    sim.seed(servers=[{'name': f'server-{number}'} for number in range(1, 41)])
    reply = api(sim, 'GET', '/servers', query={'page': 2, 'per_page': 15})
    body = reply.json
    assert [server['name'] for server in body['data']] == [f'server-{number}' for number in range(16, 31)]
    base = sim.api_url + '/servers'
    assert body['meta'] == {'current_page': 2, 'last_page': 3, 'per_page': 15, 'total': 40, 'from': 16, 'to': 30, 'path': base}
    assert body['links'] == {'first': base + '?page=1&per_page=15', 'last': base + '?page=3&per_page=15',
                             'prev': base + '?page=1&per_page=15', 'next': base + '?page=3&per_page=15'}
    default = api(sim, 'GET', '/servers').json
    assert len(default['data']) == 15 and default['meta']['per_page'] == 15 and default['links']['prev'] is None
    capped = api(sim, 'GET', '/servers', query={'per_page': 500}).json
    assert capped['meta']['per_page'] == 100 and len(capped['data']) == 40 and capped['links']['next'] is None
    past = api(sim, 'GET', '/servers', query={'page': 9, 'per_page': 15}).json
    assert past['data'] == []
    assert past['meta'] == {'current_page': 9, 'last_page': 3, 'per_page': 15, 'total': 40, 'from': None, 'to': None, 'path': base}
    assert past['links']['next'] is None


def test_max_per_page_is_configurable(sim):
    sim.seed(servers=[{'name': f's{number}'} for number in range(12)])
    sim.configure(max_per_page=5)
    body = api(sim, 'GET', '/servers', query={'per_page': 50}).json
    assert body['meta']['per_page'] == 5 and len(body['data']) == 5 and body['meta']['last_page'] == 3


def test_pagination_links_mode_and_none_mode(sim):
    sim.seed(servers=[{'name': f's{number}'} for number in range(20)])
    sim.configure(pagination='links')
    first = api(sim, 'GET', '/servers').json
    assert set(first) == {'data', 'links'} and first['links'] == {'next': sim.api_url + '/servers?page=2&per_page=15'}
    second = api(sim, 'GET', '/servers', query={'page': 2}).json
    assert len(second['data']) == 5 and second['links'] == {'next': None}
    sim.configure(pagination='none')
    every = api(sim, 'GET', '/servers').json
    assert set(every) == {'data'} and len(every['data']) == 20


# Tolerance switches.

def test_bare_json_objects_and_lists(sim):
    sim.seed(servers=[{'name': f's{number}'} for number in range(20)])
    sim.configure(bare_json=True)
    created = api(sim, 'POST', '/servers', {'name': 'bare'})
    assert created.status == 201 and created.json['name'] == 'bare' and 'data' not in created.json
    listed = api(sim, 'GET', '/servers').json
    assert isinstance(listed, list) and len(listed) == 21
    assert api(sim, 'GET', '/servers/1').json['name'] == 's0'


def test_string_ids(sim):
    server = sim.seed(servers=[{'name': 'web', 'sites': [{'domain': 'example.com'}]}])[0]
    sim.configure(string_ids=True)
    site = api(sim, 'GET', f'/servers/{server["id"]}/sites').data[0]
    assert site['id'] == '1' and site['server_id'] == '1'
    database = api(sim, 'GET', '/servers/1/databases').data[0]
    assert (database['id'], database['server_id'], database['site_id']) == ('1', '1', '1')
    assert isinstance(database['size_bytes'], int)
    assert api(sim, 'POST', '/servers', {'name': 'x'}).data['id'] == '2'
    assert api(sim, 'GET', '/servers').json['meta']['total'] == 2


def test_create_status_200_and_delete_status_204(sim):
    sim.configure(create_status=200, delete_status=204)
    created = api(sim, 'POST', '/servers', {'name': 'web'})
    assert created.status == 200 and created.data['id'] == 1
    deleted = api(sim, 'DELETE', '/servers/1')
    assert deleted.status == 204 and deleted.text == '' and 'content-type' not in deleted.headers
    sim.configure(delete_status=200)
    api(sim, 'POST', '/servers', {'name': 'again'})
    deleted = api(sim, 'DELETE', '/servers/2')
    assert deleted.status == 200 and 'message' in deleted.json
    assert api(sim, 'GET', '/servers/2').status == 404


def test_error_formats(sim):
    sim.configure(error_format='error')
    missing = api(sim, 'GET', '/servers/99')
    assert missing.status == 404 and set(missing.json) == {'error'} and 'Server' in missing.json['error']
    invalid = api(sim, 'POST', '/servers', {})
    assert invalid.status == 422 and invalid.json['error'] == 'The name field is required.' and 'name' in invalid.json['errors']
    sim.configure(error_format='html')
    for reply in (api(sim, 'GET', '/servers/99'), api(sim, 'POST', '/servers', {}), api(sim, 'GET', '/servers', token=None)):
        assert reply.headers['content-type'].startswith('text/html')
        assert reply.text.lstrip().startswith('<!DOCTYPE html>')
    assert api(sim, 'GET', '/servers', token=None).status == 401


# Rate limit.

def test_rate_limit_counts_down_refuses_and_resets():
    clock = FakeClock()
    with Simulator(delays=NO_DELAYS, clock=clock.time, rate_limit=3, rate_window=1) as sim:
        _rate_limit_counts_down_refuses_and_resets(sim, clock)


def _rate_limit_counts_down_refuses_and_resets(sim, clock):
    remaining = [api(sim, 'GET', '/servers').headers['x-ratelimit-remaining'] for attempt in range(3)]
    assert remaining == ['2', '1', '0']
    refused = api(sim, 'GET', '/servers')
    assert refused.status == 429 and refused.json == {'message': 'Too Many Attempts.'}
    assert refused.headers['x-ratelimit-limit'] == '3' and refused.headers['x-ratelimit-remaining'] == '0'
    assert refused.headers['retry-after'] == '1'
    assert 0 <= int(refused.headers['x-ratelimit-reset']) - clock.time() <= 2
    assert api(sim, 'POST', '/servers', {'name': 'no'}).status == 429
    assert not sim.objects('server')
    clock.advance(1.05)
    again = api(sim, 'GET', '/servers')
    assert again.status == 200 and again.headers['x-ratelimit-remaining'] == '2'
    assert [entry['status'] for entry in sim.requests()] == [200, 200, 200, 429, 429, 200]


def test_rate_limit_is_per_token(sim):
    sim.configure(rate_limit=1)
    sim.add_token('other')
    assert api(sim, 'GET', '/servers').status == 200
    assert api(sim, 'GET', '/servers').status == 429
    assert api(sim, 'GET', '/servers', token='other').status == 200


@pytest.mark.parametrize('mode, retry_after, reset', [
    ('http-date', True, True),
    ('reset-only', False, True),
    ('none', False, False),
])
def test_rate_limit_header_modes(mode, retry_after, reset):
    clock = FakeClock()
    with Simulator(delays=NO_DELAYS, clock=clock.time, rate_limit=1, rate_window=30, rate_limit_headers=mode) as sim:
        _rate_limit_header_mode(sim, clock, retry_after, reset)


def _rate_limit_header_mode(sim, clock, retry_after, reset):
    api(sim, 'GET', '/servers')
    refused = api(sim, 'GET', '/servers')
    assert refused.status == 429
    assert ('retry-after' in refused.headers) is retry_after
    assert ('x-ratelimit-reset' in refused.headers) is reset
    if retry_after:
        moment = email.utils.parsedate_to_datetime(refused.headers['retry-after']).timestamp()
        assert moment == clock.time() + 30
    if reset:
        assert int(refused.headers['x-ratelimit-reset']) == clock.time() + 30


def test_clock_aligned_windows_start_on_their_own():
    clock = FakeClock(start=1800000000.0 + 45)  # 45 s into a minute of unix time
    with Simulator(delays=NO_DELAYS, clock=clock.time, rate_limit=2, rate_window=60, rate_window_start='clock') as sim:
        _clock_aligned_windows(sim, clock)


def _clock_aligned_windows(sim, clock):
    assert [api(sim, 'GET', '/servers').headers['x-ratelimit-remaining'] for attempt in range(2)] == ['1', '0']
    refused = api(sim, 'GET', '/servers')
    assert refused.status == 429
    assert (refused.headers['retry-after'], refused.headers['x-ratelimit-reset']) == ('15', '1800000060')
    clock.advance(15)  # the next minute: a new window, though the first request was only 15 s ago
    assert api(sim, 'GET', '/servers').headers['x-ratelimit-remaining'] == '1'
    clock.advance(59.5)  # still that minute
    assert api(sim, 'GET', '/servers').headers['x-ratelimit-remaining'] == '0'
    refused = api(sim, 'GET', '/servers')
    assert (refused.status, refused.headers['retry-after'], refused.headers['x-ratelimit-reset']) == (429, '1', '1800000120')
    sim.configure(rate_limit_headers='http-date')
    moment = email.utils.parsedate_to_datetime(api(sim, 'GET', '/servers').headers['retry-after']).timestamp()
    assert moment == 1800000120


def test_window_start_mode_is_configurable(sim):
    assert sim.config['rate_window_start'] == 'first-request'
    assert control(sim, 'PATCH', '/config', {'rate_window_start': 'clock'}).json['rate_window_start'] == 'clock'
    assert control(sim, 'PATCH', '/config', {'rate_window_start': 'gateway'}).status == 400
    sim.reset()
    assert sim.config['rate_window_start'] == 'first-request'


# Faults.

def test_fault_status_answers_html_without_processing(sim):
    sim.queue_fault(count=2, status=503)
    for reply in [api(sim, 'POST', '/servers', {'name': 'web'}), api(sim, 'POST', '/servers', {'name': 'web'})]:
        assert reply.status == 503 and reply.headers['content-type'].startswith('text/html')
    assert not sim.objects('server')
    assert api(sim, 'POST', '/servers', {'name': 'web'}).status == 201
    assert [entry['status'] for entry in sim.requests()] == [503, 503, 201]


def test_fault_drop_closes_the_connection(sim):
    sim.queue_fault(drop=True)
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        api(sim, 'POST', '/servers', {'name': 'web'})
    assert not sim.objects('server')
    assert sim.requests()[0]['status'] == 0
    assert api(sim, 'GET', '/servers').status == 200


def test_fault_delay_then_normal_processing():
    waits = []  # (seconds, servers made by then)

    def sleep(seconds):
        waits.append((seconds, len(simulator.objects('server'))))

    with Simulator(delays=NO_DELAYS, sleep=sleep) as simulator:
        simulator.queue_fault(delay=0.3)
        reply = api(simulator, 'POST', '/servers', {'name': 'slow'})
        assert waits == [(0.3, 0)]
        assert reply.status == 201 and len(simulator.objects('server')) == 1


def test_fault_methods_filter(sim):
    control(sim, 'POST', '/faults', {'count': 1, 'status': 502, 'methods': ['delete']})
    assert api(sim, 'POST', '/servers', {'name': 'web'}).status == 201
    assert api(sim, 'GET', '/servers').status == 200
    assert control(sim, 'GET', '/faults').json['faults'][0]['methods'] == ['DELETE']
    assert api(sim, 'DELETE', '/servers/1').status == 502
    assert api(sim, 'DELETE', '/servers/1').status == 200
    assert control(sim, 'GET', '/faults').json == {'faults': []}


def test_fault_path_filter(sim):
    sim.seed(servers=[{'name': 'web'}])
    control(sim, 'POST', '/faults', {'count': 1, 'status': 503, 'methods': ['POST'], 'path': '/servers/*/crons'})
    assert api(sim, 'POST', '/servers', {'name': 'web-2'}).status == 201
    assert api(sim, 'POST', '/servers/1/sites', {'domain': 'example.com'}).status == 201
    assert control(sim, 'GET', '/faults').json['faults'][0]['path'] == '/servers/*/crons'
    assert api(sim, 'POST', '/servers/1/crons', {'command': 'true', 'frequency': '@daily'}).status == 503
    assert api(sim, 'POST', '/servers/1/crons', {'command': 'true', 'frequency': '@daily'}).status == 201
    assert control(sim, 'POST', '/faults', {'count': 1, 'status': 503, 'path': 'servers'}).status == 400


# Life cycles.

def test_server_site_and_backup_status_transitions():
    delays = {'server_creating': 0.2, 'server_provisioning': 0.2, 'site_creating': 0.2, 'backup_pending': 0.2, 'backup_running': 0.2}
    clock = FakeClock()
    with Simulator(delays=delays, clock=clock.time) as sim:
        server = api(sim, 'POST', '/servers', {'name': 'web'}).data
        assert server['status'] == 'creating' and server['ip_address'] is None
        clock.advance(0.2)
        assert api(sim, 'GET', '/servers/1').data['status'] == 'provisioning'
        assert api(sim, 'GET', '/servers/1').data['ip_address'] == '203.0.113.1'
        clock.advance(0.2)
        assert api(sim, 'GET', '/servers/1').data['status'] == 'ready'
        site = api(sim, 'POST', '/servers/1/sites', {'domain': 'example.com'}).data
        assert site['status'] == 'creating'
        clock.advance(0.2)
        assert api(sim, 'GET', '/servers/1/sites/1').data['status'] == 'active'
        backup = api(sim, 'POST', f'/sites/{site["id"]}/backups', {}).data
        assert (backup['status'], backup['type'], backup['size_bytes'], backup['completed_at']) == ('pending', 'full', None, None)
        clock.advance(0.2)
        assert api(sim, 'GET', '/sites/1/backups').data[0]['status'] == 'running'
        clock.advance(0.2)
        done = api(sim, 'GET', '/sites/1/backups').data[0]
        assert done['status'] == 'completed'
        assert done['size_bytes'] > 0 and done['completed_at'] >= done['created_at']


def test_site_deleting_then_gone():
    clock = FakeClock()
    with Simulator(delays=dict(NO_DELAYS, site_deleting=0.2), clock=clock.time) as sim:
        sim.seed(servers=[{'name': 'web', 'sites': [{'domain': 'example.com', 'backups': [{}]}]}])
        assert api(sim, 'DELETE', '/servers/1/sites/1').status == 200
        assert api(sim, 'GET', '/servers/1/sites/1').data['status'] == 'deleting'
        assert api(sim, 'GET', '/servers/1/sites').data[0]['status'] == 'deleting'
        clock.advance(0.2)
        assert api(sim, 'GET', '/servers/1/sites/1').status == 404
        assert api(sim, 'GET', '/servers/1/databases').data == []
        assert api(sim, 'GET', '/sites/1/backups').status == 404


def test_fail_next(sim):
    sim.configure(fail_next={'server': 1, 'site': 1, 'backup': 1})
    assert api(sim, 'POST', '/servers', {'name': 'bad'}).data['status'] == 'failed'
    assert api(sim, 'POST', '/servers', {'name': 'good'}).data['status'] == 'ready'
    assert api(sim, 'POST', '/servers/2/sites', {'domain': 'bad.example.com'}).data['status'] == 'failed'
    assert api(sim, 'POST', '/servers/2/sites', {'domain': 'good.example.com'}).data['status'] == 'active'
    failed_backup = api(sim, 'POST', '/sites/2/backups', {'type': 'database'}).data
    assert (failed_backup['status'], failed_backup['size_bytes'], failed_backup['completed_at']) == ('failed', None, None)
    assert api(sim, 'POST', '/sites/2/backups', {}).data['status'] == 'completed'
    assert sim.config['fail_next'] == {'server': 0, 'site': 0, 'backup': 0}


# Validation.

def test_validation_errors_have_laravel_bodies(sim):
    reply = api(sim, 'POST', '/servers', {})
    assert reply.status == 422
    assert reply.json == {'message': 'The name field is required.', 'errors': {'name': ['The name field is required.']}}
    two = api(sim, 'POST', '/servers', {'name': 5, 'provider': 'moon'}).json
    assert two['message'] == 'The name field must be a string. (and 1 more error)'
    assert two['errors'] == {'name': ['The name field must be a string.'], 'provider': ['The selected provider is invalid.']}
    three = api(sim, 'POST', '/servers', {'name': 'x' * 256, 'provider': 'moon', 'os': 'debian-12'}).json
    assert three['message'] == 'The name field must not be greater than 255 characters. (and 2 more errors)'
    assert api(sim, 'POST', '/servers', {'name': '   '}).json['errors'] == {'name': ['The name field is required.']}
    assert not sim.objects('server')


def test_site_validation(sim):
    sim.seed(servers=[{'name': 'web', 'sites': [{'domain': 'taken.example.com'}]}])
    errors = api(sim, 'POST', '/servers/1/sites', {
        'domain': 'not a domain', 'web_server': 'apache', 'php_version': 8.2, 'admin_email': 'nope', 'cache': 'maybe'}).json['errors']
    assert errors == {
        'domain': ['The domain field must be a valid domain name.'],
        'web_server': ['The selected web server is invalid.'],
        'php_version': ['The php version field must be a string.'],
        'admin_email': ['The admin email field must be a valid email address.'],
        'cache': ['The cache field must be true or false.'],
    }
    taken = api(sim, 'POST', '/servers/1/sites', {'domain': 'TAKEN.example.com'})
    assert taken.status == 422 and taken.json['errors'] == {'domain': ['The domain has already been taken.']}
    assert api(sim, 'POST', '/servers/1/sites', {'domain': '192.0.2.1'}).status == 422
    assert api(sim, 'POST', '/servers/1/sites', {'domain': '-bad.example.com'}).status == 422


def test_ssh_key_and_cron_validation(sim):
    sim.seed(servers=[{'name': 'web'}])
    blob = KNOWN_KEY.split()[1]
    wrong_type = 'ssh-rsa ' + blob
    for public_key in ('not a key', wrong_type, 'ssh-ed25519 !!!notbase64', 'ssh-ed25519 ' + blob[:-8], 'ssh-dss ' + blob):
        reply = api(sim, 'POST', '/servers/1/ssh-keys', {'name': 'k', 'public_key': public_key})
        assert reply.json['errors'] == {'public_key': ['The public key field must be a valid OpenSSH public key.']}, public_key
    assert set(api(sim, 'POST', '/servers/1/ssh-keys', {}).json['errors']) == {'name', 'public_key'}
    for frequency in ('* * * *', '61 * * * *', '* * * * * *', '@often', '5-1 * * * *', '*/0 * * * *'):
        reply = api(sim, 'POST', '/servers/1/crons', {'command': 'true', 'frequency': frequency})
        assert reply.json['errors'] == {'frequency': ['The frequency field must be a valid cron expression.']}, frequency
    for frequency in ('*/5 * * * *', '0 3 * * 1-5', '15,45 0-6/2 1 jan,jul sun', '@daily', '@reboot'):
        assert api(sim, 'POST', '/servers/1/crons', {'command': 'true', 'frequency': frequency}).status == 201, frequency
    assert api(sim, 'POST', '/servers/1/crons', {'command': 'x', 'frequency': '@daily', 'user': 'Bad User'}).status == 422


def test_backup_validation_and_unknown_site(sim):
    sim.seed(servers=[{'name': 'web', 'sites': [{'domain': 'example.com'}]}])
    assert api(sim, 'POST', '/sites/1/backups', {'type': 'everything'}).json['errors'] == {'type': ['The selected type is invalid.']}
    missing = api(sim, 'POST', '/sites/77/backups', {})
    assert missing.status == 404 and missing.json == {'message': 'No query results for model [App\\Models\\Site] 77'}


def test_bad_bodies_and_unknown_routes(sim):
    assert api(sim, 'POST', '/servers', raw=b'{"name": ').status == 400
    assert api(sim, 'POST', '/servers', raw=b'\xff\xfe').status == 400
    assert api(sim, 'POST', '/servers', ['web']).status == 400
    assert api(sim, 'POST', '/servers', raw=b'').status == 422
    unknown = api(sim, 'GET', '/planets')
    assert unknown.status == 404 and unknown.json == {'message': 'The route api/v1/planets could not be found.'}
    assert 'x-ratelimit-limit' in unknown.headers
    assert api(sim, 'GET', '/servers/abc').status == 404
    not_allowed = api(sim, 'DELETE', '/servers')
    assert not_allowed.status == 405
    assert not_allowed.json['message'] == 'The DELETE method is not supported for route api/v1/servers. Supported methods: GET, HEAD, POST.'
    assert api(sim, 'PUT', '/servers/1').status == 405
    options = api(sim, 'OPTIONS', '/servers/1/ssh-keys')
    assert options.status == 405 and options.headers['allow'] == 'GET, HEAD, POST' and 'message' in options.json
    head = api(sim, 'HEAD', '/servers')
    assert head.status == 200 and head.text == '' and head.headers['x-ratelimit-limit'] == '60'
    assert http_call(sim, 'GET', '/elsewhere').status == 404
    assert all(entry['path'] != '/elsewhere' for entry in sim.requests())


# Sites, databases, SSH keys, cron jobs.

def test_site_creation_makes_a_database_and_keeps_the_password_secret(sim):
    sim.seed(servers=[{'name': 'web'}])
    password = 'S3cret-Passw0rd!'
    reply = api(sim, 'POST', '/servers/1/sites', {
        'domain': 'blog.example.com', 'web_server': 'openlitespeed', 'php_version': '8.2', 'title': 'Blog',
        'admin_email': 'admin@example.com', 'admin_user': 'admin', 'admin_password': password, 'cache': True})
    assert reply.status == 201
    assert reply.data == {'id': 1, 'server_id': 1, 'domain': 'blog.example.com', 'status': 'active', 'web_server': 'openlitespeed',
                          'php_version': '8.2', 'title': 'Blog', 'created_at': reply.data['created_at']}
    assert password not in reply.text
    databases = api(sim, 'GET', '/servers/1/databases').data
    assert len(databases) == 1
    assert {key: databases[0][key] for key in ('id', 'server_id', 'site_id', 'name')} == {'id': 1, 'server_id': 1, 'site_id': 1, 'name': 'blog_example_com'}
    assert databases[0]['size_bytes'] > 0
    assert password not in json.dumps(sim.requests()) and password not in json.dumps(sim.objects('site'))
    defaults = api(sim, 'POST', '/servers/1/sites', {'domain': 'shop.example.com'}).data
    assert (defaults['web_server'], defaults['php_version'], defaults['title']) == ('nginx', '8.3', 'shop.example.com')


def test_ssh_key_fingerprint_matches_openssh(sim, tmp_path):
    sim.seed(servers=[{'name': 'web'}])
    cases = [(KNOWN_KEY, KNOWN_FINGERPRINT)]
    if shutil.which('ssh-keygen'):
        for key_type in ('ed25519', 'ecdsa', 'rsa'):
            path = tmp_path / f'id_{key_type}'
            subprocess.run(['ssh-keygen', '-q', '-t', key_type, '-N', '', '-C', 'test', '-f', str(path)], check=True)
            listed = subprocess.run(['ssh-keygen', '-l', '-f', f'{path}.pub'], check=True, capture_output=True, text=True).stdout
            cases.append((path.with_suffix('.pub').read_text().strip(), listed.split()[1]))
    for number, (public_key, fingerprint) in enumerate(cases, start=1):
        reply = api(sim, 'POST', '/servers/1/ssh-keys', {'name': f'key{number}', 'public_key': public_key})
        assert reply.status == 201
        assert set(reply.data) == {'id', 'name', 'fingerprint', 'created_at'}
        assert reply.data['fingerprint'] == fingerprint
        assert public_key.split()[1] not in reply.text
    listed = api(sim, 'GET', '/servers/1/ssh-keys').data
    assert [key['fingerprint'] for key in listed] == [fingerprint for public_key, fingerprint in cases]
    assert api(sim, 'DELETE', '/servers/1/ssh-keys/1').status == 200
    assert api(sim, 'DELETE', '/servers/1/ssh-keys/1').status == 404
    assert len(api(sim, 'GET', '/servers/1/ssh-keys').data) == len(cases) - 1


def test_cron_create_list_delete(sim):
    sim.seed(servers=[{'name': 'a'}, {'name': 'b'}])
    cron = api(sim, 'POST', '/servers/1/crons', {'command': 'wp cron event run --due-now', 'frequency': '*/5 * * * *'}).data
    assert cron == {'id': 1, 'command': 'wp cron event run --due-now', 'frequency': '*/5 * * * *', 'user': 'fly', 'created_at': cron['created_at']}
    assert api(sim, 'GET', '/servers/2/crons').data == []
    assert api(sim, 'DELETE', '/servers/2/crons/1').status == 404
    assert api(sim, 'DELETE', '/servers/1/crons/1').status == 200
    assert api(sim, 'GET', '/servers/1/crons').data == []


def test_database_create_list_delete(sim):
    """A database of its own: its password is in the creating answer only; a name is unique per server."""
    sim.seed(servers=[{'name': 'a', 'sites': [{'domain': 'blog.example.com'}]}, {'name': 'b'}])
    created = api(sim, 'POST', '/servers/1/databases', {'name': 'staging_db'})
    assert created.status == 201
    database = created.data
    assert database['name'] == 'staging_db' and database['site_id'] is None and database['server_id'] == 1
    assert len(database['password']) >= 16
    listed = api(sim, 'GET', '/servers/1/databases').data
    assert [item['name'] for item in listed] == ['blog_example_com', 'staging_db']
    assert all('password' not in item for item in listed)
    taken = api(sim, 'POST', '/servers/1/databases', {'name': 'staging_db'})
    assert (taken.status, taken.json['errors']) == (422, {'name': ['The name has already been taken.']})
    assert api(sim, 'POST', '/servers/1/databases', {'name': 'a-b'}).status == 422
    assert api(sim, 'DELETE', '/servers/2/databases/%d' % database['id']).status == 404
    assert api(sim, 'DELETE', '/servers/1/databases/%d' % database['id']).status == 200
    assert [item['name'] for item in api(sim, 'GET', '/servers/1/databases').data] == ['blog_example_com']


def test_a_sites_php_version_is_changed_in_place(sim):
    """PATCH /servers/{id}/sites/{site_id}, assumed in docs/api-contract.md for the guides' flywp.cloud.api examples."""
    sim.seed(servers=[{'name': 'a', 'sites': [{'domain': 'blog.example.com', 'php_version': '8.1'}]}, {'name': 'b'}])
    changed = api(sim, 'PATCH', '/servers/1/sites/1', {'php_version': '8.3'})
    assert changed.status == 200 and changed.data['php_version'] == '8.3' and changed.data['domain'] == 'blog.example.com'
    assert api(sim, 'GET', '/servers/1/sites/1').data['php_version'] == '8.3'
    assert api(sim, 'PATCH', '/servers/1/sites/1', {'php_version': '7.4'}).json['errors'] == {
        'php_version': ['The selected php version is invalid.']}
    assert api(sim, 'PATCH', '/servers/1/sites/1', {}).status == 422
    assert api(sim, 'PATCH', '/servers/2/sites/1', {'php_version': '8.2'}).status == 404
    assert api(sim, 'PATCH', '/servers/1/sites/1', {'php_version': '8.2'}, token='reader').status == 401
    control(sim, 'POST', '/tokens', {'token': 'reader', 'permissions': ['read']})
    assert api(sim, 'PATCH', '/servers/1/sites/1', {'php_version': '8.2'}, token='reader').status == 403
    assert api(sim, 'GET', '/servers/1/sites/1').data['php_version'] == '8.3'


def test_a_sites_cache_is_purged(sim):
    """POST /servers/{id}/sites/{site_id}/cache/purge, assumed in docs/api-contract.md: a sentence, nothing else changes."""
    sim.seed(servers=[{'name': 'a', 'sites': [{'domain': 'blog.example.com'}]}])
    before = api(sim, 'GET', '/servers/1/sites/1').data
    assert api(sim, 'POST', '/servers/1/sites/1/cache/purge').json == {'message': 'Cache purged.'}
    assert api(sim, 'GET', '/servers/1/sites/1').data == before
    assert api(sim, 'POST', '/servers/1/sites/2/cache/purge').json == {
        'message': 'No query results for model [App\\Models\\Site] 2'}
    assert api(sim, 'GET', '/servers/1/sites/1/cache/purge').status == 405


def test_server_delete_cascades(sim):
    sim.seed(servers=[
        {'name': 'gone', 'sites': [{'domain': 'a.example.com', 'backups': [{}]}], 'ssh_keys': [{'name': 'k', 'public_key': KNOWN_KEY}],
         'crons': [{'command': 'true', 'frequency': '@daily'}]},
        {'name': 'stays', 'sites': [{'domain': 'b.example.com', 'backups': [{}]}], 'crons': [{'command': 'true', 'frequency': '@daily'}]},
    ])
    assert api(sim, 'DELETE', '/servers/1').json == {'message': 'Server deleted.'}
    assert api(sim, 'GET', '/servers/1').json == {'message': 'No query results for model [App\\Models\\Server] 1'}
    assert api(sim, 'GET', '/servers/1/sites').status == 404
    assert api(sim, 'GET', '/sites/1/backups').status == 404
    assert [len(sim.objects(kind)) for kind in ('server', 'site', 'database', 'ssh_key', 'cron', 'backup')] == [1, 1, 1, 0, 1, 1]
    assert api(sim, 'GET', '/servers/2/sites/2').data['domain'] == 'b.example.com'
    assert api(sim, 'GET', '/servers/2/sites/1').status == 404


# Accounts.

def test_a_token_sees_and_makes_only_its_accounts_objects(sim):
    assert control(sim, 'POST', '/tokens', {'token': 'theirs', 'account': 'acme'}).json == {
        'token': 'theirs', 'permissions': ['create', 'delete', 'read', 'update'], 'account': 'acme'}
    mine = sim.seed(servers=[{'name': 'mine', 'sites': [{'domain': 'mine.example.com', 'backups': [{}]}],
                              'ssh_keys': [{'name': 'k'}], 'crons': [{'command': 'true'}]}])[0]
    theirs = control(sim, 'POST', '/seed', {'account': 'acme', 'servers': [{'name': 'theirs'}]}).json['servers'][0]
    assert theirs['id'] == mine['id'] + 1  # one id sequence for every account, as in one database
    assert [server['name'] for server in api(sim, 'GET', '/servers').data] == ['mine']
    assert [server['name'] for server in api(sim, 'GET', '/servers', token='theirs').data] == ['theirs']
    server_id, site_id = mine['id'], mine['sites'][0]['id']
    key_id, cron_id = mine['ssh_keys'][0]['id'], mine['crons'][0]['id']
    for method, path, body in [
            ('GET', f'/servers/{server_id}', None), ('DELETE', f'/servers/{server_id}', None),
            ('GET', f'/servers/{server_id}/sites', None), ('POST', f'/servers/{server_id}/sites', {'domain': 'x.example.com'}),
            ('GET', f'/servers/{server_id}/sites/{site_id}', None), ('DELETE', f'/servers/{server_id}/sites/{site_id}', None),
            ('GET', f'/servers/{server_id}/databases', None), ('GET', f'/servers/{server_id}/ssh-keys', None),
            ('DELETE', f'/servers/{server_id}/ssh-keys/{key_id}', None), ('GET', f'/servers/{server_id}/crons', None),
            ('DELETE', f'/servers/{server_id}/crons/{cron_id}', None)]:
        reply = api(sim, method, path, body, token='theirs')
        assert reply.json == {'message': f'No query results for model [App\\Models\\Server] {server_id}'}, (method, path)
    for method in ('GET', 'POST'):
        reply = api(sim, method, f'/sites/{site_id}/backups', {} if method == 'POST' else None, token='theirs')
        assert reply.json == {'message': f'No query results for model [App\\Models\\Site] {site_id}'}
    assert [len(sim.objects(kind)) for kind in ('server', 'site', 'database', 'ssh_key', 'cron', 'backup')] == [1, 1, 1, 1, 1, 1]
    _made_in_the_tokens_account(sim, theirs['id'])


def _made_in_the_tokens_account(sim, server_id):
    made = api(sim, 'POST', '/servers', {'name': 'made'}, token='theirs').data
    site = api(sim, 'POST', f'/servers/{server_id}/sites', {'domain': 'acme.example.com'}, token='theirs').data
    assert api(sim, 'POST', f'/sites/{site["id"]}/backups', {}, token='theirs').status == 201
    assert api(sim, 'POST', f'/servers/{server_id}/crons', {'command': 'true', 'frequency': '@daily'}, token='theirs').status == 201
    assert [server['name'] for server in sim.objects('server', account='acme')] == ['theirs', 'made']
    assert [server['name'] for server in sim.objects('server')] == ['mine']
    assert [len(sim.objects(kind, account='acme')) for kind in ('site', 'database', 'cron', 'backup')] == [1, 1, 1, 1]
    assert api(sim, 'GET', f'/servers/{made["id"]}').status == 404
    assert api(sim, 'GET', f'/servers/{made["id"]}', token='theirs').data['name'] == 'made'


def test_the_request_log_names_the_tokens_account(sim):
    sim.add_token('theirs', ['read'], account='acme')
    api(sim, 'GET', '/servers')
    api(sim, 'GET', '/servers', token='theirs')
    api(sim, 'POST', '/servers', {'name': 'no'}, token='theirs')
    api(sim, 'GET', '/servers', token=None)
    sim.queue_fault(status=503)
    api(sim, 'GET', '/servers', token='theirs')
    assert [(entry['status'], entry['account']) for entry in sim.requests()] == [
        (200, 'default'), (200, 'acme'), (403, 'acme'), (401, None), (503, 'acme')]


def test_two_tokens_of_one_account_have_a_budget_each(sim):
    sim.configure(rate_limit=1)
    sim.add_token('first', account='acme')
    sim.add_token('second', account='acme')
    assert [api(sim, 'GET', '/servers', token=token).status for token in ('first', 'first', 'second')] == [200, 429, 200]


def test_accounts_are_checked_and_forgotten_on_reset(sim):
    assert control(sim, 'POST', '/tokens', {'token': 'theirs', 'account': ''}).status == 400
    assert control(sim, 'POST', '/seed', {'account': 5, 'servers': [{'name': 'web'}]}).status == 400
    with pytest.raises(ValueError):
        sim.objects('planet')
    sim.add_token('theirs', account='acme')
    sim.seed(servers=[{'name': 'web'}], account='acme')
    sim.reset()
    assert api(sim, 'GET', '/servers', token='theirs').status == 401
    assert sim.objects('server', account='acme') == []


# The dashboard's changes.

def test_the_dashboard_changes_an_objects_fields():
    clock = FakeClock()
    with Simulator(delays=dict(NO_DELAYS, server_creating=10, server_provisioning=10), clock=clock.time) as sim:
        _dashboard_changes(sim, clock)


def _dashboard_changes(sim, clock):
    server_id = api(sim, 'POST', '/servers', {'name': 'web'}).data['id']
    renamed = control(sim, 'PATCH', f'/objects/server/{server_id}', {'name': 'web-renamed', 'status': 'failed'})
    assert renamed.status == 200 and renamed.json == api(sim, 'GET', f'/servers/{server_id}').data
    assert (renamed.json['name'], renamed.json['status'], renamed.json['id']) == ('web-renamed', 'failed', server_id)
    clock.advance(30)  # past its own creating and provisioning: the status stays as the dashboard set it
    assert api(sim, 'GET', f'/servers/{server_id}').data['status'] == 'failed'
    assert sim.update_object('server', server_id, status='ready')['status'] == 'ready'
    site = sim.seed(servers=[{'name': 'other', 'sites': [{'domain': 'example.com', 'backups': [{}]}]}], account='acme')[0]['sites'][0]
    backup = sim.update_object('backup', site['backups'][0]['id'], status='failed')
    assert (backup['status'], backup['size_bytes'], backup['completed_at']) == ('failed', None, None)
    clock.advance(5)
    backup = sim.update_object('backup', backup['id'], status='completed', type='database')
    assert backup['size_bytes'] > 0 and backup['completed_at'] > backup['created_at']
    assert sim.objects('backup', account='acme') == [backup]
    assert sim.update_object('site', site['id'], title='Renamed')['title'] == 'Renamed'


@pytest.mark.parametrize('path, body, status', [
    ('/objects/server/99', {'name': 'x'}, 404),
    ('/objects/server/abc', {'name': 'x'}, 404),
    ('/objects/database/1', {'name': 'x'}, 404),
    ('/objects/planet/1', {'name': 'x'}, 404),
    ('/objects/server/1', {'colour': 'red'}, 400),
    ('/objects/server/1', {'id': 7}, 400),
    ('/objects/server/1', {'created_at': '2024-05-01T12:00:00.000000Z'}, 400),
    ('/objects/site/1', {'server_id': 2}, 400),
    ('/objects/backup/1', {'site_id': 2}, 400),
    ('/objects/backup/1', {'size_bytes': 5}, 400),
    ('/objects/backup/1', {'type': 'everything'}, 400),
    ('/objects/server/1', {'status': 'exploded'}, 400),
    ('/objects/server/1', {'name': 'x', 'status': 'exploded'}, 400),
])
def test_the_dashboard_refuses_what_it_cannot_change(sim, path, body, status):
    sim.seed(servers=[{'name': 'web', 'sites': [{'domain': 'example.com', 'backups': [{}]}]}])
    before = sim.objects('server') + sim.objects('site') + sim.objects('backup')
    reply = control(sim, 'PATCH', path, body)
    assert reply.status == status and reply.json['message']
    assert sim.objects('server') + sim.objects('site') + sim.objects('backup') == before


def test_the_dashboard_removes_an_object_with_what_it_holds():
    clock = FakeClock()
    with Simulator(delays=dict(NO_DELAYS, site_deleting=60), clock=clock.time) as sim:
        gone, stays = sim.seed(servers=[
            {'name': 'gone', 'sites': [{'domain': 'a.example.com', 'backups': [{}]}], 'ssh_keys': [{'name': 'k'}],
             'crons': [{'command': 'true'}]},
            {'name': 'stays', 'sites': [{'domain': 'b.example.com', 'backups': [{}, {}]}, {'domain': 'c.example.com'}],
             'ssh_keys': [{'name': 'k'}], 'crons': [{'command': 'true'}]}])
        assert control(sim, 'DELETE', f'/objects/server/{gone["id"]}').json == {'ok': True}
        assert api(sim, 'GET', f'/servers/{gone["id"]}').status == 404
        counts = [len(sim.objects(kind)) for kind in ('server', 'site', 'database', 'ssh_key', 'cron', 'backup')]
        assert counts == [1, 2, 2, 1, 1, 2]
        site = stays['sites'][0]
        sim.delete_object('backup', site['backups'][0]['id'])
        assert [backup['id'] for backup in sim.objects('backup')] == [site['backups'][1]['id']]
        sim.delete_object('site', site['id'])  # at once: no deleting state, unlike the API's delete
        assert [site['domain'] for site in sim.objects('site')] == ['c.example.com']
        assert [database['name'] for database in sim.objects('database')] == ['c_example_com'] and sim.objects('backup') == []
        sim.delete_object('ssh_key', stays['ssh_keys'][0]['id'])
        sim.delete_object('cron', stays['crons'][0]['id'])
        assert sim.objects('ssh_key') == [] and sim.objects('cron') == []
        assert control(sim, 'DELETE', f'/objects/server/{gone["id"]}').status == 404
        assert control(sim, 'GET', f'/objects/server/{stays["id"]}').headers['allow'] == 'DELETE, PATCH'
        assert [entry['path'] for entry in sim.requests()] == [f'/servers/{gone["id"]}']  # the control API is not logged


def test_the_dashboards_changes_are_kept_in_the_state_file(tmp_path):
    state_file = str(tmp_path / 'state.sqlite')
    with Simulator(state_file=state_file, delays=NO_DELAYS) as first:
        web, gone = first.seed(servers=[{'name': 'web', 'status': 'provisioning'}, {'name': 'gone'}])
        first.update_object('server', web['id'], name='renamed', status='failed')
        first.delete_object('server', gone['id'])
    with Simulator(state_file=state_file, delays=NO_DELAYS) as second:
        assert [(server['name'], server['status']) for server in second.objects('server')] == [('renamed', 'failed')]


# Persistence, control API, request log.

def test_state_file_survives_a_restart(tmp_path):
    state_file = tmp_path / 'state.sqlite'
    with Simulator(state_file=str(state_file), delays=NO_DELAYS) as first:
        api(first, 'POST', '/servers', {'name': 'web'})
        api(first, 'POST', '/servers/1/sites', {'domain': 'example.com', 'admin_password': 'hunter2-secret'})
        api(first, 'POST', '/servers', {'name': 'temporary'})
        api(first, 'DELETE', '/servers/2')
    with sqlite3.connect(state_file) as db:
        assert 'hunter2-secret' not in json.dumps(db.execute('SELECT * FROM objects').fetchall())
    with Simulator(state_file=str(state_file), delays=NO_DELAYS) as second:
        servers = api(second, 'GET', '/servers').data
        assert [(server['id'], server['name'], server['status']) for server in servers] == [(1, 'web', 'ready')]
        assert api(second, 'GET', '/servers/1/sites').data[0]['domain'] == 'example.com'
        assert api(second, 'GET', '/servers/1/databases').data[0]['name'] == 'example_com'
        assert api(second, 'POST', '/servers', {'name': 'next'}).data['id'] == 3
        control(second, 'POST', '/reset')
    with Simulator(state_file=str(state_file)) as third:
        assert api(third, 'GET', '/servers').data == []
        assert api(third, 'POST', '/servers', {'name': 'after-reset'}).data['id'] == 4


def test_ids_are_never_given_twice(sim):
    first = sim.seed(servers=[{'name': 'web', 'sites': [{'domain': 'example.com', 'backups': [{}]}],
                               'ssh_keys': [{'name': 'k'}], 'crons': [{'command': 'true'}]}])[0]
    assert api(sim, 'DELETE', f'/servers/{first["id"]}').status == 200
    assert api(sim, 'POST', '/servers', {'name': 'web'}).data['id'] == first['id'] + 1
    sim.reset()
    again = sim.seed(servers=[{'name': 'web', 'sites': [{'domain': 'example.com', 'backups': [{}]}],
                               'ssh_keys': [{'name': 'k'}], 'crons': [{'command': 'true'}]}])[0]
    assert again['id'] == first['id'] + 2
    assert again['sites'][0]['id'] == first['sites'][0]['id'] + 1
    assert again['sites'][0]['backups'][0]['id'] == first['sites'][0]['backups'][0]['id'] + 1
    assert again['ssh_keys'][0]['id'] == first['ssh_keys'][0]['id'] + 1
    assert again['crons'][0]['id'] == first['crons'][0]['id'] + 1
    assert sim.objects('database')[0]['id'] == 2


def test_state_file_keeps_each_objects_account(tmp_path):
    state_file = tmp_path / 'state.sqlite'
    with Simulator(state_file=str(state_file), delays=NO_DELAYS, tokens={'theirs': ['read', 'create']}) as first:
        first.seed(servers=[{'name': 'acme-web', 'sites': [{'domain': 'acme.example.com'}]}], account='acme')
        api(first, 'POST', '/servers', {'name': 'default-web'}, token='theirs')
    with sqlite3.connect(state_file) as db:  # the default account's server as a state file from before accounts has it
        rows = [(kind, object_id, json.loads(data)) for kind, object_id, data in db.execute('SELECT kind, id, data FROM objects')]
        defaults = [(kind, object_id, record) for kind, object_id, record in rows if record['account'] == 'default']
        assert [record['name'] for kind, object_id, record in defaults] == ['default-web']
        for kind, object_id, record in defaults:
            del record['account']
            db.execute('UPDATE objects SET data = ? WHERE kind = ? AND id = ?', (json.dumps(record), kind, object_id))
    with Simulator(state_file=str(state_file), delays=NO_DELAYS) as second:
        second.add_token('acme-token', account='acme')
        assert [server['name'] for server in api(second, 'GET', '/servers').data] == ['default-web']
        assert [server['name'] for server in api(second, 'GET', '/servers', token='acme-token').data] == ['acme-web']
        assert [site['domain'] for site in second.objects('site', account='acme')] == ['acme.example.com']
        assert second.objects('site') == []


def test_control_api_reset_log_config_tokens(sim):
    assert control(sim, 'GET', '/health').json == {'ok': True}
    sim.configure(rate_limit=2)
    api(sim, 'POST', '/servers', {'name': 'web'})
    api(sim, 'GET', '/servers', query={'page': 1, 'per_page': 5})
    log = control(sim, 'GET', '/requests').json['requests']
    assert [(entry['method'], entry['path'], entry['query'], entry['status']) for entry in log] == [
        ('POST', '/servers', {}, 201), ('GET', '/servers', {'page': '1', 'per_page': '5'}, 200)]
    assert control(sim, 'DELETE', '/requests').status == 200 and sim.requests() == []
    assert control(sim, 'PATCH', '/config', {'string_ids': True, 'delays': {'site_deleting': 1.5}}).json['string_ids'] is True
    config = control(sim, 'GET', '/config').json
    assert config['delays']['site_deleting'] == 1.5 and config['delays']['server_creating'] == 0
    assert control(sim, 'PATCH', '/config', {'pagination': 'sideways'}).status == 400
    assert control(sim, 'PATCH', '/config', {'no_such_key': 1}).status == 400
    assert control(sim, 'POST', '/tokens', {'token': 'reader', 'permissions': ['read']}).status == 200
    assert control(sim, 'POST', '/tokens', {'token': 'bad', 'permissions': ['admin']}).status == 400
    assert api(sim, 'GET', '/servers', token='reader').status == 200
    assert control(sim, 'POST', '/faults', {'count': 1}).status == 400
    assert control(sim, 'POST', '/reset').json == {'ok': True}
    assert sim.objects('server') == [] and sim.requests() == []
    assert sim.config['string_ids'] is False and sim.config['delays']['site_deleting'] == 0
    assert api(sim, 'GET', '/servers', token='reader').status == 401
    assert control(sim, 'GET', '/nothing').status == 404
    assert control(sim, 'POST', '/seed', {'servers': [{'status': 'ready'}]}).status == 400


def test_seed_answers_ids(sim):
    servers = [{'name': f'web-{number:03d}', 'status': 'ready', 'provider': 'vultr',
                'sites': [{'domain': f'site{number}.example.com'}], 'ssh_keys': [{'name': 'deploy', 'public_key': KNOWN_KEY}],
                'crons': [{'command': 'true', 'frequency': '@hourly'}]} for number in range(300)]
    servers[0]['status'] = 'creating'
    seeded = control(sim, 'POST', '/seed', {'servers': servers}).json['servers']
    assert len(seeded) == 300 and seeded[299]['id'] == 300 and seeded[299]['sites'][0]['id'] == 300
    assert seeded[0]['ssh_keys'][0]['fingerprint'] == KNOWN_FINGERPRINT
    assert seeded[0]['status'] == 'creating' and seeded[0]['ip_address'] is None
    assert seeded[299]['ip_address'] == '198.51.100.46'
    assert api(sim, 'GET', '/servers').json['meta']['total'] == 300
    assert sim.requests()[0]['path'] == '/servers' and len(sim.requests()) == 1


def test_request_log_never_holds_the_token_or_secrets(sim):
    sim.seed(servers=[{'name': 'web'}])
    api(sim, 'POST', '/servers/1/sites', {'domain': 'example.com', 'admin_password': 'do-not-log-me'})
    api(sim, 'POST', '/servers/1/sites', {'domain': 'bad domain', 'admin_password': 'do-not-log-me'})
    dumped = json.dumps(sim.requests())
    assert sim.token not in dumped and 'do-not-log-me' not in dumped
    assert [entry['status'] for entry in sim.requests()] == [201, 422]
    assert set(sim.requests()[0]) == {'method', 'path', 'query', 'status', 'time', 'account'}


def test_refuses_a_non_loopback_host():
    with pytest.raises(ValueError):
        Simulator(host='0.0.0.0')
    with pytest.raises(ValueError):
        Simulator(host='example.com')


def test_command_line_runs_and_stops_on_sigterm(tmp_path):
    root = os.path.dirname(os.path.dirname(os.path.abspath(sys.modules[Simulator.__module__].__file__)))
    url_file = tmp_path / 'url'
    command = [sys.executable, '-m', 'simulator', '--port', '0', '--url-file', str(url_file), '--rate-limit', '7',
               '--rate-window-start', 'clock']
    with subprocess.Popen(command, cwd=root, stdout=subprocess.PIPE, text=True) as process:
        try:
            first_line = process.stdout.readline().strip()
            url = url_file.read_text().strip()
            assert first_line == f'FlyWP API simulator: {url}'
            assert process.stdout.readline().strip() == 'Demo token: flywp-demo-token'
            connection = http.client.HTTPConnection('127.0.0.1', urlsplit(url).port, timeout=10)
            connection.request('GET', '/api/v1/servers', headers={'Authorization': 'Bearer flywp-demo-token'})
            response = connection.getresponse()
            assert response.status == 200 and response.getheader('X-RateLimit-Limit') == '7'
            response.read()
            connection.request('GET', '/_simulator/config')
            assert json.loads(connection.getresponse().read())['rate_window_start'] == 'clock'
            connection.close()
        finally:
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=10) == 0
    refused = subprocess.run([sys.executable, '-m', 'simulator', '--host', '0.0.0.0'], cwd=root, capture_output=True, text=True, timeout=30, check=False)
    assert refused.returncode == 2 and 'loopback' in refused.stderr


def test_links_follow_to_every_item(sim):
    sim.seed(servers=[{'name': f's{number}'} for number in range(23)])
    names, url = [], sim.api_url + '/servers?per_page=10'
    while url:
        parts = urlsplit(url)
        body = api(sim, 'GET', parts.path[len('/api/v1'):], query={key: values[0] for key, values in parse_qs(parts.query).items()}).json
        names += [server['name'] for server in body['data']]
        url = body['links']['next']
    assert names == [f's{number}' for number in range(23)]
