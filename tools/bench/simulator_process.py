# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The FlyWP API simulator as a separate process (`python -m simulator`), driven through its control API."""

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

# A second token with its own rate-limit budget: the bench reads what a run made with it,
# after the run's requests were counted, so the check never uses the run's budget.
CHECK_TOKEN = 'flywp-bench-check'


class SimulatorProcess:
    """`python -m simulator` on a free loopback port, started from the checkout's root."""

    def __init__(self, root, python=sys.executable, log_path=None):
        self._root = root
        self._python = python
        self._log_path = log_path or os.devnull
        self._process = None
        self.api_url = None
        self.control_url = None

    def start(self):
        with tempfile.TemporaryDirectory(prefix='flywp-bench-') as scratch:
            url_file = os.path.join(scratch, 'url')
            with open(self._log_path, 'ab') as log:
                self._process = subprocess.Popen(
                    [self._python, '-m', 'simulator', '--port', '0', '--url-file', url_file,
                     '--token', CHECK_TOKEN + '=read'],
                    cwd=self._root, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            deadline = time.monotonic() + 30
            while not (os.path.exists(url_file) and os.path.getsize(url_file)):
                if self._process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError('the simulator did not start; see %s' % self._log_path)
                time.sleep(0.05)
            with open(url_file, encoding='utf-8') as handle:
                self.api_url = handle.read().strip()
        self.control_url = self.api_url.rsplit('/api/', 1)[0] + '/_simulator'
        return self

    def stop(self):
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    # The control API: never rate limited, never in the request log.

    def control(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.control_url + path, data=data, method=method,
                                         headers={'Content-Type': 'application/json'})
        with urllib.request.urlopen(request, timeout=120) as answer:
            return json.loads(answer.read() or b'{}')

    def prepare(self, rate_limit, rate_window, servers=(), window_start='first-request'):
        """A fresh simulator: no objects, an empty log, new rate-limit windows, this limit, these servers;
        window_start 'clock' for windows that begin on their own, aligned to the clock."""
        self.control('POST', '/reset', {})
        self.control('PATCH', '/config', {'rate_limit': rate_limit, 'rate_window': rate_window,
                                          'rate_window_start': window_start})
        return self.control('POST', '/seed', {'servers': list(servers)})['servers'] if servers else []

    def requests(self):
        """The request log: [{'method', 'path', 'query', 'status', 'time', 'account'}, ...]."""
        return self.control('GET', '/requests')['requests']

    def api_get(self, path):
        """A GET with the check token, every page of a list; raise the limit before (see CHECK_TOKEN)."""
        items, page = [], 1
        while True:
            request = urllib.request.Request('%s%s?page=%d&per_page=100' % (self.api_url, path, page),
                                             headers={'Authorization': 'Bearer ' + CHECK_TOKEN, 'Accept': 'application/json'})
            try:
                with urllib.request.urlopen(request, timeout=60) as answer:
                    payload = json.loads(answer.read())
            except urllib.error.HTTPError as error:
                raise RuntimeError('checking %s: the simulator answered %d' % (path, error.code)) from None
            items.extend(payload['data'])
            meta = payload.get('meta') or {}
            if page >= meta.get('last_page', page):
                return items
            page += 1
