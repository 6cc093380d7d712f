#!/usr/bin/env bash
# Runs the fcemulator image once, as a CI pipeline would: a clients file
# mounted read-only, the port published on the host's loopback, then the
# discovery document fetched from the host. Skips with a notice when
# podman is missing or cannot start containers on this machine.
set -euo pipefail
image=$1
if ! command -v podman >/dev/null 2>&1; then
	echo "SKIPPED: image-check needs podman to run the image (Debian: apt-get install podman)"
	exit 0
fi
dir=$(mktemp -d)
name=fcemulator-check-$$
trap 'podman rm -f "$name" >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
cat >"$dir/clients.json" <<'JSON'
[{"client_id": "image-check", "client_secret": "a-local-secret-of-at-least-32-characters",
  "redirect_uris": ["http://127.0.0.1:3000/callback"], "id_token_signed_response_alg": "ES256"}]
JSON
chmod 644 "$dir/clients.json"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
if ! out=$(podman run -d --name "$name" -p "127.0.0.1:$port:8090" -v "$dir/clients.json:/clients.json:ro" \
	"$image" -platform fc -clients /clients.json -public-url "http://127.0.0.1:$port" 2>&1); then
	echo "SKIPPED: podman cannot run containers on this machine: $out"
	exit 0
fi
for _ in $(seq 100); do
	if doc=$(curl -fsS "http://127.0.0.1:$port/api/v2/.well-known/openid-configuration" 2>/dev/null); then
		grep -q "\"issuer\":\"http://127.0.0.1:$port/api/v2\"" <<<"$doc" || { echo "image-check: unexpected issuer: $doc"; exit 1; }
		echo "image-check: $image serves http://127.0.0.1:$port/api/v2 from a container"
		exit 0
	fi
	if [ "$(podman inspect -f '{{.State.Running}}' "$name" 2>/dev/null)" = false ]; then
		logs=$(podman logs "$name" 2>&1 | tail -5)
		if grep -qiE 'OCI|crun|runc|permission denied' <<<"$logs"; then
			echo "SKIPPED: the container could not start on this machine: $logs"
			exit 0
		fi
		echo "image-check: the container stopped:"; echo "$logs"; exit 1
	fi
	sleep 0.1
done
echo "image-check: no answer from the container after 10 s"; podman logs "$name" 2>&1 | tail -20; exit 1
