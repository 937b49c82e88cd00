#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: server
short_description: Create and delete FlyWP servers
version_added: 1.0.0
description:
  - Create a FlyWP server on a cloud provider, or delete one.
  - A server is found by its O(name), with one request that lists the servers, or by its
    O(id), with one request for that server alone.
  - The collection knows no FlyWP API endpoint that changes a server in place. When the
    server exists with another O(provider), O(region), O(size) or O(os), the task warns and
    leaves it as it is; it never deletes a server to change it. If the FlyWP dashboard can
    change it (a server's size, say), M(flywp.cloud.api) can send that request
    (docs/any-endpoint.md).
  - A new server goes through C(creating) and C(provisioning) to C(ready), which takes
    minutes. With O(wait=true) the task polls it until it is C(ready), starting after a
    second and spacing the polls out up to 15 seconds, so a long wait costs a few
    requests a minute of the FlyWP rate limit (60 a minute).
author:
  - flywp.cloud contributors (@flywp)
options:
  name:
    description:
      - The name of the server; it identifies the server among the account's servers.
      - Required unless O(id) is given.
      - When two servers have this name the task fails and asks for the O(id).
    type: str
  id:
    description:
      - The id of an existing server, instead of or besides O(name).
      - A server is never created from an id; with O(state=present) an id that does not
        exist fails the task.
      - With O(name) as well, the server with this id must have that name.
    type: str
  provider:
    description:
      - The cloud provider the server is created on. V(custom) is a server of your own
        that FlyWP connects to.
      - If not set on creation, the FlyWP API chooses (the simulator takes V(custom)).
    type: str
    choices: [digitalocean, vultr, hetzner, aws, akamai, custom]
  region:
    description:
      - The provider's region for the server, in the provider's own spelling, for
        example C(nyc3) on DigitalOcean or C(fsn1) on Hetzner.
    type: str
  size:
    description:
      - The provider's size (plan) for the server, in the provider's own spelling, for
        example C(s-1vcpu-1gb) on DigitalOcean.
    type: str
  os:
    description:
      - The operating system of the server.
      - If not set on creation, the FlyWP API chooses (the simulator takes V(ubuntu-24.04)).
    type: str
    choices: [ubuntu-22.04, ubuntu-24.04]
  state:
    description:
      - Whether the server should exist.
      - V(absent) deletes the server, and with it every site, database, SSH key and cron
        job on it. It is satisfied, unchanged, when the server is already gone.
    type: str
    choices: [present, absent]
    default: present
  wait:
    description:
      - With O(state=present), wait until the server is C(ready).
      - A server that ends C(failed) fails the task, with the server in the result.
      - With V(false), a new server is returned as the API shows it right after the
        request, usually C(creating).
    type: bool
    default: true
  wait_timeout:
    description:
      - The most seconds to wait for the server to be C(ready) with O(wait=true).
      - When it passes, the task fails; the server goes on being set up in FlyWP, and the
        task can be run again to wait for it.
      - From 0 to 86400 (a day); anything else is refused before any request.
    type: int
    default: 600
extends_documentation_fragment:
  - flywp.cloud.flywp
  - flywp.cloud.flywp.state
seealso:
  - module: flywp.cloud.server_info
  - module: flywp.cloud.site
"""

EXAMPLES = r"""
- name: A server on DigitalOcean, ready for sites
  flywp.cloud.server:
    name: web-1
    provider: digitalocean
    region: nyc3
    size: s-1vcpu-1gb
    os: ubuntu-24.04
  register: web_1

- name: Show its address
  ansible.builtin.debug:
    msg: "{{ web_1.server.ip_address }}"

- name: Ask for several servers without waiting, then wait for them all
  flywp.cloud.server:
    name: "{{ item }}"
    provider: hetzner
    region: fsn1
    size: cx22
    wait: false
  loop: [web-2, web-3]

- name: Wait for them (one request a server once they are ready)
  flywp.cloud.server:
    name: "{{ item }}"
    wait_timeout: 900
  loop: [web-2, web-3]

- name: Delete a server, with everything on it
  flywp.cloud.server:
    name: old-web
    state: absent

- name: Two servers have the same name; delete the one with this id
  flywp.cloud.server:
    id: "42"
    state: absent
"""

RETURN = r"""
server:
  description:
    - The server as the FlyWP API shows it; after a wait, as it was when it became C(ready).
    - In check mode, a server that would be created shows the given options and an C(id) of V(null).
    - With O(state=absent), the server that was deleted (in check mode, that would be);
      empty when there was none.
    - Also returned when the task fails while waiting, because the server ended C(failed),
      disappeared, or the wait timed out.
  returned: success, and when the task fails while waiting for the server
  type: dict
  contains:
    id:
      description: The server's id.
      type: int
      sample: 12
    name:
      description: The server's name.
      type: str
      sample: web-1
    status:
      description: V(creating), V(provisioning), V(ready) or V(failed).
      type: str
      sample: ready
    provider:
      description: The cloud provider.
      type: str
      sample: digitalocean
    region:
      description: The provider's region.
      type: str
      sample: nyc3
    size:
      description: The provider's size.
      type: str
      sample: s-1vcpu-1gb
    os:
      description: The operating system.
      type: str
      sample: ubuntu-24.04
    ip_address:
      description: The public IPv4 address, once the provider has given one.
      type: str
      sample: 203.0.113.12
    php_versions:
      description: The PHP versions installed on the server.
      type: list
      elements: str
      sample: ["8.1", "8.2", "8.3"]
    created_at:
      description: When the server was created, in ISO 8601.
      type: str
      sample: "2026-11-27T10:00:00.000000Z"
"""

from ansible_collections.flywp.cloud.plugins.module_utils.module import WAIT_ARGUMENT_SPEC, FlyWPModule
from ansible_collections.flywp.cloud.plugins.module_utils.references import References
from ansible_collections.flywp.cloud.plugins.module_utils.resource import object_by_id
from ansible_collections.flywp.cloud.plugins.module_utils.resource_types import SERVER
from ansible_collections.flywp.cloud.plugins.module_utils.results import ensure_one
from ansible_collections.flywp.cloud.plugins.module_utils.validation import InvalidInput, is_id


def ensure_server(module):
    params = module.params
    present = params['state'] == 'present'
    item = SERVER.item(params, present) if params['name'] is not None else None
    existing = None
    if params['id'] is not None:
        server_id = params['id'].strip()
        if not is_id(server_id):
            raise InvalidInput('id %r: expected the id of a server, a string of digits.' % params['id'])
        # One request for that server alone, not a list of every server.
        existing = object_by_id(module.client, SERVER, server_id, item and item['name'], present)
        if not existing:
            return {'changed': False, 'server': {}}
        item = item or SERVER.item(dict(params, name=existing[0].get('name')), present)
    return ensure_one(module, SERVER, item, References.of(module).account, existing=existing, state=params['state'],
                      wait=params['wait'], wait_timeout=params['wait_timeout'])


def main():
    FlyWPModule(
        argument_spec=dict(
            WAIT_ARGUMENT_SPEC,
            name=dict(type='str'),
            id=dict(type='str'),
            provider=SERVER.option('provider'),
            region=SERVER.option('region'),
            size=SERVER.option('size'),
            os=SERVER.option('os'),
            state=dict(type='str', choices=['present', 'absent'], default='present'),
        ),
        required_one_of=[('name', 'id')],
    ).run(ensure_server)


if __name__ == '__main__':
    main()
