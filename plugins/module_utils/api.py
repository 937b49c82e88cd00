# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one HTTP transport of the collection: every module and the inventory use it.

It sends the token, unwraps the Laravel envelope, fetches every page of a list, turns
every non-2xx answer into a FlyWPAPIError a person can act on, and keeps inside the
FlyWP rate limit (60 requests a minute per token). The tolerances of
docs/api-contract.md are accepted here, so nothing above this file sees them.

Every answer passes without_secrets() on its way in: no password or token the API might
echo reaches a result, a diff, a warning or the inventory cache. Every wait (backoff,
rate-limit pacing, polling) goes through the client's one clock/sleep pair, so tests
run on a fake clock.
"""

from __future__ import annotations

import ipaddress
import json
import random
import re
import time
import traceback
from urllib.parse import parse_qs, urlparse

from ansible_collections.flywp.cloud.plugins.module_utils.endpoints import ASSUMED, owner, resolve
from ansible_collections.flywp.cloud.plugins.module_utils.ratelimit import (
    BudgetExhausted, NameCache, RateLimitBudget, SharedState)

try:
    import requests
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError:
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()

COLLECTION_VERSION = '0.1.0'
DEFAULT_API_URL = 'https://app.flywp.com/api/v1'
USER_AGENT = 'flywp.cloud/%s (Ansible collection)' % COLLECTION_VERSION

PER_PAGE = 100  # the largest page Laravel's paginators are commonly allowed to serve
TRANSIENT_STATUSES = (502, 503, 504)
TRANSIENT_RETRIES = 3
SAFE_TO_RETRY = ('GET', 'DELETE')  # a POST is never sent twice: it could create a duplicate
PERMISSION_FOR_METHOD = {'GET': 'Read', 'POST': 'Create', 'PUT': 'Update', 'PATCH': 'Update', 'DELETE': 'Delete'}
REDACTED = '********'
# A field whose name holds one of these is never shown, whatever object it is in.
SECRET_FIELD = re.compile(r'password|passwd|passphrase|secret|token|private_key', re.IGNORECASE)


def without_secrets(value):
    """The API's answer less every field that looks like a secret, at any depth: the one
    read helper every object passes before a module, a diff or a cache can see it."""
    if isinstance(value, dict):
        return dict((key, without_secrets(item)) for key, item in value.items() if not SECRET_FIELD.search(str(key)))
    if isinstance(value, list):
        return [without_secrets(item) for item in value]
    return value


class FlyWPError(Exception):
    """A task cannot go on. str(error) is a sentence a person can act on; `result` holds
    what a module returns beside it (for instance the resource that ended `failed`)."""

    def __init__(self, message, result=None):
        super().__init__(message)
        self.message = message
        self.result = result or {}


class FlyWPAPIError(FlyWPError):
    """A request the FlyWP API did not fulfil, or one the client refused to send.

    The attributes let callers decide, for instance that a 404 on DELETE means the object
    is already gone.
    """

    def __init__(self, message, method=None, path=None, status=None, api_message=None, errors=None, missing=None):
        super().__init__(message)
        self.method = method
        self.path = path
        self.status = status
        self.api_message = api_message
        self.errors = errors or {}
        self.missing = missing  # (kind, id) of the object a 404 says is not there, e.g. ('server', '12')
        self.result = {'failure': self.to_dict()}

    def is_missing(self, kind, object_id):
        """True when this is a read that found no `kind` with that id (its 404 says so)."""
        return self.method == 'GET' and self.missing is not None and self.missing == (kind, str(object_id))

    def to_dict(self):
        """The structured failure modules return beside their message."""
        return {
            'message': self.message,
            'method': self.method,
            'path': self.path,
            'status': self.status,
            'api_message': self.api_message,
            'errors': self.errors,
        }


def is_loopback(host):
    if host == 'localhost':
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def unwrap(payload):
    """An object, with or without the `data` envelope (every bare object has an `id`)."""
    if isinstance(payload, dict) and 'id' not in payload and isinstance(payload.get('data'), (dict, list)):
        return payload['data']
    return payload


def same_id(left, right):
    """Ids come as numbers or numeric strings: compare them as strings."""
    return left is not None and right is not None and str(left) == str(right)


class FlyWPClient:
    """A session with the FlyWP API for one token."""

    def __init__(self, token, url=DEFAULT_API_URL, timeout=30, validate_certs=True, rate_limit_timeout=300,
                 backoff=1.0, clock=time.time, sleep=time.sleep, state_dir=None):
        if not token:
            raise FlyWPAPIError('No FlyWP API token: set the api_token option or the FLYWP_API_TOKEN environment variable.')
        self.base_url = (url or DEFAULT_API_URL).rstrip('/')
        parsed = urlparse(self.base_url)
        if parsed.scheme not in ('http', 'https') or not parsed.hostname:
            raise FlyWPAPIError('The FlyWP API URL %r is not an http(s) URL such as %s.' % (self.base_url, DEFAULT_API_URL))
        if parsed.scheme == 'http' and not is_loopback(parsed.hostname):
            raise FlyWPAPIError(
                'Refusing to send the FlyWP API token over plain http:// to %s: use https://, or a loopback '
                'address such as 127.0.0.1 for a local simulator or proxy.' % parsed.hostname)
        self._token = token
        self.timeout = timeout
        self.backoff = backoff
        # The one clock every wait of this client is measured and spent on.
        self.clock, self.sleep = clock, sleep
        # Shared with every process of the collection on this controller using this URL and
        # token (ratelimit.py): the rate-limit budget, and the ids of server names.
        shared = SharedState(self.base_url, token, directory=state_dir)
        self.budget = RateLimitBudget(rate_limit_timeout, shared, backoff=backoff, sleep=sleep, clock=clock)
        self.names = NameCache(shared, clock=clock)
        self.session = requests.Session()
        self.session.verify = validate_certs
        self.session.headers.update({
            'Authorization': 'Bearer %s' % token,
            'Accept': 'application/json',
            'Content-Type': 'application/json',
            'User-Agent': USER_AGENT,
        })

    def call(self, name, body=None, **ids):
        """Send one request to the named endpoint; return its object (or None when empty)."""
        endpoint, path = resolve(name, ids)
        payload = self._request(endpoint, path, body=body)
        return unwrap(payload)

    def list(self, name, **ids):
        """Every item of a list endpoint, fetched page by page."""
        endpoint, path = resolve(name, ids)
        items, page = [], 1
        while True:
            payload = self._request(endpoint, path, params={'page': page, 'per_page': PER_PAGE})
            data, meta, links = _list_parts(payload, endpoint.method, path)
            items.extend(data)
            following = _next_page(page, meta, links)
            if not data or following is None or following <= page:
                return items
            page = following

    def _request(self, endpoint, path, body=None, params=None):
        method = endpoint.method
        url = self.base_url + path
        data = None if body is None else json.dumps(body)
        rate_limited, transient = 0, 0
        while True:
            self._within_budget(method, path, lambda: self.budget.pace(method, path))
            try:
                response = self.session.request(method, url, params=params, data=data, timeout=self.timeout)
            except requests.RequestException as exc:
                self.budget.release()
                # Refused, dropped, cut short in the middle of the answer, or no answer in time.
                network = isinstance(exc, (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError))
                if network and method in SAFE_TO_RETRY and transient < TRANSIENT_RETRIES:
                    transient += 1
                    self._back_off(transient)
                    continue
                raise FlyWPAPIError(self._redact(
                    'Could not reach the FlyWP API for %s %s at %s: %s%s' % (
                        method, path, self.base_url, _reason(exc),
                        ' (tried %d times)' % (transient + 1) if transient else '')),
                    method=method, path=path)
            self.budget.observe(response.headers)
            status = response.status_code
            if status == 429:
                rate_limited += 1
                delay = self.budget.delay_after_429(response.headers, rate_limited)
                self._within_budget(method, path, lambda: self.budget.wait(delay, method, path, 'the rate limit to clear'))
                continue
            if status in TRANSIENT_STATUSES and method in SAFE_TO_RETRY and transient < TRANSIENT_RETRIES:
                transient += 1
                self._back_off(transient)
                continue
            if method == 'DELETE' and status == 404 and transient:
                return None  # an earlier try went through before the proxy failed: it is gone
            if status >= 400:
                raise self._error(endpoint, path, response, transient)
            return self._decode(response, method, path)

    @staticmethod
    def _within_budget(method, path, wait):
        """wait(), or the failure that waiting would pass rate_limit_timeout."""
        try:
            wait()
        except BudgetExhausted as error:
            raise FlyWPAPIError(str(error), method=method, path=path, status=429)

    def _back_off(self, attempt):
        self.sleep(self.backoff * 2 ** (attempt - 1) * (1 + random.random() / 2))

    def _decode(self, response, method, path):
        if response.status_code == 204 or not response.content.strip():
            return None
        try:
            return without_secrets(response.json())
        except ValueError:
            raise FlyWPAPIError('The FlyWP API answered %s %s with a body that is not JSON (%s).' % (
                method, path, response.headers.get('Content-Type', 'no content type')),
                method=method, path=path, status=response.status_code)

    def _error(self, endpoint, path, response, retries):
        method, status = endpoint.method, response.status_code
        api_message, errors = _error_body(response)
        missing = None
        errors = dict((field, [self._redact(message) for message in messages]) for field, messages in errors.items())
        text = 'The FlyWP API answered %d to %s %s' % (status, method, path)
        if status == 401:
            text += ': the API token was not accepted. Check the token in FLYWP_API_TOKEN or the api_token option.'
        elif status == 403:
            permission = PERMISSION_FOR_METHOD.get(method, 'needed')
            text += (': the API token lacks the %s permission. Give the token the %s permission in the FlyWP '
                     'dashboard, or use a token that has it.' % (permission, permission))
        elif status in (404, 405) and '{' not in endpoint.path:
            # /servers itself cannot be missing: the URL in front of it is wrong.
            text += (': there is no FlyWP API at %s. Check api_url (or FLYWP_API_URL): it is the API\'s base URL with '
                     'its version, such as %s.' % (self.base_url, DEFAULT_API_URL))
        elif status in (404, 405) and endpoint.source == ASSUMED:
            text += ': this action may not be available in your FlyWP API version.'
        elif status == 404 and owner(endpoint, path):
            # A documented endpoint under /servers/{id} (or /sites/{id}): the object with that id does not exist.
            missing = owner(endpoint, path)
            text += ': there is no FlyWP %s with id %s.' % missing
        elif status == 422 and errors:
            text += ': the request was refused. ' + ' '.join(
                '%s: %s' % (field, ' '.join(messages)) for field, messages in sorted(errors.items()))
        elif status >= 500:
            text += ': the FlyWP service failed%s. Try again later.' % (' (tried %d times)' % (retries + 1) if retries else '')
        if not text.endswith('.'):
            text += '.'
        if api_message and not (status == 422 and errors):
            text += ' The API said: %s' % api_message
        return FlyWPAPIError(self._redact(text), method=method, path=path, status=status,
                             api_message=self._redact(api_message), errors=errors, missing=missing)

    def _redact(self, text):
        if text and self._token:
            return text.replace(self._token, REDACTED)
        return text


def _reason(exc):
    if isinstance(exc, requests.Timeout):
        return 'no answer in time (raise api_timeout if the API is slow)'
    return exc.__class__.__name__ + (': ' + str(exc.args[0]) if exc.args else '')


def _error_body(response):
    """(message, field errors) from an error body of any shape, or (None, {}) for HTML."""
    try:
        body = response.json()
    except ValueError:
        return None, {}
    if not isinstance(body, dict):
        return None, {}
    message = body.get('message') or body.get('error')
    errors = body.get('errors') if isinstance(body.get('errors'), dict) else {}
    errors = dict((str(field), [str(m) for m in (msgs if isinstance(msgs, list) else [msgs])]) for field, msgs in errors.items())
    return (str(message) if message else None), errors


def _list_parts(payload, method, path):
    if isinstance(payload, list):
        return payload, None, None
    if isinstance(payload, dict) and isinstance(payload.get('data'), list):
        meta = payload.get('meta') if isinstance(payload.get('meta'), dict) else None
        links = payload.get('links') if isinstance(payload.get('links'), dict) else None
        return payload['data'], meta, links
    raise FlyWPAPIError('The FlyWP API answered %s %s with something that is not a list.' % (method, path),
                        method=method, path=path)


def _next_page(page, meta, links):
    """The page after `page`, or None: by meta, else by links.next, else there is none."""
    if meta and meta.get('last_page') is not None:
        current = _as_int(meta.get('current_page'), page)
        last = _as_int(meta.get('last_page'), current)
        return current + 1 if current < last else None
    if links and links.get('next'):
        numbers = parse_qs(urlparse(str(links['next'])).query).get('page')
        return _as_int(numbers[0], page + 1) if numbers else page + 1
    return None


def _as_int(value, default):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default
