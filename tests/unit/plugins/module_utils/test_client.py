# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""FlyWPClient against the running simulator, over real HTTP.

A few cases the simulator cannot produce (headers as they arrive, an Update permission,
odd error bodies, an answer cut short) use RecordingAPI, a small HTTP server of this file
that records what it receives and answers what a test queues.

The simulator and every client share one FakeClock: rate-limit windows pass when the
client sleeps through them, so no test waits for real or measures wall-clock time
(except the socket timeouts, which are the operating system's).
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import yaml

from ansible_collections.flywp.cloud.plugins.module_utils.answers import same_id
from ansible_collections.flywp.cloud.plugins.module_utils.client import COLLECTION_VERSION, PER_PAGE, USER_AGENT, FlyWPClient
from ansible_collections.flywp.cloud.plugins.module_utils.resource_types import BACKUP, SERVER, SITE, SSH_KEY
from ansible_collections.flywp.cloud.plugins.module_utils.errors import FlyWPAPIError
from ansible_collections.flywp.cloud.plugins.module_utils.declaration import ASSUMED, DOC, Endpoint
from ansible_collections.flywp.cloud.tests.unit.fake_clock import FakeClock

DEMO_TOKEN = 'flywp-demo-token'
REPO_ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', '..')
CLOCK = FakeClock()


# --- fixtures and helpers ---

@pytest.fixture(scope='module')
def simulator_options():
    return {'clock': CLOCK.time}


@pytest.fixture(autouse=True)
def fresh(sim):
    sim.reset()
    yield


class RecordingAPI:
    """An HTTP server on 127.0.0.1 that records every request and answers from a queue.

    An answer is (status, headers, body); a Content-Length larger than the body makes an
    answer cut short. With the queue empty it answers 200 {"data": {"id": 1}}.
    """

    def __init__(self):
        self.received, self.answers = [], []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = 'HTTP/1.1'

            def handle_one_request(self):
                self.raw_requestline = self.rfile.readline(65537)
                if not self.raw_requestline or not self.parse_request():
                    self.close_connection = True
                    return
                length = int(self.headers.get('Content-Length') or 0)
                body = self.rfile.read(length) if length else b''
                recorder.received.append({'method': self.command, 'path': self.path, 'headers': dict(self.headers),
                                          'body': body, 'time': CLOCK.time()})
                status, headers, payload = recorder.answers.pop(0) if recorder.answers else (200, {}, {'data': {'id': 1}})
                if not isinstance(payload, bytes):
                    payload = json.dumps(payload).encode()
                    headers = dict({'Content-Type': 'application/json'}, **headers)
                # '{authorization}' in an answer: the Authorization header received, echoed back.
                payload = payload.replace(b'{authorization}', self.headers.get('Authorization', '').encode())
                headers = dict({'Content-Length': str(len(payload))}, **headers)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)
                self.wfile.flush()
                if int(headers['Content-Length']) != len(payload):
                    self.close_connection = True

            def log_message(self, format, *args):  # pylint: disable=redefined-builtin
                pass

        self.httpd = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.httpd.daemon_threads = True
        self.url = 'http://127.0.0.1:%d/api/v1' % self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def answer(self, status, body, headers=None):
        self.answers.append((status, headers or {}, body))

    def clear(self):
        self.received, self.answers = [], []

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope='module')
def recording_api():
    server = RecordingAPI()
    yield server
    server.stop()


@pytest.fixture
def recorder(recording_api):
    recording_api.clear()
    yield recording_api


def client_for(url_or_sim, token=DEMO_TOKEN, **options):
    """A client on the fake clock the simulator shares."""
    options.setdefault('clock', CLOCK.time)
    options.setdefault('sleep', CLOCK.sleep)
    options.setdefault('backoff', 0.05)
    options.setdefault('timeout', 5)
    options.setdefault('rate_limit_timeout', 10)
    url = url_or_sim if isinstance(url_or_sim, str) else url_or_sim.api_url
    return FlyWPClient(token, url=url, **options)


def assert_no_token(token, error):
    texts = [str(error), repr(error), repr(error.args), json.dumps(error.to_dict()), json.dumps(error.result),
             ''.join(traceback.format_exception(type(error), error, error.__traceback__))]
    for text in texts:
        assert token not in text


def expect_error(token, action, *args, **kwargs):
    """The FlyWPAPIError action raises; it must not show the token anywhere."""
    with pytest.raises(FlyWPAPIError) as info:
        action(*args, **kwargs)
    assert_no_token(token, info.value)
    return info.value


