#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: backup_info
short_description: List the backups of a FlyWP site
version_added: 1.0.0
description:
  - Read the backups of one FlyWP site, in any status, all of them or those of a type or with an id.
  - The site is given by id, which costs one request in all, or by domain together with
    O(server), which costs one more to read the server's sites, and another to list the
    servers when O(server) is a name (a server id costs none).
author:
  - flywp.cloud contributors (@flywp)
options:
  site:
    description:
      - The site, by id (a string of digits) or by domain.
      - A domain needs O(server).
      - The task fails when there is no such site.
    type: str
    required: true
  server:
    description:
      - The server of the site, by name or by id (a string of digits is tried as an id
        first, then as a name).
      - Required when O(site) is a domain; not used when O(site) is an id.
    type: str
  type:
    description:
      - Only the backups of this type. A backup the API lists without a type is V(full).
    type: str
    choices: [full, database, files]
  id:
    description:
      - Only the backup with this id (a string of digits).
      - The list is empty when there is none.
    type: str
extends_documentation_fragment:
  - flywp.cloud.flywp
  - flywp.cloud.flywp.info
seealso:
  - module: flywp.cloud.backup
"""

EXAMPLES = r"""
- name: Read the backups of a site
  flywp.cloud.backup_info:
    server: web-1
    site: example.com
  register: example_backups

- name: Show when the newest completed backup was made
  ansible.builtin.debug:
    msg: >-
      {{ example_backups.backups | selectattr('status', 'equalto', 'completed')
         | map(attribute='completed_at') | max | default('never') }}
"""

RETURN = r"""
backups:
  description: The backups of the site, as the FlyWP API lists them.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: The id of the backup.
      type: int
      sample: 31
    site_id:
      description: The id of the site.
      type: int
      sample: 12
    type:
      description: V(full), V(database) or V(files).
      type: str
      sample: full
    status:
      description: V(pending), V(running), V(completed) or V(failed).
      type: str
      sample: completed
    size_bytes:
      description: The size of the backup once completed, else null.
      type: int
      sample: 268562432
    created_at:
      description: When the backup was started (ISO 8601).
      type: str
      sample: "2026-11-27T10:00:00.000000Z"
    completed_at:
      description: When the backup was completed (ISO 8601), or null.
      type: str
      sample: "2026-11-27T10:01:30.000000Z"
"""

from ansible_collections.flywp.cloud.plugins.module_utils.info import run_info_module
from ansible_collections.flywp.cloud.plugins.module_utils.resource_types import BACKUP


def main():
    run_info_module(BACKUP)


if __name__ == '__main__':
    main()
