# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one implementation of every _info module.

An _info module is its documentation and one call, run_info_module(rtype): the same
options (the parent its declaration names, `id`, and a filter per natural-key field), the
same paging (FlyWPClient.list reads every page), the same comparison of filters
(ResourceType.key_value, the one the state modules match with) and the same result shape
({rtype.plural: [...]}).
"""

from __future__ import annotations

from ansible_collections.flywp.cloud.plugins.module_utils.answers import same_id
from ansible_collections.flywp.cloud.plugins.module_utils.errors import FlyWPAPIError
from ansible_collections.flywp.cloud.plugins.module_utils.module import FlyWPModule
from ansible_collections.flywp.cloud.plugins.module_utils.references import References
from ansible_collections.flywp.cloud.plugins.module_utils.resource import find_by_id
from ansible_collections.flywp.cloud.plugins.module_utils.resource_types import SERVER, SITE
from ansible_collections.flywp.cloud.plugins.module_utils.validation import InvalidInput, is_id


def run_info_module(rtype, server_required=True):
    """main() of the _info module that lists `rtype` objects under the parent its declaration names.

    server_required=False (sites): without `server`, the objects of every server are read.
    """
    spec = dict(id=dict(type='str'))
    for param in rtype.key:
        spec[param] = rtype.option(param)
    if rtype.parent is SERVER:
        spec['server'] = dict(type='str', required=server_required)
    elif rtype.parent is SITE:
        spec.update(site=dict(type='str', required=True), server=dict(type='str'))
    FlyWPModule(argument_spec=spec).run(
        lambda module: {'changed': False, rtype.plural: _read(module, rtype)})


def _read(module, rtype):
    params = module.params
    wanted = dict((param, rtype.key_value(param, rtype.checked(param, params[param])))
                  for param in rtype.key if params[param] is not None)
    object_id = params['id'].strip() if params['id'] is not None else None
    if object_id is not None and not is_id(object_id):
        raise InvalidInput('id %r: expected the id of %s, a string of digits.' % (params['id'], rtype.a_label))

    references = References.of(module)
    if rtype.parent is None and object_id is not None:
        # One request for that object alone, not a list of all of them.
        found = find_by_id(module.client, rtype, object_id)
        objects = [found] if found else []
    elif rtype.parent is None:
        objects = module.client.list(rtype.endpoints.list)
    elif rtype.parent is SITE:
        objects = _under(module, rtype, references.find_site(params['site'], params['server'], required=True))
    elif params['server'] is not None:
        objects = references.on_server(params['server'], lambda place: _under(module, rtype, place))
    else:
        objects = []
        for server in module.client.list(SERVER.endpoints.list):
            objects.extend(_under_server_if_there(module, rtype, server['id']))

    return [obj for obj in objects
            if (object_id is None or same_id(obj.get('id'), object_id))
            and all(rtype.key_value(param, obj.get(rtype.fields[param].api)) == value for param, value in wanted.items())]


def _under(module, rtype, place):
    """The objects under a parent; none under one an earlier task of a check run would create
    (it has no id yet)."""
    if not place.exists:
        return []
    return module.client.list(rtype.endpoints.list, **place.ids)


def _under_server_if_there(module, rtype, server_id):
    try:
        return module.client.list(rtype.endpoints.list, **{SERVER.id_arg: server_id})
    except FlyWPAPIError as error:
        # A server deleted between the two requests has nothing to show.
        if error.is_missing(SERVER, server_id):
            return []
        raise
