# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The job a module runs in: a module whose job is gone stops.

A job cancelled with SIGTERM (AWX, Automation Controller, a supervisor stopping
ansible-playbook) ends the ansible-playbook process; ansible-core 2.19 and later pass the
signal on to their workers, 2.15 to 2.18 do not, and a module still waiting for a server
would go on polling for nobody. The collection's action plugin gives a module run on the
controller the pid of its ansible-playbook (JOB_VARIABLE); every wait of the module's client
is spent in slices, and once that process is gone the module stops, saying so. What it asked
FlyWP for goes on there, and the job run again finds it.
"""

from __future__ import annotations

import os
import time

from ansible_collections.flywp.cloud.plugins.module_utils.errors import FlyWPError

JOB_VARIABLE = 'FLYWP_JOB_PID'
SLICE = 1.0  # seconds between two looks at the job during a wait
STOPPED = ('The job that ran this task stopped (its ansible-playbook process, pid %d, is gone), so this task stopped '
           'too. What it had asked FlyWP for goes on there: run the job again, and it finds what was made.')


def job_pid(environ=None):
    """The pid of the module's job, or None when the module does not run under the collection's action on the
    controller."""
    text = (os.environ if environ is None else environ).get(JOB_VARIABLE, '')
    return int(text) if text.isdigit() and int(text) > 1 else None


def is_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # a process of another user holds the pid: not ours to judge
    return True


class JobStopped(FlyWPError):
    """The module's job is gone."""


def sleep_within_job(pid, sleep=time.sleep, alive=is_alive):
    """A sleep(seconds) that looks at the job every SLICE seconds and raises JobStopped once it is gone."""
    def sleep_a_while(seconds):
        left = seconds
        while True:
            if not alive(pid):
                raise JobStopped(STOPPED % pid)
            if left <= 0:
                return
            sleep(min(SLICE, left))
            left -= SLICE
    return sleep_a_while
