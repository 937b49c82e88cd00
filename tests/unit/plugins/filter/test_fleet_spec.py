# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""An account written as the fleet role's variables: read back by Ansible as it was read from
the API, accepted by the fleet role's checks, and what cannot be in it named at the top."""

from __future__ import annotations

import inspect

import pytest
from ansible.parsing.dataloader import DataLoader
from ansible.parsing.yaml.loader import AnsibleLoader
from ansible.template import Templar

from ansible_collections.flywp.cloud.plugins.filter.fleet_errors import fleet_errors
from ansible_collections.flywp.cloud.plugins.filter.fleet_spec import fleet_spec

ALICE = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIC2lz5xr/tOx6fiF4JKaoBnAGkF/YBS0f79JPaQyU1AL alice@example.com'


def web_1(**fields):
    server = {
        'id': 1, 'name': 'web-1', 'status': 'ready', 'provider': 'hetzner', 'region': 'fsn1', 'size': None,
        'os': 'ubuntu-24.04', 'ip_address': '203.0.113.1', 'php_versions': ['8.3'], 'created_at': '2026-12-01T10:00:00Z',
        'sites': [{'id': 1, 'server_id': 1, 'domain': 'blog.example.com', 'status': 'active', 'web_server': 'nginx',
                   'php_version': '8.3', 'title': 'Blog', 'created_at': '2026-12-01T10:00:00Z', 'backups': []}],
        'crons': [{'id': 1, 'command': 'wp cron event run --due-now', 'frequency': '*/5 * * * *', 'user': 'fly'}],
        'ssh_keys': [{'id': 1, 'name': 'alice', 'fingerprint': 'SHA256:a', 'public_key': ALICE},
                     {'id': 2, 'name': 'bob', 'fingerprint': 'SHA256:bobsfingerprint'}],
    }
    server.update(fields)
    return server


def load(document):
    return AnsibleLoader(document).get_single_data()


def load_as_vars_file(document, tmp_path):
    """The document as Ansible reads a vars file (from ansible-core 2.19 on, as trusted templates)."""
    path = tmp_path / 'fleet.yml'
    path.write_text(document, encoding='utf-8')
    loader = DataLoader()
    if 'trusted_as_template' in inspect.signature(loader.load_from_file).parameters:
        return loader.load_from_file(str(path), trusted_as_template=True)
    return loader.load_from_file(str(path))


def left_out(document):
    """The lines of the comment 'Left out of this account'."""
    if '# Left out of this account:\n' not in document:
        return []
    part = document.split('# Left out of this account:\n', 1)[1].split('---\n', 1)[0]
    return [line[len('# - '):] for line in part.splitlines()]


def test_an_account_as_the_fleet_role_takes_it():
    document = fleet_spec([web_1(), {'id': 2, 'name': 'web-2', 'status': 'provisioning', 'provider': 'vultr',
                                     'sites': [], 'crons': [], 'ssh_keys': []}])
    fleet = load(document)['fleet_servers']
    assert fleet == [
        {'name': 'web-1', 'provider': 'hetzner', 'region': 'fsn1', 'os': 'ubuntu-24.04',
         'sites': [{'domain': 'blog.example.com', 'web_server': 'nginx', 'php_version': '8.3', 'title': 'Blog'}],
         'cron_jobs': [{'command': 'wp cron event run --due-now', 'frequency': '*/5 * * * *', 'user': 'fly'}],
         'ssh_keys': [{'name': 'alice', 'public_key': ALICE}]},
        # a server not ready yet is in it: the fleet role waits for it
        {'name': 'web-2', 'provider': 'vultr'},
    ]
    assert fleet_errors(fleet) == []
    # exclusive is left at false: the keys the API shows without a public key are left alone
    assert not any(server.get('ssh_keys_exclusive') or server.get('cron_jobs_exclusive') for server in fleet)
    assert '  # SSH key "bob", "SHA256:bobsfingerprint": the API does not show its public key.' in document
    assert left_out(document) == []


def test_the_top_says_what_the_api_does_not_give_back_and_what_to_do():
    header = fleet_spec([]).split('---\n', 1)[0]
    assert all(line.startswith('#') for line in header.splitlines())
    for words in ('admin_password', 'Ansible Vault', 'fingerprint', 'ssh-keygen -lf', 'ssh_keys_exclusive is false'):
        assert words in header
    assert load(fleet_spec([])) == {'fleet_servers': []}


