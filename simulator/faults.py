"""Queued faults: what a flaky proxy in front of the API does to the next requests."""

import fnmatch
from dataclasses import dataclass

HTTP_METHODS = ('GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE')


@dataclass
class Fault:
    """One queued fault, applied to the next `remaining` requests whose method (and path, a
    pattern such as /servers/*/sites, when given) matches.

    The delay (seconds) comes first; then the connection is dropped, or `status` is
    answered with an HTML page, or, when neither, the request is processed normally.
    """

    remaining: int
    status: int | None = None
    drop: bool = False
    delay: float = 0.0
    methods: tuple | None = None
    path: str | None = None

    def matches(self, method, path):
        return (self.methods is None or method in self.methods) and (self.path is None or fnmatch.fnmatchcase(path, self.path))

    def describe(self):
        return {'count': self.remaining, 'status': self.status, 'drop': self.drop, 'delay': self.delay,
                'methods': list(self.methods) if self.methods else None, 'path': self.path}


def _check_fault(count, status, drop, delay, methods, path=None):
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ValueError(f'count must be a whole number of at least 1, not {count!r}')
    if status is not None and (isinstance(status, bool) or not isinstance(status, int) or not 400 <= status <= 599):
        raise ValueError(f'status must be an HTTP error status (400-599), not {status!r}')
    if not isinstance(drop, bool):
        raise ValueError(f'drop must be true or false, not {drop!r}')
    if isinstance(delay, bool) or not isinstance(delay, (int, float)) or delay < 0:
        raise ValueError(f'delay must be a number of seconds, not {delay!r}')
    if status is None and not drop and not delay:
        raise ValueError('a fault needs a status, drop or a delay')
    if status is not None and drop:
        raise ValueError('a fault cannot both answer a status and drop the connection')
    if path is not None and (not isinstance(path, str) or not path.startswith('/')):
        raise ValueError(f'path must be a path pattern under /api/v1 such as /servers/*/sites, not {path!r}')
    if methods is None:
        return None
    if not isinstance(methods, (list, tuple)) or not methods or not all(isinstance(method, str) for method in methods):
        raise ValueError('methods must be a non-empty list of HTTP methods')
    methods = tuple(method.upper() for method in methods)
    unknown = [method for method in methods if method not in HTTP_METHODS]
    if unknown:
        raise ValueError(f'unknown HTTP methods: {", ".join(unknown)}')
    return methods


class FaultQueue:
    """Faults in the order they were queued. Not thread-safe by itself."""

    def __init__(self):
        self._faults = []

    def add(self, count=1, status=None, drop=False, delay=0.0, methods=None, path=None):
        """Queue a fault; raise ValueError on a wrong argument."""
        methods = _check_fault(count, status, drop, delay, methods, path)
        self._faults.append(Fault(count, status, drop, float(delay), methods, path))

    def take(self, method, path):
        """The first queued fault for this method and path, counted as used, or None."""
        for fault in self._faults:
            if fault.matches(method, path):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
                return Fault(1, fault.status, fault.drop, fault.delay, fault.methods, fault.path)
        return None

    def pending(self):
        return [fault.describe() for fault in self._faults]

    def clear(self):
        self._faults.clear()
