#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: api
short_description: Send any request to the FlyWP API, with names, check mode and the shared rate limit
version_added: 1.0.0
description:
  - Send one request to any endpoint of the FlyWP API, such as an action of the FlyWP dashboard
    that has no module of its own in this collection (a site's PHP version, a cache to clear, a
    database whose password you need).
  - It keeps what every module of the collection does. Requests share one rate-limit budget with
    the other modules, the inventory and the lookup (60 a minute per token); a C(429) is waited
    out as the API says. A write (V(POST), V(PUT), V(PATCH), V(DELETE)) is sent once, never again
    after a lost answer or a C(5xx), as the module cannot know what repeating it would do (a
    V(GET) is tried again after a C(502), C(503) or C(504)). A redirect is never followed. Secret fields of the answer
    are dropped, the token never shows, and an error is a sentence that says what to do.
  - O(server) and O(site) are found as every module finds them, by name or id, and put in the
    path's placeholders C({server}) and C({site}). They cost what they cost the other modules; a
    server by id nothing, by name one listing of the servers (or one request to confirm a name an
    earlier task found); a site by id nothing, by domain one listing of its server's sites.
  - Use a typed module where there is one (M(flywp.cloud.server), M(flywp.cloud.site), and the
    others), which finds what exists and changes only what differs. This module sends what it is given; make a
    write idempotent with a V(GET) first and C(when), or with C(changed_when) (docs/any-endpoint.md).
  - The FlyWP API overview lists few endpoints (docs/api-contract.md). The path of any other
    action is yours to confirm with FlyWP; a C(404) or C(405) to it says the action may not be
    available in your FlyWP API version.
author:
  - flywp.cloud contributors (@flywp)
options:
  path:
    description:
      - The path of the endpoint under O(api_url), such as C(/servers/{server}/sites); never a
        whole URL, and without O(api_url)'s own C(/api/v1).
      - It may hold the placeholders C({server}) and C({site}), each a whole segment of the path,
        filled with the id of O(server) and of O(site).
      - Checked before any request, with a message that says what to write instead. It must start
        with C(/) and hold no scheme or host, no C(..), no empty segment or trailing C(/), no
        space, and no C(?) or C(#) (give parameters in O(query)). Any other placeholder than
        C({server}) and C({site}) is refused, and so is a placeholder whose option is not given.
    type: str
    required: true
  method:
    description:
      - The HTTP method.
      - V(GET) runs in check mode too; the other methods are writes, which check mode does not send.
    type: str
    choices: [GET, POST, PUT, PATCH, DELETE]
    default: GET
  body:
    description:
      - The fields to send, as a JSON object. Not with V(GET).
      - A body that is not a mapping, or holds a value JSON cannot carry, is refused before any
        request.
      - The result's RV(request) shows it without its secret fields (a field whose name holds
        C(password), C(token), C(secret) or C(private_key)), and their values are hidden as those
        of a C(no_log) option are, in the logs and in the invocation a result shows.
    type: raw
  query:
    description:
      - Parameters of the query string, a mapping such as C(per_page) to C(50). Values are text,
        numbers or booleans (sent as C(true) or C(false)).
      - With O(all_pages), C(page) and C(per_page) are set on every page and may not be given.
    type: dict
  server:
    description:
      - The server whose id goes in C({server}), by name or by id (a string of digits is tried as
        an id first; when a V(GET) under it answers that no server has that id, as a name).
      - Also the server to find O(site) on when O(site) is a domain.
      - Given without C({server}) in O(path) for anything else, it is refused, as it would be unused.
      - In check mode, a server an earlier task of the same run would create has no id yet; the
        task warns, and a write shows its path with C({server NAME, not made yet}) where the id
        would go.
    type: str
  site:
    description:
      - The site whose id goes in C({site}), by id, or by domain with O(server).
      - Given without C({site}) in O(path), it is refused.
    type: str
  all_pages:
    description:
      - For a V(GET) of a list, read every page (C(page) and C(per_page=100) on each), as the
        collection's other modules read lists, following the API's C(meta) or C(links.next), and
        return every item in RV(all_items). Items need not be objects with an id.
      - Each page is one request of the rate limit.
    type: bool
    default: false
  status_code:
    description:
      - The statuses that count as success. By default any C(2xx).
      - An answer of another status fails the task, with the collection's message for it and
        C(failure). A C(4xx) or C(5xx) listed here returns the answer instead, for instance
        V(404) to read whether something exists.
      - A redirect (C(3xx)) is never followed nor taken for success, and a C(429) is always waited
        out; neither may be listed. With O(all_pages), only C(2xx).
    type: list
    elements: int
  return_secrets:
    description:
      - Keep the answer's secret fields in RV(json), such as the password FlyWP shows once, in the
        answer that creates a database.
      - "Set C(no_log: true) on the task: the result then shows nowhere, and a registered variable
        still holds it. Without C(no_log) the task warns."
      - The API token is redacted from the answer all the same.
    type: bool
    default: false
