# shellcheck shell=bash
# Shared helpers for the tools/*.sh scripts. Source it; do not run it.
#
#   ROOT             the repository (= collection) root
#   BUILD_DIR        build/: the copy ansible-test runs in, tarballs, scratch installs
#   COLLECTION_COPY  build/ansible_collections/flywp/cloud
#   CORES, NEWEST_CORE, PRERELEASE_CORE   the ansible-core versions make test runs
#   venv_dir CORE, venv_python CORE, ensure_venv CORE [PART]   (CORE: one of CORES, or newest)

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=$ROOT/build
COLLECTION_COPY=$BUILD_DIR/ansible_collections/flywp/cloud
# shellcheck disable=SC2034 # used by the scripts that source this file
DEMO_TOKEN=flywp-demo-token

# Every ansible-core version make test runs, oldest first: the first is meta/runtime.yml's
# requires_ansible (AWX's default execution environment), the last a pre-release.
CORES=(2.15 2.16 2.17 2.18 2.19 2.20 2.21 2.22)
# The newest stable one: the main venv's (.venv, with the tools), the whole sanity set's.
NEWEST_CORE=2.21
# A version still in pre-release (core_requirement takes its pre-releases); '' once it is
# final, when it becomes NEWEST_CORE (and the core before it gets a venv of its own).
PRERELEASE_CORE=2.22
# The cores of the execution environments AWX and Automation Controller users are given:
# AWX's default one (2.15), Automation Platform 2.5 to 2.7's (2.16). The integration tests and
# the AWX job test run on them and on the main venv's; their venvs get ansible-runner too.
EE_CORES=(2.15 2.16)

# ansible-core 2.19 and later import cryptography's DSA names (ansible/_internal/_ssh/_ssh_agent.py),
# which cryptography 51 deprecates: every ansible command then starts with a
# CryptographyDeprecationWarning about DSA that is ansible-core's to fix, not the user's. make demo
# and the project test, which show what a newcomer sees, filter out that warning and nothing else:
# its message, raised from that module. (The category cannot be named: PYTHONWARNINGS is read
# before site-packages is on the path, so Python could not import cryptography's class and would
# print "Invalid -W option ignored"; UserWarning is its base class.) A filter rather than
# cryptography<51: the venv keeps the cryptography users get, with its security fixes, and the
# filter does nothing once ansible-core stops importing DSA. Any other warning still shows, and
# fails the project test (tools/doc_examples.py).
ANSIBLE_CORE_DSA_WARNING='ignore:DSA is deprecated and support will be removed in a future release:UserWarning:ansible._internal._ssh._ssh_agent'
quiet_ansible_core_dsa_warning() { export PYTHONWARNINGS=${PYTHONWARNINGS:+$PYTHONWARNINGS,}$ANSIBLE_CORE_DSA_WARNING; }

# core_pythons CORE: the Pythons its venv may be made from, of those its controller runs on
# (ansible-test's CONTROLLER_PYTHON_VERSIONS) and the simulator too (3.10 and newer): the first
# here is taken. The first ones spread the cores over Python 3.10 to 3.13, so that each runs
# the unit tests; 2.15's sanity runs on 3.9, the modules' floor (tools/test.sh sanity_python).
core_pythons() {
    case $1 in
        2.15) echo 3.11 3.10 ;;
        2.16) echo 3.12 3.11 3.10 ;;
        2.17) echo 3.10 3.11 3.12 ;;
        2.18) echo 3.11 3.12 3.13 ;;
        2.19) echo 3.12 3.13 3.11 ;;
        2.20) echo 3.12 3.13 3.14 ;;
        2.21) echo 3.13 3.14 3.12 ;;
        2.22) echo 3.13 3.14 3.15 ;;
        *) die "unknown ansible-core '$1' (${CORES[*]})" ;;
    esac
}

say() { printf '==> %s\n' "$*"; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }
die() {
    printf 'ERROR: %s\n' "$*" >&2
    exit 1
}

# Drop pip's noise about package index folders that a machine's pip.conf names but lacks.
quiet_pip() { grep --line-buffered -v 'is ignored: it is neither a file nor a directory' || true; }

# Print "X.Y" for a Python interpreter, or nothing if it does not run (pyenv shims of
# versions that are not selected exit 127).
python_version_of() {
    "$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || true
}

