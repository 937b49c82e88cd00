# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: fleet_errors
short_description: The mistakes in a fleet_servers list of the flywp.cloud.fleet role
version_added: 1.0.0
author:
  - flywp.cloud contributors
description:
  - Checks every field of every server of a C(fleet_servers) list, as the role P(flywp.cloud.fleet#role)
    takes it, and returns one short message for each mistake, or an empty list.
  - The fields, their types and choices are those of the role's C(meta/argument_specs.yml)
    (C(ansible-doc -t role flywp.cloud.fleet)). A field the specification does not have is named with
    the one it most resembles (V(site) - did you mean V(sites)?).
  - Each value gets the checks that M(flywp.cloud.site), M(flywp.cloud.ssh_key) and
    M(flywp.cloud.cron) make before their first request, in the same words. That is domains
    and e-mail addresses, SSH public keys, cron frequencies and users, and the length of each
    text. A server listed twice is a mistake, and so is a site, SSH key or cron job listed twice
    on one server.
  - The role runs it in its first step, so a mistake stops the role before any request. No message shows a
    password or a key.
options:
  _input:
    description: The servers, as in the C(fleet_servers) variable of P(flywp.cloud.fleet#role).
    type: list
    elements: raw
    required: true
"""

EXAMPLES = r"""
- name: Check a fleet before a change window, without touching FlyWP
  ansible.builtin.assert:
    that: fleet_servers | flywp.cloud.fleet_errors | length == 0
    fail_msg: "{{ fleet_servers | flywp.cloud.fleet_errors | join(' ') }}"
"""

RETURN = r"""
_value:
  description:
    - One message for each mistake, naming where it is, such as C(fleet_servers[0].cron_jobs[1]) for the
      second cron job of the first server; the server's name follows its index, in parentheses.
    - Empty when every field is right.
  type: list
  elements: str
"""

import difflib
import functools
import os
from collections.abc import Mapping

import yaml
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.flywp.cloud.plugins.module_utils.resource_types import CRON, SERVER, SITE, SSH_KEY
from ansible_collections.flywp.cloud.plugins.module_utils.validation import InvalidInput, text_option

ARGUMENT_SPECS = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'roles', 'fleet', 'meta',
                              'argument_specs.yml')
# Each list of a server in fleet_servers, and the resource its items are.
LISTS = (('sites', SITE), ('ssh_keys', SSH_KEY), ('cron_jobs', CRON))
MOST_MESSAGES = 20


@functools.lru_cache(maxsize=1)
def server_fields():
    """The fields of a server of fleet_servers, from the role's own argument specification."""
    with open(ARGUMENT_SPECS, encoding='utf-8') as handle:
        return yaml.safe_load(handle)['argument_specs']['main']['options']['fleet_servers']['options']


def fleet_errors(servers):
    if servers is None:
        return []
    if isinstance(servers, (str, Mapping)) or not isinstance(servers, (list, tuple)):
        return ['fleet_servers: expected a list of servers, got a %s.' % _kind(servers)]
    errors = []
    for index, server in enumerate(servers):
        where = 'fleet_servers[%d]' % index
        if isinstance(server, Mapping) and isinstance(server.get('name'), str) and server['name'].strip():
            where += ' (%s)' % server['name'].strip()[:60]
        found = _shape_errors(where, server, server_fields())
        errors.extend(found or _value_errors(where, server))
    errors.extend(_twice(SERVER, [(server, 'fleet_servers[%d]' % index)
                                  for index, server in enumerate(servers) if isinstance(server, Mapping)]))
    errors = [error if error.endswith(('.', '?')) else error + '.' for error in errors]
    if len(errors) > MOST_MESSAGES:
        errors = errors[:MOST_MESSAGES] + ['And %d more.' % (len(errors) - MOST_MESSAGES)]
    return errors


def _shape_errors(where, value, fields):
    """Unknown fields, and the types, choices and required fields of the specification."""
    if not isinstance(value, Mapping):
        return ['%s: expected a mapping of fields, got a %s' % (where, _kind(value))]
    errors = []
    for name in value:
        if name not in fields:
            errors.append('%s: unknown field %r; %s' % (where, name, _hint(str(name), fields)))
    nested = {name for name, spec in fields.items() if spec.get('options')}
    flat = {name: {key: setting for key, setting in spec.items() if key in ('type', 'elements', 'choices', 'required')}
            for name, spec in fields.items() if name not in nested}
    result = ArgumentSpecValidator(flat).validate({name: value[name] for name in flat if name in value})
    errors.extend('%s: %s' % (where, message) for message in result.error_messages)
    for name in sorted(nested):
        items = value.get(name)
        if items is None:
            continue
        if isinstance(items, (str, Mapping)) or not isinstance(items, (list, tuple)):
            errors.append('%s.%s: expected a list, got a %s' % (where, name, _kind(items)))
            continue
        for index, item in enumerate(items):
            errors.extend(_shape_errors('%s.%s[%d]' % (where, name, index), item, fields[name]['options']))
    return errors


def _value_errors(where, server):
    """The checks of the modules (the resources' declared checks), on a server whose fields all
    have their types."""
    checks = [(where, SERVER, server)]
    for name, rtype in LISTS:
        checks.extend(('%s.%s[%d]' % (where, name, index), rtype, item) for index, item in enumerate(server.get(name) or []))
    errors = []
    for place, rtype, given in checks:
        for param, field in rtype.fields.items():
            value = given.get(param)
            if value is None or field.kind != 'str' or field.choices is not None:
                continue  # the role's argument specification checked its type and choices
            try:
                text_option('%s.%s' % (place, param), value, field=param)
                rtype.given_value(param, value)
            except InvalidInput as error:
                # text_option names the field with its place; the other checks name the field alone
                message = str(error)
                errors.append(message if message.startswith(place) else '%s: %s' % (place, message))
    for name, rtype in LISTS:
        errors.extend(_twice(rtype, [(item, '%s[%d]' % (name, index)) for index, item in enumerate(server.get(name) or [])],
                             where))
    return errors


def _twice(rtype, given, where=None):
    """The natural keys listed more than once: the role would converge the same object twice."""
    places = {}
    for item, place in given:
        key = _key(rtype, item)
        if key:
            places.setdefault(key, []).append(place)
    return ['%s%s %r is listed %d times (%s): list it once' % (
        '%s: the ' % where if where else 'The ', rtype.label, key, len(found), ', '.join(found))
        for key, found in places.items() if len(found) > 1]


def _key(rtype, item):
    """An item's natural key as converge compares it ('command as user' for a cron job); '' when a
    key field is blank (that mistake has its own message)."""
    values = []
    for param in rtype.key:
        try:
            values.append(rtype.given_value(param, item.get(param)))
        except InvalidInput:
            values.append(item.get(param))
    key = rtype.key_of_item(dict(zip(rtype.key, values)))
    return ' as '.join(key) if all(key) else ''


def _hint(name, fields):
    close = difflib.get_close_matches(name, list(fields), n=1, cutoff=0.6)
    if close:
        return 'did you mean %r?' % close[0]
    return 'the fields are %s' % ', '.join(sorted(fields))


def _kind(value):
    if isinstance(value, Mapping):
        return 'mapping'
    if isinstance(value, (list, tuple)):
        return 'list'
    if isinstance(value, bool):
        return 'boolean'
    if isinstance(value, str):
        return 'string (%r)' % value[:40] if value else 'empty string'
    return type(value).__name__


class FilterModule:
    """The checks of the flywp.cloud.fleet role's input."""

    def filters(self):
        return {'fleet_errors': fleet_errors}
