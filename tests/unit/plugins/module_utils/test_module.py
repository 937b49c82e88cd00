# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""FlyWPModule and the _info factory, through real module runs against the simulator.

The rule for a server reference (docs/development.md): digits are tried as an id first,
at no cost, then as a name; anything else is a name. Request counts come from the
simulator's log.
"""

from __future__ import annotations

import json
import os

import pytest
from ansible.module_utils.common.parameters import PASS_VARS

from ansible_collections.flywp.cloud.plugins.module_utils.client import FlyWPClient
from ansible_collections.flywp.cloud.plugins.module_utils.hints import Names
from ansible_collections.flywp.cloud.tests.unit.conftest import requests_of
from ansible_collections.flywp.cloud.tests.unit.fake_clock import FakeClock
from ansible_collections.flywp.cloud.tests.unit.fault_proxy import FaultProxy
from ansible_collections.flywp.cloud.tests.unit.module_runner import run_module

CLOCK = FakeClock()


@pytest.fixture(scope='module')
def simulator_options():
    return {'clock': CLOCK.time}


@pytest.fixture
def api(sim):
    sim.reset()
    return {'api_url': sim.api_url, 'api_token': sim.token}


JOB = {'command': 'wp cron event run', 'frequency': '@daily'}


def test_a_server_named_2024_is_found_by_its_name(sim, api):
    other, named = sim.seed([{'name': 'web-1'}, {'name': '2024'}])
    assert named['id'] != 2024
    result = run_module('cron', dict(api, server='2024', **JOB))
    assert result['changed'] is True and not result.get('failed')
    assert [job['command'] for job in sim.objects('cron')] == [JOB['command']]
    assert requests_of(sim) == ['GET /servers/2024/crons', 'GET /servers', 'GET /servers/%s/crons' % named['id'],
                                'POST /servers/%s/crons' % named['id']]
    assert other['id'] != named['id']


def test_digits_that_are_an_id_cost_no_request_of_their_own(sim, api):
    server = sim.seed([{'name': 'web-1'}])[0]
    result = run_module('cron_info', dict(api, server=str(server['id'])))
    assert result['crons'] == []
    assert requests_of(sim) == ['GET /servers/%s/crons' % server['id']]


def test_an_id_wins_over_a_name_of_the_same_digits(sim, api):
    first = sim.seed([{'name': 'web-1'}])[0]
    sim.seed([{'name': str(first['id'])}])
    run_module('cron', dict(api, server=str(first['id']), **JOB))
    assert sim.objects('cron')[0]['id'] and requests_of(sim)[-1] == 'POST /servers/%s/crons' % first['id']


def test_no_server_by_id_or_name_fails_or_is_nothing_to_remove(sim, api):
    failed = run_module('cron', dict(api, server='2024', **JOB))
    assert failed['failed'] is True and 'there is no FlyWP server with id 2024.' in failed['msg']
    assert "No server is named '2024' either" in failed['msg']
    assert requests_of(sim) == ['GET /servers/2024/crons', 'GET /servers']
    removed = run_module('cron', dict(api, server='2024', state='absent', **JOB))
    assert removed['changed'] is False and removed['cron'] == {} and not removed.get('failed')
    assert requests_of(sim) == ['GET /servers/2024/crons', 'GET /servers']


@pytest.mark.parametrize('server', ['', '   '])
def test_a_blank_server_is_refused_before_any_request(sim, api, server):
    result = run_module('ssh_key', dict(api, server=server, name='deploy', state='absent'))
    assert result['failed'] is True and 'server must not be empty' in result['msg']
    assert requests_of(sim) == []


def test_a_site_by_domain_on_a_server_named_with_digits(sim, api):
    server = sim.seed([{'name': '2024', 'sites': [{'domain': 'blog.example.com'}]}])[0]
    result = run_module('backup_info', dict(api, server='2024', site='blog.example.com'))
    assert result['backups'] == []
    site_id = server['sites'][0]['id']
    assert requests_of(sim) == ['GET /servers/2024/sites', 'GET /servers', 'GET /servers/%s/sites' % server['id'],
                                'GET /sites/%s/backups' % site_id]


# --- the _info factory: the same filters on every resource ---

@pytest.fixture
def fleet(sim, api):
    servers = sim.seed([
        {'name': 'web-1', 'sites': [{'domain': 'a.example.com'}, {'domain': 'b.example.com'}],
         'ssh_keys': [{'name': 'alice'}, {'name': 'bob'}],
         'crons': [{'command': 'wp cron event run', 'frequency': '@daily', 'user': 'fly'},
                   {'command': 'wp cron event run', 'frequency': '@daily', 'user': 'root'},
                   {'command': 'backup.sh', 'frequency': '@hourly', 'user': 'root'}]},
        {'name': 'web-2', 'sites': [{'domain': 'A.example.com'}]},
    ])
    sim.clear_requests()
    return servers


WEB_1_ID = object()  # stands for the id of the fleet's web-1


@pytest.mark.parametrize('name, args, key, expected', [
    ('server_info', {'name': ' web-2 '}, 'servers', ['web-2']),
    ('server_info', {'id': WEB_1_ID}, 'servers', ['web-1']),
    ('server_info', {'id': '99'}, 'servers', []),
    ('site_info', {'domain': 'a.EXAMPLE.com'}, 'sites', ['a.example.com', 'A.example.com']),
    ('site_info', {'server': 'web-1', 'domain': 'b.example.com'}, 'sites', ['b.example.com']),
    ('ssh_key_info', {'server': 'web-1', 'name': 'bob '}, 'ssh_keys', ['bob']),
    ('cron_info', {'server': 'web-1', 'user': 'root'}, 'crons', ['wp cron event run', 'backup.sh']),
    ('cron_info', {'server': 'web-1', 'command': 'wp cron event run', 'user': 'fly'}, 'crons', ['wp cron event run']),
    ('database_info', {'server': 'web-1', 'name': 'b_example_com'}, 'databases', ['b_example_com']),
])
def test_info_filters_by_natural_key(sim, api, fleet, name, args, key, expected):
    args = {option: str(fleet[0]['id']) if value is WEB_1_ID else value for option, value in args.items()}
    result = run_module(name, dict(api, **args))
    assert not result.get('failed'), result
    label = {'servers': 'name', 'sites': 'domain', 'ssh_keys': 'name', 'crons': 'command', 'databases': 'name'}[key]
    assert [obj[label] for obj in result[key]] == expected


def test_info_filter_by_id_on_a_child_lists_once(sim, api, fleet):
    wanted = fleet[0]['ssh_keys'][1]
    result = run_module('ssh_key_info', dict(api, server='web-1', id=str(wanted['id'])))
    assert [key['name'] for key in result['ssh_keys']] == ['bob']
    assert requests_of(sim) == ['GET /servers', 'GET /servers/%s/ssh-keys' % fleet[0]['id']]


@pytest.mark.parametrize('name', ['server_info', 'cron_info'])
def test_an_id_that_is_not_digits_is_refused_before_any_request(sim, api, name):
    result = run_module(name, dict(api, server='web-1', id='１２') if name == 'cron_info' else dict(api, id='12a'))
    assert result['failed'] is True and 'string of digits' in result['msg']
    assert requests_of(sim) == []


def test_a_missing_site_id_says_so_once(sim, api):
    result = run_module('backup_info', dict(api, site='404'))
    assert result['failed'] is True
    assert result['msg'].count('no FlyWP site with id 404') == 1


# --- a name resolved once, confirmed by the API before each use ---

def test_a_second_task_naming_the_server_confirms_it_instead_of_listing(sim, api):
    server = sim.seed([{'name': 'web-1'}, {'name': 'web-2'}])[0]
    run_module('cron_info', dict(api, server='web-1'))
    run_module('cron', dict(api, server='web-1', **JOB))
    run_module('cron_info', dict(api, server=' web-1 '))
    path, confirm = '/servers/%s/crons' % server['id'], 'GET /servers/%s' % server['id']
    assert requests_of(sim) == ['GET /servers', 'GET ' + path, confirm, 'GET ' + path, 'POST ' + path,
                                confirm, 'GET ' + path]


def test_a_remembered_server_that_was_deleted_is_resolved_afresh(sim, api):
    sim.seed([{'name': 'web-1'}])
    run_module('cron_info', dict(api, server='web-1'))
    run_module('server', dict(api, name='web-1', state='absent'))  # forgets the name
    new = sim.seed([{'name': 'web-1'}])[0]
    sim.clear_requests()
    result = run_module('cron_info', dict(api, server='web-1'))
    assert result['crons'] == [] and not result.get('failed')
    assert requests_of(sim) == ['GET /servers', 'GET /servers/%s/crons' % new['id']]


# --- check mode on an empty account: what the playbook would do ---

def test_check_mode_shows_what_a_new_server_and_what_goes_on_it_would_be(sim, api, check_run):
    runs = [
        ('server', {'name': 'web-1', 'provider': 'hetzner'}),
        ('site', {'server': 'web-1', 'domain': 'example.com'}),
        ('ssh_key', {'server': 'web-1', 'name': 'deploy',
                     'public_key': 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGmv4CuxY0hNe1FAI4xqv5TSUiwFQFMr6BBS6cVTWP/t a@b'}),
        ('cron', {'server': 'web-1', 'jobs': [JOB]}),
        ('backup', {'server': 'web-1', 'site': 'example.com', 'max_age': '1d'}),
        ('cron_info', {'server': 'web-1'}),
    ]
    results = [run_module(name, dict(api, **args), check_mode=True, diff=True) for name, args in runs]
    for (name, _args), result in zip(runs, results):
        assert not result.get('failed'), (name, result)
    assert [result['changed'] for result in results] == [True] * 5 + [False]
    assert results[0]['server']['id'] is None
    assert results[1]['site']['domain'] == 'example.com' and results[1]['site']['id'] is None
    assert 'does not exist yet' in results[1]['warned'][0]
    assert results[5]['crons'] == []
    assert [entry['method'] for entry in sim.requests()] == ['GET'] * len(sim.requests())
    assert sim.objects('server') == []


# Every _info module that reads under a parent, and its arguments naming the parent.
INFO_UNDER_A_PARENT = {
    'site_info': {'server': 'web-1'},
    'ssh_key_info': {'server': 'web-1'},
    'cron_info': {'server': 'web-1'},
    'database_info': {'server': 'web-1'},
    'backup_info': {'server': 'web-1', 'site': 'example.com'},
}


def test_the_table_above_names_every_info_module_with_a_parent():
    modules = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', 'plugins', 'modules')
    found = set(name[:-3] for name in os.listdir(modules) if name.endswith('_info.py'))
    assert found - {'server_info', 'account_info'} == set(INFO_UNDER_A_PARENT)  # the two that read the account


def check_run_info(sim, api, name):
    """A check run's server and site tasks, then the _info task `name` under what they would create."""
    for earlier, args in (('server', {'name': 'web-1'}), ('site', {'server': 'web-1', 'domain': 'example.com'})):
        assert not run_module(earlier, dict(api, **args), check_mode=True).get('failed')
    sim.clear_requests()
    result = run_module(name, dict(api, **INFO_UNDER_A_PARENT[name]), check_mode=True)
    assert not result.get('failed'), result
    return result


