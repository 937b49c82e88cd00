# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One measured command (wall time, peak memory, exit code) and one row of the bench's table."""

import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass

RECAP_LINE = re.compile(r'^\S.*?\s:\s+ok=\d+.*\bunreachable=(\d+)\s+failed=(\d+)', re.MULTILINE)
# What tells why a run failed: a failed task, or an inventory source that did not parse.
# (ansible-core 2.18 words the inventory warning ' * Failed to parse PATH with auto plugin: ...')
FAILURE_LINE = re.compile(r'^(?:\[WARNING\]:\s+(?:\*\s+)?)?(fatal: .*|Failed to parse .*|Unable to parse .*|ERROR! .*)$', re.MULTILINE)
MESSAGE = re.compile(r'"msg": "((?:[^"\\]|\\.)*)"')


@dataclass
class Run:
    """A finished command: its exit code, seconds, the largest resident set of its process tree, its output files."""

    returncode: int
    wall: float
    peak_mib: float
    stdout_path: str
    stderr_path: str
    started_at: float = 0.0  # time.time() at the start and the end, to set against the request log
    ended_at: float = 0.0

    def output(self):
        texts = []
        for path in (self.stdout_path, self.stderr_path):
            with open(path, encoding='utf-8', errors='replace') as handle:
                texts.append(handle.read())
        return '\n'.join(texts)

    def failed_tasks(self):
        """Failed and unreachable tasks, summed over the PLAY RECAP; None without a recap (the play did not start)."""
        counts = RECAP_LINE.findall(self.output())
        if not counts:
            return None
        return sum(int(unreachable) + int(failed) for unreachable, failed in counts)

    def first_failure(self, width=320):
        """The first line saying what failed, with the module's message when there is one."""
        match = FAILURE_LINE.search(self.output())
        if not match:
            return ''
        line = match.group(1)
        message = MESSAGE.search(line)
        text = message.group(1).encode().decode('unicode_escape', errors='replace') if message else line
        text = ' '.join(text.split())
        return text if len(text) <= width else text[:width - 3] + '...'


def run_measured(argv, env, cwd, name):
    """Run argv to completion; stdout and stderr go to cwd/name.out and cwd/name.err.

    Peak memory comes from wait4's resource usage of this child, which covers the
    descendants it waited for (Ansible's forks and module processes).
    """
    stdout_path = os.path.join(cwd, name + '.out')
    stderr_path = os.path.join(cwd, name + '.err')
    with open(stdout_path, 'wb') as out, open(stderr_path, 'wb') as err:
        started, started_at = time.monotonic(), time.time()
        process = subprocess.Popen(argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        _pid, status, usage = os.wait4(process.pid, 0)
        wall = time.monotonic() - started
    process.returncode = os.waitstatus_to_exitcode(status)  # reaped here; Popen must not wait again
    return Run(process.returncode, wall, usage.ru_maxrss / 1024.0, stdout_path, stderr_path, started_at, time.time())


def run_together(commands):
    """Start every (argv, env, cwd, name) at once and reap them as they end: a Run each, in
    the order given; each one's wall time runs from the common start to its own end."""
    started, started_at = time.monotonic(), time.time()
    running, files = {}, []
    try:
        for index, (argv, env, cwd, name) in enumerate(commands):
            out, err = open(os.path.join(cwd, name + '.out'), 'wb'), open(os.path.join(cwd, name + '.err'), 'wb')
            files += [out, err]
            process = subprocess.Popen(argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
            running[process.pid] = (index, out.name, err.name)
        runs = [None] * len(commands)
        while running:
            for pid in list(running):
                # Each of ours by its pid (not any child: the simulator is one too), without blocking.
                reaped, status, usage = os.wait4(pid, os.WNOHANG)
                if reaped:
                    index, stdout_path, stderr_path = running.pop(pid)
                    runs[index] = Run(os.waitstatus_to_exitcode(status), time.monotonic() - started,
                                      usage.ru_maxrss / 1024.0, stdout_path, stderr_path, started_at, time.time())
            time.sleep(0.05)
        return runs
    finally:
        for handle in files:
            handle.close()


def floor_seconds(must_send, limit, window):
    """The least time `must_send` requests take under `limit` per fixed `window`: the last one
    goes in window number (must_send - 1) // limit, counting from 0 at the first request."""
    if not must_send or not limit:
        return 0.0
    return float((must_send - 1) // limit * window)


@dataclass
class Row:
    """One line of the table. Counts come from the simulator's request log, never from the client."""

    case: str
    run: str
    limit: tuple            # (requests, window seconds) the simulator enforced
    must_send: int          # the fewest requests that do the work
    wall: float = None      # seconds
    requests: int = None
    refused: int = None     # answers 429
    failed: int = None      # failed tasks; for an inventory, 1 when the source did not parse
    peak_mib: float = None
    result: str = ''
    complete: bool = None   # whether the run left everything it should have (jobs made, hosts listed)
    note: str = ''
    first_window_left: float = None  # windows aligned to the clock: seconds of the first one left at the first request

    @property
    def floor(self):
        if self.first_window_left is None:
            return floor_seconds(self.must_send, *self.limit)
        # The first window ends on its own; the last request goes in window (must_send - 1) // limit.
        windows = (self.must_send - 1) // self.limit[0]
        return self.first_window_left + (windows - 1) * self.limit[1] if windows else 0.0

    @property
    def ratio(self):
        if self.wall is None or not self.floor or not self.ok:
            return None
        return self.wall / self.floor

    @property
    def ok(self):
        return self.failed == 0 and self.complete is not False

    def count(self, log):
        """Take requests and 429s from (part of) the simulator's request log."""
        self.requests = len(log)
        self.refused = sum(1 for entry in log if entry['status'] == 429)
        return self


def progress(row):
    print('==> %s %s, %d/%g s, floor %.0f s ...' % (row.case, row.run, row.limit[0], row.limit[1], row.floor),
          file=sys.stderr, flush=True)


def done(row):
    counts = (row.wall or 0, row.requests or 0, row.refused or 0, row.failed, row.result)
    print('    %.1f s, %d requests, %d x 429, failed %s: %s' % counts, file=sys.stderr, flush=True)
