# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The FlyWP rate limit, one budget per API URL and token on this controller.

Every process of the collection (the forks of a play, the inventory plugin, playbooks run
side by side by one user) keeps what the API has said about the token's limit in one small
state file, and reserves a request from it before sending, so forks do not overrun a
window together.

Nothing is waited on a guess. A window's end is waited for only when the API said it
(Retry-After or X-RateLimit-Reset on a 429) or when its length was learned from an earlier
window; when it is unknown, one process sends, the 429 says when the window ends, and the
others, who see that answer is due, wait for it instead of sending into the same wall.

The state file also remembers which id a server name had (for NAME_TTL seconds), so a play
naming a server by name lists the servers once, not in every task.
"""

from __future__ import annotations

import errno
import hashlib
import json
import math
import os
import random
import time
from email.utils import parsedate_to_datetime

try:
    import fcntl
except ImportError:  # not POSIX: the budget stays within the process
    fcntl = None

STATE_DIR_ENV = 'FLYWP_STATE_DIR'
OFF = ('', 'off', 'none', 'false', '0')
NAME_TTL = 300.0  # seconds a name -> id answer is reused by later tasks
STALE = 86400.0  # a state untouched this long is started afresh (the learned window is kept)
PROBE_SECONDS = 5.0  # how long the others wait for a request sent into an unknown window's end
WHOLE_SECOND = 1.0  # how much a window end said in whole seconds may be late
POLL = 0.25  # how often a waiting process looks at the shared state again
MIN_WAIT = 0.25  # the shortest wait after a 429, whatever it said
STALE_FIELDS = ('sent', 'since', 'rolled', 'seen', 'opened', 'window_end', 'probe')  # forgotten when STALE
CONTRACT_WINDOW = 60.0  # "60 requests a minute": the window length until one is learned


def state_dir():
    """Where the state files go: FLYWP_STATE_DIR, else $XDG_STATE_HOME/flywp.cloud, else
    ~/.local/state/flywp.cloud. None when FLYWP_STATE_DIR turns it off."""
    configured = os.environ.get(STATE_DIR_ENV)
    if configured is not None:
        return None if configured.strip().lower() in OFF else os.path.expanduser(configured)
    base = os.environ.get('XDG_STATE_HOME') or os.path.join(os.path.expanduser('~'), '.local', 'state')
    return os.path.join(base, 'flywp.cloud')


class SharedState:
    """A JSON document shared by the processes that use one API URL and token.

    update(change) runs change(document) under an exclusive lock and writes the result. A
    missing, unreadable or corrupt file is an empty document; when the directory cannot be
    used at all, the document lives in this process only (the budget then works as before,
    per process). The token is never written: the file is named by a salted hash of it.
    """

    def __init__(self, url, token, directory=None):
        self._memory = {}
        self.path = None
        directory = state_dir() if directory is None else directory
        if directory and fcntl is not None:
            try:
                os.makedirs(directory, mode=0o700, exist_ok=True)
                self.path = os.path.join(directory, 'budget-%s.json' % self._key(directory, url, token))
            except OSError:
                self.path = None

    @staticmethod
    def _key(directory, url, token):
        salt_path = os.path.join(directory, 'salt')
        try:
            with open(salt_path, 'rb') as handle:
                salt = handle.read()
        except OSError:
            salt = b''
        if len(salt) < 16:
            salt = os.urandom(32)
            fd = os.open(salt_path + '.%d' % os.getpid(), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, 'wb') as handle:
                handle.write(salt)
            os.replace(salt_path + '.%d' % os.getpid(), salt_path)
            with open(salt_path, 'rb') as handle:  # another process may have won the race: use its salt
                salt = handle.read()
        return hashlib.sha256(salt + b'\0' + url.encode() + b'\0' + token.encode()).hexdigest()[:32]

    def update(self, change):
        """change(document) -> value, under the lock; the document it leaves is saved."""
        if self.path is None:
            return change(self._memory)
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError:
            self.path = None
            return change(self._memory)
        with os.fdopen(fd, 'r+') as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                try:
                    document = json.loads(handle.read() or '{}')
                except ValueError:
                    document = {}
                if not isinstance(document, dict):
                    document = {}
                value = change(document)
                handle.seek(0)
                handle.truncate()
                handle.write(json.dumps(document, sort_keys=True))
                handle.flush()
                return value
            except OSError as error:
                if error.errno not in (errno.ENOSPC, errno.EROFS, errno.EDQUOT):
                    raise
                return None
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


class BudgetExhausted(Exception):
    """Waiting for the rate limit would pass rate_limit_timeout; str() says what to do."""


class RateLimitBudget:
    """What the API has said about this token's rate limit, and the waiting it costs.

    Waiting is bounded by `timeout` seconds in total for one client, covering both the
    waits after a 429 and the waits before a request known to be refused.

    The API's windows are fixed and each starts at the first request it counts (Laravel's
    throttle). The answer that says Remaining = Limit - 1 is that first request: once the
    window's length is known, it places the window's end at one length after that answer
    came (never before the API's own end: the request was counted before it was answered).

    The shared document: limit; window (its length, once learned); sent (when each recent
    request was reserved); since (the earliest a request counted in the current window can
    have been reserved; rolled when that is the end of the window before); seen (the most
    requests an answer said were counted in it, and when that answer came); opened
    ([reserved, answered] of the request that opened it); window_end (said by the API, or
    placed as above); probe (until when one request sent into a full window of unknown end
    is awaited).
    """

    def __init__(self, timeout, shared=None, sleep=time.sleep, clock=time.time, backoff=1.0):
        self.timeout = timeout
        self.backoff = backoff
        self.shared = shared or SharedState('', '', directory='')
        self.waited = 0.0
        self._sleep = sleep
        self._clock = clock
        self._reserved_at = None  # when this process reserved the request now in flight

    # -- before a request

    def pace(self, method, path):
        """Reserve one request of the window, waiting first if the window is known to be used up."""
        while True:
            wait = self.shared.update(self._reserve)
            if not wait:
                return
            seconds, reason = wait
            self.wait(seconds, method, path, reason, poll=True)

    def _reserve(self, doc):
        """Reserve a request in the shared document; or (seconds, reason) to wait first."""
        now = self._clock()
        if now - doc.get('updated', now) > STALE:
            for name in STALE_FIELDS:
                doc.pop(name, None)
        doc['updated'] = now
        end = doc.get('window_end')
        if end is not None and now >= end:
            _new_window(doc, since=end)  # every request reserved from now on counts in the next window
            doc['rolled'] = True
        limit = doc.get('limit')
        if isinstance(limit, int) and _used(doc) >= limit:
            if doc.get('window_end') is not None:
                return doc['window_end'] - now, 'the rate-limit window to pass'
            if doc.get('probe', 0) > now:
                return min(POLL, doc['probe'] - now), 'the API to say when the rate-limit window ends'
            # Nobody knows when the window ends: this one request is sent, and its 429 will say.
            doc['probe'] = now + PROBE_SECONDS
        self._reserved_at = now
        keep = now - (doc.get('window') or CONTRACT_WINDOW) - PROBE_SECONDS
        doc['sent'] = [at for at in _floats(doc.get('sent')) if at > keep] + [now]
        return None

    # -- after an answer

    def observe(self, headers, refused=False):
        """Read the rate-limit headers of any answer (`refused`: it was a 429)."""
        limit = _header_int(headers, 'X-RateLimit-Limit')
        remaining = _header_int(headers, 'X-RateLimit-Remaining')
        reset = _header_int(headers, 'X-RateLimit-Reset')
        reserved = self._reserved_at

        def change(doc):
            now = self._clock()
            if limit is not None:
                doc['limit'] = limit
            if limit is not None and remaining is not None and reserved is not None:
                counted = limit - remaining  # by the API, in its window, this request included
                seen, seen_at = _seen(doc)
                if counted == 1 and not refused:
                    # This request opened the API's window. What was reserved since the end
                    # before (or, in a fresh state, everything) counts in it, even what the
                    # API saw after this request: forks that start together send in any order.
                    since = doc.get('since')
                    if isinstance(since, (int, float)):
                        since = min(since, reserved) if doc.get('rolled') else reserved
                    elif seen and seen_at < reserved:
                        since = reserved  # an answer before this request was sent: an earlier window
                    _new_window(doc, since=since)
                    doc['opened'] = [reserved, now]
                    if doc.get('window'):
                        doc['window_end'] = now + doc['window']
                    doc['seen'] = [1, now]
                elif counted < seen and reserved > seen_at:
                    # Fewer counted than an answer that came before this request was sent: a
                    # window began that this controller did not open (the token is used elsewhere).
                    _new_window(doc, since=reserved)
                    doc['seen'] = [counted, now]
                elif counted > seen:
                    doc['seen'] = [counted, now]
            if reset is not None and reset > now:
                doc['window_end'] = float(reset)
        self.shared.update(change)

    def delay_after_429(self, headers, attempt):
        """Seconds to wait after a 429 (Retry-After, else X-RateLimit-Reset, else backoff);
        what the API said is shared, and the window's length is learned from it."""
        now = self._clock()
        end = _retry_after(headers.get('Retry-After'), now)
        if end is None:
            reset = _header_int(headers, 'X-RateLimit-Reset')
            end = float(reset) if reset is not None else None
        limit = _header_int(headers, 'X-RateLimit-Limit')

        def change(doc):
            doc.pop('probe', None)
            if limit is not None:
                doc['limit'] = limit
            if isinstance(doc.get('limit'), int):
                doc['seen'] = [doc['limit'], now]  # the window is full
            if end is None:
                return None
            opened = _floats(doc.get('opened'))
            if len(opened) != 2:
                doc['window_end'] = end
                return end
            if not doc.get('window') and end > opened[0]:
                doc['window'] = _window_length(end, opened)
            placed = opened[1] + doc['window'] if doc.get('window') else end
            # The end said is rounded up to a whole second; the one placed by the opening
            # answer is finer when it falls in that second, and is never early.
            doc['window_end'] = min(end, placed) if placed > end - WHOLE_SECOND else end
            return doc['window_end']
        told = self.shared.update(change)
        if told is not None:
            return told - now
        return min(self.backoff * 2 ** attempt, 30) * (1 + random.random() / 2)

    def seconds_for(self, count):
        """About how long `count` more requests must wait for the rate limit, by what the API
        said (the contract's minute when no window was learned); 0 when nothing is known yet."""
        doc = self.shared.update(dict)
        limit = doc.get('limit')
        if not isinstance(limit, int) or limit <= 0:
            return 0.0
        over = doc.get('window_end') is not None and self._clock() >= doc['window_end']
        remaining = limit if over else max(limit - _used(doc), 0)
        if count <= remaining:
            return 0.0
        return math.ceil((count - remaining) / float(limit)) * float(doc.get('window') or CONTRACT_WINDOW)

    def limit_text(self):
        """The API's own limit, for messages: '60 requests a minute' or '10 requests per 5 s'."""
        doc = self.shared.update(dict)
        limit, window = doc.get('limit') or 60, doc.get('window') or 60
        if window == 60:
            return '%d requests a minute per token' % limit
        return '%d requests per %g s per token' % (limit, window)

    def wait(self, seconds, method, path, reason, poll=False):
        seconds = max(seconds, 0.01 if poll else MIN_WAIT)
        if self.waited + seconds > self.timeout:
            raise BudgetExhausted(
                'The FlyWP API rate limit (%s) holds back %s %s, and waiting %d s more for %s would pass '
                'rate_limit_timeout (%s s, %d s already spent). Raise rate_limit_timeout, or spread the work over more '
                'time.' % (self.limit_text(), method, path, round(seconds), reason, self.timeout, round(self.waited)))
        self.waited += seconds
        self._sleep(seconds)


class NameCache:
    """Which id a name had, for NAME_TTL seconds, shared through the same state as the budget.

    A cached id is safe to use: a request under /servers/{id} for a server that is gone
    answers 404, and the caller then forgets the name and resolves it afresh, once.
    """

    def __init__(self, shared, clock=time.time):
        self.shared = shared
        self._clock = clock

    def recall(self, kind, name):
        entry = self.shared.update(lambda doc: (doc.get('names') or {}).get('%s:%s' % (kind, name)))
        if _live(entry, self._clock()):
            return entry[0]
        return None

    def remember(self, kind, ids):
        """ids: {name: id} of one listing; an id of None forgets the name."""
        now = self._clock()

        def change(doc):
            names = doc.get('names') if isinstance(doc.get('names'), dict) else {}
            names = dict((key, entry) for key, entry in names.items() if _live(entry, now))
            for name, object_id in ids.items():
                if object_id is None:
                    names.pop('%s:%s' % (kind, name), None)
                else:
                    names['%s:%s' % (kind, name)] = [str(object_id), now + NAME_TTL]
            doc['names'] = names
        self.shared.update(change)

    def forget(self, kind, name):
        self.remember(kind, {name: None})

    # A check run's creations: the tasks after it may then show what they would do on them.

    def predict(self, kind, name):
        self.remember('new ' + kind, {name: 'check mode'})

    def is_predicted(self, kind, name):
        return self.recall('new ' + kind, name) is not None


def _live(entry, now):
    return (isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], str)
            and isinstance(entry[1], (int, float)) and entry[1] > now)


def _window_length(end, opened):
    """The window's length, learned from the first 429, in whole seconds as Laravel's decay is.

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


def _new_window(doc, since):
    """The API's window ended: requests reserved from `since` on count in the next one."""
    for name in ('window_end', 'opened', 'seen', 'probe', 'rolled'):
        doc.pop(name, None)
    if since is None:
        doc.pop('since', None)
    else:
        doc['since'] = since


def _used(doc):
    """Requests the current window has counted, or will once in flight ones arrive: those
    reserved since it began, or more if an answer said so (the token is used elsewhere too)."""
    since = doc.get('since')
    mine = len([at for at in _floats(doc.get('sent')) if not isinstance(since, (int, float)) or at >= since])
    return max(mine, _seen(doc)[0])


def _seen(doc):
    """(the most requests an answer said the current window counted, when that answer came)."""
    seen = _floats(doc.get('seen'))
    return (int(seen[0]), seen[1]) if len(seen) == 2 else (0, 0.0)


def _floats(value):
    """A list of numbers from the document, or [] if it holds anything else."""
    if isinstance(value, list) and all(isinstance(item, (int, float)) and not isinstance(item, bool) for item in value):
        return value
    return []


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
