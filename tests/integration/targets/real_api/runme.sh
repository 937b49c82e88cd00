#!/usr/bin/env bash
# The collection against the real FlyWP API: opt-in, see docs/real-api.md.
#
# Without a real token it does not contact FlyWP: it says so, and rehearses the same checks
# against the simulator of integration_config.yml, so they keep working.
#
# Settings, from the environment (when this script is run by hand) or from
# integration_config.yml (when ansible-test runs it, as ansible-test passes no environment):
#   FLYWP_REAL_API_TOKEN   / flywp_real_api_token    a FlyWP API token: nothing runs without it
#   FLYWP_REAL_API_URL     / flywp_real_api_url      default https://app.flywp.com/api/v1
#   FLYWP_REAL_API_SERVER  / flywp_real_api_server   the server to read, and to write on
#   FLYWP_REAL_API_WRITE   / flywp_real_api_write    "yes": also create and delete one cron job
#                                                    and one SSH key on that server
set -eu
cd "$(dirname "$0")"
config=$(cd ../.. && pwd)/integration_config.yml
python=${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}

# The value of a top-level "key: value" of the config file, without quotes.
setting() {
    if [[ -f $config ]]; then
        sed -n "s/^$1:[[:space:]]*[\"']\{0,1\}\([^\"']*\)[\"']\{0,1\}[[:space:]]*\$/\1/p" "$config"
    fi
}

token=${FLYWP_REAL_API_TOKEN:-$(setting flywp_real_api_token)}
server=${FLYWP_REAL_API_SERVER:-$(setting flywp_real_api_server)}
write=${FLYWP_REAL_API_WRITE:-$(setting flywp_real_api_write)}
if [[ -n $token ]]; then
    FLYWP_API_URL=${FLYWP_REAL_API_URL:-$(setting flywp_real_api_url)}
    FLYWP_API_URL=${FLYWP_API_URL:-https://app.flywp.com/api/v1}
    FLYWP_API_TOKEN=$token
    echo "real_api: checking the FlyWP API at $FLYWP_API_URL"
else
    echo "real_api: SKIPPED against the real FlyWP API: no token given (FLYWP_REAL_API_TOKEN, or"
    echo "real_api: flywp_real_api_token in integration_config.yml; see docs/real-api.md)."
    echo "real_api: rehearsing its checks against the simulator instead, writes included."
    FLYWP_API_URL=$(setting flywp_api_url)
    FLYWP_API_TOKEN=$(setting flywp_api_token)
    server=real-api-rehearsal write=yes
    "$python" - "$(setting flywp_simulator_url)" "$server" <<'PY'
import json, sys, urllib.request
control, name = sys.argv[1:]
for method, path, body in (('POST', '/reset', {}), ('PATCH', '/config', {'delays': {'site_creating': 0}}),
                           ('POST', '/seed', {'servers': [{'name': name, 'sites': [{'domain': 'rehearsal.example.com'}]}]})):
    request = urllib.request.Request(control + path, data=json.dumps(body).encode(), method=method,
                                     headers={'Content-Type': 'application/json'})
    urllib.request.urlopen(request, timeout=10).read()
PY
fi
export FLYWP_API_URL FLYWP_API_TOKEN
[[ $write != yes || -n $server ]] || {
    echo "real_api: writing needs the server to write on (FLYWP_REAL_API_SERVER or flywp_real_api_server)." >&2
    exit 1
}

# A public key whose private half is thrown away at once: the SSH key check grants nobody access.
public_key=$("$python" -c '
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.hazmat.primitives import serialization
key = ed25519.Ed25519PrivateKey.generate().public_key()
print(key.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode() + " flywp-cloud-real-api-check")')

set -x
probe=0
"$python" probe.py "$server" || probe=$?
((probe != 2)) # the API could not be reached, or refused the token: nothing more to learn
ansible-playbook -i localhost, check.yml -e "real_api_server=$server" -e "real_api_write=${write:-no}" \
    -e "real_api_public_key='$public_key'"
if [[ -z $token ]]; then
    # The rehearsal once more, with the simulator answering in the contract's tolerated ways:
    # the probe must tell them apart from what the contract expects, and not call them differences.
    "$python" - "$(setting flywp_simulator_url)" <<'PY'
import json, sys, urllib.request
request = urllib.request.Request(sys.argv[1] + '/config', method='PATCH', headers={'Content-Type': 'application/json'},
                                 data=json.dumps({'bare_json': True, 'string_ids': True, 'extra_fields': True}).encode())
urllib.request.urlopen(request, timeout=10).read()
PY
    report=$("$python" probe.py "$server")
    { set +x; } 2>/dev/null
    echo "$report"
    set -x
    grep -q 'GET /servers/[0-9]* \[doc\] *tolerated: no data envelope; ids as strings; extra fields' <<<"$report"
    grep -q 'secret-looking admin_password: dropped by the collection' <<<"$report"
    if grep -q DIFFERS <<<"$report"; then exit 1; fi
    "$python" - "$(setting flywp_simulator_url)" <<'PY'
import sys, urllib.request
urllib.request.urlopen(urllib.request.Request(sys.argv[1] + '/reset', data=b'{}', method='POST',
                                              headers={'Content-Type': 'application/json'}), timeout=10).read()
PY
fi
exit "$probe"
