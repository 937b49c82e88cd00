#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ssh_key_info
short_description: List the SSH keys of a FlyWP server
version_added: 1.0.0
description:
  - Read the SSH keys FlyWP has put on one server, all of them or one by name or id.
  - The FlyWP API shows a key's name and SHA256 fingerprint; it may not show the public
    key itself. Compare a key file with C(ssh-keygen -lf key.pub).
  - Costs one request to read the server's keys; a server given by name costs one more,
    to list the servers, and a server given by id none.
author:
  - flywp.cloud contributors (@flywp)
options:
  server:
    description:
      - The server, by name or by id.
      - A string of digits is tried as an id first, then as a name, so a server named
        C(2024) is found too (see the I(server references) rule in the collection's docs).
      - The task fails when there is no such server.
    type: str
    required: true
  name:
    description:
      - Only the key with this name, compared without surrounding spaces.
    type: str
  id:
    description:
      - Only the key with this id (a string of digits).
      - The list is empty when there is none.
    type: str
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

from ansible_collections.flywp.cloud.plugins.module_utils.info import run_info_module
from ansible_collections.flywp.cloud.plugins.module_utils.resource_types import SSH_KEY


def main():
    run_info_module(SSH_KEY)


if __name__ == '__main__':
    main()
