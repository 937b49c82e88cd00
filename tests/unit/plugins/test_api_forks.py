# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Twenty forks writing through flywp.cloud.api stay within the one budget, as the modules do.

Twenty processes, started together on one state directory as the forks of a play are, each
run flywp.cloud.api three times (a loop of POSTs) against the simulator, under a limit of 20
requests a second (real time: the whole test takes a few seconds). The bound is the one
tests/unit/plugins/module_utils/test_budget_processes.py holds the client to: every write
answered once, none lost or sent twice, and at most one 429 a window (the probe that learns
where a window ends), never the forks overrunning a window together.
"""

from __future__ import annotations

import math
import os

from ansible_collections.flywp.cloud.simulator import Simulator
from ansible_collections.flywp.cloud.tests.unit.processes import start_together

FORKS, EACH, LIMIT, WINDOW = 20, 3, 20, 1.0

CHILD = r'''
import json, os, sys
from ansible_collections.flywp.cloud.tests.unit.module_runner import run_module
from ansible_collections.flywp.cloud.tests.unit.processes import wait_for_go
url, token, server_id, count, go = sys.argv[1:]
wait_for_go(go)
for number in range(int(count)):
    result = run_module('api', {'api_url': url, 'api_token': token, 'rate_limit_timeout': 60, 'method': 'POST',
                                'path': '/servers/{server}/crons', 'server': server_id,
                                'body': {'command': '/usr/local/bin/job-%d-%d' % (os.getpid(), number),
                                         'frequency': '@daily'}})
    if result.get('failed') or not result.get('changed'):
        sys.exit(json.dumps(result))
'''


def test_twenty_forks_writing_through_api_share_one_budget(tmp_path):
    with Simulator(rate_limit=LIMIT, rate_window=WINDOW) as sim:
        server = sim.seed([{'name': 'web-1'}])[0]
        sim.clear_requests()
        ended = start_together(tmp_path, FORKS, CHILD, [sim.api_url, sim.token, server['id'], EACH],
                               env=dict(os.environ, FLYWP_STATE_DIR=str(tmp_path / 'state')))
        log = sim.requests()
        jobs = sim.objects('cron')
    assert [code for code, _output in ended] == [0] * FORKS, ended
    answered = [entry for entry in log if entry['status'] == 201]
    refused = [entry for entry in log if entry['status'] == 429]
    assert len(answered) == FORKS * EACH and len(jobs) == FORKS * EACH
    assert set(entry['method'] for entry in log) == {'POST'}  # the server by id: nothing to find
    assert len(log) == len(answered) + len(refused)  # nothing else: no failure, no write sent twice
    windows = math.ceil(FORKS * EACH / float(LIMIT))
    assert len(refused) <= windows, [(entry['time'], entry['status']) for entry in log]
