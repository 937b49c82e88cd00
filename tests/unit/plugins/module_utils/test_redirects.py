# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A redirect is never followed (docs/api-contract.md, tolerance 9), by any method.

An API on 127.0.0.1 answers every request with a redirect to another port of 127.0.0.1,
which records what reaches it: nothing may. Followed, a 302 would turn a write into a GET
there (and a read would show that host's answer as the account's), a 307 or 308 would send
the body there. Each case is one request to the API, none elsewhere, and no write counted.
PUT and PATCH, which no declared endpoint uses, are tested through flywp.cloud.api
(tests/unit/plugins/test_api_module.py).
"""

from __future__ import annotations

import pytest

from ansible_collections.flywp.cloud.plugins.module_utils.client import FlyWPClient
from ansible_collections.flywp.cloud.plugins.module_utils.errors import FlyWPAPIError
from ansible_collections.flywp.cloud.plugins.module_utils.resource_types import CRON, SERVER
from ansible_collections.flywp.cloud.tests.unit.fake_clock import FakeClock
from ansible_collections.flywp.cloud.tests.unit.loopback_server import LoopbackServer

REDIRECTS = (301, 302, 307, 308)
TOKEN = 'tok-redirected'
JOB = {'command': 'wp cron event run', 'frequency': '@daily'}


@pytest.fixture(scope='module')
def elsewhere():
    with LoopbackServer(body={'data': []}) as server:
        yield server


@pytest.fixture
def redirecting(elsewhere, request):
    elsewhere.clear()
    with LoopbackServer(status=request.param, location=elsewhere.url) as api:
        yield api


def client_for(url):
    clock = FakeClock()
    return FlyWPClient(TOKEN, url=url, clock=clock.time, sleep=clock.sleep)


CALLS = {
    'GET one': lambda client: client.call(SERVER.endpoints.get, server_id=12),
    'GET a list': lambda client: client.list(SERVER.endpoints.list),
    'POST': lambda client: client.call(CRON.endpoints.create, body=JOB, server_id=12),
    'DELETE': lambda client: client.call(CRON.endpoints.delete, server_id=12, cron_id=7),
}


@pytest.mark.parametrize('redirecting', REDIRECTS, indirect=True)
@pytest.mark.parametrize('call', sorted(CALLS))
def test_a_redirect_is_an_error_and_nothing_reaches_where_it_points(redirecting, elsewhere, call):
    client = client_for(redirecting.url)
    with pytest.raises(FlyWPAPIError) as raised:
        CALLS[call](client)
    error, method = raised.value, call.split()[0]
    assert redirecting.methods() == [method]  # one request: not followed, not tried again
    assert elsewhere.seen == []
    assert client.writes == 0 and client.sent == 1
    assert error.status == redirecting.status and error.method == method
    message = str(error)
    assert 'answered %d to %s' % (redirecting.status, method) in message
    assert 'with a redirect to %s/servers/12' % elsewhere.url in message or method == 'GET'
    assert 'never follows' in message and 'Check api_url' in message
    assert ('the %s was not carried out' % method in message) == (method != 'GET')
    assert TOKEN not in message and error.to_dict()['status'] == redirecting.status


@pytest.mark.parametrize('redirecting', [302], indirect=True)
def test_credentials_in_a_location_are_not_shown(redirecting):
    redirecting.location = 'https://someone:hunter2@elsewhere.example/api/v1'
    with pytest.raises(FlyWPAPIError) as raised:
        client_for(redirecting.url).call(SERVER.endpoints.get, server_id=12)
    assert 'hunter2' not in str(raised.value) and 'someone' not in str(raised.value)
    assert 'elsewhere.example/api/v1/servers/12' in str(raised.value)


@pytest.mark.parametrize('redirecting', [302], indirect=True)
def test_a_long_location_is_cut_short(redirecting):
    redirecting.location = 'https://elsewhere.example/' + 'x' * 5000
    with pytest.raises(FlyWPAPIError) as raised:
        client_for(redirecting.url).call(SERVER.endpoints.get, server_id=12)
    assert len(str(raised.value)) < 700 and 'x...' in str(raised.value)
