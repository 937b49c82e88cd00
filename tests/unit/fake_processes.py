# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Processes that run at once on one fake clock, for tests of what they do together.

FakeClock (fake_clock.py) serves one process: its sleep moves the time for everyone. Here
each process is a thread, and only one runs at a time: it runs until it sleeps, then the
one due first runs (on a tie, the one started first), the clock set to its waking. So
processes wait side by side, a request can be in flight while others send, and the same
processes always give the same schedule: counts can be asserted exactly, and no time is
spent for real.
"""

from __future__ import annotations

import threading

REAL_SECONDS = 120  # a test whose processes make no progress this long has a bug: it fails rather than hangs


class FakeProcesses:
    """`time` and `sleep` for clients and a simulator; `run(functions)` runs each function as a
    process starting at the given offset, and returns when all have ended."""

    def __init__(self, start=1800000000.0):
        self.now = start
        self._condition = threading.Condition()
        self._due = {}  # process number -> when it runs next
        self._running = None  # the process number that may run
        self._numbers = {}  # thread ident -> process number
        self._failures = []

    def time(self):
        return self.now

    def sleep(self, seconds):
        with self._condition:
            number = self._numbers[threading.get_ident()]
            self._due[number] = self.now + max(seconds, 0)
            self._hand_on()
            self._await_turn(number)

    def run(self, processes):
        """processes: [(start offset in seconds, function)]; the functions take no argument."""
        threads = []
        with self._condition:
            for number, (offset, function) in enumerate(processes):
                self._due[number] = self.now + offset
                thread = threading.Thread(target=self._process, args=(number, function), daemon=True)
                threads.append(thread)
            for thread in threads:
                thread.start()
            while len(self._numbers) < len(threads):  # every thread known before the first runs
                self._condition.wait(REAL_SECONDS)
            self._hand_on()
        for thread in threads:
            thread.join(REAL_SECONDS * 2)
            assert not thread.is_alive(), 'a process of the test made no progress'
        if self._failures:
            raise self._failures[0]

    def _process(self, number, function):
        with self._condition:
            self._numbers[threading.get_ident()] = number
            self._condition.notify_all()
            self._await_turn(number)
        try:
            function()
        except BaseException as failure:  # pylint: disable=broad-exception-caught  # re-raised by run()
            self._failures.append(failure)
        finally:
            with self._condition:
                del self._due[number]
                self._hand_on()

    def _hand_on(self):
        """The process due first runs next; the clock moves to when it is due."""
        if not self._due:
            self._running = None
        else:
            self._running = min(self._due, key=lambda number: (self._due[number], number))
            self.now = max(self.now, self._due[self._running])
        self._condition.notify_all()

    def _await_turn(self, number):
        while self._running != number:
            if not self._condition.wait(REAL_SECONDS):
                raise AssertionError('process %d waited %d real seconds for its turn' % (number, REAL_SECONDS))
