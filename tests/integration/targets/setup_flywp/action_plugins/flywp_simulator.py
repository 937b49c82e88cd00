# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""flywp_simulator: the targets' calls to the simulator's control API, made on the controller.

    flywp_simulator:
      url: "{{ flywp_simulator_url }}"
      calls:                       # sent in this order; answers: their JSON bodies (None when empty)
        - {method: GET, path: /requests}
        - {method: DELETE, path: /requests}
      forget_state: true           # then delete the collection's state-*.json state files

ansible.builtin.uri and ansible.builtin.file are modules: each call starts a Python process
that imports ansible's module_utils anew, about a second of CPU, and the targets read and
clear the request log more than a hundred times a run. This action plugin runs in the task's
own process on the controller, where the simulator and the state directory are too (the
targets run against testhost, a local connection). It only serves the tests: the modules
under test still run as modules.
"""

from __future__ import annotations

import glob
import json
import os
import urllib.request

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.text.converters import to_text
from ansible.plugins.action import ActionBase

# The collection's own rule for where its state files go (state_file.py), as the modules apply
# it in this same environment.
from ansible_collections.flywp.cloud.plugins.module_utils.state_file import state_dir

TIMEOUT = 30
# urllib, not ansible.module_utils.urls: every task runs in a process of its own, which
# imports its action plugin anew, and the simulator is on the loopback (no proxy).
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(('url', 'calls', 'forget_state'))

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        args = self._task.args
        url = to_text(args.get('url') or '').rstrip('/')
        if not url:
            raise AnsibleActionFail('url is required: the simulator control URL (flywp_simulator_url)')
        answers = []
        for call in args.get('calls') or []:
            answers.append(self._call(url, call))
        forgotten = self._forget_state() if args.get('forget_state') else []
        writes = [call for call in args.get('calls') or [] if to_text(call.get('method', 'GET')).upper() != 'GET']
        result.update(changed=bool(writes or forgotten), answers=answers, forgotten=forgotten)
        return result

    @staticmethod
    def _call(url, call):
        method = to_text(call.get('method', 'GET')).upper()
        path = to_text(call.get('path', ''))
        data, headers = None, {}
        if 'body' in call:
            body = call['body']
            data = (to_text(body) if isinstance(body, str) else json.dumps(body)).encode('utf-8')
            headers['Content-Type'] = 'application/json'
        request = urllib.request.Request(url + path, data=data, headers=headers, method=method)
        try:
            with OPENER.open(request, timeout=TIMEOUT) as response:  # a status of 400 or more raises HTTPError
                content = response.read()
        except Exception as error:  # HTTPError, URLError, socket errors: all fail the task
            raise AnsibleActionFail('%s %s%s failed: %s' % (method, url, path, error))
        return json.loads(content) if content.strip() else None

    @staticmethod
    def _forget_state():
        directory = state_dir()
        if not directory:
            return []
        paths = sorted(glob.glob(os.path.join(directory, 'state-*.json')))
        for path in paths:
            try:
                os.remove(path)
            except FileNotFoundError:
                pass
        return paths
