# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The collection's errors, and the sentences they say: each one a person can act on.

A 404 is told apart by its body, as Laravel words it (docs/api-contract.md): `No query
results for model [App\\Models\\Server] 12` means that object is gone, `The route ... could
not be found.` means the API has no such endpoint (it differs from the contract), which is
never taken for "gone". Every text passes `redact` before it is raised.
"""

from __future__ import annotations

import re

from ansible_collections.flywp.cloud.plugins.module_utils.declaration import ASSUMED
from ansible_collections.flywp.cloud.plugins.module_utils.redaction import url_for_messages

DEFAULT_API_URL = 'https://app.flywp.com/api/v1'
PERMISSION_FOR_METHOD = {'GET': 'Read', 'POST': 'Create', 'PUT': 'Update', 'PATCH': 'Update', 'DELETE': 'Delete'}
# A proxy's answers that may come after the API behind it carried the request out.
MAYBE_CARRIED_OUT = (502, 504)
MODEL_MISSING = re.compile(r'No query results for model \[(?:[^\]]*\\)?([A-Za-z_]+)\]\s*([0-9][0-9, ]*)?')
ROUTE_MISSING = re.compile(r'\bThe route \S* ?could not be found')

CERTIFICATE_FAILURE = ('the TLS certificate of %s was not accepted. If the API sits behind a proxy or gateway you '
                       'trust, give its CA in the REQUESTS_CA_BUNDLE environment variable, or set validate_certs to '
                       'false')
PROXY_FAILURE = ('the HTTP proxy failed (the HTTPS_PROXY, HTTP_PROXY or ALL_PROXY environment variable names it). '
                 'Check the proxy, or add the API host to NO_PROXY')
ANSWER_LOST = ('FlyWP may have carried out the request before its answer was lost; it was not sent again, so nothing '
               'was made twice. Run the task again: it finds what was made before making anything.')
LOCATION_SHOWN = 200  # characters of a redirect's Location a message shows
CARRIED_OUT = (' FlyWP has probably carried out the request; run the task again, which finds what was made before '
               'making anything.')


class FlyWPError(Exception):
    """A task cannot go on. str(error) is a sentence a person can act on; `result` holds
    what a module returns beside it (for instance the resource that ended `failed`)."""

    def __init__(self, message, result=None):
        super().__init__(message)
        self.message = message
        self.result = result or {}


class FlyWPAPIError(FlyWPError):
    """A request the FlyWP API did not fulfil, or one the client refused to send.

    `missing` is the object a 404 says is gone, as (resource name, id); None for any other
    failure, a 404 that says the route does not exist among them.
    """

    def __init__(self, message, method=None, path=None, status=None, api_message=None, errors=None, missing=None):
        super().__init__(message)
        self.method = method
        self.path = path
        self.status = status
        self.api_message = api_message
        self.errors = errors or {}
        self.missing = missing
        self.result = {'failure': self.to_dict()}

    def is_missing(self, rtype, object_id):
        """True when this is a read that found no `rtype` object with that id (its 404 says so)."""
        return self.method == 'GET' and self.missing is not None and self.missing == (rtype.name, str(object_id))

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


def http_error(endpoint, path, status, api_message, errors, retries, api_url, redact):
    """The FlyWPAPIError for an answer of status 400 or more."""
    method = endpoint.method
    missing = None
    text = 'The FlyWP API answered %d to %s %s' % (status, method, path)
    innermost = endpoint.innermost_object(path)
    if status == 401:
        text += ': the API token was not accepted. Check the token in FLYWP_API_TOKEN or the api_token option.'
    elif status == 403:
        permission = PERMISSION_FOR_METHOD.get(method, 'needed')
        text += (': the API token lacks the %s permission. Give the token the %s permission in the FlyWP '
                 'dashboard, or use a token that has it.' % (permission, permission))
    elif status in (404, 405) and innermost is None and endpoint.source != ASSUMED:
        # /servers itself cannot be missing: the URL in front of it is wrong.
        text += (': there is no FlyWP API at %s. Check api_url (or FLYWP_API_URL): it is the API\'s base URL with '
                 'its version, such as %s.' % (api_url, DEFAULT_API_URL))
    elif status in (404, 405) and ROUTE_MISSING.search(api_message or ''):
        text += (': the API has no such route. This action may not be available in your FlyWP API version, or %s.' % (
            'your FlyWP API differs here from the one this collection expects (docs/api-contract.md)' if endpoint.declared
            else 'its path or method is not the one FlyWP gives it: check them with FlyWP'))
    elif status == 404 and MODEL_MISSING.search(api_message or ''):
        name, object_id, label = _missing_model(endpoint, path, MODEL_MISSING.search(api_message))
        missing = (name, object_id)
        text += ': there is no FlyWP %s with id %s.' % (label, object_id)
    elif status in (404, 405) and endpoint.source == ASSUMED:
        # An answer that does not say what is missing: the object, or the action itself.
        gone = innermost if status == 404 else None
        missing = (gone[0].name, gone[1]) if gone else None
        text += ': this action may not be available in your FlyWP API version%s.' % (
            ', or there is no FlyWP %s with id %s' % (gone[0].label, gone[1]) if gone else '')
    elif status == 404:
        # A documented endpoint under /servers/{id} (or /sites/{id}): the object with that id does not exist.
        missing = (innermost[0].name, innermost[1])
        text += ': there is no FlyWP %s with id %s.' % (innermost[0].label, innermost[1])
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
    errors = dict((field, [redact(message) for message in messages]) for field, messages in errors.items())
    return FlyWPAPIError(redact(text), method=method, path=path, status=status, api_message=redact(api_message),
                         errors=errors, missing=missing)


def redirect_error(method, path, status, location, redact):
    """The error for a 3xx answer, which is never followed (docs/api-contract.md, tolerance 9):
    a followed 302 turns a write into a read at another address, a followed 307 sends its
    body there. The write was not carried out: a redirect is not an answer to it."""
    where = url_for_messages(location.strip()) if location and location.strip() else None
    if where and len(where) > LOCATION_SHOWN:
        where = where[:LOCATION_SHOWN] + '...'
    text = 'The FlyWP API answered %d to %s %s with a redirect %s, which the collection never follows%s.' % (
        status, method, path, 'to %s' % where if where else 'without a Location',
        ' (the request and its body could go to another host): the %s was not carried out, and was sent nowhere '
        'else' % method if method != 'GET' else ' (a read could then show another host\'s answer as FlyWP\'s)')
    text += (' Check api_url (or FLYWP_API_URL): it is the API\'s base URL with its version, such as %s; if FlyWP '
             'has moved, set the new URL there yourself.' % DEFAULT_API_URL)
    return FlyWPAPIError(redact(text), method=method, path=path, status=status)


def unexpected_status(method, path, status, wanted, result):
    """The error for an answer whose status is not one a task's status_code lists
    (flywp.cloud.api); `result` (its status and answer) goes with it."""
    text = 'The FlyWP API answered %s to %s %s, which is not one of status_code (%s).' % (
        status, method, path, ', '.join(str(code) for code in wanted))
    if method != 'GET' and 200 <= status < 300:
        text += ' FlyWP carried the %s out, so the task reports a change.' % method
    error = FlyWPAPIError(text, method=method, path=path, status=status)
    error.result.update(result)
    return error


def answer_error(method, path, what, status, redact):
    """The error for a 2xx answer of a shape the contract does not allow; after a write the
    API carried out, it says so (the module reports a change, and the next run adopts it)."""
    text = 'The FlyWP API answered %s %s with %s.' % (method, path, what)
    if method != 'GET':
        text += CARRIED_OUT
    return FlyWPAPIError(redact(text), method=method, path=path, status=status)


def transport_error(method, path, api_url, reason, maybe_sent, redact):
    """The error for a request that got no answer; after a write that may have reached the
    API it says so. Returns (error, whether a write may have been carried out)."""
    text = 'Could not reach the FlyWP API for %s %s at %s: %s.' % (method, path, api_url, reason.rstrip('.'))
    wrote = method != 'GET' and maybe_sent
    if wrote:
        text += ' ' + ANSWER_LOST
    return FlyWPAPIError(redact(text), method=method, path=path), wrote


def _missing_model(endpoint, path, match):
    """(resource name, id, label) of the model a `No query results for model [...]` answer names:
    one of the objects the path names when it is one of theirs, else as the model is spelt."""
    name = re.sub(r'(?<=[a-z0-9])([A-Z])', r'_\1', match.group(1)).lower()
    ids = [part.strip() for part in (match.group(2) or '').split(',') if part.strip()]
    for rtype, object_id in endpoint.objects_in(path):
        if rtype.name == name:
            return name, object_id, rtype.label
    if ids:
        return name, ids[0], name.replace('_', ' ')
    innermost = endpoint.innermost_object(path)
    return (innermost[0].name, innermost[1], innermost[0].label) if innermost else (name, '?', name.replace('_', ' '))
