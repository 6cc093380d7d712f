package jose

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

const (
	epk    = `{"kty":"EC","crv":"P-256","x":"gI0GAILBdu7T53akrFmMyGcsF3n5dO7MmwNBHKW5SV0","y":"SLW_xSffzlPWrHEVI30DHM_4egVwt3NQqeUD7nMFpps"}`
	ivSeg  = "AAAAAAAAAAAAAAAA"       // 12 bytes
	tagSeg = "AAAAAAAAAAAAAAAAAAAAAA" // 16 bytes
	ekSeg  = "AQAB"
	ctSeg  = "Y2lwaGVydGV4dA"
)

// jweWith builds a compact JWE whose protected header is the JSON header;
// only its form matters to CheckJWE.
func jweWith(header, ek string) string {
	return strings.Join([]string{b64(header), ek, ivSeg, ctSeg, tagSeg}, ".")
}

func ecdhHeader(extra string) string {
	return `{"alg":"ECDH-ES","enc":"A256GCM","kid":"fs","cty":"JWT","epk":` + epk + extra + `}`
}

func jwsWith(header string) string { return b64(header) + "." + b64(`{"sub":"x"}`) + ".c2ln" }

var allKeyAlgs = []string{ECDHES, RSAOAEP256, RSAOAEP}

func TestCheckJWEAccepts(t *testing.T) {
	for name, tok := range map[string]string{
		"ECDH-ES as FranceConnect+ sends it": jweWith(ecdhHeader(`,"iss":"https://fc/api/v2","aud":"client"`), ""),
		"RSA-OAEP-256":                       jweWith(`{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"fs","cty":"JWT"}`, ekSeg),
		"aud as a one-element array":         jweWith(ecdhHeader(`,"aud":["client"]`), ""),
		"apu and apv":                        jweWith(ecdhHeader(`,"apu":"QWxpY2U","apv":"Qm9i"`), ""),
		"x5c and x5t#S256, never used":       jweWith(ecdhHeader(`,"x5c":["MIIB"],"x5t#S256":"abc"`), ""),
		"b64 true":                           jweWith(ecdhHeader(`,"b64":true`), ""),
		"escaped member names":               jweWith(`{"\u0061lg":"RSA-OAEP","enc":"A256GCM"}`, ekSeg),
	} {
		t.Run(name, func(t *testing.T) {
			h, err := CheckJWE(tok, allKeyAlgs)
			require.NoError(t, err)
			require.NoError(t, h.Unlisted())
			assert.Equal(t, A256GCM, h.Enc)
		})
	}
	h, err := CheckJWE(jweWith(ecdhHeader(`,"iss":"https://fc/api/v2","aud":"client"`), ""), allKeyAlgs)
	require.NoError(t, err)
	assert.Equal(t, Header{Alg: ECDHES, Enc: A256GCM, Kid: "fs", Cty: "JWT", Iss: "https://fc/api/v2", Aud: []string{"client"}}, h)
}

