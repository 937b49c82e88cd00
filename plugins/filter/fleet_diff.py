# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: fleet_diff
short_description: What differs between a FlyWP account and the fleet meant for it
version_added: 1.0.0
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
  fleet_servers:
    description: The fleet, as the variable C(fleet_servers) of P(flywp.cloud.fleet#role).
    type: list
    elements: dict
    required: true
extends_documentation_fragment:
  - flywp.cloud.flywp.account_servers
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

from ansible_collections.flywp.cloud.plugins.module_utils.resource import KeyIndex
from ansible_collections.flywp.cloud.plugins.module_utils.resource_types import CRON, SERVER, SITE, SSH_KEY
from ansible_collections.flywp.cloud.plugins.module_utils.validation import InvalidInput

# What a server of fleet_servers lists, the resource of its items, and where account_info puts them.
CHILDREN = (('sites', SITE, 'sites'), ('cron_jobs', CRON, 'crons'), ('ssh_keys', SSH_KEY, 'ssh_keys'))


def fleet_diff(servers, fleet_servers):
    if not isinstance(servers, (list, tuple)) or not isinstance(fleet_servers, (list, tuple)):
        raise AnsibleFilterError('fleet_diff: expected the servers of flywp.cloud.account_info and a fleet_servers '
                                 'list.')
    return _compare(SERVER, '', fleet_servers, servers)


def _compare(rtype, server, wanted, existing):
    """The rows of one kind of object, matched and compared by its declaration as the modules do:
    missing, absent, extra, ambiguous, and each field that differs; on a server, its children's."""
    index = KeyIndex(rtype, [obj for obj in existing if isinstance(obj, Mapping) and not rtype.is_gone(obj)])
    rows, listed = [], set()
    for given in wanted:
        if not isinstance(given, Mapping):
            continue
        item = _item(rtype, given)
        key = rtype.key_of_item(item)
        listed.add(key)
        name = _name(rtype, key)
        server_name = name if rtype is SERVER else server
        found = index.by_key.get(key, [])
        absent = str(given.get('state') or '').strip() == 'absent'
        if len(found) > 1:
            rows.append(_row(server_name, rtype, name, 'ambiguous', text='%d %ss of the account are named %s' % (
                len(found), rtype.label, name)))
        elif absent and found:
            rows.append(_row(server_name, rtype, name, 'absent', text='the fleet says absent; the account has it'))
        elif not absent and not found:
            rows.append(_row(server_name, rtype, name, 'missing', text='in the fleet, not in the account'))
        elif not absent:
            rows.extend(_row(server_name, rtype, name, 'differs', field=field, fleet=_text(wanted_value),
                             account=_text(live), text='%s: %s in the fleet, %s in the account' % (
                                 field, _text(wanted_value) or '(none)', _text(live) or '(none)'))
                        for field, (live, wanted_value) in sorted(rtype.differences(found[0], item).items()))
            if rtype is SERVER:
                rows.extend(_children(name, given, found[0]))
    for key, found in index.by_key.items():
        if key not in listed:
            name = _name(rtype, key)
            rows.extend(_row(name if rtype is SERVER else server, rtype, name, 'extra',
                             text='in the account, not in the fleet') for _obj in found)
    return rows


def _item(rtype, given):
    """The object the fleet asks for, as the modules read it (a domain's case and final dot, a
    cron job's default user); as given when the modules would refuse it (the fleet role checks
    its input first: here it is shown as it is)."""
    try:
        return rtype.item(given, present=False)
    except InvalidInput:
        return dict((param, given.get(param)) for param in rtype.fields)


def _children(server, given, live):
    """A server's sites, cron jobs and SSH keys: each kind only when the fleet lists it for the server
    and the account was read with it."""
    rows = []
    for option, rtype, read_as in CHILDREN:
        if read_as in live and (given.get(option) is not None or rtype is SITE):
            rows.extend(_compare(rtype, server, given.get(option) or [], live[read_as]))
    return rows


def _name(rtype, key):
    """How a row names an object: its first key field, and the others in brackets (a cron job's user)."""
    rest = ', '.join('%s %s' % (param, value) for param, value in zip(rtype.key[1:], key[1:]))
    return key[0] + (' (%s)' % rest if rest else '')


def _row(server, rtype, name, kind, field='', fleet='', account='', text=''):
    return {'server': server, 'object': rtype.label, 'name': '' if rtype is SERVER else name, 'kind': kind,
            'field': field, 'fleet': fleet, 'account': account, 'text': text}


def _text(value):
    return '' if value is None else str(value).strip()


class FilterModule:
    """The report role's comparison of an account with a fleet."""

    def filters(self):
        return {'fleet_diff': fleet_diff}
