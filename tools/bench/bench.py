# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The rate-limit benchmark: `make bench`, or tools/bench/bench.sh [--quick] [--cases ABCD] ...

Runs real playbooks and inventories of this checkout against the FlyWP API simulator and
prints one table: for each run the floor (the fewest requests the work needs, over the
limit per window), wall time, requests and 429s as the simulator logged them, failed
tasks, peak memory and what the run left behind. See tools/bench/README.md.
"""

import argparse
import contextlib
import json
import os
import sys
import tempfile
import time

from cases import CASES, CONTAINER_RUNS, DEFAULT_CASES, FULL, QUICK, container_runs, with_sites_limit
from measure import done, progress, run_measured, run_together
from report import machine_lines, table
from simulator_process import SimulatorProcess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PLAYBOOKS = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'playbooks')
DEMO_TOKEN = 'flywp-demo-token'  # the simulator's own; never a real token
# Where the collection keeps what it shares between processes (issue 10); every run gets
# an empty one, so no run inherits what an earlier one learned.
STATE_DIR_VARIABLE = 'FLYWP_STATE_DIR'


class Bench:
    """What the cases share: the simulator, the sizes, a work directory, and how to run Ansible."""

    def __init__(self, params, sim, work, bin_dir, collections, containers=None):
        self.params = params
        # case F's runs: [(processes, variant)]
        self.container_runs = container_runs(','.join(CONTAINER_RUNS)) if containers is None else containers
        self.sim = sim
        self.work = work
        self.bin_dir = bin_dir
        self.collections = collections
        self.config = os.path.join(work, 'ansible.cfg')
        with open(self.config, 'w', encoding='utf-8') as handle:
            handle.write('[defaults]\n')  # so no ansible.cfg of the user's changes the figures

    def run_dir(self, name):
        path = os.path.join(self.work, name)
        os.makedirs(os.path.join(path, 'state'), exist_ok=True)
        return path

    def env(self, run_dir, state_dir=None, home=None, tmp=None):
        """The environment of a run: its own empty state directory unless `state_dir` is given;
        `home` and `tmp`: a HOME and a TMPDIR of its own too, as a container has."""
        env = {name: value for name, value in os.environ.items() if not name.startswith(('ANSIBLE_', 'FLYWP_'))}
        env.update({
            'PATH': self.bin_dir + os.pathsep + env.get('PATH', ''),
            'ANSIBLE_CONFIG': self.config,
            'ANSIBLE_COLLECTIONS_PATH': self.collections,
            'ANSIBLE_NOCOLOR': '1',
            'ANSIBLE_RETRY_FILES_ENABLED': 'false',
            'ANSIBLE_LOCALHOST_WARNING': 'false',
            'FLYWP_API_URL': self.sim.api_url,
            'FLYWP_API_TOKEN': DEMO_TOKEN,
            STATE_DIR_VARIABLE: state_dir or os.path.join(run_dir, 'state'),
        })
        if home:
            env.update(HOME=home, TMPDIR=tmp)
        return env

    def playbook_command(self, run_dir, playbook, servers, variables, forks):
        """The argv of a playbook of tools/bench/playbooks over one local host per server; its
        inventory and variables are written in run_dir."""
        hosts = {'bench-%02d' % number: {'flywp_server_id': server['id'], 'flywp_server_name': server['name']}
                 for number, server in enumerate(servers, start=1)}
        inventory = {'bench': {'hosts': hosts, 'vars': {
            'ansible_connection': 'local', 'ansible_python_interpreter': '{{ ansible_playbook_python }}'}}}
        write_json(os.path.join(run_dir, 'hosts.yml'), inventory)  # JSON is YAML
        variables = dict(variables, bench_uri_retries=60, bench_uri_delay=self.params.uri_delay)
        write_json(os.path.join(run_dir, 'vars.json'), variables)
        return [os.path.join(self.bin_dir, 'ansible-playbook'), '-i', 'hosts.yml', '-e', '@vars.json',
                '--forks', str(forks), os.path.join(PLAYBOOKS, playbook)]

    def playbook(self, run_dir, playbook, servers, variables, forks):
        """Run a playbook of tools/bench/playbooks over one local host per server."""
        return run_measured(self.playbook_command(run_dir, playbook, servers, variables, forks),
                            self.env(run_dir), run_dir, 'ansible-playbook')

    def jobs_made(self, servers, jobs):
        """How many of `jobs` each of `servers` has, summed (read with the check token, the limit raised first)."""
        self.sim.control('PATCH', '/config', {'rate_limit': 100000})  # the check's requests must not wait
        wanted = {(job['command'], job['user'], job['frequency']) for job in jobs}
        return sum(len(wanted & {(cron['command'], cron['user'], cron['frequency'])
                                 for cron in self.sim.api_get('/servers/%s/crons' % server['id'])})
                   for server in servers)

    def cron_play(self, row, playbook, servers, jobs, forks, name=None):
        """Run a cron playbook, count its requests and check the jobs it made; returns the request log and the Run."""
        progress(row)
        run_dir = self.run_dir(name or '%s-%s' % (row.case, playbook[:-4]))
        run = self.playbook(run_dir, playbook, servers, {'bench_jobs': jobs}, forks)
        log = self.sim.requests()
        # tools/bench/windows.py reads them
        write_json(os.path.join(run_dir, 'requests.json'), log)
        write_json(os.path.join(run_dir, 'run.json'), {'started': run.started_at, 'ended': run.ended_at})
        row.count(log)
        row.wall, row.peak_mib, row.failed = run.wall, run.peak_mib, run.failed_tasks()
        row.note = run.first_failure() or ('' if run.returncode == 0 else 'exit code %d' % run.returncode)
        made = self.jobs_made(servers, jobs)
        row.result = '%d/%d jobs' % (made, len(jobs) * len(servers))
        row.complete = made == len(jobs) * len(servers)
        done(row)
        return log, run

    def containers(self, row, name, servers, jobs, count, forks, shared_state):
        """`count` ansible-playbook processes of the cron list form at once, as jobs in separate
        containers: each its own HOME, TMPDIR and state directory (one shared among them with
        `shared_state`), its own hosts (servers split evenly), `forks` forks. Returns the request log."""
        progress(row)
        run_dir = self.run_dir(name)
        each = len(servers) // count
        commands = []
        with contextlib.ExitStack() as temporary:
            for number in range(count):
                home = os.path.join(run_dir, 'container-%d' % (number + 1))
                os.makedirs(home, exist_ok=True)
                # A short TMPDIR: Ansible's local sockets go there, and a socket's path has a
                # length limit (108 bytes) that a run directory in a deep checkout passes.
                tmp = temporary.enter_context(tempfile.TemporaryDirectory(prefix='flywp-bench-'))
                state = os.path.join(run_dir, 'state') if shared_state else os.path.join(home, 'state')
                argv = self.playbook_command(home, 'cron_list.yml', servers[number * each:(number + 1) * each],
                                             {'bench_jobs': jobs}, forks)
                commands.append((argv, self.env(run_dir, state_dir=state, home=home, tmp=tmp), home,
                                 'ansible-playbook'))
            runs = run_together(commands)
        log = self.sim.requests()
        write_json(os.path.join(run_dir, 'requests.json'), log)
        write_json(os.path.join(run_dir, 'run.json'), {
            'started': min(run.started_at for run in runs), 'ended': max(run.ended_at for run in runs),
            'containers': [{'started': run.started_at, 'ended': run.ended_at} for run in runs]})
        row.count(log)
        row.wall = max(run.wall for run in runs)
        row.peak_mib = max(run.peak_mib for run in runs)
        failed = [run.failed_tasks() for run in runs]
        row.failed = None if None in failed else sum(failed)
        row.note = next((run.first_failure() or 'exit code %d' % run.returncode
                         for run in runs if run.returncode or run.first_failure()), '')
        made = self.jobs_made(servers, jobs)
        row.result = '%d/%d jobs' % (made, len(jobs) * len(servers))
        row.complete = made == len(jobs) * len(servers)
        if log:
            row.result += ', first request %.1f s after the start' % (log[0]['time'] - min(run.started_at for run in runs))
        done(row)
        return log

    def inventory(self, row, name, options, servers, again=False):
        """ansible-inventory --list of a flywp.yml source in the run directory `name`, over `servers` servers;
        `again` runs the same file a second time (its cache key is the file's path)."""
        progress(row)
        run_dir = self.run_dir(name)
        write_json(os.path.join(run_dir, 'bench.flywp.yml'), dict(options, plugin='flywp.cloud.flywp'))
        env = self.env(run_dir)
        env['ANSIBLE_INVENTORY_ENABLED'] = 'auto'  # so a failure is told once, not again by the yaml and ini plugins
        run = run_measured([os.path.join(self.bin_dir, 'ansible-inventory'), '-i', 'bench.flywp.yml', '--list'],
                           env, run_dir, 'ansible-inventory' + ('-again' if again else ''))
        row.count(self.sim.requests())
        row.wall, row.peak_mib = run.wall, run.peak_mib
        row.note = run.first_failure()
        row.failed = 1 if row.note or run.returncode else 0
        try:
            with open(run.stdout_path, encoding='utf-8') as handle:
                hostvars = json.load(handle)['_meta']['hostvars']
        except (ValueError, KeyError):
            hostvars = {}
        row.result = '%s hosts' % format(len(hostvars), ',')
        row.complete = len(hostvars) == servers
        if options.get('include_sites'):  # one site a server
            sites = sum(len(variables.get('flywp_sites') or []) for variables in hostvars.values())
            row.result += ', %s sites' % format(sites, ',')
            row.complete = row.complete and sites == servers
        done(row)
        return row

    def client_gets(self, row, server_id, gets):
        """GETs through the collection's client in this process: the pacing without Ansible's start-up costs."""
        progress(row)
        sys.path.insert(0, self.collections)
        # pylint: disable-next=import-outside-toplevel,import-error
        from ansible_collections.flywp.cloud.plugins.module_utils.client import FlyWPClient
        # pylint: disable-next=import-outside-toplevel,import-error
        from ansible_collections.flywp.cloud.plugins.module_utils.resource_types import SERVER
        # pylint: disable-next=import-outside-toplevel,import-error
        from ansible_collections.flywp.cloud.plugins.module_utils.errors import FlyWPError
        saved = os.environ.get(STATE_DIR_VARIABLE)
        os.environ[STATE_DIR_VARIABLE] = os.path.join(self.run_dir('E-' + row.run.split()[-1]), 'state')
        row.failed = 0
        started = time.monotonic()
        try:
            client = FlyWPClient(DEMO_TOKEN, url=self.sim.api_url)
            for _number in range(gets):
                client.call(SERVER.endpoints.get, server_id=server_id)
        except FlyWPError as error:
            row.failed, row.note = 1, str(error)
        finally:
            row.wall = time.monotonic() - started
            if saved is None:
                del os.environ[STATE_DIR_VARIABLE]
            else:
                os.environ[STATE_DIR_VARIABLE] = saved
        row.count(self.sim.requests())
        answered = sum(1 for entry in self.sim.requests() if entry['status'] == 200)
        row.result, row.complete = '%d/%d GETs answered' % (answered, gets), answered == gets
        done(row)


def write_json(path, data):
    with open(path, 'w', encoding='utf-8') as handle:
        json.dump(data, handle, indent=1)


def containers_argument(text):
    try:
        return container_runs(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError('%s: expected a number of containers, optionally with -shared or -clock '
                                         '(such as 2 or 4-shared)' % error) from None


def limit_argument(text):
    try:
        count, window = text.split('/')
        return int(count), float(window.rstrip('s '))
    except ValueError:
        raise argparse.ArgumentTypeError('expected REQUESTS/SECONDS, such as 60/60') from None


def parse_args(argv):
    parser = argparse.ArgumentParser(prog='tools/bench/bench.sh', description=__doc__.split('\n\n')[1])
    parser.add_argument('--cases', default=DEFAULT_CASES, type=str.upper,
                        help='which cases, any of %s (default %s; E is the client alone)' % (''.join(CASES), DEFAULT_CASES))
    parser.add_argument('--quick', action='store_true', help='fewer hosts and servers, scaled limits: for development')
    parser.add_argument('--sites-limit', type=limit_argument, metavar='N/S',
                        help='the limit of the include_sites run of case D (default 60/60; 12/3 with --quick)')
    parser.add_argument('--containers', type=containers_argument, default=container_runs(','.join(CONTAINER_RUNS)),
                        metavar='N[-shared|-clock],...',
                        help='case F\'s runs: N processes at once, each with its own state directory, or one '
                             'shared (-shared), or against windows aligned to the clock (-clock) (default %s)'
                             % ','.join(CONTAINER_RUNS))
    parser.add_argument('--collection', default=ROOT,
                        help='the checkout whose collection is measured (default this one): to set an earlier '
                             'commit against this one with the same bench and simulator')
    parser.add_argument('--ansible-bin', default=os.path.join(ROOT, '.venv', 'bin'),
                        help='the bin directory of the ansible-core to use (default .venv/bin)')
    parser.add_argument('--work', help='directory for the runs\' files (default build/bench/<date>)')
    parser.add_argument('--output', help='also write the report (Markdown) to this file')
    parser.add_argument('--strict', action='store_true',
                        help='exit 1 when a run failed or left something undone (for a smoke run)')
    args = parser.parse_args(argv)
    unknown = set(args.cases) - set(CASES)
    if unknown or not args.cases:
        parser.error('--cases takes letters among %s' % ''.join(CASES))
    return args


def collections_path(checkout, work):
    """A directory holding ansible_collections/flywp/cloud -> the checkout (as make demo does):
    this one's under .cache, another's in the work directory."""
    top = os.path.join(ROOT, '.cache', 'collections') if checkout == ROOT else os.path.join(work, 'collections')
    link = os.path.join(top, 'ansible_collections', 'flywp', 'cloud')
    os.makedirs(os.path.dirname(link), exist_ok=True)
    if not os.path.islink(link):
        os.symlink(os.path.relpath(checkout, os.path.dirname(link)), link)
    return top


def main(argv=None):
    args = parse_args(argv)
    params = with_sites_limit(QUICK if args.quick else FULL, args.sites_limit)
    work = os.path.abspath(args.work or os.path.join(ROOT, 'build', 'bench', time.strftime('%Y%m%d-%H%M%S')))
    os.makedirs(work, exist_ok=True)
    checkout = os.path.abspath(args.collection)
    if not os.path.isfile(os.path.join(checkout, 'galaxy.yml')):
        sys.exit('--collection %s: not a checkout of the collection (no galaxy.yml)' % args.collection)
    header = machine_lines(checkout, args.ansible_bin, 'quick' if args.quick else 'full', args.cases)
    print('\n'.join(header), file=sys.stderr, flush=True)
    started = time.monotonic()
    rows = []
    with SimulatorProcess(ROOT, log_path=os.path.join(work, 'simulator.log')) as sim:
        bench = Bench(params, sim, work, args.ansible_bin, collections_path(checkout, work), args.containers)
        for letter in args.cases:
            rows.extend(CASES[letter](bench))
    finish = '- whole bench: %.0f s; load average at the end %s' % (
        time.monotonic() - started, ' '.join('%.2f' % number for number in os.getloadavg()))
    report = '\n'.join(header + [finish, ''] + table(rows, params))
    write_json(os.path.join(work, 'rows.json'), [row.__dict__ for row in rows])
    for path in filter(None, (os.path.join(work, 'report.md'), args.output)):
        with open(path, 'w', encoding='utf-8') as handle:
            handle.write(report + '\n')
    print(report)
    print('\n(the runs\' output and the simulator log: %s)' % os.path.relpath(work, os.getcwd()), file=sys.stderr)
    return 1 if args.strict and not all(row.ok for row in rows) else 0


if __name__ == '__main__':
    sys.exit(main())
