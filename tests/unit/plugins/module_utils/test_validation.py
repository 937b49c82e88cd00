# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Input checks made before any request: cron frequencies, SSH public keys, domains, durations, e-mail."""

from __future__ import annotations

import base64
import os
import shutil
import struct
import subprocess
import tempfile

import pytest

from ansible_collections.flywp.cloud.plugins.module_utils.validation import (
    InvalidInput, cron_frequency, domain, duration, email, ssh_public_key)

# Public keys made with ssh-keygen, and the fingerprints `ssh-keygen -lf` shows for them.
ED25519 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMch4iOon+bv3E1aO+qk9fZRcVUEEF/Wulvsu3LPmVnM test'
ED25519_FINGERPRINT = 'SHA256:/0z3KI/Nk/MjjZvRY5SiW9ueDNKDV1XKLtPr3MEFsb4'
RSA = ('ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQCo2w/6TRSVElG8zJORkBpOu6XHjY0ZL4r4RIPGqSa48AcOVwuPXZoRM803/w/oIvDM6aHdUcO'
       'rnsVc5HopNI6JdDeqB0du5xMb/3EXIaU4OC3H5vQkxFvLg1gpi4p6AH/WJUMlFLzkEo/Ek8XlzaLzdMUR8ZEKGbl8+3+YoI5XmVkg0BlTv9tvnclm'
       '14h0p7Rh5c0lDOuyJ6zBXI/suBk0PLIjTIZpq7JdGbp5hUwQb/JkdEncdStLtLRpD2jsV1bcISXj5RKUUQjp6Vp1BnuqIrqOb1padd1D0458ykL2O+'
       'tfS/sy1DrdM0Gr36LYiUczKzoUWOIABB521UaYBVY9 r')
RSA_FINGERPRINT = 'SHA256:VGVsDgGWREy/7ByUsC1YliunrOGbYuwwtvPsZdSnB9M'
ECDSA = ('ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBDL+yqppRcRaTEjM39tf+n9bxd9LK0H5bOh2SZHj'
         '7OLnfO4BjgUrvxHXJROE1WBXS1s/r6dr236v80AtQhWm6eA= e')
ECDSA_FINGERPRINT = 'SHA256:aL18h5QgFpkidcYSCgZU7fj8DSSKVGIVPOQKxE9u0yM'


# cron_frequency

@pytest.mark.parametrize('value, expected', [
    ('* * * * *', '* * * * *'),
    ('*/5 * * * *', '*/5 * * * *'),
    ('0 3 * * mon-fri', '0 3 * * mon-fri'),
    ('0 3 * * MON', '0 3 * * MON'),
    ('0 0 1 jan,jul *', '0 0 1 jan,jul *'),
    ('15,45 8-18/2 * * 1-5', '15,45 8-18/2 * * 1-5'),
    ('59 23 31 12 7', '59 23 31 12 7'),
    ('0 0 * * 0', '0 0 * * 0'),
    ('  0   3 *  * *  ', '0 3 * * *'),
    ('0\t3 * * *', '0 3 * * *'),
])
def test_cron_expressions_are_accepted_with_single_spaces(value, expected):
    assert cron_frequency(value) == expected


@pytest.mark.parametrize('value, expected', [
    ('@reboot', '@reboot'), ('@yearly', '@yearly'), ('@annually', '@annually'), ('@monthly', '@monthly'),
    ('@weekly', '@weekly'), ('@daily', '@daily'), ('@midnight', '@midnight'), ('@hourly', '@hourly'),
    ('@Daily', '@daily'), (' @HOURLY ', '@hourly'),
])
def test_cron_macros_are_accepted_in_lower_case(value, expected):
    assert cron_frequency(value) == expected


@pytest.mark.parametrize('value, names', [
    ('', 'five fields'),
    (None, 'five fields'),
    ('* * * *', 'found 4'),
    ('* * * * * *', 'found 6'),
    ('daily', 'found 1'),
    ('60 * * * *', 'minute'),
    ('-1 * * * *', 'minute'),
    ('* 24 * * *', 'hour'),
    ('* * 0 * *', 'day of month'),
    ('* * 32 * *', 'day of month'),
    ('* * * 0 *', 'month'),
    ('* * * 13 *', 'month'),
    ('* * * foo *', 'month'),
    ('* * * * 8', 'day of week'),
    ('* * * * jan', 'day of week'),
    ('* * mon * *', 'day of month'),
    ('*/0 * * * *', 'minute'),
    ('*/x * * * *', 'minute'),
    ('5/ * * * *', 'minute'),
    ('*/ * * * *', 'minute'),
    ('5-1 * * * *', 'minute'),
    ('1-2-3 * * * *', 'minute'),
    ('1,,2 * * * *', 'minute'),
    ('a b c d e', 'minute'),
    ('@every_5m', 'unknown macro'),
    ('@', 'unknown macro'),
])
def test_bad_cron_frequencies_are_refused_naming_the_problem(value, names):
    with pytest.raises(InvalidInput) as error:
        cron_frequency(value)
    assert names in str(error.value)
    assert 'cron frequency' in str(error.value)


