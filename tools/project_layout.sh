#!/usr/bin/env bash
# The project-layout test: tools/project_layout.sh [COLLECTION_DIR]  (default: the checkout)
#
# Builds the collection tarball from COLLECTION_DIR and uses it as a user does in a project
# of their own laid out as docs/examples/project/ (the files docs/getting-started.md
# shows; the test fails when the guide shows them otherwise, as for docs/awx.md and
# docs/examples/execution-environment/):
#   - `ansible-galaxy collection install` puts it in the project's collections/ folder, by
#     ansible.cfg's collections_path alone, and requirements.yml is then satisfied;
#   - against the simulator, started from the installed copy: site.yml runs without a
#     warning (ansible.cfg quiets the ones about localhost), and
#     `ansible-inventory -i servers.flywp.yml --graph` shows the server it made;
#   - with a wrong token, that command fails and says why (ansible.cfg's
#     any_unparsed_is_failed), and does not show the token;
#   - without ansible.cfg, ansible-inventory does not find the plugin (why the guide asks
#     for collections_path);
#   - docs/examples/execution-environment/ (docs/awx.md) makes an ansible-builder context
#     whose galaxy step, run here as in the image, installs the tarball;
#   - the commented alternatives of requirements.yml (a tarball, a git repository) install
#     it too, with the tarball built here and a clone of COLLECTION_DIR for their names;
#   - every example playbook of the README, the guides and the roles' READMEs runs as
#     written in the project, in the order a reader meets them, with only FLYWP_API_TOKEN
#     and FLYWP_API_URL set, and prints no warning (tools/doc_examples.py).
# No ANSIBLE_COLLECTIONS_PATH or ANSIBLE_CONFIG: the project's ansible.cfg does it all.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

source_dir=${1:-$ROOT}
work=$BUILD_DIR/project-layout
project=$work/project
bin=$(venv_dir newest)/bin
export PATH="$bin:$PATH" ANSIBLE_NOCOLOR=1
unset ANSIBLE_COLLECTIONS_PATH ANSIBLE_COLLECTIONS_PATHS ANSIBLE_CONFIG ANSIBLE_INVENTORY FLYWP_API_TOKEN FLYWP_API_URL
quiet_ansible_core_dsa_warning # ansible-core's, not the user's (tools/lib.sh); any other warning fails

check() { echo "ok: $*"; }
fail() { die "project layout: $*"; }

rm -rf "$work"
mkdir -p "$work/dist"
cp -R "$source_dir/docs/examples/project" "$project"
# The guides show the example files as they are.
"$bin/python" - "$source_dir" <<'EOF'
import os, sys
root = sys.argv[1]
for folder, guide in (('project', 'getting-started.md'), ('execution-environment', 'awx.md')):
    text = open(os.path.join(root, 'docs', guide), encoding='utf-8').read()
    for name in sorted(os.listdir(os.path.join(root, 'docs/examples', folder))):
        content = open(os.path.join(root, 'docs/examples', folder, name), encoding='utf-8').read()
        if '\n' + content + '```\n' not in text:
            sys.exit('docs/%s does not show docs/examples/%s/%s as it is' % (guide, folder, name))
    print('ok: docs/%s shows every file of docs/examples/%s/ as it is' % (guide, folder))
EOF

cd "$work" # outside any ansible_collections tree, and without an ansible.cfg
ansible-galaxy collection build "$source_dir" --output-path "$work/dist" >/dev/null
tarball=$(echo "$work"/dist/flywp-cloud-*.tar.gz)

# The EE from a tarball: ansible-builder's galaxy step runs `ansible-galaxy collection
# install -r requirements.yml` in the folder that holds additional_build_files (_build/).
ee=$work/execution-environment
cp -R "$source_dir/docs/examples/execution-environment" "$ee"
cp "$tarball" "$ee/flywp-cloud.tar.gz"
(cd "$ee" && ansible-builder create -f execution-environment.yml -c context >/dev/null)
(cd "$ee/context/_build" && ANSIBLE_COLLECTIONS_PATH=$ee/installed ansible-galaxy collection install -r requirements.yml -p "$ee/installed" >/dev/null)
[[ -f $ee/installed/ansible_collections/flywp/cloud/MANIFEST.json ]] ||
    fail "the galaxy step of docs/examples/execution-environment/ does not install the tarball"
check "docs/examples/execution-environment/ installs the tarball in its galaxy step"

cd "$project"
ansible-galaxy collection install "$tarball"
[[ -f collections/ansible_collections/flywp/cloud/MANIFEST.json ]] ||
    fail "ansible-galaxy did not install into ./collections (ansible.cfg's collections_path)"
check "the tarball is installed in the project's collections/ folder"
output=$(ansible-galaxy collection install --offline -r requirements.yml 2>&1)
[[ $output == *"All requested collections are already installed"* ]] ||
    fail "requirements.yml is not satisfied by the installed tarball: $output"
