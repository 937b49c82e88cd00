"""Everything the simulator knows, behind one lock: config, tokens, objects, budgets, faults, log."""

import copy
import threading
import time

from .config import DEFAULT_CONFIG, merged
from .faults import FaultQueue
from .ratelimit import FixedWindowLimiter
from .store import Store

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


class SimulatorState:
    """The simulator's state. Every public method takes the lock; code that combines
    several steps (the request pipeline) holds `lock` itself (it is re-entrant)."""

    def __init__(self, config=None, tokens=None, state_file=None, clock=time.time, sleep=time.sleep):
        self.lock = threading.RLock()
        self.clock = clock  # every time the simulator reads: object ages, rate-limit windows, the log
        self.sleep = sleep  # every wait it makes: a fault's delay
        self._start_config = merged(DEFAULT_CONFIG, config or {})
        self._start_tokens = {DEMO_TOKEN: frozenset(PERMISSIONS)}
        for token, permissions in (tokens or {}).items():
            self._start_tokens[token] = checked_permissions(permissions)
        self.config = copy.deepcopy(self._start_config)
        self.tokens = dict(self._start_tokens)
        self.store = Store(state_file, clock=clock)
        self.limiter = FixedWindowLimiter()
        self.faults = FaultQueue()
        self.request_log = []

    def reset(self):
        """Forget objects, log, budgets and faults; config and tokens back to their start-up values."""
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

    def add_token(self, token, permissions=PERMISSIONS):
        if not isinstance(token, str) or not token.strip():
            raise ValueError('token must be a non-empty string')
        permissions = checked_permissions(permissions)
        with self.lock:
            self.tokens[token] = permissions

    def take_failure(self, kind):
        """True if the next object of this kind must end `failed` (config fail_next), counting it down."""
        with self.lock:
            if self.config['fail_next'].get(kind, 0) > 0:
                self.config['fail_next'][kind] -= 1
                return True
            return False

    def record(self, method, path, query, status):
        with self.lock:
            self.request_log.append({'method': method, 'path': path, 'query': dict(query), 'status': status, 'time': self.clock()})

    def requests(self):
        with self.lock:
            return copy.deepcopy(self.request_log)

    def clear_requests(self):
        with self.lock:
            self.request_log.clear()

    def close(self):
        with self.lock:
            self.store.close()
