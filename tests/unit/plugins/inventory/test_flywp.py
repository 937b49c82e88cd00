# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The flywp.cloud.flywp inventory plugin against the running simulator, over real HTTP.

The plugin comes from Ansible's inventory loader (so its options have their definitions)
and parses a real inventory file into a real InventoryData with a real DataLoader. The
API URL and token come from FLYWP_API_URL and FLYWP_API_TOKEN, which the plugin resolves
itself. Request counts are read from the simulator's request log.
"""

from __future__ import annotations

import os

import pytest
import yaml

from ansible import context
from ansible.errors import AnsibleError
from ansible.inventory.data import InventoryData
from ansible.module_utils.common.collections import ImmutableDict
from ansible.parsing.dataloader import DataLoader
from ansible.parsing import vault
from ansible.parsing.vault import VaultLib, VaultSecret
from ansible.plugins.loader import inventory_loader
from ansible.template import Templar

try:
    from ansible.template import trust_as_template
except ImportError:  # ansible-core 2.18: every template is trusted
    trust_as_template = None
from ansible.utils.display import Display

from ansible_collections.flywp.cloud.plugins.inventory.flywp import EXAMPLES
from ansible_collections.flywp.cloud.plugins.module_utils.client import FlyWPClient
from ansible_collections.flywp.cloud.plugins.module_utils.resource_types import SERVER, SITE
from ansible_collections.flywp.cloud.tests.unit.fault_proxy import FaultProxy

DEMO_TOKEN = 'flywp-demo-token'
SERVER_FIELDS = ('id', 'name', 'status', 'provider', 'region', 'size', 'os', 'ip_address', 'php_versions', 'created_at')

# A small fleet: two servers share a name, two are not ready, one has no region.
FLEET = [
    {'name': 'web-1', 'provider': 'hetzner', 'region': 'fsn1', 'size': 'cx22'},
    {'name': 'web-2', 'provider': 'digitalocean', 'region': 'nyc3', 'size': 's-1vcpu-1gb', 'os': 'ubuntu-22.04'},
    {'name': 'web-1', 'provider': 'vultr', 'region': 'ams', 'size': 'vc2-1c-1gb'},
    {'name': 'db-1', 'provider': 'hetzner', 'region': 'nbg1', 'status': 'provisioning'},
    {'name': 'broken', 'provider': 'aws', 'region': 'eu-west-1', 'status': 'failed'},
    {'name': 'home', 'provider': 'custom'},
]


# --- fixtures and helpers ---

@pytest.fixture(autouse=True)
def api_env(sim, monkeypatch):
    """A fresh simulator, its URL and the demo token in the environment, and no inventory env of the caller's."""
    sim.reset()
    for name in list(os.environ):
        if name.startswith(('FLYWP_', 'ANSIBLE_INVENTORY_', 'ANSIBLE_CACHE_')) and name != 'FLYWP_STATE_DIR':
            monkeypatch.delenv(name)
    monkeypatch.setenv('FLYWP_API_URL', sim.api_url)
    monkeypatch.setenv('FLYWP_API_TOKEN', DEMO_TOKEN)


@pytest.fixture
def warnings(monkeypatch):
    """The warnings the plugin shows."""
    shown = []
    monkeypatch.setattr(Display(), 'warning', lambda msg, *args, **kwargs: shown.append(msg))
    return shown


@pytest.fixture
def fleet(sim):
    """The servers of FLEET, in the simulator, by their index in FLEET."""
    return sim.seed(FLEET)


def twin(fleet):
    """The host name of the fleet's second web-1 (the older one keeps web-1): web-1-<its id>."""
    return 'web-1-%s' % fleet[2]['id']


def run(tmp_path, config=None, cache=True, loader=None, text=None):
    """Parse an inventory file with these options; return the inventory."""
    return run_plugin(tmp_path, config, cache, loader, text)[0]


def run_plugin(tmp_path, config=None, cache=True, loader=None, text=None, name='test.flywp.yml'):
    """Parse an inventory file with these options; return (inventory, plugin)."""
    path = tmp_path / name
    if text is None:
        text = yaml.safe_dump(dict({'plugin': 'flywp.cloud.flywp'}, **(config or {})))
    path.write_text(text)
    plugin = inventory_loader.get('flywp.cloud.flywp')
    assert plugin.verify_file(str(path))
    inventory = InventoryData()
    plugin.parse(inventory, loader or DataLoader(), str(path), cache=cache)
    if plugin.get_option('cache'):
        plugin.update_cache_if_changed()  # what the inventory manager does after parse
    return inventory, plugin


def hosts(inventory, group='flywp'):
    return sorted(host.name for host in inventory.groups[group].get_hosts()) if group in inventory.groups else []


def host_vars(inventory, name):
    """The variables of a host, with those of its groups under them (what a play sees, without vars plugins)."""
    host = inventory.get_host(name)
    merged = {}
    for group in sorted(host.get_groups(), key=lambda g: g.depth):
        merged.update(group.get_vars())
    merged.update(host.get_vars())
    return merged


def api_requests(sim):
    """The API requests since the last call, as 'METHOD /path?page=N'."""
    log = sim.requests()
    sim.clear_requests()
    return ['%s %s%s' % (r['method'], r['path'], '?page=%s' % r['query']['page'] if 'page' in (r['query'] or {}) else '')
            for r in log]


def every_value(inventory):
    """Every string in every host and group variable of the inventory."""
    found = []

    def walk(value):
        if isinstance(value, dict):
            for key, item in value.items():
                found.append(str(key))
                walk(item)
        elif isinstance(value, (list, tuple)):
            for item in value:
                walk(item)
        else:
            found.append(str(value))

    for host in inventory.hosts.values():
        walk(host.get_vars())
    for group in inventory.groups.values():
        walk(group.get_vars())
    return found


