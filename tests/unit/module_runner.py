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
from ansible.module_utils.common import warnings as core_warnings

try:  # ansible-core 2.19 and later
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # 2.18
    @contextlib.contextmanager
    def patch_module_args(args):
        with mock.patch.object(basic, '_ANSIBLE_ARGS', json.dumps({'ANSIBLE_MODULE_ARGS': args}).encode()):
            yield


# ansible-core 2.22 and later: the values a module registered as secrets (its no_log options'),
# under this key of its raw JSON. The controller takes the key out and masks the values wherever
# they are shown, with this placeholder (ansible.module_utils.secrets.mask_secrets).
NEW_SECRETS = '_ansible_new_secrets'
MASK = '$REDACTED$'


def as_the_controller_sees_it(raw):
    """A module's raw JSON result as the controller hands it on: without NEW_SECRETS, and with
    each of those values (stripped of surrounding blanks, as the controller registers them)
    replaced by MASK in every string of the result, keys included."""
    result = dict(raw)
    secrets = set(str(secret).strip(' \t\r\n') for secret in result.pop(NEW_SECRETS, None) or ())
    secrets = sorted((secret for secret in secrets if secret), key=len, reverse=True)

    def mask(value):
        if isinstance(value, str):
            for secret in secrets:
                value = value.replace(secret, MASK)
            return value
        if isinstance(value, dict):
            return dict((mask(key), mask(item)) for key, item in value.items())
        if isinstance(value, list):
            return [mask(item) for item in value]
        return value

    return mask(result) if secrets else result


def run_module(name, args, check_mode=False, diff=False):
    """The result of flywp.cloud.NAME with ARGS: the dict the module printed, as the controller
    hands it on (as_the_controller_sees_it), with 'failed' on failure, and under 'warned' the
    warnings it gave (every ansible-core version alike)."""
    module = importlib.import_module('ansible_collections.flywp.cloud.plugins.modules.' + name)
    args = dict(args, _ansible_check_mode=check_mode, _ansible_diff=diff)
    out, warned = io.StringIO(), []
    original = basic.AnsibleModule.warn

    def warn(self, warning, *more, **options):
        warned.append(warning)
        return original(self, warning, *more, **options)

    # A module's process starts without the warnings of another (they are kept module-wide).
    for name in ('_global_warnings', '_global_deprecations'):
        getattr(core_warnings, name, {}).clear()
    with patch_module_args(args), contextlib.redirect_stdout(out), mock.patch.object(basic.AnsibleModule, 'warn', warn):
        with contextlib.suppress(SystemExit):
            module.main()
    return as_the_controller_sees_it(dict(json.loads(out.getvalue().strip().splitlines()[-1]), warned=warned))
