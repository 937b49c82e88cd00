# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet role's first step: every field of fleet_servers, checked before any request."""

from __future__ import annotations

import os

import pytest
import yaml
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.flywp.cloud.plugins.filter.fleet_errors import fleet_errors

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', '..')
ALICE = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIC2lz5xr/tOx6fiF4JKaoBnAGkF/YBS0f79JPaQyU1AL alice@example.com'
PASSWORD = 'Pw-never-shown-4f1c'


def web(**fields):
    return dict({'name': 'web-1'}, **fields)


def role_spec():
    with open(os.path.join(ROOT, 'roles', 'fleet', 'meta', 'argument_specs.yml'), encoding='utf-8') as handle:
        return yaml.safe_load(handle)['argument_specs']['main']['options']


def test_the_fleet_of_the_role_readme_has_no_mistake():
    with open(os.path.join(ROOT, 'roles', 'fleet', 'README.md'), encoding='utf-8') as handle:
        readme = handle.read()
    play = yaml.safe_load(readme.split('```yaml\n', 1)[1].split('```', 1)[0])
    servers = play[0]['roles'][0]['vars']['fleet_servers']
    assert len(servers) == 2 and servers[0]['sites'] and servers[0]['ssh_keys'] and servers[0]['cron_jobs']
    assert fleet_errors(servers) == []


@pytest.mark.parametrize('servers', [None, [], [web()], (web(),)])
def test_no_servers_or_a_bare_server_is_no_mistake(servers):
    assert fleet_errors(servers) == []


def test_ansible_leaves_the_fields_to_the_role():
    # Ansible's own check of the role, which would stop at a misspelt field with the whole
    # specification as its message, sees the servers as raw elements
    spec = role_spec()
    assert spec['fleet_servers']['elements'] == 'raw'
    assert ArgumentSpecValidator(spec).validate({'fleet_servers': [web(site=[])]}).error_messages == []
    assert fleet_errors([web(site=[])]) == ["fleet_servers[0] (web-1): unknown field 'site'; did you mean 'sites'?"]


@pytest.mark.parametrize('server, message', [
    (web(site=[{'domain': 'example.com'}]), "fleet_servers[0] (web-1): unknown field 'site'; did you mean 'sites'?"),
    (web(ssh_key_exclusive=True),
     "fleet_servers[0] (web-1): unknown field 'ssh_key_exclusive'; did you mean 'ssh_keys_exclusive'?"),
    (web(sites=[{'domian': 'example.com'}]),
     "fleet_servers[0] (web-1).sites[0]: unknown field 'domian'; did you mean 'domain'?"),
    (web(cron_jobs=[{'command': 'x', 'frequency': '@daily', 'usr': 'root'}]),
     "fleet_servers[0] (web-1).cron_jobs[0]: unknown field 'usr'; did you mean 'user'?"),
    (web(ssh_keys=[{'name': 'alice', 'public_key': ALICE, 'comment': 'x'}]),
     "fleet_servers[0] (web-1).ssh_keys[0]: unknown field 'comment'; the fields are name, public_key."),
])
def test_an_unknown_field_is_named_with_the_one_it_most_resembles(server, message):
    assert fleet_errors([server])[0] == message


@pytest.mark.parametrize('server, message', [
    ({'region': 'fsn1'}, 'fleet_servers[0]: missing required arguments: name.'),
    (web(provider='ovh'), 'fleet_servers[0] (web-1): value of provider must be one of: digitalocean, vultr, '
                          'hetzner, aws, akamai, custom, got: ovh.'),
    (web(sites=[{'domain': 'example.com', 'php_version': '7.4'}]),
     'fleet_servers[0] (web-1).sites[0]: value of php_version must be one of: 8.1, 8.2, 8.3, got: 7.4.'),
    (web(sites=[{'title': 'No domain'}]), 'fleet_servers[0] (web-1).sites[0]: missing required arguments: domain.'),
    (web(sites='example.com'), "fleet_servers[0] (web-1).sites: expected a list, got a string ('example.com')."),
    (web(sites=['example.com']),
     "fleet_servers[0] (web-1).sites[0]: expected a mapping of fields, got a string ('example.com')."),
    (web(ssh_keys=[{'name': 'alice'}]), 'fleet_servers[0] (web-1).ssh_keys[0]: missing required arguments: public_key.'),
])
def test_types_choices_and_required_fields_are_those_of_the_argument_specification(server, message):
    assert fleet_errors([server]) == [message]


@pytest.mark.parametrize('servers', ['web-1', {'name': 'web-1'}, 3])
def test_fleet_servers_must_be_a_list(servers):
    assert fleet_errors(servers)[0].startswith('fleet_servers: expected a list of servers, got a ')


