# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: account_report
short_description: What the report page of a FlyWP account shows, and what it marks
version_added: 1.0.0
author:
  - flywp.cloud contributors
description:
  - Turns the servers M(flywp.cloud.account_info) returns into what the page of the role
    P(flywp.cloud.report#role) shows. That is a summary (servers by status, sites, sites without a
    recent backup, PHP versions in use), each server and site with its marks, and the list of what
    needs attention.
  - "The marks: C(server-not-ready), a server whose status is not V(ready); C(backup-never), a site
    without a completed backup; C(backup-old), a site whose newest completed backup is older than
    O(backup_max_age); C(backup-failed), a site whose newest backup failed; C(php-eol), a site whose
    PHP version is past the end of life O(php_end_of_life) gives it."
  - The values are the API's, unescaped; the page escapes each one.
options:
  now:
    description:
      - The time the ages are counted to, in ISO 8601 (UTC when it has no zone) or seconds since the epoch.
      - Empty for the current time.
    type: raw
  backup_max_age:
    description: A site whose newest completed backup is older is marked; seconds or a duration such as V(12h) or V(1d).
    type: raw
    default: 1d
  php_end_of_life:
    description: The end of life of each PHP version, C(YYYY-MM-DD); a version past its date is marked.
    type: dict
    default: {}
  backups:
    description: Whether the servers were read with their sites' backups; without them, no backup mark is given.
    type: bool
    default: true
extends_documentation_fragment:
  - flywp.cloud.flywp.account_servers
"""

EXAMPLES = r"""
- name: The sites that need attention
  ansible.builtin.debug:
    msg: "{{ (account.servers | flywp.cloud.account_report(now='2026-12-02T10:00:00Z')).attention }}"
"""

RETURN = r"""
_value:
  description:
    - C(generated), C(backup_max_age) (as text), C(backups), C(summary), C(servers) and C(attention), the servers
      and sites with a mark.
    - Each server of C(servers) has the texts C(id), C(name), C(status), C(provider), C(region), C(size) and
      C(ip_address) (empty when the API does not give one), C(anchor), C(marks) and C(sites). Each site has the
      texts C(id), C(domain), C(php_version), C(web_server) and C(status), C(anchor), C(marks) and C(backup), its
      newest backup (C(type), C(status) and C(age), such as V(5 h), null when the API does not say when) or null.
    - A mark is C({key, text}); C(key) is one of those above.
  type: dict