def log(sim, method=None):
    """(method, path, status) of every API request the simulator saw, in order."""
    return [(entry['method'], entry['path'], entry['status']) for entry in sim.requests()
            if method is None or entry['method'] == method]


def statuses(sim, method=None):
    return [status for _method, _path, status in log(sim, method)]


def wait_for_log(sim, count, seconds=3.0):
    """Wait for requests still held by a delay fault (a real socket-level delay) to reach the log."""
    deadline = time.monotonic() + seconds
    while len(sim.requests()) < count and time.monotonic() < deadline:
        time.sleep(0.02)
    return log(sim)


def use_up_budget(sim, count):
    """Spend `count` requests of the token's rate-limit window with another client."""
    other = client_for(sim)
    for _index in range(count):
        other.list(SERVER.endpoints.list)


def closed_port():
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


# --- the transport: token, JSON, User-Agent ---

def test_collection_version_is_galaxys():
    with open(os.path.join(REPO_ROOT, 'galaxy.yml'), encoding='utf-8') as handle:
        galaxy = yaml.safe_load(handle)
    assert COLLECTION_VERSION == galaxy['version']
    assert USER_AGENT.startswith('%s.%s/%s ' % (galaxy['namespace'], galaxy['name'], galaxy['version']))


def test_sends_bearer_token_json_and_user_agent(recorder):
    recorder.answer(201, {'data': {'id': 5, 'name': 'web-1'}})
    recorder.answer(200, {'data': []})
    client = client_for(recorder.url, token='tok-abc')
    assert client.call(SERVER.endpoints.create, body={'name': 'web-1', 'provider': 'hetzner'}) == {'id': 5, 'name': 'web-1'}
    assert client.list(SERVER.endpoints.list) == []
    sent = recorder.received[0]
    assert (sent['method'], sent['path']) == ('POST', '/api/v1/servers')
    assert sent['headers']['Authorization'] == 'Bearer tok-abc'
    assert sent['headers']['Accept'] == 'application/json'
    assert sent['headers']['Content-Type'] == 'application/json'
    assert sent['headers']['User-Agent'] == USER_AGENT
    assert json.loads(sent['body']) == {'name': 'web-1', 'provider': 'hetzner'}
    assert recorder.received[1]['path'] == '/api/v1/servers?page=1&per_page=%d' % PER_PAGE


def test_the_simulator_accepts_the_token_and_the_json_body(sim):
    created = client_for(sim).call(SERVER.endpoints.create, body={'name': 'web-1', 'region': 'fra1'})
    assert (created['name'], created['region'], created['status']) == ('web-1', 'fra1', 'creating')
    assert [server['name'] for server in sim.objects('server')] == ['web-1']
    assert log(sim) == [('POST', '/servers', 201)]


def test_a_missing_token_is_refused_before_any_request():
    for token in ('', None):
        error = expect_error(DEMO_TOKEN, FlyWPClient, token, url='http://127.0.0.1:1/api/v1')
        assert 'FLYWP_API_TOKEN' in str(error) and 'api_token' in str(error)


# --- the tolerances ---

@pytest.mark.parametrize('bare_json', [False, True])
def test_an_object_with_or_without_the_envelope(sim, bare_json):
    server_id = sim.seed([{'name': 'web-1'}])[0]['id']
    sim.configure(bare_json=bare_json)
    server = client_for(sim).call(SERVER.endpoints.get, server_id=server_id)
    assert (server['id'], server['name'], server['status']) == (server_id, 'web-1', 'ready')


@pytest.mark.parametrize('bare_json, pagination, pages', [
    (False, 'meta', 3),
    (False, 'links', 3),
    (False, 'none', 1),
    (True, 'meta', 1),
])
def test_lists_are_fetched_whole_with_the_largest_pages(sim, bare_json, pagination, pages):
    sim.seed([{'name': 'web-%03d' % number} for number in range(250)])
    sim.configure(bare_json=bare_json, pagination=pagination)
    servers = client_for(sim).list(SERVER.endpoints.list)
    assert sorted(server['name'] for server in servers) == ['web-%03d' % number for number in range(250)]
    assert len(set(server['id'] for server in servers)) == 250
    sent = sim.requests()
    assert [(entry['method'], entry['path'], entry['status']) for entry in sent] == [('GET', '/servers', 200)] * pages
    assert [entry['query'] for entry in sent] == [{'page': str(page), 'per_page': str(PER_PAGE)} for page in range(1, pages + 1)]


