# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What a state module returns: converge run in the task's check and diff mode, its
warnings given to the task, and its outcome shaped as the module documents it, one object
(`ensure_one`: {name: object}) or a list (`ensure_each`: {plural: [objects]})."""

from __future__ import annotations

from ansible_collections.flywp.cloud.plugins.module_utils.references import References
from ansible_collections.flywp.cloud.plugins.module_utils.resource import check_unique, converge


def ensure_one(module, rtype, item, place, **options):
    """{'changed', rtype.name: the object (empty when none), 'diff'} of one item."""
    outcome = _converge(module, rtype, [item], place, options)
    return {'changed': outcome['changed'], rtype.name: _first(outcome['objects']),
            'diff': {'before': _first(outcome['before']), 'after': _first(outcome['after'])}}


def ensure_each(module, rtype, items, place, **options):
    """{'changed', rtype.plural: [objects], 'diff'} of a list of items."""
    outcome = _converge(module, rtype, items, place, options)
    return {'changed': outcome['changed'], rtype.plural: outcome['objects'],
            'diff': {'before': {rtype.plural: outcome['before']}, 'after': {rtype.plural: outcome['after']}}}


def ensure_on_server(module, rtype, list_option=None, **options):
    """The result of a state module whose objects live on a server (its `server` option), given
    one by the module's options or, with `list_option` (ssh_key's keys, cron's jobs), as a
    list: each checked before any request, then converged on the server the task names with
    one list request."""
    params = module.params
    present = params['state'] == 'present'
    many = list_option is not None and params[list_option] is not None
    items = [rtype.item(given, present) for given in (params[list_option] if many else [params])]
    check_unique(rtype, items)
    options['state'] = params['state']

    def work(place):
        if many:
            return ensure_each(module, rtype, items, place, **options)
        return ensure_one(module, rtype, items[0], place, **options)
    return References.of(module).on_server(params['server'], work, required=present)


def _converge(module, rtype, items, place, options):
    outcome = converge(module.client, rtype, items, parent=place.ids, hints=place.hints, check_mode=module.check_mode,
                       diff=module._diff, **options)
    for warning in outcome['warnings']:
        module.warn(warning)
    return outcome


def _first(objects):
    return objects[0] if objects else {}
