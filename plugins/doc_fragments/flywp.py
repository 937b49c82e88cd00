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
      - Spaces and line breaks around it are dropped (a vault string encrypted from C(echo)
        rather than C(echo -n) ends with one). A token with a control character or a
        character outside ASCII inside it is refused before any request.
      - It is never logged, shown in a result or put in an error message, in any spelling
        (escaped or URL-encoded ones included).
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
      - Seconds to wait for the connection to the FlyWP API, and for each part of an answer.
      - A whole request, its answer included, ends after twice this at most, so an answer
        that trickles in slowly cannot hold a task. A read that timed out is tried again
        (three more times) for V(GET), and for the V(DELETE) of one object by a typed module;
        a V(POST) is never sent twice, nor any write of M(flywp.cloud.api).
      - From 1 to 3600; anything else is refused before any request.
    type: int
    default: 30
  validate_certs:
    description:
      - Whether to verify the TLS certificate of the FlyWP API.
      - Only turn this off for a proxy you trust. When it is off, the E(REQUESTS_CA_BUNDLE)
        and E(CURL_CA_BUNDLE) environment variables do not turn it back on; when it is on,
        they name the CA certificates to trust.
      - A certificate that is not accepted fails the task at once, with a message that says
        so; it is not tried again.
    type: bool
    default: true
  rate_limit_timeout:
    description:
      - The FlyWP API allows 60 requests a minute per token and answers C(429 Too Many
        Requests) past that.
      - This is the most seconds a task spends waiting for the rate limit to clear,
        in total, before it fails.
      - Set C(0) to fail at the first C(429).
      - Whatever C(Retry-After) says, each wait after a C(429) is a second at least, and a
        request answered C(429) eleven times in a row fails.
      - From 0 to 86400; anything else is refused before any request.
    type: int
    default: 300
requirements:
  - requests
notes:
  - Every text option takes one value, as text. A list, a mapping or a boolean given to one
    is refused (quote V(yes) when it is meant as text), and so is a line break or another
    control character inside it, or more characters than the FlyWP field takes (255 for
    most, 1024 for a cron command, 16384 for a public key). All of this is checked before
    any request.
  - When the FlyWP API answers in a shape its contract does not allow (an object without an
    C(id) where one is expected, for instance), the task fails and says what came. If the
    request was a write the API carried out, or may have (its answer was lost), the task
    reports C(changed) with the failure, and a write is never sent twice; the next run finds
    what was made.
  - A task the FlyWP API failed also returns C(failure), a dictionary with the C(message), the
    C(method), C(path) and C(status) of the request, the API's own C(api_message), and its
    field C(errors) (of a C(422)).
seealso:
  - name: Troubleshooting flywp.cloud
    description: Every error message of the collection and what to do about it
      (docs/troubleshooting.md in the collection).
    link: https://github.com/flywp/ansible-collection-flywp-cloud/blob/main/docs/troubleshooting.md
  - name: Rate limits
    description: FlyWP's limit of 60 requests a minute, and what each task costs
      (docs/rate-limits.md in the collection).
    link: https://github.com/flywp/ansible-collection-flywp-cloud/blob/main/docs/rate-limits.md
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
  action:
    description: Runs through an action plugin of the collection, on the controller, which gives the module the
      identity of its run; a check run keeps what it would create under it, for its later tasks only.
    support: full
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
  action:
    description: Runs through an action plugin of the collection, on the controller, which gives the module the
      identity of its run; a check run keeps what it would create under it, for its later tasks only.
    support: full
"""

    # The input of the filters that read a whole account (account_report, fleet_diff, fleet_spec).
    ACCOUNT_SERVERS = r"""
options:
  _input:
    description: The servers, as RV(flywp.cloud.account_info#module:servers).
    type: list
    elements: dict
    required: true
"""
