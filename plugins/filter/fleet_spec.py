# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: fleet_spec
short_description: A FlyWP account as the variables of the fleet role, in YAML
version_added: 1.0.0
author:
  - flywp.cloud contributors
description:
  - Writes the servers M(flywp.cloud.account_info) returns (read with O(flywp.cloud.account_info#module:crons)
    and O(flywp.cloud.account_info#module:ssh_keys)) as a YAML document with C(fleet_servers), the variable of
    P(flywp.cloud.fleet#role). Each server has its sites, its cron jobs and those of its SSH keys whose public
    key the API shows.
  - Converging the document with the fleet role changes nothing and sends no write request. So what the
    fleet role could not converge without a write, or would refuse, is left out, and a comment at the top of
    the document names each thing left out and what to do about it.
  - What is left out is a server being deleted or that failed, servers that share a name, a site being deleted,
    an SSH key whose public key the API does not show (it shows its fingerprint, in a comment under its server),
    and a value the fleet role does not take (a PHP version it does not offer, for instance).
    Administrator passwords, e-mail addresses, user names and the cache setting are never shown by the API.
  - A text holding C({) is written with the YAML tag C(!unsafe), so that Ansible reads it as it is and never as a template.
extends_documentation_fragment:
  - flywp.cloud.flywp.account_servers
"""

EXAMPLES = r"""
- name: Write the account as a fleet
  ansible.builtin.copy:
    content: "{{ account.servers | flywp.cloud.fleet_spec }}"
    dest: fleet.yml
    mode: "0644"
"""

RETURN = r"""
_value:
  description: The YAML document, its comments first.
  type: str
"""

import json
from collections.abc import Mapping

import yaml

from ansible_collections.flywp.cloud.plugins.filter.fleet_errors import fleet_errors
from ansible_collections.flywp.cloud.plugins.module_utils.resource import KeyIndex
from ansible_collections.flywp.cloud.plugins.module_utils.resource_types import CRON, SERVER, SITE, SSH_KEY

# The fields the spec writes: those a server or site is made with that the API shows back (the
# contract's objects); a site's administrator and cache settings are taken only on creation.
SERVER_FIELDS = tuple(SERVER.fields)
SITE_FIELDS = ('domain', 'web_server', 'php_version', 'title')
LEFT_OUT_STATUSES = {
    'deleting': 'being deleted',
    'deleted': 'deleted',
    'failed': 'failed: the fleet role would wait for it to be ready and fail. Delete it, or create it again',
}
HEADER = """\
# The FlyWP account as the variables of the flywp.cloud.fleet role, written by flywp.cloud.report.
# Converging it with the fleet role changes nothing and sends no write request.
#
# Left out, as the FlyWP API does not give them back:
# - The sites' admin_password, admin_email, admin_user and cache: they only matter when a site
#   is created. Add them (the password from Ansible Vault) to a site you may create again.
# - The public key of an SSH key the API shows only by its fingerprint: each such key is in a
#   comment under its server. To manage it, add it under that server's ssh_keys with the public
#   key of its .pub file (ssh-keygen -lf KEY.pub shows the fingerprint to match). Keys that are
#   not listed are left alone, as ssh_keys_exclusive is false.
"""


class Unsafe(str):
    """A text Ansible must never template: written with the !unsafe tag."""


class SpecDumper(yaml.SafeDumper):
    pass


SpecDumper.add_representer(Unsafe, lambda dumper, value: dumper.represent_scalar('!unsafe', str(value), style="'"))
# Ansible's own texts (its unsafe and tagged kinds of str, by core) are written as plain texts.
SpecDumper.add_multi_representer(str, yaml.SafeDumper.represent_str)


def fleet_spec(servers):
    if not isinstance(servers, (list, tuple)):
        raise TypeError('fleet_spec: expected the servers of flywp.cloud.account_info, a list.')
    servers = [server for server in servers if isinstance(server, Mapping)]
    # Servers share a name as the modules match them: by the key, among those not gone.
    live = KeyIndex(SERVER, [server for server in servers if not SERVER.is_gone(server)])
    left_out, blocks = [], []
    for server in servers:
        name = _text(server.get('name'))
        status = _text(server.get('status'))
        sharing = len(live.by_key.get(SERVER.key_of_object(server), ()))
        if status in LEFT_OUT_STATUSES:
            left_out.append('server %s (id %s): %s.' % (
                _quoted(name), _text(server.get('id')), LEFT_OUT_STATUSES[status]))
        elif sharing > 1:
            left_out.append('server %s (id %s): %d servers share this name, and the fleet role names a server by its '
                            'name. Rename all but one in FlyWP, then add them.' % (
                                _quoted(name), _text(server.get('id')), sharing))
        else:
            spec, notes, comments = _server(server)
            left_out.extend(notes)
            if spec is not None:
                blocks.append(_block(spec, comments))
    header = HEADER
    if left_out:
        header += '#\n# Left out of this account:\n' + ''.join('# - %s\n' % note for note in left_out)
    return header + '---\nfleet_servers:' + (''.join('\n' + block for block in blocks) if blocks else ' []') + '\n'


def _server(server):
    """(the server as fleet_servers holds it, what was left out of it, the comment lines under it), or None
    for a server whose name the fleet role does not take."""
    name = _text(server.get('name'))
    where = 'server %s' % _quoted(name)
    spec = _fields(server, SERVER_FIELDS)
    spec['name'] = name
    sites = [_fields(site, SITE_FIELDS) for site in server.get('sites') or [] if not SITE.is_gone(site)]
    jobs = [_fields(cron, tuple(CRON.fields)) for cron in server.get('crons') or []]
    keys, comments = [], []
    for key in server.get('ssh_keys') or []:
        entry = _fields(key, tuple(SSH_KEY.fields))
        if 'public_key' in entry:
            keys.append(entry)
        else:
            comments.append('SSH key %s, %s: the API does not show its public key.' % (
                _quoted(entry.get('name')), _quoted(_text(key.get('fingerprint')) or 'no fingerprint')))
    notes = ['%s: the site %s, being deleted.' % (where, _quoted(site.get('domain')))
             for site in server.get('sites') or [] if SITE.is_gone(site)]
    whole = dict(spec, sites=sites, cron_jobs=jobs, ssh_keys=keys)
    if fleet_errors([whole]):
        # Rarely: find what the fleet role would refuse, one thing at a time.
        if fleet_errors([{'name': name}]):
            return None, ['%s (id %s): its name is not one the fleet role takes.' % (where, _text(server.get('id')))], []
        for field in SERVER_FIELDS[1:]:
            if field in spec and fleet_errors([{'name': name, field: spec[field]}]):
                notes.append('%s: its %s, %s, which the fleet role does not take.' % (
                    where, field, _quoted(spec.pop(field))))
        sites = [site for site in (_site_taken(name, site, notes) for site in sites) if site is not None]
        jobs, refused = _taken(name, 'cron_jobs', jobs, CRON.key_of_item)
        notes.extend('%s: the cron job %s: %s.' % (where, _quoted(job.get('command')), why) for job, why in refused)
        keys, refused = _taken(name, 'ssh_keys', keys, SSH_KEY.key_of_item)
        notes.extend('%s: the SSH key %s: %s.' % (where, _quoted(key.get('name')), why) for key, why in refused)
    for field, items in (('sites', sites), ('cron_jobs', jobs), ('ssh_keys', keys)):
        if items:
            spec[field] = items
    return spec, notes, comments


def _site_taken(name, site, notes):
    """The site as the fleet role takes it, less the fields it refuses; None when it refuses the domain."""
    where = 'server %s, site %s' % (_quoted(name), _quoted(site.get('domain')))
    if fleet_errors([{'name': name, 'sites': [{'domain': site.get('domain', '')}]}]):
        notes.append('%s: its domain is not one the fleet role takes.' % where)
        return None
    for field in SITE_FIELDS[1:]:
        if field in site and fleet_errors([{'name': name, 'sites': [{'domain': site['domain'], field: site[field]}]}]):
            notes.append('%s: its %s, %s, which the fleet role does not take.' % (where, field, _quoted(site.pop(field))))
    return site


def _taken(name, field, items, key):
    """(the items the fleet role takes, each alone and once; [(item, why)] of the others)."""
    counts = {}
    for item in items:
        counts[key(item)] = counts.get(key(item), 0) + 1
    taken, refused = [], []
    for item in items:
        if counts[key(item)] > 1:
            refused.append((item, 'it is on the server %d times, and the fleet role could not tell them apart. Remove '
                                  'all but one in FlyWP' % counts[key(item)]))
        elif fleet_errors([{'name': name, field: [item]}]):
            refused.append((item, 'the fleet role does not take it'))
        else:
            taken.append(item)
    return taken, refused


def _block(spec, comments):
    """One server of the list, in YAML, with its comment lines under it."""
    text = yaml.dump([_marked(spec)], Dumper=SpecDumper, default_flow_style=False, sort_keys=False,
                     allow_unicode=True, width=100)
    return text.rstrip('\n') + ''.join('\n  # %s' % line for line in comments)


def _marked(value):
    if isinstance(value, dict):
        return dict((key, _marked(item)) for key, item in value.items())
    if isinstance(value, list):
        return [_marked(item) for item in value]
    if isinstance(value, str) and '{' in value:
        return Unsafe(value)
    return value


def _fields(item, fields):
    return dict((field, str(item[field])) for field in fields if item.get(field) is not None and str(item[field]) != '')


def _quoted(value):
    # JSON's quoting, ASCII only: no text from the API can end a comment line or start a new one.
    return json.dumps(_text(value))


def _text(value):
    return '' if value is None else str(value)


class FilterModule:
    """The report role's writing of an account as a fleet."""

    def filters(self):
        return {'fleet_spec': fleet_spec}
