package fctest_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect/fctest"
)

func TestFranceConnectSignedOnlyES256(t *testing.T) {
	e := newEnv(t, fctest.Options{Platform: fctest.FranceConnect}, nil)
	tok := e.exchange(e.code("camille", "claims", `{"id_token":{"amr":{"essential":true}}}`))
	idToken := tok["id_token"].(string)
	require.Equal(t, 2, strings.Count(idToken, "."), "FranceConnect id_tokens are not encrypted")
	h := header(t, idToken)
	require.Equal(t, []string{"alg", "kid"}, keysOf(h))
	require.Equal(t, "ES256", h["alg"])
	_, claims := e.open(idToken)
	require.Equal(t, "eidas1", claims["acr"], "always eidas1 on FranceConnect, whatever the IdP level")
	require.Equal(t, []any{"pwd"}, claims["amr"], "no origin value on FranceConnect")
	require.Len(t, claims, 9)
}

func TestFranceConnectRS256Client(t *testing.T) {
	e := newEnv(t, fctest.Options{Platform: fctest.FranceConnect}, func(c *fctest.Registration) { c.SignedResponseAlg = "RS256" })
	tok := e.exchange(e.code("camille", "scope", "openid given_name"))
	require.Equal(t, "RS256", header(t, tok["id_token"].(string))["alg"])
	_, claims := e.open(tok["id_token"].(string))
	require.Equal(t, e.srv.Subject(clientID, "camille"), claims["sub"])

	resp, body := e.get(e.srv.Issuer()+"/userinfo", tok["access_token"].(string))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "application/jwt; charset=utf-8", resp.Header.Get("Content-Type"))
	require.Equal(t, 2, strings.Count(string(body), "."))
	require.Equal(t, "RS256", header(t, string(body))["alg"], "userinfo uses the id_token algorithm")
}

func TestFranceConnectUserinfoClaims(t *testing.T) {
	e := newEnv(t, fctest.Options{Platform: fctest.FranceConnect}, nil)
	c := e.userinfo("nom_compose", "openid profile idp_birthdate idp_id birth")
	require.ElementsMatch(t, []string{"sub", "aud", "iss", "iat", "exp", "given_name", "given_name_array",
		"family_name", "birthdate", "gender", "idp_birthdate", "idp_id", "birthplace",
		"birthcountry"}, keysOf(c))
	require.Equal(t, []any{"Anne-Sophie", "Juliette"}, c["given_name_array"])
	require.Equal(t, "LEBRUN-DESCHAMPS", c["family_name"])
	require.Equal(t, c["birthdate"], c["idp_birthdate"])

	q := e.login("camille", "scope", "openid rnipp_birth")
	require.Equal(t, "invalid_scope", q.Get("error"), "no rnipp scopes on FranceConnect")
}

func TestFranceConnectOptionalEncryption(t *testing.T) {
	e := newEnv(t, fctest.Options{Platform: fctest.FranceConnect}, func(c *fctest.Registration) {
		c.EncryptedResponseAlg = "RSA-OAEP-256"
	})
	tok := e.exchange(e.code("camille"))
	require.Equal(t, 4, strings.Count(tok["id_token"].(string), "."))
	_, claims := e.open(tok["id_token"].(string))
	require.Equal(t, "eidas1", claims["acr"])
}

func TestFranceConnectLocalhostAllowedByDefault(t *testing.T) {
	const local = "http://localhost:3000/callback"
	e := newEnv(t, fctest.Options{Platform: fctest.FranceConnect}, func(c *fctest.Registration) { c.RedirectURIs = []string{local} })
	cb, err := e.srv.SignIn(context.Background(), e.authURL("redirect_uri", local), "substantiel")
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(cb, local+"?code="))
}

func TestFranceConnectInvalidACRMessage(t *testing.T) {
	e := newEnv(t, fctest.Options{Platform: fctest.FranceConnect}, nil)
	q := redirectError(t, e, e.authURL("acr_values", "eidas2 eidas3"))
	require.Equal(t, "invalid_acr", q.Get("error"))
	require.Equal(t, "acr_value is not valid, should be equal one of these values, expected eidas1, got eidas2",
		q.Get("error_description"))
}
