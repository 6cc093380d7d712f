package franceconnect

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	gojose "github.com/go-jose/go-jose/v4"
)

// Fuzz targets of the root package (make fuzz runs them one after the
// other, with those of internal/jose and fctest). Seeds come from the
// recorded fixtures under testdata/.

// fuzzVerifier is a client a token is tried against, with the genuine
// tokens it may accept. The fixtures of both platforms share the issuer and
// the keys, and the FranceConnect client is given decryption keys, so each
// client may accept the recorded tokens of both platforms, but only as
// what they are: an id_token as an id_token, a userinfo as a userinfo.
type fuzzVerifier struct {
	name     string
	c        *Client
	st       AuthState
	idTokens map[string]bool
	userinfo map[string]bool
}

func newFuzzVerifiers(f *testing.F) []*fuzzVerifier {
	k := loadTestKeys(f)
	idTokens, userinfo := map[string]bool{}, map[string]bool{}
	for _, pair := range recordedPairs {
		idTokens[readFixture(f, pair.file("idtoken"))] = true
		userinfo[readFixture(f, pair.file("userinfo"))] = true
	}
	var out []*fuzzVerifier
	for _, platform := range []Platform{FranceConnectPlus, FranceConnect} {
		v := &fuzzVerifier{name: platform.String(), st: fixState0(), idTokens: idTokens, userinfo: userinfo}
		v.c = newProvider(f, platform).client(f, func(cfg *Config) { cfg.DecryptionKeys = k.fs })
		if platform == FranceConnect {
			v.st.ACR = EIDAS1
		}
		out = append(out, v)
	}
	return out
}

// FuzzVerifyIDToken mutates the recorded tokens (id_token and userinfo, both
// platforms, every algorithm pair) and runs them through the whole
// decrypt-then-verify path of both a FranceConnect+ and a FranceConnect
// client. No input may panic; a token may only be accepted if it is one of
// the recorded genuine tokens of its kind and platform; every refusal
// returns nothing, wraps its category and does not echo the token.
func FuzzVerifyIDToken(f *testing.F) {
	verifiers := newFuzzVerifiers(f)
	for _, pair := range recordedPairs {
		f.Add(readFixture(f, pair.file("idtoken")))
		f.Add(readFixture(f, pair.file("userinfo")))
	}
	f.Fuzz(func(t *testing.T, token string) {
		for _, v := range verifiers {
			idt, err := v.c.VerifyIDToken(context.Background(), token, v.st)
			checkFuzzRefusal(t, v, "id_token", token, idt == nil, err, ErrInvalidIDToken, v.idTokens)
			id, err := v.c.verifyUserInfo(context.Background(), token, fixSub)
			checkFuzzRefusal(t, v, "userinfo", token, id == nil, err, ErrInvalidUserInfo, v.userinfo)
		}
	})
}

func checkFuzzRefusal(t *testing.T, v *fuzzVerifier, kind, token string, nothing bool, err, category error, genuine map[string]bool) {
	t.Helper()
	if err == nil {
		if !genuine[token] {
			t.Fatalf("%s: %s accepted a token that is not a recorded one: %q", v.name, kind, token)
		}
		return
	}
	if !nothing {
		t.Fatalf("%s: %s returned a value with error %v", v.name, kind, err)
	}
	if !errors.Is(err, category) {
		t.Fatalf("%s: %s error outside its category: %v", v.name, kind, err)
	}
	if len(token) >= 32 && strings.Contains(err.Error(), token) {
		t.Fatalf("%s: %s error echoes the token", v.name, kind)
	}
}

// FuzzParseCallback checks that a callback is accepted only with exactly
// the session's state and the issuer, once each, no error and a code, and
// that every refusal wraps one of the callback categories.
func FuzzParseCallback(f *testing.F) {
	c := newProvider(f, FranceConnectPlus).client(f)
	for _, q := range []url.Values{
		{"code": {"abc"}, "state": {fixState}, "iss": {fixIssuer}},
		{"error": {"access_denied"}, "error_description": {"User auth aborted"}, "state": {fixState}, "iss": {fixIssuer}},
		{"error": {"server_error"}, "error_uri": {"https://docs.example/?code=Y000001&id=1"}, "state": {"undefined"}, "iss": {fixIssuer}},
		{"code": {"a", "b"}, "state": {fixState}, "iss": {fixIssuer}},
		{"code": {"abc"}, "state": {fixState}},
	} {
		f.Add(q.Encode(), fixState)
	}
	f.Add("code=x&state=&iss=", "")
	f.Fuzz(func(t *testing.T, rawQuery, state string) {
		query, _ := url.ParseQuery(rawQuery)
		st := AuthState{State: state, Nonce: fixNonce, ACR: EIDAS2}
		code, err := c.ParseCallback(query, st)
		var pe *ProviderError
		switch {
		case err == nil:
			if code == "" || code != query.Get("code") || query.Has("error") {
				t.Fatalf("accepted a callback without a code or with an error: %q", rawQuery)
			}
		case errors.As(err, &pe):
			if code != "" || pe.Code != query.Get("error") {
				t.Fatalf("provider error %v with code %q", err, code)
			}
		case errors.Is(err, ErrInvalidCallback), errors.Is(err, ErrStateMismatch), errors.Is(err, ErrIssuerMismatch):
			if code != "" {
				t.Fatalf("refusal %v with code %q", err, code)
			}
			return
		default:
			t.Fatalf("error outside the callback categories: %v", err)
		}
		// Accepted, or an error answer: state and iss were checked.
		for k, v := range query {
			if len(v) != 1 {
				t.Fatalf("parameter %q repeated but accepted", k)
			}
		}
		if state == "" || query.Get("state") != state || query.Get("iss") != fixIssuer {
			t.Fatalf("state or iss not checked: %q against state %q", rawQuery, state)
		}
	})
}

