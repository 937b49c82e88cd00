# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""FlyWPModule: an AnsibleModule with the shared API options, the client, and one way of
turning FlyWP errors and bad input into task failures."""

from __future__ import annotations

import copy
import traceback

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.flywp.cloud.plugins.module_utils.client import (
    HAS_REQUESTS, REQUESTS_IMPORT_ERROR, FlyWPClient, check_connection_options, checked_token)
from ansible_collections.flywp.cloud.plugins.module_utils.errors import DEFAULT_API_URL, FlyWPAPIError, FlyWPError
from ansible_collections.flywp.cloud.plugins.module_utils.hints import CheckRunPredictions, ServerNames
from ansible_collections.flywp.cloud.plugins.module_utils.redaction import redact, url_credentials, url_for_messages
from ansible_collections.flywp.cloud.plugins.module_utils.resource import KeyIndex, converge, find_by_id, find_by_key
from ansible_collections.flywp.cloud.plugins.module_utils.resource_types import SERVER, SITE
from ansible_collections.flywp.cloud.plugins.module_utils.validation import (
    InvalidInput, domain, is_id, seconds_option, text_option)

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
        self._names = self._predictions = None
        super().__init__(argument_spec=dict(API_ARGUMENT_SPEC, **argument_spec), **kwargs)
        self._check_input()

    def _log_invocation(self):
        # Ansible logs the options at the end of AnsibleModule.__init__; one holding a NUL makes
        # that fail on Python 3.12 and later (ansible-core 2.16 raises, 2.17 and later fail
        # "Failed to log to syslog"). The checks come first, so it is refused as any bad input is.
        self._check_input()
        super()._log_invocation()

    def _check_input(self):
        if self._checked:
            return
        self._checked = True
        # Credentials written into api_url are never shown: the options Ansible shows (and logs)
        # have the URL without them, and any text that carries them has them masked.
        self._api_url = self.params.get('api_url')
        self.params['api_url'] = url_for_messages(self._api_url) if self._api_url else self._api_url
        self.no_log_values.update(url_credentials(self._api_url))
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
            self._client = FlyWPClient(
                self.params['api_token'], url=self._api_url, timeout=self.params['api_timeout'],
                validate_certs=self.params['validate_certs'], rate_limit_timeout=self.params['rate_limit_timeout'],
                warn=self.warn)
        return self._client

    @property
    def names(self):
        """The server name hints of this URL and token (hints.py)."""
        if self._names is None:
            self._names = ServerNames(self.client.state, clock=self.client.clock)
        return self._names

    @property
    def predictions(self):
        """What this check run would create (hints.py)."""
        if self._predictions is None:
            self._predictions = CheckRunPredictions(self.client.state, clock=self.client.clock, warn=self.warn)
        return self._predictions

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

    def on_server(self, ref, work, required=True):
        """work(server_id) on the server `ref` names, by the one rule of docs/development.md:

        A reference of digits is tried as an id first, at no cost: work's first request, under
        /servers/{id}, answers 404 when no server has that id, and then the reference is tried
        as a name (so a server named 2024 is found). Any other reference is a name
        (server_id_named).

        When there is no such server: fails if `required`, else returns work(None), which
        stands for "no server, so nothing on it".
        """
        ref = _reference(ref, 'server', self.check_mode)
        not_an_id = None
        if is_id(ref):
            try:
                return work(ref)
            except FlyWPAPIError as error:
                if not error.is_missing('server', ref):
                    raise
                not_an_id = error
        name = SERVER.key_value('name', ref)
        server_id = self.server_id_named(name)
        if server_id is not None:
            return work(server_id)
        if self.check_mode and self.predictions.is_predicted('server', name):
            self.warn('The FlyWP server %r does not exist yet: an earlier task of this check run would create it. '
                      'This task shows what it would do on it then.' % name)
            return work(None)
        if required and not_an_id:
            raise FlyWPError('%s. No server is named %r either: check the name or id.' % (str(not_an_id).rstrip('.'), ref),
                             result=not_an_id.result)
        if required:
            raise FlyWPError('There is no FlyWP server named %r: check the name or id.' % ref)
        return work(None)

    def server_id_named(self, name):
        """The id of the one server with this name, or None.

        A name remembered by an earlier task (hints.ServerNames) is only a hint: it is used
        when one request for that server confirms it (the name still matches, the server is
        not being deleted), so a renamed, rebuilt or deleted server never takes a write meant
        for another. Else the servers are listed, once, and every name the listing shows once
        is remembered for the later tasks.
        """
        remembered = self.names.recall(name)
        if remembered is not None:
            server = find_by_id(self.client, SERVER, remembered)
            if server is not None and not SERVER.is_gone(server) and SERVER.key_of_object(server) == (name,):
                return remembered
            self.names.forget(name)
        servers = [server for server in self.client.list(SERVER.endpoint('list')) if not SERVER.is_gone(server)]
        index = KeyIndex(SERVER, servers)
        self.names.remember(dict(
            (key[0], matches[0]['id']) for key, matches in index.by_key.items() if len(matches) == 1 and key[0]))
        server = index.only_match({'name': name})
        return server['id'] if server is not None else None

    def find_site(self, ref, server_ref, required):
        """The site given by id, or by domain on the server given by name or id; None if it
        (or its server) is gone and not required.

        A domain is never all digits, so a reference of digits is always a site id. The
        endpoints under /sites/{site_id} need nothing but the id, so an id is not looked up:
        the result is then only {'id': ...}, and a wrong id fails at the first request.
        """
        ref = _reference(ref, 'site', self.check_mode)
        if is_id(ref):
            return {'id': ref}
        name = domain(ref)
        if server_ref is None or not str(server_ref).strip():
            raise InvalidInput('server is required to find the site %r by its domain; or give the site id.' % ref)

        def site_on(server_id):
            return find_by_key(self.client, SITE, {'domain': name}, {'server_id': server_id}) if server_id else None

        site = self.on_server(server_ref, site_on, required)
        if site is None and self.check_mode and self.predictions.is_predicted('site', site_key(server_ref, name)):
            self.warn('The FlyWP site %r does not exist yet: an earlier task of this check run would create it. '
                      'This task shows what it would do on it then.' % name)
            return {'id': None}
        if site is None and required:
            raise FlyWPError('There is no FlyWP site %r on the server %r: check the domain, or give the site id.' % (
                name, server_ref))
        return site

    def ensure_state(self, rtype, items, parent=None, single=True, **options):
        """Run the resource state machine in this module's check mode; return the module result.

        A parent of None stands for one that does not exist: nothing is under it.
        """
        existing = options.pop('existing', None)
        if parent is not None and any(value is None for value in parent.values()):
            existing = []
        outcome = converge(self.client, rtype, items, parent=parent, check_mode=self.check_mode,
                           existing=existing, **options)
        for warning in outcome['warnings']:
            self.warn(warning)
        if single:
            return {'changed': outcome['changed'], rtype.name: _first(outcome['objects']),
                    'diff': {'before': _first(outcome['before']), 'after': _first(outcome['after'])}}
        return {'changed': outcome['changed'], rtype.plural: outcome['objects'],
                'diff': {'before': {rtype.plural: outcome['before']}, 'after': {rtype.plural: outcome['after']}}}


def site_key(server_ref, site_domain):
    """How a check run remembers a site it would create, for the tasks after it."""
    return '%s %s' % (SERVER.key_value('name', server_ref), SITE.key_value('domain', site_domain))


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


def _reference(ref, kind, check_mode=False):
    """A server or site reference as given, trimmed; blank ones are refused."""
    text = '' if ref is None else str(ref).strip()
    if not text:
        raise InvalidInput('%s must not be empty: give its %s or its id.%s' % (
            kind, 'name' if kind == 'server' else 'domain',
            ' In check mode a %s that an earlier task would create has no id yet: give its %s to let this task show '
            'what it would do.' % (kind, 'name' if kind == 'server' else 'domain') if check_mode else ''))
    return text


def _first(objects):
    return objects[0] if objects else {}