# --- which files the plugin reads ---

@pytest.mark.parametrize('name, wanted', [
    ('flywp.yml', True), ('prod.flywp.yml', True), ('prod.flywp.yaml', True), ('prod_flywp.yml', True),
    ('flywp.json', False), ('prod.yml', False), ('flywp.yml.bak', False), ('inventory.ini', False),
])
def test_verify_file_by_name(tmp_path, name, wanted):
    path = tmp_path / name
    path.write_text('plugin: flywp.cloud.flywp\n')
    assert inventory_loader.get('flywp.cloud.flywp').verify_file(str(path)) is wanted


def test_verify_file_missing(tmp_path):
    assert inventory_loader.get('flywp.cloud.flywp').verify_file(str(tmp_path / 'absent.flywp.yml')) is False


def test_other_plugin_name_is_refused(tmp_path):
    with pytest.raises(AnsibleError, match='Incorrect plugin name'):
        run(tmp_path, text='plugin: amazon.aws.aws_ec2\n')


# --- the default inventory ---

def test_defaults_every_ready_server_one_request(tmp_path, sim, fleet):
    inventory = run(tmp_path)

    assert hosts(inventory) == ['home', 'web-1', twin(fleet), 'web-2']
    assert api_requests(sim) == ['GET /servers?page=1']

    web1 = host_vars(inventory, 'web-1')
    assert {name: web1['flywp_' + name] for name in SERVER_FIELDS} == dict((k, fleet[0][k]) for k in SERVER_FIELDS)
    assert web1['ansible_host'] == fleet[0]['ip_address']
    assert web1['ansible_user'] == 'fly'
    # ansible_user is a variable of the group, so group_vars, host_vars and compose override it
    assert inventory.groups['flywp'].get_vars() == {'ansible_user': 'fly'}
    assert 'ansible_user' not in inventory.get_host('web-1').get_vars()
    # nothing unprefixed from the API
    assert not set(inventory.get_host('web-2').get_vars()) & set(SERVER_FIELDS)


def test_defaults_groups(tmp_path, fleet):
    inventory = run(tmp_path)

    assert hosts(inventory, 'flywp_provider_hetzner') == ['web-1']
    assert hosts(inventory, 'flywp_provider_vultr') == [twin(fleet)]
    assert hosts(inventory, 'flywp_provider_custom') == ['home']
    assert hosts(inventory, 'flywp_region_fsn1') == ['web-1']
    assert hosts(inventory, 'flywp_region_nyc3') == ['web-2']
    assert hosts(inventory, 'flywp_status_ready') == ['home', 'web-1', twin(fleet), 'web-2']
    assert 'flywp_status_provisioning' not in inventory.groups
    # a server without a region is in no region group
    assert [g.name for g in inventory.get_host('home').get_groups() if g.name.startswith('flywp_region_')] == []


def test_default_groups_off_keeps_the_flywp_group(tmp_path, fleet):
    inventory = run(tmp_path, {'default_groups': False})

    assert hosts(inventory) == ['home', 'web-1', twin(fleet), 'web-2']
    assert sorted(inventory.groups) == ['all', 'flywp', 'ungrouped']


def test_group_names_are_sanitised(tmp_path, fleet):
    inventory = run(tmp_path, {'include_all_statuses': True})

    assert hosts(inventory, 'flywp_region_eu_west_1') == ['broken']


def test_token_is_never_a_variable(tmp_path, fleet):
    inventory = run(tmp_path, {'include_sites': True, 'include_all_statuses': True})

    assert inventory.hosts
    assert not [value for value in every_value(inventory) if DEMO_TOKEN in value]


def test_servers_without_an_ip_address_have_no_ansible_host(tmp_path, sim):
    sim.seed([{'name': 'new', 'status': 'creating'}])
    inventory = run(tmp_path, {'include_all_statuses': True})

    assert hosts(inventory) == ['new']
    assert 'ansible_host' not in host_vars(inventory, 'new')


def test_empty_account(tmp_path, sim):
    inventory = run(tmp_path)

    assert hosts(inventory) == []
    assert 'flywp' in inventory.groups
    assert api_requests(sim) == ['GET /servers?page=1']


def test_unknown_fields_become_prefixed_variables(tmp_path, sim, monkeypatch):
    sim.seed([{'name': 'web-1'}])
    original = FlyWPClient.list

    def with_extra_fields(client, name, **ids):
        items = original(client, name, **ids)
        return [dict(item, **{'team': 'blue', 'backup-window': '02:00'}) for item in items]

    monkeypatch.setattr(FlyWPClient, 'list', with_extra_fields)
    inventory = run(tmp_path)

    assert host_vars(inventory, 'web-1')['flywp_team'] == 'blue'
    assert host_vars(inventory, 'web-1')['flywp_backup_window'] == '02:00'


# --- pagination ---

def test_pagination_250_servers_three_requests(tmp_path, sim):
    sim.seed([{'name': 'srv-%03d' % i, 'provider': 'hetzner'} for i in range(250)])
    inventory = run(tmp_path)

    assert len(hosts(inventory)) == 250
    assert hosts(inventory)[0] == 'srv-000' and hosts(inventory)[-1] == 'srv-249'
    log = sim.requests()
    assert [(r['method'], r['path'], r['query']) for r in log] == [
        ('GET', '/servers', {'page': str(page), 'per_page': '100'}) for page in (1, 2, 3)]


# --- the API options and where they come from ---

