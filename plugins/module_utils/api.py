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
import threading
import time
import traceback
from urllib.parse import parse_qs, quote, urlparse

from ansible_collections.flywp.cloud.plugins.module_utils.endpoints import ASSUMED, owner, resolve
from ansible_collections.flywp.cloud.plugins.module_utils.ratelimit import (
    BudgetExhausted, NameCache, RateLimitBudget, SharedState)

try:
    import requests
    from urllib3.exceptions import NewConnectionError
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
TOKEN_TEXT = re.compile(r'^[\x20-\x7e]+$')  # printable ASCII: what an HTTP header carries unchanged
MAX_API_TIMEOUT = 3600
MAX_RATE_LIMIT_TIMEOUT = 86400
DEADLINE_FACTOR = 2  # a whole request, answer included, ends after twice api_timeout at most
RATE_LIMIT_RETRIES = 10  # 429s in a row for one request before giving up
RATE_LIMIT_FLOOR = 1.0  # seconds: the least wait after a 429, whatever Retry-After says
MAX_PAGES = 1000  # of PER_PAGE items: an API that always has a next page does not hold a task forever
# A proxy's answers that may come after the API behind it carried the request out.
MAYBE_CARRIED_OUT = (502, 504)
CERTIFICATE_FAILURE = ('the TLS certificate of %s was not accepted. If the API sits behind a proxy or gateway you '
                       'trust, give its CA in the REQUESTS_CA_BUNDLE environment variable, or set validate_certs to '
                       'false')
PROXY_FAILURE = ('the HTTP proxy failed (the HTTPS_PROXY, HTTP_PROXY or ALL_PROXY environment variable names it). '
                 'Check the proxy, or add the API host to NO_PROXY')
ANSWER_LOST = ('FlyWP may have carried out the request before its answer was lost; it was not sent again, so nothing '
               'was made twice. Run the task again: it finds what was made before making anything.')
SSL_REASON = re.compile(r"(certificate verify failed: [^'\"()]+|\[SSL: [A-Z_]+\] [^'\"()]+|hostname [^'\"()]+)")
PROXY_REASON = re.compile(r"(Unable to connect to proxy|Tunnel connection failed: [^'\"()]+|\[Errno -?\d+\] [^'\"()]+)")
KIND_LABELS = {'ssh_key': 'SSH key', 'cron': 'cron job'}
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


def secret_forms(secret):
    """Every spelling of a secret a message could carry: as given and trimmed, each raw and
    escaped as Python's repr, JSON and URLs escape it (a token with a line break shows as
    `tok\\n` in requests' own errors). Longest first, so a longer form is replaced whole."""
    forms = set()
    for text in (secret, secret.strip()) if isinstance(secret, str) else ():
        if text:
            forms.update((text, repr(text)[1:-1], json.dumps(text)[1:-1], json.dumps(text, ensure_ascii=False)[1:-1],
                          quote(text, safe=''), text.encode('unicode_escape').decode('ascii')))
    return sorted((form for form in forms if form), key=len, reverse=True)


def redact(text, secret):
    """The text with every form of the secret replaced by REDACTED."""
    if not text or not secret:
        return text
    for form in secret_forms(secret):
        text = text.replace(form, REDACTED)
    return text


def checked_token(token):
    """The token trimmed of surrounding whitespace (a vault string made with `echo`, not `echo -n`,
    ends with a line break); FlyWPAPIError, which never shows it, for none or one with a control
    character or a character outside ASCII inside."""
    text = token.strip() if isinstance(token, str) else ''
    if not text:
        raise FlyWPAPIError('No FlyWP API token: set the api_token option or the FLYWP_API_TOKEN environment variable.')
    if not TOKEN_TEXT.match(text):
        raise FlyWPAPIError(
            'The FlyWP API token holds a line break, a tab, another control character or a character outside ASCII '
            'between its first and last characters, so it was not sent: FlyWP tokens are printable ASCII. Check how '
            'the token was stored or templated.')
    return text


