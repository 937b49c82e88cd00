#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: site_info
short_description: List the WordPress sites of FlyWP servers
version_added: 1.0.0
description:
  - Read the sites of one FlyWP server, or of every server of the account.
  - With O(server), this costs one request for its sites, and one more listing the
    servers when O(server) is a name (a server id costs none). Without it,
    one request lists the servers and then one request per server lists its sites; under
    the FlyWP rate limit of 60 requests a minute, give O(server) when you can.
author:
  - flywp.cloud contributors (@flywp)
options:
  server:
    description:
      - Only the sites of this server, by name or by id.
      - A string of digits is tried as an id first, then as a name, so a server named
        C(2024) is found too.
      - A server that does not exist fails the task.
      - If not set, the sites of every server.
    type: str
  domain:
    description:
      - Only the site with this domain (compared without regard to case or surrounding spaces).
      - Without O(server), the sites with this domain on every server.
    type: str
  id:
    description:
      - Only the site with this id (a string of digits).
      - The list is empty when there is none.
    type: str
extends_documentation_fragment:
  - flywp.cloud.flywp
  - flywp.cloud.flywp.info
seealso:
  - module: flywp.cloud.site
  - module: flywp.cloud.server_info
"""

EXAMPLES = r"""
- name: The sites of web-1
  flywp.cloud.site_info:
    server: web-1
  register: web_1_sites

- name: Every site of the account, one request per server
  flywp.cloud.site_info:
  register: all_sites

- name: Which servers host blog.example.com
  ansible.builtin.debug:
    msg: "{{ all_sites.sites | selectattr('domain', 'equalto', 'blog.example.com') | map(attribute='server_id') | list }}"

- name: One site
  flywp.cloud.site_info:
    server: web-1
    domain: blog.example.com
  register: blog
"""

RETURN = r"""
sites:
  description:
    - The sites as the FlyWP API shows them, server by server in the order of the API.
    - Empty when none matches.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: The site's id.
      type: int
      sample: 31
    server_id:
      description: The id of the site's server.
      type: int
      sample: 12
    domain:
      description: The site's domain.
      type: str
      sample: blog.example.com
    status:
      description: V(creating), V(active), V(failed), or V(deleting) while it is being removed.
      type: str
      sample: active
    web_server:
      description: The web server.
      type: str
      sample: nginx
    php_version:
      description: The PHP version.
      type: str
      sample: "8.3"
    title:
      description: The WordPress site title.
      type: str
      sample: The example blog
    created_at:
      description: When the site was created, in ISO 8601.
      type: str
      sample: "2026-11-27T10:05:00.000000Z"
"""

from ansible_collections.flywp.cloud.plugins.module_utils.info import run_info_module
from ansible_collections.flywp.cloud.plugins.module_utils.resource_types import SITE


def main():
    run_info_module(SITE, server_required=False)


if __name__ == '__main__':
    main()
