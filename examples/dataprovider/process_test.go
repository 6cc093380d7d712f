package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/fctest"
)

// These tests run the data provider as a process configured by the
// environment only, against the emulator, and check the contract of GET
// /api/v1/me from outside.

const (
	fsSecret = "example-fs-client-secret-0123456789"
	dpSecret = "example-data-provider-secret-012345"
	callback = "http://127.0.0.1:9/callback"
)

// world is an emulator, an FS registered on it, and the data provider
// running as a process.
type world struct {
	t   *testing.T
	emu *fctest.Server
	fs  *franceconnect.Client
	api string
}

func start(t *testing.T, platform fctest.Platform) *world {
	emu := fctest.New(t, fctest.Options{Platform: platform})
	w := &world{t: t, emu: emu}
	fsReg := fctest.Registration{ID: "fs-example", Secret: fsSecret, RedirectURIs: []string{callback}}
	fsCfg := franceconnect.Config{Issuer: emu.Issuer(), ClientID: fsReg.ID, ClientSecret: fsSecret,
		RedirectURL: callback, PostLogoutRedirectURL: callback}
	dp := fctest.DataProvider{ID: "dp-example", Secret: dpSecret}
	env := []string{"FD_ISSUER=" + emu.Issuer(), "FD_CLIENT_ID=" + dp.ID, "FD_CLIENT_SECRET=" + string(dpSecret)}
	if platform == fctest.ProConnect {
		fsCfg.Platform, fsCfg.Scopes, fsCfg.UserInfo = franceconnect.ProConnect, []string{"openid", "email", "siret"}, franceconnect.UserInfoJSON
		dp.Scopes = []string{"siret"}
		env = append(env, "FD_PLATFORM=proconnect", "FD_SCOPES=siret")
	} else {
		fsCfg.Scopes = []string{"openid", "identite_pivot", "dgfip_rfr", "dgfip_nbpart"}
		fsKey, err := franceconnect.GenerateKey(franceconnect.ECDHES, "fs")
		require.NoError(t, err)
		fsCfg.DecryptionKeys = []franceconnect.Key{fsKey}
		fsReg.JWKS, err = franceconnect.PublicJWKS(fsCfg.DecryptionKeys)
		require.NoError(t, err)
		dpKey, err := franceconnect.GenerateKey(franceconnect.ECDHES, "dp")
		require.NoError(t, err)
		dp.Scopes = []string{"dgfip_rfr", "dgfip_nbpart"}
		dp.JWKS, err = franceconnect.PublicJWKS([]franceconnect.Key{dpKey})
		require.NoError(t, err)
		priv, err := franceconnect.MarshalKeys([]franceconnect.Key{dpKey})
		require.NoError(t, err)
		keys := filepath.Join(t.TempDir(), "dp-keys.json")
		require.NoError(t, os.WriteFile(keys, priv, 0o600))
		env = append(env, "FD_PLATFORM=fcplus", "FD_KEYS="+keys, "FD_SCOPES=dgfip_rfr dgfip_nbpart")
	}
	require.NoError(t, emu.Register(fsReg))
	require.NoError(t, emu.RegisterDataProvider(dp))
	var err error
	w.fs, err = franceconnect.New(context.Background(), fsCfg)
	require.NoError(t, err)
	w.api = "http://" + w.run(env)
	return w
}

// run builds and starts the program with env, and returns its address once
// it says ready.
func (w *world) run(env []string) string {
	t := w.t
	bin := filepath.Join(t.TempDir(), "dataprovider")
	build := exec.Command("go", "build", "-o", bin, ".")
	out, err := build.CombinedOutput()
	require.NoError(t, err, string(out))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	cmd := exec.Command(bin)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "ADDR=" + addr}, env...)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = io.Discard
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
	})
	ready := make(chan bool, 1)
	go func() {
		s := bufio.NewScanner(stdout)
		for s.Scan() {
			if s.Text() == "ready" {
				ready <- true
			}
		}
	}()
	select {
	case <-ready:
	case <-time.After(30 * time.Second):
		t.Fatal("the data provider did not start")
	}
	return addr
}

