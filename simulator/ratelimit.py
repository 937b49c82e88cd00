"""A fixed-window request budget per client, like Laravel's throttle middleware."""

from dataclasses import dataclass


@dataclass
class RateDecision:
    """The outcome of one request against its budget."""

    allowed: bool
    limit: int
    remaining: int
    reset_at: float


class FixedWindowLimiter:
    """`limit` requests per `window` seconds per key; a window starts at the key's first request.

    A refused request does not use up any of the budget. Not thread-safe by itself.
    """

    def __init__(self):
        self._windows = {}  # key -> [window start, requests counted]

    def hit(self, key, limit, window, now):
        entry = self._windows.get(key)
        if entry is None or now >= entry[0] + window:
            entry = self._windows[key] = [now, 0]
        reset_at = entry[0] + window
        if entry[1] >= limit:
            return RateDecision(False, limit, 0, reset_at)
        entry[1] += 1
        return RateDecision(True, limit, limit - entry[1], reset_at)

    def clear(self):
        self._windows.clear()