def test_what_the_fleet_role_would_not_converge_without_a_write_is_left_out_and_named():
    servers = [
        web_1(name='dup'), web_1(name='dup', id=2),
        web_1(name='being-deleted', id=3, status='deleting'),
        web_1(name='broken', id=4, status='failed'),
        web_1(name='x' * 300, id=5),
        web_1(name='odd', id=6, provider='linode', os='debian-12', sites=[
            {'domain': 'a.example.com', 'php_version': '7.4', 'web_server': 'apache'},
            {'domain': 'b.example.com', 'status': 'deleting'},
            {'domain': 'not a domain'}],
            crons=[{'command': 'wp a', 'frequency': 'sometimes', 'user': 'fly'},
                   {'command': 'wp b', 'frequency': '@daily'}, {'command': 'wp b', 'frequency': '@hourly', 'user': ''}],
            ssh_keys=[{'name': 'k', 'public_key': 'ssh-ed25519 AAAA'}]),
    ]
    document = load_and_check(servers)
    fleet = load(document)['fleet_servers']
    assert fleet == [{'name': 'odd', 'region': 'fsn1', 'sites': [{'domain': 'a.example.com'}]}]
    notes = left_out(document)
    expected = [
        'server "dup" (id 1): 2 servers share this name',
        'server "dup" (id 2): 2 servers share this name',
        'server "being-deleted" (id 3): being deleted.',
        'server "broken" (id 4): failed: the fleet role would wait for it to be ready and fail.',
        'server "%s" (id 5): its name is not one the fleet role takes.' % ('x' * 300),
        'server "odd": the site "b.example.com", being deleted.',
        'server "odd": its provider, "linode", which the fleet role does not take.',
        'server "odd": its os, "debian-12", which the fleet role does not take.',
        'server "odd", site "a.example.com": its web_server, "apache", which the fleet role does not take.',
        'server "odd", site "a.example.com": its php_version, "7.4", which the fleet role does not take.',
        'server "odd", site "not a domain": its domain is not one the fleet role takes.',
        'server "odd": the cron job "wp a": the fleet role does not take it.',
        'server "odd": the cron job "wp b": it is on the server 2 times',
        'server "odd": the cron job "wp b": it is on the server 2 times',
        'server "odd": the SSH key "k": the fleet role does not take it.',
    ]
    assert len(notes) == len(expected)
    for note, start in zip(notes, expected):
        assert note.startswith(start), (note, start)


def test_a_name_is_shared_as_the_modules_match_it_among_the_servers_not_gone():
    document = load_and_check([web_1(name='web', id=1), web_1(name='web', id=2, status='deleting')])
    assert [server['name'] for server in load(document)['fleet_servers']] == ['web']
    assert left_out(document) == ['server "web" (id 2): being deleted.']


def load_and_check(servers):
    document = fleet_spec(servers)
    assert fleet_errors(load(document)['fleet_servers']) == []
    return document


@pytest.mark.parametrize('text', [
    "{{ lookup('pipe', 'id') }}", '{% for x in y %}{% endfor %}', '{# c #}', 'a\u2028b', 'a\u2029b', 'é ünïcode',
    "it's", '- not a list', '# not a comment', '!vault not a tag', 'yes', '8.3', 'null', '  spaces  ', '"quoted"'])
def test_any_text_is_read_back_as_it_was_and_never_templated(text, tmp_path):
    document = load_and_check([web_1(sites=[{'domain': 'a.example.com', 'title': text}], crons=[], ssh_keys=[])])
    title = load_as_vars_file(document, tmp_path)['fleet_servers'][0]['sites'][0]['title']
    assert title == text
    assert Templar(loader=DataLoader(), variables={'y': [1]}).template(title) == text


@pytest.mark.parametrize('name', ['web\n- name: injected', 'web\u2028# x', 'web\x85x', '<script>alert(1)</script>'])
def test_no_text_of_the_api_ends_a_comment_line(name):
    document = fleet_spec([web_1(name=name, id=7, status='failed')])
    assert load(document) == {'fleet_servers': []}
    assert len(left_out(document)) == 1
    assert all(line.startswith('#') or line in ('---', 'fleet_servers: []') for line in document.splitlines())
