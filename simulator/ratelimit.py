"""A fixed-window request budget per client, like Laravel's throttle middleware or a gateway's."""

import math
from dataclasses import dataclass


@dataclass
class RateDecision:
    """The outcome of one request against its budget."""

    allowed: bool
    limit: int
    remaining: int
    reset_at: float


class FixedWindowLimiter:
    """`limit` requests per `window` seconds per key.

    A window starts at the key's first request (Laravel's throttle), or, with aligned,
    on its own at every multiple of `window` in unix time (as many gateways count: a 60 s
    window from :00 to :60 of each minute). A refused request does not use up any of the
    budget. Not thread-safe by itself.
    """

    def __init__(self):
        self._windows = {}  # key -> [window start, requests counted]

    def hit(self, key, limit, window, now, aligned=False):
        entry = self._windows.get(key)
        if aligned:
            start = math.floor(now / window) * window
            stale = entry is None or entry[0] != start
        else:
            start = now
            stale = entry is None or now >= entry[0] + window
        if stale:
            entry = self._windows[key] = [start, 0]
        reset_at = entry[0] + window
        if entry[1] >= limit:
            return RateDecision(False, limit, 0, reset_at)
        entry[1] += 1
        return RateDecision(True, limit, limit - entry[1], reset_at)

    def clear(self):
        self._windows.clear()
