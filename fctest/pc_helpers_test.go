package fctest_test

import (
	"context"
	"crypto"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect/fctest"
)

const (
	pcClientID = "proconnect-fs"
	pcScope    = "openid given_name usual_name email uid siret siren organization_label idp_id idp_acr roles phone " +
		"belonging_population organizational_unit groups custom amr"
	certificationDirigeant = "https://proconnect.gouv.fr/assurance/certification-dirigeant"
)

// mfaLevels is the "with MFA" policy of ProConnect's documentation.
var mfaLevels = []string{"eidas0-mfa", "eidas1-mfa", "eidas2", "eidas3"}

// pcEnv is a ProConnect emulator with one registered client, signing its
// id_token and userinfo ES256 unless mutate says otherwise.
type pcEnv struct{ *env }

func newPCEnv(t *testing.T, opts fctest.Options, mutate func(*fctest.Registration)) *pcEnv {
	t.Helper()
	e := &env{t: t, clock: newClock()}
	opts.Platform = fctest.ProConnect
	if opts.Now == nil {
		opts.Now = e.clock.Now
	}
	if opts.SigningKeys == nil && opts.SigningAlg == "" {
		opts.SigningKeys = []crypto.Signer{rsaSigningKey()} // RSA generation is slow under -race
	}
	e.srv = fctest.New(t, opts)
	e.client = fctest.Registration{
		ID: pcClientID, Secret: secret, Name: "Outil des agents",
		RedirectURIs: []string{callbackURL}, PostLogoutRedirectURIs: []string{logoutURL},
		SignedResponseAlg: "ES256", UserinfoSignedResponseAlg: "ES256",
	}
	if mutate != nil {
		mutate(&e.client)
	}
	require.NoError(t, e.srv.Register(e.client))
	return &pcEnv{e}
}

// params returns a valid ProConnect authorization request, changed by kv
// pairs (an empty value deletes the parameter).
func (e *pcEnv) params(kv ...string) url.Values {
	return changed(url.Values{
		"response_type": {"code"}, "client_id": {e.client.ID}, "redirect_uri": {callbackURL},
		"scope": {pcScope}, "nonce": {testNonce}, "state": {testState},
	}, kv...)
}

func (e *pcEnv) authURL(kv ...string) string {
	return e.srv.Issuer() + "/authorize?" + e.params(kv...).Encode()
}

// callback logs agent in with the default browser and returns the query of
// the redirect to the FS callback (a code or an error).
func (e *pcEnv) callback(agent string, kv ...string) url.Values {
	e.t.Helper()
	return e.callbackWith(e.srv.SignIn, agent, kv...)
}

// callbackWith is callback with another browser's Login.
func (e *pcEnv) callbackWith(login func(context.Context, string, string) (string, error), agent string, kv ...string) url.Values {
	e.t.Helper()
	cb, err := login(context.Background(), e.authURL(kv...), agent)
	require.NoError(e.t, err)
	require.True(e.t, strings.HasPrefix(cb, callbackURL+"?"), cb)
	u, err := url.Parse(cb)
	require.NoError(e.t, err)
	return u.Query()
}

// code logs agent in and returns the authorization code.
func (e *pcEnv) code(agent string, kv ...string) string {
	e.t.Helper()
	q := e.callback(agent, kv...)
	require.NotEmpty(e.t, q.Get("code"), q.Encode())
	return q.Get("code")
}

// tokens logs agent in and redeems the code.
func (e *pcEnv) tokens(agent string, kv ...string) map[string]any {
	e.t.Helper()
	return e.exchange(e.code(agent, kv...))
}

// refreshForm is a refresh token request.
func (e *pcEnv) refreshForm(rt string) url.Values {
	return url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt},
		"client_id": {e.client.ID}, "client_secret": {string(e.client.Secret)}}
}

// verify checks token with go-jose alone, as an FS would: a compact JWS
// signed with alg, by the published key chosen by kid and alg, or by the
// client secret for HS256. It returns the claims.
func (e *pcEnv) verify(token, alg string) map[string]any {
	e.t.Helper()
	require.Equal(e.t, 2, strings.Count(token, "."), "a JWS, not a JWE")
	obj, err := jose.ParseSignedCompact(token, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(alg)})
	require.NoError(e.t, err)
	var key any = []byte(e.client.Secret)
	if alg != "HS256" {
		kid := obj.Signatures[0].Header.KeyID
		var found []jose.JSONWebKey
		for _, k := range e.providerKeys().Keys {
			if k.KeyID == kid && k.Algorithm == alg {
				found = append(found, k)
			}
		}
		require.Len(e.t, found, 1, "one published key with kid %q and alg %s", kid, alg)
		key = found[0].Key
	}
	body, err := obj.Verify(key)
	require.NoError(e.t, err)
	var claims map[string]any
	require.NoError(e.t, json.Unmarshal(body, &claims))
	return claims
}

// essential returns a claims parameter requiring the acr to be one of
// values.
func essential(values ...string) string {
	b, _ := json.Marshal(map[string]any{"id_token": map[string]any{"acr": map[string]any{"essential": true, "values": values}}})
	return string(b)
}

// requireACRNotSatisfied checks ProConnect's Y020032 redirect.
func requireACRNotSatisfied(t *testing.T, e *pcEnv, q url.Values) {
	t.Helper()
	require.Equal(t, []string{"error", "error_description", "error_uri", "iss", "state"}, keysOfValues(q))
	require.Equal(t, "access_denied", q.Get("error"))
	require.Equal(t, "requested ACRs could not be satisfied", q.Get("error_description"))
	require.Equal(t, testState, q.Get("state"))
	require.Equal(t, e.srv.Issuer(), q.Get("iss"))
	u, err := url.Parse(q.Get("error_uri"))
	require.NoError(t, err)
	require.Equal(t, "Y020032", u.Query().Get("code"))
}

// challengeOf is the S256 PKCE challenge of verifier.
func challengeOf(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// hs256 signs claims with HS256 keyed by key, as a forger would.
func hs256(t *testing.T, claims map[string]any, key string) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: []byte(key)}, nil)
	require.NoError(t, err)
	body, err := json.Marshal(claims)
	require.NoError(t, err)
	obj, err := signer.Sign(body)
	require.NoError(t, err)
	compact, err := obj.CompactSerialize()
	require.NoError(t, err)
	return compact
}
