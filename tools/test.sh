#!/usr/bin/env bash
# The test pipeline: tools/test.sh [STEP...]  (default: every step, in this order)
#
#   pytest                   plain pytest over tests/unit, in .venv
#   sanity-newest sanity-2.18            ansible-test sanity --venv (no ignore files allowed)
#   units-newest units-2.18              ansible-test units, in the venv itself
#   integration-newest integration-2.18  ansible-test integration against the simulator
#   ansible-lint             production profile, offline
#   docs                     antsibull-docs lint-collection-docs --plugin-docs
#   docs-site                the HTML documentation site (tools/docs_site.sh --check)
#   changelog                antsibull-changelog lint
#   build                    ansible-galaxy collection build + install + ansible-doc smoke check
#   project                  the tarball in a user's project (tools/project_layout.sh)
#   ee                       ansible-builder create + introspect (if meta/execution-environment.yml)
#   awx                      tests/awx/run.sh (if it exists)
#   bench-smoke              make bench's case C in its quick form: the benchmark still runs (no timing checked)
#
# ansible-test runs in build/ansible_collections/flywp/cloud, a copy of the working tree.
# Each step ends with a line of its own; the last line counts them.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

ALL_STEPS=(pytest sanity-newest sanity-2.18 units-newest units-2.18
    integration-newest integration-2.18 ansible-lint docs docs-site changelog build project ee awx bench-smoke)
SKIP=77 # a step returns this when it has nothing to check (yet)

