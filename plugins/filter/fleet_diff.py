# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: fleet_diff
short_description: What differs between a FlyWP account and the fleet meant for it
version_added: 0.1.0
author:
  - flywp.cloud contributors
description:
  - Compares the servers M(flywp.cloud.account_info) returns with a C(fleet_servers) list, as the role
    P(flywp.cloud.fleet#role) takes it, and returns one row for each difference.
  - Servers are matched by name and sites by domain, compared as the modules compare them (without
    surrounding spaces; domains without regard to case). Cron jobs are matched by command and user,
    SSH keys by name and compared by fingerprint; each only when the fleet lists them for that server
    and the account was read with them (O(flywp.cloud.account_info#module:crons),
    O(flywp.cloud.account_info#module:ssh_keys)).
  - A field is compared only when the fleet gives it. The API does not show a site's administrator
    or cache settings, so those are not compared.
  - The report role shows the rows in its page.
options:
  _input:
    description: The servers, as RV(flywp.cloud.account_info#module:servers).
    type: list
    elements: dict
    required: true
  fleet_servers:
    description: The fleet, as the variable C(fleet_servers) of P(flywp.cloud.fleet#role).
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: What differs from the fleet
  ansible.builtin.debug:
    msg: "{{ account.servers | flywp.cloud.fleet_diff(fleet_servers) | map(attribute='text') | list }}"
"""

RETURN = r"""
_value:
  description:
    - "One row per difference: C(server), the server's name; C(object), V(server), V(site), V(cron job) or
      V(SSH key); C(name), the site's domain, the job's command or the key's name (empty for a server);
      C(kind), V(missing) (in the fleet, not in the account), V(extra) (in the account, not in the fleet),
      V(absent) (the fleet says absent, the account has it), V(differs) or V(ambiguous) (several servers of
      the account have the name); C(field), C(fleet) and C(account) for V(differs); and C(text), the row as
      a sentence."
    - Empty when the account is the fleet.
  type: list
  elements: dict
"""

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.flywp.cloud.plugins.module_utils.validation import InvalidInput, ssh_public_key

SERVER_FIELDS = ('provider', 'region', 'size', 'os')
SITE_FIELDS = ('web_server', 'php_version', 'title')
GONE = ('deleting', 'deleted')
DEFAULT_CRON_USER = 'fly'


def fleet_diff(servers, fleet_servers):
    if not isinstance(servers, (list, tuple)) or not isinstance(fleet_servers, (list, tuple)):
        raise AnsibleFilterError('fleet_diff: expected the servers of flywp.cloud.account_info and a fleet_servers '
                                 'list.')
    rows = []
    account = _index([server for server in servers if isinstance(server, Mapping)
                      and _text(server.get('status')) not in GONE], lambda server: _text(server.get('name')))
    listed = set()
    for spec in fleet_servers:
        if not isinstance(spec, Mapping):
            continue
        name = _text(spec.get('name'))
        listed.add(name)
        found = account.get(name, [])
        absent = _text(spec.get('state')) == 'absent'
        if len(found) > 1:
            rows.append(_row(name, 'server', '', 'ambiguous', text='%d servers of the account are named %s' % (
                len(found), name)))
        elif absent and found:
            rows.append(_row(name, 'server', '', 'absent', text='the fleet says absent; the account has it'))
        elif not absent and not found:
            rows.append(_row(name, 'server', '', 'missing', text='in the fleet, not in the account'))
        elif not absent:
            rows.extend(_server_rows(name, spec, found[0]))
    for name, found in account.items():
        if name not in listed:
            rows.extend(_row(name, 'server', '', 'extra', text='in the account, not in the fleet') for _server in found)
    return rows


def _server_rows(name, spec, server):
    rows = [_differs(name, 'server', '', field, spec.get(field), server.get(field))
            for field in SERVER_FIELDS if spec.get(field) is not None]
    if 'sites' in server:
        rows.extend(_children(name, 'site', spec.get('sites') or [], server['sites'], _site_key,
                              lambda want, have: [_differs(name, 'site', _site_key(want), field, want.get(field),
                                                           have.get(field))
                                                  for field in SITE_FIELDS if want.get(field) is not None],
                              gone=lambda site: _text(site.get('status')) in GONE))
    if spec.get('cron_jobs') is not None and 'crons' in server:
        rows.extend(_children(name, 'cron job', spec['cron_jobs'], server['crons'], _cron_key,
                              lambda want, have: [_differs(name, 'cron job', _cron_key(want), 'frequency',
                                                           want.get('frequency'), have.get('frequency'),
                                                           same=_same_frequency)]))
    if spec.get('ssh_keys') is not None and 'ssh_keys' in server:
        rows.extend(_children(name, 'SSH key', spec['ssh_keys'], server['ssh_keys'], _key_name,
                              lambda want, have: [_differs(name, 'SSH key', _key_name(want), 'fingerprint',
                                                           _fingerprint(want.get('public_key')),
                                                           have.get('fingerprint'))]))
    return [row for row in rows if row]


def _children(server, noun, wanted, existing, key, compare, gone=lambda item: False):
    """The rows of one kind of object on a server: missing, absent, extra, and what differs."""
    rows = []
    have = _index([item for item in existing if isinstance(item, Mapping) and not gone(item)], key)
    listed = set()
    for want in wanted:
        if not isinstance(want, Mapping):
            continue
        name = key(want)
        listed.add(name)
        found = have.get(name)
        absent = _text(want.get('state')) == 'absent'
        if absent and found:
            rows.append(_row(server, noun, name, 'absent', text='the fleet says absent; the account has it'))
        elif not absent and not found:
            rows.append(_row(server, noun, name, 'missing', text='in the fleet, not in the account'))
        elif not absent:
            rows.extend(compare(want, found[0]))
    for name in have:
        if name not in listed:
            rows.append(_row(server, noun, name, 'extra', text='in the account, not in the fleet'))
    return rows


def _differs(server, noun, name, field, wanted, actual, same=None):
    wanted_text, actual_text = _text(wanted), _text(actual)
    if (same or (lambda a, b: a == b))(wanted_text, actual_text):
        return None
    return _row(server, noun, name, 'differs', field=field, fleet=wanted_text, account=actual_text,
                text='%s: %s in the fleet, %s in the account' % (field, wanted_text or '(none)', actual_text or '(none)'))


def _row(server, noun, name, kind, field='', fleet='', account='', text=''):
    return {'server': server, 'object': noun, 'name': name, 'kind': kind, 'field': field, 'fleet': fleet,
            'account': account, 'text': text}


def _index(items, key):
    found = {}
    for item in items:
        found.setdefault(key(item), []).append(item)
    return found


def _site_key(site):
    return _text(site.get('domain')).lower().rstrip('.')


def _cron_key(job):
    return '%s (as %s)' % (_text(job.get('command')), _text(job.get('user')) or DEFAULT_CRON_USER)


def _key_name(key):
    return _text(key.get('name'))


def _same_frequency(first, second):
    return ' '.join(first.split()).lower() == ' '.join(second.split()).lower()


def _fingerprint(public_key):
    try:
        return ssh_public_key(public_key)[1] if public_key else ''
    except InvalidInput:
        return '(not a public key)'


def _text(value):
    return '' if value is None else str(value).strip()


class FilterModule:
    """The report role's comparison of an account with a fleet."""

    def filters(self):
        return {'fleet_diff': fleet_diff}
