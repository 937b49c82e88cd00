#!/usr/bin/env bash
# No spelling of the API token, and no secret field, in what a run at -vvvv shows or writes
# to ANSIBLE_LOG_PATH, with --diff: a token given with a trailing line break (as a vault
# string encrypted from `echo` has one), a wrong token, a token with a tab inside, a site's
# admin password, and the passwords the simulator echoes in every object (extra_fields).
#
# ansible-test runs this script in the target's directory and does not pass
# integration_config.yml as variables: the simulator's URLs are read from it here.
set -eux

config=$(cd ../.. && pwd)/integration_config.yml
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python=${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}

# The value of a top-level "key: value" of the config file, without quotes.
setting() {
    sed -n "s/^$1:[[:space:]]*[\"']\{0,1\}\([^\"']*\)[\"']\{0,1\}[[:space:]]*\$/\1/p" "$config"
}

FLYWP_API_URL=$(setting flywp_api_url)
simulator=$(setting flywp_simulator_url)
[[ -n $FLYWP_API_URL && -n $simulator ]]
export FLYWP_API_URL

# The secrets of this run, kept out of this script's trace and off ansible-playbook's command line.
{ set +x; } 2>/dev/null
token='hygiene|Token/42+x'
wrong='hygiene-Wrong|Token-17'
password='Hygiene-Admin-Pass-5c2e'

# The simulator is reset, seeded and told the token outside Ansible, so no task carries the
# token in its body. extra_fields: every object it answers with echoes two passwords.
"$python" - "$simulator" "$token" <<'PY'
import json, sys, urllib.request
control, token = sys.argv[1:]
for method, path, body in (
        ('POST', '/reset', {}),
        ('PATCH', '/config', {'extra_fields': True, 'delays': {'site_creating': 0.3}}),
        ('POST', '/seed', {'servers': [{'name': 'it-hygiene', 'sites': [{'domain': 'old.hygiene.example.com'}]}]}),
        ('POST', '/tokens', {'token': token})):
    request = urllib.request.Request(control + path, data=json.dumps(body).encode(), method=method,
                                     headers={'Content-Type': 'application/json'})
    urllib.request.urlopen(request, timeout=10).read()
PY

export HYGIENE_TOKEN=$token HYGIENE_WRONG_TOKEN=$wrong HYGIENE_PASSWORD=$password
set -x
ANSIBLE_LOG_PATH=$work/ansible.log \
    ansible-playbook -i localhost, -e "@$config" hygiene.yml -vvvv --diff >"$work/output" 2>&1 || {
    tail -n 60 "$work/output"
    exit 1
}

# The run did what the search below assumes: the tasks ran, and the two refusals happened.
grep -qF 'blog.hygiene.example.com' "$work/output"
grep -qF 'the API token was not accepted' "$work/output"
grep -qF 'The FlyWP API token holds a line break, a tab' "$work/output"
grep -qF 'PLAY RECAP' "$work/ansible.log"
[[ $(grep -c 'failed=0' "$work/output") -eq 1 ]]

# Every spelling of every secret, one a line: raw, URL-encoded, JSON- and repr-escaped, and
# those of it with the line break.
{ set +x; } 2>/dev/null
forms=$("$python" - "$token" "$wrong" "$password" <<'PY'
import json, sys
from urllib.parse import quote
forms = ['echoed-Secret-4a1e', 'echoed-Secret-77b0']
for secret in sys.argv[1:]:
    for text in (secret, secret + '\n'):
        forms += [quote(text, safe=''), quote(text), json.dumps(text)[1:-1], repr(text)[1:-1]]
print('\n'.join(sorted(set(form for form in forms if form and '\n' not in form))))
PY
)
leaks=0
while IFS= read -r form; do
    for file in "$work/output" "$work/ansible.log"; do
        if grep -qF -- "$form" "$file"; then
            echo "A secret (${#form} characters) is in $(basename "$file")" >&2
            leaks=1
        fi
    done
done <<<"$forms"
set -x
if grep -qF 'Traceback' "$work/output" "$work/ansible.log"; then
    echo 'A traceback is in the output' >&2
    exit 1
fi
exit "$leaks"