// login signs who in at the FS with scopes (zero: the configured ones).
func (w *world) login(who string, scopes ...string) *franceconnect.Login {
	ctx := context.Background()
	auth, err := w.fs.Authorize(ctx, franceconnect.AuthRequest{Scopes: scopes})
	require.NoError(w.t, err)
	cb, err := w.emu.SignIn(ctx, auth.URL, who)
	require.NoError(w.t, err)
	u, err := url.Parse(cb)
	require.NoError(w.t, err)
	login, err := w.fs.Callback(ctx, u.Query(), auth.AuthState)
	require.NoError(w.t, err)
	return login
}

// get calls GET /api/v1/me with an Authorization header (none when "")
// and a query.
func (w *world) get(authorization, query string) (*http.Response, map[string]any) {
	req, err := http.NewRequest(http.MethodGet, w.api+"/api/v1/me?"+query, nil)
	require.NoError(w.t, err)
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(w.t, err)
	defer resp.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp, body
}

func TestContractFranceConnectPlus(t *testing.T) {
	w := start(t, fctest.FranceConnectPlus)
	login := w.login("camille")
	tok := string(login.AccessToken)

	resp, body := w.get("Bearer "+tok, "")
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	assert.Equal(t, "application/json; charset=utf-8", resp.Header.Get("Content-Type"))
	assert.NotEmpty(t, body["sub"])
	assert.Equal(t, "fs-example", body["client_id"])
	id := body["identity"].(map[string]any)
	assert.Equal(t, "ARNAUD", id["family_name"])
	assert.Equal(t, "1984-05-23", id["birthdate"])
	assert.EqualValues(t, 812, body["quotient_familial"])

	resp, _ = w.get("Bearer "+string(w.login("ne_algerie").AccessToken), "")
	require.Equal(t, http.StatusOK, resp.StatusCode, "born abroad: an empty birthplace is fine")

	requireChallenge(t, w, "", "", http.StatusUnauthorized, "Bearer")
	requireChallenge(t, w, "", "access_token="+tok, http.StatusUnauthorized, "Bearer")
	requireChallenge(t, w, "Bearer "+strings.Repeat("x", 43), "", http.StatusUnauthorized, `Bearer error="invalid_token"`)

	revoked := w.login("camille")
	require.NoError(t, w.fs.Revoke(context.Background(), revoked.AccessToken))
	requireChallenge(t, w, "Bearer "+string(revoked.AccessToken), "", http.StatusUnauthorized, `Bearer error="invalid_token"`)

	w.emu.InjectFault(fctest.FaultIntrospectionExpired)
	requireChallenge(t, w, "Bearer "+string(w.login("camille").AccessToken), "", http.StatusUnauthorized, `Bearer error="invalid_token"`)

	narrow := w.login("camille", "openid", "identite_pivot", "dgfip_rfr")
	resp, _ = requireChallenge(t, w, "Bearer "+string(narrow.AccessToken), "", http.StatusForbidden, `Bearer error="insufficient_scope"`)
	assert.Contains(t, resp.Header.Get("WWW-Authenticate"), "dgfip_nbpart")

	jwks, err := http.Get(w.api + "/.well-known/jwks.json")
	require.NoError(t, err)
	jwks.Body.Close()
	assert.Equal(t, http.StatusOK, jwks.StatusCode, "the data provider's public keys")
}

func TestContractProConnect(t *testing.T) {
	w := start(t, fctest.ProConnect)
	tok := string(w.login("agent_mfa").AccessToken)
	resp, body := w.get("Bearer "+tok, "")
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	assert.Equal(t, w.emu.Subject("fs-example", "agent_mfa"), body["sub"])
	requireChallenge(t, w, "", "access_token="+tok, http.StatusUnauthorized, "Bearer")
	requireChallenge(t, w, "Bearer unknown-token", "", http.StatusUnauthorized, `Bearer error="invalid_token"`)
	narrow := w.login("agent_mfa", "openid", "email")
	requireChallenge(t, w, "Bearer "+string(narrow.AccessToken), "", http.StatusForbidden, `Bearer error="insufficient_scope"`)
}

func requireChallenge(t *testing.T, w *world, authorization, query string, status int, challenge string) (*http.Response, map[string]any) {
	t.Helper()
	resp, body := w.get(authorization, query)
	require.Equal(t, status, resp.StatusCode, body)
	got := resp.Header.Get("WWW-Authenticate")
	if challenge == "Bearer" {
		assert.Equal(t, "Bearer", got)
	} else {
		assert.True(t, strings.HasPrefix(got, challenge), got)
	}
	return resp, body
}
