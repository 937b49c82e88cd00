# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one HTTP transport of the collection: every module, the inventory and the event
source use it.

It sends the token, unwraps the Laravel envelope, fetches every page of a list, turns
every non-2xx answer into a FlyWPAPIError a person can act on (errors.py), and keeps inside
the FlyWP rate limit (budget.py). The tolerances of docs/api-contract.md are accepted here
(answers.py), so nothing above this file sees them, but for one: ids come as numbers or
numeric strings, and are returned as they came, so code above compares them with
answers.same_id.

Callers name an endpoint by its declaration (SERVER.endpoints.list, declaration.py), never
by a string.

Every answer passes without_secrets() on its way in (redaction.py): no password or token
the API might echo reaches a result, a diff, a warning or the inventory cache. The one
exception is asked for by name: request(keep_secrets=True), for flywp.cloud.api's
return_secrets, keeps secret fields and still redacts the token. Every wait
(backoff, rate-limit pacing, polling) goes through the client's one clock/sleep pair, so
tests run on a fake clock.
"""

from __future__ import annotations

import ipaddress
import json
import random
import re
import sys
import threading
import time
import traceback
from urllib.parse import urlparse

from ansible_collections.flywp.cloud.plugins.module_utils.answers import (
    describe, list_parts, next_page, unwrap, what_is_not_an_object)
from ansible_collections.flywp.cloud.plugins.module_utils.budget import BudgetExhausted, RateLimitBudget
from ansible_collections.flywp.cloud.plugins.module_utils.errors import (
    CERTIFICATE_FAILURE, DEFAULT_API_URL, MAYBE_CARRIED_OUT, PROXY_FAILURE, FlyWPAPIError, answer_error, http_error,
    redirect_error, transport_error)
from ansible_collections.flywp.cloud.plugins.module_utils.redaction import (
    redact, redacted_values, url_credentials, url_for_messages, without_secrets)
from ansible_collections.flywp.cloud.plugins.module_utils.state_file import SharedState

try:
    import requests
    from urllib3.exceptions import NewConnectionError
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError:
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()

COLLECTION_VERSION = '1.0.0'
USER_AGENT = 'flywp.cloud/%s (Ansible collection)' % COLLECTION_VERSION

PER_PAGE = 100  # the largest page Laravel's paginators are commonly allowed to serve
TRANSIENT_STATUSES = (502, 503, 504)
TRANSIENT_RETRIES = 3
SAFE_TO_RETRY = ('GET', 'DELETE')  # a POST is never sent twice: it could create a duplicate
TOKEN_TEXT = re.compile(r'^[\x20-\x7e]+$')  # printable ASCII: what an HTTP header carries unchanged
MAX_API_TIMEOUT = 3600
MAX_RATE_LIMIT_TIMEOUT = 86400
DEADLINE_FACTOR = 2  # a whole request, answer included, ends after twice api_timeout at most
RATE_LIMIT_RETRIES = 10  # 429s in a row for one request before giving up
RATE_LIMIT_FLOOR = 1.0  # seconds: the least wait after a 429, whatever Retry-After says
MAX_PAGES = 1000  # of PER_PAGE items: an API that always has a next page does not hold a task forever
SSL_REASON = re.compile(r"(certificate verify failed: [^'\"()]+|\[SSL: [A-Z_]+\] [^'\"()]+|hostname [^'\"()]+)")
PROXY_REASON = re.compile(r"(Unable to connect to proxy|Tunnel connection failed: [^'\"()]+|\[Errno -?\d+\] [^'\"()]+)")


def is_loopback(host):
    if host == 'localhost':
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


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


def warn_on_stderr(message):
    """Where a client's warnings go when its caller gives no place of its own."""
    sys.stderr.write('[WARNING]: %s\n' % message)


class AnswerTooSlow(Exception):
    """An answer that did not arrive whole before the request's deadline."""


