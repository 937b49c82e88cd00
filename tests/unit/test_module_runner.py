# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The unit tests' module runner hands on a result as the controller does.

From ansible-core 2.22 on, a module's raw JSON carries the values it registered as secrets
under `_ansible_new_secrets`; the controller takes the key out and masks those values. The
runner must do the same, or every secret test would find the token in a key no user sees.
"""

from __future__ import annotations

import json

from ansible_collections.flywp.cloud.tests.unit.module_runner import MASK, NEW_SECRETS, as_the_controller_sees_it, run_module


def test_the_new_secrets_key_is_taken_out_and_its_values_masked_everywhere():
    raw = {'failed': True, 'msg': 'token s3cret-Token refused', NEW_SECRETS: [' s3cret-Token\n', 'x'],
           'invocation': {'module_args': {'api_token': 's3cret-Token', 'names': ['a', 'ab-s3cret-Token']}},
           's3cret-Token': 1}
    seen = as_the_controller_sees_it(raw)
    assert NEW_SECRETS not in seen and 's3cret-Token' not in json.dumps(seen)
    assert seen['msg'] == 'token %s refused' % MASK
    assert seen['invocation']['module_args'] == {'api_token': MASK, 'names': ['a', 'ab-' + MASK]}
    assert seen[MASK] == 1
    assert NEW_SECRETS in raw  # the raw result is left as it was


def test_a_result_without_new_secrets_is_handed_on_as_it_is():
    raw = {'changed': False, 'servers': [{'id': 1, 'name': 'web-1'}], 'msg': ''}
    assert as_the_controller_sees_it(raw) == raw
    assert as_the_controller_sees_it(dict(raw, **{NEW_SECRETS: []})) == raw


def test_a_module_run_shows_neither_the_key_nor_the_token(sim):
    sim.reset()
    result = run_module('server_info', {'api_url': sim.api_url, 'api_token': sim.token, 'id': 'abc'})
    assert result['failed'] is True and 'string of digits' in result['msg']
    assert NEW_SECRETS not in result and sim.token not in json.dumps(result)
