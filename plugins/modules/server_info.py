#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: server_info
short_description: List FlyWP servers
version_added: 1.0.0
description:
  - Read the servers of the FlyWP account, all of them or those with a name, or one by id.
  - Listing costs one request for each page of up to 100 servers; O(id) costs one request.
author:
  - flywp.cloud contributors (@flywp)
options:
  name:
    description:
      - Only the servers with this name (usually one; every one when several share it).
      - Compared as the M(flywp.cloud.server) module does, without surrounding spaces.
    type: str
  id:
    description:
      - Only the server with this id, read with one request for it alone.
      - The list is empty when there is no server with this id.
      - With O(name) as well, the list is empty unless that server has that name.
    type: str
extends_documentation_fragment:
  - flywp.cloud.flywp
  - flywp.cloud.flywp.info
seealso:
  - module: flywp.cloud.server
  - module: flywp.cloud.site_info
  - name: The FlyWP inventory
    description: FlyWP servers as Ansible hosts (docs/inventory.md in the collection).
    link: https://github.com/flywp/ansible-collection-flywp-cloud/blob/main/docs/inventory.md
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
  returned: success
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

from ansible_collections.flywp.cloud.plugins.module_utils.info import run_info_module
from ansible_collections.flywp.cloud.plugins.module_utils.resource_types import SERVER


def main():
    run_info_module(SERVER)


if __name__ == '__main__':
    main()
