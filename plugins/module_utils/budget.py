# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The FlyWP rate limit: one budget per API URL and token on this controller.

Every process of the collection reserves each request in the shared state (state_file.py)
before sending it, so forks do not overrun a window together. What the processes know of
the API's current window is one record, `Window`, changed only by its transitions:
`reserve` (before a request), `answered` and `refused` (after one).

Nothing is waited on a guess, and nothing learned is trusted further than the API confirms:

- A window's end the API said (Retry-After or X-RateLimit-Reset) is waited for.
- Otherwise, when the window is used up, one process sends (the probe) and the others wait
  for its answer: a 429 says the end, a success says a new window began.
- The window's length is learned from an end the API said, under a hypothesis of how its
  windows begin: with the request they count first (Laravel's throttle, the first
  hypothesis) or on their own, aligned to the clock (many gateways). It places the ends of
  later windows, but the request sent at a placed end is a probe too: when the API refuses
  it, the placement was early, the hypothesis is contradicted, and the other is learned
  from that same 429. A wrong length so costs one 429, and never survives one window.

The token may be spent elsewhere too (jobs in other containers, another machine), which
this controller learns only from the API's counts: when an answer says the API counted
more in a window than this controller had sent, the others' part of it (`share`) and the
rate they sent at are kept, and the end of every window is paced so that all together
overrun it little (alone, none of this applies):

- The first request of a window asks what the others sent in it before this controller's
  others follow.
- While what the API last said it counted is too old to send on, at the rate the others
  send, the answers in flight or one request say more first.
- What is left of a window once it is about what the others send while one request
  travels is left to them: this controller waits for the end, said or placed.
- A process whose first answer in a window came after others opened it knows only that the
  window began by then; it takes the contract's minute when that fits (shared_window_length),
  and an end placed from that answer is late rather than wrong when the API says an earlier
  one, or refuses the request sent at it because the others filled the next window first.

