# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The flywp.cloud.changes source keeps to its share of the token's rate limit.

Fifty servers watched with kinds [server, site] cost 51 requests a round; at the default
max_share (0.25 of 60 requests a minute) that is 15 a minute at most, whatever the
interval, and a playbook with the same token on the same controller keeps the other 45.

Two actors run at once here, the source and a playbook, on virtual time: the clock moves to
the next wake-up only when both wait (for the rate limit, or for the next round), so the
test measures minutes of traffic against the simulator in a second or two, and asserts
counts from the simulator's request log, never a wall-clock time.
"""

from __future__ import annotations

import asyncio
import heapq
import logging
import math
import threading

import pytest

from ansible_collections.flywp.cloud.extensions.eda.plugins.event_source.changes import ChangesSource
from ansible_collections.flywp.cloud.plugins.module_utils.client import FlyWPClient
from ansible_collections.flywp.cloud.plugins.module_utils.resource_types import SERVER

SERVERS = 50
LIMIT, WINDOW = 60, 60.0
SHARE = 0.25
ALLOWANCE = int(SHARE * LIMIT)  # 15


class VirtualTime:
    """A clock for several actors in several threads: sleep() returns when the clock reaches its
    end, and the clock jumps to the earliest end only when every actor is asleep."""

    def __init__(self, start=1900000000.0):
        self.now = start
        self.actors = 1
        self._changed = threading.Condition()
        self._sleepers = []
        self._order = 0

    def time(self):
        return self.now

    def sleep(self, seconds):
        with self._changed:
            sleeper = [self.now + max(seconds, 0.0), self._order, False]
            self._order += 1
            heapq.heappush(self._sleepers, sleeper)
            self._wake_the_next()
            while not sleeper[2]:
                self._changed.wait()

    def join(self, count=1):
        with self._changed:
            self.actors += count

    def leave(self):
        with self._changed:
            self.actors -= 1
            self._wake_the_next()

    def _wake_the_next(self):
        if self._sleepers and len(self._sleepers) >= self.actors:
            sleeper = heapq.heappop(self._sleepers)
            self.now = max(self.now, sleeper[0])
            sleeper[2] = True
            self._changed.notify_all()


TIME = VirtualTime()


class Stop(Exception):
    pass


class DiscardingQueue:
    async def put(self, event):
        pass


@pytest.fixture(scope='module')
def simulator_options():
    return {'clock': TIME.time}


SEEDED = []  # the servers of the test running, as seeded


@pytest.fixture(autouse=True)
def fresh(sim):
    sim.reset()
    SEEDED[:] = sim.seed([{'name': 'web-%02d' % number, 'sites': [{'domain': 'site%02d.example.com' % number}]}
                          for number in range(1, SERVERS + 1)])
    TIME.now += 3600  # past any window of an earlier test
    yield


def watcher_on_virtual_time(sim, until, **args):
    """The source, whose waits are the virtual clock's; it stops at its first wait after `until()`."""

    async def sleep(seconds):
        if until():
            raise Stop()
        await asyncio.to_thread(TIME.sleep, seconds)

    args = dict({'api_url': sim.api_url, 'api_token': sim.token, 'kinds': ['server', 'site']}, **args)
    return ChangesSource.from_args(DiscardingQueue(), args, clock=TIME.time, sleep=sleep, client_sleep=TIME.sleep)


def run_source(watcher):
    with pytest.raises(Stop):
        asyncio.run(watcher.run())


def is_the_sources(entry):
    return entry['path'] == '/servers' or entry['path'].endswith('/sites')


def most_in_any_window(times):
    """The most requests in any [t, t + WINDOW)."""
    times = sorted(times)
    return max((sum(1 for other in times[index:] if other < start + WINDOW) for index, start in enumerate(times)), default=0)


def api_windows(log):
    """The API's windows as the simulator counts them (each begins with the first request after
    the last one ended): [(start, [entries])]."""
    windows = []
    for entry in sorted(log, key=lambda item: item['time']):
        if not windows or entry['time'] >= windows[-1][0] + WINDOW:
            windows.append((entry['time'], []))
        windows[-1][1].append(entry)
    return windows


def test_fifty_servers_with_their_sites_cost_at_most_a_quarter_of_the_budget(sim, caplog):
    start = TIME.time()
    TIME.actors = 1
    watcher = watcher_on_virtual_time(sim, until=lambda: TIME.time() >= start + 15 * 60)
    with caplog.at_level(logging.INFO, logger='flywp.cloud.changes'):
        run_source(watcher)
    log = sim.requests()
    sent = [entry['time'] for entry in log]
    assert all(entry['status'] == 200 for entry in log)
    assert most_in_any_window(sent) == ALLOWANCE
    # Full rounds, each the server listing and the 50 servers' sites: about 204 s a round.
    assert watcher.polls >= 4
    assert [entry['path'] for entry in log[:SERVERS + 1]] == ['/servers'] + ['/servers/%d/sites' % n for n in range(1, SERVERS + 1)]
    # Spent evenly: a request every 60 / 15 = 4 s, so each listing comes again every 204 s.
    assert set(gaps(sent)) == {60.0 / ALLOWANCE}
    assert watcher.round_cost() == 1 + SERVERS
    assert round(watcher.round_seconds()) == 204
    said = [record.getMessage() for record in caplog.records if 'full round now takes' in record.getMessage()]
    assert len(said) == 1 and 'about 204 s, longer than interval (60 s)' in said[0]
    assert 'may send 15 of the token\'s 60 requests every 60 s (max_share 0.25)' in said[0]


