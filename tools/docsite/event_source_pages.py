"""The pages of the collection's Event-Driven Ansible event sources, among its plugins.

    python tools/docsite/event_source_pages.py COLLECTION_DIR RST_DIR

antsibull-docs writes the pages of the modules, plugins and roles (RST_DIR, its output) but
knows no event source (extensions/eda/plugins/event_source/*.py). This writes a page for
each, in the form of the plugin pages (the same labels, roles and option table, so
O(flywp.cloud.changes#event_source:interval) links to it), and lists them in the
collection's index among the plugins, under "Event Sources". The DOCUMENTATION and EXAMPLES
strings are read from the file without importing it, as Galaxy reads them; their Ansible
markup is rendered by antsibull-docs-parser, as antsibull-docs renders the plugins'.
"""

import ast
import json
import os
import sys

import yaml
from antsibull_docs_parser import dom
from antsibull_docs_parser.parser import Context, parse
from antsibull_docs_parser.rst import AntsibullRSTFormatter, rst_escape, to_rst

SOURCES = os.path.join('extensions', 'eda', 'plugins', 'event_source')
PLUGIN_TYPE = 'event_source'
# Where the list goes in the index antsibull-docs writes: after the plugins, before the roles.
INDEX_ANCHOR = '.. _role_plugins_in_{collection}:'
TYPE_NAMES = {'str': 'string', 'int': 'integer', 'bool': 'boolean', 'float': 'float', 'list': 'list',
              'dict': 'dictionary', 'raw': 'any', 'path': 'path'}


def docs_of(path):
    """(DOCUMENTATION, EXAMPLES) of a Python file, parsed, without importing it."""
    with open(path, encoding='utf-8') as handle:
        tree = ast.parse(handle.read(), path)
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id in ('DOCUMENTATION', 'EXAMPLES'):
                    found[target.id] = node.value.value
    if 'DOCUMENTATION' not in found:
        raise SystemExit('%s has no DOCUMENTATION string' % path)
    return yaml.safe_load(found['DOCUMENTATION']), found.get('EXAMPLES', '')


class EventSourceFormatter(AntsibullRSTFormatter):
    """The plugin pages' markup, but O() and RV() of an event source: sphinx_antsibull_ext's roles
    know only Ansible's plugin types, so an option is a link to its label on this page."""

    def format_option_name(self, part, url):
        if part.plugin is None or part.plugin.type != PLUGIN_TYPE or part.entrypoint is not None:
            return super().format_option_name(part, url)
        text = rst_escape(part.name + ('=' + part.value if part.value is not None else ''), escape_ending_whitespace=True)
        label = 'ansible_collections.%s_%s__parameter-%s' % (part.plugin.fqcn, PLUGIN_TYPE, part.name)
        return '\\ :ref:`%s <%s>`\\ ' % (text, label)

    def format_return_value(self, part, url):
        if part.plugin is None or part.plugin.type != PLUGIN_TYPE:
            return super().format_return_value(part, url)
        return self.format_code(dom.CodePart(text=part.name))


FORMATTER = EventSourceFormatter()


def markup(text, plugin):
    """Ansible markup (a string or a list of paragraphs) as reStructuredText paragraphs."""
    paragraphs = parse(text, Context(current_plugin=plugin), errors='exception')
    return to_rst(paragraphs, formatter=FORMATTER, current_plugin=plugin)


def indent(text, spaces):
    return '\n'.join((' ' * spaces + line) if line else '' for line in text.splitlines())


def bullets(items, plugin):
    return '\n'.join('- ' + indent(markup(item, plugin), 2).lstrip() for item in items)


def value_text(value):
    """A value as the plugin pages show it: JSON (strings quoted), escaped for a role."""
    return rst_escape(json.dumps(value), escape_ending_whitespace=True)


def option_rows(fqcn, options, plugin):
    rows = []
    for name in sorted(options):
        option = options[name]
        label = 'ansible_collections.%s_%s__parameter-%s' % (fqcn, PLUGIN_TYPE, name)
        kind = TYPE_NAMES.get(option.get('type', 'str'), option.get('type'))
        type_line = ':ansible-option-type:`%s`' % kind
        if option.get('elements'):
            type_line += ' / :ansible-option-elements:`elements=%s`' % TYPE_NAMES.get(option['elements'], option['elements'])
        if option.get('required'):
            type_line += ' / :ansible-option-required:`required`'
        description = option.get('description', [])
        cell = [markup(description if isinstance(description, list) else [description], plugin)]
        default = option.get('default')
        choices = option.get('choices') or ([False, True] if option.get('type') == 'bool' else None)
        if choices:
            defaults = default if isinstance(default, list) else [default]
            cell.append('.. rst-class:: ansible-option-line\n\n:ansible-option-choices:`Choices:`\n\n' + '\n'.join(
                '- :ansible-option-choices-entry-default:`%s` :ansible-option-choices-default-mark:`\u2190 (default)`'
                % value_text(choice) if choice in defaults else '- :ansible-option-choices-entry:`%s`' % value_text(choice)
                for choice in choices))
        if 'default' in option and (not choices or isinstance(default, list)):
            cell.append('.. rst-class:: ansible-option-line\n\n:ansible-option-default-bold:`Default:` '
                        ':ansible-option-default:`%s`' % value_text(default))
        rows.append('''  * - .. _%(label)s:

      .. rst-class:: ansible-option-title

      **%(name)s**

      .. ansible-option-type-line::

        %(type_line)s

    - %(cell)s
''' % {'label': label, 'name': rst_escape(name), 'type_line': type_line, 'cell': indent('\n\n'.join(cell), 6).lstrip()})
    return '\n'.join(rows)


