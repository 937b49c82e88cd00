"""SQLite persistence of the simulator's objects (the --state-file option)."""

import json
import sqlite3

SCHEMA = (
    'CREATE TABLE IF NOT EXISTS objects (kind TEXT NOT NULL, id INTEGER NOT NULL, data TEXT NOT NULL, PRIMARY KEY (kind, id))',
    'CREATE TABLE IF NOT EXISTS counters (kind TEXT PRIMARY KEY, next_id INTEGER NOT NULL)',
)


class StateFile:
    """One SQLite file: a row per object (kind, id, JSON record) and the next id of each kind.

    Not thread-safe by itself: the store calls it while holding the simulator's lock.
    """

    def __init__(self, path):
        self._db = sqlite3.connect(str(path), check_same_thread=False)
        with self._db:
            for statement in SCHEMA:
                self._db.execute(statement)

    def load(self):
        """Return ({kind: [record, ...] in id order}, {kind: next_id})."""
        objects = {}
        for kind, data in self._db.execute('SELECT kind, data FROM objects ORDER BY kind, id'):
            objects.setdefault(kind, []).append(json.loads(data))
        counters = dict(self._db.execute('SELECT kind, next_id FROM counters'))
        return objects, counters

    def write(self, saved, deleted, counters):
        """Save records [(kind, record)], delete [(kind, id)] and store the counters, in one transaction."""
        with self._db:
            self._db.executemany(
                'INSERT OR REPLACE INTO objects (kind, id, data) VALUES (?, ?, ?)',
                [(kind, record['id'], json.dumps(record, sort_keys=True)) for kind, record in saved])
            self._db.executemany('DELETE FROM objects WHERE kind = ? AND id = ?', list(deleted))
            self._db.executemany('INSERT OR REPLACE INTO counters (kind, next_id) VALUES (?, ?)', list(counters.items()))

    def clear(self):
        """Delete every object; the counters stay, so that no id is given twice."""
        with self._db:
            self._db.execute('DELETE FROM objects')

    def close(self):
        self._db.close()
