# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Measure the API client against an in-process simulator: requests, 429s, waits, wall time.

    python tools/benchmark_api.py        (needs requests; takes about half a minute)

Not a test: it prints a table for the notes. The rate-limit runs send 40 GETs under a
limit of 10 requests per 2 s, with the client's pacing by X-RateLimit-Remaining, and
without it (the client made blind to that header) for comparison.
"""

import atexit
import os
import shutil
import sys
import tempfile
import time

from requests.structures import CaseInsensitiveDict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def import_collection():
    """Put the checkout on sys.path as ansible_collections.flywp.cloud, wherever it sits."""
    top = tempfile.mkdtemp(prefix='flywp-benchmark-')
    atexit.register(shutil.rmtree, top, True)
    os.makedirs(os.path.join(top, 'ansible_collections', 'flywp'))
    os.symlink(ROOT, os.path.join(top, 'ansible_collections', 'flywp', 'cloud'))
    sys.path.insert(0, top)


LIMIT, WINDOW, GETS = 10, 2.0, 40


def without_pacing(client):
    """Hide X-RateLimit-Remaining from the client's budget: it learns of the limit only by 429s."""
    observe = client.budget.observe

    def blind(headers):
        observe(CaseInsensitiveDict((name, value) for name, value in headers.items()
                                    if name.lower() != 'x-ratelimit-remaining'))
    client.budget.observe = blind
    return client


def measure(sim, label, work, client):
    sim.clear_requests()
    started = time.monotonic()
    work(client)
    wall = time.monotonic() - started
    sent = sim.requests()
    return (label, len(sent), sum(1 for entry in sent if entry['status'] == 429), client.budget.waited, wall)


def main():
    import_collection()
    # pylint: disable-next=import-outside-toplevel
    from ansible_collections.flywp.cloud.plugins.module_utils.api import FlyWPClient
    # pylint: disable-next=import-outside-toplevel
    from ansible_collections.flywp.cloud.simulator import Simulator

    rows = []
    with Simulator() as sim:
        sim.seed([{'name': 'web-%03d' % number} for number in range(250)])
        rows.append(measure(sim, 'list 250 servers (pages of 100)', lambda client: client.list('server.list'),
                            FlyWPClient(sim.token, url=sim.api_url)))

        def gets(client):
            for _index in range(GETS):
                client.call('server.get', server_id=1)

        for headers in ('retry-after', 'none'):
            for paced in (True, False):
                sim.reset()
                sim.seed([{'name': 'web-1'}])
                sim.configure(rate_limit=LIMIT, rate_window=WINDOW, rate_limit_headers=headers)
                client = FlyWPClient(sim.token, url=sim.api_url, window=WINDOW)
                label = '%d GETs, %d per %g s, 429 headers %s, %s' % (
                    GETS, LIMIT, WINDOW, headers, 'paced' if paced else 'not paced')
                rows.append(measure(sim, label, gets, client if paced else without_pacing(client)))

    print('%-55s %8s %5s %9s %7s' % ('run', 'requests', '429s', 'waited s', 'wall s'))
    for label, sent, refused, waited, wall in rows:
        print('%-55s %8d %5d %9.2f %7.2f' % (label, sent, refused, waited, wall))


if __name__ == '__main__':
    main()
