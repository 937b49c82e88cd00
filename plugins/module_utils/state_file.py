# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The state file: one small JSON document per API URL and token, shared by every process of
the collection on this controller (the forks of a play, the inventory, playbooks side by
side). It holds the rate-limit budget (budget.py) and the hints of hints.py.

The token is never written: the files are named by a salted hash of the URL and token, in
an owner-only directory. A change runs under an exclusive lock on `<name>.lock`, and the
document is written beside `<name>.json` and renamed over it, so a process that dies
mid-write leaves the last whole document. Whatever fails (the directory, the lock, a write,
a corrupt file), the document goes on in this process, from what it last held, and `warn`
is told once, with the path and the fix.
"""

from __future__ import annotations

import copy
import glob
import hashlib
import json
import os

try:
    import fcntl
except ImportError:  # not POSIX: the state stays within the process
    fcntl = None

STATE_DIR_ENV = 'FLYWP_STATE_DIR'
OFF = ('', 'off', 'none', 'false', '0')
SALT_BYTES = 32
FALLBACK = ('The flywp.cloud state file %s cannot be used (%s), so this process keeps the rate-limit budget, server '
            'names and check-mode predictions to itself: forks and playbooks running beside it no longer share one '
            'budget, and may meet more 429 answers. %s, or set FLYWP_STATE_DIR to a directory of your own '
            '(FLYWP_STATE_DIR=off keeps every process to itself, without this warning).')


def state_dir():
    """Where the state files go: FLYWP_STATE_DIR, else $XDG_STATE_HOME/flywp.cloud, else
    ~/.local/state/flywp.cloud. None when FLYWP_STATE_DIR turns it off."""
    configured = os.environ.get(STATE_DIR_ENV)
    if configured is not None:
        return None if configured.strip().lower() in OFF else os.path.expanduser(configured)
    base = os.environ.get('XDG_STATE_HOME') or os.path.join(os.path.expanduser('~'), '.local', 'state')
    return os.path.join(base, 'flywp.cloud')


class SharedState:
    """update(change) runs change(document) under the lock and saves what it leaves; read()
    returns a copy. `path` is the file, None when the state is kept in this process."""

    def __init__(self, url, token, directory=None, warn=None):
        self._warn = warn
        self._memory = None  # the document, once this process keeps it to itself
        self.path = self._lock = None
        self.directory = directory = state_dir() if directory is None else directory
        if not directory or fcntl is None:
            self._memory = {}  # asked for (FLYWP_STATE_DIR=off), or no file locks on this system
            return
        try:
            os.makedirs(directory, mode=0o700, exist_ok=True)
            name = 'state-%s' % _key(directory, url, token)
        except OSError as error:
            self._fall_back(error, {})
            return
        self.path = os.path.join(directory, name + '.json')
        self._lock = os.path.join(directory, name + '.lock')

    def update(self, change):
        """change(document) -> value, under the lock; the document it leaves is saved. The value
        is returned even when saving fails: a decision made on the document stands."""
        if self._memory is not None:
            return change(self._memory)
        document, done, value = {}, False, None
        try:
            with os.fdopen(os.open(self._lock, os.O_RDWR | os.O_CREAT, 0o600), 'r+') as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed
                document = self._load()
                value, done = change(document), True
                self._save(document)
            return value
        except (OSError, ValueError) as error:
            self._fall_back(error, document)
        return value if done else change(self._memory)

    def read(self):
        """A copy of the document (the file is replaced whole, so it is read without the lock)."""
        if self._memory is not None:
            return copy.deepcopy(self._memory)
        try:
            return self._load()
        except (OSError, ValueError) as error:
            self._fall_back(error, {})
            return copy.deepcopy(self._memory)

    def _load(self):
        try:
            with open(self.path) as handle:
                text = handle.read()
        except FileNotFoundError:
            return {}
        document = json.loads(text) if text.strip() else {}
        if not isinstance(document, dict):
            raise ValueError('it holds JSON that is not an object')
        return document

    def _save(self, document):
        """Written beside, then renamed over the document (under the lock, as every write is: so a
        file left beside it is one a process stopped while writing, a cancelled job's, and goes)."""
        temporary = '%s.%d.tmp' % (self.path, os.getpid())
        try:
            with os.fdopen(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 'w') as handle:
                handle.write(json.dumps(document, sort_keys=True))
            os.replace(temporary, self.path)
        except OSError:
            try:
                os.unlink(temporary)
            except OSError:
                pass
            raise
        for left in glob.glob(glob.escape(self.path) + '.*.tmp'):
            try:
                os.unlink(left)
            except OSError:
                pass  # another's to remove, or gone already: the document is written whole either way

    def _fall_back(self, error, document):
        where = self.path or self.directory
        self._memory, self.path = document, None
        if self._warn is not None:
            self._warn(FALLBACK % (where, _reason(error), _fix(self.directory, error)))


def _key(directory, url, token):
    return hashlib.sha256(_salt(directory) + b'\0' + url.encode() + b'\0' + token.encode()).hexdigest()[:32]


def _salt(directory):
    """The directory's random salt, made once: written whole beside it, then linked into place,
    which fails if another process made it first; that one's salt is then used by both."""
    path = os.path.join(directory, 'salt')
    salt = _read_salt(path)
    if salt is not None:
        return salt
    temporary = '%s.%d.tmp' % (path, os.getpid())
    with os.fdopen(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 'wb') as handle:
        handle.write(os.urandom(SALT_BYTES))
    try:
        try:
            os.link(temporary, path)
        except FileExistsError:
            if _read_salt(path) is None:  # a salt file cut short by an older version: replaced
                os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    salt = _read_salt(path)
    if salt is None:
        raise OSError('the salt file %s cannot be read back' % path)
    return salt


def _read_salt(path):
    try:
        with open(path, 'rb') as handle:
            salt = handle.read()
    except FileNotFoundError:
        return None
    return salt if len(salt) >= 16 else None


def _reason(error):
    if isinstance(error, ValueError):
        return 'it does not hold a JSON object: %s' % str(error)[:100]
    return getattr(error, 'strerror', None) or str(error)


def _fix(directory, error):
    if isinstance(error, ValueError):
        return 'Remove the file (it is made again)'
    return 'Make %s and the files in it writable by this user' % directory
