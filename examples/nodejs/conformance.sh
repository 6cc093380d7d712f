#!/bin/sh
# Rehearses FranceConnect+'s qualification against the Node.js service
# provider of server.mjs, as a CI job does: fcemulator starts the emulator,
# then the service (the command after --) with FCEMULATOR_ISSUER set, runs
# every case, writes the reports and exits 1 if a case or an item failed.
set -eu
cd "$(dirname "$0")"
port=${PORT:-3000}
site=http://127.0.0.1:$port
export PORT="$port" FC_CLIENT_ID=node-fs FC_CLIENT_SECRET=node-fs-secret-0123456789abcdefghijklmnop
exec "${FCEMULATOR:-fcemulator}" conformance -addr 127.0.0.1:0 -strict \
	-client-id "$FC_CLIENT_ID" -client-secret "$FC_CLIENT_SECRET" \
	-redirect-uri "$site/callback" -post-logout-redirect-uri "$site/logout-callback" -jwks-uri "$site/client/keys" \
	-fs "$site/" -junit "${REPORTS:-.}/conformance.xml" -html "${REPORTS:-.}/conformance.html" \
	-- node server.mjs
