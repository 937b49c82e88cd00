#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: database
short_description: Create and delete MySQL databases on a FlyWP server
version_added: 1.0.0
description:
  - Create a MySQL database of its own on a FlyWP server, or delete one. FlyWP makes a
    database for every site by itself (see M(flywp.cloud.site)); this module is for the others,
    such as a staging copy or an application beside WordPress.
  - A database is identified by its O(name) on its O(server). Finding it costs one request
    listing the server's databases, and one more listing the servers when O(server) is a name.
  - The FlyWP API shows the password of a new database's user once, in the answer that creates
    it; this module never returns it. To keep it, create the database with
    M(flywp.cloud.api) and O(flywp.cloud.api#module:return_secrets=true), on a task with
    C(no_log).
  - The FlyWP API overview lists databases only; creating and deleting one are endpoints the
    collection assumes (docs/api-contract.md). If your FlyWP API answers them with 404 or 405,
    the task says so.
author:
  - flywp.cloud contributors (@flywp)
options:
  server:
    description:
      - The server, by name or by id (a string of digits is tried as an id first, then as a name).
      - With O(state=absent), a server that does not exist leaves the task unchanged, with a warning.
    type: str
    required: true
  name:
    description:
      - The database's name; it identifies the database on the server.
      - Letters, digits and V(_), at most 64, checked before any request.
    type: str
    required: true
  state:
    description:
      - Whether the database should exist.
      - V(absent) deletes the database with everything in it. It is satisfied, unchanged, when
        the database or its server is already gone.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - flywp.cloud.flywp
  - flywp.cloud.flywp.state
seealso:
  - module: flywp.cloud.database_info
"""

EXAMPLES = r"""
- name: A database for a staging copy
  flywp.cloud.database:
    server: web-1
    name: staging_example_com

- name: Remove it again
  flywp.cloud.database:
    server: web-1
    name: staging_example_com
    state: absent
"""

RETURN = r"""
database:
  description:
    - The database as the FlyWP API shows it, without its password.
    - In check mode, a database that would be created shows its O(name) and an C(id) of V(null).
    - With O(state=absent), the database that was deleted (in check mode, that would be); empty
      when there was none, or no server.
  returned: success
  type: dict
  contains:
    id:
      description: The database's id.
      type: int
      sample: 41
    server_id:
      description: The id of the database's server.
      type: int
      sample: 12
    site_id:
      description: The id of the site the database belongs to; null for one made on its own.
      type: int
      sample: null
    name:
      description: The database's name.
      type: str
      sample: staging_example_com
    size_bytes:
      description: The database's size in bytes, once FlyWP has measured it.
      type: int
      sample: 4259840
"""

from ansible_collections.flywp.cloud.plugins.module_utils.module import FlyWPModule
from ansible_collections.flywp.cloud.plugins.module_utils.resource_types import DATABASE
from ansible_collections.flywp.cloud.plugins.module_utils.results import ensure_on_server


def main():
    FlyWPModule(
        argument_spec=dict(
            server=dict(type='str', required=True),
            name=DATABASE.option('name', required=True),
            state=dict(type='str', choices=['present', 'absent'], default='present'),
        ),
    ).run(lambda module: ensure_on_server(module, DATABASE))


if __name__ == '__main__':
    main()
