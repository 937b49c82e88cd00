# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""FlyWPModule: an AnsibleModule with the shared API options, the client, and one way of
turning FlyWP errors and bad input into task failures."""

from __future__ import annotations

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.flywp.cloud.plugins.module_utils.api import (
    DEFAULT_API_URL, HAS_REQUESTS, REQUESTS_IMPORT_ERROR, FlyWPClient, FlyWPError)
from ansible_collections.flywp.cloud.plugins.module_utils.resource import converge, lookup
from ansible_collections.flywp.cloud.plugins.module_utils.resource_types import SERVER, SITE
from ansible_collections.flywp.cloud.plugins.module_utils.validation import InvalidInput, domain

API_ARGUMENT_SPEC = dict(
    api_token=dict(type='str', required=True, no_log=True, fallback=(env_fallback, ['FLYWP_API_TOKEN'])),
    api_url=dict(type='str', default=DEFAULT_API_URL, fallback=(env_fallback, ['FLYWP_API_URL'])),
    api_timeout=dict(type='int', default=30),
    validate_certs=dict(type='bool', default=True),
    rate_limit_timeout=dict(type='int', default=300),
)

WAIT_ARGUMENT_SPEC = dict(
    wait=dict(type='bool', default=True),
    wait_timeout=dict(type='int', default=600),
)


class FlyWPModule(AnsibleModule):
    """Usage: FlyWPModule(argument_spec=...).run(work), where work(module) returns the result."""

    def __init__(self, argument_spec, **kwargs):
        kwargs.setdefault('supports_check_mode', True)
        super().__init__(argument_spec=dict(API_ARGUMENT_SPEC, **argument_spec), **kwargs)
        if not HAS_REQUESTS:
            self.fail_json(msg=missing_required_lib('requests'), exception=REQUESTS_IMPORT_ERROR)
        if (self.params.get('wait_timeout') or 0) < 0:
            self.fail_json(msg='wait_timeout must be 0 or more seconds.')
        self._client = None

    @property
    def client(self):
        if self._client is None:
            self._client = FlyWPClient(
                self.params['api_token'], url=self.params['api_url'], timeout=self.params['api_timeout'],
                validate_certs=self.params['validate_certs'], rate_limit_timeout=self.params['rate_limit_timeout'])
        return self._client

    def run(self, work):
        try:
            self.exit_json(**work(self))
        except InvalidInput as error:
            self.fail_json(msg=str(error))
        except FlyWPError as error:
            self.fail_json(msg=str(error), **error.result)

    def find_server(self, ref, required):
        """The server a child resource lives on, given by name or id; None if it is gone and
        not required.

        An id is not looked up: the child endpoints need nothing but the id, and the request
        under /servers/{id} that follows answers 404 when there is no such server (which the
        client reports as such, and converge() takes as "nothing there" for state=absent).
        The result is then only {'id': ...}. A name costs one list of the servers.
        """
        ref = str(ref).strip()
        if ref.isdigit():
            return {'id': ref}
        server = lookup(self.client, SERVER, ref)
        if server is None and required:
            raise FlyWPError('There is no FlyWP server named %r: check the name or id.' % ref)
        return server

    def find_site(self, ref, server_ref, required):
        """The site given by id, or by domain on the server given by name or id; None if it
        (or its server) is gone and not required.

        The endpoints under /sites/{site_id} need nothing but the id, so an id is not looked
        up: the result is then only {'id': ...}, and a wrong id fails at the first request.
        """
        ref = str(ref).strip()
        if ref.isdigit():
            return {'id': ref}
        name = domain(ref)
        if not server_ref:
            raise InvalidInput('server is required to find the site %r by its domain; or give the site id.' % ref)
        server = self.find_server(server_ref, required)
        site = lookup(self.client, SITE, name, {'server_id': server['id']}) if server else None
        if site is None and required:
            raise FlyWPError('There is no FlyWP site %r on the server %r: check the domain, or give the site id.' % (
                name, server_ref))
        return site

    def converge(self, rtype, items, parent=None, single=True, **options):
        """Run the state machine in this module's check mode; return the module result."""
        outcome = converge(self.client, rtype, items, parent=parent, check_mode=self.check_mode, **options)
        for warning in outcome['warnings']:
            self.warn(warning)
        if single:
            return {'changed': outcome['changed'], rtype.name: _first(outcome['objects']),
                    'diff': {'before': _first(outcome['before']), 'after': _first(outcome['after'])}}
        return {'changed': outcome['changed'], rtype.plural: outcome['objects'],
                'diff': {'before': {rtype.plural: outcome['before']}, 'after': {rtype.plural: outcome['after']}}}


def _first(objects):
    return objects[0] if objects else {}
