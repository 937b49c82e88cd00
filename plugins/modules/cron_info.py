#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cron_info
short_description: List the cron jobs of a FlyWP server
version_added: 0.1.0
description:
  - Read every cron job of one FlyWP server, whatever user it runs as.
  - Costs one request to read the server's jobs; a server given by name costs one more,
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
  - module: flywp.cloud.cron
"""

EXAMPLES = r"""
- name: Read the jobs of a server
  flywp.cloud.cron_info:
    server: web-1
  register: web_1_jobs

- name: Show the commands that run as root
  ansible.builtin.debug:
    msg: "{{ web_1_jobs.crons | selectattr('user', 'equalto', 'root') | map(attribute='command') | list }}"
"""

RETURN = r"""
crons:
  description: The cron jobs of the server, as the FlyWP API lists them.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: The id of the job.
      type: int
      sample: 4
    command:
      description: The command line the job runs.
      type: str
      sample: php /var/www/example.com/wp-cron.php
    frequency:
      description: When the job runs, five cron fields or a macro such as V(@daily).
      type: str
      sample: "*/5 * * * *"
    user:
      description: The system user the job runs as.
      type: str
      sample: fly
    created_at:
      description: When the job was added (ISO 8601).
      type: str
      sample: "2026-11-27T10:00:00.000000Z"
"""

from ansible_collections.flywp.cloud.plugins.module_utils.module import FlyWPModule
from ansible_collections.flywp.cloud.plugins.module_utils.resource_types import CRON


def read_jobs(module):
    server = module.find_server(module.params['server'], required=True)
    jobs = module.client.list(CRON.endpoint('list'), server_id=server['id'])
    return {'changed': False, CRON.plural: [CRON.public(job) for job in jobs]}


def main():
    FlyWPModule(argument_spec=dict(server=dict(type='str', required=True))).run(read_jobs)


if __name__ == '__main__':
    main()