def test_options_in_the_file_win_over_the_environment(tmp_path, sim, fleet, monkeypatch):
    monkeypatch.setenv('FLYWP_API_URL', 'https://flywp.invalid/api/v1')
    monkeypatch.setenv('FLYWP_API_TOKEN', 'not-this-one')
    inventory = run(tmp_path, {'api_url': sim.api_url, 'api_token': DEMO_TOKEN})

    assert 'web-2' in hosts(inventory)


def test_token_from_a_lookup(tmp_path, fleet, monkeypatch):
    monkeypatch.delenv('FLYWP_API_TOKEN')
    monkeypatch.setenv('MY_FLYWP_TOKEN', DEMO_TOKEN)
    inventory = run(tmp_path, text="plugin: flywp.cloud.flywp\napi_token: \"{{ lookup('ansible.builtin.env', 'MY_FLYWP_TOKEN') }}\"\n")

    assert 'web-2' in hosts(inventory)


def test_url_from_a_template(tmp_path, sim, fleet, monkeypatch):
    monkeypatch.setenv('FLYWP_API_URL', 'https://flywp.invalid/api/v1')
    monkeypatch.setenv('SIM_PORT', str(sim.port))
    inventory = run(tmp_path, text="plugin: flywp.cloud.flywp\n"
                                   "api_url: \"http://127.0.0.1:{{ lookup('ansible.builtin.env', 'SIM_PORT') }}/api/v1\"\n")

    assert 'web-2' in hosts(inventory)


def test_token_from_extra_vars_with_use_extra_vars(tmp_path, fleet, monkeypatch):
    monkeypatch.delenv('FLYWP_API_TOKEN')
    monkeypatch.setattr(context, 'CLIARGS', ImmutableDict(extra_vars=('vault_flywp_token=%s' % DEMO_TOKEN,)))
    inventory = run(tmp_path, text='plugin: flywp.cloud.flywp\nuse_extra_vars: true\n'
                                   'api_token: "{{ vault_flywp_token }}"\n')

    assert 'web-2' in hosts(inventory)


def test_token_encrypted_with_vault(tmp_path, fleet, monkeypatch):
    monkeypatch.delenv('FLYWP_API_TOKEN')
    secrets = [('default', VaultSecret(b'correct horse battery staple'))]
    ciphertext = VaultLib(secrets).encrypt(DEMO_TOKEN).decode()
    loader = DataLoader()
    loader.set_vault_secrets(secrets)
    if hasattr(vault, 'VaultSecretsContext'):  # ansible-core 2.19 and later: what the CLI sets up
        monkeypatch.setattr(vault.VaultSecretsContext, '_current', vault.VaultSecretsContext(secrets))
    text = 'plugin: flywp.cloud.flywp\napi_token: !vault |\n' + ''.join('  %s\n' % line for line in ciphertext.splitlines())
    inventory = run(tmp_path, text=text, loader=loader)

    assert 'web-2' in hosts(inventory)


def test_a_failing_template_names_the_option_not_the_value(tmp_path, fleet):
    with pytest.raises(AnsibleError, match='Could not render the api_token option') as raised:
        run(tmp_path, text="plugin: flywp.cloud.flywp\napi_token: \"{{ lookup('ansible.builtin.file', '/nonexistent/flywp-token') }}\"\n")
    assert DEMO_TOKEN not in str(raised.value)


def test_timeouts_and_certificates_reach_the_client(tmp_path, fleet, monkeypatch):
    monkeypatch.setenv('FLYWP_API_TIMEOUT', '7')
    monkeypatch.setenv('FLYWP_RATE_LIMIT_TIMEOUT', '11')
    plugin = run_plugin(tmp_path, {'validate_certs': False})[1]

    assert plugin._client.timeout == 7
    assert plugin._client.budget.timeout == 11
    assert plugin._client.session.verify is False

    plugin = run_plugin(tmp_path, {'api_timeout': 3, 'rate_limit_timeout': 0})[1]
    assert (plugin._client.timeout, plugin._client.budget.timeout, plugin._client.session.verify) == (3, 0, True)


# --- data from the API is never run as a template, and plain data stays plain ---

def is_protected(value):
    """Whether Ansible would never render this string as a template."""
    try:
        from ansible.template import is_trusted_as_template  # ansible-core 2.19 and later
    except ImportError:
        return bool(getattr(value, '__UNSAFE__', False))  # ansible-core 2.18: wrapped unsafe
    return not is_trusted_as_template(value)


def rendered(inventory, name, template, from_playbook=True):
    """What a play renders from a template over a host's variables (one from a playbook, trusted from 2.19 on)."""
    if from_playbook and trust_as_template:
        template = trust_as_template(template)
    return Templar(loader=DataLoader(), variables=host_vars(inventory, name)).template(template)


def injections(marker):
    """Server names that run `touch MARKER` when Ansible renders them as templates."""
    command = "lookup('ansible.builtin.pipe', 'touch %s')" % marker
    return [
        '{{ %s }}' % command,
        'x{%% set _ = %s %%}y' % command,
        "#jinja2:variable_start_string:'[%%', variable_end_string:'%%]'\n[%% %s %%]" % command,
    ]


