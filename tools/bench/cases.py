# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The bench's cases, A to E. Each prepares the simulator afresh, runs, and returns its rows."""

import json
import math
import os
import time
from dataclasses import dataclass, replace

from measure import Row, done, progress

PAGE = 100  # servers per page the client asks for
RAISED = (100000, 60.0)  # a limit no case reaches: for counting requests, not waiting
FREQUENCIES = ('*/5 * * * *', '@hourly', '@daily', '0 3 * * *', '30 2 * * sun', '15 */6 * * *')
ALIGNED_EARLY = 0.05  # of a window: 3 s of a minute


@dataclass(frozen=True)
class Params:
    """The sizes and limits of every case; FULL is the reference, QUICK is for development."""

    a_hosts: int
    a_jobs: int
    a_forks: int
    a_limit: tuple
    b_jobs: int
    b_limit: tuple
    c_servers: int
    d_servers: tuple
    d_sites_servers: int
    d_sites_limit: tuple
    e_gets: int
    e_limit: tuple
    f_hosts: int  # per container
    f_jobs: int
    f_forks: int
    f_limit: tuple
    uri_delay: int  # seconds between tries of the hand-written uri play


FULL = Params(a_hosts=20, a_jobs=6, a_forks=20, a_limit=(60, 60.0), b_jobs=60, b_limit=(10, 5.0),
              c_servers=10000, d_servers=(1000, 10000), d_sites_servers=1000, d_sites_limit=(60, 60.0),
              e_gets=40, e_limit=(10, 2.0), f_hosts=5, f_jobs=6, f_forks=5, f_limit=(60, 60.0), uri_delay=5)
# Scaled limits keep about as many windows per run as FULL, so the shape of the figures stays.
QUICK = Params(a_hosts=4, a_jobs=6, a_forks=4, a_limit=(12, 3.0), b_jobs=24, b_limit=(5, 1.0),
               c_servers=1000, d_servers=(200, 1000), d_sites_servers=60, d_sites_limit=(12, 3.0),
               e_gets=20, e_limit=(5, 1.0), f_hosts=2, f_jobs=6, f_forks=2, f_limit=(12, 3.0), uri_delay=1)


def limit_text(limit):
    return '%d/%g s' % limit


def bench_jobs(count):
    return [{'command': '/usr/local/bin/bench-job-%02d' % number, 'user': 'fly',
             'frequency': FREQUENCIES[number % len(FREQUENCIES)]} for number in range(1, count + 1)]


def servers_named(prefix, count, **fields):
    return [dict(fields, name='%s-%05d' % (prefix, number)) for number in range(1, count + 1)]


def case_a(bench):
    """20 hosts x 6 cron jobs, forks 20, at the real limit: list form, loop form, uri by hand."""
    p = bench.params
    jobs = bench_jobs(p.a_jobs)
    rows = []
    for run, playbook, must_send in (
            ('list form (`jobs:`)', 'cron_list.yml', p.a_hosts * (1 + p.a_jobs)),
            ('loop form (a task per job)', 'cron_loop.yml', p.a_hosts * p.a_jobs * 2),
            ('`uri` by hand', 'cron_uri.yml', p.a_hosts * (1 + p.a_jobs))):
        row = Row('A', run, p.a_limit, must_send)
        servers = bench.sim.prepare(*p.a_limit, servers=servers_named('bench', p.a_hosts))
        log, run = bench.cron_play(row, playbook, servers, jobs, p.a_forks)
        rows.append(row)
        if playbook == 'cron_list.yml':
            rows.append(aligned_windows(bench, jobs, log[0]['time'] - run.started_at if log else 10.0))
    rows.append(module_start(bench))
    return rows


def aligned_windows(bench, jobs, start_up):
    """Case A's list form against windows that begin on their own, aligned to the clock, the
    first of them begun ALIGNED_EARLY of a minute before the playbook's first request (its
    start-up measured by the run before): what the client learns must hold however the API
    begins its windows."""
    p = bench.params
    limit, window = p.a_limit
    early = ALIGNED_EARLY * window
    row = Row('A', 'list form, windows aligned to the clock', p.a_limit, p.a_hosts * (1 + p.a_jobs))
    servers = bench.sim.prepare(limit, window, servers=servers_named('bench', p.a_hosts), window_start='clock')
    # Start so that the first request comes `early` after a window began.
    time.sleep((early - start_up - time.time()) % window)
    log, _run = bench.cron_play(row, 'cron_list.yml', servers, jobs, p.a_forks, name='A-cron_list-aligned')
    if log:
        row.first_window_left = window - log[0]['time'] % window
        row.result += ', first window began %.1f s before the first request' % (log[0]['time'] % window)
    return row


