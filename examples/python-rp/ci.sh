#!/usr/bin/env bash
# A CI job for a service provider written in Python, tested against
# fcemulator: register the relying party, start the emulator and the
# relying party, run the tests, stop everything. Any pipeline runs it the
# same way once fcemulator is on the PATH (a release binary, the image, or
# `go run`): FCEMULATOR, PYTHON, EMULATOR_PORT and RP_PORT override the
# defaults.
set -euo pipefail
cd "$(dirname "$0")"
FCEMULATOR=${FCEMULATOR:-fcemulator}
PYTHON=${PYTHON:-python3}
EMULATOR_PORT=${EMULATOR_PORT:-8090}
RP_PORT=${RP_PORT:-3000}
RP_BASE_URL=http://127.0.0.1:$RP_PORT
work=$(mktemp -d)

stop() {
	status=$?
	kill $(jobs -p) 2>/dev/null || true
	wait 2>/dev/null || true
	if [ $status -ne 0 ]; then
		echo "--- fcemulator's log"; tail -n 40 "$work/emulator.log"
		echo "--- relying party's output"; tail -n 40 "$work/rp.log"
	fi
	rm -rf "$work"
}
trap stop EXIT

# The registration, as on the platform: FranceConnect+, ES256 signatures,
# ECDH-ES encryption to the keys the relying party publishes.
cat >"$work/clients.json" <<JSON
[{"client_id": "python-rp", "client_secret": "a-local-secret-of-at-least-32-characters",
  "redirect_uris": ["$RP_BASE_URL/callback"], "post_logout_redirect_uris": ["$RP_BASE_URL/logged-out"],
  "id_token_signed_response_alg": "ES256", "id_token_encrypted_response_alg": "ECDH-ES",
  "id_token_encrypted_response_enc": "A256GCM", "jwks_uri": "$RP_BASE_URL/client/keys"}]
JSON

# wait_for FILE WORD: waits up to 20 s for WORD in FILE (a "ready" line).
wait_for() {
	for _ in $(seq 200); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "no \"$2\" in $1 after 20 s"; return 1
}

"$FCEMULATOR" -addr "127.0.0.1:$EMULATOR_PORT" -clients "$work/clients.json" -auto-login camille -admin \
	>"$work/emulator.out" 2>"$work/emulator.log" &
wait_for "$work/emulator.out" '^ready$'

FC_ISSUER=http://127.0.0.1:$EMULATOR_PORT/api/v2 FC_CLIENT_ID=python-rp \
	FC_CLIENT_SECRET=a-local-secret-of-at-least-32-characters RP_BASE_URL=$RP_BASE_URL \
	RP_KEY_FILE=$work/rp-key.json RP_TIMEOUT=2 RP_CLOCK_URL=http://127.0.0.1:$EMULATOR_PORT/_emulator/clock \
	"$PYTHON" rp.py >"$work/rp.log" 2>&1 &
wait_for "$work/rp.log" 'relying party ready'

FCEMULATOR_URL=http://127.0.0.1:$EMULATOR_PORT RP_BASE_URL=$RP_BASE_URL FC_CLIENT_ID=python-rp \
	"$PYTHON" -m unittest -v test_rp
