# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every SEE ALSO entry of the plugins' documentation leads somewhere.

ansible-doc renders a `ref:` entry as a search of docs.ansible.com
(`#stq=ansible_collections.flywp.cloud.docsite...`), which never finds the collection's own
pages: a guide is linked with `link:`, to the file in the repository galaxy.yml names.
"""

from __future__ import annotations

import glob
import os

import pytest
import yaml
from ansible.plugins.loader import fragment_loader
from ansible.utils.plugin_docs import get_docstring

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PLUGINS = sorted(
    os.path.relpath(path, ROOT) for path in glob.glob(os.path.join(ROOT, 'plugins', '*', '*.py'))
    if os.path.basename(os.path.dirname(path)) in ('modules', 'inventory', 'filter')
    and os.path.basename(path) != '__init__.py')


def galaxy():
    with open(os.path.join(ROOT, 'galaxy.yml'), encoding='utf-8') as handle:
        return yaml.safe_load(handle)


def seealso(path):
    """The plugin's SEE ALSO, with its doc fragments merged in, as ansible-doc shows it."""
    doc = get_docstring(os.path.join(ROOT, path), fragment_loader, collection_name='flywp.cloud')[0]
    return doc.get('seealso') or []


def modules():
    return {name[:-3] for name in os.listdir(os.path.join(ROOT, 'plugins', 'modules')) if name.endswith('.py')}


def test_every_module_has_links_to_the_guides():
    # the doc fragment every module extends brings them
    for module in sorted(modules()):
        links = [entry['link'] for entry in seealso(os.path.join('plugins', 'modules', module + '.py')) if 'link' in entry]
        assert any(link.endswith('/docs/troubleshooting.md') for link in links), module


@pytest.mark.parametrize('path', PLUGINS)
def test_every_see_also_entry_leads_to_a_page_that_exists(path):
    repository = galaxy()['repository'].rstrip('/')
    for entry in seealso(path):
        assert 'ref' not in entry, '%s: a ref: entry renders as a docs.ansible.com search in ansible-doc' % path
        if 'module' in entry:
            namespace, name, module = entry['module'].split('.')
            assert (namespace, name) == ('ansible', 'builtin') or (
                (namespace, name) == ('flywp', 'cloud') and module in modules()), entry
            continue
        assert set(entry) == {'name', 'description', 'link'}, entry
        # a file of this repository, on its default branch, that the checkout has
        prefix = repository + '/blob/main/'
        assert entry['link'].startswith(prefix), entry
        assert os.path.isfile(os.path.join(ROOT, entry['link'][len(prefix):])), entry
