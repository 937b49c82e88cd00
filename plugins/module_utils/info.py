# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one implementation of every _info module.

An _info module is its documentation and one call, run_info_module(rtype, parent=...):
the same options (the parent, `id`, and a filter per natural-key field), the same paging
(FlyWPClient.list reads every page), the same comparison of filters (ResourceType.key_value,
the one the state modules match with) and the same result shape ({rtype.plural: [...]}).
"""

from __future__ import annotations

from ansible_collections.flywp.cloud.plugins.module_utils.answers import same_id
from ansible_collections.flywp.cloud.plugins.module_utils.errors import FlyWPAPIError
from ansible_collections.flywp.cloud.plugins.module_utils.module import FlyWPModule
from ansible_collections.flywp.cloud.plugins.module_utils.resource import find_by_id
from ansible_collections.flywp.cloud.plugins.module_utils.resource_types import SERVER
from ansible_collections.flywp.cloud.plugins.module_utils.validation import InvalidInput, is_id

# What an _info module's objects live under: nothing (servers), a server, or a site.
ACCOUNT, SERVER_PARENT, SITE_PARENT = None, 'server', 'site'


def run_info_module(rtype, parent=ACCOUNT, server_required=True):
    """main() of the _info module that lists `rtype` objects under `parent`.

    server_required=False (sites): without `server`, the objects of every server are read.
    """
    spec = dict(id=dict(type='str'))
    for param in rtype.key:
        spec[param] = dict(type='str', **({'choices': rtype.choices[param]} if param in rtype.choices else {}))
    if parent == SERVER_PARENT:
        spec['server'] = dict(type='str', required=server_required)
    elif parent == SITE_PARENT:
        spec.update(site=dict(type='str', required=True), server=dict(type='str'))
    FlyWPModule(argument_spec=spec).run(
        lambda module: {'changed': False, rtype.plural: _read(module, rtype, parent)})


def _read(module, rtype, parent):
    params = module.params
    for param, check in rtype.key_checks.items():
        if params[param] is not None:
            check(params[param])
    wanted = dict((param, rtype.key_value(param, params[param])) for param in rtype.key if params[param] is not None)
    object_id = params['id'].strip() if params['id'] is not None else None
    if object_id is not None and not is_id(object_id):
        raise InvalidInput('id %r: expected the id of a %s, a string of digits.' % (params['id'], rtype.label))

    if parent == ACCOUNT and object_id is not None:
        # One request for that object alone, not a list of all of them.
        found = find_by_id(module.client, rtype, object_id)
        objects = [found] if found else []
    elif parent == ACCOUNT:
        objects = module.client.list(rtype.endpoint('list'))
    elif parent == SITE_PARENT:
        site = module.find_site(params['site'], params['server'], required=True)
        objects = _under(module, rtype, site_id=site['id'])
    elif params['server'] is not None:
        objects = module.on_server(params['server'], lambda server_id: _under(module, rtype, server_id=server_id))
    else:
        objects = []
        for server in module.client.list(SERVER.endpoint('list')):
            objects.extend(_under_server_if_there(module, rtype, server['id']))

    return [obj for obj in objects
            if (object_id is None or same_id(obj.get('id'), object_id))
            and all(rtype.key_value(param, obj.get(rtype.fields[param])) == value for param, value in wanted.items())]


def _under(module, rtype, **parent):
    """The objects under a parent; none under one an earlier task of a check run would create
    (on_server and find_site give it as None: it has no id yet)."""
    if any(parent_id is None for parent_id in parent.values()):
        return []
    return module.client.list(rtype.endpoint('list'), **parent)


def _under_server_if_there(module, rtype, server_id):
    try:
        return module.client.list(rtype.endpoint('list'), server_id=server_id)
    except FlyWPAPIError as error:
        # A server deleted between the two requests has nothing to show.
        if error.is_missing('server', server_id):
            return []
        raise
