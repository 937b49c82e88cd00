# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The site's additions to antsibull-docs: the sidebar check, the role pages, the event source page."""

from __future__ import annotations

import os

import pytest

from ansible_collections.flywp.cloud.tests.unit.tools.tool_loader import ROOT, load_tool

check_sidebar = load_tool('tools/docsite/check_sidebar.py')
role_pages = load_tool('tools/docsite/role_pages.py')


def test_the_sidebar_check_finds_a_thing_named_twice_and_a_missing_event_source():
    entries = ['Authentication', 'flywp.cloud.backup', 'flywp.cloud.backup module \u2013 Back up a FlyWP site',
               'flywp.cloud.backup role \u2013 Back up FlyWP sites across servers', 'Authentication']
    assert check_sidebar.problems(entries, ['flywp.cloud.changes']) == [
        "two sidebar entries for the guide Authentication: 'Authentication' and 'Authentication'",
        "the guide 'flywp.cloud.backup' has the name of a module and a role of the collection: one thing, two entries",
        'no sidebar entry for the event source flywp.cloud.changes',
    ]


def test_the_sidebar_check_accepts_one_entry_per_thing():
    entries = ['Authentication', 'flywp.cloud.backup module \u2013 Back up a FlyWP site',
               'flywp.cloud.backup role \u2013 Back up FlyWP sites across servers',
               'flywp.cloud.changes event source \u2013 Changes in a FlyWP account as events']
    assert check_sidebar.problems(entries, ['flywp.cloud.changes']) == []


GUIDE = '''.. Made from roles/fleet/README.md by tools/docs_site.sh (make docs): edit that file, not this one.

:orphan:

.. _ansible_collections.flywp.cloud.docsite.role_fleet:

flywp.cloud.fleet
=================

Converge a whole fleet.

.. _ansible_collections.flywp.cloud.docsite.role_fleet.variables:

Variables
---------

A table.
'''


def test_a_role_guide_keeps_its_labels_and_loses_its_title():
    labels, body = role_pages.split_guide(GUIDE, 'role_fleet.rst')
    assert labels == ['.. _ansible_collections.flywp.cloud.docsite.role_fleet:']
    assert body.startswith('Converge a whole fleet.')
    assert '.. _ansible_collections.flywp.cloud.docsite.role_fleet.variables:\n\nVariables\n---------' in body


def test_a_role_guide_with_a_heading_below_level_two_is_refused():
    with pytest.raises(SystemExit, match='a heading below ##'):
        role_pages.split_guide(GUIDE + '\nDetails\n~~~~~~~\n\nMore.\n', 'role_fleet.rst')


def test_the_event_source_page_links_its_options_on_the_page():
    # antsibull-docs' parser is one of the main venv's tools, not in the other cores' venvs
    pytest.importorskip('antsibull_docs_parser')
    event_source_pages = load_tool('tools/docsite/event_source_pages.py')
    documentation, examples = event_source_pages.docs_of(
        os.path.join(ROOT, 'extensions', 'eda', 'plugins', 'event_source', 'changes.py'))
    fqcn, _short, text = event_source_pages.page('flywp.cloud', '1.2.3', 'changes', documentation, examples)
    assert fqcn == 'flywp.cloud.changes'
    assert '.. _ansible_collections.flywp.cloud.changes_event_source:' in text
    for option in documentation['options']:
        assert '.. _ansible_collections.flywp.cloud.changes_event_source__parameter-%s:' % option in text
    assert ':ansopt:' not in text  # sphinx_antsibull_ext knows no event_source: O() is a :ref: here
    assert ':ref:`max\\_share <ansible_collections.flywp.cloud.changes_event_source__parameter-max_share>`' in text
