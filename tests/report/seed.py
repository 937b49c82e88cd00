# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The account the browser check renders, as the simulator's POST /_simulator/seed body, on stdout.

    python seed.py                       a small agency's account, with one server named with markup
    python seed.py --servers N --sites S  N servers of S sites each (each site one completed backup)
"""

from __future__ import annotations

import argparse
import json
import sys

# Markup a person may give a server as its name: shown as text, it must never run. If it did,
# the page's title would change, or the body would get the attribute data-injected.
INJECTED = ('<script>document.title="INJECTED"</script>'
            '<img src=x onerror="document.body.setAttribute(\'data-injected\', 1)"><b>x</b>')


def agency():
    def site(domain, php='8.3', backups=('completed',), web_server='nginx'):
        return {'domain': domain, 'php_version': php, 'web_server': web_server,
                'backups': [{'type': 'full', 'status': status} for status in backups]}

    return [
        {'name': 'web-fsn-1', 'provider': 'hetzner', 'region': 'fsn1', 'size': 'cx32',
         'sites': [site('acme-bakery.example.com'), site('shop.acme-bakery.example.com', backups=('completed', 'failed')),
                   site('blog.northwind.example.org', php='8.1'), site('staging.northwind.example.org', backups=())]},
        {'name': 'web-nyc-1', 'provider': 'digitalocean', 'region': 'nyc3', 'size': 's-2vcpu-4gb',
         'sites': [site('contoso.example.net', web_server='openlitespeed'), site('events.contoso.example.net', php='8.2')]},
        {'name': 'web-ams-2', 'provider': 'vultr', 'region': 'ams', 'size': 'vc2-2c-4gb', 'status': 'provisioning',
         'sites': []},
        {'name': INJECTED, 'provider': 'custom', 'sites': [site('markup.example.com')]},
    ]


def generated(servers, sites):
    return [{'name': 'web-%04d' % number, 'provider': 'hetzner', 'region': 'fsn1', 'size': 'cx22',
             'sites': [{'domain': 'site-%02d.web-%04d.example.com' % (index, number), 'php_version': '8.3',
                        'backups': [{'type': 'full'}]} for index in range(sites)]}
            for number in range(servers)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--servers', type=int)
    parser.add_argument('--sites', type=int, default=10)
    args = parser.parse_args()
    servers = generated(args.servers, args.sites) if args.servers else agency()
    json.dump({'servers': servers}, sys.stdout)


if __name__ == '__main__':
    main()