# ssh_public_key

@pytest.mark.parametrize('key, fingerprint', [
    (ED25519, ED25519_FINGERPRINT),
    (RSA, RSA_FINGERPRINT),
    (ECDSA, ECDSA_FINGERPRINT),
])
def test_public_key_fingerprint_is_the_one_ssh_keygen_shows(key, fingerprint):
    normalised, found = ssh_public_key(key)
    assert found == fingerprint
    assert normalised == ' '.join(key.split()[:2])


def test_public_key_comment_and_spacing_do_not_change_the_fingerprint():
    kind, data = ED25519.split()[:2]
    assert ssh_public_key('%s %s' % (kind, data)) == ssh_public_key(ED25519)
    assert ssh_public_key('  %s\t%s  another comment with spaces\n' % (kind, data)) == ssh_public_key(ED25519)


@pytest.mark.skipif(shutil.which('ssh-keygen') is None, reason='needs ssh-keygen')
@pytest.mark.parametrize('key_type', ['ed25519', 'rsa', 'ecdsa'])
def test_fingerprint_of_a_fresh_key_equals_ssh_keygen_lf(key_type):
    directory = tempfile.mkdtemp()
    try:
        path = os.path.join(directory, 'key')
        subprocess.run(['ssh-keygen', '-q', '-t', key_type, '-N', '', '-C', 'unit@test', '-f', path], check=True)
        listed = subprocess.run(['ssh-keygen', '-l', '-E', 'sha256', '-f', path + '.pub'], check=True,
                                stdout=subprocess.PIPE, universal_newlines=True).stdout.split()[1]
        with open(path + '.pub') as handle:
            assert ssh_public_key(handle.read())[1] == listed
    finally:
        shutil.rmtree(directory)


def _blob(key):
    return base64.b64decode(key.split()[1])


def _encoded(kind, blob):
    return '%s %s' % (kind, base64.b64encode(blob).decode('ascii'))


@pytest.mark.parametrize('value, names', [
    ('', 'expected an OpenSSH public key'),
    (None, 'expected an OpenSSH public key'),
    ('not a key', 'expected an OpenSSH public key'),
    ('ssh-ed25519', 'only the key type (ssh-ed25519) was given'),
    ('ssh-foo AAAAB3NzaC1yc2E=', 'must start with one of'),
    ('-----BEGIN OPENSSH PRIVATE KEY----- b3BlbnNzaC1rZXktdjEAAAAA', 'this is a private key'),
    ('AAAAC3NzaC1lZDI1NTE5AAAAIMch4iOon+bv3E1aO+qk9fZRcVUEEF/Wulvsu3LPmVnM test', 'expected an OpenSSH public key'),
    ('ssh-ed25519 !!!!', 'not valid base64'),
    ('ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMch4iOon+bv3E1aO+qk9fZRcVUEEF/Wulvsu3LPmVn', 'looks cut short'),
    ('ssh-ed25519 AAAA', 'not that of an SSH key'),
    ('ssh-ed25519 ' + RSA.split()[1], "is a 'ssh-rsa' key"),
    (_encoded('ssh-ed25519', _blob(ED25519)[:40]), 'incomplete'),
    (_encoded('ssh-ed25519', _blob(ED25519) + b'\x00\x01'), 'incomplete'),
    (_encoded('ssh-ed25519', _blob(ED25519)[:15]), 'incomplete'),
])
def test_bad_public_keys_are_refused(value, names):
    with pytest.raises(InvalidInput) as error:
        ssh_public_key(value)
    assert names in str(error.value)
    assert str(error.value).startswith('public_key:')


