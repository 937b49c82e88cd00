"""A FlyWP API simulator for tests, demos and trying playbooks: `python -m simulator`."""

import sys

# The oldest Python the simulator runs on: the oldest a venv of make demo or make test is made
# from (tools/lib.sh core_pythons), and what the README and docs/simulator.md say. Checked here,
# before the modules that need it, so an older Python gets a sentence instead of a traceback.
PYTHON_FLOOR = (3, 10)
if sys.version_info < PYTHON_FLOOR:
    raise SystemExit('The FlyWP API simulator needs Python %d.%d or newer; this is Python %d.%d (%s).'
                     % (PYTHON_FLOOR + tuple(sys.version_info[:2]) + (sys.executable,)))

# pylint: disable=wrong-import-position
from .app import Simulator  # noqa: E402  (after the check above)
from .state import DEMO_TOKEN  # noqa: E402

__all__ = ['Simulator', 'DEMO_TOKEN']
