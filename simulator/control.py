"""The control API under /_simulator: reset, config, faults, seed, tokens, request log, the dashboard's changes.

Never rate limited, never logged, always plain JSON whatever the tolerance switches say.
"""

from .responses import decode_json_object, json_response
from .routes import Route
from .state import PERMISSIONS
from .store import UnknownObject


class ControlError(Exception):
    """A control request that cannot be done: answered 400 with its message."""


def health(_state, _body_data):
    return {'ok': True}


def reset(state, _body_data):
    state.reset()
    return {'ok': True}


def get_requests(state, _body_data):
    return {'requests': state.requests()}


def clear_requests(state, _body_data):
    state.clear_requests()
    return {'ok': True}


def get_config(state, _body_data):
    return state.config_copy()


def change_config(state, body):
    return state.configure(body)


def get_faults(state, _body_data):
    with state.lock:
        return {'faults': state.faults.pending()}


def add_fault(state, body):
    unknown = set(body) - {'count', 'status', 'drop', 'delay', 'methods', 'path'}
    if unknown:
        raise ControlError(f'unknown fault keys: {", ".join(sorted(unknown))}')
    with state.lock:
        state.faults.add(count=body.get('count', 1), status=body.get('status'), drop=body.get('drop', False),
                         delay=body.get('delay', 0.0), methods=body.get('methods'), path=body.get('path'))
        return {'faults': state.faults.pending()}


def clear_faults(state, _body_data):
    with state.lock:
        state.faults.clear()
    return {'ok': True}


def seed(state, body):
    return {'servers': state.seed(body.get('servers', []), body.get('account'))}


def add_token(state, body):
    grant = state.add_token(body.get('token'), body.get('permissions', list(PERMISSIONS)), body.get('account'))
    return {'token': body.get('token'), 'permissions': sorted(grant.permissions), 'account': grant.account}


def _object_id(object_id):
    if not object_id.isdigit():
        raise UnknownObject(f'there is no object with id {object_id!r}')
    return int(object_id)


def update_object(state, body, kind, object_id):
    return state.update_object(kind, _object_id(object_id), body)


def delete_object(state, _body_data, kind, object_id):
    state.delete_object(kind, _object_id(object_id))
    return {'ok': True}


CONTROL_ROUTES = (
    Route('/health', GET=health),
    Route('/reset', POST=reset),
    Route('/requests', GET=get_requests, DELETE=clear_requests),
    Route('/config', GET=get_config, PATCH=change_config),
    Route('/faults', GET=get_faults, POST=add_fault, DELETE=clear_faults),
    Route('/seed', POST=seed),
    Route('/tokens', POST=add_token),
    Route('/objects/{kind}/{object_id}', PATCH=update_object, DELETE=delete_object),
)


def _route(path):
    """(route, path parameters) of a control path, or (None, None)."""
    for route in CONTROL_ROUTES:
        params = route.match(path)
        if params is not None:
            return route, params
    return None, None


def handle_control(state, method, path, raw_body):
    """Answer a control request; path is the part after /_simulator."""
    route, params = _route(path)
    if route is None:
        known = ', '.join(known_route.template for known_route in CONTROL_ROUTES)
        return json_response(404, {'message': f'unknown control path /_simulator{path}; known: {known}'})
    handler = route.handler(method)
    if handler is None:
        allowed = ', '.join(route.allowed_methods())
        return json_response(405, {'message': f'{method} is not supported on /_simulator{path}'}, {'Allow': allowed})
    try:
        return json_response(200, handler(state, decode_json_object(raw_body), **params))
    except UnknownObject as error:
        return json_response(404, {'message': str(error)})
    except (ControlError, ValueError) as error:  # ConfigError, SeedError, ChangeError and bad arguments are ValueErrors
        return json_response(400, {'message': str(error)})