@pytest.mark.parametrize('value', [
    '"%s"' % ED25519,
    "'%s'" % ED25519,
    '"%s"' % ED25519.rsplit(' ', 1)[0],  # without its comment: the quote ends the base64 part
    'ssh-ed25519 "%s" test' % ED25519.split()[1],
    '\u201c%s\u201d' % ED25519,  # typographic quotes, from a document
    '`%s`' % RSA,
    '"ssh-rsa"',
])
def test_a_key_inside_quotes_is_told_to_lose_them(value):
    with pytest.raises(InvalidInput) as error:
        ssh_public_key(value)
    assert str(error.value) == ('public_key: the key is inside quotes: remove the quotes, and give the line of the '
                                '.pub file as it is ("ssh-ed25519 AAAA... comment").')


def test_quotes_in_the_comment_are_only_a_comment():
    assert ssh_public_key(ED25519 + ' "CI key"')[1] == ED25519_FINGERPRINT


@pytest.mark.parametrize('key', [ED25519, RSA, ECDSA])
@pytest.mark.parametrize('missing', [1, 2, 3])
def test_a_key_cut_short_by_a_few_characters_says_so(key, missing):
    kind, data = key.split()[:2]
    with pytest.raises(InvalidInput) as error:
        ssh_public_key('%s %s' % (kind, data[:-missing]))
    assert str(error.value) == (
        'public_key: the %s key looks cut short (its base64 part is %d characters long; a whole one is a multiple '
        'of 4): copy the whole line of the .pub file.' % (kind, len(data) - missing))


def test_a_key_cut_short_by_a_multiple_of_four_characters_says_so_too():
    kind, data = ED25519.split()[:2]
    with pytest.raises(InvalidInput) as error:
        ssh_public_key('%s %s' % (kind, data[:-4]))
    assert 'incomplete or has extra bytes; was it cut off when copied? Copy the whole line' in str(error.value)


def test_a_character_base64_does_not_use_is_named():
    kind, data = ED25519.split()[:2]
    with pytest.raises(InvalidInput) as error:
        ssh_public_key('%s %s\u2026' % (kind, data[:40]))  # shortened by a terminal or a document
    assert str(error.value) == ("public_key: the key data after 'ssh-ed25519' is not valid base64: it holds '\\u2026', "
                                "which base64 does not use. Copy the whole line of the .pub file as it is.")


@pytest.mark.parametrize('kind', ['ssh-ed25519', 'ssh-rsa', 'ecdsa-sha2-nistp256', '  ssh-rsa  '])
def test_a_bare_key_type_says_the_key_is_missing_and_how_to_pass_it_with_e(kind):
    # ansible-playbook -e key="$(cat key.pub)" gives key=ssh-rsa: -e splits its value on spaces
    with pytest.raises(InvalidInput) as error:
        ssh_public_key(kind)
    assert str(error.value) == (
        "public_key: only the key type (%s) was given: the key's base64 part is missing. Give the whole line of the "
        """.pub file; with -e, quote the value inside the argument, -e "key='$(cat key.pub)'", or put it in a vars """
        'file.' % kind.strip())


def _fields(*fields):
    """A key blob: each field length-prefixed."""
    return b''.join(struct.pack('>I', len(field)) + field for field in fields)


def _begin_end(label, body, dashes='-----'):
    """PEM armour (five dashes), or RFC 4716 armour (four dashes and spaces)."""
    space = ' ' if len(dashes) == 4 else ''
    begin, end = ['%s%s%s %s%s%s' % (dashes, space, word, label, space, dashes) for word in ('BEGIN', 'END')]
    return '%s\n%s\n%s\n' % (begin, body, end)


# Made-up bodies: only their shape matters.
OPENSSH_BODY = 'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZWQyNTUxOQ\nAAAAIMch4iOon+bv3E1aO'
PEM_BODY = 'MIIEowIBAAKCAQEAqNsP+k0UlRJRvMyTkaQaTrulx42NGS+K+ESDxqkmuPAHDlcL\nj12aETPNN/8P6CLwzOmh3VHDq57'
PRIVATE_KEYS = [
    _begin_end('OPENSSH PRIVATE KEY', OPENSSH_BODY),
    _begin_end('RSA PRIVATE KEY', PEM_BODY),
    _begin_end('EC PRIVATE KEY', PEM_BODY),
    _begin_end('DSA PRIVATE KEY', PEM_BODY),
    _begin_end('PRIVATE KEY', PEM_BODY),
    _begin_end('ENCRYPTED PRIVATE KEY', PEM_BODY),
    _begin_end('SSH2 ENCRYPTED PRIVATE KEY', PEM_BODY, dashes='----'),
    'PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: laptop\nPublic-Lines: 2\n'
    'AAAAC3NzaC1lZDI1NTE5AAAAIMch4iOon+bv3E1aO+qk9fZRcVUEEF/Wulvsu3LPmVnM\nPrivate-Lines: 1\n%s\n' % PEM_BODY[:40],
    'PuTTY-User-Key-File-2: ssh-rsa\nEncryption: aes256-cbc\nComment: old\n',
    OPENSSH_BODY,  # the body of an OpenSSH private key, its first line left behind
    '  ' + _begin_end('OPENSSH PRIVATE KEY', OPENSSH_BODY).replace('\n', ' '),  # pasted on one line
]


