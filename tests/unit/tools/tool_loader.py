# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Import a script of tools/ (not a package) by its path, for its unit tests."""

from __future__ import annotations

import importlib.util
import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def load_tool(relative_path):
    """The module of ROOT/relative_path, such as 'tools/docsite/check_sidebar.py'."""
    name = 'flywp_tool_' + os.path.splitext(relative_path)[0].replace('/', '_')
    spec = importlib.util.spec_from_file_location(name, os.path.join(ROOT, relative_path))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
