"""What the API answers: envelopes, pagination, error bodies, with the tolerance switches applied."""

import html
import json
import math
from dataclasses import dataclass, field
from email.utils import formatdate
from http import HTTPStatus


@dataclass
class Response:
    """An HTTP answer; drop means close the connection without any."""

    status: int
    body: bytes = b''
    content_type: str | None = None
    headers: dict = field(default_factory=dict)
    drop: bool = False


class ApiError(Exception):
    """An error answer of the API: status, message and, for 422, errors per field."""

    def __init__(self, status, message, errors=None, headers=None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors
        self.headers = headers or {}


@dataclass
class Item:
    """A handler's result: one object (created: answer the config's create_status)."""

    data: dict
    created: bool = False


@dataclass
class Collection:
    """A handler's result: a list, paginated when rendered."""

    items: list


@dataclass
class Deleted:
    """A handler's result: the object is gone (or going)."""

    label: str


@dataclass
class Done:
    """A handler's result: an action carried out that has nothing to show but a sentence."""

    message: str


def decode_json_object(raw):
    """The JSON object in a request body ({} when empty); ValueError with a readable message otherwise."""
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, ValueError) as error:
        raise ValueError(f'The request body is not valid JSON: {error}.') from None
    if not isinstance(body, dict):
        raise ValueError('The request body must be a JSON object.')
    return body


def json_response(status, payload, headers=None):
    body = json.dumps(payload).encode()
    return Response(status, body, 'application/json', dict(headers or {}))


def reason(status):
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return 'Error'


def html_page(status, message=None):
    """An error page like the ones a web server or proxy sends."""
    title = f'{status} {reason(status)}'
    detail = f'<p>{html.escape(message)}</p>' if message else ''
    text = (f'<!DOCTYPE html>\n<html><head><title>{title}</title></head>'
            f'<body><center><h1>{title}</h1></center>{detail}<hr><center>nginx</center></body></html>\n')
    return text.encode()


def proxy_error(status):
    return Response(status, html_page(status), 'text/html; charset=utf-8')


def error_response(error, config):
    """An ApiError in the configured error_format: message, error or html."""
    if config['error_format'] == 'html':
        return Response(error.status, html_page(error.status, error.message), 'text/html; charset=utf-8', dict(error.headers))
    key = 'error' if config['error_format'] == 'error' else 'message'
    payload = {key: error.message}
    if error.errors:
        payload['errors'] = error.errors
    return json_response(error.status, payload, error.headers)


def rate_limit_headers(decision, config, now):
    """X-RateLimit-* on every answer; on a 429 also Retry-After/X-RateLimit-Reset as the mode says."""
    headers = {'X-RateLimit-Limit': str(decision.limit), 'X-RateLimit-Remaining': str(decision.remaining)}
    if decision.allowed:
        return headers
    mode = config['rate_limit_headers']
    reset_at = math.ceil(decision.reset_at)
    if mode == 'retry-after':
        headers['Retry-After'] = str(max(1, math.ceil(decision.reset_at - now)))
    elif mode == 'http-date':
        headers['Retry-After'] = formatdate(reset_at, usegmt=True)
    if mode != 'none':
        headers['X-RateLimit-Reset'] = str(reset_at)
    return headers


# Tolerance 4 of the contract, at its worst: fields the client does not know, secrets among
# them (a real API might echo a password it was given), at the top level and nested.
EXTRA_FIELDS = {
    'team_id': 7,
    'admin_password': 'echoed-Secret-4a1e',
    'settings': {'db_password': 'echoed-Secret-77b0', 'php_memory_limit': '256M'},
}


def with_extra_fields(value):
    """Every object (in a list too) with EXTRA_FIELDS added (the extra_fields switch)."""
    if isinstance(value, list):
        return [with_extra_fields(item) for item in value]
    if isinstance(value, dict):
        return dict(value, **EXTRA_FIELDS)
    return value


def stringify_ids(value):
    """Every `id` and `*_id` as a numeric string (the string_ids switch)."""
    if isinstance(value, list):
        return [stringify_ids(item) for item in value]
    if isinstance(value, dict):
        return {key: str(item) if (key == 'id' or key.endswith('_id')) and isinstance(item, int) and not isinstance(item, bool)
                else stringify_ids(item) for key, item in value.items()}
    return value


def _positive_int(text, default):
    try:
        number = int(text)
    except (TypeError, ValueError):
        return default
    return number if number >= 1 else default


def paginate(items, query, config, path_url):
    """The list payload for the pagination mode; bare_json means every item in one bare array."""
    if config['bare_json']:
        return items
    if config['pagination'] == 'none':
        return {'data': items}
    per_page = min(_positive_int(query.get('per_page'), config['default_per_page']), config['max_per_page'])
    page = _positive_int(query.get('page'), 1)
    total = len(items)
    last_page = max(1, math.ceil(total / per_page))
    first = (page - 1) * per_page
    chunk = items[first:first + per_page]

    def link(number):
        return f'{path_url}?page={number}&per_page={per_page}'

    next_url = link(page + 1) if page < last_page else None
    if config['pagination'] == 'links':
        return {'data': chunk, 'links': {'next': next_url}}
    return {
        'data': chunk,
        'links': {'first': link(1), 'last': link(last_page), 'prev': link(page - 1) if page > 1 else None, 'next': next_url},
        'meta': {
            'current_page': page,
            'from': first + 1 if chunk else None,
            'last_page': last_page,
            'path': path_url,
            'per_page': per_page,
            'to': first + len(chunk) if chunk else None,
            'total': total,
        },
    }


def render(result, config, query, path_url):
    """Turn a handler's Item, Collection, Deleted or Done into a Response under the current switches."""
    if isinstance(result, Deleted):
        if config['delete_status'] == 204:
            return Response(204)
        return json_response(200, {'message': f'{result.label} deleted.'})
    if isinstance(result, Done):
        return json_response(200, {'message': result.message})
    extra = with_extra_fields if config['extra_fields'] else (lambda value: value)
    if isinstance(result, Collection):
        payload = paginate(extra(result.items), query, config, path_url)
        status = 200
    else:
        payload = extra(result.data) if config['bare_json'] else {'data': extra(result.data)}
        status = config['create_status'] if result.created else 200
    if config['string_ids']:
        payload = stringify_ids(payload)
    return json_response(status, payload)