@pytest.mark.parametrize('private_key', PRIVATE_KEYS)
def test_a_private_key_is_named_and_never_quoted(private_key):
    with pytest.raises(InvalidInput) as error:
        ssh_public_key(private_key)
    message = str(error.value)
    assert message.startswith('public_key: this is a private key; paste the .pub file instead')
    # the example in the message names a key type; nothing longer of the key is in it
    quoted = [piece for piece in private_key.split() if len(piece) >= 12 and piece in message]
    assert quoted == []
    assert error.value.secret == private_key  # for the module to hide wherever Ansible would show it


def test_private_key_in_a_comment_is_only_a_comment():
    assert ssh_public_key(ED25519 + ' private key of the CI')[1] == ED25519_FINGERPRINT


@pytest.mark.parametrize('value', [
    ED25519.replace('AAAAC3Nza', 'AAAAC3Nza\n'),  # wrapped by an editor
    ED25519.replace(' test', '\ntest'),
    RSA[:70] + '\r\n' + RSA[70:],
    ED25519 + '\n' + RSA,  # two keys in one
])
def test_a_key_on_several_lines_is_refused(value):
    with pytest.raises(InvalidInput) as error:
        ssh_public_key(value)
    assert str(error.value).startswith('public_key: expected one line, as in a .pub file, found 2 lines.')


@pytest.mark.parametrize('value, command', [
    (_begin_end('SSH2 PUBLIC KEY', 'Comment: "256-bit ED25519, converted"\nAAAAC3NzaC1lZDI1NTE5AAAAIMch4iOon+bv3E1aO+qk9',
                dashes='----'), 'ssh-keygen -i -f KEY.pub'),
    (_begin_end('PUBLIC KEY', PEM_BODY), 'ssh-keygen -i -m PKCS8 -f KEY.pub'),
    (_begin_end('RSA PUBLIC KEY', PEM_BODY), 'ssh-keygen -i -m PEM -f KEY.pub'),
])
def test_a_public_key_in_another_format_says_how_to_convert_it(value, command):
    with pytest.raises(InvalidInput) as error:
        ssh_public_key(value)
    assert str(error.value) == 'public_key: this public key is not in the OpenSSH format of a .pub file; ' \
                               'convert it with %s.' % command


def test_dsa_keys_are_refused_with_the_reason():
    dsa = _encoded('ssh-dss', _fields(b'ssh-dss', b'\x00\xaa' * 64, b'\x00\xbb' * 10, b'\x11' * 128, b'\x22' * 128))
    with pytest.raises(InvalidInput) as error:
        ssh_public_key(dsa + ' old@laptop')
    assert str(error.value).startswith('public_key: DSA keys (ssh-dss) are not accepted: the FlyWP API refuses them')
    assert 'ssh-keygen -t ed25519' in str(error.value)


ED25519_KEY = _blob(ED25519)[-32:]
ECDSA_FIELDS = [b'ecdsa-sha2-nistp256', b'nistp256', _blob(ECDSA)[-65:]]
SK_ED25519 = _encoded('sk-ssh-ed25519@openssh.com', _fields(b'sk-ssh-ed25519@openssh.com', ED25519_KEY, b'ssh:'))
SK_ECDSA = _encoded('sk-ecdsa-sha2-nistp256@openssh.com',
                    _fields(b'sk-ecdsa-sha2-nistp256@openssh.com', b'nistp256', ECDSA_FIELDS[2], b'ssh:'))


@pytest.mark.parametrize('value', [SK_ED25519, SK_ECDSA])
def test_security_key_types_are_accepted(value):
    assert ssh_public_key(value)[1].startswith('SHA256:')


