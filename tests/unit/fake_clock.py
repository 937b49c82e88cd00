# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fake clock of the unit tests: no test sleeps for real or asserts a wall-clock time."""

from __future__ import annotations

import threading


class FakeClock:
    """Time that moves only when slept on: waits are measured, never spent.

    Give `clock.time` to the simulator and `clock=clock.time, sleep=clock.sleep` to a
    client, and both see the same time: a rate-limit window passes the moment the client
    sleeps through it.
    """

    def __init__(self, start=1800000000.0):
        self.now = start
        self.sleeps = []
        self._lock = threading.Lock()

    def time(self):
        return self.now

    def sleep(self, seconds):
        with self._lock:
            self.sleeps.append(seconds)
            self.now += max(seconds, 0)

    def advance(self, seconds):
        with self._lock:
            self.now += seconds