def test_api_data_is_never_run_as_a_template(tmp_path, sim):
    marker = tmp_path / 'ran'
    names = injections(marker)
    servers = sim.seed([{'name': name, 'provider': 'custom', 'sites': [{'domain': 'a.example.com', 'title': names[0]}]}
                        for name in names] + [{'name': 'web-1', 'provider': 'hetzner', 'region': 'fsn1'}])
    inventory = run(tmp_path, {'include_sites': True, 'hostname': '{{ flywp_name }}',
                               'compose': {'label': "flywp_name ~ '@' ~ (flywp_region or 'none')"}})

    # host names that could be templates are replaced, since 2.18 renders inventory_hostname
    assert hosts(inventory) == sorted(['flywp-%s' % server['id'] for server in servers[:3]] + ['web-1'])
    for server, name in zip(servers, names):
        host = 'flywp-%s' % server['id']
        variables = host_vars(inventory, host)
        assert variables['flywp_name'] == name and is_protected(variables['flywp_name'])
        assert variables['flywp_sites'][0]['title'] == names[0] and is_protected(variables['flywp_sites'][0]['title'])
        assert is_protected(variables['label'])  # what compose makes of it too
        # what a play does with them: use the variables, or render the values themselves
        assert rendered(inventory, host, '{{ flywp_name }}') == name
        assert rendered(inventory, host, '{{ flywp_sites[0].title }}') == names[0]
        assert rendered(inventory, host, '{{ label }}') == name + '@none'
        assert rendered(inventory, host, variables['flywp_name'], from_playbook=False) == name
    assert not marker.exists()


def test_plain_strings_are_plain_variables(tmp_path, sim, fleet):
    inventory = run(tmp_path, {'include_sites': True, 'compose': {'ansible_host': "flywp_name ~ '.example.net'"}})

    web1 = host_vars(inventory, 'web-1')
    strings = [web1['ansible_host'], web1['ansible_user'], web1['flywp_name'], web1['flywp_status']] + web1['flywp_php_versions']
    assert [value for value in strings if is_protected(value)] == []
    assert web1['ansible_host'] == 'web-1.example.net'
    assert rendered(inventory, 'web-1', '{{ flywp_name }}/{{ ansible_host }}') == 'web-1/web-1.example.net'


def test_a_hostname_template_that_gives_a_template_is_replaced(tmp_path, sim, warnings):
    servers = sim.seed([{'name': 'web', 'size': '{{ 7 * 6 }}'}, {'name': 'db', 'size': 'cx22'}])
    inventory = run(tmp_path, {'hostname': '{{ flywp_name }}-{{ flywp_size }}'})

    assert hosts(inventory) == ['db-cx22', 'web-%s' % servers[0]['id']]
    assert warnings == ["hostname '{{ flywp_name }}-{{ flywp_size }}' gives 1 FlyWP server(s) a name that Ansible could run "
                        "as a template (it holds { or }); they are named <name>-<id>, or flywp-<id> when the server name "
                        "holds them too: web-%s" % servers[0]['id']]


# --- options and values the plugin does not know ---

def test_an_unknown_option_fails_naming_the_known_ones(tmp_path, sim, fleet):
    with pytest.raises(AnsibleError) as raised:
        run(tmp_path, {'include_site': True, 'regions': ['fsn1']})

    message = str(raised.value)
    assert 'the flywp.cloud.flywp inventory plugin has no option include_site (did you mean include_sites?), ' \
           'regions (did you mean region?).' in message
    assert 'Its options are: api_timeout, api_token, api_url, ' in message
    assert api_requests(sim) == []


@pytest.mark.parametrize('options, warning', [
    ({'status': ['redy']}, "status 'redy' is not a FlyWP server status (creating, provisioning, ready, failed): "
                           "no server will match it. Did you mean ready?"),
    ({'status': ['ready', 'gone']}, "status 'gone' is not a FlyWP server status (creating, provisioning, ready, failed): "
                                    "no server will match it."),
    ({'provider': ['hetzer']}, "provider 'hetzer' is not a FlyWP server provider (digitalocean, vultr, hetzner, aws, "
                               "akamai, custom): no server will match it. Did you mean hetzner?"),
])
def test_an_unknown_status_or_provider_warns(tmp_path, fleet, warnings, options, warning):
    run(tmp_path, options)

    assert [text for text in warnings if 'is not a FlyWP server' in text] == [warning]


def test_known_values_in_any_case_do_not_warn(tmp_path, fleet, warnings):
    inventory = run(tmp_path, {'status': ['READY', 'Provisioning'], 'provider': ['Hetzner', 'custom']})

    assert hosts(inventory) == ['db-1', 'home', 'web-1']
    assert warnings == []


def test_status_is_not_checked_when_it_is_not_used(tmp_path, fleet, warnings):
    inventory = run(tmp_path, {'status': ['redy'], 'include_all_statuses': True})

    assert len(hosts(inventory)) == len(FLEET)
    assert [text for text in warnings if 'status' in text] == []


# --- the documented examples ---

def example(title):
    """The inventory file of the plugin's EXAMPLES whose first comment names TITLE."""
    documents = [text for text in EXAMPLES.split('\n---\n') if text.lstrip().startswith('# %s:' % title)]
    assert len(documents) == 1
    return documents[0]


def test_example_grouped_with_strict_keeps_a_server_without_a_region(tmp_path, sim, fleet):
    inventory = run(tmp_path, text=example('grouped.flywp.yml'))

    home, web1 = fleet[5]['ip_address'], fleet[0]['ip_address']
    assert fleet[5]['region'] is None
    assert hosts(inventory) == sorted(fleet[i]['ip_address'] for i in (0, 2, 5))  # web-2 runs ubuntu-22.04
    assert hosts(inventory, 'region_unknown') == [home]
    assert hosts(inventory, 'region_fsn1') == [web1]
    assert hosts(inventory, 'cloud_custom') == [home]
    assert hosts(inventory, 'tier_staging') == hosts(inventory)
    assert host_vars(inventory, home)['ansible_user'] == 'deploy'


# --- host variables and host names ---

