# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The shapes a FlyWP answer may take (docs/api-contract.md, tolerances 1 to 4), and how an
answer of another shape is described without showing its content."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse


def unwrap(payload):
    """An object, with or without the `data` envelope (every bare object has an `id`)."""
    if isinstance(payload, dict) and 'id' not in payload and isinstance(payload.get('data'), (dict, list)):
        return payload['data']
    return payload


def same_id(left, right):
    """Ids come as numbers or numeric strings: compare them as strings."""
    return left is not None and right is not None and str(left) == str(right)


def list_parts(payload):
    """(items, meta, links) of a list answer, bare or in the envelope; (None, None, None) when it is no list."""
    if isinstance(payload, list):
        return payload, None, None
    if isinstance(payload, dict) and isinstance(payload.get('data'), list):
        meta = payload.get('meta') if isinstance(payload.get('meta'), dict) else None
        links = payload.get('links') if isinstance(payload.get('links'), dict) else None
        return payload['data'], meta, links
    return None, None, None


def next_page(page, meta, links):
    """The page after `page`, or None: by meta, else by links.next, else there is none."""
    if meta and meta.get('last_page') is not None:
        current = _as_int(meta.get('current_page'), page)
        last = _as_int(meta.get('last_page'), current)
        return current + 1 if current < last else None
    if links and links.get('next'):
        numbers = parse_qs(urlparse(str(links['next'])).query).get('page')
        return _as_int(numbers[0], page + 1) if numbers else page + 1
    return None


def what_is_not_an_object(value):
    """None for an object with a usable id; else what the value is instead, in a few words."""
    if isinstance(value, dict):
        object_id = value.get('id')
        if isinstance(object_id, bool) or not isinstance(object_id, (int, str)) or not str(object_id).strip():
            return describe(value)
        return None
    return describe(value)


def describe(value):
    """What an answer is, in a few words, without its content (which may be anything)."""
    if value is None:
        return 'an empty body'
    if isinstance(value, dict):
        if 'id' not in value:
            fields = sorted(str(key)[:40] for key in value)
            return 'an object without an id (%s)' % (
                'no fields at all' if not fields else 'fields: ' + ', '.join(fields[:8]) + (', ...' if len(fields) > 8 else ''))
        return 'an object whose id is %s' % _describe_scalar(value['id'])
    if isinstance(value, list):
        kinds = sorted(set(_describe_scalar(item, plural=True) for item in value))
        return 'an empty list' if not value else 'a list of %d %s' % (len(value), ' and '.join(kinds))
    return _describe_scalar(value)


def _describe_scalar(value, plural=False):
    names = {dict: ('an object', 'objects'), list: ('a list', 'lists'), str: ('a string', 'strings'),
             bool: ('a boolean', 'booleans'), int: ('a number', 'numbers'), float: ('a number', 'numbers'),
             type(None): ('null', 'nulls')}
    singular, many = names.get(type(value), ('a %s' % type(value).__name__, type(value).__name__ + 's'))
    if isinstance(value, str) and not value.strip() and not plural:
        singular = 'an empty string'
    return many if plural else singular


def _as_int(value, default):
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        return default
