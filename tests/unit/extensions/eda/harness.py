# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the tests of the event source share: one FakeClock for the simulator and the sources,
the queue ansible-rulebook gives a source, a source started as a new process starts it, a client
of its own token making changes, and a poll that fails half-way."""

from __future__ import annotations

import asyncio

from ansible_collections.flywp.cloud.extensions.eda.plugins.event_source.changes import ChangesSource
from ansible_collections.flywp.cloud.plugins.module_utils.client import FlyWPClient
from ansible_collections.flywp.cloud.tests.unit.fake_clock import FakeClock

CLOCK = FakeClock()
ACTOR_TOKEN = 'changes-actor'  # a token of its own for the changes a user or a playbook makes


class RecordingQueue:
    """What ansible-rulebook gives a source: put() takes an event."""

    def __init__(self):
        self.events = []

    async def put(self, event):
        self.events.append(event)

    def take(self):
        """The events since the last take."""
        taken, self.events = self.events, []
        return taken


async def fake_sleep(seconds):
    CLOCK.sleep(seconds)
    await asyncio.sleep(0)


def source(sim, queue=None, sleep=fake_sleep, token=None, **args):
    """A source as a new ansible-rulebook process starts it (a client of its own)."""
    args = dict({'api_url': sim.api_url, 'api_token': token or sim.token}, **args)
    return ChangesSource.from_args(queue or RecordingQueue(), args, clock=CLOCK.time, sleep=sleep, client_sleep=CLOCK.sleep)


def actor(sim):
    """A client of its own token, to make changes as a user or a playbook would."""
    return FlyWPClient(ACTOR_TOKEN, url=sim.api_url, clock=CLOCK.time, sleep=CLOCK.sleep)


def poll_events(watcher):
    asyncio.run(watcher.poll())
    return watcher.queue.take()


def poll(watcher):
    """One round: its events as (kind, change, name)."""
    return [(e['flywp']['kind'], e['flywp']['change'], e['flywp']['name']) for e in poll_events(watcher)]


def fail_the_sites_of(sim, watcher, server_id):
    """The watcher's listing of one server's sites fails from now on: more 503s than its client
    tries (the listings before it in a round go through). Returns what puts it right again."""
    listing = watcher.client.list

    def failing(endpoint, **ids):
        if ids.get('server_id') == str(server_id):
            sim.queue_fault(count=4, status=503)
        return listing(endpoint, **ids)

    watcher.client.list = failing
    return lambda: setattr(watcher.client, 'list', listing)
