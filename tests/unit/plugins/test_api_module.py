# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""flywp.cloud.api, run in process against the simulator: what it sends, counted exactly in
the simulator's request log, and what it returns.

The names cost what they cost the other modules (the same requests as an _info module naming
the same server and site), a write is sent once or, in check mode, not at all, secret fields
stay out unless asked for, and every path or body it refuses sends nothing.
"""

from __future__ import annotations

import functools
import json

import pytest
from ansible.module_utils import basic

from ansible_collections.flywp.cloud.plugins.module_utils import module as module_utils
from ansible_collections.flywp.cloud.plugins.module_utils.client import FlyWPClient
from ansible_collections.flywp.cloud.tests.unit.conftest import requests_of
from ansible_collections.flywp.cloud.tests.unit.fake_clock import FakeClock
from ansible_collections.flywp.cloud.tests.unit.fault_proxy import FaultProxy, redirecting
from ansible_collections.flywp.cloud.tests.unit.module_runner import run_module

CLOCK = FakeClock()


@pytest.fixture(scope='module')
def simulator_options():
    return {'clock': CLOCK.time}


@pytest.fixture
def api(sim, monkeypatch):
    sim.reset()
    # The modules' clients wait on the simulator's fake clock: a back-off takes no real time.
    monkeypatch.setattr(module_utils, 'FlyWPClient', functools.partial(FlyWPClient, clock=CLOCK.time, sleep=CLOCK.sleep))
    return {'api_url': sim.api_url, 'api_token': sim.token}


@pytest.fixture
def fleet(sim, api):
    servers = sim.seed([{'name': 'web-1', 'sites': [{'domain': 'blog.example.com'}, {'domain': 'shop.example.com'}]},
                        {'name': 'web-2'}])
    sim.clear_requests()
    return servers


def ok(result):
    assert not result.get('failed'), result
    return result


# --- names and ids, at the cost the other modules pay ---

def test_a_server_by_name_lists_the_servers_once_then_confirms_the_name(sim, api, fleet):
    first = ok(run_module('api', dict(api, path='/servers/{server}/sites', server='web-1')))
    server_id = fleet[0]['id']
    assert [site['domain'] for site in first['json']['data']] == ['blog.example.com', 'shop.example.com']
    assert first['request'] == {'method': 'GET', 'path': '/servers/%s/sites' % server_id, 'query': None, 'body': None}
    assert first['status'] == 200 and first['changed'] is False
    assert requests_of(sim) == ['GET /servers', 'GET /servers/%s/sites' % server_id]
    ok(run_module('api', dict(api, path='/servers/{server}/sites', server='web-1')))
    assert requests_of(sim) == ['GET /servers/%s' % server_id, 'GET /servers/%s/sites' % server_id]


def test_a_server_by_id_costs_nothing_of_its_own(sim, api, fleet):
    ok(run_module('api', dict(api, path='/servers/{server}', server=str(fleet[1]['id']))))
    assert requests_of(sim) == ['GET /servers/%s' % fleet[1]['id']]


def test_a_server_named_with_digits_is_found_by_its_name_after_the_id(sim, api):
    named = sim.seed([{'name': '2024'}])[0]
    sim.clear_requests()
    result = ok(run_module('api', dict(api, path='/servers/{server}/crons', server='2024')))
    assert result['request']['path'] == '/servers/%s/crons' % named['id']
    assert requests_of(sim) == ['GET /servers/2024/crons', 'GET /servers', 'GET /servers/%s/crons' % named['id']]


@pytest.mark.parametrize('path, info, names', [
    ('/servers/{server}/ssh-keys', 'ssh_key_info', {'server': 'web-1'}),
    ('/sites/{site}/backups', 'backup_info', {'server': 'web-1', 'site': 'shop.example.com'}),
    ('/servers/{server}/sites/{site}', 'backup_info', {'server': 'web-1', 'site': 'shop.example.com'}),
])
def test_names_cost_what_they_cost_an_info_module(sim, api, fleet, monkeypatch, tmp_path, path, info, names):
    ok(run_module(info, dict(api, **names)))
    spent = requests_of(sim)
    monkeypatch.setenv('FLYWP_STATE_DIR', str(tmp_path / 'another-machine'))  # nothing remembered from the run above
    result = ok(run_module('api', dict(api, path=path, **names)))
    site = fleet[0]['sites'][1]
    assert result['request']['path'] == path.replace('{server}', str(fleet[0]['id'])).replace('{site}', str(site['id']))
    # the same requests to find the names; then the info module's own read, and the api module's path
    assert requests_of(sim) == spent[:-1] + ['GET ' + result['request']['path']]


def test_a_site_and_its_server_by_id_cost_nothing_before_the_write(sim, api, fleet):
    server_id, site_id = fleet[0]['id'], fleet[0]['sites'][0]['id']
    result = ok(run_module('api', dict(api, path='/servers/{server}/sites/{site}', method='PATCH', server=str(server_id),
                                       site=str(site_id), body={'php_version': '8.1'})))
    assert result['changed'] is True and result['json']['data']['php_version'] == '8.1'
    assert requests_of(sim) == ['PATCH /servers/%s/sites/%s' % (server_id, site_id)]
    assert [site['php_version'] for site in sim.objects('site')][0] == '8.1'


def test_a_site_by_id_and_its_server_by_name(sim, api, fleet):
    server_id, site_id = fleet[0]['id'], fleet[0]['sites'][1]['id']
    result = ok(run_module('api', dict(api, path='/servers/{server}/sites/{site}/cache/purge', method='POST',
                                       server='web-1', site=str(site_id))))
    assert result['json'] == {'message': 'Cache purged.'} and result['changed'] is True
    assert requests_of(sim) == ['GET /servers', 'POST /servers/%s/sites/%s/cache/purge' % (server_id, site_id)]


def test_no_such_server_fails_as_the_other_modules_do(sim, api, fleet):
    result = run_module('api', dict(api, path='/servers/{server}/sites', server='web-9'))
    assert result['failed'] is True and "There is no FlyWP server named 'web-9'" in result['msg']
    assert requests_of(sim) == ['GET /servers']


# --- every page ---

@pytest.mark.parametrize('cap, pages', [(100, 10), (40, 25)])
def test_every_page_of_a_thousand_servers_at_the_page_cap(sim, api, cap, pages):
    sim.seed([{'name': 'web-%04d' % number} for number in range(1, 1001)])
    sim.configure(max_per_page=cap)
    sim.clear_requests()
    result = ok(run_module('api', dict(api, path='/servers', all_pages=True, query={'sort': 'name'})))
    assert [server['name'] for server in result['all_items']] == ['web-%04d' % number for number in range(1, 1001)]
    log = sim.requests()
    assert ['%s %s' % (entry['method'], entry['path']) for entry in log] == ['GET /servers'] * pages
    wanted = [{'page': str(page), 'per_page': '100', 'sort': 'name'} for page in range(1, pages + 1)]
    assert [entry['query'] for entry in log] == wanted
    assert result['json']['meta']['current_page'] == pages and result['changed'] is False


def test_all_pages_takes_items_of_any_shape(sim, api):
    with FaultProxy(sim.api_url) as proxy:
        proxy.add('transform', change=lambda payload: {'data': ['a', {'no': 'id'}, 3]})
        result = ok(run_module('api', dict(api, api_url=proxy.url, path='/servers', all_pages=True)))
    assert result['all_items'] == ['a', {'no': 'id'}, 3]


# --- writes: sent once, and never in check mode ---

def test_a_write_whose_answer_is_lost_is_sent_once(sim, api, fleet):
    server_id = fleet[0]['id']
    with FaultProxy(sim.api_url) as proxy:
        proxy.add('lose', methods=['POST'])
        result = run_module('api', dict(api, api_url=proxy.url, path='/servers/{server}/databases', method='POST',
                                        server=str(server_id), body={'name': 'reports'}))
    assert result['failed'] is True and result['changed'] is True
    assert 'it was not sent again' in result['msg']
    assert requests_of(sim) == ['POST /servers/%s/databases' % server_id]
    assert [database['name'] for database in sim.objects('database')].count('reports') == 1


def test_a_write_answered_503_is_not_sent_again(sim, api, fleet):
    sim.queue_fault(count=1, status=503, methods=['POST'])
    result = run_module('api', dict(api, path='/servers/{server}/databases', method='POST', server=str(fleet[0]['id']),
                                    body={'name': 'reports'}))
    assert result['failed'] is True and result['failure']['status'] == 503
    assert requests_of(sim) == ['POST /servers/%s/databases' % fleet[0]['id']]


def test_a_delete_is_sent_once_where_a_typed_module_would_repeat_it(sim, api, fleet):
    server_id, site_id = fleet[0]['id'], fleet[0]['sites'][0]['id']
    sim.queue_fault(count=1, status=503, methods=['DELETE'])
    result = run_module('api', dict(api, path='/servers/{server}/sites/{site}', method='DELETE', server=str(server_id),
                                    site=str(site_id)))
    assert result['failed'] is True and result['failure']['status'] == 503
    assert requests_of(sim) == ['DELETE /servers/%s/sites/%s' % (server_id, site_id)]
    sim.queue_fault(count=1, status=503, methods=['DELETE'])
    ok(run_module('site', dict(api, server=str(server_id), domain='blog.example.com', state='absent')))
    assert requests_of(sim)[-2:] == ['DELETE /servers/%s/sites/%s' % (server_id, site_id)] * 2


def test_a_get_is_tried_again_after_a_503(sim, api, fleet):
    sim.queue_fault(count=1, status=503, methods=['GET'])
    assert ok(run_module('api', dict(api, path='/servers')))['status'] == 200
    assert requests_of(sim) == ['GET /servers'] * 2


def test_check_mode_sends_no_write_and_says_what_it_would_send(sim, api, fleet):
    body = {'domain': 'new.example.com', 'admin_password': 'correct horse',
            'settings': {'db_password': 'battery staple', 'cache': True}}
    result = ok(run_module('api', dict(api, path='/servers/{server}/sites', method='POST', server='web-1', body=body),
                           check_mode=True))
    assert result['changed'] is True and 'status' not in result and 'json' not in result
    assert result['request'] == {'method': 'POST', 'path': '/servers/%s/sites' % fleet[0]['id'], 'query': None,
                                 'body': {'domain': 'new.example.com', 'settings': {'cache': True}}}
    # not in the invocation Ansible returns and logs either: masked as a no_log option's value is
    assert 'correct horse' not in json.dumps(result) and 'battery staple' not in json.dumps(result)
    assert requests_of(sim) == ['GET /servers']


def test_a_secret_in_the_body_is_not_logged_in_any_spelling(sim, api, fleet, monkeypatch):
    """Ansible logs a mapping option as Python writes it: a backslash or a line break escaped."""
    logged = []
    # What reaches the system's log, after Ansible's masking (its place differs between cores)
    if hasattr(basic.AnsibleModule, '_log_to_syslog'):
        monkeypatch.setattr(basic, 'has_journal', False)
        monkeypatch.setattr(basic.AnsibleModule, '_log_to_syslog', lambda self, message: logged.append(message))
    else:
        monkeypatch.setattr(basic._logging, 'log_to_system', lambda message, **options: logged.append(message))  # pylint: disable=protected-access
    body = {'domain': 'new.example.com', 'admin_password': 'back\\slash\nline'}
    ok(run_module('api', dict(api, path='/servers/{server}/sites', method='POST', server='web-1', body=body),
                  check_mode=True))
    assert logged and not any(form in message for message in logged for form in ('back', 'slash', 'line'))


def test_a_number_under_a_secret_looking_name_masks_nothing_else(sim, api, fleet):
    """Only a text is hidden as a no_log value is: a number would be masked in every id and count."""
    body = {'domain': 'new.example.com', 'token_ttl': 2, 'settings': {'db_password': 'ok'}}
    result = ok(run_module('api', dict(api, path='/servers/{server}/sites', method='POST', server='web-1', body=body),
                           check_mode=True))
    assert result['request']['path'] == '/servers/%s/sites' % fleet[0]['id']
    assert '********' not in json.dumps(result)
    assert result.get('invocation', {'module_args': {'body': body}})['module_args']['body'] == body  # shown on 2.15


def test_check_mode_runs_a_get(sim, api, fleet):
    result = ok(run_module('api', dict(api, path='/servers'), check_mode=True))
    assert result['status'] == 200 and len(result['json']['data']) == 2 and requests_of(sim) == ['GET /servers']


def test_check_mode_under_a_server_an_earlier_task_would_create(sim, api, check_run):
    ok(run_module('server', dict(api, name='web-9'), check_mode=True))
    sim.clear_requests()
    write = ok(run_module('api', dict(api, path='/servers/{server}/sites', method='POST', server='web-9',
                                      body={'domain': 'example.com'}), check_mode=True))
    assert write['changed'] is True and write['request']['path'] == '/servers/{server web-9, not made yet}/sites'
    assert "The FlyWP server 'web-9' does not exist yet" in ' '.join(write['warned'])
    read = ok(run_module('api', dict(api, path='/servers/{server}/sites', server='web-9', all_pages=True),
                         check_mode=True))
    assert read['changed'] is False and read['all_items'] == [] and 'status' not in read
    assert [entry['method'] for entry in sim.requests()] == ['GET'] * len(sim.requests())
    assert sim.objects('server') == []


# --- statuses ---

def test_a_listed_error_status_returns_the_answer(sim, api):
    result = ok(run_module('api', dict(api, path='/servers/99', status_code=[200, 404])))
    assert result['status'] == 404 and result['changed'] is False
    assert result['json'] == {'message': 'No query results for model [App\\Models\\Server] 99'}


def test_an_error_status_not_listed_fails_with_the_collections_sentence(sim, api, fleet):
    result = run_module('api', dict(api, path='/servers/{server}/sites/{site}', method='PATCH', server='web-1',
                                    site='blog.example.com', body={'php_version': '7.4'}))
    assert result['failed'] is True and result['changed'] is False
    assert 'The FlyWP API answered 422 to PATCH /servers/%s/sites/%s: the request was refused. php_version: The selected ' \
           'php version is invalid.' % (fleet[0]['id'], fleet[0]['sites'][0]['id']) in result['msg']
    assert result['failure']['status'] == 422


def test_a_success_status_not_listed_fails_and_reports_the_write(sim, api, fleet):
    result = run_module('api', dict(api, path='/servers/{server}/databases', method='POST', server='web-1',
                                    body={'name': 'reports'}, status_code=[200]))
    assert result['failed'] is True and result['changed'] is True and result['status'] == 201
    assert 'which is not one of status_code (200). FlyWP carried the POST out' in result['msg']


@pytest.mark.parametrize('path, method, words', [
    ('/servers/99/sites', 'GET', 'there is no FlyWP server with id 99'),
    ('/servers/{server}/sites/999/cache/purge', 'POST', 'there is no FlyWP site with id 999'),
    ('/servers/{server}/firewall', 'GET', 'the API has no such route. This action may not be available in your FlyWP '
                                          'API version, or its path or method is not the one FlyWP gives it'),
    ('/servers/{server}', 'PUT', 'this action may not be available in your FlyWP API version'),
])
def test_errors_name_the_objects_of_a_given_path(sim, api, fleet, path, method, words):
    result = run_module('api', dict(api, path=path, method=method, **({'server': 'web-1'} if '{server}' in path else {})))
    assert result['failed'] is True and words in result['msg'], result['msg']


# --- secrets ---

def test_secret_fields_are_dropped_and_kept_only_when_asked(sim, api, fleet):
    args = dict(api, path='/servers/{server}/databases', method='POST', server='web-1')
    dropped = ok(run_module('api', dict(args, body={'name': 'first'})))
    assert 'password' not in dropped['json']['data']
    kept = ok(run_module('api', dict(args, body={'name': 'second'}, return_secrets=True, _ansible_no_log=True)))
    assert len(kept['json']['data']['password']) >= 16 and kept['warned'] == []
    warned = ok(run_module('api', dict(args, body={'name': 'third'}, return_secrets=True)))
    assert 'password' in warned['json']['data'] and 'Add no_log: true to the task' in warned['warned'][0]


def test_secret_fields_of_every_item_are_dropped(sim, api, fleet):
    sim.configure(extra_fields=True)
    result = ok(run_module('api', dict(api, path='/servers', all_pages=True)))
    assert 'password' not in json.dumps(result) and len(result['all_items']) == 2


def test_the_token_is_redacted_from_an_answer_whose_secrets_are_kept(sim, api, fleet):
    with FaultProxy(sim.api_url) as proxy:
        proxy.add('transform', change=lambda payload: {'data': {'id': 1, 'note': 'sent with %s' % sim.token,
                                                                'password': 'shown-once'}})
        result = ok(run_module('api', dict(api, api_url=proxy.url, path='/servers/%s' % fleet[0]['id'], return_secrets=True,
                                           _ansible_no_log=True)))
    assert result['json']['data'] == {'id': 1, 'note': 'sent with ********', 'password': 'shown-once'}


# --- refused before any request ---

@pytest.mark.parametrize('args, words', [
    ({'path': 'servers'}, "must start with '/': write '/servers'"),
    ({'path': 'https://evil.example/api/v1/servers'}, 'holds a scheme or a host'),
    ({'path': '//evil.example/servers'}, 'holds a scheme or a host'),
    ({'path': '/servers/../sites'}, "holds '..'"),
    ({'path': '/servers/%2e%2e/x'}, 'an encoded dot'),
    ({'path': '/servers?page=2'}, "holds '?' or '#': give the path alone, and its parameters in query"),
    ({'path': '/servers#top'}, "holds '?' or '#'"),
    ({'path': '/servers/'}, "ends with '/': write '/servers'"),
    ({'path': '/servers//sites'}, "has an empty segment"),
    ({'path': '/api/v1/servers'}, "which api_url already ends with: write '/servers'"),
    ({'path': '/servers/{server_id}', 'server': 'web-1'}, 'holds the placeholder {server_id}: the placeholders are'),
    ({'path': '/servers/x{server}', 'server': 'web-1'}, 'a placeholder is a whole segment'),
    ({'path': '/servers/{server}/sites/{server}', 'server': 'web-1'}, 'holds a placeholder twice'),
    ({'path': '/servers/{server'}, "'{' and '}' are used for nothing else"),
    ({'path': '/servers/{server}/sites'}, 'path holds {server}: give server'),
    ({'path': '/sites/{site}/backups'}, 'path holds {site}: give site'),
    ({'path': '/servers', 'server': 'web-1'}, 'server is given, but path holds no {server}'),
    ({'path': '/servers/1/sites', 'site': 'blog.example.com'}, 'site is given, but path holds no {site}'),
    ({'path': '/sites/{site}/backups', 'site': '3', 'server': 'web-1'}, 'and the site is given by id'),
    ({'path': '/sites/{site}/backups', 'site': 'blog.example.com'}, 'server is required to find the site'),
    ({'path': '/servers', 'body': {'name': 'x'}}, 'body is given for a GET'),
    ({'path': '/servers', 'method': 'POST', 'body': '{"name": "x"}'}, 'not a string; it is sent as a JSON object'),
    ({'path': '/servers', 'method': 'POST', 'body': ['name']}, 'body must be a mapping'),
    ({'path': '/servers', 'method': 'POST', 'body': {'size': float('nan')}}, 'body cannot be sent as JSON'),
    ({'path': '/servers', 'query': {'tags': ['a', 'b']}}, 'query.tags must be text, a number or a boolean'),
    ({'path': '/servers', 'all_pages': True, 'query': {'page': 2}}, 'query holds page, which all_pages sets itself'),
    ({'path': '/servers', 'method': 'POST', 'all_pages': True}, 'all_pages reads every page of a list'),
    ({'path': '/servers', 'status_code': [302]}, 'a redirect (3xx) is never followed nor taken for success'),
    ({'path': '/servers', 'status_code': [429]}, 'status_code holds 429'),
    ({'path': '/servers', 'status_code': []}, 'status_code is empty'),
    ({'path': '/servers', 'all_pages': True, 'status_code': [404]}, 'only 2xx statuses go with it'),
    ({'path': '/servers', 'method': 'TRACE'}, 'value of method must be one of'),
    ({'path': '/servers/{server}', 'server': ' '}, 'server must not be empty'),
    ({'path': '/ser vers'}, 'holds a space'),
])
def test_a_refused_path_or_body_sends_nothing(sim, api, args, words):
    result = run_module('api', dict(api, **args))
    assert result['failed'] is True and words in result['msg'], result['msg']
    assert 'Traceback' not in json.dumps(result) and sim.requests() == []


# --- redirects, by the methods no declared endpoint uses ---

@pytest.mark.parametrize('status', [301, 302, 307, 308])
@pytest.mark.parametrize('method', ['PUT', 'PATCH'])
def test_a_redirected_write_is_not_carried_out_and_reaches_nothing_else(method, status):
    with redirecting(status, '/servers/12/sites/34') as (api, elsewhere, location):
        result = run_module('api', {'api_url': api.url, 'api_token': 'tok-redirected', 'path': '/servers/12/sites/34',
                                    'method': method, 'body': {'php_version': '8.3'}})
        assert api.seen == [(method, '/servers/12/sites/34')] and elsewhere.seen == []
    assert result['failed'] is True and result['changed'] is False
    assert 'answered %d to %s /servers/12/sites/34 with a redirect to %s,' % (status, method, location) in result['msg']
    assert 'the %s was not carried out' % method in result['msg'] and 'tok-redirected' not in json.dumps(result)
