# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: flywp
short_description: FlyWP servers as an Ansible inventory
version_added: 1.0.0
author:
  - flywp.cloud contributors (@flywp)
description:
  - Makes every server of a FlyWP account an Ansible host, from the FlyWP API.
  - Reads inventory sources whose file names end in C(flywp.yml) or C(flywp.yaml).
  - Uses the same API client as the modules of this collection, so it keeps inside the
    FlyWP rate limit (60 requests a minute per token) the same way and reports errors
    the same way.
  - "Each host gets the server's fields as variables with a prefix (O(hostvars_prefix)):
    C(flywp_id), C(flywp_name), C(flywp_status), C(flywp_provider), C(flywp_region),
    C(flywp_size), C(flywp_os), C(flywp_ip_address), C(flywp_php_versions),
    C(flywp_created_at), and any other field the API sends."
  - C(ansible_host) is the server's IP address. The group C(flywp) holds every host and
    sets C(ansible_user=fly), the SSH user of FlyWP servers, as a group variable, so
    C(group_vars), C(host_vars), O(compose) or C(-e) override it.
  - "Listing the servers costs one request a page of 100 servers. O(include_sites) adds
    one request per server."
  - The API token is never a host variable, never in the cache and never in an error message.
  - "Data from the API is never run as a template: a value that could be one (a string
    holding C({) or C(}), such as a server named C({{ lookup('pipe', 'id') }})) is marked
    unsafe, and a host name that would hold one is replaced by C(<name>-<id>) or
    C(flywp-<id>), with a warning. Every other string is a plain string, also in the output
    of C(ansible-inventory --list --export) that AWX imports."
  - An option the plugin does not know (a misspelt one) makes the source fail, with the
    list of the known options; a O(status) or O(provider) value that FlyWP does not use
    gives a warning.
  - "When the API refuses the token or cannot be reached, C(ansible-inventory) and
    C(ansible-playbook) warn with the reason and go on without these hosts; set
    E(ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED=true) to make that fatal."
requirements:
  - requests
extends_documentation_fragment:
  - constructed
  - inventory_cache