def check_connection_options(timeout, rate_limit_timeout):
    """FlyWPAPIError for an api_timeout or rate_limit_timeout out of range, before any request
    (urllib3 takes a timeout of 0 for an error, and sleeping 1e20 seconds overflows)."""
    for name, value, lowest, highest in (('api_timeout', timeout, 0, MAX_API_TIMEOUT),
                                         ('rate_limit_timeout', rate_limit_timeout, 0, MAX_RATE_LIMIT_TIMEOUT)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not lowest <= value <= highest or (
                name == 'api_timeout' and value == 0):
            raise FlyWPAPIError('%s must be %s and at most %d seconds, not %r.' % (
                name, 'more than 0' if name == 'api_timeout' else '0 or more', highest, value))


class AnswerTooSlow(Exception):
    """An answer that did not arrive whole before the request's deadline."""


class FlyWPClient:
    """A session with the FlyWP API for one token.

    `writes` counts the write requests the API carried out, or may have (their answer was
    lost): a task that fails after one still reports a change.
    """

    def __init__(self, token, url=DEFAULT_API_URL, timeout=30, validate_certs=True, rate_limit_timeout=300,
                 backoff=1.0, clock=time.time, sleep=time.sleep, state_dir=None):
        self._given_token = token if isinstance(token, str) else ''
        token = checked_token(token)
        check_connection_options(timeout, rate_limit_timeout)
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
        self.deadline = timeout * DEADLINE_FACTOR
        self.backoff = backoff
        self.writes = 0
        self.last_status = None
        # The one clock every wait of this client is measured and spent on.
        self.clock, self.sleep = clock, sleep
        # Shared with every process of the collection on this controller using this URL and
        # token (ratelimit.py): the rate-limit budget, and the ids of server names.
        shared = SharedState(self.base_url, token, directory=state_dir)
        self.budget = RateLimitBudget(rate_limit_timeout, shared, backoff=backoff, sleep=sleep, clock=clock)
        self.names = NameCache(shared, clock=clock)
        # Given with every request: requests would otherwise let REQUESTS_CA_BUNDLE or
        # CURL_CA_BUNDLE override a session's verify=False. The environment's proxies still apply.
        self.verify = bool(validate_certs)
        self.session = requests.Session()
        self.session.verify = self.verify
        self.session.headers.update({
            'Authorization': 'Bearer %s' % token,
            'Accept': 'application/json',
            'Content-Type': 'application/json',
            'User-Agent': USER_AGENT,
        })

    def call(self, name, body=None, **ids):
        """Send one request to the named endpoint. A read or a create returns its object, checked
        to be one with an id; a delete returns whatever the API answered (None when empty)."""
        endpoint, path = resolve(name, ids)
        payload = unwrap(self._request(endpoint, path, body=body))
        if endpoint.method == 'DELETE':
            return payload
        problem = _not_an_object(payload)
        if problem:
            raise self._odd_answer(endpoint.method, path, '%s where %s object with an id was expected' % (
                problem, _a(_kind(name))))
        return payload

    def list(self, name, **ids):
        """Every item of a list endpoint, fetched page by page, each checked to be an object with an id."""
        endpoint, path = resolve(name, ids)
        items, page = [], 1
        while True:
            payload = self._request(endpoint, path, params={'page': page, 'per_page': PER_PAGE})
            data, meta, links = _list_parts(payload)
            if data is None:
                raise self._odd_answer(endpoint.method, path, '%s where a list of %ss was expected' % (
                    _describe(payload), _kind(name)))
            for position, item in enumerate(data, start=len(items) + 1):
                problem = _not_an_object(item)
                if problem:
                    raise self._odd_answer(endpoint.method, path, 'a list whose item %d is %s where every item '
                                           'should be %s object with an id' % (position, problem, _a(_kind(name))))
            items.extend(data)
            following = _next_page(page, meta, links)
            if not data or following is None or following <= page:
                return items
            if page >= MAX_PAGES:
                raise self._odd_answer(endpoint.method, path, 'more than %d pages of %d items' % (MAX_PAGES, PER_PAGE))
            page = following

    def _request(self, endpoint, path, body=None, params=None):
        method = endpoint.method
        url = self.base_url + path
        data = None if body is None else json.dumps(body)
        rate_limited, transient = 0, 0
        while True:
            self._within_budget(method, path, lambda: self.budget.pace(method, path))
            try:
                response = self._send(method, url, params, data)
            except (requests.RequestException, AnswerTooSlow) as exc:
                # The request stays counted in the budget: the API may have counted it.
                failure = self._unanswered(exc, method, path, transient)
                if failure is None:
                    transient += 1
                    self._back_off(transient)
                    continue
                raise failure
            status = self.last_status = response.status_code
            self.budget.observe(response.headers, refused=status == 429)
            if method != 'GET' and (200 <= status < 300 or status in MAYBE_CARRIED_OUT):
                self.writes += 1
            if status == 429:
                rate_limited += 1
                if rate_limited > RATE_LIMIT_RETRIES:
                    raise FlyWPAPIError(
                        'The FlyWP API answered 429 (too many requests) to %s %s %d times in a row, though the client '
                        'waited each time as the API asked; it gave up. Try again later, or spread the work over more '
                        'time.' % (method, path, rate_limited), method=method, path=path, status=429)
                # A Retry-After of 0 (or in the past) would make this loop a storm of its own.
                delay = max(self.budget.delay_after_429(response.headers, rate_limited), RATE_LIMIT_FLOOR)
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

    def _send(self, method, url, params, data):
        """One exchange, the answer read whole, within the request's deadline.

        api_timeout bounds the connection and each read of the socket, which an answer that
        trickles in a byte at a time passes every time; so the exchange runs in a worker
        thread that is given up at the deadline (real seconds, as it is a socket's wait).
        """
        outcome = {}

        def exchange():
            try:
                response = self.session.request(method, url, params=params, data=data, timeout=self.timeout,
                                                verify=self.verify)
                outcome['body'] = response.content  # read here, inside the deadline
                outcome['response'] = response
            except Exception as exc:  # pylint: disable=broad-except  # raised again in the caller's thread
                outcome['error'] = exc

        worker = threading.Thread(target=exchange, name='flywp-request', daemon=True)
        worker.start()
        worker.join(self.deadline)
        if worker.is_alive():
            raise AnswerTooSlow()
        if 'error' in outcome:
            raise outcome['error']
        return outcome['response']

    def _unanswered(self, exc, method, path, transient):
        """The error for a request that got no answer, or None when it is to be tried again."""
        if isinstance(exc, requests.exceptions.SSLError):
            # A certificate is as wrong on the next try: final at once.
            return self._transport_error(method, path, CERTIFICATE_FAILURE % urlparse(self.base_url).hostname +
                                         ' (%s)' % _short_reason(exc, SSL_REASON), maybe_sent=False)
        if isinstance(exc, requests.exceptions.ProxyError):
            return self._transport_error(method, path, PROXY_FAILURE + ' (%s)' % _short_reason(exc, PROXY_REASON),
                                         maybe_sent=False)
        if isinstance(exc, AnswerTooSlow):
            # Not tried again: an API that trickles its answer out would do it again.
            return self._transport_error(method, path, 'the answer did not arrive whole within %s s (twice '
                                         'api_timeout); raise api_timeout if the API is this slow' % self.deadline,
                                         maybe_sent=True)
        # Refused, dropped, cut short in the middle of the answer, or no answer in time.
        network = isinstance(exc, (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError))
        if network and method in SAFE_TO_RETRY and transient < TRANSIENT_RETRIES:
            return None
        return self._transport_error(method, path, _reason(exc) + (
            ' (tried %d times)' % (transient + 1) if transient else ''),
            maybe_sent=(network or isinstance(exc, requests.TooManyRedirects)) and not _never_sent(exc))

    def _back_off(self, attempt):
        self.sleep(self.backoff * 2 ** (attempt - 1) * (1 + random.random() / 2))

    def _decode(self, response, method, path):
        if response.status_code == 204 or not response.content.strip():
            return None
        try:
            return without_secrets(response.json())
        except ValueError:
            raise self._odd_answer(method, path, 'a body that is not JSON (%s)' % (
                response.headers.get('Content-Type', 'no content type')), status=response.status_code)

    def _odd_answer(self, method, path, what, status=None):
        """The error for a 2xx answer of a shape the contract does not allow; after a write the
        API carried out, it says so (the module reports a change, and the next run adopts it)."""
        status = self.last_status if status is None else status
        text = 'The FlyWP API answered %s %s with %s.' % (method, path, what)
        if method != 'GET':
            text += (' FlyWP has probably carried out the request; run the task again, which finds what was made '
                     'before making anything.')
        return FlyWPAPIError(self._redact(text), method=method, path=path, status=status)

    def _transport_error(self, method, path, reason, maybe_sent):
        text = 'Could not reach the FlyWP API for %s %s at %s: %s.' % (method, path, self.base_url, reason.rstrip('.'))
        if method != 'GET' and maybe_sent:
            self.writes += 1
            text += ' ' + ANSWER_LOST
        return FlyWPAPIError(self._redact(text), method=method, path=path)

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
        if method != 'GET' and status in MAYBE_CARRIED_OUT:
            text += ' ' + ANSWER_LOST
        return FlyWPAPIError(self._redact(text), method=method, path=path, status=status,
                             api_message=self._redact(api_message), errors=errors, missing=missing)

    def _redact(self, text):
        return redact(redact(text, self._given_token), self._token)


def _reason(exc):
    if isinstance(exc, requests.Timeout):
        return 'no answer in time (raise api_timeout if the API is slow)'
    return exc.__class__.__name__ + (': ' + str(exc.args[0]) if exc.args else '')


def _short_reason(exc, pattern):
    """The words of a wrapped error that say what went wrong (urllib3 nests them three deep)."""
    found = [' '.join(match.split()) for match in pattern.findall(str(exc))]
    return '; '.join(dict.fromkeys(found)) or _reason(exc)


def _never_sent(exc):
    """True when the request cannot have left: the connection itself was refused or timed out."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    reason = getattr(exc.args[0], 'reason', None) if exc.args else None
    return isinstance(reason, NewConnectionError)


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


def _list_parts(payload):
    """(items, meta, links) of a list answer, bare or in the envelope; (None, None, None) when it is no list."""
    if isinstance(payload, list):
        return payload, None, None
    if isinstance(payload, dict) and isinstance(payload.get('data'), list):
        meta = payload.get('meta') if isinstance(payload.get('meta'), dict) else None
        links = payload.get('links') if isinstance(payload.get('links'), dict) else None
        return payload['data'], meta, links
    return None, None, None


def _not_an_object(value):
    """None for an object with a usable id; else what the value is instead, in a few words."""
    if isinstance(value, dict):
        object_id = value.get('id')
        if isinstance(object_id, bool) or not isinstance(object_id, (int, str)) or not str(object_id).strip():
            return _describe(value)
        return None
    return _describe(value)


def _describe(value):
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


def _kind(endpoint_name):
    prefix = endpoint_name.split('.')[0]
    return KIND_LABELS.get(prefix, prefix)


def _a(noun):
    return ('an ' if noun[:1].lower() in 'aeiou' or noun.startswith('SSH') else 'a ') + noun


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
    except (TypeError, ValueError, OverflowError):
        return default