// FuzzDiscovery decodes and checks discovery documents for a FranceConnect+
// and a FranceConnect client, and restates the rules independently for every
// document accepted: the configured issuer, every endpoint an absolute
// http(s) URL with a host, no fragment and no user info, https except on
// loopback, client_secret_post, and algorithms we allow.
func FuzzDiscovery(f *testing.F) {
	var clients []*Client
	for _, p := range []Platform{FranceConnectPlus, FranceConnect} {
		cfg := newProvider(f, p).config()
		cfg.DecryptionKeys = loadTestKeys(f).fs
		c, err := newClient(cfg)
		if err != nil {
			f.Fatal(err)
		}
		clients = append(clients, c)
	}
	for _, name := range []string{"discovery-fcplus.json", "discovery-fc.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"issuer":"` + fixIssuer + `","jwks_uri":"http://127.0.0.1:1/x#y"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var doc discoveryDoc
		if json.Unmarshal(data, &doc) != nil {
			return
		}
		for _, c := range clients {
			if doc.check(c) != nil {
				continue
			}
			checkAcceptedDiscovery(t, c, &doc)
		}
	})
}

func checkAcceptedDiscovery(t *testing.T, c *Client, d *discoveryDoc) {
	t.Helper()
	if d.Issuer != c.issuer {
		t.Fatalf("issuer %q accepted for %q", d.Issuer, c.issuer)
	}
	endpoints := []string{d.AuthorizationEndpoint, d.TokenEndpoint, d.UserinfoEndpoint, d.EndSessionEndpoint, d.JWKSURI}
	if d.RevocationEndpoint != "" {
		endpoints = append(endpoints, d.RevocationEndpoint)
	}
	for _, e := range endpoints {
		u, err := url.Parse(e)
		if err != nil || u.Host == "" || u.User != nil || strings.Contains(e, "#") ||
			!(u.Scheme == "https" || u.Scheme == "http" && isLoopbackHost(u.Hostname())) {
			t.Fatalf("endpoint %q accepted", e)
		}
	}
	if len(d.TokenAuthMethods) > 0 && !slices.Contains(d.TokenAuthMethods, "client_secret_post") {
		t.Fatalf("token_endpoint_auth_methods_supported %q accepted", d.TokenAuthMethods)
	}
	for _, algs := range [][]string{d.IDTokenSigningAlgs, d.UserinfoSigningAlgs} {
		if len(algs) > 0 && !slices.ContainsFunc(algs, func(a string) bool { return a == "ES256" || a == "RS256" && c.platform == FranceConnect }) {
			t.Fatalf("signing algorithms %q accepted on %v", algs, c.platform)
		}
	}
	if c.platform != FranceConnectPlus {
		return
	}
	for _, algs := range [][]string{d.IDTokenEncryptionAlgs, d.UserinfoEncryptionAlgs} {
		if !slices.ContainsFunc(algs, func(a string) bool { return a == ECDHES || a == RSAOAEP256 || a == RSAOAEP }) {
			t.Fatalf("encryption algorithms %q accepted", algs)
		}
	}
	for _, encs := range [][]string{d.IDTokenEncryptionEncs, d.UserinfoEncryptionEncs} {
		if !slices.Contains(encs, "A256GCM") {
			t.Fatalf("content encryptions %q accepted", encs)
		}
	}
}

// isLoopbackHost restates the loopback rule: localhost or a loopback IP.
func isLoopbackHost(h string) bool {
	ip := net.ParseIP(h)
	return strings.EqualFold(h, "localhost") || ip != nil && ip.IsLoopback()
}

