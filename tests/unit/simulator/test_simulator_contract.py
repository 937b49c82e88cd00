# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The simulator's own copies of the contract's choices and defaults are the contract's
(docs/api-contract.md). The simulator never imports the collection: the collection's
declarations are held to the same contract by tests/unit/test_declarations.py."""

from __future__ import annotations

import pytest

from ansible_collections.flywp.cloud.simulator import validation
from ansible_collections.flywp.cloud.simulator.routes import ROUTES
from ansible_collections.flywp.cloud.tests.unit.contract import contract_endpoints, contract_fields, endpoints_beyond_the_modules

# The contract's resource and field -> the simulator's choices of it.
CHOICES = {
    ('servers', 'provider'): validation.SERVER_PROVIDERS,
    ('servers', 'os'): validation.SERVER_OS,
    ('sites', 'web_server'): validation.WEB_SERVERS,
    ('sites', 'php_version'): validation.SITE_PHP_VERSIONS,
    ('backups', 'type'): validation.BACKUP_TYPES,
}
# The contract's resource and field -> what the simulator takes when the body leaves it out.
DEFAULTS = {
    ('cron jobs', 'user'): lambda: validation.check_cron({'command': 'wp cron event run', 'frequency': '@daily'})['user'],
    ('backups', 'type'): lambda: validation.check_backup({})['type'],
}


def test_every_choice_and_default_of_the_contract_is_checked_here():
    fields = contract_fields()
    with_choices = set((resource, name) for resource, body in fields.items() for name, (choices, _default) in body.items()
                       if choices)
    with_defaults = set((resource, name) for resource, body in fields.items() for name, (_choices, default) in body.items()
                        if default)
    assert with_choices == set(CHOICES)
    assert with_defaults == set(DEFAULTS)


@pytest.mark.parametrize('resource, name', sorted(CHOICES))
def test_the_simulators_choices_are_the_contracts(resource, name):
    assert list(CHOICES[(resource, name)]) == contract_fields()[resource][name][0]


@pytest.mark.parametrize('resource, name', sorted(DEFAULTS))
def test_the_simulators_defaults_are_the_contracts(resource, name):
    assert DEFAULTS[(resource, name)]() == contract_fields()[resource][name][1]


def _served(method, shape):
    path = shape.replace('{}', '1')
    return any(route.match(path) is not None and route.handler(method) is not None for route in ROUTES)


def test_the_simulator_serves_every_endpoint_of_the_contract():
    beyond = endpoints_beyond_the_modules()
    assert beyond  # the table the guide's examples need is read
    for method, shape in sorted(set(contract_endpoints()) | set(beyond)):
        assert _served(method, shape), (method, shape)
