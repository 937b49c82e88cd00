# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every module's result matches its RETURN block: each module runs (present, absent, check
mode) against the simulator, and every key it returns is documented, with the documented
type, and every key documented for this case is there."""

from __future__ import annotations

import importlib
import re

import pytest
import yaml

from ansible_collections.flywp.cloud.tests.unit.fake_clock import FakeClock
from ansible_collections.flywp.cloud.tests.unit.module_catalogue import MODULES, valid_arguments
from ansible_collections.flywp.cloud.tests.unit.module_runner import run_module

CLOCK = FakeClock()
# What Ansible itself puts in a result, and the structured failure of an API error
# (plugins/doc_fragments/flywp.py).
STANDARD = {'changed', 'failed', 'msg', 'warnings', 'deprecations', 'diff', 'invocation', 'exception', 'warned',
            'failure'}
TYPES = {'dict': dict, 'list': list, 'str': str, 'int': int, 'bool': bool, 'raw': object}
KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGmv4CuxY0hNe1FAI4xqv5TSUiwFQFMr6BBS6cVTWP/t a@b'
JOB = {'command': 'wp cron event run', 'frequency': '@daily'}

# Per module, the runs: (arguments, check mode). Each set runs in order on a fresh simulator
# holding the server web-1 with the site example.com.
RUNS = {
    'server': [({'name': 'web-2', 'wait': False}, True), ({'name': 'web-2', 'wait': False}, False),
               ({'name': 'web-2', 'wait': False}, False), ({'name': 'web-2', 'state': 'absent'}, True),
               ({'name': 'web-2', 'state': 'absent'}, False), ({'name': 'web-2', 'state': 'absent'}, False)],
    'site': [({'server': 'web-1', 'domain': 'blog.example.com', 'wait': False}, True),
             ({'server': 'web-1', 'domain': 'blog.example.com', 'wait': False}, False),
             ({'server': 'web-1', 'domain': 'blog.example.com', 'state': 'absent'}, True),
             ({'server': 'web-1', 'domain': 'blog.example.com', 'state': 'absent'}, False),
             ({'server': 'web-9', 'domain': 'blog.example.com', 'state': 'absent'}, False)],
    'ssh_key': [({'server': 'web-1', 'name': 'deploy', 'public_key': KEY}, True),
                ({'server': 'web-1', 'name': 'deploy', 'public_key': KEY}, False),
                ({'server': 'web-1', 'name': 'deploy', 'state': 'absent'}, True),
                ({'server': 'web-1', 'name': 'deploy', 'state': 'absent'}, False),
                ({'server': 'web-1', 'name': 'deploy', 'state': 'absent'}, False),
                ({'server': 'web-1', 'keys': [{'name': 'deploy', 'public_key': KEY}], 'exclusive': True}, False),
                ({'server': 'web-1', 'keys': [{'name': 'deploy'}], 'state': 'absent'}, False)],
    'cron': [(dict(JOB, server='web-1'), True), (dict(JOB, server='web-1'), False),
             (dict(JOB, server='web-1', state='absent'), True), (dict(JOB, server='web-1', state='absent'), False),
             (dict(JOB, server='web-1', state='absent'), False),
             ({'server': 'web-1', 'jobs': [JOB]}, False), ({'server': 'web-1', 'jobs': [JOB], 'state': 'absent'}, False)],
    'backup': [({'server': 'web-1', 'site': 'example.com', 'wait': False}, True),
               ({'server': 'web-1', 'site': 'example.com', 'wait': False}, False),
               ({'server': 'web-1', 'site': 'example.com', 'max_age': '1d', 'wait': False}, False)],
    'account_info': [({}, False), ({'backups': False, 'crons': True, 'ssh_keys': True}, True)],
    'server_info': [({}, False), ({'name': 'web-1'}, True)],
    'site_info': [({}, False), ({'server': 'web-1', 'domain': 'example.com'}, True)],
    'ssh_key_info': [({'server': 'web-1'}, False)],
    'cron_info': [({'server': 'web-1'}, True)],
    'database_info': [({'server': 'web-1'}, False)],
    'backup_info': [({'server': 'web-1', 'site': 'example.com', 'type': 'full'}, False)],
}


@pytest.fixture(scope='module')
def simulator_options():
    return {'clock': CLOCK.time}


def documented(name):
    module = importlib.import_module('ansible_collections.flywp.cloud.plugins.modules.' + name)
    return yaml.safe_load(module.RETURN) or {}


def expected_on_success(spec, args):
    """Whether a key documented as returned `success` (`, when O(x) is given`) is due."""
    returned = spec.get('returned', '')
    if returned == 'always':
        return True
    if not returned.startswith('success'):
        return False
    given = re.search(r'when O\((\w+)\) is given', returned)
    return given is None or args.get(given.group(1)) is not None


def runs(name):
    """The runs of a module: RUNS', else its valid arguments in check mode and not."""
    return RUNS.get(name) or [(valid_arguments(name), True), (valid_arguments(name), False)]


@pytest.mark.parametrize('name', MODULES)
def test_the_result_is_what_return_documents(sim, name):
    sim.reset()
    sim.seed([{'name': 'web-1', 'sites': [{'domain': 'example.com'}]}])
    api = {'api_url': sim.api_url, 'api_token': sim.token}
    docs = documented(name)
    for args, check_mode in runs(name):
        result = run_module(name, dict(api, **args), check_mode=check_mode)
        case = (name, args, check_mode)
        assert not result.get('failed'), (case, result)
        assert set(result) - STANDARD <= set(docs), (case, 'undocumented', set(result) - STANDARD - set(docs))
        for key, spec in docs.items():
            if key in result:
                assert isinstance(result[key], TYPES[spec['type']]), (case, key, result[key])
            else:
                assert not expected_on_success(spec, args), (case, 'missing', key)
