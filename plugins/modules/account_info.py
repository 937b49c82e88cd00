#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: account_info
short_description: Read a whole FlyWP account in one task
version_added: 1.0.0
description:
  - Read every server of the FlyWP account, each with its WordPress sites, each site with its
    backups, and, when asked, each server's cron jobs and SSH keys, nested in one result.
  - "The cost, for N servers holding M sites in all: one request for each page of up to 100
    servers, then N requests for the sites (O(sites)), M for the backups (O(backups)), N for the
    cron jobs (O(crons)) and N for the SSH keys (O(ssh_keys)); a list of more than 100 objects
    costs one more request a page. With the defaults that is 1 + N + M for up to 100 servers."
  - Under the FlyWP rate limit of 60 requests a minute, O(backups=false) is the cheaper reading
    of a large account (1 + N requests instead of 1 + N + M), and the requests of every task of
    a run share one budget.
  - A server deleted while it is read is left out, and so is a site deleted before its backups
    are read.
author:
  - flywp.cloud contributors (@flywp)
options:
  sites:
    description:
      - Read each server's sites, in its RV(servers[].sites).
    type: bool
    default: true
  backups:
    description:
      - Read each site's backups, in its RV(servers[].sites[].backups); one request a site.
      - Without O(sites), no backups are read either.
    type: bool
    default: true
  crons:
    description:
      - Read each server's cron jobs, in its RV(servers[].crons); one request a server.
    type: bool
    default: false
  ssh_keys:
    description:
      - Read each server's SSH keys, in its RV(servers[].ssh_keys); one request a server.
    type: bool
    default: false
extends_documentation_fragment:
  - flywp.cloud.flywp
  - flywp.cloud.flywp.info
seealso:
  - module: flywp.cloud.server_info
  - module: flywp.cloud.site_info
  - module: flywp.cloud.backup_info
  - name: The report role
    description: The account as one HTML page, and as the fleet role's variables (docs/report.md in the collection).
    link: https://github.com/flywp/ansible-collection-flywp-cloud/blob/main/docs/report.md
"""

EXAMPLES = r"""
- name: The whole account, with the backups of every site
  flywp.cloud.account_info:
  register: account

- name: The domains of the sites never backed up
  ansible.builtin.debug:
    msg: "{{ account.servers | map(attribute='sites') | flatten | rejectattr('backups') | map(attribute='domain') | list }}"

- name: A cheaper reading, without backups, with cron jobs and SSH keys
  flywp.cloud.account_info:
    backups: false
    crons: true
    ssh_keys: true
  register: account
"""

RETURN = r"""
servers:
  description:
    - The servers as the FlyWP API shows them, in the order of the API, each with what it holds.
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
      sample: hetzner
    region:
      description: The provider's region.
      type: str
      sample: fsn1
    size:
      description: The provider's size.
      type: str
      sample: cx22
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
    sites:
      description: The server's sites, as M(flywp.cloud.site_info) returns them, each with its C(backups).
      returned: when O(sites) is true
      type: list
      elements: dict
      contains:
        id:
          description: The site's id.
          type: int
          sample: 31
        domain:
          description: The site's domain.
          type: str
          sample: blog.example.com
        status:
          description: V(creating), V(active), V(deleting) or V(failed).
          type: str
          sample: active
        web_server:
          description: V(nginx) or V(openlitespeed).
          type: str
          sample: nginx
        php_version:
          description: The site's PHP version.
          type: str
          sample: "8.3"
        title:
          description: The WordPress site title.
          type: str
          sample: Blog
        backups:
          description: The site's backups, as M(flywp.cloud.backup_info) returns them.
          returned: when O(sites) and O(backups) are true
          type: list
          elements: dict
          sample: [{"id": 5, "site_id": 31, "type": "full", "status": "completed",
                    "created_at": "2026-11-27T10:00:00.000000Z", "completed_at": "2026-11-27T10:01:30.000000Z"}]
    crons:
      description: The server's cron jobs, as M(flywp.cloud.cron_info) returns them.
      returned: when O(crons) is true
      type: list
      elements: dict
      sample: [{"id": 3, "command": "wp cron event run --due-now", "frequency": "*/5 * * * *", "user": "fly"}]
    ssh_keys:
      description:
        - The server's SSH keys, as M(flywp.cloud.ssh_key_info) returns them.
        - The API shows a key's fingerprint, and may not show its public key.
      returned: when O(ssh_keys) is true
      type: list
      elements: dict
      sample: [{"id": 7, "name": "deploy", "fingerprint": "SHA256:Dz2Q4wAfGc+MWtSLLkHbpjYJZ5y8qV+8cBXmnLJ/5Yw"}]
"""

from ansible_collections.flywp.cloud.plugins.module_utils.account import read_account
from ansible_collections.flywp.cloud.plugins.module_utils.module import FlyWPModule


def main():
    FlyWPModule(
        argument_spec=dict(
            sites=dict(type='bool', default=True),
            backups=dict(type='bool', default=True),
            crons=dict(type='bool', default=False),
            ssh_keys=dict(type='bool', default=False, no_log=False),
        ),
    ).run(lambda module: {'changed': False, 'servers': read_account(
        module.client, sites=module.params['sites'], backups=module.params['backups'],
        crons=module.params['crons'], ssh_keys=module.params['ssh_keys'])})


if __name__ == '__main__':
    main()
