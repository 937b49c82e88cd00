# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A proxy of the tests' own in front of the simulator, for faults the simulator cannot make.

The simulator stays faithful to docs/api-contract.md; what a real service or a network in
between may do beyond it happens here. Every request is forwarded to the simulator and its
answer passed back, unless a queued rule says otherwise:

    proxy.add('transform', change=lambda payload: ...)  forwarded (the API acts); the client sees
                                                        change(decoded JSON) instead, or bytes
    proxy.add('replace', status=429, body=b'', headers={...})  forwarded, then answered with this
    proxy.add('answer', status=429, ...)                 answered by the proxy, never forwarded
    proxy.add('lose')                                    forwarded (the API acts), the answer lost:
                                                        the connection is closed without a word
    proxy.add('trickle', interval=0.1, seconds=3)       forwarded; the answer sent a byte at a time
    proxy.add('hang', seconds=2)                         held without an answer, then closed; with
                                                        forward=True the API acts first

Each rule has `count` (1), `methods` (any) and `path` (a prefix of the path under /api/v1, any).
With `tls` (an ssl.SSLContext) it serves HTTPS; `connections` counts the connections accepted
(a TLS handshake that fails is one too). `seen` is every (method, path) received.

redirecting(status) is an API that answers every request with a redirect to another port of
127.0.0.1, and that other one, which must never be reached (tolerance 9 of the contract).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

FORWARDED_HEADERS = ('Authorization', 'Accept', 'Content-Type', 'User-Agent')
NOWHERE = 'http://127.0.0.1:9/api/v1'  # the upstream of a proxy whose rules answer every request
EVERY_REQUEST = 10 ** 6


class Rule:
    def __init__(self, action, count=1, methods=None, path=None, **options):
        self.action, self.remaining, self.methods, self.path, self.options = action, count, methods, path, options

    def matches(self, method, path):
        return self.remaining > 0 and (self.methods is None or method in self.methods) and (
            self.path is None or path.startswith(self.path))


