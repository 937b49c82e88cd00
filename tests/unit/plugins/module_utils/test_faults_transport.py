# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fault suite, part two: what crosses the wire. Certificates, proxies and the token.

A TLS FaultProxy on 127.0.0.1 serves the simulator with a certificate signed by a CA this
test makes (with the cryptography package, which ansible-core requires); a second CA
signs nothing. Module clients run on the fake clock, so "final at once" is "no wait".
"""

from __future__ import annotations

import collections
import datetime
import functools
import ipaddress
import json
import socket
import ssl

import pytest

from ansible_collections.flywp.cloud.plugins.module_utils import module as module_utils
from ansible_collections.flywp.cloud.plugins.module_utils import results
from ansible_collections.flywp.cloud.plugins.module_utils.client import FlyWPClient
from ansible_collections.flywp.cloud.plugins.module_utils.redaction import secret_forms
from ansible_collections.flywp.cloud.tests.unit.fake_clock import FakeClock
from ansible_collections.flywp.cloud.tests.unit.fault_proxy import FaultProxy
from ansible_collections.flywp.cloud.tests.unit.module_runner import run_module

x509 = pytest.importorskip('cryptography.x509')
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402 pylint: disable=wrong-import-position
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402 pylint: disable=wrong-import-position
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID  # noqa: E402 pylint: disable=wrong-import-position

CLOCK = FakeClock()
PROXY_VARIABLES = ('HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'NO_PROXY', 'REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE')


@pytest.fixture(scope='module')
def simulator_options():
    return {'clock': CLOCK.time}


# --- certificates ---

def _name(text):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, text)])


def _certificate(subject, key, issuer, issuer_key, ca):
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (x509.CertificateBuilder().subject_name(_name(subject)).issuer_name(_name(issuer))
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=1))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False))
    if ca:
        builder = builder.add_extension(x509.KeyUsage(
            digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
    else:
        builder = (builder.add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address('127.0.0.1'))]),
                                         critical=False)
                   .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False))
    return builder.sign(issuer_key, hashes.SHA256())


def _pem(certificate):
    return certificate.public_bytes(serialization.Encoding.PEM)


@pytest.fixture(scope='module')
def certificates(tmp_path_factory):
    """{'ca': our CA's file, 'other_ca': an unrelated CA's file, 'context': the server's TLS context}."""
    folder = tmp_path_factory.mktemp('tls')
    ca_key, other_key, server_key = (ec.generate_private_key(ec.SECP256R1()) for _index in range(3))
    ca = _certificate('flywp test CA', ca_key, 'flywp test CA', ca_key, ca=True)
    other = _certificate('another CA', other_key, 'another CA', other_key, ca=True)
    server = _certificate('127.0.0.1', server_key, 'flywp test CA', ca_key, ca=False)
    (folder / 'ca.pem').write_bytes(_pem(ca))
    (folder / 'other-ca.pem').write_bytes(_pem(other))
    (folder / 'server.pem').write_bytes(_pem(server))
    (folder / 'server.key').write_bytes(server_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(folder / 'server.pem'), str(folder / 'server.key'))
    return {'ca': str(folder / 'ca.pem'), 'other_ca': str(folder / 'other-ca.pem'), 'context': context}


@pytest.fixture(scope='module')
def tls_proxy(sim, certificates):
    with FaultProxy(sim.api_url, tls=certificates['context']) as running:
        yield running


@pytest.fixture(autouse=True)
def fresh(sim, monkeypatch):
    """The server web-1 alone, no proxy variables, module clients on the fake clock; returns web-1."""
    sim.reset()
    server = sim.seed([{'name': 'web-1'}])[0]
    sim.clear_requests()
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    monkeypatch.setattr(module_utils, 'FlyWPClient', functools.partial(FlyWPClient, clock=CLOCK.time, sleep=CLOCK.sleep))
    return server


def counts(sim):
    seen = collections.Counter(entry['method'] for entry in sim.requests())
    sim.clear_requests()
    return dict(seen)


def closed_port():
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


def run_at_once(name, args):
    """The module's result, and whether it waited (on the fake clock) before it ended."""
    slept = len(CLOCK.sleeps)
    result = run_module(name, args)
    return result, CLOCK.sleeps[slept:]


def assert_clean(result, token='flywp-demo-token', bug=False):
    """No traceback (but in a bug report's `exception`), and no spelling of the token anywhere."""
    text = json.dumps(result)
    assert bug or 'Traceback' not in text
    for form in secret_forms(token):
        assert form not in text and all(form not in value for value in _strings(result))


def _strings(value):
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return [value] if isinstance(value, str) else []


# --- certificates ---

def test_a_certificate_failure_is_final_at_once_and_says_so(sim, tls_proxy):
    tls_proxy.clear()
    result, waits = run_at_once('server_info', {'api_url': tls_proxy.url, 'api_token': sim.token})
    assert result['failed'] is True
    assert 'the TLS certificate of 127.0.0.1 was not accepted' in result['msg']
    assert 'certificate verify failed' in result['msg'] and 'validate_certs' in result['msg']
    assert_clean(result)
    assert waits == [] and tls_proxy.connections == 1  # no backoff, no second try
    assert counts(sim) == {}


def test_validate_certs_false_wins_over_both_ca_bundle_variables(sim, tls_proxy, certificates, monkeypatch):
    monkeypatch.setenv('REQUESTS_CA_BUNDLE', certificates['other_ca'])
    monkeypatch.setenv('CURL_CA_BUNDLE', certificates['other_ca'])
    result = run_module('server_info', {'api_url': tls_proxy.url, 'api_token': sim.token, 'validate_certs': False})
    assert not result.get('failed'), result
    assert [server['name'] for server in result['servers']] == ['web-1']
    assert counts(sim) == {'GET': 1}
    # The variables are in effect: with validation on, they decide, and this CA is not ours.
    refused = run_module('server_info', {'api_url': tls_proxy.url, 'api_token': sim.token})
    assert refused['failed'] is True and 'certificate' in refused['msg']
    assert counts(sim) == {}


def test_a_ca_bundle_variable_is_used_when_certificates_are_validated(sim, tls_proxy, certificates, monkeypatch):
    monkeypatch.setenv('REQUESTS_CA_BUNDLE', certificates['ca'])
    result = run_module('server_info', {'api_url': tls_proxy.url, 'api_token': sim.token})
    assert not result.get('failed'), result
    assert counts(sim) == {'GET': 1}


# --- proxies ---

def test_an_unreachable_proxy_is_final_at_once_and_says_so(sim, monkeypatch):
    monkeypatch.setenv('HTTP_PROXY', 'http://127.0.0.1:%d' % closed_port())
    result, waits = run_at_once('cron', {'api_url': sim.api_url, 'api_token': sim.token, 'server': '1',
                                         'command': 'wp cron event run', 'frequency': '@daily'})
    assert result['failed'] is True and result['changed'] is False
    assert 'the HTTP proxy failed' in result['msg'] and 'Unable to connect to proxy' in result['msg']
    assert_clean(result)
    assert waits == []
    assert counts(sim) == {}


def test_a_proxy_that_refuses_the_tunnel_is_final_at_once(sim, tls_proxy, monkeypatch):
    with FaultProxy(sim.api_url) as refusing:  # it knows no CONNECT: 501
        monkeypatch.setenv('HTTPS_PROXY', refusing.url.rsplit('/api/', 1)[0])
        result, waits = run_at_once('server_info', {'api_url': tls_proxy.url, 'api_token': sim.token,
                                                    'validate_certs': False})
    assert result['failed'] is True
    assert 'the HTTP proxy failed' in result['msg'] and 'Tunnel connection failed: 501' in result['msg']
    assert waits == []
    assert counts(sim) == {}


# --- the token ---

@pytest.mark.parametrize('token', ['flywp-demo-token\n', '  flywp-demo-token \r\n', '\tflywp-demo-token'])
def test_a_token_with_surrounding_whitespace_is_trimmed(sim, token):
    result = run_module('server_info', {'api_url': sim.api_url, 'api_token': token})
    assert not result.get('failed'), result
    assert counts(sim) == {'GET': 1}


@pytest.mark.parametrize('token', ['flywp-demo\n-token', 'flywp-demo\t-token', 'flywp-demo\x00-token',
                                   'flywp-demo\x7f-token', 'flywp-d\xe9mo-token', 'flywp-demo\u2028-token'],
                         ids=['newline', 'tab', 'nul', 'del', 'latin-1', 'line-separator'])
def test_a_token_with_a_control_character_inside_is_refused_without_echoing_it(sim, token):
    result = run_module('server_info', {'api_url': sim.api_url, 'api_token': token})
    assert result['failed'] is True
    assert result['msg'].startswith('The FlyWP API token holds a line break, a tab, another control character')
    assert_clean(result, token)
    for part in token.split():
        assert part not in result['msg']
    assert counts(sim) == {}


ODD_TOKEN = 'Tok|en/42+"x\\y'


def test_every_spelling_of_the_token_is_redacted_from_an_answer_that_echoes_it(sim, fresh):
    sim.add_token(ODD_TOKEN)
    given = ODD_TOKEN + '\n'
    echoes = secret_forms(given)
    assert len(echoes) >= 5  # raw, repr, JSON, URL, trimmed: else the test would prove little
    crons = '/servers/%s/crons' % fresh['id']
    with FaultProxy(sim.api_url) as echoing:
        echoing.add('answer', path=crons, methods=['POST'], status=422, body=json.dumps({
            'message': 'Bad token ' + ' / '.join(echoes), 'errors': {'command': ['Seen: %s' % echo for echo in echoes]}}))
        result = run_module('cron', {'api_url': echoing.url, 'api_token': given, 'server': str(fresh['id']),
                                     'command': 'wp cron event run', 'frequency': '@daily'})
    assert result['failed'] is True and 'The FlyWP API answered 422 to POST %s' % crons in result['msg']
    assert result['msg'].count('********') >= len(echoes)
    assert_clean(result, given)
    assert counts(sim) == {'GET': 1}


def test_a_bug_report_never_shows_the_token(sim, monkeypatch):
    sim.add_token(ODD_TOKEN)

    def broken(*_args, **_kwargs):
        raise ValueError('a bug that shows %r and %s' % (ODD_TOKEN + '\n', ODD_TOKEN))
    monkeypatch.setattr(results, 'converge', broken)
    result = run_module('cron', {'api_url': sim.api_url, 'api_token': ODD_TOKEN + '\n', 'server': '1',
                                 'command': 'wp cron event run', 'frequency': '@daily'})
    assert result['failed'] is True and 'bug in the collection' in result['msg']
    assert_clean(result, ODD_TOKEN + '\n', bug=True)
