# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""FlyWPModule: an AnsibleModule with the shared API options, the client, and one way of
turning FlyWP errors and bad input into task failures.

What a module does with the client lives beside it: references.py finds the servers and
sites a task names, results.py runs the state machine and shapes what a task returns.
"""

from __future__ import annotations

import copy
import traceback

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.flywp.cloud.plugins.module_utils.client import (
    HAS_REQUESTS, REQUESTS_IMPORT_ERROR, FlyWPClient, check_connection_options, checked_token)
from ansible_collections.flywp.cloud.plugins.module_utils.errors import DEFAULT_API_URL, FlyWPError
from ansible_collections.flywp.cloud.plugins.module_utils.job import job_pid, sleep_within_job
from ansible_collections.flywp.cloud.plugins.module_utils.redaction import (
    redact, secret_forms, secret_values, url_credentials, url_for_messages, without_secrets)
from ansible_collections.flywp.cloud.plugins.module_utils.validation import InvalidInput, seconds_option, text_option

API_ARGUMENT_SPEC = dict(
    # Not required here: the client refuses a missing token with the one documented sentence,
    # and ansible-lint (run where no token is set) then still reports a task's real mistakes.
    api_token=dict(type='str', no_log=True, fallback=(env_fallback, ['FLYWP_API_TOKEN'])),
    api_url=dict(type='str', default=DEFAULT_API_URL, fallback=(env_fallback, ['FLYWP_API_URL'])),
    api_timeout=dict(type='int', default=30),
    validate_certs=dict(type='bool', default=True),
    rate_limit_timeout=dict(type='int', default=300),
)

WAIT_ARGUMENT_SPEC = dict(
    wait=dict(type='bool', default=True),
    wait_timeout=dict(type='int', default=600),
)
MAX_WAIT_TIMEOUT = 86400

BUG = ('Unexpected %s in the flywp.cloud collection: %s. This is a bug in the collection, not in your playbook or '
       'the FlyWP API; please report it with the traceback in the `exception` field of this result (shown with -vvv; '
       'from ansible-core 2.19 on, with ANSIBLE_DISPLAY_TRACEBACK=error).')


class FlyWPModule(AnsibleModule):
    """Usage: FlyWPModule(argument_spec=...).run(work), where work(module) returns the result."""

    def __init__(self, argument_spec, **kwargs):
        kwargs.setdefault('supports_check_mode', True)
        self._given = {}
        self._client = None
        self._checked = False
        super().__init__(argument_spec=dict(API_ARGUMENT_SPEC, **argument_spec), **kwargs)
        self._check_input()

    def _log_invocation(self):
        # Ansible logs the options at the end of AnsibleModule.__init__; one holding a NUL makes
        # that fail on Python 3.12 and later (ansible-core 2.16 raises, 2.17 and later fail
        # "Failed to log to syslog"). The checks come first, so it is refused as any bad input is.
        self._check_input()
        # A secret field inside a mapping option (flywp.cloud.api's body) is left out of the log:
        # cores from 2.22 on mask a log by the no_log options alone, not by the values hidden.
        given = self.params
        self.params = dict((name, without_secrets(value)) for name, value in given.items())
        try:
            super()._log_invocation()
        finally:
            self.params = given

    def _check_input(self):
        if self._checked:
            return
        self._checked = True
        # Credentials written into api_url are never shown: the options Ansible shows (and logs)
        # have the URL without them, and any text that carries them has them masked.
        self._api_url = self.params.get('api_url')
        self.params['api_url'] = url_for_messages(self._api_url) if self._api_url else self._api_url
        self.no_log_values.update(url_credentials(self._api_url))
        # A secret field inside a mapping option (flywp.cloud.api's body) is hidden as a no_log
        # option is: not logged, and masked in the invocation a result shows.
        # Each in every spelling: Ansible logs a mapping as Python writes it (a backslash doubled).
        for value in self.params.values():
            for secret in secret_values(value) if isinstance(value, (dict, list)) else ():
                self.no_log_values.update(secret_forms(secret))
        if not HAS_REQUESTS:
            self.fail_json(msg=missing_required_lib('requests'), exception=REQUESTS_IMPORT_ERROR)
        # Every option of every module, checked here before any request.
        try:
            _check_text_options(self.argument_spec, self._given)
            seconds_option('wait_timeout', self.params.get('wait_timeout'), 0, MAX_WAIT_TIMEOUT)
            checked_token(self.params['api_token'])
            check_connection_options(self.params['api_timeout'], self.params['rate_limit_timeout'])
        except (InvalidInput, FlyWPError) as error:
            self.fail_json(msg=self._redact(str(error)))

    def _load_params(self):
        super()._load_params()
        # The options as given, before the argument spec converts them: Ansible's str type
        # turns a list into "['a', 'b']", and that must be refused, not sent.
        self._given = copy.deepcopy(self.params)

    @property
    def client(self):
        if self._client is None:
            job = job_pid()
            self._client = FlyWPClient(
                self.params['api_token'], url=self._api_url, timeout=self.params['api_timeout'],
                validate_certs=self.params['validate_certs'], rate_limit_timeout=self.params['rate_limit_timeout'],
                warn=self.warn, **({'sleep': sleep_within_job(job)} if job else {}))
        return self._client

    def run(self, work):
        """exit_json with work(self)'s result, or fail_json with a sentence: for bad input, for a
        FlyWP error, and for anything else, which is a bug of the collection (traceback in
        `exception`). A failure after a write the API carried out (or may have) reports a change."""
        try:
            self.exit_json(**work(self))
        except InvalidInput as error:
            if error.secret:
                self.no_log_values.add(error.secret)  # a private key pasted as a public one
            self.fail_json(msg=self._redact(str(error)), changed=self._wrote())
        except FlyWPError as error:
            result = dict(error.result)
            result['changed'] = bool(result.get('changed')) or self._wrote()
            self.fail_json(msg=self._redact(str(error)), **result)
        except Exception as error:  # pylint: disable=broad-except
            self.fail_json(msg=self._redact(BUG % (type(error).__name__, str(error)[:500])),
                           exception=self._redact(traceback.format_exc()), changed=self._wrote())

    def _wrote(self):
        return self._client is not None and self._client.writes > 0

    def _redact(self, text):
        if not getattr(self, 'params', None):
            return text
        return redact(text, self.params.get('api_token'), *url_credentials(getattr(self, '_api_url', None)))


def _check_text_options(spec, given, path=''):
    """text_option() for every str option (and str element, and suboption) as given."""
    for name, option in spec.items():
        value = given.get(name) if isinstance(given, dict) else None
        if value is None:
            continue
        kind, label = option.get('type', 'str'), path + name
        if kind == 'str':
            text_option(label, value, field=name)
        elif kind == 'list' and isinstance(value, list):
            for index, item in enumerate(value, start=1):
                if option.get('options') and isinstance(item, dict):
                    _check_text_options(option['options'], item, '%s[%d].' % (label, index))
                elif option.get('elements') == 'str':
                    text_option('%s[%d]' % (label, index), item, field=name)
        elif kind == 'dict' and option.get('options') and isinstance(value, dict):
            _check_text_options(option['options'], value, label + '.')
