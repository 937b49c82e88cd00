#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cron_info
short_description: List the cron jobs of a FlyWP server
version_added: 1.0.0
description:
  - Read the cron jobs of one FlyWP server, all of them or those with a command, a user or an id.
  - Costs one request to read the server's jobs; a server given by name costs one more,
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
  command:
    description:
      - Only the jobs that run this command line, compared without surrounding spaces.
    type: str
  user:
    description:
      - Only the jobs that run as this user. A job the API lists without a user runs as C(fly).
    type: str
  id:
    description:
      - Only the job with this id (a string of digits).
      - The list is empty when there is none.
    type: str
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

from ansible_collections.flywp.cloud.plugins.module_utils.info import run_info_module
from ansible_collections.flywp.cloud.plugins.module_utils.resource_types import CRON


def main():
    run_info_module(CRON)


if __name__ == '__main__':
    main()
