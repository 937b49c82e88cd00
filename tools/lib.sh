# shellcheck shell=bash
# Shared helpers for the tools/*.sh scripts. Source it; do not run it.
#
#   ROOT             the repository (= collection) root
#   BUILD_DIR        build/: the copy ansible-test runs in, tarballs, scratch installs
#   COLLECTION_COPY  build/ansible_collections/flywp/cloud
#   venv_dir NAME, venv_python NAME, ensure_venv NAME [PART]   (NAME: newest or 2.18)

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=$ROOT/build
COLLECTION_COPY=$BUILD_DIR/ansible_collections/flywp/cloud
# shellcheck disable=SC2034 # used by the scripts that source this file
DEMO_TOKEN=flywp-demo-token
# Python versions the venvs may use (ansible-core 2.18 to 2.21 all run on 3.11 to 3.13).
PY_MIN=3.11
PY_MAX=3.13

say() { printf '==> %s\n' "$*"; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }
die() {
    printf 'ERROR: %s\n' "$*" >&2
    exit 1
}

# Drop pip's noise about package index folders that a machine's pip.conf names but lacks.
quiet_pip() { grep --line-buffered -v 'is ignored: it is neither a file nor a directory' || true; }

# "3.13" -> 313, for comparisons.
version_number() {
    local major=${1%%.*} minor=${1#*.}
    echo $((major * 100 + ${minor%%.*}))
}

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
    for p in python3.13 python3.12 python3.11 python3; do
        command -v "$p" 2>/dev/null || true
    done
}

# find_python newest|oldest: the newest (or oldest) working Python between PY_MIN and
# PY_MAX. Prints its path.
find_python() {
    local want=$1 best='' best_number='' candidate version number
    local low high
    low=$(version_number "$PY_MIN")
    high=$(version_number "$PY_MAX")
    while IFS= read -r candidate; do
        version=$(python_version_of "$candidate")
        [[ -n $version ]] || continue
        "$candidate" -c 'import ensurepip, venv' 2>/dev/null || continue # can make venvs
        number=$(version_number "$version")
        ((number >= low && number <= high)) || continue
        if [[ -z $best ]] ||
            { [[ $want == newest ]] && ((number > best_number)); } ||
            { [[ $want == oldest ]] && ((number < best_number)); }; then
            best=$candidate
            best_number=$number
        fi
    done < <(python_candidates)
    [[ -n $best ]] || die "no Python between $PY_MIN and $PY_MAX found (set FLYWP_PYTHON to one)"
    echo "$best"
}

venv_dir() {
    case $1 in
        newest) echo "$ROOT/.venv" ;;
        2.18) echo "$ROOT/.venv-2.18" ;;
        *) die "unknown venv '$1' (newest or 2.18)" ;;
    esac
}

venv_python() { echo "$(venv_dir "$1")/bin/python"; }

# X.Y of a venv's Python.
venv_python_version() { python_version_of "$(venv_python "$1")"; }

# The interpreter a venv is made from: FLYWP_PYTHON / FLYWP_PYTHON_218 override; else the
# newest Python for the main venv and the oldest for the 2.18 one, so both ends are tested.
venv_base_python() {
    case $1 in
        newest) if [[ -n ${FLYWP_PYTHON:-} ]]; then echo "$FLYWP_PYTHON"; else find_python newest; fi ;;
        2.18) if [[ -n ${FLYWP_PYTHON_218:-} ]]; then echo "$FLYWP_PYTHON_218"; else find_python oldest; fi ;;
    esac
}

# Create or update a venv, in parts: "core" (tools/requirements-NAME.txt: ansible-core and
# what the modules and tests import) and, for the main venv, "tools" (tools/requirements-tools.txt:
# the lint, docs and packaging tools). ensure_venv NAME makes every part; ensure_venv NAME PART
# one (make test starts the tests of the core while the tools are still being added). A stamp
# of each part's requirement files skips pip when nothing changed.
ensure_venv() {
    local name=$1 part
    if [[ -n ${2:-} ]]; then
        ensure_venv_part "$name" "$2"
    else
        for part in core $([[ $name == newest ]] && echo tools); do ensure_venv_part "$name" "$part"; done
    fi
}

ensure_venv_part() {
    local name=$1 part=$2 dir base base_version stamp_file stamp held
    dir=$(venv_dir "$name")
    base=$(venv_base_python "$name")
    base_version=$(python_version_of "$base")
    [[ -n $base_version ]] || die "$base does not run"
    stamp=$(cat "$ROOT/tools/requirements-$name.txt" "$ROOT/tools/requirements-test.txt" \
        "$ROOT/requirements.txt" "$ROOT/tests/unit/requirements.txt" \
        "$ROOT/tests/integration/requirements.txt" | sha256sum | cut -d' ' -f1)
    stamp="$stamp $base_version"
    if [[ $part == tools ]]; then
        [[ $name == newest ]] || die "only the main venv has the tools"
        ensure_venv_part "$name" core
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
        say "setting up $dir (Python $base_version from $base)"
        if [[ $(python_version_of "$dir/bin/python") != "$base_version" ]]; then
            rm -rf "$dir"
            "$base" -m venv "$dir"
        fi
        "${pip[@]}" -r "$ROOT/tools/requirements-$name.txt" 2>&1 | quiet_pip
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
    local python
    python=$(venv_python "$1")
    local pip_version
    pip_version=$("$python" - <<'EOF'
import sys, types
from ansible_test._internal.python_requirements import get_venv_packages
print(get_venv_packages(types.SimpleNamespace(version='%d.%d' % sys.version_info[:2]))['pip'])
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