extends_documentation_fragment:
  - flywp.cloud.flywp
  - flywp.cloud.flywp.info
attributes:
  check_mode:
    description: Can run in check mode and return changed status prediction without modifying target.
    support: full
    details:
      - A V(GET) is sent. A write is not; the task reports C(changed) and what would be sent.
notes:
  - C(changed) is V(false) for a V(GET) and V(true) for a write FlyWP answered with C(2xx); use
    C(changed_when) to say more, for instance from RV(json).
seealso:
  - module: flywp.cloud.site
  - module: flywp.cloud.database
  - name: Any FlyWP endpoint
    description: When to use flywp.cloud.api, idempotent writes, examples of dashboard actions and what
      each costs (docs/any-endpoint.md in the collection).
    link: https://github.com/flywp/ansible-collection-flywp-cloud/blob/main/docs/any-endpoint.md
"""

EXAMPLES = r"""
- name: Every site of a server, every page
  flywp.cloud.api:
    path: /servers/{server}/sites
    server: web-1
    all_pages: true
  register: sites

- name: Does the server with id 12 exist?
  flywp.cloud.api:
    path: /servers/12
    status_code: [200, 404]
  register: found

# A path FlyWP's overview does not list: confirm it with FlyWP (docs/any-endpoint.md).
- name: The PHP version of a site, changed only when it differs
  flywp.cloud.api:
    path: /servers/{server}/sites/{site}
    method: PATCH
    server: web-1
    site: example.com
    body:
      php_version: "8.3"
  when: sites.all_items | selectattr('domain', 'equalto', 'example.com') | rejectattr('php_version', 'equalto', '8.3') | list

- name: A database, and the password FlyWP shows once
  flywp.cloud.api:
    path: /servers/{server}/databases
    method: POST
    server: web-1
    body:
      name: reports
    return_secrets: true
  no_log: true
  register: database
"""

RETURN = r"""
request:
  description:
    - The request as it was sent, or in check mode would be sent.
    - C(path) has the ids in it; one of an object an earlier task of this check run would create
      shows as C({server NAME, not made yet}). C(body) is without its secret fields.
  returned: success
  type: dict
  contains:
    method:
      description: The method.
      type: str
      sample: PATCH
    path:
      description: The path, with the ids of O(server) and O(site).
      type: str
      sample: /servers/12/sites/34
    query:
      description: The query parameters, as sent (text); null when there are none.
      type: dict
      sample: null
    body:
      description: The body, without its secret fields; null when there is none.
      type: dict
      sample: {"php_version": "8.3"}
status:
  description:
    - The status of the answer; with O(all_pages), of the last page's.
    - Not returned for a write in check mode, nor for a request under an object a check run
      would create, as neither is sent.
  returned: when the request was sent
  type: int
  sample: 200
json:
  description:
    - The answer as FlyWP gave it (with its C(data) envelope, if it has one), without its secret
      fields unless O(return_secrets); null for an empty one.
    - With O(all_pages), the last page's answer.
  returned: when the request was sent
  type: raw
  sample: {"data": {"id": 34, "server_id": 12, "domain": "example.com", "php_version": "8.3"}}
all_items:
  description: With O(all_pages), every item of every page, in order, without their secret fields.
  returned: when O(all_pages) is given
  type: list
  elements: raw
  sample: [{"id": 34, "domain": "example.com"}]
"""

from ansible_collections.flywp.cloud.plugins.module_utils.given_request import METHODS, module_result
from ansible_collections.flywp.cloud.plugins.module_utils.module import FlyWPModule


def main():
    FlyWPModule(
        argument_spec=dict(
            path=dict(type='str', required=True),
            method=dict(type='str', choices=list(METHODS), default='GET'),
            body=dict(type='raw'),
            query=dict(type='dict'),
            server=dict(type='str'),
            site=dict(type='str'),
            all_pages=dict(type='bool', default=False),
            status_code=dict(type='list', elements='int'),
            return_secrets=dict(type='bool', default=False),
        ),
    ).run(module_result)


if __name__ == '__main__':
    main()
