# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run a module of the collection in this process, as Ansible would, and read its result."""

from __future__ import annotations

import contextlib
import importlib
import io
import json
from unittest import mock

from ansible.module_utils import basic

try:  # ansible-core 2.19 and later
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # 2.18
    @contextlib.contextmanager
    def patch_module_args(args):
        with mock.patch.object(basic, '_ANSIBLE_ARGS', json.dumps({'ANSIBLE_MODULE_ARGS': args}).encode()):
            yield


def run_module(name, args, check_mode=False, diff=False):
    """The result of flywp.cloud.NAME with ARGS: the dict the module printed (with 'failed' on
    failure), and under 'warned' the warnings it gave (every ansible-core version alike)."""
    module = importlib.import_module('ansible_collections.flywp.cloud.plugins.modules.' + name)
    args = dict(args, _ansible_check_mode=check_mode, _ansible_diff=diff)
    out, warned = io.StringIO(), []
    original = basic.AnsibleModule.warn

    def warn(self, warning, *more, **options):
        warned.append(warning)
        return original(self, warning, *more, **options)

    with patch_module_args(args), contextlib.redirect_stdout(out), mock.patch.object(basic.AnsibleModule, 'warn', warn):
        with contextlib.suppress(SystemExit):
            module.main()
    return dict(json.loads(out.getvalue().strip().splitlines()[-1]), warned=warned)
