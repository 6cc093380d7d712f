package main

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect"
)

// A data provider of the clients file calls checktoken.
func TestClientsFileDataProvider(t *testing.T) {
	key, err := franceconnect.GenerateKey(franceconnect.ECDHES, "dp")
	require.NoError(t, err)
	fsKey, err := franceconnect.GenerateKey(franceconnect.ECDHES, "fs")
	require.NoError(t, err)
	pub, err := franceconnect.PublicJWKS([]franceconnect.Key{key})
	require.NoError(t, err)
	fsPub, err := franceconnect.PublicJWKS([]franceconnect.Key{fsKey})
	require.NoError(t, err)
	file := writeFile(t, "clients.json", `[
	 {"client_id": "fs", "client_secret": "fs-secret-0123456789abcdefghijklmnopqrstuv",
	  "redirect_uris": ["http://127.0.0.1:9/callback"], "jwks": `+string(fsPub)+`},
	 {"type": "data_provider", "client_id": "dp", "client_secret": "dp-secret-0123456789abcdefghijklmnopqrstuv",
	  "scopes": ["dgfip_rfr"], "checktoken_signed_response_alg": "ES256",
	  "checktoken_encrypted_response_alg": "ECDH-ES", "checktoken_encrypted_response_enc": "A256GCM",
	  "jwks": `+string(pub)+`}]`)
	cfg, err := parseFlags([]string{"-addr", "127.0.0.1:0", "-clients", file, "-admin"}, io.Discard)
	require.NoError(t, err)
	emu, err := start(cfg, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	t.Cleanup(emu.srv.Close)
	require.Len(t, emu.clients, 1, "the data provider is not a service provider")
	for client, step := range map[string]string{"dp": "checktoken", "fs": ""} {
		resp, err := http.Get("http://" + emu.addr + "/_emulator/faults?client_id=" + client)
		require.NoError(t, err)
		var list struct{ Available []struct{ Step string } }
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&list))
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		require.NotEmpty(t, list.Available)
		for _, f := range list.Available {
			require.Equal(t, step == "checktoken", f.Step == "checktoken", "%s: a %s fault", client, f.Step)
		}
	}

	post := func(secret string) *http.Response {
		resp, err := http.PostForm(emu.srv.Issuer()+"/checktoken", url.Values{"token": {strings.Repeat("t", 43)},
			"client_id": {"dp"}, "client_secret": {secret}})
		require.NoError(t, err)
		resp.Body.Close()
		return resp
	}
	assert.Equal(t, http.StatusUnauthorized, post("wrong-secret-0123456789abcdefghijklmnop").StatusCode)
	ok := post("dp-secret-0123456789abcdefghijklmnopqrstuv")
	assert.Equal(t, http.StatusOK, ok.StatusCode)
	assert.Equal(t, "application/token-introspection+jwt", ok.Header.Get("Content-Type"))

	bad := writeFile(t, "bad.json", `[{"type": "data_provider", "client_id": "dp", "client_secret": "x", "scopes": ["dgfip_rfr"], "jwks_uri": "http://127.0.0.1:9/k"}]`)
	cfg, err = parseFlags([]string{"-addr", "127.0.0.1:0", "-clients", bad}, io.Discard)
	require.NoError(t, err)
	_, err = start(cfg, slog.New(slog.DiscardHandler))
	require.ErrorContains(t, err, `data provider "dp": client_secret: must be at least 32 characters`)
}