def module_start(bench):
    """Case A's hosts and forks, `ansible.builtin.ping` once a host: Ansible's own cost of a
    module process per host, which every run of case A pays before its first request."""
    p = bench.params
    row = Row('A', '`ansible.builtin.ping` once a host (no request)', p.a_limit, 0)
    progress(row)
    servers = bench.sim.prepare(*p.a_limit, servers=servers_named('bench', p.a_hosts))
    run = bench.playbook(bench.run_dir('A-ping'), 'ping.yml', servers, {}, p.a_forks)
    row.count(bench.sim.requests())
    row.wall, row.peak_mib, row.failed = run.wall, run.peak_mib, run.failed_tasks()
    row.complete = run.returncode == 0
    row.result = 'ansible-core alone'
    row.note = run.first_failure()
    done(row)
    return row


def case_b(bench):
    """1 host, 60 cron jobs, under 10 requests per 5 s: a window the client is not told."""
    p = bench.params
    jobs = bench_jobs(p.b_jobs)
    rows = []
    for run, playbook in (('list form (`jobs:`)', 'cron_list.yml'), ('`uri` by hand', 'cron_uri.yml')):
        row = Row('B', run, p.b_limit, 1 + p.b_jobs)
        servers = bench.sim.prepare(*p.b_limit, servers=servers_named('bench', 1))
        bench.cron_play(row, playbook, servers, jobs, 1)
        rows.append(row)
    return rows


def case_c(bench):
    """One server among many, named by name in two tasks, then by id: the requests of each task."""
    p = bench.params
    servers = bench.sim.prepare(*RAISED, servers=servers_named('web', p.c_servers))
    target = servers[-1]
    pages = math.ceil(p.c_servers / PAGE)
    rows = [Row('C', 'by name, first task (adds the job)', RAISED, pages + 2),
            Row('C', 'by name, second task', RAISED, 2),
            Row('C', 'by id, third task', RAISED, 1)]
    progress(rows[0])
    run_dir = bench.run_dir('C-by-name')
    run = bench.playbook(run_dir, 'cron_by_name.yml', [target], {
        'bench_jobs': bench_jobs(1), 'bench_control_url': bench.sim.control_url, 'bench_work': run_dir}, 1)
    marks = []
    for number in range(4):
        path = os.path.join(run_dir, 'log-%d.json' % number)
        if os.path.exists(path):
            with open(path, encoding='utf-8') as handle:
                marks.append((os.path.getmtime(path), json.load(handle)['requests']))
    for number, row in enumerate(rows, start=1):
        if number < len(marks):
            (started, before), (ended, after) = marks[number - 1], marks[number]
            row.count(after[len(before):])
            row.wall = ended - started
        row.failed = run.failed_tasks()
        row.complete = len(marks) == 4
        row.result = '%s servers in the account' % format(p.c_servers, ',')
    rows[0].note = run.first_failure()
    for row in rows:
        done(row)
    return rows


def case_d(bench):
    """The inventory plugin: servers only at two sizes, a cached rerun, and include_sites under the limit."""
    p = bench.params
    real = (60, 60.0)
    rows = []
    small, large = p.d_servers
    row = Row('D', 'inventory, %s servers' % format(small, ','), real, math.ceil(small / PAGE))
    bench.sim.prepare(*real, servers=servers_named('web', small))
    rows.append(bench.inventory(row, 'D-inventory-small', {}, small))

    cache_dir = os.path.join(bench.run_dir('D-inventory-large'), 'cache')
    cached = {'cache': True, 'cache_plugin': 'ansible.builtin.jsonfile', 'cache_connection': cache_dir,
              'cache_prefix': 'flywp_', 'cache_timeout': 3600}
    row = Row('D', 'inventory, %s servers, cache on (empty)' % format(large, ','), real, math.ceil(large / PAGE))
    bench.sim.prepare(*real, servers=servers_named('web', large))
    rows.append(bench.inventory(row, 'D-inventory-large', cached, large))
    row = Row('D', 'the same again, cache filled', real, 0)
    bench.sim.control('DELETE', '/requests')
    rows.append(bench.inventory(row, 'D-inventory-large', cached, large, again=True))

    count = p.d_sites_servers
    row = Row('D', '`include_sites`, %s servers, 1 site each' % format(count, ','), p.d_sites_limit,
              math.ceil(count / PAGE) + count)
    sites = [dict(server, sites=[{'domain': '%s.example.com' % server['name']}]) for server in servers_named('web', count)]
    bench.sim.prepare(*p.d_sites_limit, servers=sites)
    rows.append(bench.inventory(row, 'D-include-sites', {'include_sites': True}, count))
    return rows


