package main

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect"
)

// adminCall sends a request to the admin API and returns the status and
// the body.
func adminCall(t *testing.T, emu *process, method, path, contentType, body string) (int, string) {
	t.Helper()
	return adminRequest(t, emu, method, path, contentType, body, nil)
}

// adminRequest is adminCall with a chance to change the request.
func adminRequest(t *testing.T, emu *process, method, path, contentType, body string, edit func(*http.Request)) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, emu.base()+"/_emulator/"+path, strings.NewReader(body))
	require.NoError(t, err)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if edit != nil {
		edit(req)
	}
	resp, err := emu.httpClient().Do(req)
	require.NoError(t, err)
	return resp.StatusCode, readBody(t, resp)
}

// faultsAnswer is the answer of GET /_emulator/faults.
type faultsAnswer struct {
	Platform string `json:"platform"`
	Pending  []struct {
		Fault    string `json:"fault"`
		ClientID string `json:"client_id"`
		Login    string `json:"login"`
		Count    int    `json:"count"`
		Delay    string `json:"delay"`
	} `json:"pending"`
	Available []struct {
		Name, Description, Step, Expected, Outcome string
		Platforms                                  []string
	} `json:"available"`
	Elsewhere []string `json:"other_platforms"`
}

// listFaults reads GET /_emulator/faults (with query, e.g. "?client_id=x").
func listFaults(t *testing.T, emu *process, query string) faultsAnswer {
	t.Helper()
	status, body := adminCall(t, emu, http.MethodGet, "faults"+query, "", "")
	require.Equal(t, http.StatusOK, status, body)
	var answer faultsAnswer
	require.NoError(t, json.Unmarshal([]byte(body), &answer))
	return answer
}

// pendingFaults lists the names of the queued faults.
func pendingFaults(t *testing.T, emu *process) []string {
	t.Helper()
	names := []string{}
	for _, p := range listFaults(t, emu, "").Pending {
		names = append(names, p.Fault)
	}
	return names
}

func TestAdminFaultsRefusedByTheClient(t *testing.T) {
	emu := startEmulator(t, "-admin", "-clients", clientsFile(t, "fcplus"))
	client := newGoClient(t, emu, pairs[0])
	require.Empty(t, pendingFaults(t, emu))

	status, body := adminCall(t, emu, http.MethodPost, "faults/inject", "application/json",
		`{"faults": ["FaultCallbackWrongState", "FaultWrongNonce"]}`)
	require.Equal(t, http.StatusOK, status, body)
	require.JSONEq(t, `{"pending": [{"fault": "FaultCallbackWrongState", "count": 1}, {"fault": "FaultWrongNonce", "count": 1}]}`, body)

	_, err := tryLogin(t, emu, pairs[0], client, newBrowser(t, emu))
	require.ErrorIs(t, err, franceconnect.ErrStateMismatch, "the callback fault applies first")
	_, err = tryLogin(t, emu, pairs[0], client, newBrowser(t, emu))
	require.ErrorIs(t, err, franceconnect.ErrInvalidIDToken)
	require.ErrorIs(t, err, franceconnect.ErrNonceMismatch)
	require.Empty(t, pendingFaults(t, emu), "each fault applied once")
	_, err = tryLogin(t, emu, pairs[0], client, newBrowser(t, emu))
	require.NoError(t, err)

	status, body = adminCall(t, emu, http.MethodPost, "faults/inject", "application/json",
		`{"faults": ["FaultUserinfoSubMismatch", "FaultNoSuchThing"]}`)
	require.Equal(t, http.StatusBadRequest, status)
	require.Contains(t, body, `unknown fault \"FaultNoSuchThing\"`)
	require.Empty(t, pendingFaults(t, emu), "all or nothing")

	status, _ = adminCall(t, emu, http.MethodPost, "faults/inject", "application/json",
		`{"faults": ["FaultUserinfoSubMismatch"]}`)
	require.Equal(t, http.StatusOK, status)
	status, body = adminCall(t, emu, http.MethodPost, "faults/clear", "application/json", "")
	require.Equal(t, http.StatusOK, status, body)
	require.JSONEq(t, `{"pending": []}`, body)
	_, err = tryLogin(t, emu, pairs[0], client, newBrowser(t, emu))
	require.NoError(t, err, "the cleared fault did not apply")
}