class FlyWPClient:
    """A session with the FlyWP API for one token.

    `writes` counts the write requests the API carried out, or may have (their answer was
    lost): a task that fails after one still reports a change. `sent` counts every request
    sent, each try and each page, for a caller that paces itself (the event source). `state` is the document this
    controller's processes share for this URL and token (state_file.py): the rate-limit
    budget is kept there, and the callers keep their hints there too (hints.py). `warn`
    receives what the client must say once, such as a state file it cannot use.
    """

    def __init__(self, token, url=DEFAULT_API_URL, timeout=30, validate_certs=True, rate_limit_timeout=300,
                 backoff=1.0, clock=time.time, sleep=time.sleep, state_dir=None, warn=warn_on_stderr):
        self._secrets = [token if isinstance(token, str) else ''] + url_credentials(url)
        token = checked_token(token)
        self._secrets.append(token)
        check_connection_options(timeout, rate_limit_timeout)
        self.base_url = (url or DEFAULT_API_URL).rstrip('/')
        self.shown_url = url_for_messages(self.base_url)  # the URL as messages show it: no user or password
        parsed = urlparse(self.base_url)
        if parsed.scheme not in ('http', 'https') or not parsed.hostname:
            raise FlyWPAPIError(self._redact('The FlyWP API URL %r is not an http(s) URL such as %s.' % (
                self.shown_url, DEFAULT_API_URL)))
        if parsed.scheme == 'http' and not is_loopback(parsed.hostname):
            raise FlyWPAPIError(
                'Refusing to send the FlyWP API token over plain http:// to %s: use https://, or a loopback '
                'address such as 127.0.0.1 for a local simulator or proxy.' % parsed.hostname)
        self.timeout = timeout
        self.deadline = timeout * DEADLINE_FACTOR
        self.backoff = backoff
        self.writes = 0
        self.sent = 0
        self.last_status = None
        # The one clock every wait of this client is measured and spent on.
        self.clock, self.sleep = clock, sleep
        self.state = SharedState(self.base_url, token, directory=state_dir, warn=warn)
        self.budget = RateLimitBudget(rate_limit_timeout, self.state, backoff=backoff, sleep=sleep, clock=clock)
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

    def call(self, endpoint, body=None, **ids):
        """Send one request to the endpoint (a declaration's, such as SERVER.endpoints.get) with
        the ids its path needs. A read or a create returns its object, checked to be one with
        an id; a delete returns whatever the API answered (None when empty)."""
        path = endpoint.path_with(ids)
        payload = unwrap(self._request(endpoint, path, body=body))
        if endpoint.method == 'DELETE':
            return payload
        problem = what_is_not_an_object(payload)
        if problem:
            raise self._odd_answer(endpoint.method, path, '%s where %s object with an id was expected' % (
                problem, endpoint.resource.a_label))
        return payload

    def list(self, endpoint, **ids):
        """Every item of a list endpoint, fetched page by page, each checked to be an object with an id."""
        items, _last = self._every_page(endpoint, endpoint.path_with(ids), with_ids=True)
        return items

    def request(self, endpoint, body=None, query=None, accept=(), keep_secrets=False, **ids):
        """(status, answer) of one request to any endpoint, for a task that names its path
        (flywp.cloud.api): the answer as the API gave it, envelope and all, and nothing checked
        of its shape. A status in `accept` (4xx or 5xx) is returned instead of raised; a 3xx and
        a 429 never are. Secret fields are dropped unless `keep_secrets`, and the token is
        redacted either way."""
        payload = self._request(endpoint, endpoint.path_with(ids), body=body, params=query, accept=accept,
                                keep_secrets=keep_secrets)
        return self.last_status, payload

    def every_item(self, endpoint, query=None, keep_secrets=False, **ids):
        """(every item, the last page's answer) of a list at any endpoint, page by page as
        list() reads them, with the query's parameters on each page; the items may be
        anything (flywp.cloud.api's all_pages)."""
        return self._every_page(endpoint, endpoint.path_with(ids), query=query, keep_secrets=keep_secrets)

    def _every_page(self, endpoint, path, query=None, with_ids=False, keep_secrets=False):
        items, page = [], 1
        while True:
            payload = self._request(endpoint, path, params=dict(query or {}, page=page, per_page=PER_PAGE),
                                    keep_secrets=keep_secrets)
            data, meta, links = list_parts(payload)
            if data is None:
                raise self._odd_answer(endpoint.method, path, '%s where %s was expected' % (
                    describe(payload), endpoint.a_list))
            for position, item in enumerate(data if with_ids else (), start=len(items) + 1):
                problem = what_is_not_an_object(item)
                if problem:
                    raise self._odd_answer(endpoint.method, path, 'a list whose item %d is %s where every item should be '
                                           '%s object with an id' % (position, problem, endpoint.resource.a_label))
            items.extend(data)
            following = next_page(page, meta, links)
            if not data or following is None or following <= page:
                return items, payload
            if page >= MAX_PAGES:
                raise self._odd_answer(endpoint.method, path, 'more than %d pages of %d items' % (MAX_PAGES, PER_PAGE))
            page = following

    def _request(self, endpoint, path, body=None, params=None, accept=(), keep_secrets=False):
        method = endpoint.method
        url = self.base_url + path
        data = None if body is None else json.dumps(body)
        retry = safe_to_retry(endpoint)
        rate_limited, transient = 0, 0
        while True:
            self._within_budget(method, path, lambda: self.budget.pace(method, path))
            self.sent += 1
            try:
                response = self._send(method, url, params, data)
            except (requests.RequestException, AnswerTooSlow) as exc:
                # The request stays counted in the budget: the API may have counted it.
                self.budget.unanswered()
                failure = self._unanswered(exc, method, path, transient, retry)
                if failure is None:
                    transient += 1
                    self._back_off(transient)
                    continue
                raise failure
            status = self.last_status = response.status_code
            if 300 <= status < 400:
                # Never followed, and never counted as a write: the API did not carry it out.
                self.budget.observe(response.headers)
                raise redirect_error(method, path, status, response.headers.get('Location'), self._redact)
            if method != 'GET' and (200 <= status < 300 or status in MAYBE_CARRIED_OUT):
                self.writes += 1
            if status == 429:
                rate_limited += 1
                # A Retry-After of 0 (or in the past) would make this loop a storm of its own.
                delay = max(self.budget.delay_after_429(response.headers, rate_limited), RATE_LIMIT_FLOOR)
                if rate_limited > RATE_LIMIT_RETRIES:
                    raise FlyWPAPIError(
                        'The FlyWP API answered 429 (too many requests) to %s %s %d times in a row, though the client '
                        'waited each time as the API asked; it gave up. Try again later, or spread the work over more '
                        'time.' % (method, path, rate_limited), method=method, path=path, status=429)
                self._within_budget(method, path, lambda: self.budget.wait(delay, method, path, 'the rate limit to clear'))
                continue
            self.budget.observe(response.headers)
            if status in TRANSIENT_STATUSES and retry and transient < TRANSIENT_RETRIES:
                transient += 1
                self._back_off(transient)
                continue
            if method == 'DELETE' and status == 404 and transient:
                return None  # an earlier try went through before the proxy failed: it is gone
            if status >= 400 and status not in accept:
                api_message, errors = _error_body(response)
                raise http_error(endpoint, path, status, api_message, errors, transient, self.shown_url, self._redact)
            return self._decode(response, method, path, keep_secrets)

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
                # requests follows redirects unless told not to, on every call: a 302 would turn a
                # write into a GET elsewhere, a 307 send its body elsewhere (errors.redirect_error).
                response = self.session.request(method, url, params=params, data=data, timeout=self.timeout,
                                                verify=self.verify, allow_redirects=False)
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

    def _unanswered(self, exc, method, path, transient, retry):
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
        if network and retry and transient < TRANSIENT_RETRIES:
            return None
        return self._transport_error(method, path, _reason(exc) + (
            ' (tried %d times)' % (transient + 1) if transient else ''),
            maybe_sent=network and not _never_sent(exc))

    def _back_off(self, attempt):
        self.sleep(self.backoff * 2 ** (attempt - 1) * (1 + random.random() / 2))

    def _decode(self, response, method, path, keep_secrets=False):
        if response.status_code == 204 or not response.content.strip():
            return None
        try:
            payload = response.json()
        except ValueError:
            if response.status_code >= 400:
                return None  # an error status the caller accepts, with a proxy's HTML page
            raise self._odd_answer(method, path, 'a body that is not JSON (%s)' % (
                response.headers.get('Content-Type', 'no content type')), status=response.status_code)
        return redacted_values(payload, *self._secrets) if keep_secrets else without_secrets(payload)

    def _odd_answer(self, method, path, what, status=None):
        return answer_error(method, path, what, self.last_status if status is None else status, self._redact)

    def _transport_error(self, method, path, reason, maybe_sent):
        error, wrote = transport_error(method, path, self.shown_url, reason, maybe_sent, self._redact)
        self.writes += 1 if wrote else 0
        return error

    def _redact(self, text):
        return redact(text, *self._secrets)


def safe_to_retry(endpoint):
    """Whether a request may be sent again after a 502, 503 or 504 or no answer: a GET, and a
    DELETE of a declared endpoint, which names one object and is done once it is gone. A path a
    task names (flywp.cloud.api) may be any action: its writes, DELETE too, are sent once."""
    return endpoint.method == 'GET' or (endpoint.method in SAFE_TO_RETRY and endpoint.declared)


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
