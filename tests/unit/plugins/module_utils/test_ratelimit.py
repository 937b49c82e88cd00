# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shared rate-limit budget and name cache: pure logic on a fake clock, no sockets.

Two RateLimitBudget objects on one state directory stand for two processes of one
controller (two forks of a play).
"""

from __future__ import annotations

import json
import os
import stat

import pytest

from ansible_collections.flywp.cloud.plugins.module_utils.ratelimit import (
    NAME_TTL, POLL, STALE, BudgetExhausted, NameCache, RateLimitBudget, SharedState, state_dir)
from ansible_collections.flywp.cloud.tests.unit.fake_clock import FakeClock

URL, TOKEN = 'https://app.flywp.com/api/v1', 'tok-Secret-31f0'


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def directory(tmp_path):
    return str(tmp_path / 'state')


def budget(directory, clock, timeout=300):
    return RateLimitBudget(timeout, SharedState(URL, TOKEN, directory=directory), sleep=clock.sleep, clock=clock.time)


def answer(remaining, limit=60, **extra):
    return dict({'X-RateLimit-Limit': str(limit), 'X-RateLimit-Remaining': str(remaining)}, **extra)


def send(one, headers):
    """One request: reserve, then read its answer's headers."""
    one.pace('GET', '/servers')
    one.observe(headers)


# --- the state file ---

def test_the_file_is_private_and_holds_no_token(directory, clock):
    send(budget(directory, clock), answer(59))
    files = sorted(os.listdir(directory))
    assert files[0].startswith('budget-') and files[1] == 'salt' and len(files) == 2
    assert stat.S_IMODE(os.stat(directory).st_mode) == 0o700
    for name in files:
        assert stat.S_IMODE(os.stat(os.path.join(directory, name)).st_mode) == 0o600
        with open(os.path.join(directory, name), 'rb') as handle:
            content = handle.read()
        assert TOKEN.encode() not in content and URL.encode() not in content


def test_one_file_per_url_and_token(directory, clock):
    paths = set(SharedState(url, token, directory=directory).path
                for url, token in [(URL, TOKEN), (URL, 'other'), ('http://127.0.0.1:1/api/v1', TOKEN), (URL, TOKEN)])
    assert len(paths) == 3


@pytest.mark.parametrize('content', ['', 'not json', '[1, 2]', '{"sent": "x"', '{"sent": "x", "seen": [1]}'])
def test_a_corrupt_file_is_started_afresh(directory, clock, content):
    one = budget(directory, clock)
    with open(one.shared.path, 'w') as handle:
        handle.write(content)
    send(one, answer(10))
    with open(one.shared.path) as handle:
        doc = json.load(handle)
    assert (doc['limit'], doc['seen'][0], doc['sent']) == (60, 50, [clock.time()])


def test_a_stale_state_is_forgotten_but_the_learned_window_kept(directory, clock):
    one = budget(directory, clock)
    one.shared.update(lambda doc: doc.update(limit=60, seen=[60, clock.time()], window=5.0,
                                             window_end=clock.time() + STALE * 2, updated=clock.time()))
    clock.advance(STALE + 1)
    one.pace('GET', '/servers')
    assert clock.sleeps == []
    doc = one.shared.update(dict)
    assert doc['window'] == 5.0 and 'seen' not in doc and 'window_end' not in doc


@pytest.mark.parametrize('setting', ['off', '', 'none'])
def test_flywp_state_dir_turns_it_off(monkeypatch, setting, clock):
    monkeypatch.setenv('FLYWP_STATE_DIR', setting)
    assert state_dir() is None
    shared = SharedState(URL, TOKEN)
    assert shared.path is None
    send(RateLimitBudget(300, shared, sleep=clock.sleep, clock=clock.time), answer(3))
    assert shared.update(dict)['seen'][0] == 57


def test_the_default_directory_is_per_user(monkeypatch, tmp_path):
    monkeypatch.delenv('FLYWP_STATE_DIR')
    monkeypatch.setenv('XDG_STATE_HOME', str(tmp_path))
    assert state_dir() == str(tmp_path / 'flywp.cloud')
    monkeypatch.delenv('XDG_STATE_HOME')
    assert state_dir() == os.path.join(os.path.expanduser('~'), '.local', 'state', 'flywp.cloud')


def test_an_unusable_directory_keeps_the_budget_in_the_process(tmp_path, clock):
    blocked = tmp_path / 'file'
    blocked.write_text('')
    shared = SharedState(URL, TOKEN, directory=str(blocked / 'state'))
    assert shared.path is None
    send(RateLimitBudget(300, shared, sleep=clock.sleep, clock=clock.time), answer(3))


# --- one budget for every process ---

