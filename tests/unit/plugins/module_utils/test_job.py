# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A module whose job is gone stops (job.py): its waits look at the job, in slices, on a fake
clock here; and a module run with a job that is gone stops at its first wait, with a sentence."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ansible_collections.flywp.cloud.plugins.module_utils.job import (
    JOB_VARIABLE, SLICE, JobStopped, is_alive, job_pid, sleep_within_job)
from ansible_collections.flywp.cloud.tests.unit.module_runner import run_module


@pytest.mark.parametrize('text, expected', [('', None), ('abc', None), ('0', None), ('1', None), ('-5', None),
                                            ('4321', 4321)])
def test_the_job_pid_from_the_environment(text, expected):
    assert job_pid({JOB_VARIABLE: text}) == expected
    assert job_pid({}) is None


def dead_pid():
    finished = subprocess.run([sys.executable, '-c', 'import os; print(os.getpid())'], stdout=subprocess.PIPE,
                              check=True, text=True)
    return int(finished.stdout)


def test_a_process_is_alive_until_it_ends():
    assert is_alive(subprocess.os.getpid())
    assert not is_alive(dead_pid())


def test_a_wait_while_the_job_lives_is_spent_whole_in_slices():
    slept = []
    sleep_within_job(4321, sleep=slept.append, alive=lambda pid: True)(3.5)
    assert slept == [SLICE, SLICE, SLICE, 0.5]


def test_a_wait_ends_within_a_slice_of_the_job_ending():
    slept, looks = [], iter([True, True, False])
    with pytest.raises(JobStopped) as stopped:
        sleep_within_job(4321, sleep=slept.append, alive=lambda pid: next(looks))(60)
    assert slept == [SLICE, SLICE]
    assert 'pid 4321, is gone' in str(stopped.value) and 'run the job again' in str(stopped.value)


def test_a_module_whose_job_is_gone_stops_at_its_first_wait(sim, monkeypatch):
    """The server is being provisioned; the module made it, then stops instead of polling it."""
    sim.reset()
    sim.configure(delays={'server_creating': 600})
    monkeypatch.setenv(JOB_VARIABLE, str(dead_pid()))
    result = run_module('server', {'api_url': sim.api_url, 'api_token': sim.token, 'name': 'web-1'})
    assert result['failed'] is True and result['changed'] is True
    assert 'The job that ran this task stopped' in result['msg']
    assert [(entry['method'], entry['path']) for entry in sim.requests()] == [('GET', '/servers'), ('POST', '/servers')]
    sim.configure(delays={'server_creating': 0})
