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
# Key type -> how many length-prefixed fields its key data holds, the type name included.
SSH_KEY_FIELDS = {
    'ssh-ed25519': 2, 'ssh-rsa': 3, 'ecdsa-sha2-nistp256': 3, 'ecdsa-sha2-nistp384': 3, 'ecdsa-sha2-nistp521': 3,
    'sk-ssh-ed25519@openssh.com': 3, 'sk-ecdsa-sha2-nistp256@openssh.com': 4,
}
SSH_KEY_TYPES = tuple(SSH_KEY_FIELDS)
ED25519_KEY_BYTES = 32
# Private keys: OpenSSH and PEM (-----BEGIN ... PRIVATE KEY-----), RFC 4716 (---- BEGIN SSH2
# ENCRYPTED PRIVATE KEY ----), PuTTY (PuTTY-User-Key-File-3: ...), and the body of an OpenSSH
# one without its first line (base64 of "openssh-key-v1").
PRIVATE_KEY = re.compile(r'-{4,5} ?BEGIN [A-Z0-9 ]*PRIVATE KEY ?-{4,5}|^PuTTY-User-Key-File-[0-9]+:|^b3BlbnNzaC1rZXktdjE',
                         re.MULTILINE)
# Public keys in another format than OpenSSH's one line, and how ssh-keygen converts them.
OTHER_PUBLIC_KEY_FORMATS = (
    ('---- BEGIN SSH2 PUBLIC KEY ----', 'ssh-keygen -i -f KEY.pub'),
    ('-----BEGIN PUBLIC KEY-----', 'ssh-keygen -i -m PKCS8 -f KEY.pub'),
    ('-----BEGIN RSA PUBLIC KEY-----', 'ssh-keygen -i -m PEM -f KEY.pub'),
)
# Quotes that end up around a key copied from a shell command, a JSON file or a document.
QUOTES = ('"', "'", '`', '\u201c', '\u201d', '\u2018', '\u2019')
BASE64 = re.compile(r'^[A-Za-z0-9+/]+={0,2}$')
DURATION_UNITS = {'s': 1, 'm': 60, 'h': 3600, 'd': 86400, 'w': 604800}
HOST_LABEL = re.compile(r'^(?!-)[a-z0-9-]{1,63}(?<!-)$')


class InvalidInput(ValueError):
    """A parameter value that no request should be sent with.

    `secret` is a value that must be hidden wherever Ansible would show it (a private key
    given as a public key), for the module to add to its no_log_values before it fails.
    """

    def __init__(self, message, secret=None):
        super().__init__(message)
        self.secret = secret


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
    if slash and not (is_id(step) and 0 < int(step) <= high):
        return False
    if base == '*':
        return True
    start, dash, end = base.partition('-')
    bounds = [_cron_value(start, low, names)] + ([_cron_value(end, low, names)] if dash else [])
    if any(bound is None or not low <= bound <= high for bound in bounds):
        return False
    return len(bounds) == 1 or bounds[0] <= bounds[1]


def _cron_value(text, low, names):
    if is_id(text):
        return int(text)
    return names.index(text) + low if text in names else None


