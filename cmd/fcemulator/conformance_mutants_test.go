package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect"
)

// edit replaces from by to in file, a path from the module's root.
type edit struct{ file, from, to string }

// goMutants are copies of examples/minimal with one check removed, the
// faults that show it and the case the run must name.
var goMutants = []struct {
	name         string
	edits        []edit
	faults, want string
}{
	{"nonce", []edit{{"token.go", `if st.Nonce == "" || !equal(cl.Nonce, st.Nonce) {`, "if false {"}},
		"FaultWrongNonce,FaultBadSignature", "FaultWrongNonce"},
	{"iat required", []edit{{"claims.go", "case required && !cl.IssuedAt.ok:", "case false:"}},
		"FaultMissingIssuedAt,FaultWrongNonce", "FaultMissingIssuedAt"},
	// fchttp finds the login in progress by its state, then the library
	// compares them: the check is off only when both are.
	{"callback state", []edit{
		{"token.go", `if st.State == "" || state == "" || !equal(state, st.State) {`, `if st.State == "" || state == "" {`},
		{"fchttp/session.go", `return state != "" && subtle.ConstantTimeCompare([]byte(p.State), []byte(state)) == 1`,
			`return state != "" || subtle.ConstantTimeCompare(nil, nil) == 1`}},
		"FaultCallbackWrongState,FaultWrongNonce", "FaultCallbackWrongState"},
	{"aud exactly the client", []edit{{"claims.go", "case len(cl.Audience) != 1 || cl.Audience[0] != c.clientID:",
		"case !cl.Audience.Contains(c.clientID):"}}, "FaultExtraAudience,FaultWrongAudience", "FaultExtraAudience"},
	// The level is checked against the login's request and against the
	// configured floor: the check is off only when both are.
	{"acr level", []edit{
		{"levels.go", `case st.ACR != "" && !acr.Satisfies(st.ACR):`, "case false:"},
		{"levels.go", "case !acr.Satisfies(c.acr):", "case false:"}}, "FaultACRLower,FaultACRHigher",
		"FaultACRLower"},
	{"userinfo sub", []edit{{"userinfo.go", "if !equal(cl.common().Subject, sub) {", "if false {"}},
		"FaultUserinfoSubMismatch,FaultWrongNonce", "FaultUserinfoSubMismatch"},
}

// TestConformanceGoMutants builds copies of examples/minimal, each with
// one check of the library switched off (go build -overlay), runs
// fcemulator conformance against each as a process, and requires the run
// to fail naming the case of that check, and only that one. It takes about
// ten seconds per mutant, so it runs with make mutants
// (FC_CONFORMANCE_MUTANTS=1).
func TestConformanceGoMutants(t *testing.T) {
	if os.Getenv("FC_CONFORMANCE_MUTANTS") == "" {
		t.Skip("set FC_CONFORMANCE_MUTANTS=1 (make mutants) to build and run the mutated service providers")
	}
	root, err := filepath.Abs("../..")
	require.NoError(t, err)
	for _, m := range goMutants {
		t.Run(m.name, func(t *testing.T) {
			bin := buildMutant(t, root, m.edits...)
			code, out := runMinimal(t, bin, "-faults", m.faults)
			require.Equal(t, 1, code)
			require.Contains(t, out, "FAIL  "+m.want+" ")
			require.Equal(t, 1, strings.Count(out, "FAIL  "), "only the case of the check fails")
		})
	}
	t.Run("unmodified", func(t *testing.T) {
		bin := buildMutant(t, root)
		code, out := runMinimal(t, bin, "-faults", "FaultWrongNonce,FaultACRLower,FaultUserinfoSubMismatch")
		require.Equal(t, 0, code, out)
	})
}

// buildMutant builds examples/minimal with the edits applied.
func buildMutant(t *testing.T, root string, edits ...edit) string {
	t.Helper()
	dir := t.TempDir()
	replace := map[string]string{} // a file edited twice keeps both edits
	for i, e := range edits {
		path := filepath.Join(root, e.file)
		from := path
		if prev, ok := replace[path]; ok {
			from = prev
		}
		src, err := os.ReadFile(from)
		require.NoError(t, err)
		require.Equal(t, 1, strings.Count(string(src), e.from), "%s: the check is there once", e.file)
		mutated := filepath.Join(dir, fmt.Sprintf("%d-%s", i, filepath.Base(e.file)))
		require.NoError(t, os.WriteFile(mutated, []byte(strings.Replace(string(src), e.from, e.to, 1)), 0o600))
		replace[path] = mutated
	}
	overlay, err := json.Marshal(map[string]map[string]string{"Replace": replace})
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "overlay.json"), overlay, 0o600))
	bin := filepath.Join(dir, "minimal")
	cmd := exec.Command("go", "build", "-overlay", filepath.Join(dir, "overlay.json"), "-o", bin, "./examples/minimal")
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	return bin
}

// runMinimal runs fcemulator conformance against the examples/minimal
// binary bin, registered on FranceConnect+ with a fresh key.
func runMinimal(t *testing.T, bin string, extra ...string) (int, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	site, dir, secret := "http://"+addr, t.TempDir(), strings.Repeat("s", 40)
	key, err := franceconnect.GenerateKey(franceconnect.ECDHES, "")
	require.NoError(t, err)
	private, err := franceconnect.MarshalKeys([]franceconnect.Key{key})
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "keys.json"), private, 0o600))
	clients, err := json.Marshal([]map[string]any{{"client_id": "minimal-fs", "client_secret": secret,
		"redirect_uris": []string{site + "/callback"}, "post_logout_redirect_uris": []string{site + "/logout-callback"},
		"jwks_uri": site + "/client/keys"}})
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "clients.json"), clients, 0o600))
	sessionKey := make([]byte, 32) // random: fchttp refuses a key of one repeated byte
	_, _ = rand.Read(sessionKey)
	for k, v := range map[string]string{"ADDR": addr, franceconnect.EnvClientID: "minimal-fs",
		franceconnect.EnvClientSecret: secret, franceconnect.EnvKeys: filepath.Join(dir, "keys.json"),
		franceconnect.EnvRedirectURL: site + "/callback", franceconnect.EnvPostLogoutRedirectURL: site + "/logout-callback",
		franceconnect.EnvScopes: "openid given_name family_name", franceconnect.EnvEnvironment: "",
		"FS_SESSION_KEYS": base64.StdEncoding.EncodeToString(sessionKey)} {
		t.Setenv(k, v)
	}
	var stdout, stderr bytes.Buffer
	args := append([]string{"-addr", "127.0.0.1:0", "-clients", filepath.Join(dir, "clients.json"), "-fs", site + "/"},
		extra...)
	args = append(args, "--", "sh", "-c", `FC_ISSUER="$FCEMULATOR_ISSUER" exec "$0"`, bin)
	code := runConformance(context.Background(), args, &stdout, &stderr)
	t.Logf("exit %d\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
	return code, stdout.String()
}
