# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The action every flywp.cloud module runs through (plugins/action/<module>.py).

It runs the module as Ansible runs any module, with what only the controller knows in the
module's environment:

- the identity of the run (ansible-playbook, ansible, an AWX job). A check run keeps what it
  would create under that identity (hints.CheckRunPredictions), so its later tasks can show
  what they would do on it, and no other run ever sees it. The identity is a hash of the
  run's own local temporary directory (DEFAULT_LOCAL_TMP), which Ansible makes once per run,
  with a random name, before it forks its workers;
- for a module run on the controller (a local connection), the pid of the run's
  ansible-playbook process, the parent of the worker this action runs in: a module whose job
  was stopped stops too (module_utils/job.py).

Each action file also has main(), the module's: ansible-lint looks a task's plugin up among
the actions first and checks the task's options by running that file's main(), so without it
a misspelt option of a flywp.cloud task would go unreported.
"""

from __future__ import annotations

import hashlib
import importlib
import os

from ansible import constants as C
from ansible.module_utils.common.text.converters import to_bytes
from ansible.plugins.action.normal import ActionModule as NormalAction

from ansible_collections.flywp.cloud.plugins.module_utils.hints import RUN_VARIABLE
from ansible_collections.flywp.cloud.plugins.module_utils.job import JOB_VARIABLE


def run_identity():
    return hashlib.sha256(to_bytes(C.DEFAULT_LOCAL_TMP)).hexdigest()[:24]


class ModuleAction(NormalAction):
    """ansible.builtin.normal, with RUN_VARIABLE (and, on the controller, JOB_VARIABLE) in the module's environment."""

    def run(self, tmp=None, task_vars=None):
        environment = self._task.environment
        environments = list(environment) if isinstance(environment, list) else [environment] if environment else []
        if not any(isinstance(item, dict) and RUN_VARIABLE in item for item in environments):
            added = {RUN_VARIABLE: run_identity()}
            if getattr(self._connection, 'transport', None) == 'local':
                added[JOB_VARIABLE] = str(os.getppid())
            self._task.environment = environments + [added]
        return super().run(tmp, task_vars)


def module_main(name):
    """main() of the module flywp.cloud.NAME, imported when called: a task's worker, which loads
    the action, does not pay for the module's imports."""
    def main():
        importlib.import_module('ansible_collections.flywp.cloud.plugins.modules.' + name).main()
    return main