def test_hostvars_prefix(tmp_path, fleet):
    inventory = run(tmp_path, {'hostvars_prefix': 'fw_', 'include_sites': True})

    web2 = inventory.get_host('web-2').get_vars()
    assert web2['fw_name'] == 'web-2' and web2['fw_provider'] == 'digitalocean' and web2['fw_sites'] == []
    assert not [name for name in web2 if name.startswith('flywp_')]


@pytest.mark.parametrize('prefix', ['', '1x_', 'fly-wp_', 'a b'])
def test_hostvars_prefix_must_make_variable_names(tmp_path, sim, prefix):
    with pytest.raises(AnsibleError, match='hostvars_prefix'):
        run(tmp_path, {'hostvars_prefix': prefix})
    assert api_requests(sim) == []


def test_duplicate_names_oldest_keeps_it(tmp_path, fleet, warnings):
    inventory = run(tmp_path)

    assert host_vars(inventory, 'web-1')['flywp_id'] == fleet[0]['id']
    assert host_vars(inventory, twin(fleet))['flywp_id'] == fleet[2]['id']
    assert warnings == ['Several FlyWP servers would have the same host name; the oldest keeps it and the others '
                        'are named <name>-<id>: web-1 -> ' + twin(fleet)]


def test_duplicate_names_whatever_the_api_order(tmp_path, fleet, monkeypatch):
    original = FlyWPClient.list
    monkeypatch.setattr(FlyWPClient, 'list', lambda client, name, **ids: list(reversed(original(client, name, **ids))))
    inventory = run(tmp_path)

    assert host_vars(inventory, 'web-1')['flywp_id'] == fleet[0]['id']


def test_duplicate_names_get_name_and_id(tmp_path, sim):
    servers = sim.seed([{'name': 'web'}, {'name': 'web-2'}, {'name': 'web'}])
    inventory = run(tmp_path)

    names = ['web', 'web-2', 'web-%s' % servers[2]['id']]
    assert hosts(inventory) == names
    assert [host_vars(inventory, n)['flywp_id'] for n in names] == [s['id'] for s in servers]


def test_a_server_keeps_its_own_name_before_a_fallback_takes_it(tmp_path, sim, warnings):
    servers = sim.seed([{'name': 'a'}, {'name': 'a'}])
    fallback = 'a-%s' % servers[1]['id']
    servers += sim.seed([{'name': fallback}])
    inventory = run(tmp_path)

    # the second "a" would be a-<its id>, the name of the third server: it gets a-<its id>-2
    names = ['a', fallback, fallback + '-2']
    assert hosts(inventory) == names
    assert [host_vars(inventory, n)['flywp_id'] for n in names] == [servers[i]['id'] for i in (0, 2, 1)]
    assert warnings[0].endswith('a -> ' + names[2])


def test_hostname_from_a_field(tmp_path, fleet):
    inventory = run(tmp_path, {'hostname': 'ip_address'})

    assert hosts(inventory) == sorted(fleet[i]['ip_address'] for i in (0, 1, 2, 5))


def test_hostname_from_a_template(tmp_path, fleet):
    inventory = run(tmp_path, {'hostname': '{{ flywp_name }}.{{ flywp_provider }}'})

    assert hosts(inventory) == ['home.custom', 'web-1.hetzner', 'web-1.vultr', 'web-2.digitalocean']


def test_hostname_empty_falls_back_to_name_and_id(tmp_path, fleet, warnings):
    inventory = run(tmp_path, {'hostname': 'region'})

    assert hosts(inventory) == ['ams', 'fsn1', 'home-%s' % fleet[5]['id'], 'nyc3']
    assert warnings == ["hostname 'region' gives no name for 1 FlyWP server(s); they are named <name>-<id>: home-%s" % fleet[5]['id']]


def test_hostname_template_error(tmp_path, fleet, warnings):
    spec = {'hostname': '{{ flywp_nothing.here }}'}
    with pytest.raises(AnsibleError, match='Could not render hostname'):
        run(tmp_path, dict(spec, strict=True))

    inventory = run(tmp_path, dict(spec, strict=False))
    assert hosts(inventory) == sorted('%s-%s' % (fleet[i]['name'], fleet[i]['id']) for i in (0, 1, 2, 5))
    assert len(warnings) == 1


# --- filters ---

def test_only_ready_by_default_and_status_list(tmp_path, fleet):
    inventory = run(tmp_path, {'status': ['provisioning', 'FAILED']})

    assert hosts(inventory) == ['broken', 'db-1']
    assert hosts(inventory, 'flywp_status_failed') == ['broken']


def test_include_all_statuses(tmp_path, fleet):
    inventory = run(tmp_path, {'include_all_statuses': True, 'status': ['failed']})

    assert hosts(inventory) == ['broken', 'db-1', 'home', 'web-1', twin(fleet), 'web-2']


def test_provider_and_region(tmp_path, fleet):
    inventory = run(tmp_path, {'provider': ['Hetzner', 'vultr']})
    assert hosts(inventory) == ['web-1', twin(fleet)]

    inventory = run(tmp_path, {'provider': ['hetzner', 'vultr'], 'region': ['AMS', 'nbg1'],
                               'include_all_statuses': True})
    assert hosts(inventory) == ['db-1', 'web-1']  # db-1 is hetzner/nbg1, web-1 (the second) is vultr/ams
    assert host_vars(inventory, 'web-1')['flywp_id'] == fleet[2]['id']


def test_jinja_filters_all_must_be_true(tmp_path, fleet):
    inventory = run(tmp_path, {'filters': ["flywp_os == 'ubuntu-24.04'"]})
    assert hosts(inventory) == ['home', 'web-1', twin(fleet)]

    inventory = run(tmp_path, {'filters': ["flywp_os == 'ubuntu-24.04'", "flywp_name is match('web')",
                                           "ansible_host is defined"]})
    assert hosts(inventory) == ['web-1', twin(fleet)]