def test_lists_follow_the_pages_when_the_api_serves_smaller_ones(sim):
    sim.seed([{'name': 'web-%03d' % number} for number in range(250)])
    sim.configure(max_per_page=40)
    assert len(client_for(sim).list(SERVER.endpoints.list)) == 250
    assert statuses(sim) == [200] * 7


def test_sent_counts_every_page_and_every_try(sim):
    sim.seed([{'name': 'web-%03d' % number} for number in range(250)])
    client = client_for(sim)
    client.list(SERVER.endpoints.list)
    assert client.sent == 3
    sim.queue_fault(count=1, status=503, methods=['GET'])
    client.list(SERVER.endpoints.list)
    assert client.sent == 7 and statuses(sim) == [200, 200, 200, 503, 200, 200, 200]


def test_an_empty_list_is_one_request(sim):
    assert client_for(sim).list(SERVER.endpoints.list) == []
    assert statuses(sim) == [200]


def test_ids_as_numeric_strings(sim):
    sim.configure(string_ids=True)
    client = client_for(sim)
    created = client.call(SERVER.endpoints.create, body={'name': 'web-1'})
    assert isinstance(created['id'], str) and created['id'].isdigit()
    assert client.call(SERVER.endpoints.get, server_id=created['id'])['name'] == 'web-1'
    listed = client.list(SERVER.endpoints.list)
    assert [server for server in listed if same_id(server['id'], int(created['id']))] == listed
    assert same_id(7, '7') and same_id('7', 7) and not same_id(7, '8') and not same_id(None, None)


@pytest.mark.parametrize('create_status', [201, 200])
def test_created_with_201_or_200(sim, create_status):
    sim.configure(create_status=create_status)
    created = client_for(sim).call(SERVER.endpoints.create, body={'name': 'web-1'})
    assert created['name'] == 'web-1'
    assert statuses(sim) == [create_status]


@pytest.mark.parametrize('delete_status', [200, 204])
def test_deleted_with_200_or_204(sim, delete_status):
    server = sim.seed([{'name': 'web-1', 'ssh_keys': [{'name': 'deploy'}]}])[0]
    sim.configure(delete_status=delete_status)
    answer = client_for(sim).call(SSH_KEY.endpoints.delete, server_id=server['id'], key_id=server['ssh_keys'][0]['id'])
    assert answer is None if delete_status == 204 else isinstance(answer, dict)
    assert sim.objects('ssh_key') == []
    assert statuses(sim) == [delete_status]


# --- errors ---

def test_401_names_the_token_settings(sim):
    error = expect_error('not-a-token-4711', client_for(sim, token='not-a-token-4711').list, SERVER.endpoints.list)
    assert (error.method, error.path, error.status, error.api_message) == ('GET', '/servers', 401, 'Unauthenticated.')
    assert 'FLYWP_API_TOKEN' in str(error) and 'api_token' in str(error)
    assert statuses(sim) == [401]


@pytest.mark.parametrize('permissions, method, permission', [
    (['read'], 'POST', 'Create'),
    (['read', 'create'], 'DELETE', 'Delete'),
    (['create', 'delete'], 'GET', 'Read'),
])
def test_403_names_the_missing_permission(sim, permissions, method, permission):
    server_id = sim.seed([{'name': 'web-1'}])[0]['id']
    token = 'partial-token-%s' % '-'.join(permissions)
    sim.add_token(token, permissions)
    client = client_for(sim, token=token)
    action = {'POST': lambda: client.call(SERVER.endpoints.create, body={'name': 'web-2'}),
              'DELETE': lambda: client.call(SERVER.endpoints.delete, server_id=server_id),
              'GET': lambda: client.call(SERVER.endpoints.get, server_id=server_id)}[method]
    error = expect_error(token, action)
    assert (error.method, error.status) == (method, 403)
    assert 'lacks the %s permission' % permission in str(error)
    assert [name for name in ('Read', 'Create', 'Update', 'Delete') if name in str(error)] == [permission]
    assert statuses(sim) == [403]


def test_403_on_an_update_names_the_update_permission(recorder, monkeypatch):
    update = Endpoint(SERVER, 'update', '/servers/{server_id}', ASSUMED, method='PATCH')
    recorder.answer(403, {'message': 'This action is unauthorized.'})
    error = expect_error('tok-abc', client_for(recorder.url, token='tok-abc').call, update, server_id=3, body={'name': 'x'})
    assert (error.method, error.path, error.status) == ('PATCH', '/servers/3', 403)
    assert 'lacks the Update permission' in str(error) and 'This action is unauthorized.' in str(error)