// The policy's refusals, one rule each, with the category the error wraps.
func TestCheckJWERefuses(t *testing.T) {
	good := jweWith(ecdhHeader(""), "")
	segs := strings.Split(good, ".")
	for _, tt := range []struct {
		name, token string
		want        error
	}{
		{"four segments", strings.Join(segs[:4], "."), ErrMalformed},
		{"six segments", good + ".", ErrMalformed},
		{"JSON serialisation", `{"protected":"` + segs[0] + `"}`, ErrMalformed},
		{"whitespace in a segment", segs[0] + ".." + ivSeg[:8] + "\n" + ivSeg[8:] + "." + ctSeg + "." + tagSeg, ErrMalformed},
		{"space after the token", good + " ", ErrMalformed},
		{"padding", segs[0] + "..AAAAAAAAAAAAAAAA." + ctSeg + "==." + tagSeg, ErrMalformed},
		{"standard base64 alphabet", segs[0] + "..AAAAAAAAAAAAAA+/." + ctSeg + "." + tagSeg, ErrMalformed},
		{"non-canonical: unused bits set", segs[0] + ".." + ivSeg + ".Y2lwaGVydGV4dB." + tagSeg, ErrMalformed},
		{"impossible length", segs[0] + ".." + ivSeg + "." + ctSeg + "AAA." + tagSeg, ErrMalformed},
		{"token too long", segs[0] + ".." + ivSeg + "." + strings.Repeat("A", MaxTokenSize) + "." + tagSeg, ErrMalformed},
		{"header too large", jweWith(ecdhHeader(`,"x5c":["`+strings.Repeat("A", MaxHeaderSize)+`"]`), ""), ErrMalformed},
		{"repeated member", jweWith(ecdhHeader(`,"kid":"other"`), ""), ErrMalformed},
		{"repeated member written with an escape", jweWith(ecdhHeader(`,"k\u0069d":"other"`), ""), ErrMalformed},
		{"repeated member inside epk", jweWith(`{"alg":"ECDH-ES","enc":"A256GCM","epk":{"kty":"EC","kty":"RSA"}}`, ""), ErrMalformed},
		{"33 members", jweWith(ecdhHeader(manyMembers(28)), ""), ErrMalformed},
		{"nested too deep", jweWith(ecdhHeader(`,"x5c":`+strings.Repeat("[", MaxDepth)+strings.Repeat("]", MaxDepth)), ""), ErrMalformed},
		{"invalid UTF-8", jweWith(ecdhHeader(",\"kid\xff\":1"), ""), ErrMalformed},
		{"lone surrogate in a name", jweWith(ecdhHeader(`,"\ud800":1`), ""), ErrMalformed},
		{"not an object", jweWith(`["alg","ECDH-ES"]`, ""), ErrMalformed},
		{"trailing data", jweWith(ecdhHeader("")+"{}", ""), ErrMalformed},
		{"crit", jweWith(ecdhHeader(`,"crit":["exp"],"exp":1`), ""), ErrAlgorithm},
		{"crit empty", jweWith(ecdhHeader(`,"crit":[]`), ""), ErrAlgorithm},
		{"zip", jweWith(ecdhHeader(`,"zip":"DEF"`), ""), ErrAlgorithm},
		{"jku", jweWith(ecdhHeader(`,"jku":"https://evil/jwks"`), ""), ErrAlgorithm},
		{"jwk", jweWith(ecdhHeader(`,"jwk":`+epk), ""), ErrAlgorithm},
		{"x5u", jweWith(ecdhHeader(`,"x5u":"https://evil/cert"`), ""), ErrAlgorithm},
		{"b64 false", jweWith(ecdhHeader(`,"b64":false`), ""), ErrAlgorithm},
		{"alg missing", jweWith(`{"enc":"A256GCM"}`, ekSeg), ErrMalformed},
		{"enc missing", jweWith(`{"alg":"RSA-OAEP"}`, ekSeg), ErrMalformed},
		{"alg dir", jweWith(`{"alg":"dir","enc":"A256GCM"}`, ""), ErrAlgorithm},
		{"alg RSA1_5", jweWith(`{"alg":"RSA1_5","enc":"A256GCM"}`, ekSeg), ErrAlgorithm},
		{"alg ECDH-ES+A256KW", jweWith(`{"alg":"ECDH-ES+A256KW","enc":"A256GCM","epk":`+epk+`}`, ekSeg), ErrAlgorithm},
		{"alg not among our keys'", jweWith(`{"alg":"RSA-OAEP","enc":"A256GCM"}`, ekSeg), ErrAlgorithm},
		{"enc A128GCM", jweWith(`{"alg":"RSA-OAEP-256","enc":"A128GCM"}`, ekSeg), ErrAlgorithm},
		{"alg of the wrong type", jweWith(`{"alg":["RSA-OAEP-256"],"enc":"A256GCM"}`, ekSeg), ErrMalformed},
		{"kid of the wrong type", jweWith(`{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":1}`, ekSeg), ErrMalformed},
		{"aud of the wrong type", jweWith(ecdhHeader(`,"aud":{"a":1}`), ""), ErrMalformed},
		{"aud array of numbers", jweWith(ecdhHeader(`,"aud":[1]`), ""), ErrMalformed},
		{"ECDH-ES with an encrypted key", jweWith(ecdhHeader(""), ekSeg), ErrMalformed},
		{"RSA-OAEP-256 without an encrypted key", jweWith(`{"alg":"RSA-OAEP-256","enc":"A256GCM"}`, ""), ErrMalformed},
		{"ECDH-ES without epk", jweWith(`{"alg":"ECDH-ES","enc":"A256GCM"}`, ""), ErrMalformed},
		{"epk not an object", jweWith(`{"alg":"ECDH-ES","enc":"A256GCM","epk":"x"}`, ""), ErrMalformed},
		{"epk with RSA", jweWith(`{"alg":"RSA-OAEP-256","enc":"A256GCM","epk":`+epk+`}`, ekSeg), ErrMalformed},
		{"apu not canonical", jweWith(ecdhHeader(`,"apu":"QWxpY2V"`), ""), ErrMalformed},
		{"apv padded", jweWith(ecdhHeader(`,"apv":"Qm9i=="`), ""), ErrMalformed},
		{"apu not a string", jweWith(ecdhHeader(`,"apu":1`), ""), ErrMalformed},
		{"IV of 16 bytes", segs[0] + "..AAAAAAAAAAAAAAAAAAAAAA." + ctSeg + "." + tagSeg, ErrMalformed},
		{"tag of 12 bytes", segs[0] + ".." + ivSeg + "." + ctSeg + "." + ivSeg, ErrMalformed},
	} {
		t.Run(tt.name, func(t *testing.T) {
			algs := allKeyAlgs
			if tt.name == "alg not among our keys'" {
				algs = []string{RSAOAEP256}
			}
			_, err := CheckJWE(tt.token, algs)
			require.ErrorIs(t, err, tt.want)
		})
	}
}