"""

import calendar
import re
import time
from collections.abc import Mapping

from ansible.errors import AnsibleFilterError
from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.flywp.cloud.plugins.module_utils.resource import newest
from ansible_collections.flywp.cloud.plugins.module_utils.resource_types import BACKUP, SERVER
from ansible_collections.flywp.cloud.plugins.module_utils.timestamps import moment as made_at, unix_time
from ansible_collections.flywp.cloud.plugins.module_utils.validation import InvalidInput, duration

DATE = re.compile(r'^(\d{4})-(\d\d)-(\d\d)$')
DAY = 86400
READY = SERVER.ready[0]
FAILED = 'failed'  # the status that ends a wait with a failure, for every resource (resource.py)
SERVER_SHOWN = ('id', 'name', 'status', 'provider', 'region', 'size', 'ip_address')
SITE_SHOWN = ('id', 'domain', 'php_version', 'web_server', 'status')


def age_text(seconds):
    """A backup's age as a person reads it: 40 min, 5 h, 3 days."""
    seconds = max(seconds, 0)
    if seconds < 3600:
        return '%d min' % (seconds // 60)
    if seconds < 2 * DAY:
        return '%d h' % (seconds // 3600)
    return '%d days' % (seconds // DAY)


def duration_text(seconds):
    if seconds % DAY == 0:
        days = seconds // DAY
        return '%d day%s' % (days, '' if days == 1 else 's')
    if seconds % 3600 == 0:
        return '%d h' % (seconds // 3600)
    return '%d s' % seconds


def account_report(servers, now=None, backup_max_age='1d', php_end_of_life=None, backups=True):
    moment = _now(now)
    backups = boolean(backups, strict=False)
    max_age = _max_age(backup_max_age)
    end_of_life = _end_of_life(php_end_of_life)
    if not isinstance(servers, (list, tuple)):
        raise AnsibleFilterError('account_report: expected the servers of flywp.cloud.account_info, a list, not %s.'
                                 % type(servers).__name__)
    shown, attention = [], []
    by_status, php, sites_count, stale, failed = {}, {}, 0, 0, 0
    for index, server in enumerate(servers):
        server = server if isinstance(server, Mapping) else {}
        status = _text(server.get('status')) or 'unknown'
        by_status[status] = by_status.get(status, 0) + 1
        marks = [] if status == READY else [_mark('server-not-ready', 'server %s' % status)]
        entry = dict(_shown(server, SERVER_SHOWN), status=status, anchor='server-%d' % index, marks=marks, sites=[])
        if marks:
            attention.append({'anchor': entry['anchor'], 'server': _text(server.get('name')), 'site': None,
                              'marks': marks})
        for position, site in enumerate(server.get('sites') or []):
            site = site if isinstance(site, Mapping) else {}
            sites_count += 1
            version = _text(site.get('php_version'))
            php[version] = php.get(version, 0) + 1
            view = _site(site, moment, max_age, end_of_life, backups)
            view['anchor'] = '%s-site-%d' % (entry['anchor'], position)
            stale += any(mark['key'] in ('backup-never', 'backup-old') for mark in view['marks'])
            failed += any(mark['key'] == 'backup-failed' for mark in view['marks'])
            if view['marks']:
                attention.append({'anchor': view['anchor'], 'server': _text(server.get('name')),
                                  'site': _text(site.get('domain')), 'marks': view['marks']})
            entry['sites'].append(view)
        shown.append(entry)
    return {
        'generated': time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(moment)),
        'backup_max_age': duration_text(max_age),
        'backups': bool(backups),
        'servers': shown,
        'attention': attention,
        'summary': {
            'servers': len(shown),
            'by_status': [{'status': status, 'count': count, 'ready': status == READY}
                          for status, count in sorted(by_status.items(), key=lambda item: (item[0] != READY, item[0]))],
            'sites': sites_count,
            'without_recent_backup': stale,
            'failed_backups': failed,
            'php': [dict(_php(version, end_of_life, moment), count=count)
                    for version, count in sorted(php.items(), key=lambda item: _version_order(item[0]))],
        },
    }


def _site(site, moment, max_age, end_of_life, backups):
    marks = []
    view = dict(_shown(site, SITE_SHOWN), marks=marks, backup=None)
    version = _php(_text(site.get('php_version')), end_of_life, moment)
    if version['past']:
        marks.append(_mark('php-eol', 'PHP %s: end of life %s' % (version['version'], version['end_of_life'])))
    if not backups:
        return view
    listed = [backup for backup in site.get('backups') or [] if isinstance(backup, Mapping)]
    latest = newest(listed, None, ('created_at',))  # the last one started, in any status
    if latest is not None:
        when = made_at(latest, BACKUP.recency)
        view['backup'] = {'type': _text(latest.get('type')) or BACKUP.default('type'), 'status': _text(latest.get('status')),
                          'age': age_text(moment - when) if when is not None else None}
        if view['backup']['status'] == FAILED:
            marks.append(_mark('backup-failed', 'last backup failed'))
    completed = newest(listed, BACKUP.ready, BACKUP.recency)
    if completed is None:
        marks.append(_mark('backup-never', 'never backed up'))
    else:
        when = made_at(completed, BACKUP.recency)
        if when is None or moment - when > max_age:
            marks.append(_mark('backup-old', 'last completed backup %s old' % age_text(moment - when) if when is not None
                               else 'last completed backup of unknown age'))
    return view


def _php(version, end_of_life, moment):
    date = end_of_life.get(version)
    return {'version': version, 'end_of_life': date[0] if date else None, 'past': bool(date) and moment >= date[1]}


def _version_order(version):
    return tuple(int(part) if part.isdigit() else 0 for part in version.split('.')), version


def _shown(item, fields):
    # Every field the page shows is there, as text: the API may leave one out (tolerance 4).
    return dict((field, _text(item.get(field))) for field in fields)


def _mark(key, text):
    return {'key': key, 'text': text}


def _text(value):
    return '' if value is None else str(value)


def _now(now):
    if now is None or (isinstance(now, str) and not now.strip()):
        return time.time()
    moment = unix_time(now)
    if moment is None:
        raise AnsibleFilterError('report now %r: expected a time in ISO 8601, such as 2026-12-02T10:00:00Z, or '
                                 'nothing for the current time.' % (now,))
    return moment


def _max_age(value):
    try:
        return duration(value)
    except InvalidInput as error:
        raise AnsibleFilterError('report_backup_max_age: %s' % error)


def _end_of_life(table):
    """{version: (date text, the first second after that day)} of a {version: YYYY-MM-DD} table."""
    if table is None:
        return {}
    if not isinstance(table, Mapping):
        raise AnsibleFilterError('report_php_end_of_life: expected a mapping of PHP versions to dates, such as '
                                 '{"8.1": "2025-12-31"}.')
    found = {}
    for version, date in table.items():
        matched = DATE.match(str(date).strip())
        if not matched:
            raise AnsibleFilterError('report_php_end_of_life: PHP %s: %r is not a date as YYYY-MM-DD.' % (version, date))
        try:
            start = calendar.timegm(time.strptime(matched.group(0), '%Y-%m-%d'))
        except ValueError:
            raise AnsibleFilterError('report_php_end_of_life: PHP %s: %r is not a date.' % (version, date))
        found[str(version)] = (matched.group(0), start + DAY)
    return found


class FilterModule:
    """The report role's view of an account."""

    def filters(self):
        return {'account_report': account_report}
