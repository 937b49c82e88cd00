# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The baseline of the event source flywp.cloud.changes: what its last good listings showed,
in memory (Seen) and in a file (BaselineFile), so that a restart reports what changed while
it was stopped instead of starting from a new baseline.

The file sits beside the rate-limit budget's state file (plugins/module_utils/state_file.py),
one per API URL, token and what is watched, and is written whole and renamed into place after
each complete round, so a source stopped mid-write leaves the last whole round. It holds the
objects as the client gave them (without secret fields), the URL as messages show it, and a
salted hash that binds it to the URL, the token and what is watched: never the token.
"""

from __future__ import annotations

import binascii
import hashlib
import json
import os
from dataclasses import dataclass, field
from typing import Dict, Optional

from ansible_collections.flywp.cloud.plugins.module_utils.redaction import without_secrets

FORMAT = 1  # the file's layout; another is read as no baseline, with a warning
SALT_BYTES = 16
REMOVE_IT = 'Remove it (the source writes a new one when started again)'


@dataclass
class Seen:
    """The last good listing of each scope: None until the first one."""

    servers: Optional[Dict[str, dict]] = None
    sites: Dict[str, Dict[str, dict]] = field(default_factory=dict)  # by server id
    backups: Dict[str, Dict[str, dict]] = field(default_factory=dict)  # by site id
    site_server: Dict[str, str] = field(default_factory=dict)  # site id -> its server's id

    def document(self):
        return without_secrets({'servers': self.servers, 'sites': self.sites, 'backups': self.backups,
                                'site_server': self.site_server})

    @classmethod
    def from_document(cls, value):
        """The Seen a file holds; ValueError saying what is wrong with it."""
        if not isinstance(value, dict):
            raise ValueError('it holds no baseline')
        return cls(servers=_objects(value.get('servers'), 'servers'),
                   sites=dict((key, _objects(item, 'sites')) for key, item in _mapping(value.get('sites'), 'sites').items()),
                   backups=dict((key, _objects(item, 'backups'))
                                for key, item in _mapping(value.get('backups'), 'backups').items()),
                   site_server=_texts(value.get('site_server'), 'site_server'))


def _mapping(value, name):
    if not isinstance(value, dict) or not all(isinstance(key, str) for key in value):
        raise ValueError('its %s are not a mapping by id' % name)
    return value


def _objects(value, name):
    """{id: object}, each object without secret fields (the file may have been edited)."""
    objects = _mapping(value, name)
    if not all(isinstance(item, dict) for item in objects.values()):
        raise ValueError('its %s are not objects' % name)
    return without_secrets(objects)


def _texts(value, name):
    texts = _mapping(value, name)
    if not all(isinstance(item, str) for item in texts.values()):
        raise ValueError('its %s are not ids' % name)
    return dict(texts)


def scope_of(kinds, servers, sites):
    """What is watched, as the file records it: another scope is another baseline."""
    return {'kinds': list(kinds), 'servers': sorted(servers), 'sites': sorted(sites)}


def path_beside(budget_file, scope):
    """changes-<the budget file's key>-<scope>.json beside the budget's state-<key>.json: the
    key is already the salted hash of the URL and token, so one file per URL, token and scope."""
    key = os.path.splitext(os.path.basename(budget_file))[0].split('-', 1)[-1]
    digest = hashlib.sha256(json.dumps(scope, sort_keys=True).encode()).hexdigest()[:12]
    return os.path.join(os.path.dirname(budget_file), 'changes-%s-%s.json' % (key, digest))


class BaselineFile:
    """load() the baseline a file holds for this URL, token and scope; save() one after each
    complete round. A file that cannot be read or written is said once to `warn`, with the
    path and the fix, and the baseline is then kept in memory only (`path` becomes None)."""

    def __init__(self, path, url, shown_url, token, scope, warn):
        self.path = path
        self.saved_at = None  # when the baseline loaded was saved
        self._url, self._shown_url, self._token, self._scope = url, shown_url, token, scope
        self._warn = warn
        self._salt = binascii.hexlify(os.urandom(SALT_BYTES)).decode()

    def load(self):
        """The Seen of the file, or None (no file, or one that cannot be used: said once)."""
        if self.path is None:
            return None
        try:
            with open(self.path, encoding='utf-8') as handle:
                document = json.load(handle)
        except (FileNotFoundError, NotADirectoryError):
            return None  # none yet (a directory on the way that is not one is said when writing)
        except OSError as error:
            return self._give_up('cannot be read (%s)' % _reason(error), 'Make it readable by this user, or remove it')
        except (ValueError, RecursionError) as error:
            return self._give_up('does not hold JSON (%s)' % str(error)[:100], REMOVE_IT)
        try:
            if not isinstance(document, dict) or document.get('format') != FORMAT:
                raise ValueError('it is not a baseline of this version of the source')
            if not isinstance(document.get('salt'), str) or document.get('bound') != self._bound(document['salt']):
                return self._give_up(
                    'holds the baseline of another API URL, token or watch (kinds, servers, sites)',
                    'Give each source a state_file of its own, or remove this one')
            seen = Seen.from_document(document.get('seen'))
        except ValueError as error:
            return self._give_up('cannot be used: %s' % error, REMOVE_IT)
        self._salt, saved = document['salt'], document.get('saved')
        self.saved_at = saved if isinstance(saved, (int, float)) and not isinstance(saved, bool) else None
        return seen

    def save(self, seen, now):
        """Write the baseline whole beside the file and rename it over the file."""
        if self.path is None:
            return
        document = {'format': FORMAT, 'api_url': self._shown_url, 'watching': self._scope, 'salt': self._salt,
                    'bound': self._bound(self._salt), 'saved': now, 'seen': seen.document()}
        temporary = '%s.%d.tmp' % (self.path, os.getpid())
        try:
            directory = os.path.dirname(os.path.abspath(self.path))
            if not os.path.lexists(directory):
                os.makedirs(directory, mode=0o700)
            with os.fdopen(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 'w') as handle:
                handle.write(json.dumps(document, sort_keys=True, separators=(',', ':')))
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, self.path)
        except OSError as error:
            _remove(temporary)
            # An older baseline left behind would make a restart report again what this run reported.
            _remove(self.path)
            self._give_up('cannot be written (%s)' % _reason(error),
                          'Make %s writable by this user (in a container, mount a writable volume there), or set '
                          'state_file' % os.path.dirname(os.path.abspath(self.path)))

    def _bound(self, salt):
        """Binds the file to the URL, the token and the scope, without holding the token."""
        text = '\0'.join((salt, self._url, self._token, json.dumps(self._scope, sort_keys=True)))
        return hashlib.sha256(text.encode()).hexdigest()

    def _give_up(self, what, fix):
        self._warn('The baseline file %s of flywp.cloud.changes %s, so the source keeps its baseline in memory only: '
                   'after a restart it reports nothing of what changed while it was stopped. %s.' % (self.path, what, fix))
        self.path = None


def _reason(error):
    return getattr(error, 'strerror', None) or str(error)


def _remove(path):
    try:
        os.unlink(path)
    except OSError:
        pass
