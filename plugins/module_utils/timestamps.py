# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The times the FlyWP API gives (created_at, completed_at), as seconds since the epoch.

Laravel writes them in ISO 8601 (`2026-11-27T10:00:00.000000Z`); a number is taken as
seconds already. Anything else is no time at all, never a failure: a time only orders
objects and says how old one is.
"""

from __future__ import annotations

import calendar
import re

TIMESTAMP = re.compile(r'^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:\.(\d+))?\s*(Z|[+-]\d\d:?\d\d)?$', re.IGNORECASE)


def unix_time(value):
    """Seconds since the epoch of an ISO 8601 time (UTC when it has no zone), or None."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    found = TIMESTAMP.match(str(value or '').strip())
    if not found:
        return None
    seconds = calendar.timegm(tuple(int(part) for part in found.groups()[:6])) + float('0.' + (found.group(7) or '0'))
    zone = found.group(8)
    if zone and zone.upper() != 'Z':
        digits = zone[1:].replace(':', '')
        offset = int(digits[:2]) * 3600 + int(digits[2:]) * 60
        seconds -= offset if zone[0] == '+' else -offset
    return seconds


def moment(obj, fields):
    """The time of an object by the first of its time `fields` that holds one, or None."""
    for name in fields:
        seconds = unix_time(obj.get(name))
        if seconds:
            return seconds
    return None
