package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The running emulator serves the qualification report of each client,
// without -admin: JSON and a French page.
func TestQualificationEndpoint(t *testing.T) {
	emu := startEmulator(t, "-clients", clientsFile(t, "fcplus"))
	goRoundTrip(t, emu, pairs[0], true)
	resp, err := emu.httpClient().Get(emu.issuer[:len(emu.issuer)-len("/api/v2")] +
		"/_emulator/qualification?format=json&client_id=" + pairs[0].clientID)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var report struct {
		Logins int `json:"logins"`
		Items  []struct {
			Number  int    `json:"number"`
			Verdict string `json:"verdict"`
		} `json:"items"`
	}
	require.NoError(t, json.Unmarshal([]byte(readBody(t, resp)), &report))
	require.Equal(t, 1, report.Logins)
	require.Equal(t, "pass", report.Items[8].Verdict, "the Go client's logout")
	require.Contains(t, emu.summary, "/_emulator/qualification")

	resp, err = emu.httpClient().Get(emu.issuer[:len(emu.issuer)-len("/api/v2")] + "/_emulator/qualification")
	require.NoError(t, err)
	page := readBody(t, resp)
	require.Contains(t, page, `<html lang="fr">`)
	require.Contains(t, page, `?client_id=`+pairs[0].clientID)
}

// -strict refuses a short state with the platform's parameter error page.
func TestStrictFlag(t *testing.T) {
	emu := startEmulator(t, "-strict", "-clients", clientsFile(t, "fcplus"))
	b := newBrowser(t, emu)
	resp := b.get(t, emu.issuer+"/authorize?response_type=code&scope=openid&acr_values=eidas2&client_id="+
		pairs[0].clientID+"&redirect_uri="+callbackURL+"&state=short&nonce="+strings.Repeat("n", 40))
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	body := readBody(t, resp)
	require.Contains(t, body, "Y030007")
	require.Contains(t, body, "state must be longer than or equal to 32 characters (qualification)")
	goRoundTrip(t, emu, pairs[0], true) // the library's values pass
}

// The conformance command refuses a bad command line with status 2.
func TestConformanceCommandLine(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-clients", "x.json"}, "-fs is required"},
		{[]string{"-fs", "http://127.0.0.1:9/"}, "no service provider"},
		{[]string{"-fs", "http://127.0.0.1:9/", "-clients", "x.json", "-platform", "other"}, `unknown -platform "other"`},
	} {
		var stdout, stderr bytes.Buffer
		require.Equal(t, 2, runConformance(context.Background(), tc.args, &stdout, &stderr))
		require.Contains(t, stderr.String(), tc.want)
	}
	var stdout, stderr bytes.Buffer
	require.Equal(t, 0, runConformance(context.Background(), []string{"-h"}, &stdout, &stderr))
	require.Contains(t, stderr.String(), "fcemulator conformance rehearses FranceConnect's qualification")
	// A service that never answers: the run cannot start.
	stderr.Reset()
	code := runConformance(context.Background(), []string{"-addr", "127.0.0.1:0", "-clients",
		clientsFile(t, "fcplus"), "-client", pairs[0].clientID, "-fs", "http://127.0.0.1:9/", "-fs-wait", "200ms"},
		&stdout, &stderr)
	require.Equal(t, 1, code, stderr.String())
	require.Contains(t, stderr.String(), "the service did not answer at http://127.0.0.1:9/ within 200ms")
}
