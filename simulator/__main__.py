"""Command line: python -m simulator [--port 8765] [--state-file F.sqlite] [--url-file F] [mode options]."""

import argparse
import os
import signal
import sys
import threading

from .app import Simulator
from .config import CHOICES, DEFAULT_CONFIG, DELAY_KEYS, FAIL_KINDS, ConfigError
from .state import PERMISSIONS


def parse_token(text):
    """TOKEN or TOKEN=read,create -> (token, permissions)."""
    token, _equals, permissions = text.partition('=')
    names = [name.strip() for name in permissions.split(',') if name.strip()] if permissions else list(PERMISSIONS)
    if not token or any(name not in PERMISSIONS for name in names):
        raise argparse.ArgumentTypeError(f'expected TOKEN or TOKEN=PERMISSION,... with permissions among {", ".join(PERMISSIONS)}')
    return token, names


def build_parser():
    parser = argparse.ArgumentParser(prog='python -m simulator', description='Run the FlyWP API simulator on a loopback address.')
    parser.add_argument('--host', default='127.0.0.1', help='loopback address to bind (default 127.0.0.1)')
    parser.add_argument('--port', type=int, default=8765, help='port (default 8765; 0 picks a free one)')
    parser.add_argument('--state-file', help='SQLite file that keeps the objects over a restart')
    parser.add_argument('--url-file', help='write the API URL to this file once listening')
    parser.add_argument('--token', action='append', type=parse_token, default=[], metavar='TOKEN[=PERMISSION,...]',
                        help='add an API token (all permissions unless listed); repeatable')
    parser.add_argument('--verbose', action='store_true', help='print one line per API request')
    modes = parser.add_argument_group('modes (the control API can change them later)')
    modes.add_argument('--rate-limit', type=int, help=f'requests per window per token (default {DEFAULT_CONFIG["rate_limit"]})')
    modes.add_argument('--rate-window', type=float, help=f'window in seconds (default {DEFAULT_CONFIG["rate_window"]:g})')
    modes.add_argument('--max-per-page', type=int, help=f'largest per_page (default {DEFAULT_CONFIG["max_per_page"]})')
    modes.add_argument('--default-per-page', type=int, help=f'per_page when not asked (default {DEFAULT_CONFIG["default_per_page"]})')
    for key in DELAY_KEYS:
        modes.add_argument(f'--delay-{key.replace("_", "-")}', type=float, metavar='SECONDS',
                           help=f'seconds of {key} (default {DEFAULT_CONFIG["delays"][key]:g})')
    modes.add_argument('--bare-json', action='store_const', const=True, help='answer without the data envelope')
    modes.add_argument('--string-ids', action='store_const', const=True, help='render ids as numeric strings')
    for key, choices in CHOICES.items():
        modes.add_argument(f'--{key.replace("_", "-")}', type=type(choices[0]), choices=choices,
                           help=f'default {DEFAULT_CONFIG[key]}')
    for kind in FAIL_KINDS:
        modes.add_argument(f'--fail-next-{kind}', type=int, metavar='N', help=f'the next N {kind}s created end failed')
    return parser


def config_from(args):
    """The config keys given on the command line (only those, so the defaults stay in one place)."""
    config = {key: getattr(args, key) for key in ('rate_limit', 'rate_window', 'max_per_page', 'default_per_page',
                                                  'bare_json', 'string_ids', *CHOICES) if getattr(args, key) is not None}
    delays = {key: getattr(args, f'delay_{key}') for key in DELAY_KEYS if getattr(args, f'delay_{key}') is not None}
    fail_next = {kind: getattr(args, f'fail_next_{kind}') for kind in FAIL_KINDS if getattr(args, f'fail_next_{kind}') is not None}
    if delays:
        config['delays'] = delays
    if fail_next:
        config['fail_next'] = fail_next
    return config


def write_url_file(path, url):
    temporary = f'{path}.tmp{os.getpid()}'
    with open(temporary, 'w', encoding='utf-8') as handle:
        handle.write(url + '\n')
    os.replace(temporary, path)


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    access_log = (lambda line: print(line, flush=True)) if args.verbose else None
    try:
        simulator = Simulator(host=args.host, port=args.port, state_file=args.state_file, tokens=dict(args.token),
                              access_log=access_log, **config_from(args))
        url = simulator.bind()
    except (ConfigError, ValueError, OSError) as error:
        parser.exit(2, f'simulator: {error}\n')
    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())
    simulator.start()
    if args.url_file:
        write_url_file(args.url_file, url)
    print(f'FlyWP API simulator: {url}')
    print(f'Demo token: {simulator.token}')
    print(f'Control API: {simulator.control_url}', flush=True)
    while not stopping.wait(0.5):
        pass
    simulator.stop()
    print('FlyWP API simulator stopped.', flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
