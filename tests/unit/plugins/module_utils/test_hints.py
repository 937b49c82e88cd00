# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Server names and check-run predictions kept in the state file: pure logic on a fake clock.
How the modules confirm a name with the API is tested in test_module.py."""

from __future__ import annotations

import pytest

from ansible_collections.flywp.cloud.plugins.module_utils.hints import (
    NAME_TTL, RUN_VARIABLE, CheckRunPredictions, Names)
from ansible_collections.flywp.cloud.plugins.module_utils.state_file import SharedState
from ansible_collections.flywp.cloud.tests.unit.fake_clock import FakeClock

URL, TOKEN = 'https://app.flywp.com/api/v1', 'tok-Secret-31f0'


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def state(tmp_path):
    def make():
        return SharedState(URL, TOKEN, directory=str(tmp_path / 'state'))
    return make


def test_a_name_is_remembered_for_a_while_by_every_process(state, clock):
    first, second = Names(state(), 'server', clock=clock.time), Names(state(), 'server', clock=clock.time)
    assert second.recall('web-1') is None
    first.remember({'web-1': 12, 'web-2': 13})
    assert second.recall('web-1') == '12' and second.recall('web-2') == '13'
    second.forget('web-1')
    assert first.recall('web-1') is None
    first.remember({'web-1': 12})
    clock.advance(NAME_TTL + 1)
    assert second.recall('web-1') is None


def test_names_are_kept_per_token(tmp_path, clock):
    Names(SharedState(URL, TOKEN, directory=str(tmp_path)), 'server', clock=clock.time).remember({'web-1': 12})
    other = Names(SharedState(URL, 'another-account', directory=str(tmp_path)), 'server', clock=clock.time)
    assert other.recall('web-1') is None


def test_a_prediction_is_seen_by_the_same_run_only(state, clock):
    first = CheckRunPredictions(state(), run='run-1', clock=clock.time)
    first.predict('server', 'delta')
    assert CheckRunPredictions(state(), run='run-1', clock=clock.time).is_predicted('server', 'delta')
    assert not CheckRunPredictions(state(), run='run-2', clock=clock.time).is_predicted('server', 'delta')
    assert not CheckRunPredictions(state(), run='run-1', clock=clock.time).is_predicted('site', 'delta')


def test_the_run_comes_from_the_action_plugin(state, clock, monkeypatch):
    monkeypatch.setenv(RUN_VARIABLE, 'run-from-the-action')
    CheckRunPredictions(state(), clock=clock.time).predict('server', 'delta')
    assert CheckRunPredictions(state(), run='run-from-the-action', clock=clock.time).is_predicted('server', 'delta')


def test_without_a_run_nothing_is_predicted_and_it_is_said(state, clock, monkeypatch):
    monkeypatch.delenv(RUN_VARIABLE, raising=False)
    warned = []
    predictions = CheckRunPredictions(state(), clock=clock.time, warn=warned.append)
    predictions.predict('server', 'delta')
    assert not predictions.is_predicted('server', 'delta')
    assert len(warned) == 1 and RUN_VARIABLE in warned[0]
    assert state().read() == {}
