# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every module runs through its action (plugins/action/NAME.py, plugin_utils/module_action.py),
which gives it the run's identity; the action's main() is the module's, for ansible-lint. What
the action does in a run is tested by the integration target check_run."""

from __future__ import annotations

import importlib
import os
import types

import pytest
from ansible.plugins.action.normal import ActionModule as NormalAction

from ansible_collections.flywp.cloud.plugins.module_utils.hints import RUN_VARIABLE
from ansible_collections.flywp.cloud.plugins.module_utils.job import JOB_VARIABLE
from ansible_collections.flywp.cloud.plugins.plugin_utils.module_action import ModuleAction, run_identity

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def names(kind):
    folder = os.path.join(ROOT, 'plugins', kind)
    return sorted(name[:-3] for name in os.listdir(folder) if name.endswith('.py') and not name.startswith('_'))


def test_every_module_has_its_action_and_no_action_is_without_a_module():
    assert names('action') == names('modules')


@pytest.mark.parametrize('name', names('modules'))
def test_the_action_runs_the_module_and_its_main_is_the_modules(name, monkeypatch):
    action = importlib.import_module('ansible_collections.flywp.cloud.plugins.action.' + name)
    module = importlib.import_module('ansible_collections.flywp.cloud.plugins.modules.' + name)
    assert action.ActionModule is ModuleAction
    called = []
    monkeypatch.setattr(module, 'main', lambda: called.append(name))
    action.main()
    assert called == [name]


@pytest.mark.parametrize('transport, job', [('local', True), ('ssh', False)])
def test_the_action_gives_the_run_and_on_the_controller_the_job(monkeypatch, transport, job):
    """The run's identity always; the pid of the run's ansible-playbook (this worker's parent) only
    to a module that runs on the controller, where that pid means that process."""
    seen = []
    monkeypatch.setattr(NormalAction, 'run', lambda self, tmp=None, task_vars=None: seen.append(self._task.environment))
    action = ModuleAction.__new__(ModuleAction)
    action._task = types.SimpleNamespace(environment=[{'A': '1'}])
    action._connection = types.SimpleNamespace(transport=transport)
    action.run(task_vars={})
    added = seen[0][-1]
    assert seen[0][0] == {'A': '1'} and added[RUN_VARIABLE] == run_identity()
    assert added.get(JOB_VARIABLE) == (str(os.getppid()) if job else None)