func TestUnlistedMembersAreReportedAfterAuthentication(t *testing.T) {
	h, err := CheckJWE(jweWith(ecdhHeader(`,"x-extra":true`), ""), allKeyAlgs)
	require.NoError(t, err, "not before decryption")
	require.ErrorIs(t, h.Unlisted(), ErrMalformed)
	s, err := CheckJWS(jwsWith(`{"alg":"ES256","kid":"k","ALG":"none"}`), []string{ES256})
	require.NoError(t, err, "not before the signature")
	require.ErrorIs(t, s.Unlisted(), ErrMalformed, "ALG is not alg")
}

func TestCheckJWS(t *testing.T) {
	h, err := CheckJWS(jwsWith(`{"alg":"ES256","kid":"pkcs11:hsm"}`), []string{ES256})
	require.NoError(t, err)
	assert.Equal(t, Header{Alg: ES256, Kid: "pkcs11:hsm"}, h)
	for _, tt := range []struct {
		name, token string
		want        error
	}{
		{"alg none", b64(`{"alg":"none"}`) + "." + b64(`{}`) + ".", ErrAlgorithm},
		{"HS256", jwsWith(`{"alg":"HS256","kid":"k"}`), ErrAlgorithm},
		{"RS256 where only ES256 is allowed", jwsWith(`{"alg":"RS256"}`), ErrAlgorithm},
		{"ES512", jwsWith(`{"alg":"ES512"}`), ErrAlgorithm},
		{"alg missing", jwsWith(`{"kid":"k"}`), ErrMalformed},
		{"empty signature", b64(`{"alg":"ES256"}`) + "." + b64(`{}`) + ".", ErrMalformed},
		{"repeated alg", jwsWith(`{"alg":"ES256","alg":"none"}`), ErrMalformed},
		{"repeated alg, escaped", jwsWith(`{"alg":"ES256","\u0061lg":"none"}`), ErrMalformed},
		{"crit", jwsWith(`{"alg":"ES256","crit":["b64"],"b64":false}`), ErrAlgorithm},
		{"b64 false", jwsWith(`{"alg":"ES256","b64":false}`), ErrAlgorithm},
		{"jwk", jwsWith(`{"alg":"ES256","jwk":` + epk + `}`), ErrAlgorithm},
		{"jku", jwsWith(`{"alg":"ES256","jku":"https://evil"}`), ErrAlgorithm},
		{"kid not a string", jwsWith(`{"alg":"ES256","kid":7}`), ErrMalformed},
		{"five segments", jweWith(ecdhHeader(""), ""), ErrMalformed},
		{"empty", "", ErrMalformed},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := CheckJWS(tt.token, []string{ES256})
			require.ErrorIs(t, err, tt.want)
		})
	}
}