@pytest.mark.parametrize('name', sorted(INFO_UNDER_A_PARENT))
def test_check_mode_info_under_a_parent_an_earlier_task_would_create_is_empty(sim, api, check_run, name):
    """An empty account: what the _info task reads under has no id yet, so nothing is under it,
    and no request names it (not GET /sites/None/backups)."""
    result = check_run_info(sim, api, name)
    assert result[name[:-len('_info')] + 's'] == [], result  # sites, ssh_keys, crons, databases, backups
    assert 'does not exist yet' in ' '.join(result['warned'])
    assert not [path for path in requests_of(sim) if 'None' in path]


def test_check_mode_backup_info_under_a_new_site_on_an_existing_server_is_empty(sim, api, check_run):
    sim.seed([{'name': 'web-1'}])
    result = check_run_info(sim, api, 'backup_info')
    assert result['backups'] == [] and "site 'example.com' does not exist yet" in ' '.join(result['warned'])
    assert not [path for path in requests_of(sim) if 'None' in path]


def test_check_mode_still_fails_on_a_server_nothing_would_create(sim, api):
    run_module('server', dict(api, name='web-1'), check_mode=True)
    result = run_module('site', dict(api, server='web-9', domain='example.com'), check_mode=True)
    assert result['failed'] is True and "no FlyWP server named 'web-9'" in result['msg']
    result = run_module('site', dict(api, server='web-1', domain='example.com'))  # not in check mode
    assert result['failed'] is True and "no FlyWP server named 'web-1'" in result['msg']