def test_processes_share_what_is_left(directory, clock):
    first, second = budget(directory, clock), budget(directory, clock)
    send(first, answer(1, limit=2))
    second.pace('GET', '/servers')  # reserves the last one
    first.pace('GET', '/servers')  # nothing left and no end known: this one is sent to learn it
    with pytest.raises(BudgetExhausted):
        # A third process does not send into the same wall: it waits for that answer, here
        # longer than its budget allows.
        budget(directory, clock, timeout=1).pace('GET', '/servers')
    assert clock.sleeps and all(seconds <= POLL for seconds in clock.sleeps)


def test_never_a_sleep_on_a_guess(directory, clock):
    one = budget(directory, clock)
    send(one, answer(0))  # the window is used up; nobody said when it ends
    one.pace('GET', '/servers')
    assert clock.sleeps == []


def test_the_429_says_the_end_everyone_waits_for_it_and_the_window_is_learned(directory, clock):
    first, second = budget(directory, clock), budget(directory, clock)
    start = clock.time()
    send(first, answer(1, limit=2))
    clock.advance(3.0)
    send(second, answer(0, limit=2))
    first.pace('GET', '/servers')  # the probe
    delay = first.delay_after_429(answer(0, limit=2, **{'Retry-After': '2'}), 1)
    assert delay == 2.0
    assert first.shared.update(dict)['window'] == 5.0  # 3 s in, 2 s more: a window of 5 s
    second.pace('GET', '/servers')  # waits for the end the API said
    assert clock.sleeps == [2.0] and clock.time() == start + 5.0
    # The next window is paced by the learned length, without a 429.
    second.observe(answer(1, limit=2))
    send(first, answer(0, limit=2))
    first.pace('GET', '/servers')
    # The learned length, from the answer that opened the window (here at once: a fake clock).
    assert clock.sleeps[-1] == pytest.approx(5.0)


def test_the_retry_after_date_and_the_reset_header_are_what_the_api_said(directory, clock):
    one = budget(directory, clock)
    end = clock.time() + 7
    from email.utils import formatdate  # pylint: disable=import-outside-toplevel
    assert one.delay_after_429({'Retry-After': formatdate(end, usegmt=True)}, 1) == pytest.approx(7, abs=1)
    assert one.delay_after_429({'X-RateLimit-Reset': str(int(end))}, 1) == pytest.approx(7, abs=1)


def test_the_answer_that_opens_a_window_starts_the_count_again(directory, clock):
    one = budget(directory, clock)
    send(one, answer(0, limit=60))
    clock.advance(1)
    send(one, answer(59, limit=60))  # the API's window passed (its end was never said)
    doc = one.shared.update(dict)
    assert doc['seen'][0] == 1 and doc['since'] == clock.time() and doc['opened'] == [clock.time()] * 2


def test_a_window_the_token_opened_elsewhere_is_seen_by_its_lower_count(directory, clock):
    one = budget(directory, clock)
    send(one, answer(30, limit=60))
    clock.advance(1)
    send(one, answer(55, limit=60))  # sent after the answer that said 30: a new window, 5 counted
    doc = one.shared.update(dict)
    assert doc['seen'][0] == 5 and doc['since'] == clock.time() and 'opened' not in doc


def test_answers_out_of_order_are_not_a_new_window(directory, clock):
    first, second = budget(directory, clock), budget(directory, clock)
    send(first, answer(40, limit=60))
    first.pace('GET', '/servers')
    second.pace('GET', '/servers')
    second.observe(answer(38, limit=60))  # the second's request arrived last but was answered first
    first.observe(answer(39, limit=60))
    assert first.shared.update(dict)['seen'][0] == 22


def test_requests_in_flight_count_before_their_answer_and_once_after(directory, clock):
    first, second, third = budget(directory, clock), budget(directory, clock), budget(directory, clock)
    send(first, answer(2, limit=3))  # opens the window: 1 of 3
    first.pace('GET', '/servers')
    second.pace('GET', '/servers')  # 3 of 3 reserved, two answers still out
    first.observe(answer(1, limit=3))  # the API has counted 2 so far: the count stays 3
    third.pace('GET', '/servers')  # so this one is the probe of a full window
    doc = first.shared.update(dict)
    assert doc['probe'] > clock.time() and clock.sleeps == []


def test_the_message_quotes_the_apis_own_limit(directory, clock):
    one = budget(directory, clock, timeout=1)
    send(one, answer(9, limit=10))
    clock.advance(1)
    send(one, answer(0, limit=10))
    one.pace('GET', '/servers')
    one.delay_after_429(answer(0, limit=10, **{'Retry-After': '4'}), 1)
    with pytest.raises(BudgetExhausted) as raised:
        one.pace('GET', '/servers')
    assert '10 requests per' in str(raised.value) and 'rate_limit_timeout (1 s' in str(raised.value)


# --- names resolved once ---

