# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A small HTTP server on 127.0.0.1 that answers every request alike and records each one.

    with LoopbackServer() as elsewhere, LoopbackServer(status=302, location=elsewhere.url) as api:
        ... api.url ...          # every request answered 302, Location: elsewhere.url + its path
        api.seen, elsewhere.seen # [(method, path, body)] of the requests each received

Without `location` it answers `status` with `body` (JSON). The tests of redirects use two:
an API that redirects every request to another host and port, and that other one, which must
never be reached.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class LoopbackServer:

    def __init__(self, status=200, location=None, body=None, prefix='/api/v1'):
        self.status, self.location, self.prefix = status, location, prefix
        self.body = json.dumps({'data': []} if body is None else body).encode()
        self.seen = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = 'HTTP/1.1'
            disable_nagle_algorithm = True

            def do_GET(self):  # pylint: disable=invalid-name
                server._answer(self)

            do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

            def log_message(self, format, *args):  # pylint: disable=redefined-builtin
                pass

        self.httpd = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.httpd.daemon_threads = True
        self.url = 'http://127.0.0.1:%d%s' % (self.httpd.server_address[1], prefix)
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={'poll_interval': 0.05}, daemon=True)
        self._thread.start()

    def _answer(self, handler):
        length = int(handler.headers.get('Content-Length') or 0)
        body = handler.rfile.read(length) if length else b''
        with self._lock:
            self.seen.append((handler.command, handler.path, body))
        handler.send_response(self.status)
        if self.location is not None:
            path = handler.path[len(self.prefix):] if handler.path.startswith(self.prefix) else handler.path
            handler.send_header('Location', self.location + path)
        payload = b'' if self.location is not None else self.body
        handler.send_header('Content-Type', 'application/json')
        handler.send_header('Content-Length', str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload)

    def methods(self):
        with self._lock:
            return [method for method, _path, _body in self.seen]

    def clear(self):
        with self._lock:
            self.seen = []

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stop()