Alone or not, a state that heard nothing of the API for a window's length (a job's fresh
container, where others may have filled the window already) sends one request, and its
other processes wait for that answer (a round trip, once).
"""

from __future__ import annotations

import math
import random
import time
from collections import namedtuple
from dataclasses import asdict, dataclass, field, fields
from email.utils import parsedate_to_datetime
from typing import List, Optional

REQUEST, CLOCK = 'request', 'clock'  # how the API's windows begin (Window.begins)
STALE = 86400.0  # a record untouched this long is started afresh (what was learned is kept)
PROBE_SECONDS = 5.0  # how long the others wait for the probe's answer before one of them sends
POLL = 0.1  # how often a process waiting for the probe's answer looks again
ANSWER_POLL = 0.02  # ... and for the first answer of a fresh state, which comes within a round trip
MIN_WAIT = 0.25  # the shortest wait after a 429, whatever it said
WHOLE_SECOND = 1.0  # how late an end said in whole seconds may be
CONTRACT_WINDOW = 60.0  # "60 requests a minute": the window length until one is learned
SHARED = 0.05  # others spend at least this part of what the API counts: the token is shared (Window.share)
SEEN_MOST = 6.0  # a window another controller opened, seen for all but this many seconds, may be the contract's minute
BURST = 3.0  # how much faster than their average over a window the others may send at a time
STATE_KEY = 'window'  # the record's place in the shared document

Wait = namedtuple('Wait', 'seconds reason')
Sent = namedtuple('Sent', 'at probe')  # a request reserved at `at`; `probe`: sent to learn the window
# What the API counted in its current window and how much of it is this controller's: RateLimitBudget.counted()
Counted = namedtuple('Counted', 'api mine limit end')


@dataclass
class Window:
    """What this controller knows of the token's current rate-limit window.

    Invariants: a request reserved at or after `since` counts in this window; `counted` only
    grows within a window; `opened`, `began_by` and `others` belong to this window (reset by
    _roll); `end` is only ever an end the API said; a request is in `flight` from its
    reservation to its answer (or PROBE_SECONDS, for one whose process died); `share` is 0
    unless answers showed others spend the token.
    """

    limit: Optional[int] = None  # X-RateLimit-Limit, as the API last said it
    length: Optional[float] = None  # seconds, learned from an end the API said (_learn)
    begins: str = REQUEST  # the hypothesis `length` was learned under
    sent: List[float] = field(default_factory=list)  # when each recent request was reserved, by any process
    since: Optional[float] = None  # requests reserved from then on count in this window; None: all of `sent`
    counted: int = 0  # the most requests an answer said this window had counted ...
    counted_at: float = 0.0  # ... and when that answer came
    opened: Optional[List[float]] = None  # [reserved, answered] of the request this window counted first
    began_by: Optional[float] = None  # the first answer in this window came then: it had begun by then
    previous_end: Optional[float] = None  # when the window before this one ended, if known
    end: Optional[float] = None  # said by the API: this window ends then
    probe: Optional[float] = None  # one request is out to learn the window; awaited until then
    flight: List[float] = field(default_factory=list)  # when each request still awaiting its answer was reserved
    carried: int = 0  # requests in flight when this window began here: it may have counted them
    others: int = 0  # the most requests an answer showed the API had counted in this window beyond this controller's
    share: float = 0.0  # the others' part of what the API counts, as last seen (kept from window to window)
    rtt: float = 0.0  # seconds from a request's reservation to its answer, the last one here
    heard: Optional[float] = None  # when the last answer came here
    updated: float = 0.0

    @classmethod
    def load(cls, document):
        """The record in the shared document; a field of the wrong type is left at its default."""
        stored = document.get(STATE_KEY) if isinstance(document.get(STATE_KEY), dict) else {}
        window = cls()
        for item in fields(cls):
            if item.name in stored and _fits(stored[item.name], item.name):
                setattr(window, item.name, stored[item.name])
        return window

    def save(self, document):
        document[STATE_KEY] = asdict(self)

    # -- transitions

    def reserve(self, now):
        """Reserve a request: Sent, or Wait when the window is used up."""
        self._forget_if_stale(now)
        if self.end is not None and now >= self.end:
            self._roll(since=self.end, previous_end=self.end)
        self.flight = [at for at in self.flight if at > now - PROBE_SECONDS]
        probe = False
        full = self.limit and self.used() >= self.limit
        if full or self._beside_others(now, stale=False):
            # Used up, or (the token shared) what is left is what the others send while one
            # request travels: this controller leaves it to them.
            if self.end is not None:
                return Wait(self.end - now, 'the rate-limit window to pass')
            if not full and self.flight:
                return Wait(POLL, 'the answers that say what the API counted')
            placed = self.placed_end()
            if placed is not None and now < placed:
                return Wait(placed - now, 'the rate-limit window to pass')
            if self.probe is not None and self.probe > now:
                return Wait(min(POLL, self.probe - now), 'the API to say when the rate-limit window ends')
            self.probe, probe = now + PROBE_SECONDS, True
        elif self._beside_others(now, stale=True) or self._opening_shared() or self._unheard(now):
            # The token shared, and what the API counted is too old to send on (or nothing of
            # this window was heard yet, or nothing of the API for a window's length): the
            # answers in flight, or one request, say more before the others here follow.
            if self.flight:
                # A fresh state's processes start together: its first answer is awaited closely.
                poll = ANSWER_POLL if self._unheard(now) else POLL
                return Wait(poll, 'the answers that say what the API counted')
            if self.probe is not None and self.probe > now:
                return Wait(min(POLL, self.probe - now), 'the API to say what it counted of the rate-limit window')
            self.probe, probe = now + PROBE_SECONDS, True
        keep = now - (self.length or CONTRACT_WINDOW) - PROBE_SECONDS
        self.sent = [at for at in self.sent if at > keep] + [now]
        self.flight.append(now)
        return Sent(now, probe)

    def answered(self, now, sent, limit, remaining, reset):
        """An answer that was not a 429, with its rate-limit headers (None when absent)."""
        self.updated = now
        self._landed(sent, now)
        if limit is not None:
            self.limit = limit
        if sent.probe:
            self.probe = None
        if limit is not None and remaining is not None:
            counted = limit - remaining  # by the API, in its current window, this request included
            if counted < self.counted and sent.at > self.counted_at:
                # Fewer than an answer said that came before this request was sent: a new window.
                placed = self.placed_end()
                self._roll(since=sent.at, previous_end=placed if placed is not None and sent.at >= placed else None)
            if self.since is None or sent.at >= self.since:
                self.began_by = now if self.began_by is None else self.began_by
                if counted == 1 and self.opened is None:
                    self.opened = [sent.at, now]
                # Every request the API counted in this window was reserved before this answer:
                # here (since the window began, or in flight then), or elsewhere.
                self.others = max(self.others, counted - self.mine() - self.carried)
            if counted > self.counted:
                self.counted, self.counted_at = counted, now
            if self.counted and (self.since is None or sent.at >= self.since):
                self.share = float(self.others) / self.counted
        if reset is not None and reset > now:
            self._said(reset, refused_probe=False)

    def refused(self, now, sent, limit, end):
        """A 429, with the end it said (None when it said none)."""
        self.updated = now
        self._landed(sent, now)
        if limit is not None:
            self.limit = limit
        placed = self.placed_end()
        if (sent is not None and placed is not None and sent.at >= placed and end is not None
                and self.share >= SHARED and self.length and end - sent.at > self.length / 2):
            # The window ended as placed, and the others filled the next one before this
            # request reached it: the end said is the next window's, no contradiction.
            self._roll(since=placed, previous_end=placed)
            placed = None
        refused_probe = sent is not None and sent.probe and placed is not None and sent.at >= placed
        if sent is not None and sent.probe:
            self.probe = None
        if self.limit:
            self.counted, self.counted_at = max(self.counted, self.limit), now  # the window is full
        if end is not None:
            self._said(end, refused_probe)

    def unanswered(self, sent):
        """A request that got no answer: if it was the probe, another process may send one."""
        self._landed(sent)
        if sent is not None and sent.probe:
            self.probe = None

    # -- what the record says

    def used(self):
        """Requests this window has counted, or will once those in flight arrive: those reserved
        since it began, or what an answer said the API counted and every request still in flight,
        when that is more (the token is used elsewhere too, or the API counts in this window a
        request reserved before the answer that showed it began: it counts them as they arrive)."""
        return max(self.mine(), self.counted + len(self.flight))

    def mine(self):
        """Requests the processes of this state file reserved in this window."""
        return len([at for at in self.sent if self.since is None or at >= self.since])

    def _beside_others(self, now, stale):
        """Whether one more request would pass the limit once the others sent what they are
        expected to beside it (the token shared): at BURST times the rate they spent this window,
        while it travels, and with `stale` also since the answer that said the API's count.
        Alone, the count and this controller's requests in flight are the whole of it."""
        if not self.limit or not self.counted or self.share < SHARED:
            return False
        began = self.since if self.since is not None else min(self.sent, default=now)
        rate = self.others / max(self.counted_at - began, self.rtt, POLL)
        seconds = self.rtt + (now - self.counted_at if stale else 0.0)
        return self.counted + len(self.flight) + 1 + int(BURST * rate * seconds + 0.5) > self.limit

    def _unheard(self, now):
        """No answer came here for a window's length or ever (a job's fresh container): others
        may have filled the window meanwhile."""
        return self.heard is None or now - self.heard > (self.length or CONTRACT_WINDOW)

    def _opening_shared(self):
        """A window others spend too, of which nothing was heard yet: what they sent since it began is unknown."""
        return self.share >= SHARED and self.since is not None and self.began_by is None

    def placed_end(self):
        """When this window ends by the learned length and hypothesis; None when unknown."""
        if self.length is None or self.began_by is None:
            return None
        if self.begins == REQUEST:
            return self.began_by + self.length  # it began by its first answer: never early
        if self.previous_end is None:
            return None
        # Windows follow each other: this one is the one the first answer came in.
        return self.previous_end + self.length * (math.floor((self.began_by - self.previous_end) / self.length) + 1)

    # -- the steps the transitions share

    def _roll(self, since, previous_end):
        """A new window: requests reserved from `since` on count in it."""
        self.since, self.previous_end = since, previous_end
        self.counted, self.counted_at = 0, since
        self.opened = self.began_by = self.end = self.probe = None
        self.carried, self.others = len([at for at in self.flight if at < since]), 0

    def _landed(self, sent, now=None):
        """A request's answer came (at `now`), or will not: it is no longer in flight."""
        if sent is not None and sent.at in self.flight:
            self.flight.remove(sent.at)
            if now is not None:
                self.rtt = max(now - sent.at, 0.0)
        if now is not None:
            self.heard = now

    def _said(self, end, refused_probe):
        """The API said when this window ends; learn from it."""
        placed = self.placed_end()
        # An end placed from a window others opened is late by as much as they were early:
        # only an end later than placed says the placement was wrong.
        late_by = end - placed if placed is not None else 0.0
        early_by = 0.0 if placed is None or self._opened_elsewhere() else placed - end
        contradicted = refused_probe or late_by > WHOLE_SECOND or early_by > WHOLE_SECOND
        if contradicted:
            self.begins = CLOCK if self.begins == REQUEST else REQUEST
        if contradicted or self.length is None or self.begins == REQUEST:
            learned = self._learn(end)
            self.length = learned if learned is not None or contradicted else self.length
        self.end = end

    def _opened_elsewhere(self):
        """Whether another controller may have sent this window's first request."""
        return self.opened is None and self.share >= SHARED

    def _learn(self, end):
        """The length this window's end gives under the hypothesis, or None when it gives none."""
        if self.begins == REQUEST:
            if self.opened:
                return window_length(end, self.opened)
            if self._opened_elsewhere() and self.began_by is not None:
                return shared_window_length(end, self.began_by, self.previous_end)
            return None
        if self.previous_end is not None and end - self.previous_end >= WHOLE_SECOND:
            return float(round(end - self.previous_end))
        return None

    def _forget_if_stale(self, now):
        if self.updated and now - self.updated > STALE:
            learned = (self.limit, self.length, self.begins)
            self.__init__()  # pylint: disable=unnecessary-dunder-call
            self.limit, self.length, self.begins = learned
        self.updated = now


