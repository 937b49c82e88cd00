# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: api
short_description: Read any FlyWP API endpoint inside a template
version_added: 1.0.0
author:
  - flywp.cloud contributors (@flywp)
description:
  - Sends a V(GET) to each path given, on the controller, and returns the answer; with
    O(all_pages), every item of every page of a list.
  - The same client as the modules, with the same rate-limit budget (shared with the modules, the
    inventory and other playbooks on this controller through the same state file), the same
    retries, no redirect followed, and the same error sentences.
  - O(server) and O(site) are found as the modules find them, by name or id, and put in the
    path's placeholders C({server}) and C({site}) (see M(flywp.cloud.api)).
  - Secret fields of the answer (a field whose name holds C(password), C(token), C(secret) or
    C(private_key)) are never returned; to keep one, use M(flywp.cloud.api) with
    O(flywp.cloud.api#module:return_secrets=true) on a task with C(no_log).
  - It only reads. Writes belong in M(flywp.cloud.api) tasks, which check mode does not send.
  - In check mode it still reads, and finds only what exists; a server an earlier task of the
    check run would create is not found. Use M(flywp.cloud.api) with V(GET) for that.
  - Every path is checked before any request, as M(flywp.cloud.api) checks it.
options:
  _terms:
    description:
      - The paths to read, under O(api_url), such as C(/servers/{server}/sites).
    type: list
    elements: str
    required: true
  server:
    description: The server whose id goes in C({server}), by name or by id; with a domain in O(site), its server.
    type: str
  site:
    description: The site whose id goes in C({site}), by id, or by domain with O(server).
    type: str
  query:
    description: Parameters of the query string (text, numbers or booleans).
    type: dict
  all_pages:
    description:
      - Read every page of a list and return its items, all of them, in order (one request a page).
      - Without it, each path's answer is returned as FlyWP gave it (with its C(data) envelope, if
        it has one).
    type: bool
    default: false
  api_token:
    description:
      - A FlyWP API token with the C(Read) permission.
      - It is never shown in a result or an error message.
    type: str
    env:
      - name: FLYWP_API_TOKEN
  api_url:
    description: Base URL of the FlyWP API, including the C(/api/v1) path.
    type: str
    default: https://app.flywp.com/api/v1
    env:
      - name: FLYWP_API_URL
  api_timeout:
    description: Seconds to wait for the connection and for each part of an answer (a request ends after twice this at most).
    type: int
    default: 30
  validate_certs:
    description: Whether to verify the TLS certificate of the FlyWP API.
    type: bool
    default: true
  rate_limit_timeout:
    description: The most seconds to wait, in total, for the rate limit to clear before failing.
    type: int
    default: 300
requirements:
  - requests
seealso:
  - module: flywp.cloud.api
  - name: Any FlyWP endpoint
    description: The module and this lookup, with examples and what each costs (docs/any-endpoint.md in the collection).
    link: https://github.com/flywp/ansible-collection-flywp-cloud/blob/main/docs/any-endpoint.md
"""

EXAMPLES = r"""
- name: The domains of every site of web-1 (one request a page, and one to find web-1)
  ansible.builtin.debug:
    msg: "{{ query('flywp.cloud.api', '/servers/{server}/sites', server='web-1', all_pages=true) | map(attribute='domain') }}"

- name: One server, by id
  ansible.builtin.debug:
    msg: "{{ lookup('flywp.cloud.api', '/servers/12').data.name }}"
"""

RETURN = r"""
_raw:
  description:
    - Without O(all_pages), one answer a path, as FlyWP gave it, without its secret fields.
    - With O(all_pages), the items of every page of every path, without their secret fields.
  type: list
  elements: raw
"""

from urllib.parse import urlsplit

from ansible.errors import AnsibleError
from ansible.module_utils.common.text.converters import to_text
from ansible.plugins.lookup import LookupBase
from ansible.utils.display import Display

from ansible_collections.flywp.cloud.plugins.module_utils.client import HAS_REQUESTS, FlyWPClient
from ansible_collections.flywp.cloud.plugins.module_utils.errors import FlyWPError
from ansible_collections.flywp.cloud.plugins.module_utils.given_request import GivenRequest
from ansible_collections.flywp.cloud.plugins.module_utils.redaction import redact, secret_values, url_credentials
from ansible_collections.flywp.cloud.plugins.module_utils.references import References
from ansible_collections.flywp.cloud.plugins.module_utils.validation import InvalidInput

display = Display()


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        token, url = self.get_option('api_token'), self.get_option('api_url')
        try:
            return self._read(terms)
        except (FlyWPError, InvalidInput) as error:
            # A secret in the query may stand in the URL an error quotes.
            secrets = (token, *url_credentials(url), *secret_values(self.get_option('query') or {}))
            raise AnsibleError('flywp.cloud.api: %s' % redact(to_text(error), *secrets)) from None

    def _read(self, terms):
        if not HAS_REQUESTS:
            raise FlyWPError('the Python library requests is needed on the Ansible controller: pip install requests.')
        server, site = (None if value is None else to_text(value)
                        for value in (self.get_option('server'), self.get_option('site')))
        client = FlyWPClient(self.get_option('api_token'), url=self.get_option('api_url'),
                             timeout=self.get_option('api_timeout'), validate_certs=self.get_option('validate_certs'),
                             rate_limit_timeout=self.get_option('rate_limit_timeout'), warn=display.warning)
        # Every path is checked before the first request.
        requests = [GivenRequest(term, 'GET', query=self.get_option('query'), server=server, site=site,
                                 all_pages=self.get_option('all_pages'), api_path=urlsplit(client.base_url).path)
                    for term in (terms if isinstance(terms, list) else [terms])]
        references = References(client, warn=display.warning)
        results = []
        for request in requests:
            answer = request.on_ids(references, lambda ids, request=request: request.send(client, ids))
            if request.all_pages:
                results.extend(answer['all_items'])
            else:
                results.append(answer['json'])
        return results
