# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection's metadata agrees with its modules: the action group, docs, versions."""

from __future__ import annotations

import os
import re

import pytest
import yaml
from ansible.plugins.loader import _does_collection_support_ansible_version, fragment_loader
from ansible.release import __version__ as ansible_version
from ansible.utils.plugin_docs import get_docstring

from ansible_collections.flywp.cloud.plugins.module_utils.module import API_ARGUMENT_SPEC
from ansible_collections.flywp.cloud.plugins.module_utils.resource_types import RESOURCES
from ansible_collections.flywp.cloud.tests.unit.module_catalogue import MODULES, MODULES_DIR, ROOT
from ansible_collections.flywp.cloud.plugins.module_utils.state_file import STATE_DIR_ENV


def read_yaml(*parts):
    with open(os.path.join(ROOT, *parts), encoding='utf-8') as handle:
        return yaml.safe_load(handle)


def documentation(module):
    """A module's DOCUMENTATION with its doc fragments merged in, as ansible-doc shows it."""
    return get_docstring(os.path.join(MODULES_DIR, module + '.py'), fragment_loader, collection_name='flywp.cloud')[0]


def test_there_are_the_modules_the_collection_promises():
    """At least the ones of the API's overview: servers, sites, SSH keys, cron jobs and backups, each
    with its _info, and database_info."""
    assert set(MODULES) >= {'backup', 'backup_info', 'cron', 'cron_info', 'database_info', 'server', 'server_info',
                            'site', 'site_info', 'ssh_key', 'ssh_key_info'}


def test_the_action_group_lists_every_module_and_nothing_else():
    runtime = read_yaml('meta', 'runtime.yml')
    assert sorted(runtime['action_groups']['all']) == MODULES


def oldest_core_tested():
    """The first of the ansible-core versions make test runs (tools/lib.sh CORES)."""
    with open(os.path.join(ROOT, 'tools', 'lib.sh'), encoding='utf-8') as handle:
        return re.search(r'^CORES=\(([^)]*)\)', handle.read(), re.M).group(1).split()[0]


def test_requires_ansible_is_the_oldest_core_make_test_runs():
    oldest = oldest_core_tested()
    assert oldest == '2.15'  # AWX's default execution environment
    assert read_yaml('meta', 'runtime.yml')['requires_ansible'] == '>=%s.0' % oldest
    for role in sorted(os.listdir(os.path.join(ROOT, 'roles'))):
        assert read_yaml('roles', role, 'meta', 'main.yml')['galaxy_info']['min_ansible_version'] == oldest


def test_the_modules_python_floor_is_the_one_sanity_checks_them_on():
    with open(os.path.join(ROOT, 'tools', 'test.sh'), encoding='utf-8') as handle:
        checked = re.search(r'^MODULES_PYTHON=(\S+)$', handle.read(), re.M).group(1)
    assert read_yaml('tests', 'config.yml')['modules']['python_requires'] == '>=%s' % checked


def test_the_core_running_these_tests_does_not_call_the_collection_unsupported():
    """Ansible's own check, which prints "Collection flywp.cloud does not support Ansible version X"
    on every command when it fails (on every core make test runs: 2.15 is the oldest)."""
    requires = read_yaml('meta', 'runtime.yml')['requires_ansible']
    assert _does_collection_support_ansible_version(requires, ansible_version), (requires, ansible_version)


@pytest.mark.parametrize('module', MODULES)
def test_every_module_documents_the_shared_api_options_and_its_group(module):
    doc = documentation(module)
    assert doc['module'] == module
    assert set(API_ARGUMENT_SPEC) <= set(doc['options'])
    assert doc['attributes']['action_group']['membership'] == ['flywp.cloud.all']
    assert doc['attributes']['check_mode']['support'] == 'full'
    # The module of a declared resource converges it, and shows the diff; an _info module and
    # flywp.cloud.api, which sends what it is given, have none to show.
    converges = module in set(rtype.name for rtype in RESOURCES)
    assert doc['attributes']['diff_mode']['support'] == ('full' if converges else 'none')


def test_the_api_token_is_never_logged():
    assert API_ARGUMENT_SPEC['api_token']['no_log'] is True


EE_STATE_DIR = '/var/lib/flywp.cloud'  # where docs/awx.md says a volume shared by jobs is mounted


@pytest.mark.parametrize('definition', [('meta', 'execution-environment.yml'),
                                        ('docs', 'examples', 'execution-environment', 'execution-environment.yml')])
def test_the_execution_environments_keep_the_state_where_a_shared_volume_is_mounted(definition):
    """The variable the collection reads (state_file.py) names a directory the image makes writable to any job's user."""
    steps = read_yaml(*definition)['additional_build_steps']['append_final']
    assert 'ENV %s=%s' % (STATE_DIR_ENV, EE_STATE_DIR) in steps
    assert 'RUN mkdir -p %s && chmod 1777 %s' % (EE_STATE_DIR, EE_STATE_DIR) in steps
    with open(os.path.join(ROOT, 'docs', 'awx.md'), encoding='utf-8') as handle:
        assert ':%s:z' % EE_STATE_DIR in handle.read()
