"""The HTTP side: the request handler, and the API pipeline (faults, rate limit, auth, routing, rendering, log)."""

import socket
import sys
import traceback
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from .control import handle_control
from .responses import ApiError, Response, decode_json_object, error_response, json_response, proxy_error, rate_limit_headers, render
from .routes import Context, resolve

API_PREFIX = '/api/v1'
CONTROL_PREFIX = '/_simulator'
MAX_BODY_BYTES = 1024 * 1024

# The token permission each method needs.
PERMISSION_FOR = {'GET': 'read', 'HEAD': 'read', 'OPTIONS': 'read', 'POST': 'create', 'PUT': 'update', 'PATCH': 'update', 'DELETE': 'delete'}
BODY_METHODS = ('POST', 'PUT', 'PATCH')


@dataclass
class ApiRequest:
    """One request to /api/v1, already read from the socket."""

    method: str
    path: str          # without the /api/v1 prefix and without a trailing slash
    query: dict
    authorization: str
    body: bytes
    base_url: str      # scheme and host, for absolute links
    client: str


def bearer_token(authorization):
    scheme, _space, token = (authorization or '').strip().partition(' ')
    return token.strip() if scheme.lower() == 'bearer' and token.strip() else None


def parse_json_body(raw):
    """The JSON object of a request body ({} when empty); ApiError 400 when it is not one."""
    try:
        return decode_json_object(raw)
    except ValueError as error:
        raise ApiError(400, str(error)) from None


def serve_api(state, request):
    """Answer one API request: a queued fault first (as a proxy would), then the API itself."""
    token = bearer_token(request.authorization)
    with state.lock:
        fault = state.faults.take(request.method, request.path)
        account = state.account_of(token)
    if fault is not None:
        if fault.delay:
            state.sleep(fault.delay)
        if fault.drop:
            state.record(request.method, request.path, request.query, 0, account)
            return Response(0, drop=True)
        if fault.status:
            state.record(request.method, request.path, request.query, fault.status, account)
            return proxy_error(fault.status)
    with state.lock:
        response = _answer(state, request, token)
        state.record(request.method, request.path, request.query, response.status, account)
    return response


def _answer(state, request, token):
    config = state.config
    grant = state.tokens.get(token)
    # Like Laravel's throttle: the budget is per token, per client address without a valid one.
    budget_key = f'token:{token}' if grant is not None else f'address:{request.client}'
    now = state.clock()
    decision = state.limiter.hit(budget_key, config['rate_limit'], config['rate_window'], now,
                                 aligned=config['rate_window_start'] == 'clock')
    try:
        if not decision.allowed:
            raise ApiError(429, 'Too Many Attempts.')
        if grant is None:
            raise ApiError(401, 'Unauthenticated.')
        handler, params = resolve(request.method, request.path)
        if PERMISSION_FOR[request.method] not in grant.permissions:
            raise ApiError(403, 'This action is unauthorized.')
        body = parse_json_body(request.body) if request.method in BODY_METHODS else {}
        result = handler(Context(state, body, grant.account), **params)
        response = render(result, config, request.query, request.base_url + API_PREFIX + request.path)
    except ApiError as error:
        response = error_response(error, config)
    response.headers.update(rate_limit_headers(decision, config, now))
    return response


class SimulatorHTTPServer(ThreadingHTTPServer):
    """A threading HTTP server that knows the simulator state its handlers serve."""

    daemon_threads = True
    allow_reuse_address = True
    # socketserver's default backlog of 5 resets connections when twenty forks send at once;
    # the real service (behind nginx) takes them all.
    request_queue_size = 128

    def __init__(self, address, state, access_log=None):
        self.state = state
        self.access_log = access_log
        if ':' in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, RequestHandler)

    @property
    def host_and_port(self):
        host, port = self.server_address[:2]
        return f'[{host}]:{port}' if ':' in host else f'{host}:{port}'


class RequestHandler(BaseHTTPRequestHandler):
    """Reads a request, hands it to the API or the control API, writes the answer."""

    protocol_version = 'HTTP/1.1'
    # Headers and body go out in separate writes: without this, every answer on a kept-alive
    # connection waits ~40 ms for the client's delayed ACK.
    disable_nagle_algorithm = True
    server_version = 'nginx'
    timeout = 60

    def version_string(self):
        return self.server_version

    def do_GET(self):  # pylint: disable=invalid-name
        self._dispatch()

    do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_GET

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        """Silence http.server's own stderr log; the CLI prints its own access log."""

    def _read_body(self):
        try:
            length = int(self.headers.get('Content-Length') or 0)
        except ValueError:
            length = 0
        if length > MAX_BODY_BYTES:
            self.close_connection = True
            return None
        return self.rfile.read(length) if length > 0 else b''

    def _dispatch(self):
        try:
            response = self._respond()
        except Exception:  # pylint: disable=broad-exception-caught
            # A bug in the simulator must show as a 500, never as a dead connection.
            traceback.print_exc(file=sys.stderr)
            response = json_response(500, {'message': 'Server Error'})
        self._write(response)

    def _respond(self):
        url = urlsplit(self.path)
        path = url.path.rstrip('/') or '/'
        body = self._read_body()
        if body is None:
            return json_response(413, {'message': 'The request body is too large.'})
        if path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + '/'):
            return handle_control(self.server.state, self.command, path[len(CONTROL_PREFIX):], body)
        if path == API_PREFIX or path.startswith(API_PREFIX + '/'):
            request = ApiRequest(
                method=self.command,
                path=path[len(API_PREFIX):],
                query=dict(parse_qsl(url.query)),
                authorization=self.headers.get('Authorization', ''),
                body=body,
                base_url='http://' + (self.headers.get('Host') or self.server.host_and_port),
                client=self.client_address[0],
            )
            response = serve_api(self.server.state, request)
            if self.server.access_log:
                self.server.access_log(f'{self.command} {url.path} {response.status or "dropped"}')
            return response
        return json_response(404, {'message': f'The route {path.lstrip("/")} could not be found.'})

    def _write(self, response):
        if response.drop:
            self.close_connection = True
            return
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        if response.status != 204:
            self.send_header('Content-Type', response.content_type or 'application/json')
            self.send_header('Content-Length', str(len(response.body)))
        self.end_headers()
        if self.command != 'HEAD' and response.status != 204:
            self.wfile.write(response.body)