def test_a_filter_that_fails(tmp_path, fleet):
    spec = {'filters': ['flywp_nothing.here == 1']}
    with pytest.raises(AnsibleError, match='Could not evaluate the filter'):
        run(tmp_path, dict(spec, strict=True))

    inventory = run(tmp_path, dict(spec, strict=False))
    assert hosts(inventory) == []


# --- compose, groups, keyed_groups ---

def test_compose_then_groups_and_keyed_groups(tmp_path, fleet):
    inventory = run(tmp_path, {
        'compose': {'tier': "'production' if flywp_provider == 'hetzner' else 'staging'"},
        'groups': {'production': "tier == 'production'", 'php83': "'8.3' in flywp_php_versions"},
        'keyed_groups': [{'key': 'tier', 'prefix': 'tier'},
                         {'key': 'flywp_size', 'prefix': 'size', 'separator': '-', 'parent_group': 'sizes'}],
    })

    assert hosts(inventory, 'production') == ['web-1']
    assert hosts(inventory, 'tier_production') == ['web-1']
    assert hosts(inventory, 'tier_staging') == ['home', twin(fleet), 'web-2']
    assert hosts(inventory, 'php83') == ['home', 'web-1', twin(fleet), 'web-2']
    assert hosts(inventory, 'size_cx22') == ['web-1']  # '-' is not allowed in a group name
    assert 'size_cx22' in [g.name for g in inventory.groups['sizes'].child_groups]


def test_compose_overrides_ansible_host_and_user(tmp_path, fleet):
    inventory = run(tmp_path, {'compose': {'ansible_host': 'flywp_name + ".example.net"', 'ansible_user': "'deploy'",
                                           'ansible_connection': "'local'"}})

    web2 = host_vars(inventory, 'web-2')
    assert (web2['ansible_host'], web2['ansible_user'], web2['ansible_connection']) == ('web-2.example.net', 'deploy', 'local')


def test_bad_compose_is_skipped_unless_strict(tmp_path, fleet):
    spec = {'compose': {'broken': 'flywp_nothing.here', 'fine': 'flywp_id * 10'}}
    inventory = run(tmp_path, dict(spec, strict=False))
    web2 = host_vars(inventory, 'web-2')
    assert 'broken' not in web2 and int(web2['fine']) == fleet[1]['id'] * 10  # a string before ansible-core 2.19

    with pytest.raises(AnsibleError, match='Could not set broken'):
        run(tmp_path, dict(spec, strict=True))


def test_leading_separator(tmp_path, fleet):
    inventory = run(tmp_path, {'keyed_groups': [{'key': 'flywp_provider'}], 'leading_separator': False})
    assert hosts(inventory, 'vultr') == [twin(fleet)]

    inventory = run(tmp_path, {'keyed_groups': [{'key': 'flywp_provider'}]})
    assert hosts(inventory, '_vultr') == [twin(fleet)]


# --- sites ---

def test_include_sites_one_request_per_selected_server(tmp_path, sim):
    servers = sim.seed([
        {'name': 'web-1', 'sites': [{'domain': 'example.com'}, {'domain': 'shop.example.com', 'php_version': '8.2'}]},
        {'name': 'web-2'},
        {'name': 'old', 'status': 'failed', 'sites': [{'domain': 'old.example.com'}]},
    ])
    inventory = run(tmp_path, {'include_sites': True, 'groups': {'wordpress': 'flywp_sites | length > 0'},
                               'filters': ["flywp_sites | map(attribute='domain') | select('match', 'shop') | list | length > 0"
                                           " or flywp_name == 'web-2'"]})

    assert sorted(api_requests(sim)) == sorted(['GET /servers?page=1'] + ['GET /servers/%s/sites?page=1' % servers[i]['id']
                                                                          for i in (0, 1)])
    assert [site['domain'] for site in host_vars(inventory, 'web-1')['flywp_sites']] == ['example.com', 'shop.example.com']
    assert host_vars(inventory, 'web-1')['flywp_sites'][1]['php_version'] == '8.2'
    assert host_vars(inventory, 'web-2')['flywp_sites'] == []
    assert hosts(inventory, 'wordpress') == ['web-1']


def test_sites_off_by_default(tmp_path, sim, fleet):
    inventory = run(tmp_path)

    assert 'flywp_sites' not in host_vars(inventory, 'web-1')
    assert api_requests(sim) == ['GET /servers?page=1']


def test_a_server_deleted_while_reading_keeps_its_host_without_sites(tmp_path, sim, warnings, monkeypatch):
    """The listing showed it: a 404 for its sites never drops it (the 404 may not mean it is gone)."""
    servers = sim.seed([{'name': 'web-1', 'sites': [{'domain': 'a.example.com'}]}, {'name': 'web-2'}])
    original = FlyWPClient.list

    def delete_first(client, name, **ids):
        if name == SITE.endpoints.list and str(ids['server_id']) == str(servers[0]['id']):
            client.call(SERVER.endpoints.delete, server_id=ids['server_id'])
        return original(client, name, **ids)

    monkeypatch.setattr(FlyWPClient, 'list', delete_first)
    inventory = run(tmp_path, {'include_sites': True})

    assert hosts(inventory) == ['web-1', 'web-2']
    assert inventory.get_host('web-1').vars['flywp_sites'] == []
    assert len(warnings) == 1 and 'The sites of 1 FlyWP server(s) could not be read' in warnings[0]
    assert 'web-1 (id %s)' % servers[0]['id'] in warnings[0] and 'there is no FlyWP server with id' in warnings[0]


