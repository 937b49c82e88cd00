# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The version the docs name is galaxy.yml's, and a release moves it (tools/version_mentions.py)."""

from __future__ import annotations

import os

from ansible_collections.flywp.cloud.tests.unit.tools.tool_loader import ROOT, load_tool

version_mentions = load_tool('tools/version_mentions.py')

REQUIREMENTS = '''collections:
  - name: flywp.cloud
    version: ">=0.1.0,<1.0.0"
  - name: other.collection
    version: ">=5.0.0,<6.0.0"
  # - name: ./flywp-cloud-0.1.0.tar.gz
'''


def project(tmp_path, requirements=REQUIREMENTS, guide='$ ansible-galaxy collection install flywp-cloud-0.1.0.tar.gz\n'):
    (tmp_path / 'docs').mkdir()
    (tmp_path / 'README.md').write_text('# flywp.cloud\n')
    (tmp_path / 'docs' / 'requirements.yml').write_text(requirements)
    (tmp_path / 'docs' / 'guide.md').write_text(guide + 'flywp.cloud 0.1.0\n')
    return str(tmp_path)


def test_the_repository_names_galaxy_yml_s_version():
    assert version_mentions.main([ROOT]) == 0


def test_a_mention_of_another_version_and_a_range_that_excludes_it_are_found(tmp_path):
    root = project(tmp_path, guide='$ ansible-builder build -t flywp-ee:0.0.9\n')
    assert version_mentions.problems(root, '1.0.0') == [
        'docs/guide.md:1: flywp-ee:0.0.9 names 0.0.9, not 1.0.0',
        'docs/guide.md:2: flywp.cloud 0.1.0 names 0.1.0, not 1.0.0',
        'docs/requirements.yml:3: the range >=0.1.0,<1.0.0 excludes 1.0.0',
        'docs/requirements.yml:6: flywp-cloud-0.1.0.tar.gz names 0.1.0, not 1.0.0',
    ]
    assert version_mentions.problems(root, '0.1.0') == ['docs/guide.md:1: flywp-ee:0.0.9 names 0.0.9, not 0.1.0']


def test_a_release_moves_the_names_and_a_range_it_leaves_to_its_major_version(tmp_path):
    root = project(tmp_path)
    assert version_mentions.move(root, '1.0.0') == ['docs/guide.md', 'docs/requirements.yml']
    with open(os.path.join(root, 'docs', 'requirements.yml'), encoding='utf-8') as handle:
        assert handle.read() == REQUIREMENTS.replace('>=0.1.0,<1.0.0', '>=1.0.0,<2.0.0').replace('-0.1.0.', '-1.0.0.')
    assert version_mentions.problems(root, '1.0.0') == []
    # a minor release keeps the range, which admits it
    assert version_mentions.move(root, '1.1.0') == ['docs/guide.md', 'docs/requirements.yml']
    with open(os.path.join(root, 'docs', 'requirements.yml'), encoding='utf-8') as handle:
        assert '">=1.0.0,<2.0.0"' in handle.read()


def test_the_client_s_user_agent_says_the_version_and_a_release_moves_it(tmp_path):
    root = project(tmp_path)
    (tmp_path / 'plugins' / 'module_utils').mkdir(parents=True)
    (tmp_path / 'plugins' / 'module_utils' / 'client.py').write_text("X = 1\nCOLLECTION_VERSION = '0.1.0'\n")
    assert 'plugins/module_utils/client.py:2: ' in '\n'.join(version_mentions.problems(root, '1.0.0'))
    assert 'plugins/module_utils/client.py' in version_mentions.move(root, '1.0.0')
    assert version_mentions.problems(root, '1.0.0') == []


def test_version_added_that_names_no_release_becomes_the_release(tmp_path):
    root = project(tmp_path)
    (tmp_path / 'plugins' / 'modules').mkdir(parents=True)
    (tmp_path / 'plugins' / 'modules' / 'server.py').write_text('DOCUMENTATION = r"""\nversion_added: 0.1.0\n"""\n')
    (tmp_path / 'plugins' / 'modules' / 'site.py').write_text('DOCUMENTATION = r"""\nversion_added: "0.2.0"\n"""\n')
    (tmp_path / 'changelogs').mkdir()
    (tmp_path / 'changelogs' / 'changelog.yaml').write_text('ancestor: null\nreleases:\n  0.2.0:\n    changes: {}\n')
    assert version_mentions.problems(root, '0.1.5') == [
        'docs/guide.md:1: flywp-cloud-0.1.0.tar.gz names 0.1.0, not 0.1.5',
        'docs/guide.md:2: flywp.cloud 0.1.0 names 0.1.0, not 0.1.5',
        'docs/requirements.yml:6: flywp-cloud-0.1.0.tar.gz names 0.1.0, not 0.1.5',
        'plugins/modules/site.py:2: version_added 0.2.0 is above 0.1.5',
    ]
    version_mentions.move(root, '1.0.0')
    # 0.1.0 was never released: the server module is new in 1.0.0; the site module came in 0.2.0
    assert (tmp_path / 'plugins' / 'modules' / 'server.py').read_text() == 'DOCUMENTATION = r"""\nversion_added: 1.0.0\n"""\n'
    assert (tmp_path / 'plugins' / 'modules' / 'site.py').read_text() == 'DOCUMENTATION = r"""\nversion_added: "0.2.0"\n"""\n'