func TestAdminFaultsAimedAtOneClient(t *testing.T) {
	emu := startEmulator(t, "-admin", "-clients", clientsFile(t, "fcplus"))
	first, second := newGoClient(t, emu, pairs[0]), newGoClient(t, emu, pairs[2])
	status, body := adminCall(t, emu, http.MethodPost, "faults/inject", "application/json",
		`{"faults": [{"fault": "FaultWrongNonce", "client_id": "fs-rsa-oaep", "count": 2}]}`)
	require.Equal(t, http.StatusOK, status, body)

	_, err := tryLogin(t, emu, pairs[0], first, newBrowser(t, emu))
	require.NoError(t, err, "another client's fault is not taken")
	_, err = tryLogin(t, emu, pairs[2], second, newBrowser(t, emu))
	require.ErrorIs(t, err, franceconnect.ErrNonceMismatch)
	require.Equal(t, 1, listFaults(t, emu, "").Pending[0].Count)
	_, err = tryLogin(t, emu, pairs[2], second, newBrowser(t, emu))
	require.ErrorIs(t, err, franceconnect.ErrNonceMismatch)
	_, err = tryLogin(t, emu, pairs[2], second, newBrowser(t, emu))
	require.NoError(t, err, "applied twice")

	status, body = adminCall(t, emu, http.MethodPost, "faults/inject", "application/json",
		`{"faults": [{"fault": "FaultAccessDenied", "client_id": "fs-rsa-oaep"}, {"fault": "FaultAccessDenied"}]}`)
	require.Equal(t, http.StatusOK, status, body)
	status, body = adminCall(t, emu, http.MethodPost, "faults/clear", "application/json", `{"client_id": "fs-rsa-oaep"}`)
	require.Equal(t, http.StatusOK, status)
	require.JSONEq(t, `{"pending": [{"fault": "FaultAccessDenied", "count": 1}]}`, body)
}

func TestAdminFaultsCatalogue(t *testing.T) {
	emu := startEmulator(t, "-admin", "-platform", "fc", "-keys-dir", sharedKeysDir, "-clients", clientsFile(t, "fc"))
	all := listFaults(t, emu, "")
	require.Equal(t, "FranceConnect", all.Platform)
	var nonce *struct {
		Name, Description, Step, Expected, Outcome string
		Platforms                                  []string
	}
	for i := range all.Available {
		if all.Available[i].Name == "FaultWrongNonce" {
			nonce = &all.Available[i]
		}
	}
	require.NotNil(t, nonce)
	require.Equal(t, "token", nonce.Step)
	require.Equal(t, "refuse", nonce.Outcome)
	require.Equal(t, []string{"FranceConnect+", "FranceConnect", "ProConnect"}, nonce.Platforms)
	require.NotEmpty(t, nonce.Description)
	require.Contains(t, nonce.Expected, "Refuse the id_token")
	require.Contains(t, all.Elsewhere, "FaultRefreshOtherSub")
	require.Contains(t, all.Elsewhere, "FaultACRHigher")

	signedOnly := listFaults(t, emu, "?client_id=fs-es256")
	names := map[string]bool{}
	for _, f := range signedOnly.Available {
		names[f.Name] = true
	}
	require.True(t, names["FaultEncrypted"])
	require.False(t, names["FaultUnencrypted"], "not for a signed-only client")
	require.Less(t, len(signedOnly.Available), len(all.Available))
	status, body := adminCall(t, emu, http.MethodGet, "faults?client_id=nobody", "", "")
	require.Equal(t, http.StatusNotFound, status)
	require.Contains(t, body, `no client \"nobody\"`)

	for _, tc := range []struct{ body, want string }{
		{`{"faults": ["FaultRefreshOtherSub"]}`, "FaultRefreshOtherSub cannot apply on FranceConnect: only ProConnect issues refresh tokens"},
		{`{"faults": [{"fault": "FaultUnencrypted", "client_id": "fs-es256"}]}`, "it receives signed-only tokens"},
		{`{"faults": [{"fault": "FaultDiscoveryWrongIssuer", "client_id": "fs-es256"}]}`, "cannot be aimed at a client_id"},
		{`{"faults": [{"fault": "FaultWrongNonce", "login": "nobody"}]}`, `no identity \"nobody\"`},
		{`{"faults": [{"fault": "FaultWrongNonce", "when": "now"}]}`, "unknown field"},
	} {
		status, body := adminCall(t, emu, http.MethodPost, "faults/inject", "application/json", tc.body)
		require.Equal(t, http.StatusBadRequest, status, tc.body)
		require.Contains(t, body, tc.want)
	}
	require.Empty(t, pendingFaults(t, emu), "a refused fault does not linger")
}

