# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A poll of the event source that fails half-way, for the tests of what it keeps then."""

from __future__ import annotations


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
