"""The Simulator: the state, its HTTP server on a loopback address, and helpers for tests."""

import ipaddress
import threading
import time

from .server import API_PREFIX, CONTROL_PREFIX, SimulatorHTTPServer
from .state import DEMO_TOKEN, PERMISSIONS, SimulatorState

# How often the serving loop checks for stop(): short, so tests do not wait on it.
POLL_SECONDS = 0.05


def loopback_host(host):
    """The address to bind; ValueError unless it is a loopback address (the simulator is for this machine only)."""
    if host == 'localhost':
        return '127.0.0.1'
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise ValueError(f'{host!r} is not an IP address; the simulator binds to a loopback address only, such as 127.0.0.1') from None
    if not address.is_loopback:
        raise ValueError(f'{host} is not a loopback address; the simulator binds to a loopback address only, such as 127.0.0.1')
    return host


class Simulator:
    """A FlyWP API simulator.

    Simulator(host='127.0.0.1', port=0, state_file=None, tokens=None, access_log=None, clock=time.time,
              sleep=time.sleep, **config)
    where config keys are those of config.DEFAULT_CONFIG (delays and fail_next may be partial)
    and tokens is {token: [permissions]} added to the demo token, in its account (the default
    one). `clock` is what the simulator takes for the time (tests share a fake one with the
    client), `sleep` what it waits with (a fault's delay).

        with Simulator(rate_limit=5) as sim:      # started on a free port
            sim.api_url                           # http://127.0.0.1:PORT/api/v1
    """

    def __init__(self, host='127.0.0.1', port=0, state_file=None, tokens=None, access_log=None, clock=time.time,
                 sleep=time.sleep, **config):
        self.host = loopback_host(host)
        self._requested_port = port
        self._access_log = access_log
        self.state = SimulatorState(config, tokens, state_file, clock, sleep)
        self._httpd = None
        self._thread = None
        self._stopped = False

    # Running.

    def bind(self):
        """Listen on the socket (a free port when port is 0) without serving yet; return the API URL."""
        if self._stopped:
            raise RuntimeError('this simulator was stopped; make a new one')
        if self._httpd is None:
            self._httpd = SimulatorHTTPServer((self.host, self._requested_port), self.state, self._access_log)
        return self.api_url

    def start(self):
        """Serve in a daemon thread; return the API URL."""
        self.bind()
        if self._thread is None:
            self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={'poll_interval': POLL_SECONDS},
                                            name='flywp-simulator', daemon=True)
            self._thread.start()
        return self.api_url

    def serve_forever(self):
        """Serve in this thread until stop() is called from another one."""
        self.bind()
        self._httpd.serve_forever(poll_interval=POLL_SECONDS)

    def stop(self):
        """Stop serving and close the state file; a second call does nothing. A stopped simulator cannot be started again."""
        if self._stopped:
            return
        self._stopped = True
        if self._httpd is not None:
            if self._thread is not None:
                self._httpd.shutdown()
                self._thread.join(timeout=10)
            self._httpd.server_close()
        self.state.close()

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc_info):
        self.stop()

    # Addresses.

    @property
    def port(self):
        return self._httpd.server_address[1] if self._httpd else None

    @property
    def base_url(self):
        if self._httpd is None:
            raise RuntimeError('the simulator is not listening yet: call start() first')
        return f'http://{self._httpd.host_and_port}'

    @property
    def api_url(self):
        return self.base_url + API_PREFIX

    @property
    def control_url(self):
        return self.base_url + CONTROL_PREFIX

    @property
    def token(self):
        return DEMO_TOKEN

    # Direct control, without HTTP (the same as the control API).

    @property
    def config(self):
        return self.state.config_copy()

    def configure(self, **changes):
        """Change config keys (nested delays/fail_next are merged); return the whole config."""
        return self.state.configure(changes)

    def reset(self):
        self.state.reset()

    def requests(self):
        """The request log: [{'method', 'path', 'query', 'status', 'time', 'account'}, ...] in order."""
        return self.state.requests()

    def clear_requests(self):
        self.state.clear_requests()

    def add_token(self, token, permissions=PERMISSIONS, account=None):
        """A token of an account (the default one, the demo token's, for None)."""
        self.state.add_token(token, permissions, account)

    def seed(self, servers=(), account=None):
        """Make servers (with nested sites, ssh_keys, crons) directly in an account (the default one for None);
        return them with their ids."""
        return self.state.seed(list(servers), account)

    def queue_fault(self, count=1, status=None, drop=False, delay=0.0, methods=None, path=None):
        with self.state.lock:
            self.state.faults.add(count=count, status=status, drop=drop, delay=delay, methods=methods, path=path)

    def update_object(self, kind, object_id, **fields):
        """Change fields of an object as a person in the FlyWP dashboard would (rename a server, set a
        status); a status given stays as given. Return its public view."""
        return self.state.update_object(kind, object_id, fields)

    def delete_object(self, kind, object_id):
        """Remove an object as a person in the FlyWP dashboard would, at once, with what it holds."""
        self.state.delete_object(kind, object_id)

    def objects(self, kind, account=None):
        """The public views of every object of a kind ('server', 'site', 'database', 'ssh_key', 'cron', 'backup')
        in an account (the default one for None)."""
        return self.state.objects(kind, account)