def test_a_missing_route_for_sites_keeps_every_host_and_says_the_api_differs(tmp_path, sim, warnings, monkeypatch):
    servers = sim.seed([{'name': 'web-%d' % number} for number in range(1, 5)])
    with FaultProxy(sim.api_url) as proxy:
        for server in servers:
            proxy.add('replace', path='/servers/%d/sites' % server['id'], status=404,
                      body=b'{"message": "The route api/v1/servers/%d/sites could not be found."}' % server['id'])
        monkeypatch.setenv('FLYWP_API_URL', proxy.url)
        inventory = run(tmp_path, {'include_sites': True})
    assert hosts(inventory) == ['web-1', 'web-2', 'web-3', 'web-4']
    assert len(warnings) == 1 and 'The sites of 4 FlyWP server(s) could not be read' in warnings[0]
    assert 'the API has no such route' in warnings[0] and 'docs/api-contract.md' in warnings[0]


# --- the cache ---

def cached(tmp_path, **options):
    config = {'cache': True, 'cache_plugin': 'ansible.builtin.jsonfile', 'cache_connection': str(tmp_path / 'cache')}
    config.update(options)
    return config


def test_cache_second_run_sends_nothing(tmp_path, sim):
    sim.seed([{'name': 'srv-%03d' % i} for i in range(250)])
    inventory = run(tmp_path, cached(tmp_path))
    assert len(api_requests(sim)) == 3

    inventory = run(tmp_path, cached(tmp_path))
    assert api_requests(sim) == []
    assert len(hosts(inventory)) == 250
    assert host_vars(inventory, 'srv-007')['flywp_name'] == 'srv-007'


def test_cache_never_holds_the_token(tmp_path, fleet):
    run(tmp_path, cached(tmp_path, include_sites=True, api_token=DEMO_TOKEN))

    files = [os.path.join(root, name) for root, dummy, names in os.walk(str(tmp_path / 'cache')) for name in names]
    assert files
    for path in files:
        with open(path, 'rb') as handle:
            assert DEMO_TOKEN.encode() not in handle.read()


def test_cache_prefix_names_the_files(tmp_path, fleet):
    run(tmp_path, cached(tmp_path, cache_prefix='fleet_'))

    assert [name.startswith('fleet_') for name in os.listdir(str(tmp_path / 'cache'))] == [True]


def test_flush_cache_fetches_again(tmp_path, sim, fleet):
    run(tmp_path, cached(tmp_path))
    sim.seed([{'name': 'web-9'}])
    api_requests(sim)

    inventory = run(tmp_path, cached(tmp_path), cache=False)  # ansible-inventory --flush-cache
    assert api_requests(sim) == ['GET /servers?page=1']
    assert 'web-9' in hosts(inventory)

    inventory = run(tmp_path, cached(tmp_path))  # the flushed run wrote the cache again
    assert api_requests(sim) == []
    assert 'web-9' in hosts(inventory)


def test_expired_cache_fetches_again(tmp_path, sim, fleet):
    run(tmp_path, cached(tmp_path, cache_timeout=1))
    api_requests(sim)
    # 1.5 s pass for the cache: its files are that much older (the jsonfile cache compares
    # their modification time with the clock), without sleeping.
    for root, dummy, names in os.walk(str(tmp_path / 'cache')):
        for name in names:
            path = os.path.join(root, name)
            modified = os.stat(path).st_mtime - 1.5
            os.utime(path, (modified, modified))

    run(tmp_path, cached(tmp_path, cache_timeout=1))
    assert api_requests(sim) == ['GET /servers?page=1']


def test_cache_of_another_api_url_is_not_used(tmp_path, sim, fleet):
    run(tmp_path, cached(tmp_path))
    api_requests(sim)

    run(tmp_path, cached(tmp_path, api_url=sim.api_url.replace('127.0.0.1', 'localhost')))
    assert api_requests(sim) == ['GET /servers?page=1']


def test_cache_reapplies_options_without_requests(tmp_path, sim, fleet):
    run(tmp_path, cached(tmp_path))
    api_requests(sim)

    inventory = run(tmp_path, cached(tmp_path, provider=['vultr'], hostname='ip_address', hostvars_prefix='x_'))
    assert api_requests(sim) == []
    assert hosts(inventory) == [fleet[2]['ip_address']]
    assert host_vars(inventory, fleet[2]['ip_address'])['x_provider'] == 'vultr'


def test_cache_with_sites_fetches_only_missing_sites(tmp_path, sim, fleet):
    run(tmp_path, cached(tmp_path, include_sites=True))
    assert len(api_requests(sim)) == 1 + 4

    run(tmp_path, cached(tmp_path, include_sites=True))
    assert api_requests(sim) == []

    inventory = run(tmp_path, cached(tmp_path, include_sites=True, status=['ready', 'provisioning']))
    assert api_requests(sim) == ['GET /servers/%s/sites?page=1' % fleet[3]['id']]
    assert host_vars(inventory, 'db-1')['flywp_sites'] == []

    run(tmp_path, cached(tmp_path, include_sites=True, status=['ready', 'provisioning']))
    assert api_requests(sim) == []


