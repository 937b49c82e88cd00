"""The control API under /_simulator: reset, config, faults, seed, tokens, request log.

Never rate limited, never logged, always plain JSON whatever the tolerance switches say.
"""

from .responses import decode_json_object, json_response
from .state import PERMISSIONS


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
    unknown = set(body) - {'count', 'status', 'drop', 'delay', 'methods'}
    if unknown:
        raise ControlError(f'unknown fault keys: {", ".join(sorted(unknown))}')
    with state.lock:
        state.faults.add(count=body.get('count', 1), status=body.get('status'), drop=body.get('drop', False),
                         delay=body.get('delay', 0.0), methods=body.get('methods'))
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


CONTROL_ROUTES = {
    '/health': {'GET': health},
    '/reset': {'POST': reset},
    '/requests': {'GET': get_requests, 'DELETE': clear_requests},
    '/config': {'GET': get_config, 'PATCH': change_config},
    '/faults': {'GET': get_faults, 'POST': add_fault, 'DELETE': clear_faults},
    '/seed': {'POST': seed},
    '/tokens': {'POST': add_token},
}


def handle_control(state, method, path, raw_body):
    """Answer a control request; path is the part after /_simulator."""
    handlers = CONTROL_ROUTES.get(path)
    if handlers is None:
        return json_response(404, {'message': f'unknown control path /_simulator{path}; known: {", ".join(CONTROL_ROUTES)}'})
    handler = handlers.get('GET' if method == 'HEAD' else method)
    if handler is None:
        return json_response(405, {'message': f'{method} is not supported on /_simulator{path}'}, {'Allow': ', '.join(handlers)})
    try:
        return json_response(200, handler(state, decode_json_object(raw_body)))
    except (ControlError, ValueError) as error:  # ConfigError, SeedError and bad arguments are ValueErrors
        return json_response(400, {'message': str(error)})