@pytest.mark.parametrize('server, message', [
    (web(cron_jobs=[{'command': 'x', 'frequency': '*/5 * *'}]),
     "fleet_servers[0] (web-1).cron_jobs[0]: cron frequency '*/5 * *': expected five fields"),
    (web(cron_jobs=[{'command': 'x', 'frequency': '@daily', 'user': 'deploy user'}]),
     "fleet_servers[0] (web-1).cron_jobs[0]: user 'deploy user': expected a system user name"),
    (web(cron_jobs=[{'command': '  ', 'frequency': '@daily'}]),
     'fleet_servers[0] (web-1).cron_jobs[0]: command must not be empty.'),
    (web(ssh_keys=[{'name': 'alice', 'public_key': 'ssh-rsa'}]),
     'fleet_servers[0] (web-1).ssh_keys[0]: public_key: only the key type (ssh-rsa) was given'),
    (web(ssh_keys=[{'name': 'alice', 'public_key': '"%s"' % ALICE}]),
     'fleet_servers[0] (web-1).ssh_keys[0]: public_key: the key is inside quotes: remove the quotes'),
    (web(ssh_keys=[{'name': 'alice', 'public_key': ALICE[:-20]}]),
     'fleet_servers[0] (web-1).ssh_keys[0]: public_key: the ssh-ed25519 key looks cut short'),
    (web(sites=[{'domain': 'example'}]), "fleet_servers[0] (web-1).sites[0]: domain 'example': expected a host name"),
    (web(sites=[{'domain': 'example.com', 'admin_email': 'admin'}]),
     "fleet_servers[0] (web-1).sites[0]: admin_email 'admin': expected an e-mail address"),
    (web(sites=[{'domain': 'example.com', 'title': True}]),
     'fleet_servers[0] (web-1).sites[0].title: expected a string, got the boolean true'),
    (web(region='fsn\n1'), 'fleet_servers[0] (web-1).region holds a line break'),
    ({'name': ' '}, 'fleet_servers[0]: name must not be empty.'),
])
def test_each_value_gets_the_checks_of_the_modules(server, message):
    errors = fleet_errors([server])
    assert len(errors) == 1 and errors[0].startswith(message), errors


def test_the_mistake_of_the_last_server_is_found_with_the_others_right():
    servers = [web(sites=[{'domain': 'example.com'}], ssh_keys=[{'name': 'alice', 'public_key': ALICE}]),
               {'name': 'web-2', 'cron_jobs': [{'command': 'x', 'frequency': '61 * * * *'}]}]
    assert fleet_errors(servers) == [
        "fleet_servers[1] (web-2).cron_jobs[0]: cron frequency '61 * * * *': '61' is not a valid minute field (0-59)."]


def test_what_is_listed_twice():
    servers = [web(sites=[{'domain': 'example.com'}, {'domain': 'Example.com.'}],
                   ssh_keys=[{'name': 'alice', 'public_key': ALICE}, {'name': ' alice', 'public_key': ALICE}],
                   cron_jobs=[{'command': 'x', 'frequency': '@daily'},
                              {'command': 'x ', 'frequency': '@hourly', 'user': 'fly'}]),
               {'name': 'web-1', 'state': 'absent'}]
    assert fleet_errors(servers) == [
        "fleet_servers[0] (web-1): the site 'example.com' is listed 2 times (sites[0], sites[1]): list it once.",
        "fleet_servers[0] (web-1): the SSH key 'alice' is listed 2 times (ssh_keys[0], ssh_keys[1]): list it once.",
        "fleet_servers[0] (web-1): the cron job 'x as fly' is listed 2 times (cron_jobs[0], cron_jobs[1]): "
        "list it once.",
        "The server 'web-1' is listed 2 times (fleet_servers[0], fleet_servers[1]): list it once.",
    ]


def test_the_same_job_as_two_users_is_two_jobs():
    jobs = [{'command': 'x', 'frequency': '@daily'}, {'command': 'x', 'frequency': '@daily', 'user': 'root'}]
    assert fleet_errors([web(cron_jobs=jobs)]) == []


def test_no_message_shows_a_password_or_a_key():
    private = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU\n-----END OPENSSH PRIVATE KEY-----\n'
    servers = [web(sites=[{'domain': 'example.com', 'admin_password': PASSWORD * 20}],
                   ssh_keys=[{'name': 'alice', 'public_key': private}, {'name': 'bob', 'public_key': ALICE[:-20]}])]
    errors = fleet_errors(servers)
    assert len(errors) == 3
    assert 'admin_password is 380 characters long' in errors[0]
    assert 'this is a private key' in errors[1]
    assert not any(secret in ' '.join(errors) for secret in (PASSWORD, 'b3BlbnNzaC1rZXktdjE', ALICE.split()[1][:20]))


def test_many_mistakes_are_cut_at_twenty():
    errors = fleet_errors([{'name': 'web-%d' % index, 'provider': 'ovh'} for index in range(25)])
    assert len(errors) == 21 and errors[-1] == 'And 5 more.'
