"""Checks of create bodies, with Laravel's error wording, and the formats they rely on.

Like Laravel (TrimStrings and ConvertEmptyStringsToNull), strings are trimmed and an
empty string counts as missing. Secrets (admin_password) are checked, never returned.
"""

import base64
import binascii
import hashlib
import re

SERVER_PROVIDERS = ('digitalocean', 'vultr', 'hetzner', 'aws', 'akamai', 'custom')
SERVER_OS = ('ubuntu-22.04', 'ubuntu-24.04')
WEB_SERVERS = ('nginx', 'openlitespeed')
SITE_PHP_VERSIONS = ('8.1', '8.2', '8.3')
BACKUP_TYPES = ('full', 'database', 'files')
DATABASE_NAME = re.compile(r'^[A-Za-z0-9_]+$')

# Key type -> number of length-prefixed fields after the type string in the key blob.
SSH_KEY_FIELDS = {
    'ssh-ed25519': 1,
    'ssh-rsa': 2,
    'ecdsa-sha2-nistp256': 2,
    'ecdsa-sha2-nistp384': 2,
    'ecdsa-sha2-nistp521': 2,
    'sk-ssh-ed25519@openssh.com': 2,
    'sk-ecdsa-sha2-nistp256@openssh.com': 3,
}

CRON_MACROS = ('@hourly', '@daily', '@weekly', '@monthly', '@yearly', '@annually', '@reboot', '@midnight')
MONTH_NAMES = ('jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec')
DAY_NAMES = ('sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat')
# minute, hour, day of month, month, day of week: (lowest, highest, names or None, value of the first name)
CRON_FIELDS = ((0, 59, None, 0), (0, 23, None, 0), (1, 31, None, 0), (1, 12, MONTH_NAMES, 1), (0, 7, DAY_NAMES, 0))

HOST_LABEL = re.compile(r'^(?!-)[a-z0-9-]{1,63}(?<!-)$', re.IGNORECASE)
SYSTEM_USER = re.compile(r'^[a-z_][a-z0-9_-]{0,31}$')


class ValidationFailed(Exception):
    """A 422: errors is {field: [message, ...]}, message is Laravel's summary of them."""

    def __init__(self, errors):
        self.errors = errors
        messages = [message for field_messages in errors.values() for message in field_messages]
        more = len(messages) - 1
        summary = messages[0]
        if more:
            summary += f' (and {more} more error{"s" if more > 1 else ""})'
        super().__init__(summary)
        self.message = summary


def is_host_name(text):
    """A DNS name of at least two labels whose last label is not numeric (so not an IP address)."""
    labels = text.split('.')
    return (len(text) <= 253 and len(labels) >= 2 and not labels[-1].isdigit()
            and all(HOST_LABEL.match(label) for label in labels))


def is_email(text):
    local, at, domain = text.rpartition('@')
    return bool(at and local and len(local) <= 64 and not re.search(r'\s', local) and is_host_name(domain))


def _cron_value(text, names, first_name_value):
    if text.isdigit():
        return int(text)
    if names and text.lower() in names:
        return names.index(text.lower()) + first_name_value
    return None


def _is_cron_field(field, lowest, highest, names, first_name_value):
    for part in field.split(','):
        base, slash, step = part.partition('/')
        if slash and not (step.isdigit() and int(step) >= 1):
            return False
        if base == '*':
            continue
        start, dash, end = base.partition('-')
        bounds = [_cron_value(start, names, first_name_value)]
        if dash:
            bounds.append(_cron_value(end, names, first_name_value))
        if any(value is None or not lowest <= value <= highest for value in bounds) or bounds != sorted(bounds):
            return False
    return True


def is_cron_expression(text):
    """Five cron fields (numbers, names, *, ranges, lists, steps) or one of the @ macros."""
    if text in CRON_MACROS:
        return True
    fields = text.split()
    return len(fields) == 5 and all(_is_cron_field(field, *limits) for field, limits in zip(fields, CRON_FIELDS))


def _blob_fields(blob):
    """Split an SSH wire-format blob into its length-prefixed fields; None if it does not split exactly."""
    fields, position = [], 0
    while position < len(blob):
        if position + 4 > len(blob):
            return None
        length = int.from_bytes(blob[position:position + 4], 'big')
        position += 4
        if position + length > len(blob):
            return None
        fields.append(blob[position:position + length])
        position += length
    return fields


def parse_public_key(text):
    """'type base64 [comment]' -> (type, blob), or None unless it is a well-formed OpenSSH public key."""
    if not isinstance(text, str) or '\n' in text.strip() or len(text) > 16384:
        return None
    parts = text.split(None, 2)
    if len(parts) < 2 or parts[0] not in SSH_KEY_FIELDS:
        return None
    try:
        blob = base64.b64decode(parts[1], validate=True)
    except (binascii.Error, ValueError):
        return None
    fields = _blob_fields(blob)
    if not fields or fields[0] != parts[0].encode() or len(fields) != 1 + SSH_KEY_FIELDS[parts[0]]:
        return None
    if parts[0].endswith('ed25519') or parts[0].endswith('ed25519@openssh.com'):
        if len(fields[1]) != 32:
            return None
    elif 'nistp' in parts[0] and not parts[0].split('@')[0].endswith(fields[1].decode('ascii', 'replace')):
        return None
    return parts[0], blob