class FaultProxy:
    """Usage: with FaultProxy(sim.api_url) as proxy: ... proxy.url ..."""

    def __init__(self, upstream_url, tls=None):
        upstream = urlsplit(upstream_url)
        self.upstream = (upstream.hostname, upstream.port)
        self.prefix = upstream.path.rstrip('/')
        self.rules, self.seen, self.connections = [], [], 0
        self._lock = threading.Lock()
        proxy = self

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def get_request(self):
                conn, address = self.socket.accept()
                with proxy._lock:
                    proxy.connections += 1
                if tls is not None:
                    conn.settimeout(5)
                    conn = tls.wrap_socket(conn, server_side=True)  # a failed handshake is an OSError: dropped
                    conn.settimeout(None)
                return conn, address

            def handle_error(self, request, client_address):
                pass  # a client that went away mid-answer, on purpose in these tests

        class Handler(BaseHTTPRequestHandler):
            protocol_version = 'HTTP/1.1'
            # The headers and the body go out in two writes; with Nagle's algorithm the body
            # waits for the client's delayed ACK of the headers, some 40 ms an answer.
            disable_nagle_algorithm = True

            def do_GET(self):
                proxy._handle(self)

            do_POST = do_DELETE = do_PUT = do_PATCH = do_GET

            def log_message(self, format, *args):  # pylint: disable=redefined-builtin
                pass

        self.httpd = Server(('127.0.0.1', 0), Handler)
        scheme = 'https' if tls is not None else 'http'
        self.url = '%s://127.0.0.1:%d%s' % (scheme, self.httpd.server_address[1], self.prefix)
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={'poll_interval': 0.05}, daemon=True)
        self._thread.start()

    def add(self, action, count=1, methods=None, path=None, **options):
        with self._lock:
            self.rules.append(Rule(action, count, methods, path, **options))

    def clear(self):
        with self._lock:
            self.rules, self.seen, self.connections = [], [], 0

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stop()

    def _take(self, method, path):
        with self._lock:
            self.seen.append((method, path))
            for rule in self.rules:
                if rule.matches(method, path):
                    rule.remaining -= 1
                    return rule
        return None

    def _handle(self, handler):
        length = int(handler.headers.get('Content-Length') or 0)
        body = handler.rfile.read(length) if length else b''
        path = handler.path[len(self.prefix):] if handler.path.startswith(self.prefix) else handler.path
        rule = self._take(handler.command, path.split('?')[0])
        action = rule.action if rule else 'forward'
        options = rule.options if rule else {}
        if action == 'hang':
            if options.get('forward'):
                self._forward(handler, body)
            time.sleep(options.get('seconds', 2))
            handler.close_connection = True
            return
        if action == 'answer':
            self._reply(handler, options.get('status', 200), options.get('headers', {}), options.get('body', b''))
            return
        status, headers, payload = self._forward(handler, body)
        if action == 'lose':
            handler.close_connection = True
            return
        if action == 'transform':
            changed = options['change'](json.loads(payload) if payload.strip() else None)
            payload = changed if isinstance(changed, bytes) else json.dumps(changed).encode()
        elif action == 'replace':
            status, payload = options.get('status', status), options.get('body', payload)
            headers = dict(headers, **options.get('headers', {}))
        if action == 'trickle':
            self._trickle(handler, status, headers, payload, options.get('interval', 0.1), options.get('seconds', 3))
            return
        self._reply(handler, status, headers, payload)

    def _forward(self, handler, body):
        connection = http.client.HTTPConnection(*self.upstream, timeout=10)
        try:
            headers = dict((name, handler.headers[name]) for name in FORWARDED_HEADERS if handler.headers.get(name))
            connection.request(handler.command, handler.path, body=body or None, headers=headers)
            answer = connection.getresponse()
            payload = answer.read()
            kept = dict((name, value) for name, value in answer.getheaders()
                        if name.lower() in ('content-type', 'retry-after') or name.lower().startswith('x-ratelimit'))
            return answer.status, kept, payload
        finally:
            connection.close()

    @staticmethod
    def _reply(handler, status, headers, payload):
        if isinstance(payload, str):
            payload = payload.encode()
        handler.send_response(status)
        for name, value in dict({'Content-Type': 'application/json'}, **headers).items():
            handler.send_header(name, value)
        handler.send_header('Content-Length', str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload)
        handler.wfile.flush()

    @staticmethod
    def _trickle(handler, status, headers, payload, interval, seconds):
        """The answer a byte every `interval` seconds, padded to last `seconds` in all, then closed."""
        payload = payload + b' ' * max(0, int(seconds / interval) - len(payload))
        handler.send_response(status)
        for name, value in dict({'Content-Type': 'application/json'}, **headers).items():
            handler.send_header(name, value)
        handler.send_header('Content-Length', str(len(payload)))
        handler.end_headers()
        handler.wfile.flush()
        end = time.monotonic() + seconds
        try:
            for index in range(len(payload)):
                if time.monotonic() > end:
                    break
                handler.wfile.write(payload[index:index + 1])
                handler.wfile.flush()
                time.sleep(interval)
        except OSError:
            pass
        handler.close_connection = True


@contextlib.contextmanager
def redirecting(status, location_path='/servers/12'):
    """(api, elsewhere, location): `api` answers every request with `status` and a Location on
    `elsewhere`, another port of 127.0.0.1, which answers a list of one server of its own to
    whatever reaches it, and records it in `seen`."""
    with FaultProxy(NOWHERE) as elsewhere, FaultProxy(NOWHERE) as api:
        elsewhere.add('answer', count=EVERY_REQUEST, body=json.dumps({'data': [{'id': 1, 'name': 'elsewhere-1',
                                                                                'status': 'ready'}]}))
        location = elsewhere.url + location_path
        api.add('answer', count=EVERY_REQUEST, status=status, headers={'Location': location})
        yield api, elsewhere, location
