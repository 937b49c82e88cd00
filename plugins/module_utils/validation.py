# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Checks of user input made before any request, so bad input never half-makes anything.

Each function returns the normalised value or raises InvalidInput with a message that
names the problem; modules turn that into a failure before the first request.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import struct

CRON_MACROS = ('@reboot', '@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly')
MONTHS = ('jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec')
WEEKDAYS = ('sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat')
# (name, lowest, highest, names for 'lowest', 'lowest + 1', ...)
CRON_FIELDS = (
    ('minute', 0, 59, ()),
    ('hour', 0, 23, ()),
    ('day of month', 1, 31, ()),
    ('month', 1, 12, MONTHS),
    ('day of week', 0, 7, WEEKDAYS),
)
SSH_KEY_TYPES = (
    'ssh-ed25519', 'ssh-rsa', 'ssh-dss', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521',
    'sk-ssh-ed25519@openssh.com', 'sk-ecdsa-sha2-nistp256@openssh.com',
)
DURATION_UNITS = {'s': 1, 'm': 60, 'h': 3600, 'd': 86400, 'w': 604800}
HOST_LABEL = re.compile(r'^(?!-)[a-z0-9-]{1,63}(?<!-)$')


class InvalidInput(ValueError):
    """A parameter value that no request should be sent with."""


def is_id(text):
    """A FlyWP id: ASCII digits only (str.isdigit() also takes '²' and full-width digits)."""
    return text.isascii() and text.isdigit()


def cron_frequency(value):
    """A five-field cron expression or an @ macro, with single spaces."""
    text = ' '.join(str(value or '').split())
    if text.startswith('@'):
        if text.lower() not in CRON_MACROS:
            raise InvalidInput('cron frequency %r: unknown macro; use one of %s.' % (value, ', '.join(CRON_MACROS)))
        return text.lower()
    fields = text.split(' ')
    if len(fields) != 5:
        raise InvalidInput('cron frequency %r: expected five fields (minute hour day-of-month month day-of-week) '
                           'or a macro such as @daily, found %d field(s).' % (value, len(fields) if text else 0))
    for field, (name, low, high, names) in zip(fields, CRON_FIELDS):
        for part in field.split(','):
            if not _cron_part_ok(part.lower(), low, high, names):
                raise InvalidInput('cron frequency %r: %r is not a valid %s field (%d-%d%s).' % (
                    value, field, name, low, high, ', or names such as %s' % names[0] if names else ''))
    return text


def _cron_part_ok(part, low, high, names):
    base, slash, step = part.partition('/')
    if slash and not (step.isdigit() and 0 < int(step) <= high):
        return False
    if base == '*':
        return True
    start, dash, end = base.partition('-')
    bounds = [_cron_value(start, low, names)] + ([_cron_value(end, low, names)] if dash else [])
    if any(bound is None or not low <= bound <= high for bound in bounds):
        return False
    return len(bounds) == 1 or bounds[0] <= bounds[1]


def _cron_value(text, low, names):
    if text.isdigit():
        return int(text)
    return names.index(text) + low if text in names else None


def ssh_public_key(value):
    """An OpenSSH public key: returns (key without comment, SHA256 fingerprint)."""
    parts = str(value or '').split()
    if len(parts) < 2 or parts[0] not in SSH_KEY_TYPES:
        raise InvalidInput('public_key: expected an OpenSSH public key such as "ssh-ed25519 AAAA... comment", '
                           'as in a .pub file; it must start with one of %s.' % ', '.join(SSH_KEY_TYPES))
    try:
        blob = base64.b64decode(parts[1].encode('ascii'), validate=True)
        (length,) = struct.unpack('>I', blob[:4])
        embedded = blob[4:4 + length].decode('ascii')
    except (binascii.Error, struct.error, UnicodeError, ValueError):
        raise InvalidInput('public_key: the key data after %r is not valid base64 of an SSH key.' % parts[0])
    if embedded != parts[0]:
        raise InvalidInput('public_key: the key data is a %r key but the key says %r.' % (embedded, parts[0]))
    if _ssh_blob_field_count(blob) < 2:
        raise InvalidInput('public_key: the %s key data is incomplete or has extra bytes; was it cut off when '
                           'copied? Copy the whole line of the .pub file.' % parts[0])
    return ' '.join(parts[:2]), ssh_fingerprint(blob)


def _ssh_blob_field_count(blob):
    """How many length-prefixed fields make up the key blob exactly, or 0 if they do not."""
    count, position = 0, 0
    while position < len(blob):
        if position + 4 > len(blob):
            return 0
        (length,) = struct.unpack('>I', blob[position:position + 4])
        position += 4 + length
        if position > len(blob):
            return 0
        count += 1
    return count


def ssh_fingerprint(blob):
    """The SHA256 fingerprint OpenSSH shows (ssh-keygen -lf) for a decoded key blob."""
    return 'SHA256:' + base64.b64encode(hashlib.sha256(blob).digest()).decode('ascii').rstrip('=')


def domain(value):
    """A fully qualified host name, lower-cased."""
    text = str(value or '').strip().lower().rstrip('.')
    labels = text.split('.')
    if len(text) > 253 or len(labels) < 2 or not all(HOST_LABEL.match(label) for label in labels) or labels[-1].isdigit():
        raise InvalidInput('domain %r: expected a host name such as example.com or blog.example.com (letters, digits '
                           'and hyphens, dot-separated labels of at most 63 characters).' % value)
    return text


def duration(value):
    """Seconds, from a number or a duration such as 90, 45m, 12h, 7d, 2w or 1d12h."""
    text = str(value).strip().lower().replace(' ', '')
    if text.isdigit():
        return int(text)
    pieces = re.findall(r'(\d+)([smhdw])', text)
    if not pieces or ''.join(number + unit for number, unit in pieces) != text:
        raise InvalidInput('duration %r: expected seconds or a duration such as 45m, 12h, 7d or 1d12h '
                           '(units s, m, h, d, w).' % (value,))
    return sum(int(number) * DURATION_UNITS[unit] for number, unit in pieces)


def email(value):
    text = str(value or '').strip()
    if not re.match(r'^[^@\s]+@[^@\s]+\.[^@\s]+$', text):
        raise InvalidInput('admin_email %r: expected an e-mail address such as admin@example.com.' % value)
    return text
