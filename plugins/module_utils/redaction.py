# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What is never shown: the secret fields of the API's answers, and the client's own secrets
(the token, credentials inside the API URL) in any message."""

from __future__ import annotations

import json
import re
from urllib.parse import quote, unquote, urlsplit, urlunsplit

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


# Ansible masks a hidden value wherever its text stands in a result: a number or a short text
# (a field such as token_ttl: 2) would mask every id and count that holds it, and is no secret.
SHORTEST_SECRET = 4


def secret_values(value):
    """The texts of the fields that look like secrets inside a mapping or list, at any depth
    (a password in flywp.cloud.api's body): for a module to hide as it hides its no_log options."""
    found = set()
    if isinstance(value, dict):
        for key, item in value.items():
            if SECRET_FIELD.search(str(key)) and isinstance(item, str) and len(item.strip()) >= SHORTEST_SECRET:
                found.add(item)
            found |= secret_values(item)
    elif isinstance(value, list):
        for item in value:
            found |= secret_values(item)
    return found


def redacted_values(value, *secrets):
    """The value with every form of each secret replaced by REDACTED in every string, keys
    included: for an answer whose secret fields are kept on purpose, the client's own
    secrets (the token) are still never shown."""
    if isinstance(value, str):
        return redact(value, *secrets)
    if isinstance(value, dict):
        return dict((redacted_values(key, *secrets), redacted_values(item, *secrets)) for key, item in value.items())
    if isinstance(value, list):
        return [redacted_values(item, *secrets) for item in value]
    return value


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


def redact(text, *secrets):
    """The text with every form of each secret replaced by REDACTED."""
    if not text:
        return text
    for secret in secrets:
        for form in secret_forms(secret) if secret else ():
            text = text.replace(form, REDACTED)
    return text


def url_credentials(url):
    """The credentials written into a URL (https://user:password@host/...), as messages could
    carry them: the user part with its '@', and the password, each as written and decoded.
    A user name alone is not among them: it may be a common word, and messages show the URL
    through url_for_messages, which leaves the user part out."""
    try:
        netloc = urlsplit(url or '').netloc
    except ValueError:
        return []
    if '@' not in netloc:
        return []
    userinfo = netloc.rpartition('@')[0]
    found = [userinfo + '@'] + userinfo.split(':', 1)[1:]
    return [text for text in dict.fromkeys(found + [unquote(text) for text in found]) if text and text != '@']


def url_for_messages(url):
    """The URL as messages show it: any user name and password in it replaced by REDACTED."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if '@' not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=REDACTED + '@' + parts.netloc.rpartition('@')[2]))
