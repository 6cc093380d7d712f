package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect"
)

// FS URLs: never contacted, the tests stop at the redirects to them.
const (
	callbackURL = "http://127.0.0.1:9/fs/callback"
	loggedOut   = "http://127.0.0.1:9/fs/logged-out"
)

// pair is one registration: a platform and its algorithm pair.
type pair struct {
	platform string // -platform value
	clientID string
	enc      string // id_token_encrypted_response_alg; "" for signed-only
	sig      string // id_token_signed_response_alg
	keysURL  bool   // publish the keys at a jwks_uri instead of inline
	// flags: registered with the -client-* flags, hence without the amr
	// claim, which clients files allow.
	flags bool
}

// pairs covers every algorithm pair of both platforms.
var pairs = []pair{
	{platform: "fcplus", clientID: "fs-ecdh-es", enc: "ECDH-ES", sig: "ES256"},
	{platform: "fcplus", clientID: "fs-rsa-oaep-256", enc: "RSA-OAEP-256", sig: "ES256", keysURL: true},
	{platform: "fcplus", clientID: "fs-rsa-oaep", enc: "RSA-OAEP", sig: "ES256"},
	{platform: "fc", clientID: "fs-es256", sig: "ES256"},
	{platform: "fc", clientID: "fs-rs256", sig: "RS256"},
}

func (p pair) secret() string { return p.clientID + "-secret-0123456789abcdefghijklmnopqrstuvwxyz" }

func (p pair) platformValue() franceconnect.Platform {
	if p.platform == "fc" {
		return franceconnect.FranceConnect
	}
	return franceconnect.FranceConnectPlus
}

func (p pair) acr() string {
	if p.platform == "fc" {
		return "eidas1"
	}
	return "eidas2"
}

// One key per kind for the whole test binary: RSA generation is slow under
// the race detector.
var (
	ecKey = sync.OnceValue(func() crypto.Signer {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			panic(err)
		}
		return k
	})
	rsaKey = sync.OnceValue(func() crypto.Signer {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		return k
	})
)

// key returns the FS decryption key of p; nil for signed-only pairs.
func (p pair) key() *franceconnect.Key {
	switch p.enc {
	case "":
		return nil
	case "ECDH-ES":
		return &franceconnect.Key{ID: p.clientID + "-key", Algorithm: p.enc, Private: ecKey()}
	}
	return &franceconnect.Key{ID: p.clientID + "-key", Algorithm: p.enc, Private: rsaKey()}
}

// publicJWKS returns the public JWK Set of p's key, built with go-jose.
func (p pair) publicJWKS(t *testing.T) []byte {
	k := p.key()
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{
		Key: k.Private.(crypto.Signer).Public(), KeyID: k.ID, Algorithm: k.Algorithm, Use: "enc"}}}
	data, err := json.Marshal(set)
	require.NoError(t, err)
	return data
}

// clientsFile writes the clients file of the pairs of platform and returns
// its path. Keys published at a jwks_uri are served by the package's
// KeysHandler on a loopback server, as an FS would.
func clientsFile(t *testing.T, platform string) string {
	t.Helper()
	var entries []map[string]any
	for _, p := range pairs {
		if p.platform != platform {
			continue
		}
		e := map[string]any{
			"client_id": p.clientID, "client_secret": p.secret(), "name": "Service " + p.clientID,
			"redirect_uris": []string{callbackURL}, "post_logout_redirect_uris": []string{loggedOut},
			"id_token_signed_response_alg": p.sig, "userinfo_signed_response_alg": p.sig, "claims": []string{"amr"},
		}
		switch {
		case p.enc == "":
		case p.keysURL:
			h, err := franceconnect.KeysHandler([]franceconnect.Key{*p.key()})
			require.NoError(t, err)
			ks := httptest.NewServer(h)
			t.Cleanup(ks.Close)
			e["jwks_uri"] = ks.URL + "/client/keys"
		default:
			e["jwks"] = json.RawMessage(p.publicJWKS(t))
		}
		if p.enc != "" {
			e["id_token_encrypted_response_alg"], e["id_token_encrypted_response_enc"] = p.enc, "A256GCM"
		}
		entries = append(entries, e)
	}
	data, err := json.MarshalIndent(entries, "", "  ")
	require.NoError(t, err)
	return writeFile(t, "clients.json", string(data))
}

// writeFile writes content to a new file named name and returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}

// browser plays the user's browser against the emulator process: cookies,
// redirects followed by hand, the identity-choice form posted from the
// page's HTML.
type browser struct {
	client *http.Client
	base   string
}

func newBrowser(t *testing.T, emu *process) *browser {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	c := emu.httpClient()
	c.Jar = jar
	return &browser{client: c, base: emu.base()}
}

// identityForm matches each identity's form on the identity-choice page.
var identityForm = regexp.MustCompile(`(?s)<form method="post" action="([^"]+)">\s*` +
	`<input type="hidden" name="login" value="([^"]+)">`)

// login opens authURL and goes through the emulator as the identity login.
// It returns the redirect to the FS and whether the identity-choice page
// was shown.
func (b *browser) login(t *testing.T, authURL, login string) (*url.URL, bool) {
	t.Helper()
	loc := b.redirect(t, b.get(t, authURL))
	if !strings.HasPrefix(loc.String(), b.base+"/") {
		return loc, false // -auto-login: straight back to the FS
	}
	resp := b.get(t, loc.String())
	require.Equal(t, http.StatusOK, resp.StatusCode)
	page := readBody(t, resp)
	var action string
	for _, m := range identityForm.FindAllStringSubmatch(page, -1) {
		if m[2] == login {
			action = m[1]
		}
	}
	require.NotEmpty(t, action, "no form for %q on the identity-choice page", login)
	target, err := loc.Parse(action)
	require.NoError(t, err)
	resp, err = b.client.PostForm(target.String(), url.Values{"login": {login}})
	require.NoError(t, err)
	return b.redirect(t, resp), true
}

// logout opens a session/end URL and returns where the emulator sends the
// browser back.
func (b *browser) logout(t *testing.T, logoutURL string) *url.URL {
	t.Helper()
	return b.redirect(t, b.get(t, logoutURL))
}

func (b *browser) get(t *testing.T, rawURL string) *http.Response {
	t.Helper()
	resp, err := b.client.Get(rawURL)
	require.NoError(t, err)
	return resp
}

// redirect checks resp is a 303 and returns its Location.
func (b *browser) redirect(t *testing.T, resp *http.Response) *url.URL {
	t.Helper()
	body := readBody(t, resp)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, body)
	loc, err := resp.Request.URL.Parse(resp.Header.Get("Location"))
	require.NoError(t, err)
	return loc
}

func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(body)
}

// withoutQuery returns u without its query.
func withoutQuery(u *url.URL) string {
	v := *u
	v.RawQuery = ""
	return v.String()
}
