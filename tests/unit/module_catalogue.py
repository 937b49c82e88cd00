# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection's modules as the tests find them, and arguments each one runs with.

A module is found where Ansible finds it (plugins/modules/), so the tests that go over every
module (metadata, bad input, return values) cover a new one the day it is added. A module
runs with its documented required options, each given the value its name has in VALUES (a
server web-1 with the site blog.example.com, as the tests seed it), else the value its first
EXAMPLES task without a template gives it; ARGUMENTS adds what a module needs beyond those
(one option of a required group, such as a server's name or id).
"""

from __future__ import annotations

import importlib
import json
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


def _module(name):
    return importlib.import_module('ansible_collections.flywp.cloud.plugins.modules.' + name)


def documentation(name):
    """A module's own DOCUMENTATION (without its doc fragments)."""
    return yaml.safe_load(_module(name).DOCUMENTATION)


def example_values(name):
    """{option: value} of the module's EXAMPLES tasks without a template, the first one's first."""
    values = {}
    for task in reversed(yaml.safe_load(_module(name).EXAMPLES) or []):
        args = task.get('flywp.cloud.' + name)
        if isinstance(args, dict) and '{{' not in json.dumps(args):
            values.update(args)
    return values


def valid_arguments(name):
    """Arguments the module runs with: its required options, and ARGUMENTS' for it."""
    required = sorted(option for option, doc in documentation(name)['options'].items() if doc.get('required'))
    known = dict(example_values(name), **VALUES)
    unknown = [option for option in required if option not in known]
    assert not unknown, 'give %s an example with %s, or VALUES of tests/unit/module_catalogue.py one' % (name, unknown)
    return dict(dict((option, known[option]) for option in required), **ARGUMENTS.get(name, {}))