def ssh_public_key(value):
    """An OpenSSH public key: returns (key without comment, SHA256 fingerprint).

    The checks are those of the FlyWP API (as the simulator models them), so that a key this
    passes is not refused by the API. No message quotes the value: it may be a private key.
    """
    text = str(value or '').strip()
    if PRIVATE_KEY.search(text):
        raise InvalidInput('public_key: this is a private key; paste the .pub file instead (one line such as '
                           '"ssh-ed25519 AAAA... comment"), and keep the private key to yourself.', secret=str(value))
    for header, command in OTHER_PUBLIC_KEY_FORMATS:
        if text.startswith(header):
            raise InvalidInput('public_key: this public key is not in the OpenSSH format of a .pub file; convert it '
                               'with %s.' % command)
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) > 1:
        raise InvalidInput('public_key: expected one line, as in a .pub file, found %d lines. A key broken over '
                           'several lines (by an editor or a terminal) must be joined again; several keys go in '
                           'several entries.' % len(lines))
    parts = text.split()
    if any(quote in part for part in parts[:2] for quote in QUOTES):
        raise InvalidInput('public_key: the key is inside quotes: remove the quotes, and give the line of the .pub file '
                           'as it is ("ssh-ed25519 AAAA... comment").')
    if parts and parts[0] == 'ssh-dss':
        raise InvalidInput('public_key: DSA keys (ssh-dss) are not accepted: the FlyWP API refuses them, and OpenSSH '
                           'disabled them in 7.0 and removed them in 10.0. Make an Ed25519 key with '
                           'ssh-keygen -t ed25519.')
    if len(parts) == 1 and parts[0] in SSH_KEY_TYPES:
        # What `-e key="$(cat key.pub)"` gives: -e splits its value on spaces.
        raise InvalidInput('public_key: only the key type (%s) was given: the key\'s base64 part is missing. Give the '
                           'whole line of the .pub file; with -e, quote the value inside the argument, '
                           '-e "key=\'$(cat key.pub)\'", or put it in a vars file.' % parts[0])
    if len(parts) < 2 or parts[0] not in SSH_KEY_TYPES:
        raise InvalidInput('public_key: expected an OpenSSH public key such as "ssh-ed25519 AAAA... comment", '
                           'as in a .pub file; it must start with one of %s.' % ', '.join(SSH_KEY_TYPES))
    data = parts[1]
    if BASE64.match(data) and len(data) % 4:
        raise InvalidInput('public_key: the %s key looks cut short (its base64 part is %d characters long; a whole '
                           'one is a multiple of 4): copy the whole line of the .pub file.' % (parts[0], len(data)))
    try:
        blob = base64.b64decode(data.encode('ascii'), validate=True)
    except (binascii.Error, UnicodeError, ValueError):
        odd = next((char for char in data if not BASE64.match(char + 'A' * 3)), None)
        raise InvalidInput('public_key: the key data after %r is not valid base64%s. Copy the whole line of the .pub '
                           'file as it is.' % (parts[0], ': it holds %s, which base64 does not use' % ascii(odd)
                                               if odd else ''))
    try:
        (length,) = struct.unpack('>I', blob[:4])
        embedded = blob[4:4 + length].decode('ascii')
    except (struct.error, UnicodeError):
        raise InvalidInput('public_key: the key data after %r is not that of an SSH key; was it cut off when copied? '
                           'Copy the whole line of the .pub file.' % parts[0])
    if embedded != parts[0]:
        raise InvalidInput('public_key: the key data is a %r key but the key says %r.' % (embedded, parts[0]))
    fields = _ssh_blob_fields(blob)
    if fields is None or len(fields) != SSH_KEY_FIELDS[parts[0]] or not _ssh_key_fields_fit(parts[0], fields):
        raise InvalidInput('public_key: the %s key data is incomplete or has extra bytes; was it cut off when '
                           'copied? Copy the whole line of the .pub file.' % parts[0])
    return ' '.join(parts[:2]), ssh_fingerprint(blob)


def _ssh_blob_fields(blob):
    """The length-prefixed fields that make up the key blob exactly, or None if they do not."""
    fields, position = [], 0
    while position < len(blob):
        if position + 4 > len(blob):
            return None
        (length,) = struct.unpack('>I', blob[position:position + 4])
        position += 4
        if position + length > len(blob):
            return None
        fields.append(blob[position:position + length])
        position += length
    return fields


def _ssh_key_fields_fit(kind, fields):
    """An Ed25519 key is 32 bytes; an ECDSA key names the curve of its type."""
    if kind.startswith(('ssh-ed25519', 'sk-ssh-ed25519')):
        return len(fields[1]) == ED25519_KEY_BYTES
    if 'nistp' in kind:
        return kind.split('@')[0].endswith('-' + fields[1].decode('ascii', 'replace'))
    return True


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


def database_name(value):
    """A MySQL database name as FlyWP makes them: letters, digits and _, at most 64."""
    text = str(value).strip()
    if not re.match(r'^[A-Za-z0-9_]{1,64}$', text):
        raise InvalidInput('name %r: expected a database name such as blog_example_com (letters, digits and _, at '
                           'most 64).' % text[:70])
    return text


