# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Make ``ansible_collections.flywp.cloud`` importable for the unit tests.

Plain ``pytest tests/unit`` from a checkout: the checkout is not inside an
``ansible_collections/flywp/cloud`` directory, so ``.cache/collections`` (ignored by git)
gets ``ansible_collections/flywp/cloud``, a symlink to the checkout, and goes first on
``sys.path`` and into Ansible's collection loader.

``ansible-test units``: the tree already sits in ``ansible_collections/flywp/cloud`` and
ansible-test installs the collection loader itself; nothing more is done.
"""

from __future__ import annotations

import os
import sys

import pytest

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _enclosing_collections_dir(root):
    """Return the directory holding ``ansible_collections`` if ROOT is one of its collections."""
    namespace_dir = os.path.dirname(root)
    collections_dir = os.path.dirname(namespace_dir)
    if (os.path.basename(root), os.path.basename(namespace_dir), os.path.basename(collections_dir)) == (
        'cloud', 'flywp', 'ansible_collections'
    ):
        return os.path.dirname(collections_dir)
    return None


def _symlinked_collections_dir(root):
    """Make ``ROOT/.cache/collections/ansible_collections/flywp/cloud`` point at ROOT."""
    base = os.path.join(root, '.cache', 'collections')
    namespace_dir = os.path.join(base, 'ansible_collections', 'flywp')
    link = os.path.join(namespace_dir, 'cloud')
    os.makedirs(namespace_dir, exist_ok=True)
    if os.path.realpath(link) != os.path.realpath(root):
        if os.path.islink(link):
            os.unlink(link)
        try:
            os.symlink(os.path.relpath(root, namespace_dir), link)
        except FileExistsError:  # another pytest worker made it first
            pass
    return base


def collections_dir():
    """The directory that contains ``ansible_collections/flywp/cloud`` for this checkout."""
    return _enclosing_collections_dir(REPO_ROOT) or _symlinked_collections_dir(REPO_ROOT)


COLLECTIONS_DIR = collections_dir()
if COLLECTIONS_DIR not in sys.path:
    sys.path.insert(0, COLLECTIONS_DIR)


@pytest.hookimpl(trylast=True)
def pytest_configure():
    """Install Ansible's collection loader, unless ansible-test already did."""
    from ansible.utils.collection_loader import AnsibleCollectionConfig  # pylint: disable=import-outside-toplevel

    if AnsibleCollectionConfig.collection_finder is None:
        from ansible.plugins.loader import init_plugin_loader  # pylint: disable=import-outside-toplevel

        init_plugin_loader([COLLECTIONS_DIR])


@pytest.fixture(autouse=True)
def private_state_dir(tmp_path, monkeypatch):
    """Each test its own state file (state_file.py), never the user's."""
    monkeypatch.setenv('FLYWP_STATE_DIR', str(tmp_path / 'flywp-state'))


@pytest.fixture(scope='module')
def simulator_options():
    """Keyword arguments for the module's simulator; a test module overrides this fixture
    (with 'clock': a FakeClock's time, for instance)."""
    return {}


@pytest.fixture(scope='module')
def sim(simulator_options):
    """A FlyWP API simulator on 127.0.0.1, one per test module (tests reset it as they need)."""
    from ansible_collections.flywp.cloud.simulator import Simulator  # pylint: disable=import-outside-toplevel

    with Simulator(**simulator_options) as simulator:
        yield simulator


@pytest.fixture
def check_run(monkeypatch):
    """The identity of one run, as the action plugin gives it to each module of the run."""
    monkeypatch.setenv('FLYWP_CHECK_RUN', 'one-check-run')


def requests_of(sim):
    """The simulator's request log as 'METHOD /path' lines; the log is cleared."""
    log = ['%s %s' % (entry['method'], entry['path']) for entry in sim.requests()]
    sim.clear_requests()
    return log