options:
  plugin:
    description:
      - Marks the file as an inventory source for this plugin.
    type: str
    required: true
    choices: [flywp.cloud.flywp]
  api_token:
    description:
      - A FlyWP API token with the C(Read) permission, created in the FlyWP dashboard
        under C(Settings > API Tokens).
      - Without it, the E(FLYWP_API_TOKEN) environment variable is used; one of the two
        is needed, also when the cache answers (the cache is kept per token).
      - It may be a template, such as a lookup of a file or of another environment
        variable, or a value encrypted with C(ansible-vault encrypt_string); see the examples.
      - With O(use_extra_vars=true), the template may also use extra vars, for instance
        a token from C(-e @vault.yml).
    type: str
    env:
      - name: FLYWP_API_TOKEN
  api_url:
    description:
      - Base URL of the FlyWP API, including the C(/api/v1) path.
      - Change it for a proxy or for the FlyWP API simulator shipped with this collection.
      - The token is only ever sent over C(https://), or over C(http://) to a loopback
        address such as C(127.0.0.1).
      - It may be a template, like O(api_token).
    type: str
    default: https://app.flywp.com/api/v1
    env:
      - name: FLYWP_API_URL
    ini:
      - section: flywp
        key: api_url
  api_timeout:
    description:
      - Seconds to wait for one HTTP answer from the FlyWP API.
    type: int
    default: 30
    env:
      - name: FLYWP_API_TIMEOUT
    ini:
      - section: flywp
        key: api_timeout
  validate_certs:
    description:
      - Whether to verify the TLS certificate of the FlyWP API.
      - Only turn this off for a proxy you trust.
    type: bool
    default: true
    env:
      - name: FLYWP_VALIDATE_CERTS
    ini:
      - section: flywp
        key: validate_certs
  rate_limit_timeout:
    description:
      - The FlyWP API allows 60 requests a minute per token and answers C(429 Too Many
        Requests) past that.
      - This is the most seconds the inventory spends waiting for the rate limit to
        clear, in total, before it fails.
      - Set C(0) to fail at the first C(429).
    type: int
    default: 300
    env:
      - name: FLYWP_RATE_LIMIT_TIMEOUT
    ini:
      - section: flywp
        key: rate_limit_timeout
  hostvars_prefix:
    description:
      - The prefix of the host variables made from the server's fields, so that an API
        field never takes the name of one of Ansible's own variables.
      - Letters, digits and underscores, not starting with a digit.
    type: str
    default: flywp_
  hostname:
    description:
      - What names each host. Either the name of a server field, such as V(name), V(id)
        or V(ip_address), or a Jinja2 template over the host variables, such as
        V({{ flywp_name }}.{{ flywp_region }}).
      - When two servers would get the same name, the one with the lowest id keeps it and
        each other one is named C(<name>-<id>), with a warning.
      - A server for which it gives nothing (the field is missing or empty) is named
        C(<server name>-<id>), with a warning.
    type: str
    default: name
  status:
    description:
      - Only servers in one of these statuses become hosts.
      - A new server goes C(creating), C(provisioning), then C(ready); a failed one is C(failed).
      - Compared without regard to case. A value FlyWP does not use gives a warning.
    type: list
    elements: str
    default: [ready]
  include_all_statuses:
    description:
      - Include servers in any status, not only those in O(status).
    type: bool
    default: false
  provider:
    description:
      - Only servers of one of these providers become hosts, among V(hetzner),
        V(digitalocean), V(vultr), V(aws), V(akamai) and V(custom).
      - Empty means any provider. Compared without regard to case. A value FlyWP does not
        use gives a warning.
    type: list
    elements: str
    default: []
  region:
    description:
      - Only servers in one of these regions become hosts, named as the provider names them,
        for instance V(fsn1) or V(nbg1) at Hetzner, V(fra1) or V(nyc3) at DigitalOcean,
        V(fra) or V(ams) at Vultr, V(eu-central-1) at AWS.
      - Empty means any region. Compared without regard to case.
    type: list
    elements: str
    default: []
  filters:
    description:
      - Jinja2 conditionals, each evaluated against the host variables (the prefixed
        server fields, C(ansible_host), and with O(include_sites) the sites); a server
        becomes a host only when all of them are true.
      - They run after O(status), O(provider) and O(region), and before O(compose).
      - An expression that fails is an error when O(strict=true); otherwise it counts as
        false and the server is left out.
    type: list
    elements: str
    default: []
  default_groups:
    description:
      - Put each host in the groups C(flywp_provider_<provider>),
        C(flywp_region_<region>) and C(flywp_status_<status>), for instance
        C(flywp_provider_hetzner).
      - The group C(flywp), which holds every host of this source, is always made.
    type: bool
    default: true
  include_sites:
    description:
      - Give each host the variable C(<prefix>sites), the list of the server's WordPress
        sites as the API shows them.
      - This costs one more request per server that passes O(status), O(provider) and
        O(region). Under the rate limit of 60 requests a minute a large fleet makes the
        inventory wait, so raise O(rate_limit_timeout) with it, and consider O(cache).
    type: bool
    default: false
notes:
  - With O(cache=true), the cache holds the servers (and sites) as the API sent them, for
    this inventory file, O(api_url) and O(api_token) (by a hash of it, so that another
    token, of another account, never sees these hosts); O(status), O(provider), O(region), O(filters),
    O(hostname), O(compose) and the groups are applied again on every run, so changing
    them needs no new request. C(--flush-cache) fetches again (an option of
    C(ansible-playbook), and of C(ansible-inventory) from ansible-core 2.19 on).
seealso:
  - module: flywp.cloud.server_info
    description: The same servers, as the result of a task.
"""

EXAMPLES = r"""
# flywp.yml: every ready server, token and URL from FLYWP_API_TOKEN and FLYWP_API_URL.
plugin: flywp.cloud.flywp

---
# prod.flywp.yml: the token from a lookup, servers in any status in Germany at Hetzner
# (fsn1 Falkenstein, nbg1 Nuremberg) or DigitalOcean (fra1 Frankfurt), named with their
# region, with their sites.
plugin: flywp.cloud.flywp
api_token: "{{ lookup('ansible.builtin.file', '~/.config/flywp/token') }}"
api_url: https://app.flywp.com/api/v1
api_timeout: 60
validate_certs: true
rate_limit_timeout: 600
include_all_statuses: true
provider: [hetzner, digitalocean]
region: [fsn1, nbg1, fra1]
hostname: "{{ flywp_name }}.{{ flywp_region }}"
include_sites: true
groups:
  wordpress: flywp_sites | length > 0

---
# vault.flywp.yml: the token encrypted with
# ansible-vault encrypt_string --name api_token; a private prefix; only some statuses.
plugin: flywp.cloud.flywp
api_token: !vault |
  $ANSIBLE_VAULT;1.1;AES256
  62313365396662343061393464336163383764373764613633653634306231386433626436623361
  6134333665353966363534333632666535333761666131620a663537646436643839616531643561
  63396265333966386166373632626539326166353965363262633030333630313338646335303630
  3438626666666137650a353638643435666633633964366338633066623234616432373231333331
  6564
hostvars_prefix: fw_
status: [ready, provisioning]

---
# grouped.flywp.yml: grouping and variables of your own. compose runs first, so the
# groups can use what it makes. With strict, one server for which an expression fails
# or a key is empty fails the whole source: a custom server may have no region, so its
# key falls back to '' and default_value puts it in region_unknown.
plugin: flywp.cloud.flywp
hostname: ip_address
default_groups: false
filters:
  - flywp_os == 'ubuntu-24.04'
  - "'8.3' in (flywp_php_versions or [])"
compose:
  ansible_user: "'deploy'"
  tier: "'production' if flywp_name is match('prod-') else 'staging'"
groups:
  big: flywp_size in ['cx41', 's-4vcpu-8gb']
keyed_groups:
  - key: tier
    prefix: tier
  - key: flywp_provider
    prefix: cloud
    separator: "-"
    parent_group: "{{ 'clouds' }}"
    default_value: unknown
  - key: flywp_region | default('', true)
    prefix: region
    default_value: unknown
leading_separator: true
strict: true

---
# secret.flywp.yml: the token from a vault-encrypted vars file given as extra vars:
# ansible-inventory -i secret.flywp.yml -e @secrets.yml --ask-vault-pass --graph
plugin: flywp.cloud.flywp
use_extra_vars: true
api_token: "{{ vault_flywp_api_token }}"

---
# cached.flywp.yml: ask the API at most once an hour.
plugin: flywp.cloud.flywp
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/ansible/flywp
cache_prefix: flywp_
cache_timeout: 3600
"""

import difflib
import hashlib
import math
import re
from collections.abc import Mapping

from ansible.errors import AnsibleError, AnsibleParserError
from ansible.module_utils.common.text.converters import to_text
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable
from ansible.utils.vars import combine_vars

from ansible_collections.flywp.cloud.plugins.module_utils.client import HAS_REQUESTS, FlyWPClient
from ansible_collections.flywp.cloud.plugins.module_utils.errors import FlyWPAPIError, FlyWPError
from ansible_collections.flywp.cloud.plugins.module_utils.resource_types import SERVER, SITE, SYSTEM_USER

try:  # ansible-core 2.19 and later: a string is rendered as a template only when it is tagged trusted
    from ansible.template import trust_as_template
    wrap_var = None
except ImportError:  # ansible-core 2.15 to 2.18: every string is rendered unless it is wrapped unsafe
    trust_as_template = None
    from ansible.utils.unsafe_proxy import wrap_var

ALL_SERVERS_GROUP = 'flywp'
DEFAULT_GROUP_FIELDS = ('provider', 'region', 'status')
VARIABLE_NAME = re.compile(r'^[A-Za-z_][A-Za-z0-9_]*$')
NOT_IN_NAME = re.compile(r'[^A-Za-z0-9_]')
# What makes a string a possible Jinja2 template: a delimiter ({{ {% {#, or a lone brace
# to be safe) or the header that changes the delimiters (read by ansible-core 2.19 and later).
TEMPLATE_MARKS = re.compile(r'[{}]|#jinja2:')
# The values the API contract gives these server fields.
KNOWN_VALUES = {'status': SERVER.statuses, 'provider': SERVER.choices('provider')}


def could_be_template(text):
    return bool(TEMPLATE_MARKS.search(text))


def as_variable(value):
    """API data made a variable that Ansible never renders as a template.

    A string that could be a template (a server named "{{ lookup('pipe', ...) }}") is left
    untrusted (2.19 and later) or wrapped unsafe (2.15 to 2.18). Any other string is marked trusted:
    it renders to itself either way, and ansible-inventory --list --export (what AWX reads)
    then prints it as a plain string instead of {"__ansible_unsafe": ...}.
    """
    if isinstance(value, Mapping):
        return dict((key, as_variable(item)) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return [as_variable(item) for item in value]
    if not isinstance(value, str):
        return value
    if could_be_template(value):
        return wrap_var(value) if wrap_var else str(value)  # str(): a copy without any trust tag
    return trust_as_template(value) if trust_as_template else str(value)  # 2.15 to 2.18: unwrapped, if compose wrapped it


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    """The FlyWP servers of one account, one host each."""

    NAME = 'flywp.cloud.flywp'

    def __init__(self):
        super().__init__()
        self._client = None

    def verify_file(self, path):
        return super().verify_file(path) and path.endswith(('flywp.yml', 'flywp.yaml'))

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache=cache)
        self._refuse_unknown_options(self._read_config_data(path), path)
        self._warn_unknown_values()
        self._client = None
        prefix = self.get_option('hostvars_prefix')
        if not VARIABLE_NAME.match(prefix or ''):
            raise AnsibleParserError('hostvars_prefix %r must be letters, digits and underscores, not starting with a digit '
                                     '(the default is flywp_).' % prefix)
        try:
            servers, sites = self._servers_and_sites(path, cache)
        except FlyWPError as error:
            raise AnsibleParserError(str(error)) from None
        self._populate(servers, sites, prefix)

    def _refuse_unknown_options(self, config, path):
        """Ansible ignores an option it does not know; a misspelt one would silently do nothing."""
        known = sorted(self._options)
        unknown = sorted(to_text(name) for name in config if to_text(name) not in known)
        if not unknown:
            return
        hints = ['%s (did you mean %s?)' % (name, close[0]) if close else name
                 for name, close in ((name, difflib.get_close_matches(name, known, n=1)) for name in unknown)]
        raise AnsibleParserError('%s: the flywp.cloud.flywp inventory plugin has no option %s. Its options are: %s.'
                                 % (path, ', '.join(hints), ', '.join(known)))

    def _warn_unknown_values(self):
        """A status or provider the API never gives selects no server: say so, rather than list nothing.

        A warning, not an error: the service may add a value before this collection knows it.
        """
        for option, known in KNOWN_VALUES.items():
            if option == 'status' and self.get_option('include_all_statuses'):
                continue
            for value in self.get_option(option) or []:
                text = to_text(value).casefold()
                if text in known:
                    continue
                close = difflib.get_close_matches(text, known, n=1)
                self.display.warning('%s %r is not a FlyWP server %s (%s): no server will match it.%s'
                                     % (option, to_text(value), option, ', '.join(known),
                                        ' Did you mean %s?' % close[0] if close else ''))

    # Where the servers come from: the cache, else the API.

    def _servers_and_sites(self, path, cache):
        """The selected servers, and their sites by server id when include_sites is on."""
        api_url = self._templated_option('api_url')
        use_cache = self.get_option('cache')
        key = self._account_cache_key(path, api_url) if use_cache else None
        data = None
        if use_cache and cache:
            try:
                data = self._cache[key]
            except KeyError:
                data = None
            if not (isinstance(data, dict) and data.get('api_url') == api_url and isinstance(data.get('servers'), list)):
                data = None  # absent, expired, from another API URL, or not ours
        changed = data is None
        if data is None:
            data = {'api_url': api_url, 'servers': self._api(api_url).list(SERVER.endpoints.list), 'sites': {}}
        # a copy: the cache compares what it read with what it is given to know whether to write
        sites = dict(data.get('sites') or {})
        data = dict(data, sites=sites)
        servers = [server for server in data['servers'] if isinstance(server, dict) and self._selected(server)]
        if self.get_option('include_sites'):
            self._refuse_a_wait_past_the_budget(api_url, [server for server in servers if str(server.get('id')) not in sites])
            unread = []
            for server in servers:
                server_id = str(server.get('id'))
                if server_id in sites:
                    continue
                try:
                    sites[server_id] = self._api(api_url).list(SITE.endpoints.list, **{SERVER.id_arg: server_id})
                    changed = True
                except FlyWPAPIError as error:
                    if error.status != 404:
                        raise
                    unread.append((server, error))
            self._warn_sites_unread(unread)
        if use_cache and changed:
            self._cache[key] = data
        return servers, sites

    def _warn_sites_unread(self, unread):
        """The listing showed these servers, but their sites answered 404: the hosts are kept,
        without sites (and not cached, so the next run asks again)."""
        if not unread:
            return
        names = ', '.join('%s (id %s)' % (server.get('name'), server.get('id')) for server, error in unread[:10])
        self.display.warning(
            'The sites of %d FlyWP server(s) could not be read, so they are hosts without %ssites: %s%s. The first '
            'answer: %s' % (len(unread), self.get_option('hostvars_prefix'), names, ', ...' if len(unread) > 10 else '',
                            unread[0][1]))

    def _account_cache_key(self, path, api_url):
        """The cache key of this inventory file, URL and token: the token by a hash of it, so a
        token of another account never reads these hosts, and the cache never holds the token."""
        token = self._templated_option('api_token') or ''
        account = hashlib.sha256(('flywp.cloud inventory\0%s\0%s' % (api_url, token.strip())).encode()).hexdigest()
        return '%s_%s' % (self.get_cache_key(path), account[:16])

    def _refuse_a_wait_past_the_budget(self, api_url, servers):
        """Fail now, with the figure, rather than with an empty inventory after rate_limit_timeout."""
        if not servers:
            return
        client = self._api(api_url)
        seconds, allowed = client.budget.seconds_for(len(servers)), self.get_option('rate_limit_timeout')
        if seconds > allowed:
            raise AnsibleError(
                'include_sites needs %d more requests (one per server), and the FlyWP API rate limit (%s) makes that '
                'about %d minutes, more than rate_limit_timeout (%s s). Select fewer servers (status, provider, region, '
                'filters), turn on the cache so that later runs need none, or raise rate_limit_timeout to %d.' % (
                    len(servers), client.budget.limit_text(), math.ceil(seconds / 60.0), allowed,
                    int(seconds * 1.2) + 60))

    def _api(self, api_url):
        """The client, made at the first request, so that a cached inventory sends none."""
        if self._client is None:
            if not HAS_REQUESTS:
                raise AnsibleError('The flywp.cloud.flywp inventory plugin needs the Python library requests on the '
                                   'Ansible controller: pip install requests.')
            self._client = FlyWPClient(
                self._templated_option('api_token'), url=api_url, timeout=self.get_option('api_timeout'),
                validate_certs=self.get_option('validate_certs'), rate_limit_timeout=self.get_option('rate_limit_timeout'),
                warn=self.display.warning)
        return self._client

    def _templated_option(self, name):
        """An option's value, rendered when it is a template (a lookup, or extra vars with use_extra_vars)."""
        value = self.get_option(name)
        if value is None:
            return None
        if self.templar.is_template(value):
            self.templar.available_variables = self._vars if self.get_option('use_extra_vars') else {}
            try:
                value = self.templar.template(value)
            except Exception as error:  # the message of a failed lookup, never the value
                raise AnsibleParserError('Could not render the %s option: %s' % (name, to_text(error))) from None
        return to_text(value).strip()

    def _selected(self, server):
        """Whether the server passes the status, provider and region options."""
        statuses = [] if self.get_option('include_all_statuses') else self.get_option('status')
        for field, wanted in (('status', statuses), ('provider', self.get_option('provider')),
                              ('region', self.get_option('region'))):
            if wanted and to_text(server.get(field) or '').casefold() not in [to_text(w).casefold() for w in wanted]:
                return False
        return True

    # What the inventory gets.

    def _populate(self, servers, sites, prefix):
        strict = self.get_option('strict')
        include_sites = self.get_option('include_sites')
        kept = []
        for server in servers:
            variables = self._host_variables(server, prefix)
            if include_sites:
                variables[prefix + 'sites'] = as_variable(sites.get(str(server.get('id')), []))
            if self._passes_filters(server, variables, strict):
                kept.append((server, variables))

        self.inventory.add_group(ALL_SERVERS_GROUP)
        self.inventory.set_variable(ALL_SERVERS_GROUP, 'ansible_user', as_variable(SYSTEM_USER))
        for hostname, (server, variables) in zip(self._hostnames(kept, strict), kept):
            self.inventory.add_host(hostname, group=ALL_SERVERS_GROUP)
            for name, value in variables.items():
                self.inventory.set_variable(hostname, name, value)
            if self.get_option('default_groups'):
                for field in DEFAULT_GROUP_FIELDS:
                    if server.get(field) not in (None, ''):
                        group = self.inventory.add_group(self._sanitize_group_name('flywp_%s_%s' % (field, server[field])))
                        self.inventory.add_child(group, hostname)
            host_vars = self.inventory.get_host(hostname).get_vars()
            # compose first, so that groups and keyed_groups can use what it makes
            self._set_composite_vars(self.get_option('compose'), host_vars, hostname, strict=strict)
            self._add_host_to_composed_groups(self.get_option('groups'), host_vars, hostname, strict=strict)
            self._add_host_to_keyed_groups(self.get_option('keyed_groups'), host_vars, hostname, strict=strict)

    def _set_composite_vars(self, compose, variables, host, strict=False):
        """Constructable's compose, whose results then go through as_variable like the API's data.

        ansible-core 2.19 and later leave what compose makes untrusted, so that --export would
        print a composed ansible_host as {"__ansible_unsafe": ...}.
        """
        super()._set_composite_vars(compose, variables, host, strict=strict)
        host_vars = self.inventory.get_host(host).get_vars()
        for name in compose or {}:
            if name in host_vars:
                self.inventory.set_variable(host, name, as_variable(host_vars[name]))

    @staticmethod
    def _host_variables(server, prefix):
        variables = dict((prefix + NOT_IN_NAME.sub('_', str(field)), as_variable(value)) for field, value in server.items())
        if server.get('ip_address'):
            variables['ansible_host'] = as_variable(server['ip_address'])
        return variables

    def _passes_filters(self, server, variables, strict):
        for conditional in self.get_option('filters'):
            try:
                if not self._is_true(conditional, variables):
                    return False
            except Exception as error:
                if strict:
                    raise AnsibleParserError('Could not evaluate the filter %r for FlyWP server %s: %s'
                                             % (conditional, server.get('name'), to_text(error))) from None
                return False
        return True

    def _is_true(self, conditional, variables):
        if self.get_option('use_extra_vars'):
            variables = combine_vars(variables, self._vars)
        self.templar.available_variables = variables
        if hasattr(self.templar, 'evaluate_conditional'):  # ansible-core 2.19 and later
            return self.templar.evaluate_conditional(conditional)
        return boolean(self.templar.template('{%% if %s %%} True {%% else %%} False {%% endif %%}' % conditional))

    def _hostnames(self, kept, strict):
        """One unique name per kept server, in the order of `kept`."""
        wanted = [self._hostname(server, variables, strict) for server, variables in kept]
        empty = [i for i, name in enumerate(wanted) if not name]
        # ansible-core 2.15 to 2.18 render inventory_hostname as a template when it looks like one
        templated = [i for i, name in enumerate(wanted) if name and could_be_template(name)]
        for i in empty + templated:
            wanted[i] = _fallback_name(kept[i][0])
        if empty:
            self.display.warning('hostname %r gives no name for %d FlyWP server(s); they are named <name>-<id>: %s'
                                 % (self.get_option('hostname'), len(empty), ', '.join(wanted[i] for i in empty)))
        if templated:
            self.display.warning('hostname %r gives %d FlyWP server(s) a name that Ansible could run as a template '
                                 '(it holds { or }); they are named <name>-<id>, or flywp-<id> when the server name '
                                 'holds them too: %s' % (self.get_option('hostname'), len(templated),
                                                         ', '.join(wanted[i] for i in templated)))

        # The oldest server (lowest id) keeps a name that several servers share, whatever order the API used;
        # the others get a name no server wants for itself.
        names = [None] * len(kept)
        taken = set()
        for i in sorted(range(len(kept)), key=lambda i: _id_order(kept[i][0].get('id'))):
            if wanted[i] not in taken:
                taken.add(wanted[i])
                names[i] = wanted[i]
        renamed = []
        for i in sorted(range(len(kept)), key=lambda i: _id_order(kept[i][0].get('id'))):
            if names[i] is None:
                base = name = '%s-%s' % (wanted[i], kept[i][0].get('id'))
                n = 1
                while name in taken:
                    n += 1
                    name = '%s-%d' % (base, n)
                taken.add(name)
                names[i] = name
                renamed.append('%s -> %s' % (wanted[i], name))
        if renamed:
            self.display.warning('Several FlyWP servers would have the same host name; the oldest keeps it and the others '
                                 'are named <name>-<id>: %s' % ', '.join(renamed))
        return names

    def _hostname(self, server, variables, strict):
        spec = self.get_option('hostname')
        if not self.templar.is_template(spec):
            value = server.get(spec)
            return '' if value is None else to_text(value).strip()
        self.templar.available_variables = variables
        try:
            return to_text(self.templar.template(spec)).strip()
        except Exception as error:
            if strict:
                raise AnsibleParserError('Could not render hostname %r for FlyWP server %s: %s'
                                         % (spec, server.get('name'), to_text(error))) from None
            return ''


def _fallback_name(server):
    """<server name>-<id>, or flywp-<id> when the name is empty or could be a template."""
    name = to_text(server.get('name') or '').strip()
    return '%s-%s' % (name if name and not could_be_template(name) else 'flywp', server.get('id'))


def _id_order(server_id):
    text = str(server_id)
    return (0, int(text), text) if text.isdigit() else (1, 0, text)