def test_422_lists_every_field_error(sim):
    error = expect_error(DEMO_TOKEN, client_for(sim).call, SERVER.endpoints.create, body={'provider': 'moon', 'os': 'dos'})
    assert (error.method, error.path, error.status) == ('POST', '/servers', 422)
    assert sorted(error.errors) == ['name', 'os', 'provider']
    for field, messages in error.errors.items():
        assert messages and all(isinstance(message, str) for message in messages)
        assert '%s: %s' % (field, ' '.join(messages)) in str(error)
    assert error.api_message and 'name field is required' in error.api_message


@pytest.mark.parametrize('path, status', [
    ('/servers/{server_id}/ssh-key-list/{key_id}', 404),   # no such route
    ('/servers/{server_id}/databases', 405),               # a route without DELETE
])
def test_404_or_405_on_an_assumed_endpoint_says_it_may_not_exist(sim, path, status):
    server_id = sim.seed([{'name': 'web-1'}])[0]['id']
    delete = Endpoint(SSH_KEY, 'delete', path, ASSUMED)
    error = expect_error(DEMO_TOKEN, client_for(sim).call, delete, server_id=server_id, key_id=7)
    assert (error.method, error.status) == ('DELETE', status)
    assert str(error).startswith('The FlyWP API answered %d to DELETE %s: ' % (status, error.path))
    assert 'may not be available in your FlyWP API version' in str(error)
    # On a documented endpoint, a 405 is an ordinary error; a route the API says it does not
    # have is still that, never an object that is gone.
    delete = Endpoint(SSH_KEY, 'delete', path, DOC)
    error = expect_error(DEMO_TOKEN, client_for(sim).call, delete, server_id=server_id, key_id=7)
    assert error.status == status and error.missing is None
    assert ('the API has no such route' in str(error)) is (status == 404)


def test_404_on_a_documented_endpoint_passes_the_apis_message(sim):
    error = expect_error(DEMO_TOKEN, client_for(sim).call, SERVER.endpoints.get, server_id=999)
    assert (error.method, error.path, error.status) == ('GET', '/servers/999', 404)
    assert 'may not be available' not in str(error)
    assert 'there is no FlyWP server with id 999.' in str(error)
    assert 'No query results for model' in error.api_message and error.api_message in str(error)


@pytest.mark.parametrize('name, ids, kind', [
    (SSH_KEY.endpoints.list, {'server_id': 998}, 'server'),
    (SITE.endpoints.list, {'server_id': 998}, 'server'),
    (BACKUP.endpoints.list, {'site_id': 998}, 'site'),
])
def test_404_on_a_list_names_the_missing_parent(sim, name, ids, kind):
    error = expect_error(DEMO_TOKEN, client_for(sim).list, name, **ids)
    assert error.status == 404
    assert str(error).startswith('The FlyWP API answered 404 to GET /')
    assert ': there is no FlyWP %s with id 998.' % kind in str(error)


@pytest.mark.parametrize('error_format', ['message', 'error', 'html'])
def test_error_bodies_with_message_error_or_html(sim, error_format):
    sim.configure(error_format=error_format)
    client = client_for(sim)
    missing = expect_error(DEMO_TOKEN, client.call, SERVER.endpoints.get, server_id=999)
    refused = expect_error(DEMO_TOKEN, client.call, SERVER.endpoints.create, body={})
    assert (missing.status, refused.status) == (404, 422)
    if error_format == 'html':
        assert missing.api_message is None and refused.errors == {}
        assert str(missing) == 'The FlyWP API answered 404 to GET /servers/999: there is no FlyWP server with id 999.'
        assert str(refused) == 'The FlyWP API answered 422 to POST /servers.'
    else:
        assert 'No query results for model' in missing.api_message and missing.api_message in str(missing)
        assert refused.errors == {'name': ['The name field is required.']}
        assert 'name: The name field is required.' in str(refused)


