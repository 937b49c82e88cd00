#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: backup
short_description: Back up a FlyWP site
version_added: 1.0.0
description:
  - Start a backup of a FlyWP site and, by default, wait until it is completed.
  - Without O(max_age), B(every run starts a new backup) and reports a change, so the
    task is not idempotent by itself. Set O(max_age) to make it so.
  - With O(max_age), the task only starts a backup when the newest completed backup of
    the same O(type) is older than O(max_age). Otherwise it reports no change and returns
    that backup. One request reads the site's backups.
  - With O(max_age), a backup of the same O(type) that is already C(pending) or C(running)
    counts as the fresh one; no second backup is started. With O(wait=true), the task
    waits for it, and fails if it ends C(failed).
  - A backup that ends C(failed) while the task waits for it fails the task, with the
    backup in the result. Backups that failed are never counted as recent; the next run
    starts a new one.
  - The site is given by id, which needs no request to find it, or by domain together
    with O(server), which costs one request listing the server's sites and, when
    O(server) is a name, one more listing the servers.
author:
  - flywp.cloud contributors (@flywp)
options:
  site:
    description:
      - The site, by id (a string of digits) or by domain.
      - A domain needs O(server).
    type: str
    required: true
  server:
    description:
      - The server of the site, by name or by id (a string of digits is tried as an id first, then as a name).
      - Required when O(site) is a domain; not used when O(site) is an id.
    type: str
  type:
    description:
      - What the backup holds. V(full) is the database and the files.
    type: str
    choices: [full, database, files]
    default: full
  max_age:
    description:
      - Only start a backup when the newest completed backup of this O(type) is older than
        this.
      - Seconds, or a duration such as V(45m), V(12h), V(7d), V(2w) or V(1d12h), in ASCII
        digits; at most ten years.
      - When not set, every run starts a backup.
    type: str
  wait:
    description:
      - Wait until the backup is C(completed), polling the site's backups. A backup that
        ends C(failed) fails the task.
      - With V(false), the task returns the backup as C(pending) as soon as it is started.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait for the backup with O(wait=true). When they pass, the task fails;
        the backup goes on in FlyWP.
      - From 0 to 86400 (a day); anything else is refused before any request.
    type: int
    default: 600
extends_documentation_fragment:
  - flywp.cloud.flywp
attributes:
  check_mode:
    description: Can run in check mode and return changed status prediction without modifying target.
    support: full
    details:
      - In check mode the site's backups are read, and no backup is started.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: full
    details:
      - C(before) is the newest completed backup of O(type) (empty when there is none),
        C(after) is the backup that was started.
  action_group:
    description: Use C(group/flywp.cloud.all) in C(module_defaults) to set the API options once for every module.
    support: full
    membership:
      - flywp.cloud.all
seealso:
  - module: flywp.cloud.backup_info
"""

EXAMPLES = r"""
- name: Back up a site unless it was backed up in the last day (idempotent)
  flywp.cloud.backup:
    server: web-1
    site: example.com
    max_age: 1d

- name: Back up the database before an upgrade, every time this runs
  flywp.cloud.backup:
    site: "{{ site_id }}"
    type: database
  register: pre_upgrade_backup

- name: Start backups of many sites without waiting for each
  flywp.cloud.backup:
    site: "{{ item }}"
    max_age: 12h
    wait: false
  loop: "{{ site_ids }}"
"""

RETURN = r"""
backup:
  description:
    - The backup that was started, or with O(max_age) the recent (or running) one that
      made starting one unnecessary.
    - In check mode, a prediction of the backup that would be started, with C(id) null.
    - Also returned when the task fails while waiting, because the backup ended C(failed),
      disappeared, or the wait timed out.
  returned: success, and when the task fails while waiting for the backup
  type: dict
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
      description: The size of the backup once completed.
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

from ansible_collections.flywp.cloud.plugins.module_utils.module import WAIT_ARGUMENT_SPEC, FlyWPModule
from ansible_collections.flywp.cloud.plugins.module_utils.references import References
from ansible_collections.flywp.cloud.plugins.module_utils.resource_types import BACKUP
from ansible_collections.flywp.cloud.plugins.module_utils.results import ensure_one
from ansible_collections.flywp.cloud.plugins.module_utils.validation import duration, seconds_option

MAX_AGE = 3650 * 86400  # ten years: more is a typing error, not a policy


def ensure_backup(module):
    params = module.params
    max_age = seconds_option('max_age', duration(params['max_age']), 0, MAX_AGE) if params['max_age'] is not None else None
    place = References.of(module).find_site(params['site'], params['server'], required=True)
    return ensure_one(module, BACKUP, BACKUP.item(params, present=True), place, fresh_for=max_age,
                      wait=params['wait'], wait_timeout=params['wait_timeout'])


def main():
    FlyWPModule(
        argument_spec=dict(
            site=dict(type='str', required=True),
            server=dict(type='str'),
            type=BACKUP.option('type', with_default=True),
            max_age=dict(type='str'),
            **WAIT_ARGUMENT_SPEC
        ),
    ).run(ensure_backup)


if __name__ == '__main__':
    main()
