#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: site
short_description: Create and delete WordPress sites on a FlyWP server
version_added: 1.0.0
description:
  - Create a WordPress site on a FlyWP server, or delete one.
  - A site is identified by its O(domain) on its O(server). Finding it costs one request
    listing the server's sites, and one more listing the servers when O(server) is a name.
  - The collection knows no FlyWP API endpoint that changes a site in place. When the site
    exists with another O(web_server), O(php_version) or O(title), the task warns and leaves
    it as it is; it never deletes a site to change it. If the FlyWP dashboard can change it
    (a site's PHP version, say), M(flywp.cloud.api) can send that request
    (docs/any-endpoint.md).
  - O(admin_email), O(admin_user), O(admin_password) and O(cache) are only used when the
    site is created. The FlyWP API does not show them back, so they are never compared.
  - A new site goes from C(creating) to C(active). With O(wait=true) the task polls it
    until it is C(active), spacing the polls out so that a wait costs few requests.
author:
  - flywp.cloud contributors (@flywp)
options:
  server:
    description:
      - The server the site is on, by name or by id (a string of digits is tried as an id first, then as a name).
      - By name, one request lists the servers to find it; by id, none (the server's sites
        are read directly, and an id no server has answers 404 there).
      - With O(state=present), a server that does not exist fails the task; with
        O(state=absent), it leaves the task unchanged, so a teardown can be run again.
    type: str
    required: true
  domain:
    description:
      - The site's domain, such as C(example.com) or C(blog.example.com); it identifies
        the site on the server.
      - It is checked to be a host name before any request, and compared without regard to case.
    type: str
    required: true
  state:
    description:
      - Whether the site should exist.
      - V(absent) deletes the site with its database and backups. It is satisfied,
        unchanged, when the site or its server is already gone.
    type: str
    choices: [present, absent]
    default: present
  web_server:
    description:
      - The web server that serves the site.
      - If not set on creation, the FlyWP API chooses (the simulator takes V(nginx)).
    type: str
    choices: [nginx, openlitespeed]
  php_version:
    description:
      - The PHP version the site runs on.
      - If not set on creation, the FlyWP API chooses (the simulator takes V(8.3)).
    type: str
    choices: ['8.1', '8.2', '8.3']
  title:
    description:
      - The WordPress site title.
      - If not set on creation, FlyWP uses the domain.
    type: str
  admin_email:
    description:
      - The e-mail address of the WordPress administrator; only used on creation.
      - It is checked to look like an e-mail address before any request.
    type: str
  admin_user:
    description:
      - The user name of the WordPress administrator; only used on creation.
    type: str
  admin_password:
    description:
      - The password of the WordPress administrator; only used on creation.
      - It is sent to the FlyWP API in the body of the creating request only, and never
        appears in the result, the diff, a warning or an error message.
    type: str
  cache:
    description:
      - Whether to turn the page cache on for the new site; only used on creation.
      - If not set, the FlyWP API chooses.
    type: bool
  wait:
    description:
      - With O(state=present), wait until the site is C(active).
      - A site that ends C(failed) fails the task, with the site in the result.
      - With V(false), a new site is returned as the API shows it right after the
        request, usually C(creating).
    type: bool
    default: true
  wait_timeout:
    description:
      - The most seconds to wait for the site to be C(active) with O(wait=true).
      - From 0 to 86400 (a day); anything else is refused before any request.
    type: int
    default: 600
extends_documentation_fragment:
  - flywp.cloud.flywp
  - flywp.cloud.flywp.state
notes:
  - In check mode, a site on a server that an earlier task of the same check run would
    create is shown as it would be created (with an C(id) of V(null)), with a warning; a
    server that nothing in the run would create fails the task, as without check mode.
seealso:
  - module: flywp.cloud.site_info
  - module: flywp.cloud.server
  - module: flywp.cloud.database_info
"""

EXAMPLES = r"""
- name: A WordPress site on web-1
  flywp.cloud.site:
    server: web-1
    domain: blog.example.com
    php_version: "8.3"
    web_server: nginx
    title: The example blog
    admin_user: editor
    admin_email: editor@example.com
    admin_password: "{{ vault_blog_admin_password }}"
    cache: true
  register: blog

- name: Several sites without waiting for each
  flywp.cloud.site:
    server: "{{ web_1.server.id }}"
    domain: "{{ item }}"
    wait: false
  loop: [shop.example.com, docs.example.com]

- name: Remove a site; unchanged if it or its server is already gone
  flywp.cloud.site:
    server: web-1
    domain: old.example.com
    state: absent
"""

RETURN = r"""
site:
  description:
    - The site as the FlyWP API shows it; after a wait, as it was when it became C(active).
    - In check mode, a site that would be created shows the given options (without the
      administrator's password) and an C(id) of V(null).
    - With O(state=absent), the site that was deleted (in check mode, that would be);
      empty when there was none, or no server.
    - Also returned when the task fails while waiting, because the site ended C(failed),
      disappeared, or the wait timed out.
  returned: success, and when the task fails while waiting for the site
  type: dict
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

from ansible_collections.flywp.cloud.plugins.module_utils.module import WAIT_ARGUMENT_SPEC, FlyWPModule
from ansible_collections.flywp.cloud.plugins.module_utils.resource_types import SITE
from ansible_collections.flywp.cloud.plugins.module_utils.results import ensure_on_server


def main():
    FlyWPModule(
        argument_spec=dict(
            WAIT_ARGUMENT_SPEC,
            server=dict(type='str', required=True),
            domain=SITE.option('domain', required=True),
            state=dict(type='str', choices=['present', 'absent'], default='present'),
            web_server=SITE.option('web_server'),
            php_version=SITE.option('php_version'),
            title=SITE.option('title'),
            admin_email=SITE.option('admin_email'),
            admin_user=SITE.option('admin_user'),
            admin_password=SITE.option('admin_password'),
            cache=SITE.option('cache'),
        ),
    ).run(lambda module: ensure_on_server(
        module, SITE, wait=module.params['wait'], wait_timeout=module.params['wait_timeout']))


if __name__ == '__main__':
    main()
