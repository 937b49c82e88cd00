#!/usr/bin/env bash
# Galaxy's import checks on the collection tarball: tools/galaxy_importer.sh [TARBALL | COLLECTION_DIR]
# (default: the copy tools/test.sh makes; a directory is built into a tarball first)
#
# galaxy-importer (PyPI) is what Galaxy runs on every upload, before it publishes: the
# collection's metadata and files, the docs of every plugin through ansible-doc, ansible-lint,
# the changelog. It runs here offline (tools/galaxy-importer.cfg: all but ansible-test, which
# needs a container), from a venv of its own, .venv-galaxy-importer (its pinned ansible-core
# and ansible-lint stay out of the main venv). From 1.0.0 on, it also requires the version to
# be 1.0.0 or more, as Automation Hub does. It fails on the importer's failure and on any
# warning or error it prints: what Galaxy would show under the collection's import log.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

target=$(realpath "${1:-$COLLECTION_COPY}")
work=$BUILD_DIR/galaxy-importer
venv=$ROOT/.venv-galaxy-importer
importer_requirements=$ROOT/tools/requirements-galaxy-importer.txt

# The venv: the main venv's Python (the importer's ansible-core needs as new a one), made again
# when the requirements or that Python change.
find_pythons
python_version=$(core_python newest)
[[ -n $python_version ]] || die "no Python here for galaxy-importer"
stamp="$(sha256sum <"$importer_requirements" | cut -d' ' -f1) $python_version"
if [[ ! -f $venv/.flywp-stamp || $(cat "$venv/.flywp-stamp") != "$stamp" || -z $(python_version_of "$venv/bin/python") ]]; then
    say "setting up $venv (galaxy-importer, Python $python_version)"
    rm -rf "$venv"
    "${FLYWP_PYTHON:-${PYTHONS[$python_version]}}" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-compile -r "$importer_requirements" 2>&1 | quiet_pip
    echo "$stamp" >"$venv/.flywp-stamp"
fi

rm -rf "$work"
mkdir -p "$work"
if [[ -d $target ]]; then
    (cd "$work" && quiet_ansible_core_dsa_warning && "$(venv_dir newest)/bin/ansible-galaxy" collection build "$target" --output-path "$work" >/dev/null)
    tarball=$(echo "$work"/*-*-*.tar.gz)
else
    tarball=$target
fi
[[ -f $tarball ]] || die "no collection tarball: $tarball"

version=$(basename "$tarball" .tar.gz)
version=${version##*-}
export GALAXY_IMPORTER_CONFIG=$ROOT/tools/galaxy-importer.cfg
if ((${version%%.*} >= 1)); then export GALAXY_IMPORTER_REQUIRE_V1_OR_GREATER=true; fi

say "galaxy-importer $("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("galaxy-importer"))') on $(basename "$tarball")"
rc=0
# The venv's bin first: the importer runs ansible-doc, ansible-lint and flake8 from the PATH.
output=$(cd "$work" && PATH="$venv/bin:$PATH" "$venv/bin/python" -m galaxy_importer.main "$tarball" 2>&1) || rc=$?
# The modules, plugins and roles it loaded, in one line each kind; the rest whole.
grep -v '^Loading ' <<<"$output" || true
echo "(loaded: $(grep -c '^Loading ' <<<"$output" || true) modules, plugins, roles and playbooks)"
problems=$(grep -E '^(WARNING|ERROR|CRITICAL)\b|\[(WARNING|DEPRECATION WARNING|ERROR)\]|Warning: ' <<<"$output" || true)
((rc == 0)) || die "galaxy-importer failed (exit code $rc): Galaxy would refuse this tarball"
[[ -z $problems ]] || die "galaxy-importer printed warnings or errors, which Galaxy would show with the collection: $problems"
grep -q '^Importer processing completed successfully' <<<"$output" || die "galaxy-importer did not say it completed"
echo "ok: Galaxy's importer accepts $(basename "$tarball") with no warning"
