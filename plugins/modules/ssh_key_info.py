#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ssh_key_info
short_description: List the SSH keys of a FlyWP server
version_added: 0.1.0
description:
  - Read every SSH key FlyWP has put on one server.
  - The FlyWP API shows a key's name and SHA256 fingerprint; it may not show the public
    key itself. Compare a key file with C(ssh-keygen -lf key.pub).
  - Costs one request to read the server's keys; a server given by name costs one more,
    to list the servers, and a server given by id none.
author:
  - flywp.cloud contributors (@flywp)
options:
  server:
    description:
      - The server, by name or by id (a string of digits is taken as an id).
      - The task fails when there is no such server.
    type: str
    required: true
extends_documentation_fragment:
  - flywp.cloud.flywp
  - flywp.cloud.flywp.info
seealso:
  - module: flywp.cloud.ssh_key
"""

EXAMPLES = r"""
- name: Read the keys of a server
  flywp.cloud.ssh_key_info:
    server: web-1
  register: web_1_keys

- name: Check that the deploy key is the one in files/deploy.pub
  ansible.builtin.assert:
    that:
      - web_1_keys.ssh_keys | selectattr('name', 'equalto', 'deploy') | map(attribute='fingerprint') | first
        == lookup('ansible.builtin.pipe', 'ssh-keygen -lf files/deploy.pub').split()[1]
"""

RETURN = r"""
ssh_keys:
  description: The SSH keys of the server, as the FlyWP API lists them.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: The id of the key.
      type: int
      sample: 7
    name:
      description: The name of the key.
      type: str
      sample: deploy
    fingerprint:
      description: The SHA256 fingerprint of the public key, as C(ssh-keygen -lf) shows it.
      type: str
      sample: "SHA256:Dz2Q4wAfGc+MWtSLLkHbpjYJZ5y8qV+8cBXmnLJ/5Yw"
    created_at:
      description: When the key was added (ISO 8601).
      type: str
      sample: "2026-11-27T10:00:00.000000Z"
"""

from ansible_collections.flywp.cloud.plugins.module_utils.module import FlyWPModule
from ansible_collections.flywp.cloud.plugins.module_utils.resource_types import SSH_KEY


def read_keys(module):
    server = module.find_server(module.params['server'], required=True)
    keys = module.client.list(SSH_KEY.endpoint('list'), server_id=server['id'])
    return {'changed': False, SSH_KEY.plural: [SSH_KEY.public(key) for key in keys]}


def main():
    FlyWPModule(argument_spec=dict(server=dict(type='str', required=True))).run(read_keys)


if __name__ == '__main__':
    main()