def duration(value):
    """Seconds, from a number or a duration such as 90, 45m, 12h, 7d, 2w or 1d12h."""
    text = str(value).strip().lower().replace(' ', '')
    if is_id(text):
        return int(text)
    pieces = re.findall(r'([0-9]+)([smhdw])', text)
    if not pieces or ''.join(number + unit for number, unit in pieces) != text:
        raise InvalidInput('duration %r: expected seconds or a duration such as 45m, 12h, 7d or 1d12h '
                           '(units s, m, h, d, w).' % (value,))
    return sum(int(number) * DURATION_UNITS[unit] for number, unit in pieces)


def email(value):
    text = str(value or '').strip()
    if not re.match(r'^[^@\s]+@[^@\s]+\.[^@\s]+$', text):
        raise InvalidInput('admin_email %r: expected an e-mail address such as admin@example.com.' % value)
    return text


# Every str option of every module passes text_option() as it was given, before Ansible's
# str type converts it (FlyWPModule does this for all of them in one place).
DEFAULT_MAX_LENGTH = 255
MAX_LENGTH = {
    'api_url': 2048, 'api_token': 1024, 'command': 1024, 'public_key': 16384, 'domain': 253, 'site': 253,
    'user': 32, 'frequency': 100, 'max_age': 32,
}
# Options that may hold a line break or a tab: the SSH key and the token have checks of their
# own, and a password is sent as it is.
CONTROL_CHARACTERS_ALLOWED = ('public_key', 'admin_password', 'api_token')
CONTROL_CHARACTER = re.compile('[\x00-\x1f\x7f-\x9f]')
# Of those, the ones a NUL is refused in all the same (the token's check says it in its words): no
# key or password holds one, and Ansible cannot log a NUL on Python 3.12 and later.
NUL_REFUSED = ('public_key', 'admin_password')
SYSTEM_USER = re.compile(r'^[A-Za-z_][A-Za-z0-9_.-]{0,31}$')


def text_option(label, value, field=None):
    """A str option as given: not a list, a dict or a boolean (Ansible's str type would send
    their Python spelling, "['a', 'b']" or "True"), at most the field's length, and no control
    character inside (one around it is trimmed where the value is used). `field` is the
    option's own name when `label` is a path such as keys[2].name. The value is never echoed:
    it may be a secret or 100,000 characters long."""
    if value is None:
        return value
    if isinstance(value, bool):
        raise InvalidInput('%s: expected a string, got the boolean %s; quote the value if it is meant as text.' % (
            label, 'true' if value else 'false'))
    if not isinstance(value, (str, int, float)):
        raise InvalidInput('%s: expected a string, got a %s; give one value, as text.' % (
            label, 'mapping' if isinstance(value, dict) else 'list' if isinstance(value, (list, tuple, set)) else
            type(value).__name__))
    text = str(value)
    limit = MAX_LENGTH.get(field or label, DEFAULT_MAX_LENGTH)
    if len(text) > limit:
        raise InvalidInput('%s is %d characters long; at most %d are accepted.' % (label, len(text), limit))
    if '\x00' in text and (field or label) in NUL_REFUSED:
        raise InvalidInput('%s holds a NUL character; give it without one.' % label)
    if (field or label) not in CONTROL_CHARACTERS_ALLOWED and CONTROL_CHARACTER.search(text.strip()):
        raise InvalidInput('%s holds a line break, a tab or another control character; give it on one line, '
                           'without them.' % label)
    return value


def seconds_option(name, value, lowest, highest):
    """A number of seconds between lowest and highest, both included."""
    if value is not None and not lowest <= value <= highest:
        raise InvalidInput('%s must be between %s and %s seconds, not %s.' % (name, lowest, highest, value))
    return value


def system_user(value):
    """The system user a cron job runs as: a user name such as fly or root."""
    text = str(value).strip()
    if not SYSTEM_USER.match(text):
        raise InvalidInput('user %r: expected a system user name such as fly or root (letters, digits, _, - and ., '
                           'at most 32, starting with a letter or _).' % text[:40])
    return text
