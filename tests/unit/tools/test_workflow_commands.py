# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The workflows' check (tools/workflow_commands.py): what they run is the repository's, the
matrix is make test's. The workflows themselves run on GitHub only."""

from __future__ import annotations

import shutil

import pytest

from ansible_collections.flywp.cloud.tests.unit.tools.tool_loader import ROOT, load_tool

workflow_commands = load_tool('tools/workflow_commands.py')


@pytest.fixture(scope='module')
def repository():
    return workflow_commands.Repository(ROOT)


def check(repository, tmp_path, text):
    path = tmp_path / 'workflow.yml'
    path.write_text(text)
    ran = {}
    return [problem.split(': ', 2)[-1] for problem in workflow_commands.check_workflow(repository, str(path), ran)], ran


def test_the_repository_s_workflows_pass():
    assert workflow_commands.main(ROOT) == 0


JOB = '''
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/setup-python@v5
        with:
          python-version: "3.13"
      - run: %s
'''


@pytest.mark.parametrize('script, problem', [
    ('tools/test.sh sanity-2.99', 'tools/test.sh sanity-2.99: no such step (tools/test.sh --list)'),
    ('make docs nonsense', 'make nonsense: the Makefile has no such target'),
    ('tools/nothere.sh', 'tools/nothere.sh is not an executable file of the repository'),
    ('tools/lib.sh', 'tools/lib.sh is not an executable file of the repository'),
    ('python3 tools/nothere.py', 'python3 tools/nothere.py: no such file in the repository'),
    ('.venv/bin/ansible-galaxy collection build', '.venv/bin/ansible-galaxy runs before any step that runs tools/test.sh, '
                                                  'which makes the venv'),
    ('curl -sSf https://example.com/install.sh', 'curl is neither a file of the repository nor a system command'),
])
def test_a_command_the_repository_does_not_have_is_found(repository, tmp_path, script, problem):
    problems, _ran = check(repository, tmp_path, JOB % script)
    assert len(problems) == 1 and problems[0].startswith(problem), problems


def test_commands_the_repository_has_pass(repository, tmp_path):
    script = 'tools/test.sh changelog build && .venv/bin/ansible-galaxy --version; make docs; bash tools/workflows.sh'
    problems, ran = check(repository, tmp_path, JOB % ('"%s"' % script))
    assert problems == []
    assert sorted(ran) == ['build', 'changelog']


@pytest.mark.skipif(not shutil.which('shellcheck'), reason='shellcheck is not installed')
def test_a_script_shellcheck_warns_about_is_found(repository, tmp_path):
    problems, _ran = check(repository, tmp_path, JOB % 'cat $(ls)')
    assert len(problems) == 1 and 'shellcheck' in problems[0] and 'SC2046' in problems[0], problems


MATRIX = '''
jobs:
  test:
    runs-on: ubuntu-latest
    continue-on-error: ${{ matrix.prerelease }}
    strategy:
      matrix:
        include:
          - {core: "2.15", python: "3.11", prerelease: false}
          - {core: "2.17", python: "3.13", prerelease: false}
          - {core: "2.22", python: "3.13", prerelease: false}
          - {core: "2.16", python: "3.12", prerelease: true}
    steps:
      - uses: actions/setup-python@v5
        with:
          python-version: ${{ matrix.python }}
      - run: tools/test.sh "sanity-${{ matrix.core }}"
'''


def test_a_matrix_that_is_not_make_test_s_is_found(repository, tmp_path):
    problems, ran = check(repository, tmp_path, MATRIX)
    assert problems == []
    found = [problem.split(': ', 2)[-1] for problem in workflow_commands.check_matrix(repository, ran)]
    assert 'no workflow runs the make test step sanity-2.18' in found
    assert "sanity-2.15 runs on Python 3.9, the modules' floor (tools/test.sh MODULES_PYTHON), which the job does not give" \
        in found
    assert 'sanity-2.17 needs one of the Pythons 3.10, 3.11, 3.12 (tools/lib.sh core_pythons), and the job gives 3.13: ' \
        'tools/test.sh would skip it' in found
    assert 'sanity-2.22 is of the pre-release, which may fail: continue-on-error' in found
    assert 'sanity-2.16 may fail (continue-on-error), and only the pre-release may' in found
    assert 'the job gives none of the Pythons of the newest core, 2.21 (3.13, 3.14, 3.12): tools/test.sh would take an ' \
        'older core for the newest, and run every sanity test there' in found
