#!/usr/bin/env bash
# The documentation website, in build/docs-site/html: tools/docs_site.sh [--check [DIR]]
#
#   (no option; make docs)     first rewrite docs/docsite/rst/ from the Markdown guides
#                              (tools/docsite/guides_to_rst.py), then build the site from
#                              the working tree
#   --check [DIR]; make test   build the site from DIR (default: the copy tools/test.sh
#                              makes) and fail when DIR's docs/docsite/rst/ is not what
#                              its Markdown guides give
#
# The site is built as docs.ansible.com builds a collection's pages: from the collection
# tarball, installed, with antsibull-docs (every module, the inventory plugin, the roles,
# and docs/docsite/ as extra docs), then Sphinx with the Ansible theme; with two additions:
# a page for each event source of extensions/eda/ among the plugins, and each role's README
# on its role's page (tools/docsite/event_source_pages.py, role_pages.py). It fails on any
# antsibull-docs error, any Sphinx warning (-W: a broken reference, bad markup, a page in
# no table of contents), any broken internal link of the HTML (tools/docsite/check_links.py),
# and a sidebar that names a thing twice or lacks an event source (tools/docsite/check_sidebar.py).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

mode=write source_dir=$ROOT
if [[ ${1:-} == --check ]]; then
    mode=check source_dir=${2:-$COLLECTION_COPY}
elif [[ $# -gt 0 ]]; then
    die "usage: tools/docs_site.sh [--check [COLLECTION_DIR]]"
fi
[[ -f $source_dir/galaxy.yml ]] || die "$source_dir is not a collection tree (run tools/test.sh docs-site)"

ensure_venv newest
bin=$(venv_dir newest)/bin
export PATH="$bin:$PATH" # antsibull-docs runs ansible-doc
site=$BUILD_DIR/docs-site
rm -rf "$site"
mkdir -p "$site"

if [[ $mode == write ]]; then
    "$bin/python" "$ROOT/tools/docsite/guides_to_rst.py" "$ROOT" "$ROOT/docs/docsite/rst"
else
    "$bin/python" "$ROOT/tools/docsite/guides_to_rst.py" "$source_dir" "$site/guides"
    diff -ru "$source_dir/docs/docsite/rst" "$site/guides" ||
        die "docs/docsite/rst/ is out of date with the Markdown guides: run 'make docs' and commit docs/docsite/rst/"
fi

cd "$site" # outside any ansible_collections tree: only the installed copy is seen
"$bin/ansible-galaxy" collection build "$source_dir" --output-path "$site/dist" >/dev/null
ANSIBLE_COLLECTIONS_PATH=$site/collections "$bin/ansible-galaxy" collection install --offline -p "$site/collections" "$site"/dist/flywp-cloud-*.tar.gz >/dev/null
mkdir -m 755 "$site/rst" # antsibull-docs writes only into a directory no one else can write to
say "antsibull-docs: the collection's pages"
ANSIBLE_COLLECTIONS_PATH=$site/collections "$bin/antsibull-docs" collection --use-current --squash-hierarchy \
    --fail-on-error --dest-dir "$site/rst" flywp.cloud
# What antsibull-docs does not do: the event sources' pages, and the roles' guides on their pages.
"$bin/python" "$ROOT/tools/docsite/event_source_pages.py" "$source_dir" "$site/rst"
"$bin/python" "$ROOT/tools/docsite/role_pages.py" "$site/rst"
# antsibull-docs takes only the pages of docs/docsite/rst/; their images (guides_to_rst.py) go beside them.
if [[ -d $site/collections/ansible_collections/flywp/cloud/docs/images ]]; then
    cp -r "$site/collections/ansible_collections/flywp/cloud/docs/images" "$site/rst/docsite/images"
fi
say "sphinx-build -W: the HTML site"
FLYWP_DOCS_BUILD=$site "$bin/sphinx-build" -b html -q -W --keep-going -c "$ROOT/tools/docsite" \
    "$site/rst" "$site/html"
"$bin/python" "$ROOT/tools/docsite/check_links.py" "$site/html"
"$bin/python" "$ROOT/tools/docsite/check_sidebar.py" "$site/html" "$source_dir"
echo "the site: $site/html/index.html"
