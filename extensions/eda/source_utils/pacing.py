# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""How the event source flywp.cloud.changes spends its share of the token's rate limit.

Every rule counts from the answers: the API counted a request before it answered it, so the
window it was counted in ends no later than one window after the answer.
"""

from __future__ import annotations

from collections import deque, namedtuple

# What the API had left of its current window by its last answer (X-RateLimit-Limit less what
# X-RateLimit-Remaining says it counted, every sender of the token included), and when that
# window ends at the latest.
Room = namedtuple('Room', 'free ends_by')


class Pacer:
    """Keeps the source to its share, spent at an even pace.

    - The share: at most `allowance` of the source's requests in any `window` seconds.
    - The pace: `spacing` seconds from one answer to the next request. The source asks for
      window / allowance when what it watches needs its whole share (a round longer than
      `interval`), so the share is spread over the window: a change is seen within one round
      wherever it falls, and no burst lands at the start of each window beside the playbooks.
    - The API's count: no request while the API's last answer left no room in its window
      (others spend the same token), until that window has surely ended. With the share,
      the source so sends at most max(0, min(share - its own, limit - counted)) more in a
      window: its share, less what others spent beyond theirs.
    """

    def __init__(self, clock, sleep):
        self._clock, self._sleep = clock, sleep
        self._answered = deque()

    async def ready_for(self, count, allowance, window, spacing=0.0, room=None):
        """Wait until `count` more requests may go (alone, if they never fit the share)."""
        while True:
            wait = self.wait(count, allowance, window, spacing, room)
            if wait <= 0:
                return
            await self._sleep(wait)

    def wait(self, count, allowance, window, spacing=0.0, room=None):
        """Seconds until `count` more requests may go; 0 when they may go now."""
        now = self._clock()
        while self._answered and self._answered[0] + window <= now:
            self._answered.popleft()
        until = now
        excess = len(self._answered) + count - allowance
        if excess > 0 and self._answered:
            until = max(until, self._answered[min(excess, len(self._answered)) - 1] + window)
        if spacing > 0 and self._answered:
            until = max(until, self._answered[-1] + spacing)
        if room is not None and room.free < count:
            until = max(until, room.ends_by)
        return until - now

    def sent(self, count):
        """`count` requests were answered now (or failed: the API may have counted them)."""
        now = self._clock()
        self._answered.extend([now] * count)
