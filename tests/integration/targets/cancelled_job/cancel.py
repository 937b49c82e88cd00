# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A cancelled job leaves nothing broken.

chain.yml (a server, a site and a cron job on it) is stopped at each point below, with SIGTERM
(what AWX sends first) and with SIGKILL (what it sends after its grace period, here to the
whole process group, as a container's end would), then run again on the same state directory:

- a create sent and its answer not yet back (the simulator holds the POST, then carries it out
  after the job is gone: the answer is lost), for the server, the site and the cron job;
- while the job waits for the server to be ready;
- while another process of the same token holds the state file's lock (it is that process that
  is stopped; the job waiting for the lock must then go on).

After each: no process of the stopped job is left, the state file is whole JSON with no
half-written file beside it, its lock can be taken, and the run again succeeds without making
anything twice: exactly one server, one site and one cron job, and no POST for what the
stopped job had made.

Usage: cancel.py INTEGRATION_CONFIG WORK_DIR
"""

from __future__ import annotations

import fcntl
import fnmatch
import glob
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER, DOMAIN = 'it-cancel', 'cancel.example.com'
HOLD = 8.0  # seconds the simulator holds a create before carrying it out: the job is stopped meanwhile
PATIENCE = 120.0  # seconds any wait here may take at most


def setting(config, name):
    with open(config, encoding='utf-8') as handle:
        for line in handle:
            if line.startswith(name + ':'):
                return line.split(':', 1)[1].strip().strip('"\'')
    raise SystemExit('%s has no %s' % (config, name))


class Simulator:
    def __init__(self, config):
        self.api, self.control_url = setting(config, 'flywp_api_url'), setting(config, 'flywp_simulator_url')
        self.token = setting(config, 'flywp_api_token')

    def control(self, method, path, body=None):
        return self._call(self.control_url + path, method, body, {})

    def api_get(self, path):
        return self._call(self.api + path, 'GET', None, {'Authorization': 'Bearer ' + self.token, 'Accept': 'application/json'})

    @staticmethod
    def _call(url, method, body, headers):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(url, data=data, method=method, headers=dict(headers, **{'Content-Type': 'application/json'}))
        with urllib.request.urlopen(request, timeout=30) as answer:
            return json.loads(answer.read().decode() or 'null')

    def reset(self, delays=None):
        self.control('POST', '/reset', {})
        zero = dict.fromkeys(('server_creating', 'server_provisioning', 'site_creating', 'site_deleting', 'backup_pending',
                              'backup_running'), 0)
        self.control('PATCH', '/config', {'rate_limit': 1000, 'delays': dict(zero, **(delays or {}))})

    def requests(self):
        return [(entry['method'], entry['path'], entry['status']) for entry in self.control('GET', '/requests')['requests']]

    def objects(self):
        """(servers named SERVER, sites of DOMAIN on them, cron jobs on them), as the API lists them."""
        servers = [server for server in self.api_get('/servers')['data'] if server['name'] == SERVER]
        sites, crons = [], []
        for server in servers:
            sites += [site for site in self.api_get('/servers/%s/sites' % server['id'])['data'] if site['domain'] == DOMAIN]
            crons += self.api_get('/servers/%s/crons' % server['id'])['data']
        return servers, sites, crons


def wait_for(what, check, job=None):
    """check()'s first true answer; fails when it takes longer than PATIENCE, or `job` ends first."""
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        if job is not None and job.poll() is not None:
            raise AssertionError('the job ended (%s) before %s:\n%s' % (job.returncode, what, _tail(job.log)))
        time.sleep(0.1)
    raise AssertionError('gave up waiting for %s' % what)


