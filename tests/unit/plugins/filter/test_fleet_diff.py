# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What differs between an account (as account_info reads it) and a fleet_servers list."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.flywp.cloud.plugins.filter.fleet_diff import fleet_diff
from ansible_collections.flywp.cloud.plugins.module_utils.validation import ssh_public_key

ALICE = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIC2lz5xr/tOx6fiF4JKaoBnAGkF/YBS0f79JPaQyU1AL alice@example.com'
BOB = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGmv4CuxY0hNe1FAI4xqv5TSUiwFQFMr6BBS6cVTWP/t bob@laptop'


def account():
    return [
        {'id': 1, 'name': 'web-1', 'status': 'ready', 'provider': 'hetzner', 'region': 'fsn1', 'size': 'cx22',
         'os': 'ubuntu-24.04',
         'sites': [{'id': 1, 'domain': 'Blog.example.com', 'status': 'active', 'web_server': 'nginx',
                    'php_version': '8.3', 'title': 'Blog'},
                   {'id': 2, 'domain': 'old.example.com', 'status': 'deleting', 'web_server': 'nginx',
                    'php_version': '8.3', 'title': 'Old'}],
         'crons': [{'id': 1, 'command': 'wp cron event run', 'frequency': '*/5 * * * *', 'user': 'fly'}],
         'ssh_keys': [{'id': 1, 'name': 'alice', 'fingerprint': ssh_public_key(ALICE)[1]}]},
        {'id': 2, 'name': 'web-2', 'status': 'ready', 'provider': 'vultr', 'sites': []},
    ]


def fleet():
    return [
        {'name': 'web-1', 'provider': 'hetzner', 'region': 'fsn1',
         'sites': [{'domain': 'blog.example.com.', 'php_version': '8.3', 'title': 'Blog'}],
         'cron_jobs': [{'command': 'wp cron event run', 'frequency': '*/5  *  * * *'}],
         'ssh_keys': [{'name': 'alice', 'public_key': ALICE}]},
        {'name': ' web-2 '},
    ]


def short(rows):
    return [(row['server'], row['object'], row['name'], row['kind'], row['field']) for row in rows]


def test_the_account_is_the_fleet():
    # a domain's case and final dot, spaces around a name and inside a frequency, the cron
    # user's default: compared as the modules compare them; a site being deleted is not there
    assert fleet_diff(account(), fleet()) == []


def test_servers_missing_extra_absent_and_ambiguous():
    servers = account() + [{'id': 3, 'name': 'web-3', 'status': 'ready'}, {'id': 4, 'name': 'web-3', 'status': 'ready'},
                           {'id': 5, 'name': 'gone', 'status': 'deleting'}]
    wanted = fleet()[:1] + [{'name': 'web-2', 'state': 'absent'}, {'name': 'web-3'}, {'name': 'web-9'},
                            {'name': 'gone'}]
    rows = fleet_diff(servers, wanted)
    assert short(rows) == [
        ('web-2', 'server', '', 'absent', ''),
        ('web-3', 'server', '', 'ambiguous', ''),
        ('web-9', 'server', '', 'missing', ''),
        ('gone', 'server', '', 'missing', ''),
    ]
    assert rows[1]['text'] == '2 servers of the account are named web-3'
    assert short(fleet_diff(servers, fleet())) == [('web-3', 'server', '', 'extra', '')] * 2


def test_fields_that_differ_and_sites_missing_extra_absent():
    wanted = fleet()
    wanted[0].update(provider='vultr', size=None)
    wanted[0]['sites'] = [{'domain': 'blog.example.com', 'php_version': '8.2', 'web_server': 'nginx'},
                          {'domain': 'shop.example.com'}, {'domain': 'old.example.com', 'state': 'absent'}]
    servers = account()
    servers[0]['sites'].append({'id': 3, 'domain': 'extra.example.com', 'status': 'active'})
    rows = fleet_diff(servers, wanted)
    assert short(rows) == [
        ('web-1', 'server', '', 'differs', 'provider'),
        ('web-1', 'site', 'blog.example.com', 'differs', 'php_version'),
        ('web-1', 'site', 'shop.example.com', 'missing', ''),
        ('web-1', 'site', 'extra.example.com', 'extra', ''),
    ]
    assert rows[0]['text'] == 'provider: vultr in the fleet, hetzner in the account'
    assert (rows[1]['fleet'], rows[1]['account']) == ('8.2', '8.3')


def test_cron_jobs_and_ssh_keys():
    wanted = fleet()
    wanted[0]['cron_jobs'] = [{'command': 'wp cron event run', 'frequency': '@hourly'},
                              {'command': 'wp cron event run', 'frequency': '@daily', 'user': 'root'}]
    wanted[0]['ssh_keys'] = [{'name': 'alice', 'public_key': BOB}, {'name': 'carol', 'public_key': ALICE}]
    servers = account()
    servers[0]['ssh_keys'].append({'id': 2, 'name': 'dave', 'fingerprint': 'SHA256:x'})
    rows = fleet_diff(servers, wanted)
    assert short(rows) == [
        ('web-1', 'cron job', 'wp cron event run (user fly)', 'differs', 'frequency'),
        ('web-1', 'cron job', 'wp cron event run (user root)', 'missing', ''),
        ('web-1', 'SSH key', 'alice', 'differs', 'fingerprint'),
        ('web-1', 'SSH key', 'carol', 'missing', ''),
        ('web-1', 'SSH key', 'dave', 'extra', ''),
    ]
    assert rows[2]['fleet'] == ssh_public_key(BOB)[1] and rows[2]['account'] == ssh_public_key(ALICE)[1]


def test_what_the_account_was_not_read_with_or_the_fleet_does_not_list_is_not_compared():
    servers = account()
    for server in servers:
        server.pop('crons', None)
        server.pop('ssh_keys', None)
    wanted = fleet()
    wanted[0]['cron_jobs'] = [{'command': 'other', 'frequency': '@daily'}]
    assert fleet_diff(servers, wanted) == []
    wanted = fleet()
    del wanted[0]['cron_jobs'], wanted[0]['ssh_keys']
    assert fleet_diff(account(), wanted) == []


@pytest.mark.parametrize('servers, wanted', [(None, []), ([], None), ([], 'web-1')])
def test_not_lists(servers, wanted):
    with pytest.raises(AnsibleFilterError):
        fleet_diff(servers, wanted)
