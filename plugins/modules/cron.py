#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cron
short_description: Manage the cron jobs of a FlyWP server
version_added: 1.0.0
description:
  - Add cron jobs to a FlyWP server, change how often they run, or remove them.
  - A job is identified by its O(command) and the O(user) it runs as. The same command
    may run as two users; those are two jobs.
  - Give one job with O(command), O(user) and O(frequency), or many at once with O(jobs).
    The list form costs one request to read the server's jobs whatever their number,
    where a loop over the single form costs one per job. Under the FlyWP rate limit of 60
    requests a minute, prefer O(jobs).
  - The collection knows no FlyWP API endpoint that changes a job in place. A job whose
    frequency differs is replaced;
    the new job is added first, then the old one removed, so the command is never left
    without a schedule.
  - O(frequency) is checked before any request is sent, and written with single spaces
    (and a macro in lower case), the way it is compared on the next run.
author:
  - flywp.cloud contributors (@flywp)
options:
  server:
    description:
      - The server, by name or by id (a string of digits is tried as an id first, then as a name).
      - By name, one request lists the servers to find it; by id, none.
    type: str
    required: true
  command:
    description:
      - The command line the job runs, for example C(php /var/www/example.com/wp-cron.php).
      - With O(user), it identifies the job on the server. Leading and trailing spaces are
        dropped.
      - Mutually exclusive with O(jobs).
    type: str
  user:
    description:
      - The system user the job runs as.
      - Mutually exclusive with O(jobs); there each job has its own C(user).
      - Defaults to V(fly), the user FlyWP runs sites as, when not set or blank; a job the
        API lists without a user is taken as V(fly)'s too.
      - A system user name (letters, digits, V(_), V(-) and V(.), at most 32), checked before
        any request.
    type: str
  frequency:
    description:
      - When the job runs, as five cron fields (minute, hour, day of month, month, day of
        week), for example V(*/5 * * * *) or V(0 3 * * mon-fri), or one of the macros
        V(@reboot), V(@yearly), V(@annually), V(@monthly), V(@weekly), V(@daily),
        V(@midnight) and V(@hourly).
      - Required with O(command) when O(state=present).
      - Mutually exclusive with O(jobs).
    type: str
  jobs:
    description:
      - Many jobs at once, instead of O(command), O(user) and O(frequency).
      - With O(state=absent), only C(command) and C(user) matter.
    type: list
    elements: dict
    suboptions:
      command:
        description: The command line the job runs.
        type: str
        required: true
      user:
        description: The system user the job runs as.
        type: str
        default: fly
      frequency:
        description: When the job runs, as for O(frequency); required when O(state=present).
        type: str
  exclusive:
    description:
      - With O(state=present), also remove every job of the server (of any user) that is
        not listed in O(jobs) (or is not O(command) and O(user)).
    type: bool
    default: false
  state:
    description:
      - Whether the jobs should be on the server.
      - V(absent) is satisfied when the server itself is gone.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - flywp.cloud.flywp
  - flywp.cloud.flywp.state
seealso:
  - module: flywp.cloud.cron_info
"""

EXAMPLES = r"""
- name: Run WordPress cron every five minutes
  flywp.cloud.cron:
    server: web-1
    command: php /var/www/example.com/wp-cron.php
    frequency: "*/5 * * * *"

- name: Exactly these jobs on the server, in one request to read them
  flywp.cloud.cron:
    server: web-1
    jobs:
      - command: php /var/www/example.com/wp-cron.php
        frequency: "*/5 * * * *"
      - command: wp --path=/var/www/example.com transient delete --expired
        frequency: "@daily"
      - command: /usr/local/bin/rotate-reports
        user: root
        frequency: "30 2 * * sun"
    exclusive: true

- name: Remove a job
  flywp.cloud.cron:
    server: web-1
    command: php /var/www/old.example.com/wp-cron.php
    state: absent
"""

RETURN = r"""
cron:
  description:
    - The job with O(command) and O(user), as the FlyWP API shows it.
    - With O(state=absent), the job that was removed (in check mode, that would be); empty when there was none.
  returned: success, when O(command) is given
  type: dict
  sample: {"id": 4, "command": "php /var/www/example.com/wp-cron.php", "frequency": "*/5 * * * *", "user": "fly",
           "created_at": "2026-11-27T10:00:00.000000Z"}
crons:
  description:
    - With O(state=present), the listed jobs as the FlyWP API shows them, in the order of O(jobs).
    - With O(state=absent), the jobs that were removed.
  returned: success, when O(jobs) is given
  type: list
  elements: dict
  sample: [{"id": 4, "command": "php /var/www/example.com/wp-cron.php", "frequency": "*/5 * * * *", "user": "fly"}]
"""

from ansible_collections.flywp.cloud.plugins.module_utils.module import FlyWPModule
from ansible_collections.flywp.cloud.plugins.module_utils.resource_types import CRON
from ansible_collections.flywp.cloud.plugins.module_utils.results import ensure_on_server


def main():
    job_options = dict(command=CRON.option('command', required=True), user=CRON.option('user', with_default=True),
                       frequency=CRON.option('frequency'))
    FlyWPModule(
        argument_spec=dict(
            server=dict(type='str', required=True),
            command=CRON.option('command'),
            user=CRON.option('user'),
            frequency=CRON.option('frequency'),
            jobs=dict(type='list', elements='dict', options=job_options),
            exclusive=dict(type='bool', default=False),
            state=dict(type='str', choices=['present', 'absent'], default='present'),
        ),
        mutually_exclusive=[('command', 'jobs'), ('user', 'jobs'), ('frequency', 'jobs')],
        required_one_of=[('command', 'jobs')],
    ).run(lambda module: ensure_on_server(module, CRON, 'jobs', exclusive=module.params['exclusive']))


if __name__ == '__main__':
    main()