def playbook(config, state_dir, log):
    """ansible-playbook chain.yml in a process group of its own (the job)."""
    env = dict(os.environ, FLYWP_STATE_DIR=state_dir, ANSIBLE_NOCOLOR='1')
    job = subprocess.Popen(['ansible-playbook', '-i', 'localhost,', '-e', '@' + config, os.path.join(HERE, 'chain.yml')],
                           stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    job.log = log.name
    return job


def stop(job, signum):
    """AWX's cancel: SIGTERM to the job's process; SIGKILL to all of it."""
    if signum == signal.SIGKILL:
        os.killpg(job.pid, signum)
    else:
        job.send_signal(signum)
    job.wait(timeout=PATIENCE)
    # Nothing of the job goes on: no worker, no module process still sending requests.
    wait_for('the processes of the stopped job to end', lambda: not _group_alive(job.pid))


def _group_alive(pgid):
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def holds_lock(sim, state_dir, seconds):
    """A process of the same token that takes the state file's lock, through the collection's own
    code, and keeps it for `seconds`."""
    code = ('import sys, time\n'
            'sys.path.insert(0, %r)\n'
            'from ansible_collections.flywp.cloud.plugins.module_utils.state_file import SharedState\n'
            'SharedState(%r, %r, directory=%r).update(lambda document: (print("held", flush=True), time.sleep(%r)))\n'
            % (collections_dir(), sim.api, sim.token, state_dir, seconds))
    holder = subprocess.Popen([sys.executable, '-c', code], stdout=subprocess.PIPE, text=True, start_new_session=True)
    assert holder.stdout.readline().strip() == 'held'
    return holder


def collections_dir():
    """The directory holding ansible_collections/flywp/cloud: this file's, else ANSIBLE_COLLECTIONS_PATH's first."""
    path = HERE
    while os.path.dirname(path) != path:
        if os.path.basename(path) == 'ansible_collections':
            return os.path.dirname(path)
        path = os.path.dirname(path)
    return os.environ['ANSIBLE_COLLECTIONS_PATH'].split(os.pathsep)[0]


def check_state_dir(state_dir):
    """Whole JSON, nothing half-written beside it, and a lock anyone can take."""
    documents = glob.glob(os.path.join(state_dir, 'state-*.json'))
    assert documents, os.listdir(state_dir)
    for path in documents:
        with open(path, encoding='utf-8') as handle:
            assert isinstance(json.load(handle), dict), path
    assert not glob.glob(os.path.join(state_dir, '*.tmp')), os.listdir(state_dir)
    for path in glob.glob(os.path.join(state_dir, 'state-*.lock')):
        with open(path, 'a', encoding='utf-8') as lock:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # raises when a stopped process still held it


def in_flight(path):
    """The simulator holds the next POST to `path`; the job is stopped once it has been sent."""
    def arrange(sim, _state_dir):
        sim.control('POST', '/faults', {'count': 1, 'delay': HOLD, 'methods': ['POST'], 'path': path})

    def reach(sim, job, _state_dir):
        wait_for('the POST to %s to be sent' % path, lambda: not sim.control('GET', '/faults')['faults'], job)

    def settle(sim):
        # The simulator carries the POST out after the job is gone: its answer is lost.
        wait_for('the held POST to be carried out', lambda: any(
            method == 'POST' and fnmatch.fnmatchcase(sent, path) and status == 201 for method, sent, status in sim.requests()))
    return arrange, reach, settle, ('POST', path)


def waiting_for_the_server():
    def arrange(sim, _state_dir):
        sim.control('PATCH', '/config', {'delays': {'server_creating': PATIENCE * 2}})

    def reach(sim, job, _state_dir):
        wait_for('the job to poll the new server', lambda: [
            path for method, path, _status in sim.requests() if method == 'GET' and path.startswith('/servers/')], job)

    def settle(sim):
        servers = sim.objects()[0]
        assert len(servers) == 1 and servers[0]['status'] == 'creating', servers
        sim.control('PATCH', '/objects/server/%s' % servers[0]['id'], {'status': 'ready'})  # provisioned meanwhile
    return arrange, reach, settle, ('POST', '/servers')


def another_process_holding_the_lock():
    holders = []

    def arrange(sim, state_dir):
        holders.append(holds_lock(sim, state_dir, PATIENCE * 2))

    def reach(_sim, job, _state_dir):
        time.sleep(3)  # the job has started and waits for the lock: nothing reached the API
        assert job.poll() is None
    return arrange, reach, None, holders


def run(sim, config, work, name, signum, point):
    state_dir = os.path.join(work, '%s-%s' % (name, signum.name)).replace(' ', '-')
    os.makedirs(state_dir)
    sim.reset()
    arrange, reach, settle, made = point
    arrange(sim, state_dir)
    with open(state_dir + '.first.log', 'w', encoding='utf-8') as log:
        job = playbook(config, state_dir, log)
        reach(sim, job, state_dir)
        if isinstance(made, list):  # the lock's holder is stopped, and the job goes on
            stop(made[0], signum)
            assert job.wait(timeout=PATIENCE) == 0, _tail(log.name)
            made = None
        else:
            stop(job, signum)
    if settle:
        settle(sim)
    check_state_dir(state_dir)
    sim.control('DELETE', '/requests')
    with open(state_dir + '.again.log', 'w', encoding='utf-8') as log:
        again = playbook(config, state_dir, log)
        assert again.wait(timeout=PATIENCE) == 0, _tail(log.name)
    servers, sites, crons = sim.objects()
    assert (len(servers), len(sites), len(crons)) == (1, 1, 1), (name, signum, servers, sites, crons)
    sent = sim.requests()
    if made is not None:
        # What the stopped job had asked for is found, never asked for again.
        assert not [entry for entry in sent if entry[0] == made[0] and fnmatch.fnmatchcase(entry[1], made[1])], (name, sent)
    check_state_dir(state_dir)
    print('%-40s %-8s ok: the run again sent %s' % (name, signum.name, ', '.join('%s %s' % entry[:2] for entry in sent)))


def _tail(path):
    with open(path, encoding='utf-8') as handle:
        return handle.read()[-3000:]


POINTS = {
    'server create in flight': lambda: in_flight('/servers'),
    'site create in flight': lambda: in_flight('/servers/*/sites'),
    'cron create in flight': lambda: in_flight('/servers/*/crons'),
    'waiting for the server': waiting_for_the_server,
    'another process holding the lock': another_process_holding_the_lock,
}


def main(config, work):
    sim = Simulator(config)
    for name, point in POINTS.items():
        for signum in (signal.SIGTERM, signal.SIGKILL):
            run(sim, config, work, name, signum, point())


if __name__ == '__main__':
    main(*sys.argv[1:3])