def test_a_name_is_remembered_for_a_while_by_every_process(directory, clock):
    first = NameCache(SharedState(URL, TOKEN, directory=directory), clock=clock.time)
    second = NameCache(SharedState(URL, TOKEN, directory=directory), clock=clock.time)
    assert second.recall('server', 'web-1') is None
    first.remember('server', {'web-1': 12, 'web-2': 13})
    assert second.recall('server', 'web-1') == '12' and second.recall('server', 'web-2') == '13'
    second.forget('server', 'web-1')
    assert first.recall('server', 'web-1') is None
    first.remember('server', {'web-1': 12, 'web-2': 13})
    clock.advance(NAME_TTL + 1)
    assert second.recall('server', 'web-1') is None


def test_the_answer_that_opens_a_window_places_it(directory, clock):
    """Placed by the first request the API counted in it, not by the previous end: a window
    that opened late (nothing was sent for a while) is not taken for an earlier one."""
    one = budget(directory, clock)
    one.shared.update(lambda doc: doc.update(window=60.0, limit=60, updated=clock.time()))
    clock.advance(100)
    reserved = clock.time()
    one.pace('GET', '/servers')
    clock.advance(0.3)  # the answer comes 0.3 s after the request was reserved
    one.observe(answer(59))
    doc = one.shared.update(dict)
    # One length after the answer: the API counted the request before it answered, so the
    # window's end is not earlier than this.
    assert doc['opened'] == [reserved, clock.time()] and doc['window_end'] == clock.time() + 60
    assert doc['seen'][0] == 1


@pytest.mark.parametrize('retry_after, end', [
    ('8', 60.3),     # the said end (61) is rounded up: the one placed by the opening answer is finer
    ('20', 72.0),    # they disagree by more than the rounding: the API's word wins
])
def test_a_later_429_moves_the_end_but_not_the_learned_length(directory, clock, retry_after, end):
    one = budget(directory, clock)
    start = clock.time()
    one.shared.update(lambda doc: doc.update(window=60.0, limit=60, opened=[start, start + 0.3], updated=start))
    clock.advance(53)
    one.delay_after_429(answer(0, **{'Retry-After': retry_after}), 1)
    doc = one.shared.update(dict)
    assert doc['window'] == 60.0 and doc['window_end'] == pytest.approx(start + end)


@pytest.mark.parametrize('opened, at, retry_after, learned', [
    ((0.0, 0.3), 30.0, 31, 60.0),  # counted at 0.2: the end 60.2 said as 61; 60 and 61 fit: the minute
    ((0.0, 0.0), 3.0, 2, 5.0),     # an exact end
    ((0.0, 0.01), 3.5, 7, 10.0),   # counted at 0.005: the end 10.005 said as 10.5
    ((0.0, 0.4), 3.0, 3, 6.0),     # counted at 0.3: the end 5.3 said as 6; 5 and 6 fit: the longer is never early
])
def test_the_window_length_learned_from_the_first_429(directory, clock, opened, at, retry_after, learned):
    one = budget(directory, clock)
    start = clock.time()
    one.shared.update(lambda doc: doc.update(limit=10, opened=[start + opened[0], start + opened[1]], updated=start))
    clock.advance(at)
    one.delay_after_429(answer(0, limit=10, **{'Retry-After': str(retry_after)}), 1)
    assert one.shared.update(dict)['window'] == learned


def test_after_a_known_end_every_request_reserved_since_counts_in_the_next_window(directory, clock):
    """Forks wake together at the end: the request the API counts first is not always the one
    reserved first, and the one reserved before it still counts in the new window."""
    first, second = budget(directory, clock), budget(directory, clock)
    end = clock.time() + 5
    first.shared.update(lambda doc: doc.update(limit=2, window=5.0, window_end=end, seen=[2, clock.time()],
                                               updated=clock.time()))
    clock.advance(5)
    first.pace('GET', '/servers')  # reserved first ...
    clock.advance(0.01)
    send(second, answer(1, limit=2))  # ... but the second's request reached the API first
    doc = first.shared.update(dict)
    assert doc['since'] == end and doc['window_end'] == clock.time() + 5
    first.observe(answer(0, limit=2))
    second.pace('GET', '/servers')  # two of two: waits for the end placed by the opening answer
    assert clock.sleeps == [pytest.approx(5.0)]


def test_in_a_fresh_state_every_request_sent_counts_in_the_first_window(directory, clock):
    """Forks start together: the request the API counted first may have been reserved after
    another of the same window."""
    first, second, third = budget(directory, clock), budget(directory, clock), budget(directory, clock)
    first.pace('GET', '/servers')
    clock.advance(0.01)
    send(second, answer(1, limit=2))  # reached the API first: it opened the window
    third.pace('GET', '/servers')  # two of two are out: this one is the probe
    assert third.shared.update(dict)['probe'] > clock.time()