def ssh_fingerprint(blob):
    """OpenSSH's fingerprint: SHA256: and the unpadded base64 of the SHA-256 of the key blob."""
    return 'SHA256:' + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip('=')


class BodyChecker:
    """Collect Laravel-style errors for one request body, field by field."""

    def __init__(self, body):
        self.body = body
        self.errors = {}
        self.values = {}

    def fail(self, field, message):
        self.errors.setdefault(field, []).append(message.replace(':attribute', field.replace('_', ' ')))

    def _raw(self, field):
        value = self.body.get(field)
        if isinstance(value, str) and field != 'admin_password':
            value = value.strip()
        return None if value == '' else value

    def string(self, field, *, required=False, max_length=255, default=None, choices=None, rule=None, rule_message=None):
        """Check a string field; on success values[field] is the string (or the default)."""
        value = self._raw(field)
        if value is None:
            if required:
                self.fail(field, 'The :attribute field is required.')
            else:
                self.values[field] = default
            return
        if not isinstance(value, str):
            self.fail(field, 'The :attribute field must be a string.')
        elif len(value) > max_length:
            self.fail(field, f'The :attribute field must not be greater than {max_length} characters.')
        elif choices is not None and value not in choices:
            self.fail(field, 'The selected :attribute is invalid.')
        elif rule is not None and not rule(value):
            self.fail(field, rule_message)
        else:
            self.values[field] = value

    def boolean(self, field, default=False):
        value = self.body.get(field)
        if value is None:
            self.values[field] = default
        elif value in (True, False, 0, 1, '0', '1') and not isinstance(value, float):
            self.values[field] = value in (True, 1, '1')
        else:
            self.fail(field, 'The :attribute field must be true or false.')

    def result(self):
        if self.errors:
            raise ValidationFailed(self.errors)
        return self.values


def check_server(body):
    checker = BodyChecker(body)
    checker.string('name', required=True)
    checker.string('provider', default='custom', choices=SERVER_PROVIDERS)
    checker.string('region')
    checker.string('size')
    checker.string('os', default='ubuntu-24.04', choices=SERVER_OS)
    return checker.result()


def check_site(body, domain_taken):
    """domain_taken(domain) says whether the server already has a site of that domain."""
    checker = BodyChecker(body)
    checker.string('domain', required=True, max_length=253, rule=is_host_name, rule_message='The :attribute field must be a valid domain name.')
    if 'domain' in checker.values and domain_taken(checker.values['domain']):
        del checker.values['domain']
        checker.fail('domain', 'The :attribute has already been taken.')
    checker.string('web_server', default='nginx', choices=WEB_SERVERS)
    checker.string('php_version', default='8.3', choices=SITE_PHP_VERSIONS)
    checker.string('title')
    checker.string('admin_email', rule=is_email, rule_message='The :attribute field must be a valid email address.')
    checker.string('admin_user', max_length=60)
    checker.string('admin_password')
    checker.boolean('cache')
    values = checker.result()
    return {name: values[name] for name in ('domain', 'web_server', 'php_version', 'title')}


def check_site_update(body):
    """The PHP version of an existing site, the one change the API is assumed to take (docs/api-contract.md)."""
    checker = BodyChecker(body)
    checker.string('php_version', required=True, choices=SITE_PHP_VERSIONS)
    return checker.result()


def check_ssh_key(body):
    """Return {'name', 'fingerprint'}: the public key itself is not kept."""
    checker = BodyChecker(body)
    checker.string('name', required=True)
    checker.string('public_key', required=True, max_length=16384, rule=parse_public_key,
                   rule_message='The :attribute field must be a valid OpenSSH public key.')
    values = checker.result()
    return {'name': values['name'], 'fingerprint': ssh_fingerprint(parse_public_key(values['public_key'])[1])}


def check_cron(body):
    checker = BodyChecker(body)
    checker.string('command', required=True, max_length=1024)
    checker.string('frequency', required=True, rule=is_cron_expression, rule_message='The :attribute field must be a valid cron expression.')
    checker.string('user', default='fly', max_length=32, rule=SYSTEM_USER.match, rule_message='The :attribute field format is invalid.')
    return checker.result()


def check_database(body, name_taken):
    """name_taken(name) says whether the server already has a database of that name."""
    checker = BodyChecker(body)
    checker.string('name', required=True, max_length=64, rule=DATABASE_NAME.match,
                   rule_message='The :attribute field must only contain letters, numbers, and underscores.')
    if 'name' in checker.values and name_taken(checker.values['name']):
        del checker.values['name']
        checker.fail('name', 'The :attribute has already been taken.')
    return checker.result()


def check_backup(body):
    checker = BodyChecker(body)
    checker.string('type', default='full', choices=BACKUP_TYPES)
    return checker.result()
