package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// nodeRP is the Node.js relying party of examples/nodejs.
const nodeRP = "../../examples/nodejs/server.mjs"

// nodeSite prepares a run of fcemulator conformance against the Node.js
// relying party on platform: a free port for it, its registration, and
// its variables. It skips the test when node is missing.
func nodeSite(t *testing.T, platform string) (node, clients, site string) {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed (Debian: apt-get install nodejs): the Node.js relying party is not run")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := ln.Addr().(*net.TCPAddr).Port
	require.NoError(t, ln.Close()) // the relying party binds it again
	site = fmt.Sprintf("http://127.0.0.1:%d", port)
	secret := "node-fs-secret-0123456789abcdefghijklmnop"
	client := map[string]any{"client_id": "node-fs", "client_secret": secret,
		"redirect_uris": []string{site + "/callback"}, "post_logout_redirect_uris": []string{site + "/logout-callback"}}
	switch platform {
	case "fcplus":
		client["jwks_uri"], client["id_token_encrypted_response_alg"] = site+"/client/keys", "ECDH-ES"
	case "proconnect":
		client["id_token_signed_response_alg"], client["userinfo_signed_response_alg"] = "RS256", "RS256"
	}
	data, err := json.Marshal([]any{client})
	require.NoError(t, err)
	clients = filepath.Join(t.TempDir(), "clients.json")
	require.NoError(t, os.WriteFile(clients, data, 0o600))
	for k, v := range map[string]string{"FC_CLIENT_ID": "node-fs", "FC_CLIENT_SECRET": secret, "FC_PLATFORM": platform,
		"PORT": fmt.Sprint(port), "FC_ISSUER": "", "FC_SCOPES": "", "FC_ACR": "", "FC_SIGNING_ALG": ""} {
		t.Setenv(k, v)
	}
	return node, clients, site
}

// runNode runs fcemulator conformance against the relying party in file.
func runNode(t *testing.T, platform, file string, extra ...string) (int, string) {
	t.Helper()
	node, clients, site := nodeSite(t, platform)
	var stdout, stderr bytes.Buffer
	args := append([]string{"-addr", "127.0.0.1:0", "-platform", platform, "-clients", clients, "-fs", site + "/",
		"-fs-wait", "20s"}, extra...)
	code := runConformance(context.Background(), append(args, "--", node, file), &stdout, &stderr)
	t.Logf("fcemulator conformance exit %d\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
	return code, stdout.String()
}

// TestConformanceNodeRP runs the conformance command against a relying
// party written in JavaScript, on the three platforms, with its JUnit and
// HTML reports: it passes every case.
func TestConformanceNodeRP(t *testing.T) {
	for _, platform := range []string{"fcplus", "fc", "proconnect"} {
		t.Run(platform, func(t *testing.T) {
			dir := t.TempDir()
			junit, page := filepath.Join(dir, "report.xml"), filepath.Join(dir, "report.html")
			code, out := runNode(t, platform, nodeRP, "-strict", "-junit", junit, "-html", page)
			require.Equal(t, 0, code, "the Node.js relying party passes the run")
			require.Contains(t, out, "PASS  clean login")
			require.Contains(t, out, "PASS  FaultWrongNonce")
			require.Regexp(t, `(?m)^PASS: \d+ cases, \d+ passed, 0 failed`, out)

			data, err := os.ReadFile(junit)
			require.NoError(t, err)
			var suites struct {
				Tests    int `xml:"tests,attr"`
				Failures int `xml:"failures,attr"`
			}
			require.NoError(t, xml.Unmarshal(data, &suites))
			require.Greater(t, suites.Tests, 40)
			require.Zero(t, suites.Failures)
			html, err := os.ReadFile(page)
			require.NoError(t, err)
			require.Contains(t, string(html), `<html lang="fr">`)
			require.Contains(t, string(html), "Parcours de conformité")
		})
	}
}

// nodeMutants are copies of the Node.js relying party with one check
// removed, the faults that show it and the case the run must name.
var nodeMutants = []struct {
	name, from, to, faults, want string
}{
	{"nonce", "if (!same(claims.nonce, pending.nonce)) throw new Error('nonce');", "",
		"FaultWrongNonce,FaultBadSignature", "FAIL  FaultWrongNonce"},
	{"iat", "if (typeof claims.iat !== 'number' || claims.iat > now + 30) throw new Error('iat');", "",
		"FaultMissingIssuedAt,FaultWrongNonce", "FAIL  FaultMissingIssuedAt"},
	{"signature", "if (!crypto.verify('sha256', Buffer.from(parts[0] + '.' + parts[1]), opts, unb64u(parts[2]))) {",
		"if (false) {", "FaultBadSignature,FaultWrongNonce", "FAIL  FaultBadSignature"},
	{"state", "if (!pending || !same(q.get('state'), pending.state)) return failed(res);",
		"if (!pending) return failed(res);", "FaultCallbackWrongState,FaultWrongNonce", "FAIL  FaultCallbackWrongState"},
	{"userinfo sub", "if (!same(claims.sub, sub)) throw new Error('userinfo sub');", "",
		"FaultUserinfoSubMismatch,FaultWrongNonce", "FAIL  FaultUserinfoSubMismatch"},
	{"azp", "if ('azp' in claims && claims.azp !== clientId) throw new Error('azp');", "",
		"FaultAZPOtherClient,FaultWrongNonce", "FAIL  FaultAZPOtherClient"},
}

// TestConformanceNodeMutants removes one check at a time from the Node.js
// relying party: the run fails, naming the case of that check, and only
// that one.
func TestConformanceNodeMutants(t *testing.T) {
	source, err := os.ReadFile(nodeRP)
	require.NoError(t, err)
	for _, m := range nodeMutants {
		t.Run(m.name, func(t *testing.T) {
			require.Equal(t, 1, strings.Count(string(source), m.from), "the check is in the relying party once")
			file := filepath.Join(t.TempDir(), "server.mjs")
			require.NoError(t, os.WriteFile(file, []byte(strings.Replace(string(source), m.from, m.to, 1)), 0o600))
			code, out := runNode(t, "fcplus", file, "-faults", m.faults)
			require.Equal(t, 1, code)
			require.Contains(t, out, m.want)
			require.Equal(t, 1, strings.Count(out, "FAIL  "), "only the case of the check fails")
		})
	}
}
