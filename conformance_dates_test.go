package franceconnect_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"strings"

	gojose "github.com/go-jose/go-jose/v4"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/fctest"
)

// The conformance cases of token dates: a provider (or whoever holds its
// signing key) that signs an exp or an iat far in the future, or a number
// no decoder reads exactly. Such a token is refused however well it is
// signed: an exp that never comes would keep it valid forever.
func dateCases() []confCase {
	idt, ui := franceconnect.ErrInvalidIDToken, franceconnect.ErrInvalidUserInfo
	bad := franceconnect.ErrMalformedToken
	var cases []confCase
	for _, d := range []struct {
		name  string
		value int64
	}{{"2^40 s (year 36812)", 1 << 40}, {"2^53 + 1 s (not exactly representable)", 1<<53 + 1}} {
		cases = append(cases,
			confCase{id: "fc-id_token-exp-range", name: "id_token exp of " + d.name, setup: fcPlus,
				before: resignTokens("exp", d.value, true), run: defaultLogin, want: []error{idt, bad}},
			confCase{id: "fc-id_token-iat-range", name: "id_token iat of " + d.name, setup: fcPlus,
				before: resignTokens("iat", d.value, true), run: defaultLogin, want: []error{idt, bad}},
			confCase{id: "fc-userinfo-exp-range", name: "userinfo exp of " + d.name, setup: fcPlus,
				before: resignTokens("exp", d.value, false), run: defaultLogin, want: []error{ui, bad}},
			confCase{id: "fc-userinfo-iat-range", name: "userinfo iat of " + d.name, setup: fcPlus,
				before: resignTokens("iat", d.value, false), run: defaultLogin, want: []error{ui, bad}},
		)
	}
	return append(cases, confCase{id: "fc-id_token-exp-range", name: "id_token exp of 2^40 - 1 s, the last date read",
		setup: fcPlus, before: resignTokens("exp", 1<<40-1, true), run: defaultLogin})
}

// resignTokens replaces the case's emulator by one whose ES256 signing key
// the test holds, and sets claim to value in the id_token (or the
// userinfo) in transit: decrypted with the FS key, signed again under the
// same kid, encrypted again to the FS key.
func resignTokens(claim string, value int64, idToken bool) func(*confEnv) {
	return func(e *confEnv) {
		signer, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			e.t.Fatal(err)
		}
		e.srv = fctest.New(e.t, fctest.Options{SigningKeys: []crypto.Signer{signer}})
		e.cfg.Issuer = e.srv.Issuer()
		edit := func(tok string) string { return resign(e, signer, tok, claim, value) }
		if idToken {
			tamperIDToken(edit)(e)
		} else {
			tamperUserinfo(edit)(e)
		}
	}
}

// resign sets claim to value in tok, a JWE wrapping an ES256 JWS.
func resign(e *confEnv, signer *ecdsa.PrivateKey, tok, claim string, value int64) string {
	private, err := franceconnect.MarshalKeys(e.cfg.DecryptionKeys)
	var fs gojose.JSONWebKeySet
	if err == nil {
		err = json.Unmarshal(private, &fs)
	}
	jwe, err2 := gojose.ParseEncryptedCompact(strings.TrimSpace(tok), []gojose.KeyAlgorithm{gojose.ECDH_ES}, []gojose.ContentEncryption{gojose.A256GCM})
	if err != nil || err2 != nil {
		e.t.Errorf("resign: %v %v", err, err2)
		return tok
	}
	inner, err := jwe.Decrypt(fs.Keys[0].Key)
	if err != nil {
		e.t.Errorf("resign: %v", err)
		return tok
	}
	jws, err := gojose.ParseSignedCompact(string(inner), []gojose.SignatureAlgorithm{gojose.ES256})
	if err != nil {
		e.t.Errorf("resign: %v", err)
		return tok
	}
	var claims map[string]any
	dec := json.NewDecoder(bytes.NewReader(jws.UnsafePayloadWithoutVerification()))
	dec.UseNumber() // the other dates stay as they were
	if err := dec.Decode(&claims); err != nil {
		e.t.Errorf("resign: %v", err)
		return tok
	}
	claims[claim] = value
	payload, _ := json.Marshal(claims)
	sig, err := gojose.NewSigner(gojose.SigningKey{Algorithm: gojose.ES256,
		Key: gojose.JSONWebKey{Key: signer, KeyID: jws.Signatures[0].Header.KeyID}}, nil)
	if err != nil {
		e.t.Errorf("resign: %v", err)
		return tok
	}
	signed, err := sig.Sign(payload)
	if err != nil {
		e.t.Errorf("resign: %v", err)
		return tok
	}
	compact, _ := signed.CompactSerialize()
	pub := fs.Keys[0].Public()
	opts := (&gojose.EncrypterOptions{}).WithContentType("JWT").
		WithHeader("iss", jwe.Header.ExtraHeaders["iss"]).WithHeader("aud", jwe.Header.ExtraHeaders["aud"])
	enc, err := gojose.NewEncrypter(gojose.A256GCM, gojose.Recipient{Algorithm: gojose.ECDH_ES, Key: pub.Key, KeyID: pub.KeyID}, opts)
	if err != nil {
		e.t.Errorf("resign: %v", err)
		return tok
	}
	obj, err := enc.Encrypt([]byte(compact))
	if err != nil {
		e.t.Errorf("resign: %v", err)
		return tok
	}
	out, _ := obj.CompactSerialize()
	return out
}