def test_the_cache_is_kept_per_token(tmp_path, sim, fleet, monkeypatch):
    """Another account's token on the same URL never reads the hosts cached for this one."""
    mine = hosts(run(tmp_path, cached(tmp_path)))
    api_requests(sim)
    sim.add_token('another-token', account='another-account')
    sim.seed([{'name': 'other-1'}, {'name': 'other-2'}], account='another-account')
    monkeypatch.setenv('FLYWP_API_TOKEN', 'another-token')
    assert hosts(run(tmp_path, cached(tmp_path))) == ['other-1', 'other-2']
    assert api_requests(sim) == ['GET /servers?page=1']
    monkeypatch.setenv('FLYWP_API_TOKEN', DEMO_TOKEN)
    assert hosts(run(tmp_path, cached(tmp_path))) == mine and len(mine) > 2
    assert api_requests(sim) == []
    for name in os.listdir(str(tmp_path / 'cache')):
        content = (tmp_path / 'cache' / name).read_text()
        assert DEMO_TOKEN not in content and 'another-token' not in content and DEMO_TOKEN not in name


def test_cache_off_by_default(tmp_path, sim, fleet):
    run(tmp_path)
    run(tmp_path)
    assert api_requests(sim) == ['GET /servers?page=1'] * 2


# --- errors: AnsibleParserError with the client's sentence, never a traceback or the token ---

def assert_fails(tmp_path, config, *fragments):
    with pytest.raises(AnsibleError) as raised:
        run(tmp_path, config)
    message = str(raised.value)
    for fragment in fragments:
        assert fragment in message
    assert DEMO_TOKEN not in message and 'Traceback' not in message
    return message


def test_bad_token(tmp_path, fleet, monkeypatch):
    monkeypatch.setenv('FLYWP_API_TOKEN', 'wrong-token')
    message = assert_fails(tmp_path, {}, 'The FlyWP API answered 401 to GET /servers', 'the API token was not accepted')
    assert 'wrong-token' not in message


def test_token_without_read_permission(tmp_path, sim, fleet, monkeypatch):
    sim.add_token('write-only-token', ['create'])
    monkeypatch.setenv('FLYWP_API_TOKEN', 'write-only-token')
    assert_fails(tmp_path, {}, 'answered 403 to GET /servers', 'lacks the Read permission')


def test_no_token(tmp_path, sim, monkeypatch):
    monkeypatch.delenv('FLYWP_API_TOKEN')
    assert_fails(tmp_path, {}, 'No FlyWP API token', 'FLYWP_API_TOKEN')
    assert api_requests(sim) == []


def test_bad_url_path(tmp_path, sim):
    assert_fails(tmp_path, {'api_url': sim.api_url.replace('/api/v1', '/api/v9')}, 'answered 404 to GET /servers')


@pytest.mark.parametrize('url, fragment', [
    ('app.flywp.com/api/v1', 'is not an http(s) URL'),
    ('http://app.flywp.com/api/v1', 'Refusing to send the FlyWP API token over plain http://'),
])
def test_url_that_is_refused_before_any_request(tmp_path, sim, url, fragment):
    assert_fails(tmp_path, {'api_url': url}, fragment)
    assert api_requests(sim) == []


def test_unreachable_api(tmp_path, monkeypatch):
    monkeypatch.setattr(FlyWPClient, '_back_off', lambda self, attempt: None)
    assert_fails(tmp_path, {'api_url': 'http://127.0.0.1:9/api/v1'}, 'Could not reach the FlyWP API for GET /servers')


def test_rate_limit_past_rate_limit_timeout(tmp_path, sim):
    sim.seed([{'name': 'web-1'}, {'name': 'web-2'}])
    sim.configure(rate_limit=1)
    assert_fails(tmp_path, {'include_sites': True, 'rate_limit_timeout': 0}, 'rate limit', 'rate_limit_timeout')


def test_proxy_errors_are_retried(tmp_path, sim, fleet, monkeypatch):
    monkeypatch.setattr(FlyWPClient, '_back_off', lambda self, attempt: None)
    sim.queue_fault(count=2, status=503)
    inventory = run(tmp_path)

    assert 'web-2' in hosts(inventory)
    assert [r['status'] for r in sim.requests()] == [503, 503, 200]


def test_server_error_gives_the_reason(tmp_path, sim, monkeypatch):
    monkeypatch.setattr(FlyWPClient, '_back_off', lambda self, attempt: None)
    sim.queue_fault(count=10, status=502)
    assert_fails(tmp_path, {}, 'answered 502 to GET /servers', 'Try again later')


def test_site_error_other_than_404_fails(tmp_path, sim, monkeypatch):
    servers = sim.seed([{'name': 'web-1'}])
    monkeypatch.setattr(FlyWPClient, '_back_off', lambda self, attempt: None)
    original = FlyWPClient.list

    def fail_sites(client, name, **ids):
        if name == SITE.endpoints.list:
            sim.queue_fault(count=10, status=500)
        return original(client, name, **ids)

    monkeypatch.setattr(FlyWPClient, 'list', fail_sites)
    assert_fails(tmp_path, {'include_sites': True}, 'answered 500 to GET /servers/%s/sites' % servers[0]['id'])


def test_include_sites_past_the_budget_fails_at_once_with_the_figure(tmp_path, sim):
    sim.seed([{'name': 'web-%d' % number} for number in range(200)])
    message = assert_fails(tmp_path, {'include_sites': True, 'rate_limit_timeout': 60},
                           'include_sites needs 200 more requests', '60 requests a minute per token',
                           'about 3 minutes', 'raise rate_limit_timeout to 276')
    assert 'cache' in message
    assert api_requests(sim) == ['GET /servers?page=1', 'GET /servers?page=2']  # no site was read


def test_include_sites_within_the_budget_reads_them_all(tmp_path, sim):
    sim.seed([{'name': 'web-%d' % number, 'sites': [{'domain': 'site%d.example.com' % number}]} for number in range(30)])
    inventory = run(tmp_path, {'include_sites': True, 'rate_limit_timeout': 60})
    assert len(hosts(inventory)) == 30
    assert len(api_requests(sim)) == 31
