# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The servers and sites a task names, found by one rule (docs/development.md, "Server and
site references"): a server by name or id, a site by domain on its server or by id.

A name remembered by an earlier task is a hint the API confirms before a task relies on it
(hints.Names); an object an earlier task of the same check run would create is found
through that run's predictions (hints.CheckRunPredictions). What a reference resolves to
is a Place: the parent ids a task's objects live under, and the hints scoped to it.
"""

from __future__ import annotations

from ansible_collections.flywp.cloud.plugins.module_utils.errors import FlyWPAPIError, FlyWPError
from ansible_collections.flywp.cloud.plugins.module_utils.hints import CheckRunPredictions, Hints, Names
from ansible_collections.flywp.cloud.plugins.module_utils.resource import KeyIndex, find_by_id, find_by_key
from ansible_collections.flywp.cloud.plugins.module_utils.resource_types import SERVER, SITE
from ansible_collections.flywp.cloud.plugins.module_utils.validation import InvalidInput, is_id

PLANNED = ('The FlyWP %s %r does not exist yet: an earlier task of this check run would create it. This task shows what '
           'it would do on it then.')


class Place:
    """Where a task's objects live: their parent's ids ({} for the account's servers), and the
    hints scoped to that parent. An id of None is a parent a check run would create."""

    def __init__(self, ids, hints):
        self.ids, self.hints = ids, hints

    @property
    def exists(self):
        return all(value is not None for value in self.ids.values())


class References:
    """Finds what a task names, for one client, in or out of check mode."""

    def __init__(self, client, check_mode=False, warn=None):
        self.client, self.check_mode = client, check_mode
        self.warn = warn or (lambda message: None)
        self.names = Names(client.state, SERVER.name, clock=client.clock)
        self.hints = Hints(self.names, CheckRunPredictions(client.state, clock=client.clock, warn=warn))

    @classmethod
    def of(cls, module):
        return cls(module.client, module.check_mode, module.warn)

    @property
    def account(self):
        """The place of the account's servers."""
        return Place({}, self.hints)

    def on_server(self, ref, work, required=True):
        """work(place) on the server `ref` names, by the one rule:

        A reference of digits is tried as an id first, at no cost: work's first request, under
        /servers/{id}, answers 404 when no server has that id, and then the reference is tried
        as a name (so a server named 2024 is found). Any other reference is a name
        (server_id_named).

        When there is no such server: fails if `required`, else warns and returns work() on a
        place without a server: "no server, so nothing on it" (a state=absent task is then
        unchanged). A server an earlier task of this check run would create is such a place too,
        with a warning that says so.
        """
        ref = reference(ref, SERVER, self.check_mode)
        name = SERVER.key_value('name', ref)
        hints = self.hints.under(name)
        not_an_id = None
        if is_id(ref):
            try:
                return work(Place({SERVER.id_arg: ref}, hints))
            except FlyWPAPIError as error:
                if not error.is_missing(SERVER, ref):
                    raise
                not_an_id = error
        server_id = self.server_id_named(name)
        if server_id is not None:
            return work(Place({SERVER.id_arg: server_id}, hints))
        if self.check_mode and self.hints.is_predicted(SERVER, (name,)):
            self.warn(PLANNED % (SERVER.label, name))
            return work(Place({SERVER.id_arg: None}, hints))
        if required and not_an_id:
            raise FlyWPError('%s. No server is named %r either: check the name or id.' % (str(not_an_id).rstrip('.'), ref),
                             result=not_an_id.result)
        if required:
            raise FlyWPError('There is no FlyWP server named %r: check the name or id.' % ref)
        self.warn('There is no FlyWP server named %r%s, so there is nothing on it to remove: the task changed nothing. '
                  'Check the name if you meant one that exists.' % (ref, ' nor with that id' if not_an_id else ''))
        return work(Place({SERVER.id_arg: None}, hints))

    def server_id_named(self, name):
        """The id of the one server with this name, or None.

        A name remembered by an earlier task is only a hint: it is used when one request for that
        server confirms it (the name still matches, the server is not being deleted), so a
        renamed, rebuilt or deleted server never takes a write meant for another. Else the
        servers are listed, once, and every name the listing shows once is remembered for the
        later tasks.
        """
        remembered = self.names.recall(name)
        if remembered is not None:
            server = find_by_id(self.client, SERVER, remembered)
            if server is not None and not SERVER.is_gone(server) and SERVER.key_of_object(server) == (name,):
                return remembered
            self.names.forget(name)
        servers = [server for server in self.client.list(SERVER.endpoints.list) if not SERVER.is_gone(server)]
        index = KeyIndex(SERVER, servers)
        self.names.remember(dict(
            (key[0], matches[0]['id']) for key, matches in index.by_key.items() if len(matches) == 1 and key[0]))
        server = index.only_match({'name': name})
        return server['id'] if server is not None else None

    def find_site(self, ref, server_ref, required):
        """The place under the site given by id, or by domain on the server given by name or id;
        None if it (or its server) is gone and not required.

        A domain is never all digits, so a reference of digits is always a site id. The
        endpoints under /sites/{site_id} need nothing but the id, so an id is not looked up:
        a wrong id fails at the first request. A site found by its domain has its server's id
        in the place as well (a path such as /servers/{server}/sites/{site} needs both).
        """
        ref = reference(ref, SITE, self.check_mode)
        if is_id(ref):
            return Place({SITE.id_arg: ref}, self.hints.under(ref))
        domain = SITE.checked('domain', ref)
        if server_ref is None or not str(server_ref).strip():
            raise InvalidInput('server is required to find the site %r by its domain; or give the site id.' % ref)

        server = {}

        def site_on(place):
            server.update(place.ids)
            if not place.exists:
                return None
            return find_by_key(self.client, SITE, {'domain': domain}, place.ids)

        site = self.on_server(server_ref, site_on, required)
        scope = self.hints.under(SERVER.key_value('name', server_ref))
        if site is None and self.check_mode and scope.is_predicted(SITE, (domain,)):
            self.warn(PLANNED % (SITE.label, domain))
            return Place(dict(server, **{SITE.id_arg: None}), scope)
        if site is None and required:
            raise FlyWPError('There is no FlyWP site %r on the server %r: check the domain, or give the site id.' % (
                domain, server_ref))
        return Place(dict(server, **{SITE.id_arg: site['id']}), scope) if site is not None else None


def reference(ref, rtype, check_mode=False):
    """A server or site reference as given, trimmed; blank ones are refused."""
    text = '' if ref is None else str(ref).strip()
    if not text:
        raise InvalidInput('%s must not be empty: give its %s or its id.%s' % (
            rtype.name, rtype.key[0], ' In check mode %s that an earlier task would create has no id yet: give its %s '
            'to let this task show what it would do.' % (rtype.a_label, rtype.key[0]) if check_mode else ''))
    return text
