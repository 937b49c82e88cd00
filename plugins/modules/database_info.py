#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: database_info
short_description: List the databases of a FlyWP server
version_added: 1.0.0
description:
  - Read the MySQL databases of a FlyWP server. FlyWP makes one for each site, named
    after the site's domain (C(blog.example.com) gives C(blog_example_com)).
  - This costs one request listing the server's databases; a server given by name costs
    one more, to list the servers, and a server given by id none.
  - The FlyWP API only lists databases; it has no endpoint to create or delete one.
    A site's database goes with the site (see M(flywp.cloud.site)).
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
      - Only the database with this name, compared without surrounding spaces.
    type: str
  id:
    description:
      - Only the database with this id (a string of digits).
      - The list is empty when there is none.
    type: str
extends_documentation_fragment:
  - flywp.cloud.flywp
  - flywp.cloud.flywp.info
seealso:
  - module: flywp.cloud.site
  - module: flywp.cloud.site_info
"""

EXAMPLES = r"""
- name: The databases of web-1
  flywp.cloud.database_info:
    server: web-1
  register: databases

- name: Their total size in MiB
  ansible.builtin.debug:
    msg: "{{ (databases.databases | map(attribute='size_bytes') | select | sum / 1048576) | round(1) }}"

- name: The database of one site
  flywp.cloud.database_info:
    server: web-1
    name: blog_example_com
"""

RETURN = r"""
databases:
  description:
    - The databases as the FlyWP API shows them, in the order of the API.
    - Empty when none matches.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: The database's id.
      type: int
      sample: 40
    server_id:
      description: The id of the database's server.
      type: int
      sample: 12
    site_id:
      description: The id of the site the database belongs to.
      type: int
      sample: 31
    name:
      description: The database's name.
      type: str
      sample: blog_example_com
    size_bytes:
      description: The database's size in bytes, when FlyWP has measured it.
      type: int
      sample: 4259840
"""

from ansible_collections.flywp.cloud.plugins.module_utils.info import run_info_module
from ansible_collections.flywp.cloud.plugins.module_utils.resource_types import DATABASE


def main():
    run_info_module(DATABASE)


if __name__ == '__main__':
    main()