def case_e(bench):
    """The client alone, in this process (no Ansible): GETs under a small limit, the window told by a 429 or not."""
    p = bench.params
    rows = []
    for run, headers in (('client alone, 429 with Retry-After', 'retry-after'),
                         ('client alone, 429 saying nothing', 'none')):
        row = Row('E', run, p.e_limit, p.e_gets)
        servers = bench.sim.prepare(*p.e_limit, servers=servers_named('bench', 1))
        bench.sim.control('PATCH', '/config', {'rate_limit_headers': headers})
        bench.client_gets(row, servers[0]['id'], p.e_gets)
        rows.append(row)
    return rows


# Case F's runs: how many ansible-playbook processes at once, and how they keep their state.
SEPARATE, SHARED, CLOCK = '', '-shared', '-clock'
CONTAINER_RUNS = ('1', '2', '2-shared', '4', '4-shared', '4-clock')
STARTUP_GUESS = 10.0  # seconds from the start to the first request, until a run of case F measured it


def container_runs(text):
    """[(count, variant)] from '1,2,4-shared': a number of containers, optionally -shared or -clock."""
    runs = []
    for item in text.split(','):
        item = item.strip()
        count, variant = item.split('-', 1) if '-' in item else (item, '')
        variant = '-' + variant if variant else SEPARATE
        if not count.isdigit() or int(count) < 1 or variant not in (SEPARATE, SHARED, CLOCK):
            raise ValueError(item)
        runs.append((int(count), variant))
    return runs


def case_f(bench):
    """One token, several containers: N ansible-playbook processes at once, each with its own
    HOME, TMPDIR and state directory (as AWX runs jobs), or one state directory shared among
    them, each over its own hosts; the list form of case A."""
    p = bench.params
    limit, window = p.f_limit
    jobs = bench_jobs(p.f_jobs)
    rows, start_up = [], None
    for count, variant in bench.container_runs:
        must_send = count * p.f_hosts * (1 + p.f_jobs)
        if count == 1:
            text = '1 container'
        else:
            text = '%d containers, %s' % (count, 'one state directory shared' if variant == SHARED
                                          else 'a state directory each')
        if variant == CLOCK:
            text += ', windows aligned to the clock'
        row = Row('F', text, p.f_limit, must_send)
        servers = bench.sim.prepare(limit, window, servers=servers_named('bench', count * p.f_hosts),
                                    window_start='clock' if variant == CLOCK else 'first-request')
        if variant == CLOCK:
            # As case A's: the first request `early` after a window began on its own.
            early = ALIGNED_EARLY * window
            time.sleep((early - (start_up or STARTUP_GUESS) - time.time()) % window)
        name = 'F-%d%s' % (count, variant or '-separate')
        log = bench.containers(row, name, servers, jobs, count, p.f_forks, shared_state=variant == SHARED)
        if log and variant == CLOCK:
            row.first_window_left = window - log[0]['time'] % window
            row.result += ', first window began %.1f s before it' % (log[0]['time'] % window)
        elif log:  # the last start-up measured places the aligned run's first request
            start_up = log[0]['time'] - json_field(os.path.join(bench.work, name, 'run.json'), 'started')
        rows.append(row)
    return rows


def case_g(bench):
    """Case A's hosts, jobs and limit, the writes sent through flywp.cloud.api, and by hand with uri."""
    p = bench.params
    jobs = bench_jobs(p.a_jobs)
    rows = []
    for run, playbook in (('`flywp.cloud.api` (a read, a POST per job)', 'cron_api.yml'),
                          ('`uri` by hand (the same requests)', 'cron_uri.yml')):
        row = Row('G', run, p.a_limit, p.a_hosts * (1 + p.a_jobs))
        servers = bench.sim.prepare(*p.a_limit, servers=servers_named('bench', p.a_hosts))
        bench.cron_play(row, playbook, servers, jobs, p.a_forks, name='G-' + playbook[:-4])
        rows.append(row)
    return rows


def json_field(path, name):
    with open(path, encoding='utf-8') as handle:
        return json.load(handle)[name]


CASES = {'A': case_a, 'B': case_b, 'C': case_c, 'D': case_d, 'E': case_e, 'F': case_f, 'G': case_g}
DEFAULT_CASES = 'ABCDFG'


def with_sites_limit(params, limit):
    return params if limit is None else replace(params, d_sites_limit=limit)
