#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ssh_key
short_description: Manage the SSH keys of a FlyWP server
version_added: 1.0.0
description:
  - Add SSH public keys to a FlyWP server, replace them, or remove them.
  - Give one key with O(name) and O(public_key), or many at once with O(keys). The list
    form costs one request to read the server's keys whatever their number, where a loop
    over the single form costs one per key. Under the FlyWP rate limit of 60 requests a
    minute, prefer O(keys).
  - The FlyWP API may not echo a public key back, so keys are compared by their SHA256
    fingerprint.
  - The collection knows no FlyWP API endpoint that changes a key in place. A key whose
    public key differs is reported
    with a warning and left alone, unless O(force=true), which adds the new key and then
    removes the old one.
author:
  - flywp.cloud contributors (@flywp)
options:
  server:
    description:
      - The server, by name or by id (a string of digits is tried as an id first, then as a name).
      - By name, one request lists the servers to find it; by id, none.
    type: str
    required: true
  name:
    description:
      - The name of the key; it identifies the key on the server.
      - Mutually exclusive with O(keys).
    type: str
  public_key:
    description:
      - The OpenSSH public key, as in a C(.pub) file, for example C(ssh-ed25519 AAAA... user@host).
      - Required with O(name) when O(state=present).
    type: str
  keys:
    description:
      - Many keys at once, instead of O(name) and O(public_key).
      - With O(state=absent), only the names matter.
    type: list
    elements: dict
    suboptions:
      name:
        description: The name of the key.
        type: str
        required: true
      public_key:
        description: The OpenSSH public key; required when O(state=present).
        type: str
  exclusive:
    description:
      - With O(state=present), also remove every key of the server that is not listed in
        O(keys) (or is not O(name)).
    type: bool
    default: false
  force:
    description:
      - Replace a key whose public key differs from O(public_key); that adds the new key, then
        remove the old one.
    type: bool
    default: false
  state:
    description:
      - Whether the keys should be on the server.
      - V(absent) is satisfied when the server itself is gone.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - flywp.cloud.flywp
  - flywp.cloud.flywp.state
seealso:
  - module: flywp.cloud.ssh_key_info
"""

EXAMPLES = r"""
- name: Let the deploy user in
  flywp.cloud.ssh_key:
    server: web-1
    name: deploy
    public_key: "{{ lookup('ansible.builtin.file', 'files/deploy.pub') }}"

- name: Exactly these keys on the server, in one request to read them
  flywp.cloud.ssh_key:
    server: web-1
    keys:
      - name: alice
        public_key: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGmv4CuxY0hNe1FAI4xqv5TSUiwFQFMr6BBS6cVTWP/t alice@laptop
      - name: ci
        public_key: "{{ ci_public_key }}"
    exclusive: true

- name: Rotate a key
  flywp.cloud.ssh_key:
    server: web-1
    name: deploy
    public_key: "{{ new_deploy_key }}"
    force: true

- name: Remove a key
  flywp.cloud.ssh_key:
    server: web-1
    name: old-laptop
    state: absent
"""

RETURN = r"""
ssh_key:
  description:
    - The key with O(name), as the FlyWP API shows it.
    - With O(state=absent), the key that was removed (in check mode, that would be); empty when there was none.
  returned: success, when O(name) is given
  type: dict
  sample: {"id": 7, "name": "deploy", "fingerprint": "SHA256:Dz2Q4wAfGc+MWtSLLkHbpjYJZ5y8qV+8cBXmnLJ/5Yw", "created_at": "2026-11-27T10:00:00Z"}
ssh_keys:
  description:
    - With O(state=present), the listed keys as the FlyWP API shows them, in the order of O(keys).
    - With O(state=absent), the keys that were removed.
  returned: success, when O(keys) is given
  type: list
  elements: dict
  sample: [{"id": 7, "name": "deploy", "fingerprint": "SHA256:Dz2Q4wAfGc+MWtSLLkHbpjYJZ5y8qV+8cBXmnLJ/5Yw"}]
"""

from ansible_collections.flywp.cloud.plugins.module_utils.module import FlyWPModule
from ansible_collections.flywp.cloud.plugins.module_utils.resource_types import SSH_KEY
from ansible_collections.flywp.cloud.plugins.module_utils.results import ensure_on_server


def main():
    key_options = dict(name=SSH_KEY.option('name', required=True), public_key=SSH_KEY.option('public_key', no_log=False))
    FlyWPModule(
        argument_spec=dict(
            server=dict(type='str', required=True),
            name=SSH_KEY.option('name'),
            public_key=SSH_KEY.option('public_key', no_log=False),
            keys=dict(type='list', elements='dict', options=key_options, no_log=False),
            exclusive=dict(type='bool', default=False),
            force=dict(type='bool', default=False),
            state=dict(type='str', choices=['present', 'absent'], default='present'),
        ),
        mutually_exclusive=[('name', 'keys')],
        required_one_of=[('name', 'keys')],
    ).run(lambda module: ensure_on_server(
        module, SSH_KEY, 'keys', exclusive=module.params['exclusive'], force=module.params['force']))


if __name__ == '__main__':
    main()