steps=("$@")
((${#steps[@]})) || steps=("${ALL_STEPS[@]}")
for step in "${steps[@]}"; do
    [[ " ${ALL_STEPS[*]} " == *" $step "* ]] || die "unknown step '$step' (steps: ${ALL_STEPS[*]})"
done

# --- the steps (each runs in a subshell with set -e) ---

skip() {
    echo "$*" >"$SKIP_NOTE"
    exit "$SKIP"
}

# Run ansible-test from a venv, in the copy of the tree.
ansible_test() {
    local name=$1
    shift
    cd "$COLLECTION_COPY"
    PATH="$(venv_dir "$name")/bin:$PATH" ansible-test "$@" --python "$(venv_python_version "$name")" --color no
}

has_unit_tests() { [[ -n $(find "$1/tests/unit" \( -name 'test_*.py' -o -name '*_test.py' \) -print -quit 2>/dev/null) ]]; }

step_pytest() {
    cd "$ROOT"
    local rc=0
    "$(venv_python newest)" -m pytest -p no:cacheprovider tests/unit || rc=$?
    if ((rc == 5)) && ! has_unit_tests "$ROOT"; then skip "no unit tests yet"; fi
    return "$rc"
}

step_sanity() {
    if compgen -G "$COLLECTION_COPY/tests/sanity/ignore-*.txt" >/dev/null; then
        echo "sanity ignore files are not allowed; fix the code instead:" >&2
        compgen -G "$COLLECTION_COPY/tests/sanity/ignore-*.txt" >&2
        return 1
    fi
    ansible_test "$1" sanity --venv
}

step_units() {
    has_unit_tests "$COLLECTION_COPY" || skip "no unit tests yet"
    ansible_test "$1" units
}

step_integration() {
    local target found=''
    for target in "$COLLECTION_COPY"/tests/integration/targets/*/; do
        # setup_* and prepare_* targets only serve the others (ansible-test's convention)
        [[ $(basename "$target") == @(setup|prepare)_* ]] && continue
        [[ -n $(ls -A "$target" 2>/dev/null) ]] && found=yes
    done
    [[ -n $found ]] || skip "no integration targets yet"
    trap stop_simulator EXIT
    start_simulator "$COLLECTION_COPY" "$(venv_python "$1")"
    cat >"$COLLECTION_COPY/tests/integration/integration_config.yml" <<EOF
---
flywp_api_url: $SIM_API_URL
flywp_api_token: $DEMO_TOKEN
flywp_simulator_url: $SIM_CONTROL_URL
EOF
    ansible_test "$1" integration
}

step_ansible_lint() {
    cd "$ROOT"
    PATH="$(venv_dir newest)/bin:$PATH" ANSIBLE_COLLECTIONS_PATH=$BUILD_DIR ansible-lint --offline
    # A user's playbook with typos, in a project of its own where no token is set: the typos
    # are reported, the token is not.
    local out project=$BUILD_DIR/lint-project
    rm -rf "$project"
    mkdir -p "$project"
    cp tests/lint/user_playbook_with_typos.yml "$project/play.yml"
    git -C "$project" init -q .
    out=$(
        cd "$project" || exit 1
        env -u FLYWP_API_TOKEN PATH="$(venv_dir newest)/bin:$PATH" ANSIBLE_COLLECTIONS_PATH="$BUILD_DIR" \
            ansible-lint --offline --nocolor --format=pep8 play.yml 2>&1 || true
    )
    grep 'args\[module\]' <<<"$out" || true
    grep -q 'php_verison' <<<"$out" || die "ansible-lint did not report php_verison in tests/lint/"
    grep -q 'presentt' <<<"$out" || die "ansible-lint did not report state: presentt in tests/lint/"
    if grep -qi 'required.*api_token' <<<"$out"; then die "ansible-lint asked for api_token in tests/lint/"; fi
    echo "tests/lint/user_playbook_with_typos.yml: both typos reported, nothing about the token"
}

step_docs() {
    cd "$COLLECTION_COPY"
    PATH="$(venv_dir newest)/bin:$PATH" antsibull-docs lint-collection-docs --plugin-docs .
}

step_docs_site() {
    bash "$ROOT/tools/docs_site.sh" --check "$COLLECTION_COPY"
}

step_changelog() {
    cd "$ROOT"
    "$(venv_dir newest)/bin/antsibull-changelog" lint
}

step_build() {
    local bin dist=$BUILD_DIR/dist scratch=$BUILD_DIR/installed modules
    bin=$(venv_dir newest)/bin
    rm -rf "$dist" "$scratch"
    cd "$BUILD_DIR" # not inside an ansible_collections tree, so only the installed copy is seen
    export ANSIBLE_COLLECTIONS_PATH=$scratch
    "$bin/ansible-galaxy" collection build "$COLLECTION_COPY" --output-path "$dist"
    "$bin/ansible-galaxy" collection install --offline -p "$scratch" "$dist"/flywp-cloud-*.tar.gz
    "$bin/ansible-galaxy" collection list -p "$scratch" flywp.cloud
    modules=("$scratch"/ansible_collections/flywp/cloud/plugins/modules/[a-z]*.py)
    if [[ -f ${modules[0]} ]]; then
        local doc module
        module=$(basename "${modules[0]}" .py)
        doc=$("$bin/ansible-doc" "flywp.cloud.$module")
        head -n 12 <<<"$doc"
        echo "[... ansible-doc flywp.cloud.$module: $(wc -l <<<"$doc") lines]"
    else
        echo "no module to show with ansible-doc yet"
    fi
}

step_project() {
    bash "$ROOT/tools/project_layout.sh" "$COLLECTION_COPY"
}

step_ee() {
    [[ -f $ROOT/meta/execution-environment.yml ]] || skip "no meta/execution-environment.yml yet"
    local bin
    bin=$(venv_dir newest)/bin
    cd "$COLLECTION_COPY"
    rm -rf "$BUILD_DIR/ee-context"
    # introspect reads the file's relative paths (python: requirements.txt) against the
    # collection root; a copy there makes create read them the same way.
    cp meta/execution-environment.yml .execution-environment.yml
    "$bin/ansible-builder" create -f .execution-environment.yml -c "$BUILD_DIR/ee-context"
    rm -f .execution-environment.yml
    PATH="$bin:$PATH" "$bin/ansible-builder" introspect --sanitize "$BUILD_DIR"
}

step_awx() {
    [[ -f $ROOT/tests/awx/run.sh ]] || skip "no tests/awx/run.sh yet"
    cd "$ROOT"
    PATH="$(venv_dir newest)/bin:$PATH" bash tests/awx/run.sh
}

step_bench_smoke() {
    cd "$ROOT"
    tools/bench/bench.sh --quick --cases C --strict
}

describe() {
    local name=${1##*-}
    case $1 in
        sanity-* | units-* | integration-*)
            echo "ansible-test ${1%-*} ($("$(venv_dir "$name")/bin/python" -c \
                'import ansible; from ansible.release import __version__; print(__version__)' 2>/dev/null || echo '?'), Python $(venv_python_version "$name"))"
            ;;
        *) echo "$1" ;;
    esac
}

run_step() {
    local step=$1 func rc start label outcome
    func=step_${step//-/_}
    case $step in sanity-* | units-* | integration-*) func=${func%_*} ;; esac
    label="$step: $(describe "$step")"
    echo
    say "$label"
    start=$SECONDS
    : >"$SKIP_NOTE"
    set +e
    (
        set -e
        "$func" "${step##*-}"
    ) 2>&1 | quiet_pip
    rc=${PIPESTATUS[0]}
    set -e
    local took=$((SECONDS - start))
    if ((rc == 0)); then
        passed+=("$step") outcome=ok
        echo "--- $step: ok (${took} s)"
    elif ((rc == SKIP)) && [[ -s $SKIP_NOTE ]]; then
        skipped+=("$step") outcome=skipped
        echo "--- $step: skipped, $(cat "$SKIP_NOTE") (${took} s)"
    else
        failed+=("$step") outcome=FAILED
        echo "--- $step: FAILED with exit code $rc (${took} s)"
    fi
    timings+=("$(printf '%-20s %5d s  %s' "$step" "$took" "${outcome}")")
}

# --- set-up, then the steps ---

passed=() failed=() skipped=() timings=()
SKIP_NOTE=$(mktemp)
trap 'rm -f "$SKIP_NOTE"' EXIT
begin=$SECONDS

need_218=''
for step in "${steps[@]}"; do [[ $step == *-2.18 ]] && need_218=yes; done
say "set-up: venvs"
ensure_venv newest
write_get_pip_shim newest
if [[ -n $need_218 ]]; then
    ensure_venv 2.18
    write_get_pip_shim 2.18
fi
if [[ " ${steps[*]} " == *" sanity-"* ]]; then ensure_shellcheck; fi
say "set-up: copying the working tree to $COLLECTION_COPY"
sync_collection_copy
echo "--- set-up: done ($((SECONDS - begin)) s)"

for step in "${steps[@]}"; do
    run_step "$step"
done

echo
say "timings"
printf '  %s\n' "${timings[@]}"
echo "  total                $((SECONDS - begin)) s"
((${#skipped[@]} == 0)) || echo "skipped steps: ${skipped[*]}"
((${#failed[@]} == 0)) || echo "failed steps: ${failed[*]}"
summary="make-test: ${#passed[@]} passed, ${#failed[@]} failed"
((${#skipped[@]} == 0)) || summary+=", ${#skipped[@]} skipped"
echo "$summary"
((${#failed[@]} == 0))