def test_error_body_with_only_field_errors(recorder):
    recorder.answer(422, {'errors': {'name': ['Too long.', 'Bad characters.'], 'size': 'Unknown size.'}})
    error = expect_error('tok-abc', client_for(recorder.url, token='tok-abc').call, SERVER.endpoints.create, body={'name': 'x'})
    assert error.api_message is None
    assert error.errors == {'name': ['Too long.', 'Bad characters.'], 'size': ['Unknown size.']}
    assert str(error) == ('The FlyWP API answered 422 to POST /servers: the request was refused. '
                          'name: Too long. Bad characters. size: Unknown size.')


def test_a_success_answer_that_is_not_json(recorder):
    recorder.answer(200, b'<html><body>Welcome</body></html>', {'Content-Type': 'text/html'})
    error = expect_error('tok-abc', client_for(recorder.url, token='tok-abc').call, SERVER.endpoints.get, server_id=1)
    assert (error.method, error.path, error.status) == ('GET', '/servers/1', 200)
    assert 'not JSON' in str(error) and 'text/html' in str(error)


def test_500_is_not_retried(sim):
    sim.queue_fault(count=1, status=500)
    error = expect_error(DEMO_TOKEN, client_for(sim).list, SERVER.endpoints.list)
    assert error.status == 500 and 'the FlyWP service failed' in str(error)
    assert statuses(sim) == [500]


def test_an_api_that_echoes_the_token_does_not_leak_it(recorder):
    echo = 'Authorization was {authorization}'
    recorder.answer(422, {'message': echo, 'error': echo, 'errors': {'token': [echo]}})
    recorder.answer(400, {'error': echo})
    recorder.answer(401, b'<html>' + echo.encode() + b'</html>', {'Content-Type': 'text/html'})
    client = client_for(recorder.url, token='secret-token-0042')
    for status in (422, 400, 401):
        error = expect_error('secret-token-0042', client.call, SERVER.endpoints.create, body={'name': 'x'})
        assert error.status == status
        if status == 422:
            assert error.api_message == 'Authorization was Bearer ********'
            assert error.errors == {'token': ['Authorization was Bearer ********']}
    assert all(entry['headers']['Authorization'] == 'Bearer secret-token-0042' for entry in recorder.received)


# --- 429: wait and retry, any method ---

@pytest.mark.parametrize('mode', ['retry-after', 'http-date', 'reset-only'])
def test_429_is_waited_out_as_the_headers_say(sim, mode):
    sim.configure(rate_limit=2, rate_window=1.0, rate_limit_headers=mode)
    use_up_budget(sim, 2)
    client = client_for(sim)
    slept = len(CLOCK.sleeps)
    assert client.list(SERVER.endpoints.list) == []
    # One 429, then the retry came after the window had passed.
    assert statuses(sim) == [200, 200, 429, 200]
    assert sum(CLOCK.sleeps[slept:]) == pytest.approx(client.budget.waited) and client.budget.waited > 0
    if mode == 'retry-after':
        assert client.budget.waited == pytest.approx(1.0, abs=0.001)  # Retry-After: 1, and nothing more
    else:
        # The end of the window, said in whole seconds: late by less than one, never early.
        assert 1.0 <= client.budget.waited < 2.0


def test_429_without_a_header_on_the_end_backs_off_until_it_clears(sim):
    sim.configure(rate_limit=2, rate_window=1.0, rate_limit_headers='none')
    use_up_budget(sim, 2)
    client = client_for(sim)
    assert client.list(SERVER.endpoints.list) == []
    seen = statuses(sim)
    assert seen[:3] == [200, 200, 429] and seen[-1] == 200 and set(seen[2:-1]) == {429}
    assert len(seen) <= 7  # backoff 0.1, 0.2, 0.4, 0.8 s (with jitter) passes a window of 1 s
    assert client.budget.waited <= 2.5


def test_429_without_any_header_backs_off_exponentially_with_jitter(recorder):
    recorder.answer(429, {'message': 'Too Many Attempts.'})
    recorder.answer(429, {'message': 'Too Many Attempts.'})
    client = client_for(recorder.url, token='tok-abc', backoff=1.0)
    assert client.call(SERVER.endpoints.get, server_id=1) == {'id': 1}
    first, second, third = [entry['time'] for entry in recorder.received]
    assert 2.0 <= second - first < 3.0    # backoff * 2, plus up to half of it as jitter
    assert 4.0 <= third - second < 6.0    # backoff * 4, plus jitter
    assert client.budget.waited != pytest.approx(6.0, abs=1e-6)


