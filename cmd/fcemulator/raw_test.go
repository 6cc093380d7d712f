package main

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/require"
)

// rawRP is a service provider written without the package: net/http for
// the protocol, go-jose for the tokens, configured like any generic OpenID
// Connect client (discovery, client_secret_post, encrypted responses).
type rawRP struct {
	t      *testing.T
	p      pair
	client *http.Client
	meta   struct {
		Issuer                string `json:"issuer"`
		AuthorizationEndpoint string `json:"authorization_endpoint"`
		TokenEndpoint         string `json:"token_endpoint"`
		UserinfoEndpoint      string `json:"userinfo_endpoint"`
		EndSessionEndpoint    string `json:"end_session_endpoint"`
		JWKSURI               string `json:"jwks_uri"`
	}
}

// rawRoundTrip logs camille in and out with the raw client.
func rawRoundTrip(t *testing.T, emu *process, p pair, page bool) {
	rp := &rawRP{t: t, p: p, client: emu.httpClient()}
	rp.getJSON(emu.issuer+"/.well-known/openid-configuration", &rp.meta)
	require.Equal(t, emu.issuer, rp.meta.Issuer)

	state, nonce := random(), random()
	authURL := rp.meta.AuthorizationEndpoint + "?" + url.Values{
		"response_type": {"code"}, "client_id": {p.clientID}, "redirect_uri": {callbackURL},
		"scope": {"openid given_name family_name birthdate email"}, "acr_values": {p.acr()},
		"state": {state}, "nonce": {nonce},
	}.Encode()
	b := newBrowser(t, emu)
	cb, sawPage := b.login(t, authURL, "camille")
	require.Equal(t, page, sawPage)
	require.Equal(t, callbackURL, withoutQuery(cb))
	require.Equal(t, state, cb.Query().Get("state"))
	require.Equal(t, emu.issuer, cb.Query().Get("iss"), "RFC 9207")

	idToken, accessToken := rp.exchange(cb.Query().Get("code"))
	hint, claims := rp.open(idToken)
	require.Equal(t, emu.issuer, claims["iss"])
	require.Equal(t, p.clientID, claims["aud"])
	require.Equal(t, nonce, claims["nonce"])
	require.Greater(t, claims["exp"], float64(time.Now().Unix()))
	if p.platform == "fc" {
		require.Equal(t, "eidas1", claims["acr"])
	} else {
		require.Equal(t, "eidas3", claims["acr"])
	}

	_, info := rp.open(rp.userinfo(accessToken))
	require.Equal(t, claims["sub"], info["sub"])
	require.Equal(t, "Camille Hélène", info["given_name"])
	require.Equal(t, "1984-05-23", info["birthdate"])

	logoutState := random()
	back := b.logout(t, rp.meta.EndSessionEndpoint+"?"+url.Values{
		"id_token_hint": {hint}, "state": {logoutState}, "post_logout_redirect_uri": {loggedOut}}.Encode())
	require.Equal(t, loggedOut+"?state="+logoutState, back.String())
}

func random() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (rp *rawRP) getJSON(rawURL string, v any) {
	resp, err := rp.client.Get(rawURL)
	require.NoError(rp.t, err)
	body := readBody(rp.t, resp)
	require.Equal(rp.t, http.StatusOK, resp.StatusCode, body)
	require.NoError(rp.t, json.Unmarshal([]byte(body), v))
}

// exchange redeems code with client_secret_post.
func (rp *rawRP) exchange(code string) (idToken, accessToken string) {
	resp, err := rp.client.PostForm(rp.meta.TokenEndpoint, url.Values{
		"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {callbackURL},
		"client_id": {rp.p.clientID}, "client_secret": {rp.p.secret()},
	})
	require.NoError(rp.t, err)
	body := readBody(rp.t, resp)
	require.Equal(rp.t, http.StatusOK, resp.StatusCode, body)
	var tok struct {
		IDToken     string `json:"id_token"`
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
	}
	require.NoError(rp.t, json.Unmarshal([]byte(body), &tok))
	require.Equal(rp.t, "Bearer", tok.TokenType)
	return tok.IDToken, tok.AccessToken
}

// userinfo fetches the userinfo token, which must be application/jwt.
func (rp *rawRP) userinfo(accessToken string) string {
	ct, body := getBearer(rp.t, rp.client, rp.meta.UserinfoEndpoint, accessToken)
	require.Equal(rp.t, "application/jwt", ct)
	return body
}

// getBearer GETs rawURL with a bearer token, expects HTTP 200 and returns
// the media type and the body.
func getBearer(t *testing.T, client *http.Client, rawURL, token string) (string, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, rawURL, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	require.NoError(t, err)
	body := readBody(t, resp)
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	return ct, body
}

// open decrypts token with the FS key when the pair encrypts (it must then
// be a JWE), verifies the signature with the emulator's JWKS under the
// registered algorithm only, and returns the JWS and its claims.
func (rp *rawRP) open(token string) (string, map[string]any) {
	jws := token
	if rp.p.enc != "" {
		require.Equal(rp.t, 4, strings.Count(token, "."), "a JWE")
		obj, err := jose.ParseEncryptedCompact(token, []jose.KeyAlgorithm{jose.KeyAlgorithm(rp.p.enc)},
			[]jose.ContentEncryption{jose.A256GCM})
		require.NoError(rp.t, err)
		require.Equal(rp.t, rp.p.key().ID, obj.Header.KeyID)
		plain, err := obj.Decrypt(rp.p.key().Private)
		require.NoError(rp.t, err)
		jws = string(plain)
	}
	require.Equal(rp.t, 2, strings.Count(jws, "."), "a JWS")
	obj, err := jose.ParseSignedCompact(jws, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(rp.p.sig)})
	require.NoError(rp.t, err)
	var set jose.JSONWebKeySet
	rp.getJSON(rp.meta.JWKSURI, &set)
	keys := set.Key(obj.Signatures[0].Header.KeyID)
	require.Len(rp.t, keys, 1, "the signing key is published")
	payload, err := obj.Verify(keys[0].Key)
	require.NoError(rp.t, err)
	var claims map[string]any
	require.NoError(rp.t, json.Unmarshal(payload, &claims))
	return jws, claims
}