def gaps(times):
    return [later - earlier for earlier, later in zip(times, times[1:])]


def test_an_interval_shorter_than_the_share_allows_is_stretched_evenly(sim):
    """interval 2 s, one request a round, 15 of 60 a minute: a poll every 4 s in every part of
    every window, so a change is seen within 4 s wherever it falls (not 15 polls in the first
    30 s of each minute, then none until the next)."""
    start = TIME.time()
    TIME.actors = 1
    watcher = watcher_on_virtual_time(sim, until=lambda: TIME.time() >= start + 3 * 60, kinds=['server'], interval=2)
    run_source(watcher)
    times = [entry['time'] - start for entry in sim.requests()]
    assert times == [4.0 * round_ for round_ in range(46)]  # 0, 4, ... 180
    assert most_in_any_window(times) == ALLOWANCE


def test_a_small_watch_polls_at_its_interval(sim):
    start = TIME.time()
    TIME.actors = 1
    watcher = watcher_on_virtual_time(sim, until=lambda: TIME.time() >= start + 10 * 60, kinds=['server'], interval=30)
    run_source(watcher)
    times = [entry['time'] - start for entry in sim.requests()]
    assert times == [30.0 * round_ for round_ in range(21)]  # 0, 30, ... 600: one request a round, at the interval


def test_a_playbook_with_the_same_token_keeps_the_rest_of_the_budget(sim):
    """The playbook (one client of the same token and controller, as a module task is) sends
    180 requests as fast as the budget lets it, alone and then beside the source."""
    requests = 180

    def playbook():
        client = FlyWPClient(sim.token, url=sim.api_url, clock=TIME.time, sleep=TIME.sleep, rate_limit_timeout=3600)
        try:
            for number in range(requests):
                client.call(SERVER.endpoints.get, server_id=SEEDED[number % SERVERS]['id'])
        finally:
            TIME.leave()

    # Alone.
    TIME.actors = 1
    began = TIME.time()
    playbook()
    alone = [entry for entry in sim.requests() if entry['status'] == 200]
    alone_windows = len(api_windows(alone))
    assert len(alone) == requests and alone_windows == math.ceil(requests / float(LIMIT))

    # Beside the source, after the end of the windows the playbook used.
    TIME.now = max(TIME.now, began) + 3600
    sim.clear_requests()
    done = threading.Event()
    TIME.actors = 2
    runner = threading.Thread(target=lambda: (playbook(), done.set()), name='playbook')
    watcher = watcher_on_virtual_time(sim, until=done.is_set)
    runner.start()
    try:
        run_source(watcher)
    finally:
        runner.join(60)
    log = sim.requests()
    playbook_log = [entry for entry in log if not is_the_sources(entry)]
    source_log = [entry for entry in log if is_the_sources(entry)]
    assert len([entry for entry in playbook_log if entry['status'] == 200]) == requests
    assert most_in_any_window([entry['time'] for entry in source_log]) <= ALLOWANCE
    windows = [(start, entries) for start, entries in api_windows([entry for entry in log if entry['status'] == 200])
               if any(not is_the_sources(entry) for entry in entries)]
    # In every window the playbook was sending in, it got the budget less the source's share
    # at least (its last window: what it had left to send).
    for start, entries in windows[:-1]:
        served = [entry for entry in entries if not is_the_sources(entry)]
        assert len(served) >= LIMIT - ALLOWANCE, (start, len(served))
    # So it needs no more windows than the budget less the share gives.
    assert len(windows) <= math.ceil(requests / float(LIMIT - ALLOWANCE)) == alone_windows + 1


def test_beside_another_containers_playbook_the_source_keeps_its_share_of_what_the_api_counts(sim):
    """A playbook in another container (a state of its own: it meets the source only in the API's
    counts) spends 50 requests of the token in the first 20 s of every other window, 5 more than
    the 45 the source leaves to others. The source (every 4 s) sees the API's count in its
    answers and sends only what the API has left in those windows (10), its whole share (15) in
    the others, and nobody meets a 429."""
    spent, every = 50, 20.0 / 50
    start = TIME.time()

    def playbook():
        client = FlyWPClient(sim.token, url=sim.api_url, clock=TIME.time, sleep=TIME.sleep, state_dir='',
                             rate_limit_timeout=3600)
        try:
            for window in (0, 2):
                for number in range(spent):
                    TIME.sleep(start + window * WINDOW + 1 + number * every - TIME.time())
                    client.call(SERVER.endpoints.get, server_id=SEEDED[number % SERVERS]['id'])
        finally:
            TIME.leave()

    TIME.actors = 2
    runner = threading.Thread(target=playbook, name='playbook')
    watcher = watcher_on_virtual_time(sim, until=lambda: TIME.time() >= start + 4 * WINDOW - 4, kinds=['server'],
                                      interval=2)
    runner.start()
    try:
        run_source(watcher)
    finally:
        runner.join(60)
    log = sim.requests()
    assert sorted(set(entry['status'] for entry in log)) == [200]
    windows = api_windows(log)
    assert [start_ - start for start_, _entries in windows] == [0, 60, 120, 180]
    counts = [(len([entry for entry in entries if not is_the_sources(entry)]), len([entry for entry in entries if is_the_sources(entry)]))
              for _start, entries in windows]
    # (the playbook's, the source's) in each window: the source backs off to 60 - 50 where the
    # playbook spent more than its part, and keeps its 15 where it did not.
    assert counts == [(spent, LIMIT - spent), (0, ALLOWANCE), (spent, LIMIT - spent), (0, ALLOWANCE)]