func TestAdminRequests(t *testing.T) {
	emu := startEmulator(t, "-admin", "-clients", clientsFile(t, "fcplus"))
	for _, tc := range []struct {
		method, path, contentType, body string
		status                          int
		contains                        string
	}{
		{"POST", "faults/inject", "application/x-www-form-urlencoded", "faults=FaultWrongNonce",
			http.StatusUnsupportedMediaType, "application/json"},
		{"POST", "faults/inject", "text/plain", `{"faults": ["FaultWrongNonce"]}`,
			http.StatusUnsupportedMediaType, "application/json"},
		{"POST", "faults/inject", "application/json", `{"fault": "FaultWrongNonce"}`,
			http.StatusBadRequest, "unknown field"},
		{"POST", "faults/inject", "application/json", `{"faults": []}`, http.StatusBadRequest, "name the faults"},
		{"POST", "faults/inject", "application/json", `{"faults": ["FaultNone"]}`, http.StatusBadRequest,
			"unknown fault"},
		{"POST", "faults/clear", "text/plain", "", http.StatusUnsupportedMediaType, "application/json"},
		{"POST", "clock", "application/json", `{"advance": "-1s"}`, http.StatusBadRequest, "only moves forward"},
		{"POST", "clock", "application/json", `{"advance": "soon"}`, http.StatusBadRequest, "want a duration"},
		{"POST", "keys/rotate", "application/json", `{"keep_old": "-1m"}`, http.StatusBadRequest, "keep_old"},
		{"GET", "faults/inject", "", "", http.StatusNotFound, "no admin endpoint GET /_emulator/faults/inject"},
		{"GET", "nothing", "", "", http.StatusNotFound, "see GET faults, POST faults/inject"},
	} {
		status, body := adminCall(t, emu, tc.method, tc.path, tc.contentType, tc.body)
		require.Equal(t, tc.status, status, "%s %s %s: %s", tc.method, tc.path, tc.body, body)
		require.Contains(t, body, tc.contains)
	}
	require.Empty(t, pendingFaults(t, emu))

	status, body := adminCall(t, emu, http.MethodGet, "clients", "", "")
	require.Equal(t, http.StatusOK, status)
	var list struct {
		Clients []struct {
			ID           string   `json:"client_id"`
			RedirectURIs []string `json:"redirect_uris"`
			EncAlg       string   `json:"id_token_encrypted_response_alg"`
			JWKSURI      string   `json:"jwks_uri"`
		}
	}
	require.NoError(t, json.Unmarshal([]byte(body), &list))
	require.Len(t, list.Clients, 3)
	require.Equal(t, "fs-rsa-oaep-256", list.Clients[1].ID)
	require.Equal(t, "RSA-OAEP-256", list.Clients[1].EncAlg)
	require.NotEmpty(t, list.Clients[1].JWKSURI)
	require.Equal(t, []string{callbackURL}, list.Clients[0].RedirectURIs)
	for _, p := range pairs {
		require.NotContains(t, body, p.secret(), "never the secrets")
	}
	require.Contains(t, emu.summary, "admin API   "+emu.base()+"/_emulator/")
}

func TestAdminRefusesOtherHosts(t *testing.T) {
	emu := startEmulator(t, "-admin", "-clients", clientsFile(t, "fcplus"))
	for host, want := range map[string]int{
		"evil.example": http.StatusForbidden, "evil.example:80": http.StatusForbidden,
		"127.0.0.1.evil.example": http.StatusForbidden, "localhost.evil.example": http.StatusForbidden,
		"10.0.0.1": http.StatusForbidden, "[2001:db8::1]:8090": http.StatusForbidden,
		"localhost:8090": http.StatusOK, "LOCALHOST.": http.StatusOK, "app.localhost": http.StatusOK,
		"127.0.0.1": http.StatusOK, "127.1.2.3:1": http.StatusOK, "[::1]:8090": http.StatusOK,
	} {
		status, body := adminRequest(t, emu, http.MethodPost, "faults/inject", "application/json",
			`{"faults": ["FaultWrongNonce"]}`, func(r *http.Request) { r.Host = host })
		require.Equal(t, want, status, "Host %s: %s", host, body)
		if want == http.StatusForbidden {
			require.Contains(t, body, "DNS rebinding")
		}
	}
	require.Len(t, pendingFaults(t, emu), 6, "only the loopback hosts injected")
	resp, err := emu.httpClient().Do(&http.Request{Method: http.MethodGet, URL: mustParse(t, emu.issuer+"/jwks"),
		Host: "evil.example", Header: http.Header{}})
	require.NoError(t, err)
	readBody(t, resp)
	require.Equal(t, http.StatusOK, resp.StatusCode, "the platform's endpoints answer any Host, as the platform does")
	require.Contains(t, emu.stderr.String(), `msg=admin method=POST path=/_emulator/faults/inject status=403`)
}