def page(collection, version, name, documentation, examples):
    fqcn = '%s.%s' % (collection, name)
    plugin = dom.PluginIdentifier(fqcn=fqcn, type=PLUGIN_TYPE)
    # Hyphens need no escaping in a title: the plugin pages' titles read "NAME type -- ...".
    title = '%s event source -- %s' % (fqcn, rst_escape(documentation['short_description']).replace('\\-', '-'))
    sections = ['''.. Made from %(path)s by tools/docsite/event_source_pages.py (make docs).

.. _ansible_collections.%(fqcn)s_%(type)s:

%(title)s
%(rule)s

.. note::
    This event source is part of the flywp.cloud collection (version %(version)s), for
    Event-Driven Ansible: ansible-rulebook and the EDA controller run it, not ansible-core.
    To use it, name it in a rulebook's ``sources``: :code:`%(fqcn)s`.
    The guide: :ref:`ansible_collections.flywp.cloud.docsite.eda`.
''' % {'path': os.path.join(SOURCES, name + '.py'), 'fqcn': fqcn, 'type': PLUGIN_TYPE, 'title': title,
       'rule': '+' * len(title), 'version': version}]
    if documentation.get('version_added'):
        sections.append('.. rst-class:: ansible-version-added\n\nNew in %s %s\n' % (collection, documentation['version_added']))
    sections.append('.. contents::\n   :local:\n   :depth: 1\n')
    sections.append('Synopsis\n--------\n\n' + bullets(documentation.get('description', []), plugin) + '\n')
    if documentation.get('requirements'):
        sections.append('Requirements\n------------\n\nThe below requirements are needed where the event source '
                        'runs (the decision environment, or ansible-rulebook\'s Python).\n\n'
                        + bullets(documentation['requirements'], plugin) + '\n')
    if documentation.get('options'):
        sections.append('''Parameters
----------

.. tabularcolumns:: \\X{1}{3}\\X{2}{3}

.. list-table::
  :width: 100%%
  :widths: auto
  :header-rows: 1
  :class: longtable ansible-option-table

  * - Parameter
    - Comments

%s''' % option_rows(fqcn, documentation['options'], plugin))
    if documentation.get('notes'):
        sections.append('Notes\n-----\n\n' + bullets(documentation['notes'], plugin) + '\n')
    if examples.strip():
        sections.append('Examples\n--------\n\n.. code-block:: yaml+jinja\n\n' + indent(examples.strip('\n'), 4) + '\n')
    if documentation.get('author'):
        authors = documentation['author'] if isinstance(documentation['author'], list) else [documentation['author']]
        sections.append('Authors\n~~~~~~~\n\n' + '\n'.join('- ' + rst_escape(author) for author in authors) + '\n')
    return fqcn, documentation['short_description'], '\n'.join(sections)


def main(collection_dir, rst_dir):
    with open(os.path.join(collection_dir, 'galaxy.yml'), encoding='utf-8') as handle:
        galaxy = yaml.safe_load(handle)
    collection, version = '%s.%s' % (galaxy['namespace'], galaxy['name']), galaxy['version']
    directory = os.path.join(collection_dir, SOURCES)
    names = sorted(name[:-3] for name in os.listdir(directory) if name.endswith('.py') and not name.startswith('_')) \
        if os.path.isdir(directory) else []
    entries, toctree = [], []
    for name in names:
        documentation, examples = docs_of(os.path.join(directory, name + '.py'))
        fqcn, short, text = page(collection, version, name, documentation, examples)
        with open(os.path.join(rst_dir, '%s_%s.rst' % (name, PLUGIN_TYPE)), 'w', encoding='utf-8') as handle:
            handle.write(text)
        entries.append('* :ref:`%s event source <ansible_collections.%s_%s>` -- %s'
                       % (name, fqcn, PLUGIN_TYPE, rst_escape(short)))
        toctree.append('    %s_%s' % (name, PLUGIN_TYPE))
    if not names:
        return
    index_path = os.path.join(rst_dir, 'index.rst')
    with open(index_path, encoding='utf-8') as handle:
        index = handle.read()
    anchor = INDEX_ANCHOR.format(collection=collection)
    if anchor not in index:
        raise SystemExit('%s has no %r: antsibull-docs changed its index, so the event sources have no place in it'
                         % (index_path, anchor))
    listing = '''.. _%(type)s_plugins_in_%(collection)s:

Event Sources
~~~~~~~~~~~~~

%(entries)s

.. toctree::
    :maxdepth: 1
    :hidden:

%(toctree)s


''' % {'type': PLUGIN_TYPE, 'collection': collection, 'entries': '\n'.join(entries), 'toctree': '\n'.join(toctree)}
    with open(index_path, 'w', encoding='utf-8') as handle:
        handle.write(index.replace(anchor, listing + anchor, 1))
    print('%d event source page(s) written to %s: %s' % (len(names), rst_dir, ', '.join(names)))


if __name__ == '__main__':
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    main(*sys.argv[1:])