check "requirements.yml is satisfied by it"
# The alternatives requirements.yml shows in comments, each uncommented in place of the Galaxy
# entry, with local names: the tarball, and for the git form a clone whose branch is main.
git clone -q --bare "$source_dir" "$work/repository.git"
git -C "$work/repository.git" update-ref refs/heads/main HEAD
"$bin/python" - requirements.yml "$tarball" "file://$work/repository.git" "$work/alternatives" <<'EOF'
import os, re, sys
import yaml
source, tarball, repository, out = sys.argv[1:]
entries, entry = [], None
for line in open(source, encoding='utf-8'):
    if re.match(r'^  # - name:', line):
        entry = [line.replace('# ', '', 1)]
        entries.append(entry)
    elif entry is not None and re.match(r'^  #   [a-z_]+:', line):
        entry.append(line.replace('# ', '', 1))
    else:
        entry = None
found = {}
for lines in entries:
    item = yaml.safe_load(''.join(lines))[0]
    item['name'] = {'file': tarball, 'git': repository}[item['type']]
    os.makedirs(os.path.join(out, item['type']))
    with open(os.path.join(out, item['type'], 'requirements.yml'), 'w', encoding='utf-8') as handle:
        yaml.safe_dump({'collections': [item]}, handle)
    found[item['type']] = item
if sorted(found) != ['file', 'git'] or found['git'].get('version') != 'main':
    sys.exit('requirements.yml should show a commented file and git alternative, found: %s' % sorted(found))
EOF
for kind in file git; do
    output=$(cd "$work/alternatives/$kind" && ansible-galaxy collection install -r requirements.yml -p ./collections 2>&1) ||
        fail "the $kind form of requirements.yml does not install: $output"
    [[ -f $work/alternatives/$kind/collections/ansible_collections/flywp/cloud/MANIFEST.json ]] ||
        fail "the $kind form of requirements.yml installed nothing"
done
check "the tarball and git forms requirements.yml shows in comments install the collection too"
listed=$(ansible-galaxy collection list flywp.cloud 2>/dev/null | grep '^# /' || true)
[[ $listed == "# $project/collections/ansible_collections" ]] ||
    fail "flywp.cloud should be found in the project only, not in: $listed"
check "flywp.cloud is found in the project's collections/ folder, and nowhere else"
PYTHONPATH=$project/collections "$bin/python" -m ansible_collections.flywp.cloud.simulator --help >/dev/null ||
    fail "python -m ansible_collections.flywp.cloud.simulator does not run from the installed copy"
check "the installed simulator runs as python -m ansible_collections.flywp.cloud.simulator"

trap stop_simulator EXIT
start_simulator "$project/collections/ansible_collections/flywp/cloud" "$bin/python"
"$bin/python" - "$SIM_CONTROL_URL/config" <<'EOF'
import sys, urllib.request
body = b'{"delays": {"server_creating": 0.2, "server_provisioning": 0.2, "site_creating": 0.2, "backup_pending": 0.1, "backup_running": 0.1}}'
request = urllib.request.Request(sys.argv[1], data=body, method='PATCH', headers={'Content-Type': 'application/json'})
urllib.request.urlopen(request, timeout=10).read()
EOF
export FLYWP_API_URL=$SIM_API_URL FLYWP_API_TOKEN=$DEMO_TOKEN

output=$(ansible-playbook site.yml 2>&1) || { echo "$output"; fail "ansible-playbook site.yml failed"; }
echo "$output"
if grep -E '^\[WARNING\]|^\S+\.py:[0-9]+: \w*Warning: ' <<<"$output"; then
    fail "ansible-playbook site.yml warned (ansible.cfg quiets the localhost warnings)"
fi
check "ansible-playbook site.yml, without a warning"

graph=$(ansible-inventory -i servers.flywp.yml --graph)
echo "$graph"
grep -qE '\|--web-1$' <<<"$graph" || fail "ansible-inventory -i servers.flywp.yml shows no host web-1"
check "ansible-inventory -i servers.flywp.yml --graph shows the server site.yml made"

# ansible.cfg's any_unparsed_is_failed: a wrong token fails the command, with the API's answer.
wrong_token=flywp-wrong-token-for-the-test
rc=0
graph=$(FLYWP_API_TOKEN=$wrong_token ansible-inventory -i servers.flywp.yml --graph 2>&1) || rc=$?
((rc != 0)) || { echo "$graph"; fail "with a wrong token, ansible-inventory -i servers.flywp.yml exited 0"; }
grep -q 'the API token was not accepted' <<<"$graph" || { echo "$graph"; fail "with a wrong token, ansible-inventory did not say why"; }
if grep -q "$wrong_token" <<<"$graph"; then fail "ansible-inventory showed the token"; fi
check "with a wrong token, ansible-inventory -i servers.flywp.yml fails (exit code $rc) and says why:"
grep -m 1 'the API token was not accepted' <<<"$graph"

: >"$work/empty.cfg"
graph=$(ANSIBLE_CONFIG=$work/empty.cfg ansible-inventory -i servers.flywp.yml --graph 2>&1 || true)
if grep -qE '\|--web-1$' <<<"$graph"; then
    fail "without ansible.cfg, ansible-inventory found the plugin: docs/getting-started.md says it does not"
fi
check "without ansible.cfg's collections_path, ansible-inventory does not find the plugin:"
grep -m 1 -i 'plugin' <<<"$graph" || true

"$bin/python" "$source_dir/tools/doc_examples.py" "$source_dir" "$project" "$SIM_CONTROL_URL" ||
    fail "an example playbook of the README or the guides does not run as written"
