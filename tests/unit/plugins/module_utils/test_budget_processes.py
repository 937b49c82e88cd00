# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shared budget across real OS processes, as the forks of a play use it.

Twenty processes start together on one state directory and send their requests to the
simulator (real time, a short window, so the whole test takes a few seconds). The
simulator's request log must show what a shared budget promises: every request answered,
no reservation lost (a lost one lets the processes overrun a window together, which shows
as a burst of 429 answers), and at most one 429 a window (the probe sent to learn where a
window ends).
"""

from __future__ import annotations

import math
import os

import pytest

from ansible_collections.flywp.cloud.simulator import Simulator
from ansible_collections.flywp.cloud.tests.unit.processes import start_together

PROCESSES, EACH, LIMIT, WINDOW = 20, 3, 20, 1.0

CHILD = r'''
import os, sys, time
from ansible_collections.flywp.cloud.plugins.module_utils.client import FlyWPClient
from ansible_collections.flywp.cloud.plugins.module_utils.resource_types import SERVER
url, token, server_id, count, go = sys.argv[1:]
open(go + '.%d' % os.getpid(), 'w').close()  # ready
while not os.path.exists(go):
    time.sleep(0.002)
client = FlyWPClient(token, url=url, rate_limit_timeout=60)
for _ in range(int(count)):
    client.call(SERVER.endpoints.get, server_id=server_id)
'''


@pytest.mark.parametrize('begins', ['first-request', 'clock'])
def test_twenty_processes_share_one_budget(tmp_path, begins):
    with Simulator(rate_limit=LIMIT, rate_window=WINDOW) as sim:
        if begins == 'clock':
            sim.configure(rate_window_start='clock')
        server = sim.seed([{'name': 'web-1'}])[0]
        sim.clear_requests()
        ended = start_together(tmp_path, PROCESSES, CHILD, [sim.api_url, sim.token, server['id'], EACH],
                               env=dict(os.environ, FLYWP_STATE_DIR=str(tmp_path / 'state')))
        log = sim.requests()
    assert [code for code, _output in ended] == [0] * PROCESSES, ended
    answered = [entry for entry in log if entry['status'] == 200]
    refused = [entry for entry in log if entry['status'] == 429]
    assert len(answered) == PROCESSES * EACH
    assert len(log) == len(answered) + len(refused)  # nothing else: no failure, no dropped request
    # At most one 429 a window the requests spanned: at least the windows the work needs, more when
    # the machine is slow (a window of one second passes while twenty processes wait for the CPU).
    windows = spanned(log, begins)
    assert windows >= math.ceil(PROCESSES * EACH / float(LIMIT))
    timeline = ' '.join('%.3f:%d' % (entry['time'] - log[0]['time'], entry['status']) for entry in log)
    assert len(refused) <= windows, '%d windows: %s' % (windows, timeline)


def spanned(log, begins):
    """The API's windows the log's requests fell in: aligned to the clock, or each begun by the
    first request after the one before ended (as the simulator counts them)."""
    if begins == 'clock':
        return len(set(int(entry['time'] // WINDOW) for entry in log))
    count, start = 0, None
    for entry in log:
        if start is None or entry['time'] >= start + WINDOW:
            count, start = count + 1, entry['time']
    return count
