package fctest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/url"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/go-franceconnect/franceconnect/fctest"
)

// This example plays ProConnect: a service provider registered for HS256
// id_tokens asks for a level with two-factor authentication through claims,
// the agent "agent_mfa" signs in, and the refresh token is redeemed.
func Example_proConnect() {
	srv, err := fctest.NewServer(fctest.Options{Platform: fctest.ProConnect, SigningAlg: "ES256"})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	const secret = "a-secret-of-at-least-thirty-two-characters"
	err = srv.Register(fctest.Registration{
		ID: "agents-tool", Secret: secret,
		RedirectURIs:      []string{"https://outil.example.gouv.fr/callback"},
		SignedResponseAlg: "HS256", // no UserinfoSignedResponseAlg: the userinfo is plain JSON
	})
	if err != nil {
		log.Fatal(err)
	}

	authURL := srv.Issuer() + "/authorize?" + url.Values{
		"response_type": {"code"}, "client_id": {"agents-tool"}, "redirect_uri": {"https://outil.example.gouv.fr/callback"},
		"scope":  {"openid given_name usual_name email siret"},
		"claims": {`{"id_token":{"acr":{"essential":true,"values":["eidas0-mfa","eidas1-mfa","eidas2","eidas3"]}}}`},
		"state":  {"state-0123456789abcdef0123456789"}, "nonce": {"nonce-0123456789abcdef0123456789"},
	}.Encode()
	callback, err := srv.SignIn(context.Background(), authURL, "agent_mfa")
	if err != nil {
		log.Fatal(err)
	}
	cb, _ := url.Parse(callback)

	token := func(form url.Values) map[string]any {
		form.Set("client_id", "agents-tool")
		form.Set("client_secret", secret)
		resp, err := http.PostForm(srv.Issuer()+"/token", form)
		if err != nil {
			log.Fatal(err)
		}
		defer resp.Body.Close()
		var tok map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil {
			log.Fatal(err)
		}
		return tok
	}
	claimsOf := func(idToken string) map[string]any {
		jws, err := jose.ParseSignedCompact(idToken, []jose.SignatureAlgorithm{jose.HS256})
		if err != nil {
			log.Fatal(err)
		}
		payload, err := jws.Verify([]byte(secret)) // HS256 is keyed by the client secret
		if err != nil {
			log.Fatal(err)
		}
		var claims map[string]any
		_ = json.Unmarshal(payload, &claims)
		return claims
	}

	tok := token(url.Values{"grant_type": {"authorization_code"}, "code": {cb.Query().Get("code")},
		"redirect_uri": {"https://outil.example.gouv.fr/callback"}})
	login := claimsOf(tok["id_token"].(string))
	fmt.Println(login["acr"], login["sub"] == srv.Subject("any-client", "agent_mfa"))

	again := token(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok["refresh_token"].(string)}})
	refreshed := claimsOf(again["id_token"].(string))
	fmt.Println(refreshed["sub"] == login["sub"], refreshed["nonce"] == nil, again["refresh_token"] != tok["refresh_token"])
	// Output:
	// eidas1-mfa true
	// true true true
}