def test_check_mode_with_the_null_id_of_a_new_server_says_to_name_it(sim, api):
    result = run_module('site', dict(api, server='', domain='example.com'), check_mode=True)
    assert result['failed'] is True and 'give its name' in result['msg'] and 'has no id yet' in result['msg']
    assert sim.requests() == []


# --- what is remembered never sends a write to the wrong server ---

def plant_hint(api, name, server_id):
    """The name -> id an earlier task or run left in the state file."""
    Names(FlyWPClient(api['api_token'], url=api['api_url']).state, 'server').remember({name: server_id})


def test_a_remembered_name_whose_server_was_renamed_is_resolved_afresh(sim, api):
    """alpha and beta swap names in the dashboard after a task remembered them."""
    alpha, beta = sim.seed([{'name': 'alpha'}, {'name': 'beta'}])
    run_module('cron_info', dict(api, server='alpha'))
    sim.update_object('server', alpha['id'], name='beta')
    sim.update_object('server', beta['id'], name='alpha')
    sim.clear_requests()
    result = run_module('cron', dict(api, server='alpha', **JOB))
    assert result['changed'] is True
    assert requests_of(sim) == ['GET /servers/%s' % alpha['id'], 'GET /servers', 'GET /servers/%s/crons' % beta['id'],
                                'POST /servers/%s/crons' % beta['id']]


