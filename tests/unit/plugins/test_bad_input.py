# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The bad-input matrix: every module option that takes text or a number, each bad value
refused with a sentence and with ZERO requests sent (the simulator's log stays empty).

The str options come from each module's documentation (and the shared doc fragment), so a
new option is in the matrix the day it is documented. Each is given a list, a mapping, a
boolean, 100,000 characters and a line break inside. Then come the values only some
options refuse: non-ASCII digits, malformed cron fields, blank references, numbers out of
range, a URL the token must not go to.
"""

from __future__ import annotations

import importlib
import json

import pytest
import yaml

from ansible.module_utils import basic

from ansible_collections.flywp.cloud.plugins.doc_fragments.flywp import ModuleDocFragment
from ansible_collections.flywp.cloud.tests.unit.module_runner import run_module

MODULES = ('account_info', 'server', 'server_info', 'site', 'site_info', 'ssh_key', 'ssh_key_info', 'cron', 'cron_info',
           'backup', 'backup_info', 'database_info')
KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGmv4CuxY0hNe1FAI4xqv5TSUiwFQFMr6BBS6cVTWP/t a@laptop'
# Arguments each module runs with (and sends requests with): the bad value is added to them.
VALID = {
    'account_info': {},
    'server': {'name': 'web-1'},
    'server_info': {},
    'site': {'server': 'web-1', 'domain': 'blog.example.com'},
    'site_info': {},
    'ssh_key': {'server': 'web-1', 'name': 'deploy', 'public_key': KEY},
    'ssh_key_info': {'server': 'web-1'},
    'cron': {'server': 'web-1', 'command': 'wp cron event run', 'frequency': '@daily'},
    'cron_info': {'server': 'web-1'},
    'backup': {'server': 'web-1', 'site': 'blog.example.com'},
    'backup_info': {'server': 'web-1', 'site': 'blog.example.com'},
    'database_info': {'server': 'web-1'},
}
# The list form of a module: its option, one valid item, and the options it excludes.
LIST_FORMS = {
    'ssh_key': ('keys', {'name': 'deploy', 'public_key': KEY}, ('name', 'public_key')),
    'cron': ('jobs', {'command': 'wp cron event run', 'frequency': '@daily'}, ('command', 'user', 'frequency')),
}
# Options that may hold a line break: the SSH key has checks of its own, a password is sent as given.
LINE_BREAK_ALLOWED = ('public_key', 'admin_password')
# The no_log options' values are masked by Ansible wherever they appear: none is a word of a message.
BAD_TEXT = {
    'a list': (['first-value', 'second-value'], 'expected a string, got a list'),
    'a mapping': ({'some-key': 'some-value'}, 'expected a string, got a mapping'),
    'a boolean': (True, 'expected a string, got the boolean true'),
    '100k characters': ('x' * 100000, 'is 100000 characters long; at most'),
    'a line break inside': ('a\nb', 'holds a line break, a tab or another control character'),
    # Refused before Ansible logs the options, which it cannot do with a NUL on Python 3.12+.
    'a NUL inside': ('a\x00b', 'holds a line break, a tab or another control character'),
}


def _options(name):
    """[(path, option, documentation)] of every str option and suboption of the module."""
    module = importlib.import_module('ansible_collections.flywp.cloud.plugins.modules.' + name)
    options = dict(yaml.safe_load(ModuleDocFragment.DOCUMENTATION)['options'],
                   **yaml.safe_load(module.DOCUMENTATION)['options'])
    found = []
    for option, doc in sorted(options.items()):
        if doc.get('type', 'str') == 'str':
            found.append((option, option, doc))
        for sub, sub_doc in sorted((doc.get('suboptions') or {}).items()):
            if sub_doc.get('type', 'str') == 'str':
                found.append(('%s[].%s' % (option, sub), sub, sub_doc))
    return found


def _args(name, path, value):
    """The module's valid arguments with the value at path (an option, or a suboption of one item)."""
    if '[].' not in path:
        return dict(VALID[name], **{path: value})
    option, sub = path.split('[].')
    list_option, item, excluded = LIST_FORMS[name]
    assert option == list_option
    args = dict((key, value) for key, value in VALID[name].items() if key not in excluded)
    return dict(args, **{option: [dict(item, **{sub: value})]})


TEXT_CASES = [(name, path, case, doc) for name in MODULES for path, option, doc in _options(name)
              for case in BAD_TEXT
              if not (case in ('a line break inside', 'a NUL inside') and option in LINE_BREAK_ALLOWED)]


@pytest.fixture(scope='module')
def fleet(sim):
    sim.reset()
    sim.seed([{'name': 'web-1', 'sites': [{'domain': 'blog.example.com'}]}])
    return sim


@pytest.fixture
def api(fleet):
    fleet.clear_requests()
    yield {'api_url': fleet.api_url, 'api_token': fleet.token}
    fleet.clear_requests()


def refused(fleet, result, fragment=None):
    """The run failed with a sentence (no traceback, no huge echo) and sent nothing."""
    assert result.get('failed') is True, result
    assert 'Traceback' not in json.dumps(result) and 'exception' not in result
    if fragment is not None:
        assert fragment in result['msg'], result['msg']
    assert fleet.requests() == []


@pytest.mark.parametrize('name', MODULES)
def test_the_valid_arguments_do_send_requests(fleet, api, name):
    """Without this, "zero requests" below would prove nothing."""
    result = run_module(name, dict(api, **VALID[name]), check_mode=True)
    assert not result.get('failed'), result
    assert fleet.requests()
    if name in LIST_FORMS:
        fleet.clear_requests()
        option, item, excluded = LIST_FORMS[name]
        args = dict((key, value) for key, value in VALID[name].items() if key not in excluded)
        assert not run_module(name, dict(api, **dict(args, **{option: [item]})), check_mode=True).get('failed')
        assert fleet.requests()


@pytest.mark.parametrize('name, path, case, doc', TEXT_CASES,
                         ids=['%s-%s-%s' % (name, path, case.replace(' ', '-')) for name, path, case, _doc in TEXT_CASES])
def test_every_text_option_refuses_what_is_not_one_line_of_text(fleet, api, name, path, case, doc):
    value, fragment = BAD_TEXT[case]
    if path == 'api_token' and case in ('a line break inside', 'a NUL inside'):
        fragment = 'The FlyWP API token holds a line break'
    result = run_module(name, dict(api, **_args(name, path, value)))
    # Ansible's own choices check comes first for an option with choices, and says it in its words.
    refused(fleet, result, None if doc.get('choices') else fragment)
    if not doc.get('choices'):
        assert len(result['msg']) < 300 and (path.split('.')[-1] in result['msg'] or path == 'api_token')


@pytest.mark.parametrize('name, args, fragment', [
    # cron
    ('cron', {'command': 'wp cron\nrm -rf /'}, 'command holds a line break'),
    ('cron', {'command': 'wp\tcron'}, 'command holds a line break, a tab'),
    ('cron', {'command': '   '}, 'command must not be empty'),
    ('cron', {'frequency': '\u00b2 * * * *'}, "'\u00b2' is not a valid minute field"),
    ('cron', {'frequency': '\uff15 * * * *'}, "'\uff15' is not a valid minute field"),
    ('cron', {'frequency': '*/\uff15 * * * *'}, 'is not a valid minute field'),
    ('cron', {'frequency': '0 \u0663 * * *'}, 'is not a valid hour field'),
    ('cron', {'frequency': '* * * * * *'}, 'expected five fields'),
    ('cron', {'frequency': '@sometimes'}, 'unknown macro'),
    ('cron', {'frequency': '*/0 * * * *'}, 'is not a valid minute field'),
    ('cron', {'user': 'a b'}, 'expected a system user name'),
    ('cron', {'user': 'root;reboot'}, 'expected a system user name'),
    ('cron', {'user': '-root'}, 'expected a system user name'),
    ('cron', {'server': ''}, 'server must not be empty'),
    ('cron', {'server': '  '}, 'server must not be empty'),
    ('cron', {'command': None, 'frequency': None, 'jobs': [{'command': 'a', 'frequency': '\uff15 * * * *'}]},
     'is not a valid minute field'),
    ('cron', {'command': None, 'frequency': None, 'jobs': [{'command': 'a', 'frequency': '@daily'},
                                                           {'command': ' a ', 'frequency': '@hourly'}]},
     'each must be listed once'),
    # server
    ('server', {'name': ''}, 'name must not be empty'),
    ('server', {'name': '   '}, 'name must not be empty'),
    ('server', {'name': 'web\n1'}, 'name holds a line break'),
    ('server', {'name': None, 'id': 'abc'}, 'string of digits'),
    ('server', {'name': None, 'id': '\uff11\uff12'}, 'string of digits'),
    ('server', {'name': None, 'id': '\u00b2'}, 'string of digits'),
    ('server', {'wait_timeout': -1}, 'wait_timeout must be between 0 and 86400 seconds, not -1.'),
    ('server', {'wait_timeout': 86401}, 'wait_timeout must be between 0 and 86400 seconds'),
    ('server', {'wait_timeout': 10 ** 20}, 'wait_timeout must be between 0 and 86400 seconds'),
    # site
    ('site', {'server': ' '}, 'server must not be empty'),
    ('site', {'domain': 'not a domain'}, 'expected a host name'),
    ('site', {'domain': 'a..example.com'}, 'expected a host name'),
    ('site', {'domain': 'example'}, 'expected a host name'),
    ('site', {'domain': '\uff11.example.com'}, 'expected a host name'),
    ('site', {'admin_email': 'nobody'}, 'expected an e-mail address'),
    ('site', {'title': 'A\r\nB'}, 'title holds a line break'),
    # ssh_key
    ('ssh_key', {'name': '  '}, 'name must not be empty'),
    ('ssh_key', {'public_key': 'ssh-rsa garbage!'}, 'public_key'),
    ('ssh_key', {'public_key': 'not a key'}, 'expected an OpenSSH public key'),
    # backup
    ('backup', {'max_age': '\uff15d'}, 'duration'),
    ('backup', {'max_age': '\u00b2'}, 'duration'),
    ('backup', {'max_age': '1y'}, 'duration'),
    ('backup', {'max_age': '-1'}, 'duration'),
    ('backup', {'max_age': '99999d'}, 'max_age must be between 0 and'),
    ('backup', {'site': ''}, 'site must not be empty'),
    ('backup_info', {'id': '12a'}, 'string of digits'),
    # _info filters
    ('server_info', {'id': '\uff11\uff12'}, 'string of digits'),
    ('cron_info', {'user': 'a\x01b'}, 'user holds a line break'),
    ('cron_info', {'command': 'a\x00b'}, 'command holds a line break'),  # before Ansible logs it (3.12+ cannot)
    ('ssh_key', {'public_key': KEY.replace(' a@', '\x00a@')}, 'public_key holds a NUL character'),
    ('site', {'admin_password': 'pass\x00word'}, 'admin_password holds a NUL character'),
    # the shared options
    ('server_info', {'api_timeout': 0}, 'api_timeout must be more than 0 and at most 3600 seconds, not 0.'),
    ('server_info', {'api_timeout': -5}, 'api_timeout must be more than 0'),
    ('server_info', {'api_timeout': 3601}, 'api_timeout must be more than 0'),
    ('server_info', {'rate_limit_timeout': -1}, 'rate_limit_timeout must be 0 or more and at most 86400 seconds'),
    ('server_info', {'rate_limit_timeout': 10 ** 20}, 'rate_limit_timeout must be 0 or more'),
    ('server_info', {'api_url': 'ftp://app.flywp.com/api/v1'}, 'is not an http(s) URL'),
    ('server_info', {'api_url': 'http://10.0.0.1/api/v1'}, 'Refusing to send the FlyWP API token over plain http://'),
    ('server_info', {'api_token': '   '}, 'No FlyWP API token'),
    ('server_info', {'api_token': 'flywp-demo\n-token'}, 'The FlyWP API token holds a line break'),
    ('server_info', {'api_token': 't' * 1025}, 'api_token is 1025 characters long; at most 1024'),
])
def test_values_some_options_refuse(fleet, api, name, args, fragment):
    given = dict(api, **VALID[name])
    given.update(args)
    result = run_module(name, dict((key, value) for key, value in given.items() if value is not None))
    refused(fleet, result, fragment)


def test_a_nul_is_refused_before_ansible_logs_the_options(fleet, api, monkeypatch):
    """Ansible logs a module's options (to syslog) at the end of AnsibleModule.__init__, and on
    Python 3.12 and later it cannot log a NUL: ansible-core 2.16 raises, 2.17 and later fail with
    "Failed to log to syslog". On every Python, a NUL is refused with a sentence before that."""
    logged = []
    monkeypatch.setattr(basic.AnsibleModule, 'log', lambda self, msg, log_args=None: logged.append(msg))
    assert not run_module('cron_info', dict(api, **VALID['cron_info'])).get('failed')
    assert logged and logged[0].startswith('Invoked with')  # without this, the test below would prove nothing
    del logged[:]
    fleet.clear_requests()
    for name, args in (('cron_info', {'command': 'a\x00b'}), ('ssh_key', {'public_key': KEY + '\x00'}),
                       ('site', {'title': '\x00'})):
        refused(fleet, run_module(name, dict(api, **dict(VALID[name], **args))), 'holds')
    assert logged == []
