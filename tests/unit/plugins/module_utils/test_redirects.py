# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A redirect is never followed (docs/api-contract.md, tolerance 9), by any method.

An API on 127.0.0.1 answers every request with a redirect to another port of 127.0.0.1,
which records what reaches it: nothing may (fault_proxy.redirecting). Followed, a 302 would
turn a write into a GET there (and a read would show that host's answer as the account's), a
307 or 308 would send the body there. Each case is one request to the API, none elsewhere,
and no write counted. PUT and PATCH, which no declared endpoint uses, are tested through
flywp.cloud.api (tests/unit/plugins/test_api_module.py), the inventory and the event source
in their own tests.
"""

from __future__ import annotations

import pytest

from ansible_collections.flywp.cloud.plugins.module_utils.client import FlyWPClient
from ansible_collections.flywp.cloud.plugins.module_utils.errors import FlyWPAPIError
from ansible_collections.flywp.cloud.plugins.module_utils.resource_types import CRON, SERVER
from ansible_collections.flywp.cloud.tests.unit.fake_clock import FakeClock
from ansible_collections.flywp.cloud.tests.unit.fault_proxy import NOWHERE, FaultProxy, redirecting

TOKEN = 'tok-redirected'
JOB = {'command': 'wp cron event run', 'frequency': '@daily'}
CALLS = {
    'GET one': lambda client: client.call(SERVER.endpoints.get, server_id=12),
    'GET a list': lambda client: client.list(SERVER.endpoints.list),
    'POST': lambda client: client.call(CRON.endpoints.create, body=JOB, server_id=12),
    'DELETE': lambda client: client.call(CRON.endpoints.delete, server_id=12, cron_id=7),
}


def client_for(url):
    clock = FakeClock()
    return FlyWPClient(TOKEN, url=url, clock=clock.time, sleep=clock.sleep)


@pytest.mark.parametrize('status', [301, 302, 307, 308])
@pytest.mark.parametrize('call', sorted(CALLS))
def test_a_redirect_is_an_error_and_nothing_reaches_where_it_points(status, call):
    method = call.split()[0]
    with redirecting(status) as (api, elsewhere, location):
        client = client_for(api.url)
        with pytest.raises(FlyWPAPIError) as raised:
            CALLS[call](client)
        assert [seen_method for seen_method, _path in api.seen] == [method]  # not followed, not tried again
        assert elsewhere.seen == []
    error, message = raised.value, str(raised.value)
    assert client.writes == 0 and client.sent == 1
    assert error.status == status and error.method == method and error.to_dict()['status'] == status
    assert 'answered %d to %s' % (status, method) in message and 'with a redirect to %s,' % location in message
    assert 'never follows' in message and 'Check api_url' in message
    assert ('the %s was not carried out' % method in message) == (method != 'GET')
    assert TOKEN not in message


@pytest.mark.parametrize('location, shown, hidden', [
    ('https://someone:hunter2@elsewhere.example/api/v1/servers/12', 'elsewhere.example/api/v1/servers/12',
     ('hunter2', 'someone')),
    ('https://elsewhere.example/' + 'x' * 5000, 'x...', ('x' * 300,)),
])
def test_a_location_is_shown_without_credentials_and_cut_short(location, shown, hidden):
    with FaultProxy(NOWHERE) as api:
        api.add('answer', status=302, headers={'Location': location})
        with pytest.raises(FlyWPAPIError) as raised:
            client_for(api.url).call(SERVER.endpoints.get, server_id=12)
    message = str(raised.value)
    assert shown in message and not any(text in message for text in hidden) and len(message) < 700
