# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""read_account: a whole FlyWP account, nested, for flywp.cloud.account_info.

Every endpoint this reading needs is named here, by its declaration, through the collection's one
client (its paging, rate-limit budget and without_secrets). Its cost, for N servers holding M
sites, is one request a page of servers, then N (sites) + M (backups) + N (cron jobs) + N (SSH
keys), each of the last four only when asked, and one more for each further page of a list.
"""

from __future__ import annotations

from ansible_collections.flywp.cloud.plugins.module_utils.errors import FlyWPAPIError
from ansible_collections.flywp.cloud.plugins.module_utils.resource_types import BACKUP, CRON, SERVER, SITE, SSH_KEY


def read_account(client, sites=True, backups=True, crons=False, ssh_keys=False):
    """[server, ...], each with `sites` (each with `backups`), `crons` and `ssh_keys` as asked.

    Backups are read only with the sites. A server deleted while it is read (its next list
    answers 404 for it) is left out, as is a site deleted before its backups are read: the
    account no longer holds them.
    """
    servers = []
    for server in client.list(SERVER.endpoints.list):
        server_id = server['id']
        try:
            if sites:
                server['sites'] = client.list(SITE.endpoints.list, server_id=server_id)
            if crons:
                server['crons'] = client.list(CRON.endpoints.list, server_id=server_id)
            if ssh_keys:
                server['ssh_keys'] = client.list(SSH_KEY.endpoints.list, server_id=server_id)
        except FlyWPAPIError as error:
            if error.is_missing(SERVER, server_id):
                continue
            raise
        if sites and backups:
            server['sites'] = [site for site in server['sites'] if _with_backups(client, site)]
        servers.append(server)
    return servers


def _with_backups(client, site):
    """Give the site its `backups`; False when the site is gone."""
    try:
        site['backups'] = client.list(BACKUP.endpoints.list, site_id=site['id'])
    except FlyWPAPIError as error:
        if error.is_missing(SITE, site['id']):
            return False
        raise
    return True
