# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""flywp.cloud.account_info runs with the identity of its run (plugin_utils/module_action.py)."""
from __future__ import annotations

from ansible_collections.flywp.cloud.plugins.plugin_utils.module_action import ModuleAction as ActionModule, module_main

main = module_main('account_info')

__all__ = ['ActionModule', 'main']