def test_429_retries_a_post_too(sim):
    sim.configure(rate_limit=1, rate_window=1.0)
    use_up_budget(sim, 1)
    created = client_for(sim).call(SERVER.endpoints.create, body={'name': 'web-1'})
    assert created['name'] == 'web-1'
    assert statuses(sim, 'POST') == [429, 201]
    assert [server['name'] for server in client_for(sim).list(SERVER.endpoints.list)] == ['web-1']


@pytest.mark.parametrize('rate_limit_timeout', [0, 1])
def test_429_fails_when_the_wait_would_pass_rate_limit_timeout(sim, rate_limit_timeout):
    sim.configure(rate_limit=1, rate_window=2.0)
    use_up_budget(sim, 1)
    client = client_for(sim, rate_limit_timeout=rate_limit_timeout)
    error = expect_error(DEMO_TOKEN, client.call, SERVER.endpoints.create, body={'name': 'web-1'})
    assert (error.method, error.path, error.status) == ('POST', '/servers', 429)
    assert 'rate_limit_timeout (%s s' % rate_limit_timeout in str(error)
    assert client.budget.waited == 0
    assert statuses(sim) == [200, 429]
    assert sim.objects('server') == []


def test_rate_limit_timeout_is_spent_over_several_waits(sim):
    sim.configure(rate_limit=1, rate_window=1.0)
    server_id = sim.seed([{'name': 'web-1'}])[0]['id']
    client = client_for(sim, rate_limit_timeout=1.2)
    client.call(SERVER.endpoints.get, server_id=server_id)
    client.call(SERVER.endpoints.get, server_id=server_id)  # sent into the unknown end: its 429 says one second
    assert client.budget.waited == pytest.approx(1.0)
    error = expect_error(DEMO_TOKEN, client.call, SERVER.endpoints.get, server_id=server_id)
    assert error.status == 429 and 'already spent' in str(error) and 'rate_limit_timeout (1.2 s' in str(error)
    assert '1 requests per 1 s per token' in str(error)  # the API's own limit, and the window learned
    assert statuses(sim) == [200, 429, 200]  # the third call was not sent: it would have been refused


# --- pacing by what the API said, never by a guess ---

def test_one_429_tells_the_window_and_pacing_avoids_the_next(sim):
    sim.configure(rate_limit=4, rate_window=1.0)
    server_id = sim.seed([{'name': 'web-1'}])[0]['id']
    client = client_for(sim)
    for _index in range(12):  # three windows' worth
        assert client.call(SERVER.endpoints.get, server_id=server_id)['id'] == server_id
    assert statuses(sim) == [200] * 4 + [429] + [200] * 8
    # The told end, then the learned length from the answer that opened the second window.
    assert client.budget.waited == pytest.approx(1.0 + 1.0)


# --- 502/503/504, dropped connections, timeouts ---

@pytest.mark.parametrize('status', [502, 503, 504])
def test_proxy_errors_are_retried_for_get(sim, status):
    sim.queue_fault(count=2, status=status)
    assert client_for(sim).list(SERVER.endpoints.list) == []
    assert statuses(sim) == [status, status, 200]


def test_proxy_errors_are_retried_a_bounded_number_of_times(sim):
    sim.queue_fault(count=10, status=503)
    error = expect_error(DEMO_TOKEN, client_for(sim).list, SERVER.endpoints.list)
    assert (error.method, error.status, error.api_message) == ('GET', 503, None)
    assert 'tried 4 times' in str(error)
    assert statuses(sim) == [503] * 4


@pytest.mark.parametrize('fault', [{'status': 502}, {'drop': True}])
def test_delete_is_retried(sim, fault):
    server = sim.seed([{'name': 'web-1', 'ssh_keys': [{'name': 'deploy'}]}])[0]
    sim.queue_fault(count=1, methods=['DELETE'], **fault)
    client_for(sim).call(SSH_KEY.endpoints.delete, server_id=server['id'], key_id=server['ssh_keys'][0]['id'])
    assert statuses(sim) == [fault.get('status', 0), 200]
    assert sim.objects('ssh_key') == []


@pytest.mark.parametrize('fault', [{'status': 502}, {'drop': True}])
def test_a_retried_delete_that_answers_404_is_done(sim, fault):
    server = sim.seed([{'name': 'web-1', 'ssh_keys': [{'name': 'deploy'}]}])[0]
    ids = {'server_id': server['id'], 'key_id': server['ssh_keys'][0]['id']}
    client = client_for(sim)
    client.call(SSH_KEY.endpoints.delete, **ids)  # as if the first try went through before the proxy failed
    sim.queue_fault(count=1, methods=['DELETE'], **fault)
    assert client.call(SSH_KEY.endpoints.delete, **ids) is None
    assert statuses(sim) == [200, fault.get('status', 0), 404]
    # Without an earlier failed try, a 404 is an error.
    error = expect_error(DEMO_TOKEN, client.call, SSH_KEY.endpoints.delete, **ids)
    assert error.status == 404


