# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shared rate-limit budget: pure logic on a fake clock, no sockets.

Several RateLimitBudget objects on one state directory stand for several processes of one
controller (the forks of a play). FakeAPI counts requests in windows as an API would, with
windows that begin with the request they count first (Laravel's throttle) or on their own,
aligned to the clock (many gateways).
"""

from __future__ import annotations

import math

import pytest

from ansible_collections.flywp.cloud.plugins.module_utils.budget import (
    ANSWER_POLL, BURST, CLOCK, POLL, REQUEST, SHARED, STALE, BudgetExhausted, RateLimitBudget, Sent, Window, shared_window_length,
    window_length)
from ansible_collections.flywp.cloud.plugins.module_utils.state_file import SharedState
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


def window_of(one):
    return Window.load(one.state.read())


def set_window(one, **values):
    def change(document):
        window = Window.load(document)
        for name, value in values.items():
            setattr(window, name, value)
        window.save(document)
    one.state.update(change)


def answer(remaining, limit=60, **extra):
    return dict({'X-RateLimit-Limit': str(limit), 'X-RateLimit-Remaining': str(remaining)}, **extra)


def send(one, headers):
    """One request: reserve, then read its answer's headers."""
    one.pace('GET', '/servers')
    one.observe(headers)


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


def test_the_429_says_the_end_and_everyone_waits_for_it(directory, clock):
    first, second = budget(directory, clock), budget(directory, clock)
    start = clock.time()
    send(first, answer(1, limit=2))
    clock.advance(3.0)
    send(second, answer(0, limit=2))
    first.pace('GET', '/servers')  # the probe
    assert first.delay_after_429(answer(0, limit=2, **{'Retry-After': '2'}), 1) == 2.0
    second.pace('GET', '/servers')  # waits for the end the API said
    assert clock.sleeps == [2.0] and clock.time() == start + 5.0


def test_the_retry_after_date_and_the_reset_header_are_what_the_api_said(directory, clock):
    one = budget(directory, clock)
    end = clock.time() + 7
    from email.utils import formatdate  # pylint: disable=import-outside-toplevel
    assert one.delay_after_429({'Retry-After': formatdate(end, usegmt=True)}, 1) == pytest.approx(7, abs=1)
    assert one.delay_after_429({'X-RateLimit-Reset': str(int(end))}, 1) == pytest.approx(7, abs=1)


def test_a_lower_count_than_an_earlier_answer_is_a_new_window(directory, clock):
    one = budget(directory, clock)
    send(one, answer(30, limit=60))
    clock.advance(1)
    send(one, answer(55, limit=60))  # sent after the answer that said 30: a new window, 5 counted
    window = window_of(one)
    assert (window.counted, window.since, window.opened) == (5, clock.time(), None)


def test_answers_out_of_order_are_not_a_new_window(directory, clock):
    first, second = budget(directory, clock), budget(directory, clock)
    send(first, answer(40, limit=60))
    first.pace('GET', '/servers')
    second.pace('GET', '/servers')
    second.observe(answer(38, limit=60))  # the second's request arrived last but was answered first
    first.observe(answer(39, limit=60))
    assert window_of(first).counted == 22


def test_requests_in_flight_count_before_their_answer_and_once_after(directory, clock):
    first, second, third = budget(directory, clock), budget(directory, clock), budget(directory, clock)
    send(first, answer(2, limit=3))  # 1 of 3
    first.pace('GET', '/servers')
    second.pace('GET', '/servers')  # 3 of 3 reserved, two answers still out
    first.observe(answer(1, limit=3))  # the API has counted 2 so far: the count stays 3
    third.pace('GET', '/servers')  # so this one is the probe of a full window
    assert window_of(first).probe > clock.time() and clock.sleeps == []


def test_requests_in_flight_when_a_new_window_shows_may_count_in_it(directory, clock):
    """The API counts requests as they arrive, not as they were reserved: the answer that shows
    a new window may be the one of a request reserved after others still in flight, which the
    API counts in the new window too."""
    first, second, third = budget(directory, clock), budget(directory, clock), budget(directory, clock)
    for remaining in (9, 8, 7):
        send(first, answer(remaining, limit=10))
    clock.advance(30)  # the API's window ended, unknown here
    for one in (first, second, third):
        one.pace('GET', '/servers')
        clock.advance(0.01)
    third.observe(answer(9, limit=10))  # arrived first: 1 counted in a new window, two more on their way
    later = [budget(directory, clock) for number in range(8)]
    for one in later[:7]:
        one.pace('GET', '/servers')
    assert window_of(first).probe is None
    later[7].pace('GET', '/servers')  # 3 + 7 of 10: this one is the probe of a full window
    assert window_of(first).probe > clock.time() and clock.sleeps == []


def test_in_a_fresh_state_every_request_sent_counts_in_the_first_window(directory, clock):
    """Forks start together: the request the API counted first may have been reserved after
    another of the same window."""
    first, second, third = budget(directory, clock), budget(directory, clock), budget(directory, clock)
    first.pace('GET', '/servers')
    clock.advance(0.01)
    send(second, answer(1, limit=2))  # reached the API first: it opened the window
    third.pace('GET', '/servers')  # two of two are out: this one is the probe
    assert window_of(third).probe > clock.time()


def test_a_request_without_an_answer_frees_the_probe(directory, clock):
    first, second = budget(directory, clock), budget(directory, clock)
    send(first, answer(0, limit=1))
    first.pace('GET', '/servers')  # the probe
    first.unanswered()
    second.pace('GET', '/servers')  # another may send it at once
    assert clock.sleeps == []


def test_the_message_quotes_the_apis_own_limit(directory, clock):
    one = budget(directory, clock, timeout=1)
    set_window(one, length=5.0)
    send(one, answer(0, limit=10))  # the window is full, and ends 5 s after this answer
    with pytest.raises(BudgetExhausted) as raised:
        one.pace('GET', '/servers')
    assert '10 requests per 5 s' in str(raised.value) and 'rate_limit_timeout (1 s' in str(raised.value)


def test_a_stale_record_is_forgotten_but_what_was_learned_kept(directory, clock):
    one = budget(directory, clock)
    set_window(one, limit=60, counted=60, counted_at=clock.time(), length=5.0, begins=CLOCK,
               end=clock.time() + STALE * 2, updated=clock.time())
    clock.advance(STALE + 1)
    one.pace('GET', '/servers')
    window = window_of(one)
    assert clock.sleeps == [] and (window.length, window.begins, window.counted, window.end) == (5.0, CLOCK, 0, None)


@pytest.mark.parametrize('stored', [{'window': 'x'}, {'window': {'sent': 'x', 'limit': True, 'begins': 'never'}}])
def test_a_record_of_the_wrong_shape_is_read_as_defaults(directory, clock, stored):
    one = budget(directory, clock)
    one.state.update(lambda document: document.update(stored))
    send(one, answer(10))
    window = window_of(one)
    assert (window.limit, window.counted, window.sent, window.begins) == (60, 50, [clock.time()], REQUEST)


@pytest.mark.parametrize('opened, at, retry_after, learned', [
    ((0.0, 0.3), 30.0, 31, 60.0),  # counted at 0.2: the end 60.2 said as 61; 60 and 61 fit: the minute
    ((0.0, 0.0), 3.0, 2, 5.0),     # an exact end
    ((0.0, 0.01), 3.5, 7, 10.0),   # counted at 0.005: the end 10.005 said as 10.5
    ((0.0, 0.4), 3.0, 3, 6.0),     # counted at 0.3: the end 5.3 said as 6; 5 and 6 fit: the longer is never early
])
def test_the_length_of_a_window_its_first_request_opened(opened, at, retry_after, learned):
    assert window_length(at + retry_after, opened) == learned


# --- the window learned, however the API begins its windows ---

class FakeAPI:
    """`limit` requests per `length` seconds. REQUEST: a window begins with the first request
    after the last one ended, as Laravel's throttle does; CLOCK: windows begin on their own,
    at `offset` + k * `length`. A 429 says Retry-After (seconds, rounded up) and
    X-RateLimit-Reset (rounded up), as the simulator does; an answer takes `latency`."""

    def __init__(self, clock, limit, length, begins=REQUEST, offset=0.0, latency=0.005):
        self.clock, self.limit, self.length, self.begins, self.offset = clock, limit, length, begins, offset
        self.latency = latency
        self.start, self.count, self.refused, self.answered = None, 0, 0, 0

    def hit(self):
        self.clock.advance(self.latency / 2)
        now = self.clock.time()
        if self.begins == CLOCK:
            start = self.offset + math.floor((now - self.offset) / self.length) * self.length
            if start != self.start:
                self.start, self.count = start, 0
        elif self.start is None or now >= self.start + self.length:
            self.start, self.count = now, 0
        end = self.start + self.length
        self.clock.advance(self.latency / 2)
        if self.count >= self.limit:
            self.refused += 1
            return 429, answer(0, self.limit, **{'Retry-After': str(max(1, math.ceil(end - now))),
                                                 'X-RateLimit-Reset': str(math.ceil(end))})
        self.count += 1
        self.answered += 1
        return 200, answer(self.limit - self.count, self.limit)


def run(processes, api, requests):
    """`requests` requests, the processes taking turns, each waiting as its budget says."""
    for number in range(requests):
        one = processes[number % len(processes)]
        attempt = 0
        while True:
            one.pace('GET', '/servers')
            status, headers = api.hit()
            if status != 429:
                one.observe(headers)
                break
            attempt += 1
            one.wait(max(one.delay_after_429(headers, attempt), 1.0), 'GET', '/servers', 'the rate limit')


def floor_seconds(requests, limit, length):
    return (requests - 1) // limit * length


@pytest.mark.parametrize('begins, offset', [
    (REQUEST, 0.0),
    (CLOCK, 3.0),    # the first window began 3 s before the first request
    (CLOCK, 0.2),
    (CLOCK, 59.5),   # ... or just before its end
])
@pytest.mark.parametrize('limit, length, requests, processes', [
    (60, 60.0, 140, 20),  # make bench's case A: 20 hosts x 7 requests, forks 20
    (10, 5.0, 60, 1),     # case B: one host, a short window
])
def test_the_window_is_learned_within_one_429_a_window_and_the_floor(
        directory, clock, begins, offset, limit, length, requests, processes):
    start = clock.time()
    api = FakeAPI(clock, limit, length, begins, offset=start - (offset % length) if begins == CLOCK else 0.0)
    budgets = [budget(directory, clock, timeout=3600) for number in range(processes)]
    run(budgets, api, requests)
    windows = math.ceil(requests / float(limit))
    assert api.answered == requests
    # One 429 in the first window, while nothing is learned, then none; when the API's windows
    # begin on their own, the first guess may be wrong: its early end costs one more 429.
    assert api.refused <= (1 if begins == REQUEST else 2) and api.refused < windows
    assert clock.time() - start <= 1.05 * floor_seconds(requests, limit, length)


def test_a_wrong_length_learned_earlier_costs_one_429_and_is_replaced(directory, clock):
    """A length too short, kept from an earlier run: the request sent at the early end it places
    is refused, once, and what the API said replaces it."""
    api = FakeAPI(clock, 10, 5.0)
    one = budget(directory, clock, timeout=3600)
    set_window(one, length=4.0)
    run([one], api, 60)
    assert api.refused <= 2
    assert window_of(one).length == 5.0


def test_windows_aligned_to_the_clock_are_learned_as_such(directory, clock):
    api = FakeAPI(clock, 10, 5.0, CLOCK, offset=clock.time() - 2.0)
    one = budget(directory, clock, timeout=3600)
    run([one], api, 60)
    window = window_of(one)
    assert (window.begins, window.length) == (CLOCK, 5.0)


def test_the_rate_is_the_contracts_until_the_api_says_its_own(directory, clock):
    one = budget(directory, clock)
    assert one.rate() == (60, 60.0)
    set_window(one, limit=10, length=5.0)
    assert one.rate() == (10, 5.0)


# --- what the API counts, for a caller that paces itself ---

def test_counted_before_any_answer_knows_nothing(directory, clock):
    assert budget(directory, clock).counted() == (0, 0, None, None)


def test_counted_tells_what_others_spent_of_the_window(tmp_path, clock):
    """Two controllers (separate state directories) on one token: each sees the API's count,
    and its own part of it."""
    api = FakeAPI(clock, 60, 60.0)
    here, there = budget(str(tmp_path / 'here'), clock), budget(str(tmp_path / 'there'), clock)
    run([there], api, 5)
    run([here], api, 2)
    here.pace('GET', '/servers')  # in flight: mine, not yet counted by an answer
    assert here.counted() == (7, 3, 60, None)
    assert there.counted() == (5, 5, 60, None)


def test_counted_after_the_end_is_the_next_window(directory, clock):
    one = budget(directory, clock)
    send(one, answer(0, limit=2))
    one.pace('GET', '/servers')  # the probe
    one.delay_after_429(answer(0, limit=2, **{'Retry-After': '4'}), 1)
    assert one.counted() == (2, 2, 2, clock.time() + 4)
    clock.advance(4)
    assert one.counted() == (0, 0, 2, None)


# --- the token spent elsewhere too (test_budget_containers.py runs containers at once) ---

def test_an_answer_that_counts_more_than_was_sent_here_shows_the_others(directory, clock):
    one = budget(directory, clock)
    send(one, answer(60 - 11))  # the API counted 11, this controller sent 1
    send(one, answer(60 - 14))  # 14, of which 2 from here
    window = window_of(one)
    assert (window.others, window.share) == (12, 12 / 14.0)


def test_requests_in_flight_when_a_window_began_are_not_taken_for_others(directory, clock):
    """A request reserved before the answer that showed a new window may be counted in it."""
    first, second = budget(directory, clock), budget(directory, clock)
    for remaining in (59, 58, 57):
        send(first, answer(remaining))
    clock.advance(30)
    first.pace('GET', '/servers')
    clock.advance(0.01)
    second.pace('GET', '/servers')
    second.observe(answer(58))  # 2 counted in a new window: the first's request too, still in flight
    first.observe(answer(59))
    window = window_of(first)
    assert (window.carried, window.others, window.share) == (1, 0, 0)


def test_alone_again_the_share_of_others_is_0(tmp_path, clock):
    api = FakeAPI(clock, 10, 5.0)
    here, there = budget(str(tmp_path / 'here'), clock, 3600), budget(str(tmp_path / 'there'), clock, 3600)
    run([there, here], api, 10)
    assert window_of(here).share >= SHARED
    run([here], api, 10)  # the next window: only this controller's requests
    assert window_of(here).share == 0


def shared_window(clock, **values):
    """A Window whose answers showed others spend the token: 40 of the 50 counted in the second since it began."""
    now = clock.time()
    window = Window(limit=60, counted=50, counted_at=now, others=40, share=0.8, since=now - 1.0, rtt=0.1,
                    sent=[now - 0.5] * 10, began_by=now - 0.9, length=60.0, heard=now)
    for name, value in values.items():
        setattr(window, name, value)
    return window


def test_what_is_left_of_a_shared_window_is_left_to_the_others(clock):
    """10 left, and the others send 40 a second: more than BURST times that in the 0.1 s a request
    travels. This controller waits for the end of the window, placed by the length learned."""
    assert BURST * 40 * 0.1 > 10 - 1
    now = clock.time()
    assert shared_window(clock).reserve(now) == (now - 0.9 + 60.0 - now, 'the rate-limit window to pass')
    assert shared_window(clock, share=0.0, others=0).reserve(now).probe is False  # alone: 10 left are sent


def test_what_the_api_counted_too_long_ago_is_asked_again_before_sending(clock):
    """30 counted half a second ago, and the others send 40 a second: what is left may be gone.
    One request asks (the others of this controller wait for its answer), or the answers in flight do."""
    now = clock.time()
    window = shared_window(clock, counted=30, counted_at=now - 0.5, others=20)
    sent = window.reserve(now)
    assert sent.probe and window.probe is not None
    assert window.reserve(now) == (POLL, 'the answers that say what the API counted')
    in_flight = shared_window(clock, counted=30, counted_at=now - 0.5, others=20, flight=[now - 0.05])
    assert in_flight.reserve(now) == (POLL, 'the answers that say what the API counted')
    fresh = shared_window(clock, counted=30, counted_at=now, others=20)
    assert fresh.reserve(now).probe is False


def test_the_first_request_of_a_shared_window_asks_what_the_others_sent(directory, clock):
    first, second = budget(directory, clock), budget(directory, clock, timeout=1)
    set_window(first, limit=60, share=0.5, since=clock.time() - 0.1)  # a new window, nothing heard of it yet
    first.pace('GET', '/servers')
    with pytest.raises(BudgetExhausted):
        second.pace('GET', '/servers')  # waits for the first's answer (longer than its budget allows)
    assert clock.sleeps and all(seconds <= POLL for seconds in clock.sleeps)
    first.observe(answer(60 - 21))
    clock.sleeps.clear()
    budget(directory, clock).pace('GET', '/servers')
    assert clock.sleeps == []


@pytest.mark.parametrize('share, begins', [(0.5, REQUEST), (0.0, CLOCK)])
def test_an_end_earlier_than_placed_contradicts_only_a_window_opened_here(clock, share, begins):
    """Placed from the first answer here, the end of a window others opened is late by as much as
    they were early: an earlier end said is no contradiction then. Alone, it is one."""
    now = clock.time()
    window = Window(limit=60, counted=60, counted_at=now, length=60.0, began_by=now - 10.0, share=share,
                    opened=None if share else [now - 10.1, now - 10.0])
    window.refused(now, None, 60, now + 47.0)  # 3 s before the placed end
    assert window.begins == begins


@pytest.mark.parametrize('end, began_by, previous_end, learned', [
    (100.5, 40.0, None, 60.0),   # seen for 59.5 to 60.5 s of it: the contract's minute fits
    (100.5, 45.0, None, 60.0),   # 55 s: it began by then, and a minute fits, seen for all but 5 s
    (100.5, 50.0, None, None),   # 50 s: it may have begun long before; a minute would be a guess
    (100.5, 30.0, None, None),   # 70 s: longer than a minute; nothing bounds it
    (100.5, 40.5, 40.2, 60.0),   # after an end said at 40.2: 60 or 61
    (15.4, 10.1, 10.0, 6.0),     # 5 or 6 s windows: the longer is never early
    (15.4, 10.1, 12.0, None),    # an end before that leaves no length that fits
])
def test_the_length_of_a_window_another_controller_opened(end, began_by, previous_end, learned):
    assert shared_window_length(end, began_by, previous_end) == learned


def test_a_next_window_the_others_filled_before_the_placed_end_was_reached_is_no_contradiction(clock):
    """At the end placed for this window, the others had already filled the next one: the 429
    says an end a window later. The window rolls at the placed end, and what was learned stays."""
    now = clock.time()
    window = Window(limit=60, counted=60, counted_at=now - 50, length=60.0, began_by=now - 60.5, share=0.5,
                    others=45, since=now - 61.0)
    window.refused(now + 0.01, Sent(now, True), 60, now + 59.0)
    assert (window.begins, window.length, window.since, window.end) == (REQUEST, 60.0, now - 0.5, now + 59.0)


def test_a_state_that_heard_nothing_of_the_api_asks_once_before_its_processes_follow(directory, clock):
    """A job's fresh container: the others may have filled the window already. Once an answer
    came, with rate-limit headers or without, the processes go on at once."""
    first, second = budget(directory, clock), budget(directory, clock, timeout=1)
    first.pace('GET', '/servers')
    with pytest.raises(BudgetExhausted):
        second.pace('GET', '/servers')  # waits for that answer, here longer than its budget allows
    assert clock.sleeps and all(seconds == ANSWER_POLL for seconds in clock.sleeps)
    first.observe({})
    clock.sleeps.clear()
    for _number in range(3):
        budget(directory, clock).pace('GET', '/servers')
    assert clock.sleeps == []
