# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the modules remember across tasks and runs: hints, never facts.

- Names: which id a name had, for NAME_TTL seconds, shared by every process that uses the
  URL and token (state_file.py). A later task naming the server does not list every server
  again; references.py first confirms the id with one request for that server (the name
  still matches, the server is not being deleted), and else resolves the name afresh.
- CheckRunPredictions: what a check run would create, so that the tasks after it can show
  what they would do on it. They are kept under the run's identity, which the collection's
  action plugin gives every module (RUN_VARIABLE): no later run, in check mode or not, ever
  sees them.
- Hints: what converge records in both, for the resources whose declaration asks for it
  (declaration.py NAMES, PREDICTIONS): the id of what it made or kept, the name of what it
  deleted, and in check mode what it would make; no module does this bookkeeping itself.
"""

from __future__ import annotations

import os
import time

from ansible_collections.flywp.cloud.plugins.module_utils.declaration import NAMES

NAME_TTL = 300.0  # seconds a name -> id hint is kept
RUN_TTL = 86400.0  # a check run's predictions are dropped from the file this long after (housekeeping only)
RUN_VARIABLE = 'FLYWP_CHECK_RUN'
RUNS_KEY = 'check_runs'
NO_RUN = ('Check mode cannot show the tasks after this one what they would do on the %s it would create: this module '
          'ran without the identity of its run, which the flywp.cloud action plugins give every flywp.cloud module '
          '(the %s environment variable). Run it as flywp.cloud.<module> from ansible-playbook or ansible; the tasks '
          'after it then fail as if nothing were created.')


class Names:
    """name -> id hints of one kind of object, shared through the state file."""

    def __init__(self, state, kind, clock=time.time):
        self.state = state
        self.key = '%s_names' % kind
        self._clock = clock

    def recall(self, name):
        entry = self.state.read().get(self.key, {})
        entry = entry.get(name) if isinstance(entry, dict) else None
        return entry[0] if _live(entry, self._clock()) else None

    def remember(self, ids):
        """ids: {name: id}, from a listing or a creation; an id of None forgets the name."""
        now = self._clock()

        def change(document):
            names = document.get(self.key) if isinstance(document.get(self.key), dict) else {}
            names = dict((name, entry) for name, entry in names.items() if _live(entry, now))
            for name, object_id in ids.items():
                if object_id is None:
                    names.pop(name, None)
                else:
                    names[name] = [str(object_id), now + NAME_TTL]
            document[self.key] = names
        self.state.update(change)

    def forget(self, name):
        self.remember({name: None})


class CheckRunPredictions:
    """What this check run would create, for the later tasks of the same run only."""

    def __init__(self, state, run=None, clock=time.time, warn=None):
        self.state = state
        self.run = run if run is not None else os.environ.get(RUN_VARIABLE) or None
        self._clock = clock
        self._warn = warn

    def predict(self, kind, key):
        if self.run is None:
            if self._warn is not None:
                self._warn(NO_RUN % (kind, RUN_VARIABLE))
            return
        now = self._clock()

        def change(document):
            runs = document.get(RUNS_KEY) if isinstance(document.get(RUNS_KEY), dict) else {}
            runs = dict((run, entry) for run, entry in runs.items() if _live_run(entry, now))
            entry = runs.get(self.run) or {'keys': [], 'until': 0}
            entry['keys'] = sorted(set(entry['keys']) | {'%s %s' % (kind, key)})
            entry['until'] = now + RUN_TTL
            runs[self.run] = entry
            document[RUNS_KEY] = runs
        self.state.update(change)

    def is_predicted(self, kind, key):
        if self.run is None:
            return False
        runs = self.state.read().get(RUNS_KEY)
        entry = runs.get(self.run) if isinstance(runs, dict) else None
        return _live_run(entry, self._clock()) and '%s %s' % (kind, key) in entry['keys']


def _live(entry, now):
    return (isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], str)
            and isinstance(entry[1], (int, float)) and entry[1] > now)


def _live_run(entry, now):
    return (isinstance(entry, dict) and isinstance(entry.get('keys'), list)
            and isinstance(entry.get('until'), (int, float)) and entry['until'] > now)


class Hints:
    """The hints converge records, scoped to the parent of the objects it converges: a check
    run's prediction of a site is kept under its server's reference, as the tasks after it
    name the site (`scope`: that reference, folded; None at the top)."""

    def __init__(self, names, predictions, scope=None):
        self.names, self.predictions, self.scope = names, predictions, scope

    def under(self, scope):
        return Hints(self.names, self.predictions, scope)

    def key_text(self, key):
        """A natural key (a tuple) as the hints keep it, with the scope first."""
        return ' '.join(([self.scope] if self.scope is not None else []) + list(key))

    def made(self, rtype, keyed_ids):
        """[(key, id)] of the objects a task made or found, not in check mode."""
        if NAMES in rtype.hints and keyed_ids:
            self.names.remember(dict((self.key_text(key), object_id) for key, object_id in keyed_ids))

    def removed(self, rtype, keys):
        if NAMES in rtype.hints and keys:
            self.names.remember(dict((self.key_text(key), None) for key in keys))

    def would_make(self, rtype, keys):
        for key in keys:
            self.predictions.predict(rtype.name, self.key_text(key))

    def is_predicted(self, rtype, key):
        return self.predictions.is_predicted(rtype.name, self.key_text(key))