def test_post_is_not_retried_on_503(sim):
    sim.queue_fault(count=1, status=503, methods=['POST'])
    client = client_for(sim)
    slept = len(CLOCK.sleeps)
    error = expect_error(DEMO_TOKEN, client.call, SERVER.endpoints.create, body={'name': 'web-1'})
    assert CLOCK.sleeps[slept:] == []  # no backoff: nothing is tried again
    assert (error.method, error.status) == ('POST', 503)
    assert 'tried' not in str(error)
    assert statuses(sim, 'POST') == [503]
    assert client.list(SERVER.endpoints.list) == []  # a second POST would have created it
    client.call(SERVER.endpoints.create, body={'name': 'web-1'})
    assert [server['name'] for server in client.list(SERVER.endpoints.list)] == ['web-1']


def test_post_is_not_resent_after_a_dropped_connection(sim):
    sim.queue_fault(count=1, drop=True, methods=['POST'])
    client = client_for(sim)
    error = expect_error(DEMO_TOKEN, client.call, SERVER.endpoints.create, body={'name': 'web-1'})
    assert (error.method, error.path, error.status) == ('POST', '/servers', None)
    assert 'Could not reach the FlyWP API for POST /servers' in str(error) and 'tried' not in str(error)
    assert statuses(sim, 'POST') == [0]
    assert client.list(SERVER.endpoints.list) == []


def test_get_is_retried_after_a_timeout(sim):
    sim.queue_fault(count=1, delay=1.2, methods=['GET'])
    assert client_for(sim, timeout=0.5).list(SERVER.endpoints.list) == []
    assert wait_for_log(sim, 2) == [('GET', '/servers', 200)] * 2  # the slow one is logged when it ends


def test_post_is_not_resent_after_a_timeout(sim):
    sim.queue_fault(count=1, delay=1.2, methods=['POST'])
    error = expect_error(DEMO_TOKEN, client_for(sim, timeout=0.5).call, SERVER.endpoints.create, body={'name': 'web-1'})
    assert error.method == 'POST' and 'no answer in time' in str(error) and 'api_timeout' in str(error)
    assert wait_for_log(sim, 1) == [('POST', '/servers', 201)]
    # The API went on with the request: there is exactly one server, not two.
    assert [server['name'] for server in client_for(sim).list(SERVER.endpoints.list)] == ['web-1']
    assert statuses(sim, 'POST') == [201]


def test_an_unreachable_api(sim):
    url = 'http://127.0.0.1:%d/api/v1' % closed_port()
    error = expect_error(DEMO_TOKEN, client_for(url).list, SERVER.endpoints.list)
    assert 'Could not reach the FlyWP API for GET /servers at http://127.0.0.1' in str(error)
    assert 'tried 4 times' in str(error)
    error = expect_error(DEMO_TOKEN, client_for(url).call, SERVER.endpoints.create, body={'name': 'web-1'})
    assert 'tried' not in str(error)


def test_an_answer_cut_short_is_a_connection_error(recorder):
    cut = (b'{"data": [', {'Content-Type': 'application/json', 'Content-Length': '100'})
    recorder.answer(200, cut[0], cut[1])
    client = client_for(recorder.url, token='tok-abc')
    assert client.call(SERVER.endpoints.get, server_id=1) == {'id': 1}  # retried
    assert len(recorder.received) == 2
    recorder.clear()
    recorder.answer(201, cut[0], cut[1])
    error = expect_error('tok-abc', client.call, SERVER.endpoints.create, body={'name': 'x'})
    assert error.method == 'POST' and 'Could not reach the FlyWP API' in str(error)
    assert len(recorder.received) == 1


def test_a_redirect_to_the_same_place_is_one_request_and_an_error(recorder):
    for _index in range(31):
        recorder.answer(302, b'', {'Location': '/api/v1/servers/1'})
    error = expect_error('tok-abc', client_for(recorder.url, token='tok-abc').call, SERVER.endpoints.get, server_id=1)
    assert error.method == 'GET' and error.status == 302 and 'never follows' in str(error)
    assert len(recorder.received) == 1  # not followed, and not tried again (tests/unit/plugins/module_utils/test_redirects.py)


