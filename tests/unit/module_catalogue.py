# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection's modules as the tests find them, and arguments each one runs with.

A module is found where Ansible finds it (plugins/modules/), so the tests that go over every
module (metadata, bad input, return values) cover a new one the day it is added. A module
runs with its documented required options, each given the value its name has in VALUES
(a server web-1 with the site blog.example.com, as the tests seed it); ARGUMENTS adds what a
module needs beyond those (one option of a required group, such as a server's name or id).
"""

from __future__ import annotations

import importlib
import os

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODULES_DIR = os.path.join(ROOT, 'plugins', 'modules')
MODULES = sorted(name[:-3] for name in os.listdir(MODULES_DIR) if name.endswith('.py') and not name.startswith('_'))
KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGmv4CuxY0hNe1FAI4xqv5TSUiwFQFMr6BBS6cVTWP/t a@laptop'

# A valid value for each required option, by its name.
VALUES = {'server': 'web-1', 'site': 'blog.example.com', 'domain': 'blog.example.com', 'path': '/servers'}
# What some modules need beyond their required options.
ARGUMENTS = {
    'server': {'name': 'web-1'},
    'ssh_key': {'name': 'deploy', 'public_key': KEY},
    'cron': {'command': 'wp cron event run', 'frequency': '@daily'},
    'backup': {'server': 'web-1'},  # the site is given by domain
    'backup_info': {'server': 'web-1'},
}


def documentation(name):
    """A module's own DOCUMENTATION (without its doc fragments)."""
    module = importlib.import_module('ansible_collections.flywp.cloud.plugins.modules.' + name)
    return yaml.safe_load(module.DOCUMENTATION)


def valid_arguments(name):
    """Arguments the module runs with: its required options, and ARGUMENTS' for it."""
    required = sorted(option for option, doc in documentation(name)['options'].items() if doc.get('required'))
    unknown = [option for option in required if option not in VALUES]
    assert not unknown, 'give tests/unit/module_catalogue.py VALUES a valid value of %s (module %s)' % (unknown, name)
    return dict(dict((option, VALUES[option]) for option in required), **ARGUMENTS.get(name, {}))
