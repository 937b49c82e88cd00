#!/usr/bin/env bash
# A release (docs/releasing.md is the procedure):
#
#   tools/release.sh X.Y.Z              make release VERSION=X.Y.Z: prepare it in the working tree
#   tools/release.sh --check-tag X.Y.Z  the release workflow: the tag is the version released
#
# Preparing X.Y.Z, on a clean tree whose changelog fragments include the release summary:
#   1. checks X.Y.Z: a version above galaxy.yml's and above the changelog's newest release, and
#      of the kind the fragments ask for (docs/versioning.md: breaking_changes or
#      removed_features make a major release, minor_changes or deprecated_features a minor one);
#   2. sets galaxy.yml's version, and the version the docs, the examples and version_added name
#      (tools/version_mentions.py --set);
#   3. antsibull-changelog release --version X.Y.Z: the release in changelogs/changelog.yaml,
#      CHANGELOG.rst, the fragments removed; then antsibull-changelog lint;
#   4. writes docs/docsite/rst/ again from the guides (their version names moved);
#   5. builds the tarball and checks it: tools/test.sh changelog docs docs-site build
#      galaxy-importer project (the tarball as Galaxy imports it and as a project uses it);
#   6. prints what changed, the tarball, and the commands that commit, tag and push. It never
#      commits, tags or pushes: the tag's push starts the release workflow, which publishes.
# A failure after step 1 leaves the tree changed; it says how to undo it.
#
# --check-tag X.Y.Z: X.Y.Z is galaxy.yml's version and the changelog's newest release, and the
# release's notes are written to build/release-notes.md (antsibull-changelog, Markdown).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

usage="usage: tools/release.sh X.Y.Z  (make release VERSION=X.Y.Z), or tools/release.sh --check-tag X.Y.Z"
SEMVER='^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$'

cd "$ROOT"
# antsibull-changelog runs ansible-doc from the PATH: the main venv's. Its DSA warning is
# ansible-core's (tools/lib.sh).
PATH="$(venv_dir newest)/bin:$PATH"
export PATH
quiet_ansible_core_dsa_warning

# galaxy.yml's version, and the changelog's releases, newest last (X.Y.Z a line).
galaxy_version() { "$(venv_python newest)" -c 'import yaml; print(yaml.safe_load(open("galaxy.yml"))["version"])'; }
released_versions() {
    "$(venv_python newest)" - <<'EOF'
import yaml
with open('changelogs/changelog.yaml', encoding='utf-8') as handle:
    releases = (yaml.safe_load(handle) or {}).get('releases') or {}
for version in sorted(releases, key=lambda v: tuple(int(p) for p in v.split('.'))):
    print(version)
EOF
}
# version_above A B: A is above B.
version_above() { [[ $1 != "$2" && $(printf '%s\n%s\n' "$1" "$2" | sort -V | tail -n 1) == "$1" ]]; }

check_tag() {
    local tag=$1 version newest
    ensure_venv newest
    version=$(galaxy_version)
    newest=$(released_versions | tail -n 1)
    [[ $tag == "$version" ]] || die "the tag $tag is not galaxy.yml's version, $version"
    [[ $tag == "$newest" ]] || die "the tag $tag is not the changelog's newest release (${newest:-none}): run make release VERSION=$tag first"
    mkdir -p "$BUILD_DIR"
    "$(venv_dir newest)/bin/antsibull-changelog" generate --only-latest --output-format md \
        --output "$BUILD_DIR/release-notes.md"
    say "the tag $tag is galaxy.yml's version and the changelog's newest release; its notes: build/release-notes.md"
}

# After the tree was changed, a failure says how to undo it.
stopped() {
    ((${1:-1} == 0)) && return
    echo
    warn "the release stopped; to undo what it changed: git checkout -- . && git clean -f -- CHANGELOG.rst"
}

prepare() {
    local version=$1 current newest
    git rev-parse --is-inside-work-tree >/dev/null 2>&1 || die "not a git checkout: a release is made in one"
    [[ -z $(git status --porcelain) ]] || die "the working tree has changes; commit or stash them first:
$(git status --short)"
    ensure_venv newest
    current=$(galaxy_version)
    newest=$(released_versions | tail -n 1)
    # galaxy.yml may already say it (set by hand ahead of the release), not less
    version_above "$version" "$current" || [[ $version == "$current" ]] || die "$version is below galaxy.yml's version, $current"
    [[ -z $newest ]] || version_above "$version" "$newest" || die "$version is not above the newest release, $newest"
    "$(venv_python newest)" - "$version" "$newest" <<'EOF' || die "$version does not fit the changes (docs/versioning.md)"
import glob, sys
import yaml
version, newest = (tuple(int(p) for p in v.split('.')) if v else None for v in sys.argv[1:3])
sections = set()
for path in glob.glob('changelogs/fragments/*.y*ml'):
    with open(path, encoding='utf-8') as handle:
        sections |= set(yaml.safe_load(handle) or {})
if newest is None:
    sys.exit(0)  # the first release: nothing to compare with
if sections & {'breaking_changes', 'removed_features'} and version[0] == newest[0]:
    sys.exit('a fragment has breaking_changes or removed_features: that is a major release')
if sections & {'major_changes', 'minor_changes', 'deprecated_features'} and version[:2] == newest[:2]:
    sys.exit('a fragment has major_changes, minor_changes or deprecated_features: that is a minor release at least')
EOF
    grep -lq '^release_summary:' changelogs/fragments/*.y*ml 2>/dev/null ||
        die "no fragment has a release summary: write changelogs/fragments/$version.yml with
---
release_summary: |
  What this release is, in a sentence or two (docs/releasing.md)."

    say "release $version (galaxy.yml had $current; the newest release is ${newest:-none}), on $(git rev-parse --abbrev-ref HEAD) at $(git rev-parse --short HEAD)"
    trap 'stopped $?' EXIT

    sed -i "s/^version: .*/version: $version/" galaxy.yml
    [[ $(galaxy_version) == "$version" ]] || die "could not set galaxy.yml's version"
    "$(venv_python newest)" tools/version_mentions.py . --set "$version"

    say "antsibull-changelog release --version $version"
    rm -f changelogs/.plugin-cache.yaml # made again from the plugins, with their version_added now
    "$(venv_dir newest)/bin/antsibull-changelog" release --version "$version"
    "$(venv_dir newest)/bin/antsibull-changelog" lint

    say "docs/docsite/rst/: the guides again"
    "$(venv_python newest)" tools/docsite/guides_to_rst.py . docs/docsite/rst

    say "the checks of the tarball: tools/test.sh changelog docs docs-site build galaxy-importer project"
    tools/test.sh changelog docs docs-site build galaxy-importer project
    trap - EXIT

    echo
    say "release $version is ready in the working tree:"
    git status --short
    echo "the tarball: build/dist/flywp-cloud-$version.tar.gz"
    echo
    echo "Read CHANGELOG.rst, then commit, tag and push (the tag starts .github/workflows/release.yml,"
    echo "which checks again and publishes to Galaxy):"
    echo
    echo "  git add -A && git commit -m 'Release $version'"
    echo "  git tag -a $version -m 'flywp.cloud $version'"
    echo "  git push origin HEAD $version"
}

case ${1:-} in
    --check-tag)
        [[ $# -eq 2 && $2 =~ $SEMVER ]] || die "$usage"
        check_tag "$2"
        ;;
    '' | -*) die "$usage" ;;
    *)
        [[ $# -eq 1 && $1 =~ $SEMVER ]] || die "$usage (a version X.Y.Z: '$1')"
        prepare "$1"
        ;;
esac
