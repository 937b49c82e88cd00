# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""flywp.cloud.changes: changes in a FlyWP account as Event-Driven Ansible events.

ansible-rulebook runs this file with runpy.run_path, without Ansible's collection loader,
so it puts the directory that holds ansible_collections/ on sys.path itself to reach the
collection's module_utils (which need only the standard library and requests).
"""

from __future__ import annotations

import asyncio
import copy
import datetime
import difflib
import fnmatch
import json
import logging
import math
import os
import sys
import time
from dataclasses import dataclass
from typing import Optional, Tuple

DOCUMENTATION = r"""
---
short_description: Changes in a FlyWP account as events
version_added: 1.0.0
author:
  - flywp.cloud contributors (@flywp)
description:
  - An ansible-rulebook event source that polls the FlyWP API and puts one event for each
    server, WordPress site or backup that was added, updated or removed since the last poll.
  - "Each event is C(flywp): C(kind) (V(server), V(site) or V(backup)), C(change) (V(added),
    V(updated) or V(removed)), C(id), C(name) (the server's name, the site's domain, the
    backup's type), C(server) (C(id) and C(name); for sites and backups), C(site) (C(id) and
    C(domain); for backups), C(changed) (for V(updated), each changed field as
    C([before, after]), such as C(status: [provisioning, ready]); empty otherwise),
    C(before) and C(after) (the object as the API showed it, without secret fields; null
    where it does not exist); and C(meta.hosts): the server's name, the host of the
    C(flywp.cloud.flywp) inventory that C(run_playbook) then acts on (C(localhost) for a
    server that was removed, and for its sites and backups, as the inventory no longer
    has it)."
  - The first poll is a baseline, so starting a rulebook does not report everything as
    added (see O(emit_existing)).
  - The baseline is kept in a file after each complete round (see O(state_file)). Started
    again, the source polls once and reports each change since (added, removed, updated)
    once, and nothing it had already seen.
  - It uses the collection's own API client, so it counts in the same rate-limit budget as
    the modules and the inventory of the same API URL and token on this machine, and it
    spends at most O(max_share) of it, and less when the API's own count shows others
    spending the same token beyond the rest (another container's playbooks). When what it
    watches needs more than its share in O(interval), it polls less often, at an even pace
    (one request every window / share), and says once how long a round then takes.
  - A failed poll (an error of the API, a C(429), the token's budget used up by playbooks)
    is logged and tried again at the next round; an API that cannot be reached is tried
    again with back-off. Neither is an event, nor the end of the source; a failed poll
    loses no change, as the next one compares with the last good one.
  - A bad argument, and a token the API refuses or an API URL without the FlyWP API at the
    first poll, stop the source at once with a message (the rulebook ends).
requirements:
  - requests
options:
  api_token:
    description:
      - A FlyWP API token with the C(Read) permission.
      - Without it, the E(FLYWP_API_TOKEN) environment variable is used.
    type: str
  api_url:
    description:
      - Base URL of the FlyWP API, including the C(/api/v1) path.
      - Without it, the E(FLYWP_API_URL) environment variable is used, and then the default.
    type: str
    default: https://app.flywp.com/api/v1
  api_timeout:
    description:
      - Seconds to wait for the connection to the FlyWP API, and for each part of an answer.
    type: int
    default: 30
  validate_certs:
    description:
      - Whether to verify the TLS certificate of the FlyWP API.
    type: bool
    default: true
  interval:
    description:
      - Seconds from the start of one poll to the start of the next.
      - A poll of many servers, sites or backups may need longer under O(max_share); the
        source then polls as often as its share allows.
    type: float
    default: 60
  kinds:
    description:
      - What to watch.
      - V(server) costs one request per 100 servers a poll.
      - V(site) lists the sites of every watched server, one request per server a poll.
      - V(backup) lists the backups of the sites named in O(sites), one request per site a
        poll (per 100 backups), and needs the sites listed as for V(site).
    type: list
    elements: str
    choices: [server, site, backup]
    default: [server]
  servers:
    description:
      - Watch only these servers, by name, id, or name pattern (C(*) any characters, C(?)
        one, as in V(web-*)).
      - Empty means every server.
    type: list
    elements: str
    default: []
  sites:
    description:
      - Watch only these sites, by domain, id, or domain pattern (case ignored, as in
        V(*.example.com)); V(*) is every site.
      - Empty means every site for V(site); V(backup) needs it.
    type: list
    elements: str
    default: []
  emit_existing:
    description:
      - Report everything there is at the first poll as V(added).
      - By default the first poll is a baseline and reports nothing.
    type: bool
    default: false
  max_share:
    description:
      - The share of the token's rate limit this source may spend, more than 0 and at most
        1. The rest is left to playbooks, the inventory and other sources.
      - The limit is the API's own (60 requests a minute by the contract, until the API says
        otherwise in C(X-RateLimit-Limit)).
    type: float
    default: 0.25
  state_file:
    description:
      - Where the baseline is kept across restarts, a file the source writes after each complete
        round.
      - By default a file beside the rate-limit budget's state, in the directory C(FLYWP_STATE_DIR)
        names (else C($XDG_STATE_HOME/flywp.cloud), else C(~/.local/state/flywp.cloud)), one per
        API URL, token and what is watched (O(kinds), O(servers), O(sites)).
      - V(off) keeps the baseline in memory only, as does C(FLYWP_STATE_DIR=off) when this is not
        given; a restart then starts from a new baseline.
      - A file that cannot be read or written is said once in a warning, with its path and the
        fix, and the source then keeps the baseline in memory only.
    type: str
notes:
  - C(meta.hosts) is the server's name, which names the host of the C(flywp.cloud.flywp)
    inventory with that plugin's default C(hostname=name).
  - In a decision environment of the EDA controller the budget is per activation (each
    runs in a container of its own), and the baseline lives in the container unless its state
    directory is a mounted volume (see the guide, docs/eda.md).
"""

EXAMPLES = r"""
- name: React to FlyWP changes
  hosts: all
  sources:
    - name: FlyWP servers and sites
      flywp.cloud.changes:
        kinds: [server, site]
        interval: 60
  rules:
    - name: A server became ready
      condition: >-
        event.flywp.kind == "server" and event.flywp.after.status == "ready"
        and (event.flywp.change == "added" or event.flywp.changed.status is defined)
      action:
        run_playbook:
          name: flywp.cloud.eda_server_ready

- name: Failed backups of the shop's sites, with a token of its own
  hosts: all
  sources:
    - flywp.cloud.changes:
        api_token: "{{ flywp_events_token }}"
        kinds: [backup]
        servers: [web-1, web-2]
        sites: ["*.shop.example.com"]
        interval: 300
        max_share: 0.1
  rules:
    - name: A backup failed
      condition: event.flywp.kind == "backup" and event.flywp.after.status == "failed"
      action:
        debug:
          msg: "The backup {{ event.flywp.id }} of {{ event.flywp.site.domain }} failed"
"""


def _reach_the_collection():
    """Put the directory that holds ansible_collections/ on sys.path, when this file sits in
    ansible_collections/flywp/cloud/extensions/eda/plugins/event_source/ (an installed copy)."""
    collection = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', '..'))
    namespace = os.path.dirname(collection)
    collections = os.path.dirname(namespace)
    if (os.path.basename(collection), os.path.basename(namespace), os.path.basename(collections)) != (
            'cloud', 'flywp', 'ansible_collections'):
        return
    root = os.path.dirname(collections)
    if root not in sys.path:
        sys.path.insert(0, root)


_reach_the_collection()

# After the line above, which makes them importable where ansible-rulebook runs this file.
# pylint: disable=wrong-import-position
from ansible_collections.flywp.cloud.extensions.eda.source_utils.baseline import (  # noqa: E402
    BaselineFile, Seen, path_beside, scope_of)
from ansible_collections.flywp.cloud.extensions.eda.source_utils.pacing import Pacer, Room  # noqa: E402
from ansible_collections.flywp.cloud.plugins.module_utils.client import (  # noqa: E402
    HAS_REQUESTS, PER_PAGE, FlyWPClient, check_connection_options)
from ansible_collections.flywp.cloud.plugins.module_utils.errors import (  # noqa: E402
    DEFAULT_API_URL, FlyWPAPIError, FlyWPError)
from ansible_collections.flywp.cloud.plugins.module_utils.resource_types import BACKUP, SERVER, SITE  # noqa: E402
from ansible_collections.flywp.cloud.plugins.module_utils.state_file import OFF  # noqa: E402

NAME = 'flywp.cloud.changes'
WATCHED = dict((rtype.name, rtype) for rtype in (SERVER, SITE, BACKUP))
KINDS = tuple(WATCHED)
DEFAULT_INTERVAL = 60.0
MAX_INTERVAL = 86400.0
DEFAULT_SHARE = 0.25
MAX_BACKOFF = 600.0  # seconds: the longest wait between tries of an API that cannot be reached
ARGUMENTS = ('api_token', 'api_url', 'api_timeout', 'validate_certs', 'interval', 'kinds', 'servers', 'sites',
             'emit_existing', 'max_share', 'state_file')
TRUE, FALSE = ('true', 'yes', 'on', '1'), ('false', 'no', 'off', '0')
REMOVED_HOST = 'localhost'  # what a removed server's events run on: the inventory no longer has the server
STATE_FILE_OFF = 'off'

logger = logging.getLogger(NAME)


class SourceError(Exception):
    """What stops the source: ansible-rulebook shows the message and ends the rulebook.

    ansible-rulebook logs a failed source's exception with the file and line of each frame
    of its traceback; a bad argument deserves one sentence, so this exception shows Python
    code no traceback (the interpreter keeps its own, for a debugger).
    """

    @property
    def __traceback__(self):
        return None

    @__traceback__.setter
    def __traceback__(self, value):
        pass


# --- the arguments ---

@dataclass
class Settings:
    """The source's arguments, checked."""

    api_token: Optional[str]
    api_url: str
    api_timeout: int = 30
    validate_certs: bool = True
    interval: float = DEFAULT_INTERVAL
    kinds: Tuple[str, ...] = ('server',)
    servers: Tuple[str, ...] = ()
    sites: Tuple[str, ...] = ()
    emit_existing: bool = False
    max_share: float = DEFAULT_SHARE
    state_file: Optional[str] = None  # None: beside the budget's state; STATE_FILE_OFF: in memory only

    @property
    def lists_sites(self):
        return 'site' in self.kinds or 'backup' in self.kinds

    @property
    def scope(self):
        """What is watched: another scope is another baseline."""
        return scope_of(self.kinds, self.servers, self.sites)


def settings_from(args, environ=None):
    """Settings from the rulebook's arguments (and the environment); SourceError, with what to
    change, for a bad one."""
    environ = os.environ if environ is None else environ
    args = dict((key, value) for key, value in (args or {}).items() if not str(key).startswith('eda_'))
    unknown = sorted(str(key) for key in args if key not in ARGUMENTS)
    if unknown:
        hints = ['%s (did you mean %s?)' % (name, close[0]) if close else name
                 for name, close in ((name, difflib.get_close_matches(name, ARGUMENTS, n=1)) for name in unknown)]
        raise SourceError('%s has no argument %s. Its arguments are: %s.' % (NAME, ', '.join(hints), ', '.join(ARGUMENTS)))
    settings = Settings(
        api_token=_text(args, 'api_token', environ.get('FLYWP_API_TOKEN')),
        api_url=_text(args, 'api_url', environ.get('FLYWP_API_URL') or DEFAULT_API_URL),
        api_timeout=_whole_seconds(args, 'api_timeout', 30),
        validate_certs=_boolean(args, 'validate_certs', True),
        interval=_number(args, 'interval', DEFAULT_INTERVAL, 1, MAX_INTERVAL),
        kinds=_kinds(args.get('kinds', ['server'])),
        servers=_references(args, 'servers'),
        sites=_references(args, 'sites'),
        emit_existing=_boolean(args, 'emit_existing', False),
        max_share=_share(args.get('max_share', DEFAULT_SHARE)),
        state_file=_state_file(args.get('state_file')),
    )
    try:
        check_connection_options(settings.api_timeout, 0)  # the client's own range
    except FlyWPError as error:
        raise SourceError('%s: %s' % (NAME, error)) from None
    if 'backup' in settings.kinds and not settings.sites:
        raise SourceError('%s: kinds has backup, so sites must name the sites whose backups to watch (domains, ids '
                          'or patterns such as *.example.com; "*" for every site). Each costs a request a poll.' % NAME)
    return settings


def _text(args, name, default):
    value = args.get(name)
    if value is None or value == '':
        return default
    if not isinstance(value, str):
        raise SourceError('%s: %s must be text, not %s.' % (NAME, name, type(value).__name__))
    return value


def _number(args, name, default, lowest, highest):
    value = args.get(name, default)
    number = _as_number(value)
    if number is None or math.isnan(number) or not lowest <= number <= highest:
        raise SourceError('%s: %s must be a number of seconds from %g to %g, not %r.' % (NAME, name, lowest, highest, value))
    return number


def _whole_seconds(args, name, default):
    """A whole number, as an int option of a module takes it; its range is checked by the client."""
    value = args.get(name, default)
    number = _as_number(value)
    if number is None or math.isnan(number) or math.isinf(number) or number != int(number):
        raise SourceError('%s: %s must be a whole number of seconds, not %r.' % (NAME, name, value))
    return int(number)


def _as_number(value):
    try:
        return float(value) if isinstance(value, (int, float, str)) and not isinstance(value, bool) else None
    except ValueError:
        return None


def _boolean(args, name, default):
    value = args.get(name, default)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in TRUE + FALSE:
        return value.strip().lower() in TRUE
    raise SourceError('%s: %s must be true or false, not %r.' % (NAME, name, value))


def _listed(value, name):
    """A list argument; one value is a list of one."""
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        value = [value]
    if not isinstance(value, list) or any(isinstance(item, bool) or not isinstance(item, (str, int)) for item in value):
        raise SourceError('%s: %s must be a list of names or ids, not %r.' % (NAME, name, value))
    items = [str(item).strip() for item in value]
    if any(not item for item in items):
        raise SourceError('%s: %s holds an empty name.' % (NAME, name))
    return items


def _kinds(value):
    kinds = _listed(value, 'kinds')
    wrong = [kind for kind in kinds if kind not in KINDS]
    if wrong or not kinds:
        raise SourceError('%s: kinds must list some of %s, not %r.' % (NAME, ', '.join(KINDS), value))
    return tuple(kind for kind in KINDS if kind in kinds)


def _references(args, name):
    return tuple(_listed(args.get(name) or [], name))


def _share(value):
    try:
        share = float(value) if not isinstance(value, bool) else None
    except (TypeError, ValueError):
        share = None
    if share is None or not 0 < share <= 1:
        raise SourceError('%s: max_share must be a number more than 0 and at most 1 (0.25 is a quarter of the '
                          "token's rate limit), not %r." % (NAME, value))
    return share


def _state_file(value):
    """None (the default place), STATE_FILE_OFF, or a path. YAML reads a bare off as false."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if value is False or (isinstance(value, str) and value.strip().lower() in OFF):
        return STATE_FILE_OFF
    if not isinstance(value, str) or '\0' in value:
        raise SourceError('%s: state_file must be the path of a file, or off, not %r.' % (NAME, value))
    return os.path.expanduser(value.strip())


def matches_server(server, references):
    """Whether a server is one of `references` (names, ids, name patterns); every server when empty."""
    if not references:
        return True
    name, server_id = str(server.get('name') or ''), str(server.get('id'))
    return any(ref == server_id or fnmatch.fnmatchcase(name, ref) for ref in references)


def matches_site(site, references):
    """Whether a site is one of `references` (domains, ids, domain patterns, case ignored); every site when empty."""
    if not references:
        return True
    domain, site_id = str(site.get('domain') or '').lower(), str(site.get('id'))
    return any(ref == site_id or fnmatch.fnmatchcase(domain, ref.lower()) for ref in references)


# --- what this source may spend ---

class ApiCount:
    """What the API counted in its current window, every sender of the token included, by the last
    answer to this client that said (X-RateLimit-Limit and X-RateLimit-Remaining). The budget
    (budget.py) knows this for every process of the controller; until it says so itself, the
    source reads its own client's answers.

    Within one window the count only grows, so a lower count is a new window, which began
    after the answer before it and by this one: the earliest answer known in a window bounds
    its end (one window after it).
    """

    def __init__(self, client, clock):
        self._clock = clock
        self._latest = None  # (limit, counted, when it was answered)
        self._began_by = None  # the first answer of the window the latest is in
        client.session.hooks['response'].append(self._answered)

    def _answered(self, response, *args, **kwargs):  # pylint: disable=unused-argument
        limit = _header_int(response.headers, 'X-RateLimit-Limit')
        remaining = _header_int(response.headers, 'X-RateLimit-Remaining')
        if limit is None or remaining is None:
            return
        now = self._clock()
        if self._latest is None or limit - remaining < self._latest[1]:
            self._began_by = now
        self._latest = (limit, limit - remaining, now)

    def room(self, window):
        """Room: what the API had left and until when at most; None before any answer said."""
        if self._latest is None:
            return None
        limit, counted, at = self._latest
        began_by = self._began_by if self._began_by + window > at else at  # that window has ended since
        return Room(limit - counted, began_by + window)


def _header_int(headers, name):
    try:
        return int(float(headers.get(name)))
    except (TypeError, ValueError, OverflowError):
        return None


def pages(count):
    """Requests a list of `count` items costs."""
    return max(1, int(math.ceil(count / float(PER_PAGE))))


# --- what was seen ---

def by_id(objects):
    """{id as text: object}: ids are compared as text (the API may send numbers or numeric strings)."""
    return dict((str(item.get('id')), item) for item in objects)


def in_order(keys):
    return sorted(keys, key=lambda key: (0, int(key), '') if key.isdigit() else (1, 0, key))


def changed_fields(before, after):
    """{field: [before, after]} for each field that differs."""
    if before is None or after is None:
        return {}
    return dict((name, [before.get(name), after.get(name)]) for name in sorted(set(before) | set(after))
                if before.get(name) != after.get(name))


class ChangesSource:
    """Polls the FlyWP API and puts an event for each change on `queue`."""

    def __init__(self, queue, settings, client, clock=time.time, sleep=asyncio.sleep, baseline=None):
        self.queue = queue
        self.settings = settings
        self.client = client
        self.clock, self.sleep = clock, sleep
        self.pacer = Pacer(clock, sleep)
        self.api_count = ApiCount(client, clock)
        self.baseline = baseline  # a BaselineFile, or None: in memory only
        self.seen = (baseline.load() if baseline is not None else None) or Seen()
        self.resumed = self.seen.servers is not None  # from a saved baseline: the first poll reports what changed
        self._resumed_from = baseline.path if self.resumed else None
        self.polls = 0  # successful ones
        self._said_round = None  # the stretched round length last logged, in seconds

    @classmethod
    def from_args(cls, queue, args, clock=time.time, sleep=asyncio.sleep, client_sleep=time.sleep, environ=None):
        settings = settings_from(args, environ)
        if not HAS_REQUESTS:
            raise SourceError('%s needs the Python library requests where ansible-rulebook runs (in the decision '
                              'environment): pip install requests.' % NAME)
        try:
            client = FlyWPClient(settings.api_token, url=settings.api_url, timeout=settings.api_timeout,
                                 validate_certs=settings.validate_certs, rate_limit_timeout=0, clock=clock,
                                 sleep=client_sleep, warn=logger.warning)
        except FlyWPError as error:
            raise SourceError('%s: %s' % (NAME, error)) from None
        return cls(queue, settings, client, clock=clock, sleep=sleep, baseline=baseline_file(settings, client))

    # -- the loop

    async def run(self):
        """Poll until cancelled: every `interval` seconds from the start of the last poll, as
        often as the share allows, and with back-off while the API cannot be reached."""
        unreachable = 0
        while True:
            started = self.clock()
            try:
                await self.poll()
                unreachable = 0
            except FlyWPError as error:
                if self.polls == 0 and _refused_setting(error):
                    raise SourceError('%s: %s' % (NAME, error)) from None
                if _unreachable(error):
                    unreachable += 1
                    wait = self._backoff(unreachable)
                else:
                    unreachable = 0
                    wait = max(started + self.settings.interval - self.clock(), 0.0)
                logger.warning('A poll failed, and is tried again in %d s (no change is lost): %s', round(wait), error)
                await self.sleep(wait)
                continue
            await self.sleep(max(started + self.settings.interval - self.clock(), 0.0))

    def _backoff(self, failures):
        return min(self.settings.interval * 2 ** (failures - 1), max(self.settings.interval, MAX_BACKOFF))

    async def poll(self):
        """One round: the servers, then the sites of the watched servers, then the backups of
        the watched sites. Each listing is compared with its last good one as it comes, so a
        failure in the middle keeps what came before it and loses nothing after it."""
        first = self.seen.servers is None
        servers = await self._list(SERVER, pages(len(self.seen.servers or ())))
        await self._servers(by_id(servers), baseline=first and not self.settings.emit_existing)
        if self.settings.lists_sites:
            for server_id in self._watched_servers():
                try:
                    sites = await self._list(SITE, pages(len(self.seen.sites.get(server_id, ()))),
                                             **{SERVER.id_arg: server_id})
                except FlyWPAPIError as error:
                    if error.is_missing(SERVER, server_id):
                        continue  # removed since the listing: the next poll reports it
                    raise
                await self._sites(server_id, by_id(sites))
        if 'backup' in self.settings.kinds:
            for site_id in self._watched_sites():
                try:
                    backups = await self._list(BACKUP, pages(len(self.seen.backups.get(site_id, ()))),
                                               **{SITE.id_arg: site_id})
                except FlyWPAPIError as error:
                    if error.is_missing(SITE, site_id):
                        continue
                    raise
                await self._backups(site_id, by_id(backups))
        if self.baseline is not None:
            self.baseline.save(self.seen, self.clock())
        self.polls += 1
        if self.polls == 1:
            self._say_what_is_watched()
        self._say_how_long_a_round_takes()

    async def _list(self, rtype, expected, **ids):
        """One listing of `rtype` objects through the client, within this source's share, at its pace."""
        limit, window = self.client.budget.rate()
        allowance = self.allowance(limit)
        await self.pacer.ready_for(expected, allowance, window, self.spacing(limit, window), self.api_count.room(window))
        before = self.client.sent
        try:
            return await asyncio.to_thread(self.client.list, rtype.endpoints.list, **ids)
        finally:
            self.pacer.sent(self.client.sent - before)

    def allowance(self, limit):
        return max(1, int(math.floor(self.settings.max_share * limit + 1e-9)))

    def spacing(self, limit, window):
        """Seconds from an answer to the next request: window / share while a round needs more
        than interval (the share spread evenly over the window), else none (a round at once)."""
        each = window / float(self.allowance(limit))
        return each if self.round_cost() * each > self.settings.interval else 0.0

    # -- what is watched

    def _watched_servers(self):
        servers = self.seen.servers or {}
        return [key for key in in_order(servers) if matches_server(servers[key], self.settings.servers)]

    def _watched_sites(self):
        """The sites named in `sites`, on the watched servers, by their last good listing."""
        watched = []
        for server_id in self._watched_servers():
            sites = self.seen.sites.get(server_id) or {}
            watched.extend(key for key in in_order(sites) if matches_site(sites[key], self.settings.sites))
        return watched

    # -- comparing, and the events

    async def _servers(self, current, baseline):
        previous = self.seen.servers if self.seen.servers is not None else {}
        self.seen.servers = current
        if baseline:
            return
        for key in in_order(set(previous) | set(current)):
            before, after = previous.get(key), current.get(key)
            was = before is not None and matches_server(before, self.settings.servers)
            now = after is not None and matches_server(after, self.settings.servers)
            if not (was or now):
                continue
            if after is None:
                await self._emit('server', before, None, host=REMOVED_HOST)
                await self._forget_server(before)
                continue
            if before is None and self.settings.lists_sites:
                self.seen.sites[key] = {}  # a new server: every site on it is new
            if not now:
                self._drop_server(key)  # no longer watched: no events for its sites
            if before is None or changed_fields(before, after):
                await self._emit('server', before, after, host=after.get('name'))

    async def _forget_server(self, server):
        """A removed server's sites and backups were removed with it."""
        server_id = str(server.get('id'))
        sites = self.seen.sites.pop(server_id, None) or {}
        for site_id in in_order(sites):
            await self._site_gone(server, site_id, sites[site_id], host=REMOVED_HOST)

    def _drop_server(self, server_id):
        for site_id in self.seen.sites.pop(server_id, None) or {}:
            self.seen.backups.pop(site_id, None)
            self.seen.site_server.pop(site_id, None)

    async def _site_gone(self, server, site_id, site, host):
        """A site removed (alone, or with its server), and its backups with it."""
        if matches_site(site, self.settings.sites):
            await self._emit('site', site, None, server=server, host=host)
        self.seen.site_server.pop(site_id, None)
        backups = self.seen.backups.pop(site_id, None) or {}
        for backup_id in in_order(backups):
            await self._emit('backup', backups[backup_id], None, server=server, site=site, host=host)

    async def _sites(self, server_id, current):
        previous = self.seen.sites.get(server_id)
        self.seen.sites[server_id] = current
        for site_id in current:
            self.seen.site_server[site_id] = server_id
        if previous is None and not self.settings.emit_existing:
            return  # this server's baseline
        previous = previous or {}
        host = self._server(server_id).get('name')
        for key in in_order(set(previous) | set(current)):
            before, after = previous.get(key), current.get(key)
            if after is None:
                await self._site_gone(self._server(server_id), key, before, host=host)
                continue
            if before is None and 'backup' in self.settings.kinds and matches_site(after, self.settings.sites):
                self.seen.backups[key] = {}  # a new site: every backup of it is new
            if not matches_site(after, self.settings.sites) and not (before and matches_site(before, self.settings.sites)):
                continue
            if before is None or changed_fields(before, after):
                await self._emit('site', before, after, server=self._server(server_id), host=host)

    async def _backups(self, site_id, current):
        previous = self.seen.backups.get(site_id)
        self.seen.backups[site_id] = current
        if previous is None and not self.settings.emit_existing:
            return  # this site's baseline
        previous = previous or {}
        server_id = self.seen.site_server.get(site_id)
        server = self._server(server_id)
        site = (self.seen.sites.get(server_id) or {}).get(site_id) or {'id': site_id}
        for key in in_order(set(previous) | set(current)):
            before, after = previous.get(key), current.get(key)
            if before is None or after is None or changed_fields(before, after):
                await self._emit('backup', before, after, server=server, site=site, host=server.get('name'))

    def _server(self, server_id):
        return (self.seen.servers or {}).get(server_id) or {'id': server_id}

    async def _emit(self, kind, before, after, server=None, site=None, host=None):
        """One event, of a kind watched; `before`/`after` are copies, so what a rule does with them never
        changes what was seen."""
        if kind not in self.settings.kinds:
            return
        shown = after if after is not None else before
        change = 'added' if before is None else 'removed' if after is None else 'updated'
        event = {'kind': kind, 'change': change, 'id': shown.get('id'), 'name': shown.get(WATCHED[kind].named_by),
                 'changed': changed_fields(before, after), 'before': copy.deepcopy(before), 'after': copy.deepcopy(after)}
        if server is not None:
            event['server'] = {'id': server.get('id'), 'name': server.get('name')}
        if site is not None:
            event['site'] = {'id': site.get('id'), 'domain': site.get('domain')}
        wrapped = {'flywp': event}
        if host:
            wrapped['meta'] = {'hosts': str(host)}
        logger.info('Event: %s %r %s (id %s)%s', kind, event['name'], change, event['id'],
                    ': %s changed' % ', '.join(event['changed']) if event['changed'] else '')
        await self.queue.put(wrapped)

    # -- what the source says

    def round_cost(self):
        """Requests a full round costs, by the last good listings."""
        servers = self.seen.servers or {}
        cost = pages(len(servers))
        if self.settings.lists_sites:
            cost += sum(pages(len(self.seen.sites.get(key) or ())) for key in self._watched_servers())
        if 'backup' in self.settings.kinds:
            cost += sum(pages(len(self.seen.backups.get(key) or ())) for key in self._watched_sites())
        return cost

    def round_seconds(self):
        """How long a full round takes at least, within the share."""
        limit, window = self.client.budget.rate()
        return self.round_cost() * window / float(self.allowance(limit))

    def _say_what_is_watched(self):
        watched = self._watched_servers()
        parts = ['%d server%s' % (len(watched), '' if len(watched) == 1 else 's')]
        if 'site' in self.settings.kinds:
            sites = sum(len(self.seen.sites.get(key) or ()) for key in watched)
            parts.append('their %d site%s' % (sites, '' if sites == 1 else 's'))
        if 'backup' in self.settings.kinds:
            sites = len(self._watched_sites())
            parts.append('the backups of %d site%s' % (sites, '' if sites == 1 else 's'))
        limit, window = self.client.budget.rate()
        logger.info('Watching %s at %s, every %g s: a round costs %d request(s), and this source may send %d of the '
                    "token's %d every %g s (max_share %g); %s.", ', '.join(parts), self.client.shown_url,
                    self.settings.interval, self.round_cost(), self.allowance(limit), limit, window,
                    self.settings.max_share, self._what_the_first_poll_was())

    def _what_the_first_poll_was(self):
        if self.resumed:
            return 'this first poll reported what changed since the baseline saved%s in %s' % (
                _when(self.baseline.saved_at), self._resumed_from)
        first = 'this first poll reported everything as added' if self.settings.emit_existing else \
            'this first poll is the baseline'
        kept = self.baseline.path if self.baseline is not None else None  # None once it could not be written
        return '%s, kept %s' % (first, 'in %s after each round' % kept if kept else 'in memory only')

    def _say_how_long_a_round_takes(self):
        """Say once (and again when it changes) that a round needs more than `interval`."""
        seconds = self.round_seconds()
        stretched = int(math.ceil(seconds)) if seconds > self.settings.interval else None
        if stretched == self._said_round:
            return
        limit, window = self.client.budget.rate()
        if stretched is None:
            logger.warning('A round fits in interval (%g s) again.', self.settings.interval)
        else:
            logger.warning(
                'A full round now takes about %d s, longer than interval (%g s): it costs %d request(s) (the server '
                'listing, %s), and this source may send %d of the token\'s %d requests every %g s (max_share %g). '
                'Watch fewer servers or sites (servers, sites, kinds), or raise max_share.', stretched,
                self.settings.interval, self.round_cost(), self._what_costs(), self.allowance(limit), limit, window,
                self.settings.max_share)
        self._said_round = stretched

    def _what_costs(self):
        parts = []
        if self.settings.lists_sites:
            parts.append('the sites of %d servers' % len(self._watched_servers()))
        if 'backup' in self.settings.kinds:
            parts.append('the backups of %d sites' % len(self._watched_sites()))
        return ' and '.join(parts) or 'no more'


def _when(timestamp):
    if timestamp is None:
        return ''
    return ' at %s' % datetime.datetime.fromtimestamp(timestamp, datetime.timezone.utc).strftime('%Y-%m-%d %H:%M:%S UTC')


def baseline_file(settings, client):
    """Where the baseline is kept: a BaselineFile, or None (in memory only)."""
    if settings.state_file == STATE_FILE_OFF:
        return None
    path = settings.state_file
    if path is None:
        if client.state.path is None:
            if client.state.directory:  # the directory could not be used: the client said why, for its budget
                logger.warning('The baseline of %s cannot be kept in %s either, so the source keeps it in memory only: '
                               'after a restart it reports nothing of what changed while it was stopped. Make the '
                               'directory writable by this user, set FLYWP_STATE_DIR to one that is, or give the '
                               'source a state_file.', NAME, client.state.directory)
            return None
        path = path_beside(client.state.path, settings.scope)
    return BaselineFile(path, client.base_url, client.shown_url, settings.api_token.strip(), settings.scope, logger.warning)


def _refused_setting(error):
    """A first poll's failure that a setting causes: the token refused (401, 403) or an API
    URL without the servers' route (a 404 that names no missing object)."""
    status = getattr(error, 'status', None)
    return status in (401, 403) or (status == 404 and getattr(error, 'missing', None) is None)


def _unreachable(error):
    """No answer at all (refused, dropped, timed out): status None with a request named."""
    return getattr(error, 'status', None) is None and getattr(error, 'method', None) is not None


async def main(queue, args):
    """ansible-rulebook's entry point: watch until the rulebook ends."""
    await ChangesSource.from_args(queue, args).run()


if __name__ == '__main__':
    # python changes.py '{"kinds": ["server", "site"], "interval": 10}': the events on stdout.
    class PrintingQueue:
        async def put(self, event):
            print(json.dumps(event, sort_keys=True))

    logging.basicConfig(level=logging.INFO, format='%(levelname)s %(message)s')
    try:
        asyncio.run(main(PrintingQueue(), json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}))
    except KeyboardInterrupt:
        pass
    except SourceError as failure:
        sys.exit(str(failure))
