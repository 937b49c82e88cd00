# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Real OS processes started together, as the forks of a play are (the shared budget's tests).

start_together runs `count` Python processes of `code`, each given `args` and then the path
of a file to wait for; each says it is ready (wait_for_go does both), and once every one has,
the file is made and they all go at once.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

from ansible_collections.flywp.cloud.tests.unit.conftest import COLLECTIONS_DIR


def wait_for_go(go):
    """In a child: say it is ready, then wait for the others."""
    open(go + '.%d' % os.getpid(), 'w').close()
    while not os.path.exists(go):
        time.sleep(0.002)


def start_together(directory, count, code, args, env=None, timeout=180):
    """[(return code, output)] of the processes, once they have all ended."""
    go = os.path.join(str(directory), 'go')
    env = dict(env or os.environ, PYTHONPATH=COLLECTIONS_DIR)
    children = [subprocess.Popen([sys.executable, '-c', code] + [str(arg) for arg in args] + [go], env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for _number in range(count)]
    deadline = time.monotonic() + 120
    while len([name for name in os.listdir(str(directory)) if name.startswith('go.')]) < count:
        assert time.monotonic() < deadline and all(child.poll() is None for child in children)
        time.sleep(0.05)
    open(go, 'w').close()  # every child is ready and waits for this: they start together
    outputs = [child.communicate(timeout=timeout)[0].decode() for child in children]
    return [(child.returncode, output) for child, output in zip(children, outputs)]
