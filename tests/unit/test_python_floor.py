# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One Python floor for make demo and the simulator, said the same everywhere.

tools/lib.sh enforces it (no venv is made from an older Python: core_pythons), the simulator
checks it when it starts (PYTHON_FLOOR), and the README and docs/simulator.md say it.
"""

from __future__ import annotations

import os
import re
import subprocess

import pytest

from ansible_collections.flywp.cloud.simulator import PYTHON_FLOOR

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FLOOR = '%d.%d' % PYTHON_FLOOR
# Where a Python floor for make demo or the simulator is said, and how.
SAID = [
    ('README.md', r'`make demo` needs Python (\d+\.\d+) or newer'),
    ('docs/simulator.md', r'needs nothing but Python (\d+\.\d+) or newer'),
]


def lib_sh(script):
    """What bash prints after sourcing tools/lib.sh and running SCRIPT."""
    return subprocess.run(['bash', '-c', 'source tools/lib.sh && ' + script], cwd=ROOT, check=True,
                          capture_output=True, text=True).stdout


def version_key(version):
    return tuple(int(part) for part in version.split('.'))


def core_pythons():
    """{core: [the Pythons tools/lib.sh may make its venv from]}."""
    lines = lib_sh('for core in "${CORES[@]}"; do echo "$core $(core_pythons "$core")"; done').splitlines()
    return {line.split()[0]: line.split()[1:] for line in lines}


def test_tools_lib_sh_makes_no_venv_from_a_python_older_than_the_floor():
    pythons = [python for versions in core_pythons().values() for python in versions]
    assert min(pythons, key=version_key) == FLOOR


@pytest.mark.parametrize('path, sentence', SAID)
def test_the_docs_say_the_floor_tools_lib_sh_enforces(path, sentence):
    with open(os.path.join(ROOT, path), encoding='utf-8') as handle:
        found = re.findall(sentence, handle.read())
    assert found == [FLOOR]


def test_the_readme_says_the_floor_of_the_newest_core():
    newest = lib_sh('echo "$NEWEST_CORE"').strip()
    with open(os.path.join(ROOT, 'README.md'), encoding='utf-8') as handle:
        said = re.findall(r'\((\d+\.\d+) or newer for the newest\s+ansible-core\)', handle.read())
    assert said == [min(core_pythons()[newest], key=version_key)]
