package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect"
)

// adminCall sends a request to the admin API and returns the status and
// the body.
func adminCall(t *testing.T, emu *process, method, path, contentType, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, emu.base()+"/_emulator/"+path, strings.NewReader(body))
	require.NoError(t, err)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := emu.httpClient().Do(req)
	require.NoError(t, err)
	return resp.StatusCode, readBody(t, resp)
}

// pendingFaults lists the queued faults through the admin API.
func pendingFaults(t *testing.T, emu *process) []string {
	t.Helper()
	status, body := adminCall(t, emu, http.MethodGet, "faults", "", "")
	require.Equal(t, http.StatusOK, status, body)
	var answer struct{ Pending, Available []string }
	require.NoError(t, json.Unmarshal([]byte(body), &answer))
	require.Contains(t, answer.Available, "FaultWrongNonce")
	return answer.Pending
}

func TestAdminFaultsRefusedByTheClient(t *testing.T) {
	emu := startEmulator(t, "-admin", "-clients", clientsFile(t, "fcplus"))
	client := newGoClient(t, emu, pairs[0])
	require.Empty(t, pendingFaults(t, emu))

	status, body := adminCall(t, emu, http.MethodPost, "faults/inject", "application/json",
		`{"faults": ["FaultCallbackWrongState", "FaultWrongNonce"]}`)
	require.Equal(t, http.StatusOK, status, body)
	require.JSONEq(t, `{"pending": ["FaultCallbackWrongState", "FaultWrongNonce"]}`, body)

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

func TestAdminOffWithoutFlag(t *testing.T) {
	emu := startEmulator(t, "-clients", clientsFile(t, "fcplus"))
	status, _ := adminCall(t, emu, http.MethodPost, "faults/inject", "application/json",
		`{"faults": ["FaultWrongNonce"]}`)
	require.Equal(t, http.StatusNotFound, status)
	for _, path := range []string{"faults", "clients"} {
		status, _ = adminCall(t, emu, http.MethodGet, path, "", "")
		require.Equal(t, http.StatusNotFound, status)
	}
	_, err := tryLogin(t, emu, pairs[0], newGoClient(t, emu, pairs[0]), newBrowser(t, emu))
	require.NoError(t, err, "no fault was injected")
	require.NotContains(t, emu.summary, "admin API")
}
