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

// This example runs a complete FranceConnect+ login against the emulator
// with plain net/http and go-jose, the way a service provider's test would
// exercise its own client library.
func Example() {
	srv, err := fctest.NewServer(fctest.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	// Register the service provider with its public encryption key.
	privJWKS, pubJWKS, err := fctest.GenerateClientKey("ECDH-ES", "fs-enc-1")
	if err != nil {
		log.Fatal(err)
	}
	const secret = "a-secret-of-at-least-thirty-two-characters"
	err = srv.Register(fctest.Registration{
		ID: "demo-fs", Secret: secret,
		RedirectURIs: []string{"https://fs.example.fr/callback"},
		JWKS:         pubJWKS,
	})
	if err != nil {
		log.Fatal(err)
	}

	// The browser goes to authorize and the user picks "camille".
	authURL := srv.Issuer() + "/authorize?" + url.Values{
		"response_type": {"code"}, "client_id": {"demo-fs"}, "redirect_uri": {"https://fs.example.fr/callback"},
		"scope": {"openid given_name family_name"}, "acr_values": {"eidas2"},
		"state": {"state-0123456789abcdef0123456789"}, "nonce": {"nonce-0123456789abcdef0123456789"},
	}.Encode()
	callback, err := srv.SignIn(context.Background(), authURL, "camille")
	if err != nil {
		log.Fatal(err)
	}
	cb, _ := url.Parse(callback)
	fmt.Println(cb.Host+cb.Path, cb.Query().Get("state"), cb.Query().Get("iss") == srv.Issuer())

	// The service provider exchanges the code (client_secret_post).
	resp, err := http.PostForm(srv.Issuer()+"/token", url.Values{
		"grant_type": {"authorization_code"}, "code": {cb.Query().Get("code")},
		"redirect_uri": {"https://fs.example.fr/callback"}, "client_id": {"demo-fs"}, "client_secret": {secret},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		IDToken string `json:"id_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil {
		log.Fatal(err)
	}

	// The id_token is a JWE wrapping an ES256 JWS.
	var keys jose.JSONWebKeySet
	_ = json.Unmarshal(privJWKS, &keys)
	jwe, err := jose.ParseEncryptedCompact(tok.IDToken, []jose.KeyAlgorithm{jose.ECDH_ES}, []jose.ContentEncryption{jose.A256GCM})
	if err != nil {
		log.Fatal(err)
	}
	inner, err := jwe.Decrypt(keys.Keys[0].Key)
	if err != nil {
		log.Fatal(err)
	}
	jws, err := jose.ParseSignedCompact(string(inner), []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		log.Fatal(err)
	}
	var claims map[string]any
	_ = json.Unmarshal(jws.UnsafePayloadWithoutVerification(), &claims)
	fmt.Println(claims["acr"], claims["sub"] == srv.Subject("demo-fs", "camille"))
	// Output:
	// fs.example.fr/callback state-0123456789abcdef0123456789 true
	// eidas3 true
}

// InjectFault makes the next flow misbehave; here the user "cancels" at the
// identity provider and the service provider receives access_denied.
func ExampleServer_InjectFault() {
	srv, err := fctest.NewServer(fctest.Options{Platform: fctest.FranceConnect, SigningAlg: "ES256"})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	_ = srv.Register(fctest.Registration{
		ID: "demo-fs", Secret: "a-secret-of-at-least-thirty-two-characters",
		RedirectURIs: []string{"http://localhost:8080/callback"},
	})
	srv.InjectFault(fctest.FaultAccessDenied)
	authURL := srv.Issuer() + "/authorize?" + url.Values{
		"response_type": {"code"}, "client_id": {"demo-fs"}, "redirect_uri": {"http://localhost:8080/callback"},
		"scope": {"openid"}, "acr_values": {"eidas1"},
		"state": {"state-0123456789abcdef0123456789"}, "nonce": {"nonce-0123456789abcdef0123456789"},
	}.Encode()
	callback, _ := srv.SignIn(context.Background(), authURL, "camille")
	cb, _ := url.Parse(callback)
	fmt.Println(cb.Query().Get("error"), "-", cb.Query().Get("error_description"))
	// Output: access_denied - User auth aborted
}