def test_a_remembered_server_being_deleted_never_takes_the_job_of_its_rebuild(sim, api):
    """gamma was deleted and made again: the API lists the old one as deleting for a while."""
    dying, rebuilt = sim.seed([{'name': 'gamma'}, {'name': 'gamma'}])

    def deleting(payload):
        for server in payload['data'] if isinstance(payload['data'], list) else [payload['data']]:
            server['status'] = 'deleting' if server['id'] == dying['id'] else server['status']
        return payload

    with FaultProxy(sim.api_url) as proxy:
        proxy.add('transform', count=5, methods=['GET'], path='/servers', change=deleting)
        proxy.add('transform', count=5, methods=['GET'], path='/servers/%s' % dying['id'], change=deleting)
        api = dict(api, api_url=proxy.url)
        plant_hint(api, 'gamma', dying['id'])
        result = run_module('cron', dict(api, server='gamma', **JOB))
    assert result['changed'] is True
    assert requests_of(sim) == ['GET /servers/%s' % dying['id'], 'GET /servers', 'GET /servers/%s/crons' % rebuilt['id'],
                                'POST /servers/%s/crons' % rebuilt['id']]


def test_the_server_module_forgets_the_name_it_deletes_and_records_the_id_it_creates(sim, api):
    old = sim.seed([{'name': 'gamma'}])[0]
    run_module('cron_info', dict(api, server='gamma'))
    assert run_module('server', dict(api, name='gamma', state='absent'))['changed'] is True
    new = run_module('server', dict(api, name='gamma', wait=False))['server']
    sim.clear_requests()
    run_module('cron', dict(api, server='gamma', **JOB))
    assert new['id'] != old['id']
    assert requests_of(sim) == ['GET /servers/%s' % new['id'], 'GET /servers/%s/crons' % new['id'],
                                'POST /servers/%s/crons' % new['id']]


def test_after_the_api_forgot_everything_a_remembered_name_writes_nothing(sim, api):
    """The guide's playbook, then a reset: the server 'other' may now have the id 'example' had."""
    example = run_module('server', dict(api, name='example', wait=False))['server']
    assert run_module('site', dict(api, server='example', domain='example.com', wait=False))['changed'] is True
    sim.reset()
    sim.seed([{'name': 'other'}])
    result = run_module('site', dict(api, server='example', domain='example.com', wait=False))
    assert result['failed'] is True and "There is no FlyWP server named 'example'" in result['msg']
    assert sim.objects('site') == [] and example['name'] == 'example'
    assert [entry['method'] for entry in sim.requests()] == ['GET', 'GET']


def test_a_check_runs_prediction_is_never_seen_by_a_later_run(sim, api, monkeypatch):
    monkeypatch.setenv('FLYWP_CHECK_RUN', 'first-check-run')
    assert run_module('server', dict(api, name='delta'), check_mode=True)['changed'] is True
    assert not run_module('site', dict(api, server='delta', domain='example.com'), check_mode=True).get('failed')
    monkeypatch.setenv('FLYWP_CHECK_RUN', 'second-check-run')
    result = run_module('site', dict(api, server='delta', domain='example.com'), check_mode=True)
    assert result['failed'] is True and "no FlyWP server named 'delta'" in result['msg']


def test_a_missing_route_is_an_error_never_already_absent(sim, api):
    server = sim.seed([{'name': 'web-1', 'sites': [{'domain': 'example.com'}]}])[0]
    with FaultProxy(sim.api_url) as proxy:
        proxy.add('replace', count=5, path='/servers/%s/sites' % server['id'], status=404,
                  body=b'{"message": "The route api/v1/servers/%d/sites could not be found."}' % server['id'])
        result = run_module('site', dict(api, api_url=proxy.url, server=str(server['id']), domain='example.com',
                                         state='absent'))
    assert result['failed'] is True and result['changed'] is False
    assert 'GET /servers/%s/sites: the API has no such route' % server['id'] in result['msg']
    assert 'docs/api-contract.md' in result['msg'] and len(sim.objects('site')) == 1


def test_credentials_in_the_api_url_are_masked_in_the_options_and_messages(sim, api):
    url = sim.api_url.replace('http://', 'http://proxy-user:Pr0xy-Secret@')
    args = {'api_url': url, 'api_token': 'wrong-token'}
    if 'inject_invocation' in PASS_VARS:  # ansible-core 2.19 and later: the options are shown only when asked
        args['_ansible_inject_invocation'] = True
    result = run_module('server_info', args)
    assert result['failed'] is True and 'the API token was not accepted' in result['msg']
    assert 'proxy-user' not in json.dumps(result) and 'Pr0xy-Secret' not in json.dumps(result)
    assert result['invocation']['module_args']['api_url'] == sim.api_url.replace('http://', 'http://********@')