@pytest.mark.parametrize('value', [
    _encoded('ssh-ed25519', _fields(b'ssh-ed25519', ED25519_KEY, b'extra')),
    _encoded('ssh-ed25519', _fields(b'ssh-ed25519', ED25519_KEY[:31])),
    _encoded('ssh-rsa', _fields(b'ssh-rsa', b'\x01\x00\x01')),
    _encoded('ecdsa-sha2-nistp256', _fields(b'ecdsa-sha2-nistp256', b'nistp384', ECDSA_FIELDS[2])),
    _encoded('ecdsa-sha2-nistp256', _fields(b'ecdsa-sha2-nistp256', b'', ECDSA_FIELDS[2])),
    _encoded('sk-ssh-ed25519@openssh.com', _fields(b'sk-ssh-ed25519@openssh.com', ED25519_KEY)),
])
def test_key_data_of_the_wrong_shape_for_its_type_is_refused(value):
    with pytest.raises(InvalidInput) as error:
        ssh_public_key(value)
    assert 'incomplete or has extra bytes' in str(error.value)


def test_the_module_accepts_exactly_the_keys_the_api_accepts():
    """One rule for both sides: the simulator stands for the API."""
    from ansible_collections.flywp.cloud.simulator.validation import parse_public_key

    def module_accepts(value):
        try:
            ssh_public_key(value)
        except InvalidInput:
            return False
        return True

    keys = [ED25519, RSA, ECDSA, SK_ED25519, SK_ECDSA, ED25519 + '\n', ED25519 + ' private key of the CI',
            _encoded('ssh-dss', _fields(b'ssh-dss', b'\x01', b'\x02', b'\x03', b'\x04'))] + PRIVATE_KEYS
    keys += [ED25519.replace('AAAAC3Nza', 'AAAAC3Nza\n'), ED25519 + '\n' + RSA]
    keys += [_encoded('ssh-ed25519', _fields(b'ssh-ed25519', ED25519_KEY, b'extra')),
             _encoded('ssh-ed25519', _fields(b'ssh-ed25519', ED25519_KEY[:31])),
             _encoded('ecdsa-sha2-nistp256', _fields(b'ecdsa-sha2-nistp256', b'nistp384', ECDSA_FIELDS[2]))]
    assert [module_accepts(key) for key in keys] == [parse_public_key(key) is not None for key in keys]
    assert [module_accepts(key) for key in keys].count(True) == 7


# domain

@pytest.mark.parametrize('value, expected', [
    ('example.com', 'example.com'),
    ('Blog.Example.COM', 'blog.example.com'),
    ('example.com.', 'example.com'),
    (' shop.example.co.uk ', 'shop.example.co.uk'),
    ('xn--bcher-kva.example', 'xn--bcher-kva.example'),
    ('a-b.example.com', 'a-b.example.com'),
    ('%s.com' % ('a' * 63), '%s.com' % ('a' * 63)),
])
def test_domains_are_accepted_lower_case(value, expected):
    assert domain(value) == expected


@pytest.mark.parametrize('value', [
    '', None, 'localhost', 'example', '192.0.2.10', '-example.com', 'example-.com', 'exa_mple.com', 'exa mple.com',
    'example..com', '%s.com' % ('a' * 64), '.'.join(['abcdefghi'] * 26) + '.com', 'https://example.com',
])
def test_bad_domains_are_refused(value):
    with pytest.raises(InvalidInput) as error:
        domain(value)
    assert 'expected a host name' in str(error.value)


# duration

@pytest.mark.parametrize('value, seconds', [
    (90, 90), ('90', 90), ('0', 0), ('30s', 30), ('45m', 2700), ('12h', 43200), ('7d', 604800), ('2w', 1209600),
    ('1d12h', 129600), (' 1D 12H ', 129600), ('1h30m15s', 5415),
])
def test_durations_are_seconds(value, seconds):
    assert duration(value) == seconds


@pytest.mark.parametrize('value', ['', 'h', '12x', '1.5h', '-5', '12 hours', '12h junk', 'd1', '1d-2h', None])
def test_bad_durations_are_refused(value):
    with pytest.raises(InvalidInput) as error:
        duration(value)
    assert 'duration' in str(error.value)


# email

@pytest.mark.parametrize('value, expected', [
    ('admin@example.com', 'admin@example.com'),
    (' first.last+wp@mail.example.org ', 'first.last+wp@mail.example.org'),
])
def test_email_addresses_are_accepted(value, expected):
    assert email(value) == expected


@pytest.mark.parametrize('value', ['', None, 'admin', 'admin@', '@example.com', 'admin@example', 'ad min@example.com',
                                   'admin@@example.com'])
def test_bad_email_addresses_are_refused(value):
    with pytest.raises(InvalidInput) as error:
        email(value)
    assert 'e-mail address' in str(error.value)
