# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One token, several controllers: jobs in separate containers, as AWX runs them.

Each container is a state directory of its own, with one process (a FlyWPClient) per host
of its play, as the forks of ansible-playbook; every process sends as the cron list form
does (the server's jobs, then a POST per job) to one simulator, at the real 60 requests a
minute. Nothing but the API is shared, so a container learns of the others only from the
counts in the API's answers. The processes run at once on fake time (fake_processes.py):
no test sleeps, and the same processes always give the same schedule, so the 429 answers
are counted exactly from the simulator's request log.
"""

from __future__ import annotations

import math

import pytest

from ansible_collections.flywp.cloud.plugins.module_utils.budget import Window
from ansible_collections.flywp.cloud.plugins.module_utils.client import FlyWPClient
from ansible_collections.flywp.cloud.plugins.module_utils.resource_types import CRON
from ansible_collections.flywp.cloud.simulator import Simulator
from ansible_collections.flywp.cloud.tests.unit.fake_processes import FakeProcesses

LIMIT, WINDOW = 60, 60.0
HOSTS, JOBS = 5, 6  # per container, as make bench's case F
# The time a process takes: to reach the API and back, and between two requests of its own.
TRAVEL = {'fast': 0.005, 'loopback': 0.01, 'slow': 0.02}
THINK = {'fast': 0.01, 'loopback': 0.03, 'slow': 0.1}
# When each container's first fork starts, after the first: together, or as ansible-playbook's start-ups differ
TOGETHER, STAGGERED = (0.0, 0.01, 0.02, 0.03), (0.0, 0.7, 0.2, 1.1)
FORK_SPREAD = 0.05  # between the forks of one container


def cron_task(client, server_id, jobs, pause):
    """What the cron list form sends for one host: the server's jobs, then one POST per job."""
    client.list(CRON.endpoints.list, server_id=server_id)
    for number in range(jobs):
        pause()
        job = {'command': '/usr/local/bin/job-%02d' % number, 'frequency': '@daily', 'user': 'fly'}
        client.call(CRON.endpoints.create, server_id=server_id, body=job)


def run_containers(tmp_path, containers, begins='first-request', pace='loopback', shared_state=False,
                   early=3.0, hosts=HOSTS, starts=TOGETHER, fork_spread=FORK_SPREAD):
    """`containers` jobs at once, each over `hosts` servers of its own; with `begins` 'clock'
    the first window began `early` seconds before the first request. Returns the simulator's
    request log."""
    processes = FakeProcesses()
    travel, think = TRAVEL[pace], THINK[pace]
    # Start so that the first request comes `early` after a clock-aligned window began.
    first = (early - processes.time()) % WINDOW if begins == 'clock' else 1.0
    directories = [str(tmp_path / ('shared' if shared_state else 'container-%d' % number))
                   for number in range(containers)]
    with Simulator(rate_limit=LIMIT, rate_window=WINDOW, rate_window_start=begins, clock=processes.time) as sim:
        servers = sim.seed([{'name': 'web-%02d' % number} for number in range(containers * hosts)])
        work = []
        for number in range(containers):
            for host in range(hosts):
                server = servers[number * hosts + host]

                def fork(server=server, directory=directories[number]):
                    client = FlyWPClient(sim.token, url=sim.api_url, rate_limit_timeout=3600, clock=processes.time,
                                         sleep=processes.sleep, state_dir=directory)
                    send = client._send

                    def travelling(*args):
                        processes.sleep(travel)
                        answer = send(*args)
                        processes.sleep(travel)
                        return answer
                    client._send = travelling
                    cron_task(client, server['id'], JOBS, lambda: processes.sleep(think))

                work.append((first + starts[number] + fork_spread * host, fork))
        processes.run(work)
        return sim.requests()


def refused(log):
    return [entry for entry in log if entry['status'] == 429]


def refused_by_window(log, aligned):
    """The 429s in each of the simulator's windows, in order."""
    counts, start = [], None
    for entry in log:
        if start is None or entry['time'] >= start + WINDOW:
            start = entry['time'] // WINDOW * WINDOW if aligned else entry['time']
            counts.append(0)
        counts[-1] += entry['status'] == 429
    return counts


def check_all_done(log, containers, hosts=HOSTS):
    answered = [entry for entry in log if entry['status'] in (200, 201)]
    assert len(answered) == containers * hosts * (1 + JOBS)
    assert len(log) == len(answered) + len(refused(log))  # nothing else: no failure
    return answered


def windows_needed(containers, hosts=HOSTS):
    """As many windows as the requests fill: the floor, no window lost."""
    return math.ceil(containers * hosts * (1 + JOBS) / float(LIMIT))


def refused_by_container(log, containers, hosts=HOSTS, aligned=False):
    """{(container, window number): 429s}, the container told by the server its path names."""
    counts, start, window = {}, None, -1
    ids = sorted({int(entry['path'].split('/')[2]) for entry in log})
    for entry in log:
        if start is None or entry['time'] >= start + WINDOW:
            start, window = (entry['time'] // WINDOW * WINDOW if aligned else entry['time']), window + 1
        if entry['status'] == 429:
            key = (ids.index(int(entry['path'].split('/')[2])) // hosts, window)
            counts[key] = counts.get(key, 0) + 1
    assert len(ids) == containers * hosts
    return counts


@pytest.mark.parametrize('containers, pace', [(2, 'loopback'), (4, 'fast'), (4, 'loopback'), (4, 'slow')])
def test_containers_started_together_learn_the_end_once_each_and_overrun_no_window(tmp_path, containers, pace):
    """Windows that begin with a request (Laravel's throttle): each container learns the end of
    the first full window from one 429, as it would alone; after that no window is overrun,
    and the requests need no more windows than they fill."""
    log = run_containers(tmp_path, containers, pace=pace)
    check_all_done(log, containers)
    assert refused_by_window(log, aligned=False) == [containers] + [0] * (windows_needed(containers) - 1)


@pytest.mark.parametrize('containers, pace, begins, early', [
    (2, 'loopback', 'first-request', 0.0),
    (4, 'fast', 'first-request', 0.0),
    (4, 'loopback', 'first-request', 0.0),
    (4, 'slow', 'first-request', 0.0),
    (2, 'loopback', 'clock', 30.0),
    (4, 'loopback', 'clock', 3.0),    # the first window began 3 s before the first request
    (4, 'fast', 'clock', 30.0),
    (4, 'slow', 'clock', 57.0),       # ... or 3 s before its end
])
def test_containers_started_apart_draw_a_429_a_window_each_at_most(tmp_path, containers, pace, begins, early):
    """Containers whose plays reach the API apart (their start-ups differ), against windows that
    begin with a request or on their own. A container may send its first request into a
    window the others filled, and learn no length from it; against windows aligned to the
    clock the first window is not a window's length: either way a container may have to ask
    for the end of the second window too. Never more than one 429 a container a window, none
    after the second, no window more than the requests fill; with windows that begin with a
    request, within the bounds of issue 25 (3 with two containers, 6 with four)."""
    aligned = begins == 'clock'
    log = run_containers(tmp_path, containers, begins=begins, pace=pace, early=early, starts=STAGGERED)
    check_all_done(log, containers)
    by_container = refused_by_container(log, containers, aligned=aligned)
    assert all(count == 1 and window < 2 for (_container, window), count in by_container.items()), by_container
    if not aligned:
        assert len(refused(log)) <= {2: 3, 4: 6}[containers]
    assert len(refused_by_window(log, aligned)) == windows_needed(containers)


def test_a_container_started_into_a_full_window_asks_once_before_its_forks_follow(tmp_path):
    """Three containers fill the first window; a fourth starts when it is full. Its state is
    fresh (nothing heard of the API yet): its first request asks, and its forks wait for the
    answer (a 429 that says the end) instead of each sending into the full window."""
    log = run_containers(tmp_path, 4, starts=(0.0, 0.01, 0.02, 10.0), fork_spread=0.001)
    check_all_done(log, 4)
    late = refused_by_container(log, 4)
    assert late[(3, 0)] == 1 and all(count == 1 for count in late.values()), late


@pytest.fixture
def shares(monkeypatch):
    """Every share of others an answer left in a Window, in order."""
    seen, answered = [], Window.answered

    def recording(self, *args):
        answered(self, *args)
        seen.append(self.share)
    monkeypatch.setattr(Window, 'answered', recording)
    return seen


@pytest.mark.parametrize('containers', [2, 4])
def test_one_state_directory_shared_is_one_budget(tmp_path, containers, shares):
    """The same jobs sharing a state directory: one controller, one 429 (the probe of the first
    full window), and no process takes the others for another controller."""
    log = run_containers(tmp_path, containers, shared_state=True)
    answers = check_all_done(log, containers)
    assert refused_by_window(log, aligned=False) == [1] + [0] * (windows_needed(containers) - 1)
    assert shares == [0] * len(answers)


@pytest.mark.parametrize('begins', ['first-request', 'clock'])
def test_a_container_alone_never_takes_itself_for_shared(tmp_path, begins, shares):
    """Twenty forks of one container, 140 requests: the budget as it always was (one 429 to
    learn the end, two against windows that began before the first request), and the share of
    others stays 0 throughout, though its forks' requests reach the API in any order."""
    log = run_containers(tmp_path, 1, begins=begins, hosts=20)
    answers = check_all_done(log, 1, hosts=20)
    assert len(refused(log)) == (1 if begins == 'first-request' else 2)
    assert len(refused_by_window(log, aligned=begins == 'clock')) == windows_needed(1, hosts=20)
    assert shares == [0] * len(answers)