# Every interpreter that might be on this machine: pyenv's versions, then the PATH.
python_candidates() {
    local pyenv_root=${PYENV_ROOT:-}
    if [[ -z $pyenv_root ]] && command -v pyenv >/dev/null 2>&1; then
        pyenv_root=$(pyenv root 2>/dev/null || true)
    fi
    local p
    for p in "${pyenv_root:-$HOME/.pyenv}"/versions/*/bin/python3; do
        [[ -x $p ]] && echo "$p"
    done
    for p in python3.15 python3.14 python3.13 python3.12 python3.11 python3.10 python3.9 python3; do
        command -v "$p" 2>/dev/null || true
    done
}

# PYTHONS["X.Y"]: a working interpreter of each Python version here that can make venvs (the
# first found), filled once by find_pythons, and handed to the scripts it runs in
# FLYWP_FOUND_PYTHONS (X.Y=PATH lines); FLYWP_PYTHON, when set, is the main venv's.
declare -A PYTHONS=()
find_pythons() {
    ((${#PYTHONS[@]} == 0)) || return 0
    local candidate version
    if [[ -n ${FLYWP_FOUND_PYTHONS:-} ]]; then
        while IFS= read -r candidate; do
            [[ -z $candidate ]] || PYTHONS[${candidate%%=*}]=${candidate#*=}
        done <<<"$FLYWP_FOUND_PYTHONS"
        return 0
    fi
    FLYWP_FOUND_PYTHONS=none=
    while IFS= read -r candidate; do
        version=$(python_version_of "$candidate")
        [[ -n $version && -z ${PYTHONS[$version]:-} ]] || continue
        "$candidate" -c 'import ensurepip, venv' 2>/dev/null || continue
        PYTHONS[$version]=$candidate
        FLYWP_FOUND_PYTHONS+=$'\n'$version=$candidate
    done < <(python_candidates)
    PYTHONS[none]='' # found none: not searched again
    export FLYWP_FOUND_PYTHONS
}

# "2.15" -> 215, "3.9" -> 309, for comparisons.
version_number() {
    local major=${1%%.*} minor=${1#*.}
    echo $((major * 100 + ${minor%%.*}))
}

# python_here CORE: the X.Y of the first of the core's Pythons (core_pythons) that is here.
python_here() {
    local version
    find_pythons
    for version in $(core_pythons "$1"); do
        if [[ -n ${PYTHONS[$version]:-} ]]; then
            echo "$version"
            return
        fi
    done
}

# main_core: the main venv's core: NEWEST_CORE, or the newest before it that a Python here runs
# (FLYWP_PYTHON, when set, is that Python). Kept in MAIN_CORE once known.
main_core() {
    local i core
    if [[ -z ${MAIN_CORE:-} ]]; then
        for ((i = ${#CORES[@]} - 1; i >= 0; i--)); do
            core=${CORES[i]}
            (($(version_number "$core") <= $(version_number "$NEWEST_CORE"))) || continue
            if [[ -n ${FLYWP_PYTHON:-} ]]; then
                [[ " $(core_pythons "$core") " == *" $(python_version_of "$FLYWP_PYTHON") "* ]] || continue
            else
                [[ -n $(python_here "$core") ]] || continue
            fi
            MAIN_CORE=$core
            break
        done
        [[ -n ${MAIN_CORE:-} ]] || die "no Python here runs ansible-core ${CORES[0]} to $NEWEST_CORE (set FLYWP_PYTHON to one)"
    fi
    echo "$MAIN_CORE"
}

# The core a venv name stands for: "newest" is the main venv's.
core_of() { if [[ $1 == newest ]]; then main_core; else echo "$1"; fi; }

# core_python CORE: the X.Y of the Python its venv is made from; nothing when none is here.
core_python() {
    local core
    core=$(core_of "$1")
    if [[ -n ${FLYWP_PYTHON:-} && $core == "$(main_core)" ]]; then python_version_of "$FLYWP_PYTHON"; else python_here "$core"; fi
}

# venv_dir CORE: .venv for the main venv's core, .venv-CORE for the others.
venv_dir() {
    local core
    core=$(core_of "$1")
    if [[ $core == "$(main_core)" ]]; then echo "$ROOT/.venv"; else echo "$ROOT/.venv-$core"; fi
}

venv_python() { echo "$(venv_dir "$1")/bin/python"; }

# X.Y of a venv's Python.
venv_python_version() { python_version_of "$(venv_python "$1")"; }

# The ansible-core version installed in a venv ('?' if none).
venv_core_version() {
    "$(venv_python "$1")" -c 'from ansible.release import __version__; print(__version__)' 2>/dev/null || echo '?'
}

# core_requirement CORE: pip's requirement for it, 2.15 -> ansible-core>=2.15,<2.16. For the
# pre-release, >=2.22.0a0: a pre-release in the specifier lets pip take the core's pre-releases
# (pip install --pre would take those of every other package too).
core_requirement() {
    local core lowest
    core=$(core_of "$1")
    lowest=$core
    [[ $core != "$PRERELEASE_CORE" ]] || lowest=$core.0a0
    echo "ansible-core>=$lowest,<${core%%.*}.$((${core#*.} + 1))"
}

# Create or update a venv, in parts: "core" (ansible-core and tools/requirements-test.txt: what
# the modules and tests import; for the cores the AWX test runs on, tools/requirements-awx.txt
# too) and, for the main venv, "tools" (tools/requirements-tools.txt: the lint, docs and
# packaging tools). ensure_venv CORE makes every part; ensure_venv CORE PART one (make test
# starts the tests of the core while the tools are still being added). A stamp of each part's
# requirements skips pip when nothing changed.
ensure_venv() {
    local core part
    core=$(core_of "$1")
    if [[ -n ${2:-} ]]; then
        ensure_venv_part "$core" "$2"
    else
        for part in core $([[ $core == "$(main_core)" ]] && echo tools); do ensure_venv_part "$core" "$part"; done
    fi
}

ensure_venv_part() {
    local core=$1 part=$2 dir base base_version stamp_file stamp held files
    find_pythons
    dir=$(venv_dir "$core")
    base_version=$(core_python "$core")
    [[ -n $base_version ]] || die "no Python here runs ansible-core $core (it runs on $(core_pythons "$core" | tr ' ' '\n' | sort -V | xargs))"
    if [[ -n ${FLYWP_PYTHON:-} && $core == "$(main_core)" ]]; then base=$FLYWP_PYTHON; else base=${PYTHONS[$base_version]:-}; fi
    [[ -n $base ]] || die "no Python $base_version here"
    files=("$ROOT/tools/requirements-test.txt")
    if [[ " ${EE_CORES[*]} " == *" $core "* ]]; then files+=("$ROOT/tools/requirements-awx.txt"); fi
    stamp=$({ core_requirement "$core" && cat "${files[@]}" "$ROOT/requirements.txt" "$ROOT/tests/unit/requirements.txt" \
        "$ROOT/tests/integration/requirements.txt"; } | sha256sum | cut -d' ' -f1)
    stamp="$stamp $base_version"
    if [[ $part == tools ]]; then
        [[ $core == "$(main_core)" ]] || die "only the main venv has the tools"
        ensure_venv_part "$core" core
        stamp="$stamp $(sha256sum <"$ROOT/tools/requirements-tools.txt" | cut -d' ' -f1)"
    fi
    stamp_file=$dir/.flywp-stamp-$part
    if [[ -f $stamp_file && $(cat "$stamp_file") == "$stamp" && -n $(python_version_of "$dir/bin/python") ]]; then
        return 0
    fi
    # --no-compile: Python compiles what is imported when it is first imported; pip would
    # compile every file of every package, most of them never imported here.
    local pip=("$dir/bin/python" -m pip install --quiet --disable-pip-version-check --no-compile)
    if [[ $part == core ]]; then
        say "setting up $dir (ansible-core $core, Python $base_version from $base)"
        if [[ $(python_version_of "$dir/bin/python") != "$base_version" ]]; then
            rm -rf "$dir"
            "$base" -m venv "$dir"
        fi
        local file requirements=("$(core_requirement "$core")")
        for file in "${files[@]}"; do requirements+=(-r "$file"); done
        "${pip[@]}" "${requirements[@]}" 2>&1 | quiet_pip
    else
        say "adding the tools to $dir"
        # The core's versions are held: a step running from the venv meanwhile sees nothing
        # it imports change, and a tool that wants another version fails here, loudly.
        held=$dir/.flywp-held.txt
        "$dir/bin/python" -m pip freeze --disable-pip-version-check >"$held"
        "${pip[@]}" -c "$held" -r "$ROOT/tools/requirements-tools.txt" 2>&1 | quiet_pip
    fi
    echo "$stamp" >"$stamp_file"
}

# ansible-test bootstraps pip in the venvs it makes (--venv, --requirements) with a script
# it downloads from a host these machines cannot reach, unless a copy sits in its cache.
# Put a stand-in there: ensurepip (in a subprocess: in-process it breaks TLS to the package
# index), then pip installs the pinned pip that ansible-test asked for.
write_get_pip_shim() {
    local python pip_version
    python=$(venv_python "$1")
    # the pip of the Python ansible-test makes its venvs with (sanity_python), default the venv's
    pip_version=$("$python" - "${2:-}" <<'EOF'
import sys, types
from ansible_test._internal.python_requirements import get_venv_packages
version = sys.argv[1] or '%d.%d' % sys.version_info[:2]
print(get_venv_packages(types.SimpleNamespace(version=version))['pip'])
EOF
    )
    local cache=$HOME/.ansible/test/cache
    mkdir -p "$cache"
    cat >"$cache/get_pip_${pip_version//./_}.py" <<'EOF'
"""Stand-in for get-pip.py, written by flywp.cloud's tools/lib.sh."""
import subprocess
import sys

args = [arg for arg in sys.argv[1:] if arg not in ('--no-setuptools', '--no-wheel')]
subprocess.check_call([sys.executable, '-m', 'ensurepip', '--upgrade', '--default-pip'])
subprocess.check_call([sys.executable, '-m', 'pip', 'install', '--upgrade'] + args)
EOF
}

# Copy the working tree (tracked files and untracked ones git does not ignore, as they are
# on disk) to build/ansible_collections/flywp/cloud, and commit it there so ansible-test
# sees a git tree.
sync_collection_copy() {
    rm -rf "$COLLECTION_COPY"
    mkdir -p "$COLLECTION_COPY"
    (
        cd "$ROOT" || exit 1
        if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
            git ls-files -z --cached --others --exclude-standard |
                while IFS= read -r -d '' file; do
                    if [[ -e $file || -L $file ]]; then printf '%s\0' "$file"; fi
                done |
                tar --null --no-recursion -T - -cf -
        else
            tar --exclude=./.git --exclude='./.venv*' --exclude=./build --exclude=./.cache \
                --exclude=./.ansible --exclude=./tests/output -cf - .
        fi
    ) | tar -xf - -C "$COLLECTION_COPY"
    (
        cd "$COLLECTION_COPY" || exit 1
        git init -q
        git add -A
        git -c user.name=flywp-build -c user.email=build@localhost -c commit.gpgsign=false \
            commit -q --no-verify -m "working tree snapshot" --allow-empty
    )
}

# Start the FlyWP API simulator on a free port, from directory $1 with Python $2.
# Sets SIM_PID, SIM_API_URL (…/api/v1) and SIM_CONTROL_URL (…/_simulator).
start_simulator() {
    local dir=$1 python=$2 url='' i
    SIM_WORK=$(mktemp -d "${TMPDIR:-/tmp}/flywp-simulator.XXXXXX")
    (cd "$dir" && exec "$python" -m simulator --port 0 --url-file "$SIM_WORK/url") \
        >"$SIM_WORK/log" 2>&1 </dev/null &
    SIM_PID=$!
    for ((i = 0; i < 300; i++)); do
        if [[ -s $SIM_WORK/url ]]; then
            url=$(head -n 1 "$SIM_WORK/url")
            [[ $url =~ ^https?://[^/]+ ]] && break
        fi
        if ! kill -0 "$SIM_PID" 2>/dev/null; then
            cat "$SIM_WORK/log" >&2
            SIM_PID=''
            die "the simulator exited before printing its URL"
        fi
        sleep 0.1
    done
    [[ $url =~ ^(https?://[^/]+) ]] || {
        cat "$SIM_WORK/log" >&2
        die "the simulator wrote no URL to its --url-file in 30 s"
    }
    local base=${BASH_REMATCH[1]}
    if [[ $url == */api/* ]]; then SIM_API_URL=${url%/}; else SIM_API_URL=$base/api/v1; fi
    # shellcheck disable=SC2034 # used by the scripts that source this file
    SIM_CONTROL_URL=$base/_simulator
    say "simulator running at $SIM_API_URL (pid $SIM_PID)"
}

# Stop the simulator started by start_simulator, if it still runs. Safe to call twice.
stop_simulator() {
    if [[ -n ${SIM_PID:-} ]] && kill -0 "$SIM_PID" 2>/dev/null; then
        kill "$SIM_PID" 2>/dev/null || true
        local i
        for ((i = 0; i < 50; i++)); do
            kill -0 "$SIM_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -9 "$SIM_PID" 2>/dev/null || true
        wait "$SIM_PID" 2>/dev/null || true
        say "simulator stopped"
    fi
    SIM_PID=''
    if [[ -n ${SIM_WORK:-} ]]; then rm -rf "$SIM_WORK"; fi
    SIM_WORK=''
}

# Make sure ansible-test sanity has shellcheck: install it with apt-get when we can, never fail.
ensure_shellcheck() {
    command -v shellcheck >/dev/null 2>&1 && return 0
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
        say "installing shellcheck (apt-get)"
        if DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null &&
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq shellcheck >/dev/null; then
            return 0
        fi
    fi
    warn "shellcheck is not installed and could not be: ansible-test sanity skips its shellcheck test"
}
