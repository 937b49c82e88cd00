"""Sphinx configuration of the flywp.cloud documentation site, built by tools/docs_site.sh.

What `antsibull-docs sphinx-init --use-current --squash-hierarchy flywp.cloud` writes, with
one change so that the build needs no network: the labels of ansible-core's documentation
that the generated pages refer to come from a small local inventory (written here, into
the directory tools/docs_site.sh names in FLYWP_DOCS_BUILD), not from docs.ansible.com's.
The links still go to docs.ansible.com. When a new page refers to another such label,
the build fails with "undefined label" or "reference target not found": add it below.
"""

import os
import zlib

ANSIBLE_DOCS = 'https://docs.ansible.com/projects/ansible/devel/'
# (name, domain:role, page and anchor under ANSIBLE_DOCS, title)
ANSIBLE_TARGETS = [
    ('common_return_values', 'std:label', 'reference_appendices/common_return_values.html#common-return-values',
     'Return Values'),
    ('ansible_configuration_settings', 'std:label', 'reference_appendices/config.html#ansible-configuration-settings',
     'Ansible Configuration Settings'),
    ('action_plugins', 'std:label', 'plugins/action.html#action-plugins', 'Action Plugins'),
] + [
    (name, 'std:envvar', 'reference_appendices/config.html#envvar-' + name, '-')
    for name in ('ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED', 'ANSIBLE_CACHE_PLUGIN',
                 'ANSIBLE_CACHE_PLUGIN_CONNECTION', 'ANSIBLE_CACHE_PLUGIN_PREFIX', 'ANSIBLE_CACHE_PLUGIN_TIMEOUT')
]


def write_ansible_inventory(path):
    """An intersphinx inventory (version 2) of ANSIBLE_TARGETS."""
    lines = ''.join('%s %s -1 %s %s\n' % target for target in ANSIBLE_TARGETS)
    with open(path, 'wb') as handle:
        handle.write(b'# Sphinx inventory version 2\n# Project: Ansible\n# Version: devel\n'
                     b'# The remainder of this file is compressed using zlib.\n')
        handle.write(zlib.compress(lines.encode('utf-8')))
    return path


project = 'flywp.cloud'
copyright = 'flywp.cloud contributors'  # noqa: A001 (Sphinx's name)
title = 'flywp.cloud'
html_short_title = 'flywp.cloud'

extensions = ['sphinx.ext.autodoc', 'sphinx.ext.intersphinx', 'sphinx_antsibull_ext']

pygments_style = 'ansible'
highlight_language = 'YAML+Jinja'

html_theme = 'sphinx_ansible_theme'
html_show_sphinx = False
display_version = False
html_use_smartypants = True
html_use_modindex = False
html_use_index = False
html_copy_source = False
html_theme_options = {
    # the theme's default top bar links to Ansible's blog and forum
    'topbar_links': {
        'FlyWP': 'https://flywp.com',
        'Source': 'https://github.com/flywp/ansible-collection-flywp-cloud',
        'Ansible documentation': 'https://docs.ansible.com/',
    },
}

intersphinx_mapping = {
    'ansible_devel': (ANSIBLE_DOCS, write_ansible_inventory(
        os.path.join(os.environ['FLYWP_DOCS_BUILD'], 'ansible-devel.inv'))),
}

default_role = 'any'
nitpicky = True