# --- where the token may go ---

@pytest.mark.parametrize('url', ['http://127.0.0.1:{port}/api/v1', 'http://localhost:{port}/api/v1'])
def test_plain_http_to_a_loopback_address(sim, url):
    client = client_for(url.format(port=sim.port))
    assert client.list(SERVER.endpoints.list) == []
    assert FlyWPClient(DEMO_TOKEN, url='http://[::1]:8765/api/v1').base_url == 'http://[::1]:8765/api/v1'
    assert FlyWPClient(DEMO_TOKEN, url='https://app.flywp.com/api/v1/').base_url == 'https://app.flywp.com/api/v1'


@pytest.mark.parametrize('url', ['http://10.0.0.1/api/v1', 'http://example.com/api/v1', 'http://192.168.1.10:8765/api/v1',
                                 'http://localhost.example.com/api/v1'])
def test_plain_http_elsewhere_is_refused_without_connecting(url, monkeypatch):
    attempts = []
    monkeypatch.setattr(socket.socket, 'connect', lambda _socket, address: attempts.append(address))
    error = expect_error(DEMO_TOKEN, FlyWPClient, DEMO_TOKEN, url=url)
    assert attempts == []
    assert 'Refusing to send the FlyWP API token over plain http://' in str(error) and 'https://' in str(error)


@pytest.mark.parametrize('url', ['ftp://app.flywp.com/api/v1', 'file:///etc/passwd', 'app.flywp.com/api/v1', 'https://'])
def test_urls_that_are_not_http_are_refused(url):
    error = expect_error(DEMO_TOKEN, FlyWPClient, DEMO_TOKEN, url=url)
    assert 'is not an http(s) URL' in str(error)


@pytest.mark.parametrize('status', [400, 401, 403, 404, 405, 422, 500, 503])
def test_no_error_shows_the_token(recorder, status):
    """Whatever the status, the error (message, repr, structured failure, traceback) holds no token,
    even when the API echoes the Authorization header in every part of its body."""
    echo = 'Authorization was {authorization}'
    for _attempt in range(4):
        recorder.answer(status, {'message': echo, 'error': echo, 'errors': {'token': [echo]}})
    token = 'secret-token-%d' % status
    for method_endpoint in (SERVER.endpoints.list, SERVER.endpoints.create):
        error = expect_error(token, client_for(recorder.url, token=token).call, method_endpoint, body={'name': 'x'})
        assert error.status == status
        recorder.clear()
        for _attempt in range(4):
            recorder.answer(status, {'message': echo, 'error': echo, 'errors': {'token': [echo]}})


@pytest.mark.parametrize('suffix', ['', '/api', '/api/v2'])
def test_an_api_url_without_its_version_says_to_check_api_url(sim, suffix):
    url = sim.api_url[:-len('/api/v1')] + suffix
    error = expect_error(DEMO_TOKEN, client_for(url).list, SERVER.endpoints.list)
    assert error.status == 404 and 'Check api_url (or FLYWP_API_URL)' in str(error)
    assert 'https://app.flywp.com/api/v1' in str(error)


def test_a_missing_token_is_one_sentence_for_every_module(sim):
    from ansible_collections.flywp.cloud.tests.unit.module_runner import run_module  # pylint: disable=import-outside-toplevel
    for name, args in [('server', {'name': 'web-1'}), ('cron_info', {'server': 'web-1'})]:
        result = run_module(name, dict(args, api_url=sim.api_url))
        assert result['msg'] == 'No FlyWP API token: set the api_token option or the FLYWP_API_TOKEN environment variable.'
    assert sim.requests() == []


# --- credentials written into api_url ---

@pytest.mark.parametrize('userinfo', ['proxy-user:Pr0xy%2FSecret', 'proxy-user:Pr0xy-Secret'])
def test_credentials_in_the_url_are_never_shown(userinfo):
    """An unreachable URL with a user and password: the error names the URL without them."""
    url = 'http://%s@127.0.0.1:9/api/v1' % userinfo
    error = expect_error(DEMO_TOKEN, client_for(url, timeout=1).list, SERVER.endpoints.list)
    shown = str(error) + repr(error.to_dict())
    assert 'Could not reach the FlyWP API' in shown and '********@127.0.0.1:9' in shown
    assert 'Pr0xy' not in shown and 'proxy-user' not in shown
