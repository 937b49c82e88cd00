# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""A request a task names by its path: flywp.cloud.api and the lookup flywp.cloud.api.

GivenRequest checks what a task gives before any request (the path, its placeholders and
the options they need, the body, the query, the statuses), resolves the placeholders
{server} and {site} by the one rule of references.py (names, ids, hints the API confirms, a
check run's predictions), and sends the request through the client every module uses
(its budget, its retries, never a POST twice, no redirect followed, no secret field unless
asked). The endpoint it sends to is a GivenEndpoint (declaration.py), so the errors name
the objects of the path as they do for the typed modules.
"""

from __future__ import annotations

import json
import math
import re
from urllib.parse import quote, urlsplit

from ansible_collections.flywp.cloud.plugins.module_utils.errors import unexpected_status
from ansible_collections.flywp.cloud.plugins.module_utils.redaction import without_secrets
from ansible_collections.flywp.cloud.plugins.module_utils.references import References
from ansible_collections.flywp.cloud.plugins.module_utils.resource_types import SERVER, SITE, given_endpoint
from ansible_collections.flywp.cloud.plugins.module_utils.validation import InvalidInput, is_id

METHODS = ('GET', 'POST', 'PUT', 'PATCH', 'DELETE')
# The placeholders a path may hold, and the option each is resolved from.
PLACEHOLDERS = {'server': SERVER, 'site': SITE}
PLACEHOLDER = re.compile(r'\{([^{}/]*)\}')
SCHEME = re.compile(r'^[A-Za-z][A-Za-z0-9+.-]*:')
PAGING = ('page', 'per_page')  # what all_pages sends itself
# In a path shown for an object a check run would create, where its id would go.
NOT_MADE_YET = '{%s %s, not made yet}'


class GivenRequest:
    """One request as a task gives it, checked: InvalidInput before any request otherwise.

    api_path is the path of api_url (/api/v1), which the given path must not repeat.
    """

    def __init__(self, path, method='GET', body=None, query=None, server=None, site=None, all_pages=False,
                 status_code=None, api_path=''):
        self.method = method
        self.template = checked_path(path, api_path)
        self.placeholders = PLACEHOLDER.findall(self.template)
        self.server, self.site = _references(self.placeholders, server, site)
        self.body = checked_body(body, method)
        self.all_pages = bool(all_pages)
        if self.all_pages and method != 'GET':
            raise InvalidInput('all_pages reads every page of a list, which is a GET: leave all_pages out for a %s.'
                               % method)
        self.query = checked_query(query, self.all_pages)
        self.success = checked_statuses(status_code, self.all_pages)

    @property
    def accepted(self):
        """The statuses of 400 and more the task counts as success: the client returns them."""
        return tuple(status for status in self.success or () if status >= 400)

    def on_ids(self, references, work):
        """work(ids) with the id of each placeholder the path holds ({'server': '12', 'site': '34'}),
        by the rule every module follows; an id of None is an object an earlier task of this check
        run would create (references.py warns that it does not exist yet)."""
        if 'site' in self.placeholders:
            place = references.find_site(self.site, self.server, required=True)
            ids = {'site': place.ids[SITE.id_arg]}
            if 'server' not in self.placeholders:
                return work(ids)
            if SERVER.id_arg in place.ids:  # found by its domain, on that server
                return work(dict(ids, server=place.ids[SERVER.id_arg]))
            return references.on_server(self.server, lambda server: work(dict(ids, server=server.ids[SERVER.id_arg])))
        if 'server' in self.placeholders:
            return references.on_server(self.server, lambda server: work({'server': server.ids[SERVER.id_arg]}))
        return work({})

    def path(self, ids):
        """The path with the ids in its placeholders; one not made yet shows as NOT_MADE_YET."""
        def fill(match):
            name = match.group(1)
            if ids.get(name) is None:
                return NOT_MADE_YET % (PLACEHOLDERS[name].label, getattr(self, name))
            return quote(str(ids[name]), safe='')  # an id stays one segment, as Endpoint.path_with keeps it
        return PLACEHOLDER.sub(fill, self.template)

    def can_send(self, ids):
        return all(ids.get(name) is not None for name in self.placeholders)

    def shown(self, ids):
        """What the request is, as a result shows it: the body without its secret fields."""
        return {'method': self.method, 'path': self.path(ids), 'query': self.query, 'body': without_secrets(self.body)}

    def send(self, client, ids, keep_secrets=False):
        """{'status', 'json', and with all_pages 'all_items'} of the request sent once, through the client."""
        path = self.path(ids)
        endpoint = given_endpoint(self.method, path)
        if self.all_pages:
            items, last = client.every_item(endpoint, query=self.query, keep_secrets=keep_secrets)
            result = {'status': client.last_status, 'json': last, 'all_items': items}
        else:
            status, answer = client.request(endpoint, body=self.body, query=self.query, accept=self.accepted,
                                            keep_secrets=keep_secrets)
            result = {'status': status, 'json': answer}
        if self.success is not None and result['status'] not in self.success:
            raise unexpected_status(self.method, path, result['status'], self.success, result)
        return result


def checked_path(path, api_path=''):
    """The path as given, or InvalidInput saying what to write instead."""
    example = '/servers/{server}/sites'
    if not isinstance(path, str):
        raise InvalidInput('path must be text, such as %s, not %s.' % (example, _kind(path)))
    text = path
    if not text.strip():
        raise InvalidInput('path must not be empty: give the API path under api_url, such as %s.' % example)
    if SCHEME.match(text) or text.startswith('//'):
        raise InvalidInput('path %r holds a scheme or a host: give only the path under api_url, such as %s '
                           '(api_url says where the API is).' % (text, example))
    if not text.startswith('/'):
        raise InvalidInput("path %r must start with '/': write %r." % (text, '/' + text))
    if '?' in text or '#' in text:
        raise InvalidInput("path %r holds '?' or '#': give the path alone, and its parameters in query, such as "
                           "query: {per_page: 50}." % text)
    segments = text[1:].split('/')
    if '..' in text or '.' in segments or '%2e' in text.lower():
        raise InvalidInput("path %r holds '..', '.' or an encoded dot: give the path as FlyWP names it, each object by "
                           "its id or a placeholder, such as %s." % (text, example))
    if text.endswith('/') or '' in segments:
        raise InvalidInput("path %r has an empty segment or ends with '/': write %r (FlyWP's paths have neither, and "
                           "a redirect to the other spelling would not be followed)." % (text, '/' + '/'.join(
                               segment for segment in segments if segment)))
    if any(character.isspace() for character in text):
        raise InvalidInput('path %r holds a space: FlyWP\'s paths have none (write %%20 where one is meant).' % text)
    prefix = (api_path or '').rstrip('/')
    if prefix and (text == prefix or text.startswith(prefix + '/')):
        raise InvalidInput('path %r starts with %s, which api_url already ends with: write %r.' % (
            text, prefix, text[len(prefix):] or example))
    for segment in segments:
        names = PLACEHOLDER.findall(segment)
        if not names and '{' not in segment and '}' not in segment:
            continue
        unknown = [name for name in names if name not in PLACEHOLDERS]
        if unknown:
            raise InvalidInput('path %r holds the placeholder {%s}: the placeholders are {server} (filled from the '
                               'server option, a name or id) and {site} (from site, a domain or id); write any other '
                               'id in the path itself.' % (text, unknown[0]))
        if segment not in ('{server}', '{site}'):
            raise InvalidInput("path %r holds %r: a placeholder is a whole segment of the path, such as %s, and "
                               "'{' and '}' are used for nothing else." % (text, segment, example))
    found = PLACEHOLDER.findall(text)
    if len(set(found)) < len(found):
        raise InvalidInput('path %r holds a placeholder twice: each of {server} and {site} once.' % text)
    return text


def _references(placeholders, server, site):
    """(server, site) as given, each checked to go with its placeholder."""
    if 'server' in placeholders and server is None:
        raise InvalidInput('path holds {server}: give server, the name or id of the server to put there.')
    if 'site' in placeholders and site is None:
        raise InvalidInput('path holds {site}: give site, the domain or id of the site to put there (with server when '
                           'it is a domain).')
    if site is not None and 'site' not in placeholders:
        raise InvalidInput('site is given, but path holds no {site}: put {site} where the site\'s id goes (such as '
                           '/sites/{site}/backups), or leave site out.')
    site_by_domain = site is not None and not is_id(str(site).strip())
    if server is not None and 'server' not in placeholders and not site_by_domain:
        raise InvalidInput('server is given, but path holds no {server}%s: put {server} where the server\'s id goes '
                           '(such as /servers/{server}/sites), or leave server out.' % (
                               ', and the site is given by id' if site is not None else ''))
    return server, site


def checked_body(body, method):
    """The body, a mapping that JSON carries as it is, or InvalidInput."""
    if body is None:
        return None
    if method == 'GET':
        raise InvalidInput('body is given for a GET, which sends none: give its parameters in query, or choose the '
                           'method that takes a body.')
    if not isinstance(body, dict):
        raise InvalidInput('body must be a mapping of the fields to send, such as {php_version: "8.3"}, not %s; it is '
                           'sent as a JSON object%s.' % (_kind(body), ' (give the mapping itself, not its JSON text)'
                                                         if isinstance(body, str) else ''))
    try:
        json.dumps(body, allow_nan=False)
    except (TypeError, ValueError) as error:
        raise InvalidInput('body cannot be sent as JSON (%s): give text, numbers, booleans, null, lists and mappings '
                           'only.' % str(error)[:200])
    return body


def checked_query(query, all_pages):
    """The query parameters as sent ({name: text}), or InvalidInput."""
    if query is None:
        return None
    if not isinstance(query, dict):
        raise InvalidInput('query must be a mapping of parameter names to values, such as {per_page: 50}, not %s.'
                           % _kind(query))
    checked = {}
    for name, value in query.items():
        if all_pages and name in PAGING:
            raise InvalidInput('query holds %s, which all_pages sets itself on every page: leave it out, or leave '
                               'all_pages out to read one page.' % name)
        if isinstance(value, bool):
            checked[str(name)] = 'true' if value else 'false'
        elif isinstance(value, str) or (isinstance(value, (int, float)) and math.isfinite(value)):
            checked[str(name)] = str(value)
        else:
            raise InvalidInput('query.%s must be text, a number or a boolean, not %s.' % (name, _kind(value)))
    return checked


def checked_statuses(codes, all_pages):
    """The statuses that count as success (None: any 2xx), or InvalidInput."""
    if codes is None:
        return None
    if not codes:
        raise InvalidInput('status_code is empty: list the statuses that count as success, or leave it out for any 2xx.')
    for code in codes:
        if code == 429:
            raise InvalidInput('status_code holds 429, which the client always waits out (rate_limit_timeout) and '
                               'never returns: leave it out.')
        if not (200 <= code < 300 or 400 <= code < 600):
            raise InvalidInput('status_code holds %s: give statuses from 200 to 299 and 400 to 599; a redirect (3xx) '
                               'is never followed nor taken for success.' % code)
        if all_pages and code >= 400:
            raise InvalidInput('status_code holds %s with all_pages, which reads pages of a list: only 2xx statuses '
                               'go with it.' % code)
    return tuple(sorted(set(codes)))


def _kind(value):
    return {list: 'a list', dict: 'a mapping', str: 'a string', bool: 'a boolean', int: 'a number',
            float: 'a number', type(None): 'null'}.get(type(value), type(value).__name__)


def module_result(module):
    """What flywp.cloud.api returns (its options in module.params): the request sent once, or
    in check mode, for a write, what would be sent; a GET runs in check mode too."""
    params = module.params
    request = GivenRequest(params['path'], params['method'], params['body'], params['query'], params['server'],
                           params['site'], params['all_pages'], params['status_code'],
                           urlsplit(module.client.base_url).path)
    if params['return_secrets'] and not module.no_log:
        module.warn('return_secrets is set on a task without no_log: true, so the secret fields of the answer (a '
                    'password FlyWP shows once) show wherever the result does: in the output with -v, in callbacks '
                    'and logs. Add no_log: true to the task.')

    def work(ids):
        result = {'changed': False, 'request': request.shown(ids)}
        if not request.can_send(ids):
            # Under an object an earlier task of this check run would create: nothing to ask yet.
            return dict(result, changed=request.method != 'GET', **({'all_items': []} if request.all_pages else {}))
        if module.check_mode and request.method != 'GET':
            return dict(result, changed=True)
        sent = request.send(module.client, ids, keep_secrets=params['return_secrets'])
        return dict(result, changed=request.method != 'GET' and 200 <= sent['status'] < 300, **sent)

    return request.on_ids(References.of(module), work)
