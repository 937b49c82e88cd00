# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every module runs through its action (plugins/action/NAME.py, plugin_utils/module_action.py),
which gives it the run's identity; the action's main() is the module's, for ansible-lint. What
the action does in a run is tested by the integration target check_run."""

from __future__ import annotations

import importlib
import os

import pytest

from ansible_collections.flywp.cloud.plugins.plugin_utils.module_action import ModuleAction

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