func TestAdminToken(t *testing.T) {
	token := "an-admin-token-of-32-characters!"
	emu := startEmulator(t, "-admin", "-admin-token", token, "-clients", clientsFile(t, "fcplus"))
	require.Contains(t, emu.summary, "(bearer token required)")
	for auth, want := range map[string]int{
		"": http.StatusUnauthorized, "Bearer wrong": http.StatusUnauthorized, "Basic " + token: http.StatusUnauthorized,
		"Bearer " + token[:31]: http.StatusUnauthorized, "Bearer " + token: http.StatusOK, "bearer " + token: http.StatusOK,
	} {
		status, body := adminRequest(t, emu, http.MethodGet, "clock", "", "", func(r *http.Request) {
			if auth != "" {
				r.Header.Set("Authorization", auth)
			}
		})
		require.Equal(t, want, status, "%q: %s", auth, body)
	}
	status, _ := adminCall(t, emu, http.MethodGet, "nothing", "", "")
	require.Equal(t, http.StatusUnauthorized, status, "every admin path, even unknown ones")
	require.NotContains(t, emu.stderr.String(), token, "never logged")
	require.NotContains(t, emu.summary, token, "never printed")

	t.Setenv(adminTokenEnv, token)
	fromEnv := startEmulator(t, "-admin", "-clients", clientsFile(t, "fcplus"))
	status, _ = adminCall(t, fromEnv, http.MethodGet, "clock", "", "")
	require.Equal(t, http.StatusUnauthorized, status, "the token from "+adminTokenEnv)
}

func TestAdminClockAndKeys(t *testing.T) {
	emu := startEmulator(t, "-admin", "-clients", clientsFile(t, "fcplus"))
	client := newGoClient(t, emu, pairs[0])
	status, body := adminCall(t, emu, http.MethodPost, "clock", "application/json", `{"advance": "31s"}`)
	require.Equal(t, http.StatusOK, status, body)
	var clock struct {
		Now    time.Time `json:"now"`
		Offset string    `json:"offset"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &clock))
	require.Equal(t, "31s", clock.Offset)
	require.WithinDuration(t, time.Now().Add(31*time.Second), clock.Now, 5*time.Second)

	// The code expires while the relying party waits: no sleeping.
	auth, err := client.Authorize(t.Context(), franceconnect.AuthRequest{Claims: franceconnect.RequestAMR()})
	require.NoError(t, err)
	cb, _ := newBrowser(t, emu).login(t, auth.URL, "camille")
	status, _ = adminCall(t, emu, http.MethodPost, "clock", "application/json", `{"advance": "31s"}`)
	require.Equal(t, http.StatusOK, status)
	_, err = client.Callback(t.Context(), cb.Query(), auth.AuthState)
	require.ErrorIs(t, err, franceconnect.ErrProvider)
	require.ErrorContains(t, err, "authorization code is expired")
	require.Contains(t, emu.stderr.String(), `error=invalid_grant code=Y043F0A8 detail="grant request is invalid (authorization code is expired)"`)

	status, body = adminCall(t, emu, http.MethodPost, "keys/rotate", "application/json", `{"keep_old": "0s"}`)
	require.Equal(t, http.StatusOK, status, body)
	var rotated struct {
		Rotations []struct {
			Alg, OldKID, NewKID string
			Retired             *time.Time `json:"old_key_retired"`
		}
		Kids []string
	}
	require.NoError(t, json.Unmarshal([]byte(body), &rotated))
	require.Len(t, rotated.Rotations, 1)
	require.NotNil(t, rotated.Rotations[0].Retired)
	require.Equal(t, publishedKids(t, emu), rotated.Kids)
	require.Len(t, rotated.Kids, 1, "the old key withdrawn at once")

	status, body = adminCall(t, emu, http.MethodPost, "keys/rotate", "application/json", "")
	require.Equal(t, http.StatusOK, status, body)
	require.Len(t, publishedKids(t, emu), 2, "kept without keep_old")
	status, body = adminCall(t, emu, http.MethodGet, "keys", "", "")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, publishedKids(t, emu)[1])
}

func TestAdminOffWithoutFlag(t *testing.T) {
	emu := startEmulator(t, "-clients", clientsFile(t, "fcplus"))
	status, _ := adminCall(t, emu, http.MethodPost, "faults/inject", "application/json",
		`{"faults": ["FaultWrongNonce"]}`)
	require.Equal(t, http.StatusNotFound, status)
	for _, path := range []string{"faults", "clients", "clock"} {
		status, _ = adminCall(t, emu, http.MethodGet, path, "", "")
		require.Equal(t, http.StatusNotFound, status)
	}
	_, err := tryLogin(t, emu, pairs[0], newGoClient(t, emu, pairs[0]), newBrowser(t, emu))
	require.NoError(t, err, "no fault was injected")
	require.NotContains(t, emu.summary, "admin API")
}

func mustParse(t *testing.T, rawURL string) *url.URL {
	t.Helper()
	u, err := url.Parse(rawURL)
	require.NoError(t, err)
	return u
}
