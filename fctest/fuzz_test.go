package fctest_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/go-franceconnect/franceconnect/fctest"
)

// FuzzHostileInput sends arbitrary query strings, bodies and tokens to every
// endpoint: the emulator must answer without a server error and stay up.
func FuzzHostileInput(f *testing.F) {
	for _, seed := range []string{
		"", "a=b", "%zz", "client_id=" + clientID, "scope=openid&scope=openid", "claims={\"id_token\":[1]}",
		"id_token_hint=a.b.c", "id_token_hint=" + strings.Repeat("A.", 4), "token=" + strings.Repeat("x", 43),
		"grant_type=authorization_code&code=x&client_id=" + clientID + "&client_secret=" + secret,
		"redirect_uri=http://[::1", "acr_values=eidas2&nonce=" + strings.Repeat("n", 30), "\x00\xff",
	} {
		f.Add(seed)
	}
	srv, err := fctest.NewServer(fctest.Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(srv.Close)
	if err := srv.Register(fctest.Registration{ID: clientID, Secret: secret, RedirectURIs: []string{callbackURL},
		PostLogoutRedirectURIs: []string{logoutURL}, JWKS: fsKeys["ECDH-ES"]().pub}); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(hostile(srv))
}

// FuzzProConnectHostileInput is FuzzHostileInput on ProConnect, with its
// own parameters, PKCE and refresh tokens.
func FuzzProConnectHostileInput(f *testing.F) {
	for _, seed := range []string{
		"", "prompt=none", "prompt=none&prompt=login", "code_challenge=x&code_challenge_method=S256",
		"claims={\"id_token\":{\"acr\":{\"essential\":true,\"values\":null}}}", "siret_hint=" + strings.Repeat("1", 14),
		"grant_type=refresh_token&refresh_token=" + strings.Repeat("r", 43) + "&client_id=" + pcClientID + "&client_secret=" + secret,
		"id_token_hint=eyJhbGciOiJIUzI1NiJ9.e30.x", "login_hint=a@b", "\x00\xff",
	} {
		f.Add(seed)
	}
	srv, err := fctest.NewServer(fctest.Options{Platform: fctest.ProConnect, SigningAlg: "ES256"})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(srv.Close)
	if err := srv.Register(fctest.Registration{ID: pcClientID, Secret: secret, RedirectURIs: []string{callbackURL},
		PostLogoutRedirectURIs: []string{logoutURL}, SignedResponseAlg: "HS256"}); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(hostile(srv))
}

// hostile returns the fuzz function sending in to every endpoint of srv.
func hostile(srv *fctest.Server) func(*testing.T, string) {
	client := srv.NewBrowser().HTTPClient()
	return func(t *testing.T, in string) {
		escaped := url.PathEscape(in)
		requests := []*http.Request{
			mustRequest(t, http.MethodGet, srv.Issuer()+"/authorize?"+in, ""),
			mustRequest(t, http.MethodPost, srv.Issuer()+"/authorize", in),
			mustRequest(t, http.MethodGet, srv.Issuer()+"/session/end?"+in, ""),
			mustRequest(t, http.MethodPost, srv.Issuer()+"/token", in),
			mustRequest(t, http.MethodPost, srv.Issuer()+"/token/revocation", in),
			mustRequest(t, http.MethodGet, srv.Issuer()+"/userinfo?"+in, ""),
			mustRequest(t, http.MethodGet, srv.Issuer()+"/interaction/"+escaped, ""),
			mustRequest(t, http.MethodPost, srv.Issuer()+"/interaction/"+escaped+"/login", in),
		}
		for _, req := range requests {
			if req == nil {
				continue
			}
			resp, err := client.Do(req)
			if err != nil {
				continue // the client refused to send it
			}
			resp.Body.Close()
			if resp.StatusCode >= 500 {
				t.Fatalf("%s %s: HTTP %d", req.Method, req.URL, resp.StatusCode)
			}
		}
	}
}

func mustRequest(t *testing.T, method, rawURL, body string) *http.Request {
	req, err := http.NewRequest(method, rawURL, strings.NewReader(body))
	if err != nil {
		return nil
	}
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Authorization", "Bearer "+strings.Map(func(r rune) rune {
		if r < 0x21 || r > 0x7e {
			return -1
		}
		return r
	}, body))
	return req
}