def window_length(end, opened):
    """The window's length from the end the API said and the request that opened it, in whole
    seconds as Laravel's decay is.

    The end said is late by less than a second (the header rounds it up), and the window
    began between the opening request's reservation and its answer: of the lengths that
    fit, the contract's minute if it is one of them, else the longest (never an early end).
    """
    reserved, answered = opened
    longest = math.floor(end - reserved)
    shortest = math.floor(end - WHOLE_SECOND - answered) + 1
    if shortest <= CONTRACT_WINDOW <= longest:
        return CONTRACT_WINDOW
    return float(max(1, longest))


def shared_window_length(end, began_by, previous_end):
    """The window's length from the end the API said, when another controller opened the
    window: it began by `began_by` (the first answer here in it), and after the window before
    it ended (`previous_end`, said up to a second late), when that is known.

    Of the whole lengths that fit, the contract's minute if it is one of them (without an end
    before, only when the window was seen for all but SEEN_MOST seconds of it), else the
    longest (never an early end); None when nothing bounds it.
    """
    shortest = math.floor(end - WHOLE_SECOND - began_by) + 1
    longest = None if previous_end is None else math.floor(end - previous_end + WHOLE_SECOND)
    if longest is None:
        return CONTRACT_WINDOW if shortest <= CONTRACT_WINDOW <= shortest + SEEN_MOST else None
    if shortest <= CONTRACT_WINDOW <= longest:
        return CONTRACT_WINDOW
    return float(longest) if longest >= max(shortest, 1) else None