// FuzzIDTokenClaims signs and encrypts arbitrary id_token payloads like
// FranceConnect+ would (genuine ES256 signature, genuine JWE), so that the
// claim checks are what is fuzzed. A payload is accepted only if it passes
// rules written here independently: iss exactly the issuer; aud our
// client_id, alone; exp and iat numbers within the leeway, exp before 2^40
// s and iat after 1970; sub a non-empty
// string; nonce the session's; acr eidas2 or eidas3. Member names are exact
// (RFC 7519 §4) and none may be repeated.
func FuzzIDTokenClaims(f *testing.F) {
	k := loadTestKeys(f)
	c := newProvider(f, FranceConnectPlus).client(f)
	genuine, err := json.Marshal(idClaimsAt(fixNow))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(genuine)
	f.Add([]byte(`{"iss":"` + fixIssuer + `","aud":["` + fixClientID + `","x"],"sub":"s","exp":1e10,"iat":0,"nonce":"` + fixNonce + `","acr":"eidas3"}`))
	f.Add([]byte(`{"iss":"` + fixIssuer + `","aud":"` + fixClientID + `","sub":"s","exp":1768471260,"iat":null,"nonce":"` + fixNonce + `","acr":"eidas2"}`))
	f.Add([]byte(`{"iss":"` + fixIssuer + `","ISS":"x","aud":"` + fixClientID + `","sub":"s","exp":1768471260.9,"iat":1768471200,"nonce":"` + fixNonce + `","acr":"eidas2"}`))
	f.Add([]byte(`{"iss":"` + fixIssuer + `","aud":"` + fixClientID + `","sub":"s","exp":9007199254740993,"iat":1768471200,"nonce":"` + fixNonce + `","acr":"eidas2"}`))
	f.Fuzz(func(t *testing.T, payload []byte) {
		if !json.Valid(payload) || len(payload) > 16<<10 {
			return
		}
		signer, err := gojose.NewSigner(gojose.SigningKey{Algorithm: gojose.ES256, Key: k.providerES256}, nil)
		if err != nil {
			t.Fatal(err)
		}
		obj, err := signer.Sign(payload)
		if err != nil {
			t.Fatal(err)
		}
		jws, err := obj.CompactSerialize()
		if err != nil {
			t.Fatal(err)
		}
		idt, err := c.VerifyIDToken(context.Background(), encryptJWE(t, jws, k.fsKey(ECDHES), nil), fixState0())
		if err != nil {
			if idt != nil || !errors.Is(err, ErrInvalidIDToken) {
				t.Fatalf("refusal returned %v, %v", idt, err)
			}
			return
		}
		var members map[string]json.RawMessage
		if json.Unmarshal(payload, &members) != nil {
			t.Fatalf("accepted a payload that is not an object: %q", payload)
		}
		if n := topLevelMembers(payload); n != len(members) {
			t.Fatalf("accepted a payload with a repeated member (%d members, %d names): %q", n, len(members), payload)
		}
		if why := claimsRefusal(members, c); why != "" {
			t.Fatalf("accepted a payload whose %s: %q", why, payload)
		}
		if idt.Subject == "" || idt.Audience != fixClientID || idt.Issuer != fixIssuer || idt.Nonce != fixNonce {
			t.Fatalf("accepted payload %q gave %+v", payload, idt)
		}
	})
}

// topLevelMembers counts the members of a JSON object, repeated ones
// included.
func topLevelMembers(payload []byte) int {
	dec := json.NewDecoder(bytes.NewReader(payload))
	if _, err := dec.Token(); err != nil {
		return -1
	}
	n := 0
	for ; dec.More(); n++ {
		var value json.RawMessage
		if _, err := dec.Token(); err != nil || dec.Decode(&value) != nil {
			return -1
		}
	}
	return n
}

// claimsRefusal restates the id_token claim rules (spec §6) and returns why
// members must be refused, or "".
func claimsRefusal(m map[string]json.RawMessage, c *Client) string {
	present := func(name string) bool { return m[name] != nil && string(m[name]) != "null" }
	str := func(name string) (string, bool) {
		var s string
		return s, present(name) && json.Unmarshal(m[name], &s) == nil
	}
	num := func(name string) (float64, bool) {
		var n float64
		return n, present(name) && json.Unmarshal(m[name], &n) == nil
	}
	now := float64(fixNow.Unix())
	leeway := c.leeway.Seconds()
	if iss, ok := str("iss"); !ok || iss != fixIssuer {
		return "iss is not the issuer"
	}
	var aud []string
	if s, ok := str("aud"); ok {
		aud = []string{s}
	} else if json.Unmarshal(m["aud"], &aud) != nil {
		return "aud is neither a string nor an array of strings"
	}
	if len(aud) != 1 || aud[0] != fixClientID {
		return "aud is not our client_id alone"
	}
	if exp, ok := num("exp"); !ok || exp < now-leeway {
		return "exp is missing or past"
	} else if exp >= 1<<40 {
		return "exp is 2^40 s or later"
	}
	if iat, ok := num("iat"); !ok || iat > now+leeway+1 {
		return "iat is missing or in the future"
	} else if iat < 0 {
		return "iat is before 1970"
	}
	if sub, ok := str("sub"); !ok || sub == "" {
		return "sub is missing"
	}
	if nonce, ok := str("nonce"); !ok || nonce != fixNonce {
		return "nonce is not the session's"
	}
	if acr, ok := str("acr"); !ok || acr != "eidas2" && acr != "eidas3" {
		return "acr is not eidas2 or eidas3"
	}
	return ""
}
