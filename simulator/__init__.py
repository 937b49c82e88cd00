"""A FlyWP API simulator for tests, demos and trying playbooks: `python -m simulator`."""

from .app import Simulator
from .state import DEMO_TOKEN

__all__ = ['Simulator', 'DEMO_TOKEN']
