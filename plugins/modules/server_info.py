#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: server_info
short_description: List FlyWP servers
version_added: 0.1.0
description:
  - Read the servers of the FlyWP account, all of them or those with a name, or one by id.
  - Listing costs one request for each page of up to 100 servers; O(id) costs one request.
author:
  - flywp.cloud contributors (@flywp)
options:
  name:
    description:
      - Only the servers with this name (usually one; every one when several share it).
      - Mutually exclusive with O(id).
    type: str
  id:
    description:
      - Only the server with this id, read with one request for it alone.
      - The list is empty when there is no server with this id.
      - Mutually exclusive with O(name).
    type: str
extends_documentation_fragment:
  - flywp.cloud.flywp
  - flywp.cloud.flywp.info
seealso:
  - module: flywp.cloud.server
  - module: flywp.cloud.site_info
"""

EXAMPLES = r"""
- name: Every server of the account
  flywp.cloud.server_info:
  register: flywp

- name: The names of the servers that are ready
  ansible.builtin.debug:
    msg: "{{ flywp.servers | selectattr('status', 'equalto', 'ready') | map(attribute='name') | list }}"

- name: One server by name
  flywp.cloud.server_info:
    name: web-1
  register: web_1

- name: Fail unless it exists
  ansible.builtin.assert:
    that: web_1.servers | length == 1
"""

RETURN = r"""
servers:
  description:
    - The servers as the FlyWP API shows them, in the order of the API.
    - Empty when none matches.
  returned: always
  type: list
  elements: dict
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

from ansible_collections.flywp.cloud.plugins.module_utils.module import FlyWPModule
from ansible_collections.flywp.cloud.plugins.module_utils.resource import lookup
from ansible_collections.flywp.cloud.plugins.module_utils.resource_types import SERVER
from ansible_collections.flywp.cloud.plugins.module_utils.validation import InvalidInput


def read_servers(module):
    params = module.params
    if params['id'] is not None:
        if not params['id'].strip().isdigit():
            raise InvalidInput('id %r: expected the id of a server, a string of digits.' % params['id'])
        server = lookup(module.client, SERVER, params['id'])
        return {'changed': False, 'servers': [server] if server else []}
    servers = module.client.list(SERVER.endpoint('list'))
    if params['name'] is not None:
        servers = [server for server in servers if server.get('name') == params['name']]
    return {'changed': False, 'servers': servers}


def main():
    FlyWPModule(
        argument_spec=dict(
            name=dict(type='str'),
            id=dict(type='str'),
        ),
        mutually_exclusive=[('name', 'id')],
    ).run(read_servers)


if __name__ == '__main__':
    main()