class BudgetExhausted(Exception):
    """Waiting for the rate limit would pass rate_limit_timeout; str() says what to do."""


class RateLimitBudget:
    """One process's use of the shared Window, and the waiting it costs.

    Waiting is bounded by `timeout` seconds in total for one client, covering both the
    waits after a 429 and the waits before a request known to be refused.

    `counted()` tells a caller that paces itself (the event source) what the API counts of the
    token's current window, and how much of that this controller sent, so that it can keep to
    a share of what the API counts even when others (another container, another machine)
    spend the same token: a `Counted(api, mine, limit, end)`, see there.
    """

    def __init__(self, timeout, state, sleep=time.sleep, clock=time.time, backoff=1.0):
        self.timeout = timeout
        self.backoff = backoff
        self.state = state
        self.waited = 0.0
        self._sleep = sleep
        self._clock = clock
        self._sent = None  # the request of this process now in flight (a Sent)

    def _change(self, transition):
        """transition(window) on the shared record, under the state file's lock."""
        def change(document):
            window = Window.load(document)
            value = transition(window)
            window.save(document)
            return value
        return self.state.update(change)

    def pace(self, method, path):
        """Reserve one request of the window, waiting first while the window is known to be used up."""
        while True:
            outcome = self._change(lambda window: window.reserve(self._clock()))
            if isinstance(outcome, Sent):
                self._sent = outcome
                return
            self.wait(outcome.seconds, method, path, outcome.reason, poll=True)

    def observe(self, headers):
        """The rate-limit headers of an answer that was not a 429."""
        sent, self._sent = self._sent, None
        limit, remaining = _header_int(headers, 'X-RateLimit-Limit'), _header_int(headers, 'X-RateLimit-Remaining')
        reset = _header_int(headers, 'X-RateLimit-Reset')
        if sent is None:
            sent = Sent(self._clock(), False)
        self._change(lambda window: window.answered(self._clock(), sent, limit, remaining, reset))

    def unanswered(self):
        sent, self._sent = self._sent, None
        self._change(lambda window: window.unanswered(sent))

    def delay_after_429(self, headers, attempt):
        """Seconds to wait after a 429 (Retry-After, else X-RateLimit-Reset, else backoff); what
        the API said is shared, and learned from."""
        sent, self._sent = self._sent, None
        now = self._clock()
        end = _retry_after(headers.get('Retry-After'), now)
        if end is None:
            reset = _header_int(headers, 'X-RateLimit-Reset')
            end = float(reset) if reset is not None else None
        self._change(lambda window: window.refused(now, sent, _header_int(headers, 'X-RateLimit-Limit'), end))
        if end is not None:
            return end - now
        return min(self.backoff * 2 ** attempt, 30) * (1 + random.random() / 2)

    def seconds_for(self, count):
        """About how long `count` more requests must wait for the rate limit, by what the API
        said (the contract's minute when no window was learned); 0 when nothing is known yet."""
        window = Window.load(self.state.read())
        if not window.limit or window.limit <= 0:
            return 0.0
        over = window.end is not None and self._clock() >= window.end
        remaining = window.limit if over else max(window.limit - window.used(), 0)
        if count <= remaining:
            return 0.0
        return math.ceil((count - remaining) / float(window.limit)) * float(window.length or CONTRACT_WINDOW)

    def counted(self):
        """Counted(api, mine, limit, end) of the token's current window, as this controller knows it:

        - api: the most requests an answer said the API had counted in it (X-RateLimit-Limit
          minus X-RateLimit-Remaining), whoever sent them; 0 before the first answer of a window;
        - mine: the requests the processes of this state file reserved in it, those still
          awaiting their answer included;
        - limit: X-RateLimit-Limit as the API last said it, None before any answer;
        - end: when the window ends, as the API said it or as placed by the length learned;
          None when unknown.

        `api - mine`, when more than 0, is what others spent of it. Once the end has passed,
        the next window: nothing counted yet, and only what was reserved since as mine.
        """
        window = Window.load(self.state.read())
        now = self._clock()
        end = window.end if window.end is not None else window.placed_end()
        if end is not None and now >= end:
            return Counted(0, len([at for at in window.sent if at >= end]), window.limit, None)
        return Counted(window.counted, window.mine(), window.limit, end)

    def rate(self):
        """(requests, seconds): the API's limit as known so far, the contract's 60 a minute until then."""
        window = Window.load(self.state.read())
        return window.limit or 60, window.length or CONTRACT_WINDOW

    def limit_text(self):
        """The API's own limit, for messages: '60 requests a minute' or '10 requests per 5 s'."""
        limit, length = self.rate()
        if length == 60:
            return '%d requests a minute per token' % limit
        return '%d requests per %g s per token' % (limit, length)

    def wait(self, seconds, method, path, reason, poll=False):
        seconds = max(seconds, 0.01 if poll else MIN_WAIT)
        if self.waited + seconds > self.timeout:
            raise BudgetExhausted(
                'The FlyWP API rate limit (%s) holds back %s %s, and waiting %d s more for %s would pass '
                'rate_limit_timeout (%s s, %d s already spent). Raise rate_limit_timeout, or spread the work over more '
                'time.' % (self.limit_text(), method, path, round(seconds), reason, self.timeout, round(self.waited)))
        self.waited += seconds
        self._sleep(seconds)


OPTIONAL = ('limit', 'length', 'since', 'opened', 'began_by', 'previous_end', 'end', 'probe', 'heard')


def _fits(value, name):
    """Whether a stored value has the type of the field (numbers are not booleans)."""
    if value is None:
        return name in OPTIONAL
    if isinstance(value, bool):
        return False
    if name == 'begins':
        return value in (REQUEST, CLOCK)
    if name in ('sent', 'opened', 'flight'):
        return isinstance(value, list) and all(isinstance(item, (int, float)) and not isinstance(item, bool)
                                               for item in value) and (name != 'opened' or len(value) == 2)
    if name in ('limit', 'counted', 'carried', 'others'):
        return isinstance(value, int)
    if name == 'share':
        return isinstance(value, (int, float)) and 0 <= value <= 1
    return isinstance(value, (int, float))


def _retry_after(value, now):
    """The moment Retry-After names (seconds from now, or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return now + float(value)
    try:
        return parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _header_int(headers, name):
    value = headers.get(name)
    try:
        return int(float(value))
    except (TypeError, ValueError, OverflowError):
        return None
