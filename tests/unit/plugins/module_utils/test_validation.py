# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Input checks made before any request: cron frequencies, SSH public keys, domains, durations, e-mail."""

from __future__ import annotations

import base64
import os
import shutil
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
    ('ssh-ed25519', 'expected an OpenSSH public key'),
    ('ssh-foo AAAAB3NzaC1yc2E=', 'must start with one of'),
    ('-----BEGIN OPENSSH PRIVATE KEY----- b3BlbnNzaC1rZXktdjEAAAAA', 'expected an OpenSSH public key'),
    ('AAAAC3NzaC1lZDI1NTE5AAAAIMch4iOon+bv3E1aO+qk9fZRcVUEEF/Wulvsu3LPmVnM test', 'expected an OpenSSH public key'),
    ('ssh-ed25519 !!!!', 'not valid base64'),
    ('ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMch4iOon+bv3E1aO+qk9fZRcVUEEF/Wulvsu3LPmVn', 'not valid base64'),
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