func TestCanonical(t *testing.T) {
	for s, want := range map[string]bool{
		"": true, "QQ": true, "QUI": true, "QUJD": true, "Qm9i": true,
		"Q": false, "QR": false, "QUJ": false, "QQ==": false, "Q Q": false, "QQ\n": false, "Q+": false, "Q/": false,
	} {
		assert.Equal(t, want, canonical(s), "%q", s)
	}
}

func manyMembers(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(`,"m` + strings.Repeat("x", i) + `":0`)
	}
	return b.String()
}

// categorised fails unless err wraps one of the package's sentinels.
func categorised(t *testing.T, err error) {
	t.Helper()
	for _, sentinel := range []error{ErrMalformed, ErrAlgorithm, ErrDecryption, ErrSignature, ErrKeyMismatch} {
		if errors.Is(err, sentinel) {
			return
		}
	}
	t.Fatalf("error without a category: %v", err)
}

// FuzzCheckJWE checks that no input panics, that every refusal has a
// category, and that what passes has the shape the policy promises.
func FuzzCheckJWE(f *testing.F) {
	f.Add(jweWith(ecdhHeader(`,"iss":"https://fc/api/v2","aud":"client"`), ""))
	f.Add(jweWith(`{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"fs","cty":"JWT"}`, ekSeg))
	f.Add(jweWith(ecdhHeader(`,"apu":"QWxpY2U","apv":"Qm9i","x5c":["MIIB"]`), ""))
	f.Fuzz(func(t *testing.T, token string) {
		h, err := CheckJWE(token, allKeyAlgs)
		if err != nil {
			categorised(t, err)
			return
		}
		segs := strings.Split(token, ".")
		switch {
		case len(segs) != 5 || len(token) > MaxTokenSize:
			t.Fatalf("accepted %d segments, %d bytes", len(segs), len(token))
		case h.Enc != A256GCM || (h.Alg == ECDHES) != (segs[1] == ""):
			t.Fatalf("accepted alg %q enc %q with an encrypted key of %d characters", h.Alg, h.Enc, len(segs[1]))
		}
		for _, s := range segs {
			if b, err := base64.RawURLEncoding.Strict().DecodeString(s); err != nil || base64.RawURLEncoding.EncodeToString(b) != s {
				t.Fatalf("accepted a segment that is not canonical base64url: %q", s)
			}
		}
	})
}

// FuzzCheckJWS is FuzzCheckJWE for signed tokens.
func FuzzCheckJWS(f *testing.F) {
	f.Add(jwsWith(`{"alg":"ES256","kid":"pkcs11:hsm"}`))
	f.Add(jwsWith(`{"alg":"RS256","kid":"k","typ":"JWT","x5t#S256":"abc"}`))
	f.Add(b64(`{"alg":"none"}`) + "." + b64(`{}`) + ".")
	f.Fuzz(func(t *testing.T, token string) {
		h, err := CheckJWS(token, []string{ES256, RS256})
		if err != nil {
			categorised(t, err)
			return
		}
		segs := strings.Split(token, ".")
		if len(segs) != 3 || segs[2] == "" || h.Alg != ES256 && h.Alg != RS256 {
			t.Fatalf("accepted %q with alg %q", token, h.Alg)
		}
	})
}

// FuzzParsePublicJWKS checks that no key set panics and that every key kept
// fits its algorithm.
func FuzzParsePublicJWKS(f *testing.F) {
	k := testKeys()
	t := &testing.T{}
	f.Add(set(jwk(t, &k.ec.PublicKey, "es", `,"use":"sig"`), jwk(t, &k.rsa.PublicKey, "rs", ``)))
	f.Add([]byte(`{"keys":[{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		keys, _, err := ParsePublicJWKS(data)
		if err != nil {
			categorised(t, err)
			return
		}
		for _, key := range keys {
			switch pub := key.Key.(type) {
			case *ecdsa.PublicKey:
				require.Equal(t, ES256, key.Alg)
				require.Equal(t, elliptic.P256(), pub.Curve)
			case *rsa.PublicKey:
				require.Equal(t, RS256, key.Alg)
				require.GreaterOrEqual(t, pub.N.BitLen(), MinRSABits)
				require.LessOrEqual(t, pub.N.BitLen(), MaxRSABits)
			default:
				t.Fatalf("kept a %T", key.Key)
			}
		}
	})
}
