"""Everything the simulator knows, behind one lock: config, tokens, objects, budgets, faults, log."""

import copy
import threading
import time
from typing import NamedTuple

from .config import DEFAULT_CONFIG, merged
from .faults import FaultQueue
from .ratelimit import FixedWindowLimiter
from .store import DEFAULT_ACCOUNT, KINDS, Store

DEMO_TOKEN = 'flywp-demo-token'
PERMISSIONS = ('read', 'create', 'update', 'delete')


def checked_permissions(permissions):
    """A frozenset of permission names; ValueError on anything else."""
    if isinstance(permissions, str) or not isinstance(permissions, (list, tuple, set, frozenset)):
        raise ValueError(f'permissions must be a list among {", ".join(PERMISSIONS)}')
    unknown = [name for name in permissions if name not in PERMISSIONS]
    if unknown:
        raise ValueError(f'unknown permissions {unknown!r}; known: {", ".join(PERMISSIONS)}')
    return frozenset(permissions)


def checked_account(account):
    """The account name, DEFAULT_ACCOUNT for None; ValueError unless a non-empty string."""
    if account is None:
        return DEFAULT_ACCOUNT
    if not isinstance(account, str) or not account.strip():
        raise ValueError('account must be a non-empty string')
    return account


class Grant(NamedTuple):
    """What a token may do, and in which account: it sees and makes only that account's objects."""

    permissions: frozenset
    account: str


class SimulatorState:
    """The simulator's state. Every public method takes the lock; code that combines
    several steps (the request pipeline) holds `lock` itself (it is re-entrant)."""

    def __init__(self, config=None, tokens=None, state_file=None, clock=time.time, sleep=time.sleep):
        self.lock = threading.RLock()
        self.clock = clock  # every time the simulator reads: object ages, rate-limit windows, the log
        self.sleep = sleep  # every wait it makes: a fault's delay
        self._start_config = merged(DEFAULT_CONFIG, config or {})
        self._start_tokens = {DEMO_TOKEN: Grant(frozenset(PERMISSIONS), DEFAULT_ACCOUNT)}
        for token, permissions in (tokens or {}).items():
            self._start_tokens[token] = Grant(checked_permissions(permissions), DEFAULT_ACCOUNT)
        self.config = copy.deepcopy(self._start_config)
        self.tokens = dict(self._start_tokens)
        self.store = Store(state_file, clock=clock)
        self.limiter = FixedWindowLimiter()
        self.faults = FaultQueue()
        self.request_log = []

    def reset(self):
        """Forget objects, log, budgets and faults; config and tokens back to their start-up values.
        The next ids stay: an id is never given twice."""
        with self.lock:
            self.store.clear()
            self.request_log.clear()
            self.limiter.clear()
            self.faults.clear()
            self.config = copy.deepcopy(self._start_config)
            self.tokens = dict(self._start_tokens)

    def configure(self, changes):
        """Apply a partial config change (ConfigError if wrong); return the whole new config."""
        with self.lock:
            self.config = merged(self.config, changes)
            return copy.deepcopy(self.config)

    def config_copy(self):
        with self.lock:
            return copy.deepcopy(self.config)

    def add_token(self, token, permissions=PERMISSIONS, account=None):
        """Add (or replace) a token of an account (the default one for None); an account is made by its first mention."""
        if not isinstance(token, str) or not token.strip():
            raise ValueError('token must be a non-empty string')
        grant = Grant(checked_permissions(permissions), checked_account(account))
        with self.lock:
            self.tokens[token] = grant
        return grant

    def account_of(self, token):
        """The account of a known token, else None."""
        with self.lock:
            grant = self.tokens.get(token)
            return grant.account if grant else None

    def seed(self, servers, account=None):
        """Make servers (with what they hold) in an account (the default one for None); return their views with ids."""
        account = checked_account(account)
        with self.lock:
            return self.store.seed(servers, account)

    def update_object(self, kind, object_id, changes):
        """Change fields of an object of any account, as a person in the dashboard would; return its public view.
        UnknownObject (a LookupError) without such an object, ChangeError (a ValueError) for a field it cannot change."""
        with self.lock:
            return self.store.view(kind, self.store.update(kind, object_id, changes))

    def delete_object(self, kind, object_id):
        """Remove an object of any account at once with what it holds, as a person in the dashboard would."""
        with self.lock:
            self.store.delete(kind, self.store.dashboard_record(kind, object_id)['id'])

    def objects(self, kind, account=None):
        """The public views of every object of a kind in an account (the default one for None)."""
        if kind not in KINDS:
            raise ValueError(f'unknown kind {kind!r}; known: {", ".join(KINDS)}')
        account = checked_account(account)
        with self.lock:
            return [self.store.view(kind, record) for record in self.store.select(kind, account=account)]

    def take_failure(self, kind):
        """True if the next object of this kind must end `failed` (config fail_next), counting it down."""
        with self.lock:
            if self.config['fail_next'].get(kind, 0) > 0:
                self.config['fail_next'][kind] -= 1
                return True
            return False

    def record(self, method, path, query, status, account):
        """Log an answered request; account is the one of the token that made it (None without a known token)."""
        with self.lock:
            self.request_log.append({'method': method, 'path': path, 'query': dict(query), 'status': status, 'time': self.clock(),
                                     'account': account})

    def requests(self):
        with self.lock:
            return copy.deepcopy(self.request_log)

    def clear_requests(self):
        with self.lock:
            self.request_log.clear()

    def close(self):
        with self.lock:
            self.store.close()
