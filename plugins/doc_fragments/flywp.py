# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """The connection options every flywp.cloud module and the inventory share."""

    DOCUMENTATION = r"""
options:
  api_token:
    description:
      - A FlyWP API token, created in the FlyWP dashboard under C(Settings > API Tokens).
      - The token needs the C(Read) permission for every module, and C(Create) or
        C(Delete) for the changes a task makes.
      - If not set, the value of the E(FLYWP_API_TOKEN) environment variable is used.
      - "One of the two is needed. Without either, the task fails before any request with
        C(No FlyWP API token: set the api_token option or the FLYWP_API_TOKEN environment
        variable.) It is not marked required, so that linters such as ansible-lint, run
        where no token is set, check the other options of a task."
      - It is never logged, shown in a result or put in an error message.
    type: str
  api_url:
    description:
      - Base URL of the FlyWP API, including the C(/api/v1) path.
      - Change it for a proxy or for the FlyWP API simulator shipped with this collection.
      - The token is only ever sent over C(https://), or over C(http://) to a loopback
        address such as C(127.0.0.1).
      - If not set, the value of the E(FLYWP_API_URL) environment variable is used, and
        then the default.
    type: str
    default: https://app.flywp.com/api/v1
  api_timeout:
    description:
      - Seconds to wait for one HTTP answer from the FlyWP API.
    type: int
    default: 30
  validate_certs:
    description:
      - Whether to verify the TLS certificate of the FlyWP API.
      - Only turn this off for a proxy you trust.
    type: bool
    default: true
  rate_limit_timeout:
    description:
      - The FlyWP API allows 60 requests a minute per token and answers C(429 Too Many
        Requests) past that.
      - This is the most seconds a task spends waiting for the rate limit to clear,
        in total, before it fails.
      - Set C(0) to fail at the first C(429).
    type: int
    default: 300
requirements:
  - requests
"""

    # State modules: extends_documentation_fragment: [flywp.cloud.flywp, flywp.cloud.flywp.state]
    STATE = r"""
attributes:
  check_mode:
    description: Can run in check mode and return changed status prediction without modifying target.
    support: full
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: full
    details:
      - Secrets such as passwords are never part of the diff.
  action_group:
    description: Use C(group/flywp.cloud.all) in C(module_defaults) to set the API options once for every module.
    support: full
    membership:
      - flywp.cloud.all
"""

    # Info modules: extends_documentation_fragment: [flywp.cloud.flywp, flywp.cloud.flywp.info]
    INFO = r"""
attributes:
  check_mode:
    description: Can run in check mode and return changed status prediction without modifying target.
    support: full
    details:
      - This module only reads; it sends GET requests only.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: none
  action_group:
    description: Use C(group/flywp.cloud.all) in C(module_defaults) to set the API options once for every module.
    support: full
    membership:
      - flywp.cloud.all
"""
