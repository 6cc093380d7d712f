package jose_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"strings"
	"testing"

	gojose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect/internal/jose"
)

func TestSegments(t *testing.T) {
	for token, want := range map[string]int{"": 1, "a": 1, "a.b.c": 3, "a.b.c.d.e": 5, "....": 5} {
		require.Equal(t, want, jose.Segments(token), token)
	}
	require.Zero(t, testing.AllocsPerRun(10, func() { jose.Segments("a.b.c.d.e") }))
}

// TestRoundTrip decrypts and verifies tokens made by go-jose, for every pair
// of key management and signature algorithms.
func TestRoundTrip(t *testing.T) {
	for _, keyAlg := range allKeyAlgs {
		for _, sigAlg := range allSigAlgs {
			t.Run(keyAlg+"+"+sigAlg, func(t *testing.T) {
				token, dec, ver := nested(t, keyAlg, sigAlg)
				jwe, err := jose.ParseJWE(token, []string{keyAlg}, allEncs)
				require.NoError(t, err)
				require.Equal(t, jose.JWEHeader{Alg: keyAlg, Enc: jose.A256GCM, Kid: "rp-key", Cty: "JWT",
					Iss: testIssuer, Aud: testClientID}, jwe.Header)
				plaintext, err := jwe.Decrypt(dec)
				require.NoError(t, err)

				jws, err := jose.ParseJWS(string(plaintext), []string{sigAlg})
				require.NoError(t, err)
				require.Equal(t, jose.JWSHeader{Alg: sigAlg, Kid: "op-key"}, jws.Header)
				require.Nil(t, jws.Payload(), "payload before Verify")
				require.NoError(t, jws.Verify(ver))
				require.Equal(t, testClaims, string(jws.Payload()))
			})
		}
	}
}

// parseDecrypt runs ParseJWE then, if it succeeded, Decrypt.
func parseDecrypt(token string, key *jose.PrivateKey, algs, encs []string) (plaintext []byte, parseErr, decryptErr error) {
	jwe, parseErr := jose.ParseJWE(token, algs, encs)
	if parseErr != nil {
		return nil, parseErr, nil
	}
	plaintext, decryptErr = jwe.Decrypt(key)
	return plaintext, nil, decryptErr
}

// flip changes the base64url character at i, which must not be the last
// one, of the segment seg of token.
func flip(token string, seg, i int) string {
	parts := strings.Split(token, ".")
	b := []byte(parts[seg])
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	parts[seg] = string(b)
	return strings.Join(parts, ".")
}

// nonCanonical sets an unused trailing bit in the last character of segment
// seg of token, whose length must not be a multiple of 4.
func nonCanonical(token string, seg int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	parts := strings.Split(token, ".")
	s := parts[seg]
	v := strings.IndexByte(alphabet, s[len(s)-1])
	parts[seg] = s[:len(s)-1] + string(alphabet[v|1])
	return strings.Join(parts, ".")
}

// replaceSegment sets segment seg of token to v.
func replaceSegment(token string, seg int, v string) string {
	parts := strings.Split(token, ".")
	parts[seg] = v
	return strings.Join(parts, ".")
}

// editHeader rewrites the protected header of token with old replaced by new.
func editHeader(token, old, new string) string {
	hdr := string(must(b64.DecodeString(strings.Split(token, ".")[0])))
	return replaceSegment(token, 0, b64.EncodeToString([]byte(strings.Replace(hdr, old, new, 1))))
}

// TestJWEChecks runs one token per check of ParseJWE and Decrypt. Tokens
// built by hand are valid apart from the one property under test, as the
// control cases show.
func TestJWEChecks(t *testing.T) {
	k := keys()
	good, dec, _ := nested(t, jose.ECDHES, jose.ES256)
	goodRSA, decRSA, _ := nested(t, jose.RSAOAEP256, jose.ES256)
	ecTo, rsaTo := &k.rpEC.PublicKey, &k.rpRSA.PublicKey
	pt := []byte(`a.b.c`)
	const es = `"alg":"ECDH-ES","enc":"A256GCM",`
	const oaep = `{"alg":"RSA-OAEP-256","enc":"A256GCM"`
	cek := make([]byte, 32)
	epk, ecCEK := ecdhESParts(ecTo, nil, nil)
	offCurve := ecJWK(make([]byte, 32), []byte(strings.Repeat("\x01", 32)), "P-256")
	longX := ecJWK(make([]byte, 33), make([]byte, 32), "P-256")
	sha1EK := must(rsa.EncryptOAEP(sha1.New(), rand.Reader, rsaTo, cek, nil))
	shortCEK := must(rsa.EncryptOAEP(sha1.New(), rand.Reader, rsaTo, cek[:16], nil))

	tests := []struct {
		name    string
		token   string
		key     *jose.PrivateKey
		algs    []string // default allKeyAlgs
		encs    []string // default allEncs
		want    error    // nil: must decrypt
		atParse bool     // the error must come from ParseJWE
	}{
		{name: "control ECDH-ES", token: ecdhESToken(ecTo, es, pt), key: dec},
		{name: "control RSA-OAEP-256", token: rsaToken(rsaTo, oaep+"}", pt), key: decRSA},
		{name: "unknown members skipped, keys matched exactly", key: dec,
			token: ecdhESToken(ecTo, es+`"ALG":"dir","Enc":"A128GCM","x":[1,{"y":null}],"n":-1.5e3,`, pt)},
		{name: "escaped member names", key: dec, token: ecdhESToken(ecTo, `"\u0061lg":"ECDH-ES","enc":"A256\u0047CM",`, pt)},
		{name: "whitespace", key: dec, token: ecdhESToken(ecTo, " \n\t\"alg\" : \"ECDH-ES\" ,\r\"enc\":\"A256GCM\", ", pt)},
		{name: "b64 true", key: dec, token: ecdhESToken(ecTo, es+`"b64":true,`, pt)},

		{name: "empty", token: "", want: jose.ErrMalformed, atParse: true},
		{name: "3 segments", token: strings.Join(strings.Split(good, ".")[:3], "."), want: jose.ErrMalformed, atParse: true},
		{name: "4 segments", token: strings.Join(strings.Split(good, ".")[:4], "."), want: jose.ErrMalformed, atParse: true},
		{name: "6 segments", token: good + ".AAAA", want: jose.ErrMalformed, atParse: true},
		{name: "oversized", token: ecdhESToken(ecTo, es, make([]byte, jose.MaxTokenSize)), key: dec, want: jose.ErrMalformed, atParse: true},
		{name: "truncated header", token: replaceSegment(good, 0, strings.Split(good, ".")[0][:40]), want: jose.ErrMalformed, atParse: true},
		{name: "empty header", token: replaceSegment(good, 0, ""), want: jose.ErrMalformed, atParse: true},
		{name: "truncated IV", token: replaceSegment(good, 2, strings.Split(good, ".")[2][:12]), want: jose.ErrMalformed, atParse: true},
		{name: "truncated tag", token: good[:len(good)-1], want: jose.ErrMalformed, atParse: true},
		{name: "empty tag", token: replaceSegment(good, 4, ""), want: jose.ErrMalformed, atParse: true},
		{name: "long IV", token: replaceSegment(good, 2, b64.EncodeToString(make([]byte, 16))), want: jose.ErrMalformed, atParse: true},
		{name: "non-canonical base64", token: nonCanonical(good, 4), want: jose.ErrMalformed, atParse: true},
		{name: "padding", token: good + "==", want: jose.ErrMalformed, atParse: true},
		{name: "newline", token: replaceSegment(good, 3, "\n"+strings.Split(good, ".")[3]), want: jose.ErrMalformed, atParse: true},
		{name: "standard alphabet", token: replaceSegment(good, 3, "+/"+strings.Split(good, ".")[3][2:]), want: jose.ErrMalformed, atParse: true},

		{name: "alg none", token: rawJWE(`{"alg":"none","enc":"A256GCM"}`, nil, cek, pt), algs: []string{"none"}, want: jose.ErrAlgorithm, atParse: true},
		{name: "alg dir", token: rawJWE(`{"alg":"dir","enc":"A256GCM"}`, nil, cek, pt), algs: []string{"dir"}, want: jose.ErrAlgorithm, atParse: true},
		{name: "alg RSA1_5", token: rawJWE(`{"alg":"RSA1_5","enc":"A256GCM"}`, []byte{1}, cek, pt), algs: []string{"RSA1_5"}, want: jose.ErrAlgorithm, atParse: true},
		{name: "alg HS256", token: rawJWE(`{"alg":"HS256","enc":"A256GCM"}`, []byte{1}, cek, pt), algs: []string{"HS256"}, want: jose.ErrAlgorithm, atParse: true},
		{name: "alg ECDH-ES+A256KW", token: ecdhESToken(ecTo, `"alg":"ECDH-ES+A256KW","enc":"A256GCM",`, pt), algs: []string{"ECDH-ES+A256KW"}, want: jose.ErrAlgorithm, atParse: true},
		{name: "alg not in list", token: good, algs: []string{jose.RSAOAEP256}, want: jose.ErrAlgorithm, atParse: true},
		{name: "alg of other case", token: ecdhESToken(ecTo, `"alg":"ecdh-es","enc":"A256GCM",`, pt), algs: []string{"ecdh-es"}, want: jose.ErrAlgorithm, atParse: true},
		{name: "enc A128GCM", token: rawJWE(`{"alg":"RSA-OAEP-256","enc":"A128GCM"}`, []byte{1}, cek[:16], pt), encs: []string{"A128GCM", jose.A256GCM}, want: jose.ErrAlgorithm, atParse: true},
		{name: "enc not in list", token: good, encs: []string{}, want: jose.ErrAlgorithm, atParse: true},
		{name: "zip", token: ecdhESToken(ecTo, es+`"zip":"DEF",`, pt), want: jose.ErrAlgorithm, atParse: true},
		{name: "crit", token: ecdhESToken(ecTo, es+`"crit":["exp"],"exp":1,`, pt), want: jose.ErrAlgorithm, atParse: true},
		{name: "jku", token: ecdhESToken(ecTo, es+`"jku":"https://attacker.example/jwks",`, pt), want: jose.ErrAlgorithm, atParse: true},
		{name: "jwk", token: ecdhESToken(ecTo, es+`"jwk":`+epk+`,`, pt), want: jose.ErrAlgorithm, atParse: true},
		{name: "x5u", token: ecdhESToken(ecTo, es+`"x5u":"https://attacker.example/cert",`, pt), want: jose.ErrAlgorithm, atParse: true},
		{name: "b64 false", token: ecdhESToken(ecTo, es+`"b64":false,`, pt), want: jose.ErrAlgorithm, atParse: true},

		{name: "alg missing", token: ecdhESToken(ecTo, `"enc":"A256GCM",`, pt), want: jose.ErrMalformed, atParse: true},
		{name: "enc missing", token: ecdhESToken(ecTo, `"alg":"ECDH-ES",`, pt), want: jose.ErrMalformed, atParse: true},
		{name: "alg not a string", token: ecdhESToken(ecTo, `"alg":1,"enc":"A256GCM",`, pt), want: jose.ErrMalformed, atParse: true},
		{name: "duplicate kid", token: ecdhESToken(ecTo, es+`"kid":"a","kid":"b",`, pt), want: jose.ErrMalformed, atParse: true},
		{name: "duplicate alg, escaped", token: ecdhESToken(ecTo, es+`"\u0061lg":"dir",`, pt), want: jose.ErrMalformed, atParse: true},
		{name: "duplicate unknown member", token: ecdhESToken(ecTo, es+`"foo":1,"foo":1,`, pt), want: jose.ErrMalformed, atParse: true},
		{name: "duplicate epk member", token: rawJWE(`{`+es+`"epk":{"kty":"EC","kty":"EC"}}`, nil, cek, pt), want: jose.ErrMalformed, atParse: true},
		{name: "trailing comma", token: rawJWE(`{`+es+`"epk":`+epk+`,}`, nil, ecCEK, pt), want: jose.ErrMalformed, atParse: true},
		{name: "data after the object", token: rawJWE(`{`+es+`"epk":`+epk+`}{}`, nil, ecCEK, pt), want: jose.ErrMalformed, atParse: true},
		{name: "header is an array", token: rawJWE(`["ECDH-ES"]`, nil, cek, pt), want: jose.ErrMalformed, atParse: true},
		{name: "invalid UTF-8", token: ecdhESToken(ecTo, es+"\"kid\":\"\xff\",", pt), want: jose.ErrMalformed, atParse: true},
		{name: "lone surrogate", token: ecdhESToken(ecTo, es+`"kid":"\ud800",`, pt), want: jose.ErrMalformed, atParse: true},
		{name: "control character", token: ecdhESToken(ecTo, es+"\"kid\":\"\x01\",", pt), want: jose.ErrMalformed, atParse: true},
		{name: "too deep", token: ecdhESToken(ecTo, es+`"x":`+strings.Repeat("[", 40)+strings.Repeat("]", 40)+",", pt), want: jose.ErrMalformed, atParse: true},
		{name: "ECDH-ES with encrypted key", token: replaceSegment(good, 1, "AAAA"), want: jose.ErrMalformed, atParse: true},
		{name: "ECDH-ES without epk", token: rawJWE(`{`+es+`"kid":"a"}`, nil, cek, pt), want: jose.ErrMalformed, atParse: true},
		{name: "epk not an object", token: rawJWE(`{`+es+`"epk":"x"}`, nil, cek, pt), want: jose.ErrMalformed, atParse: true},
		{name: "RSA without encrypted key", token: replaceSegment(goodRSA, 1, ""), want: jose.ErrMalformed, atParse: true},
		{name: "RSA with epk", token: rsaToken(rsaTo, oaep+`,"epk":`+epk+`}`, pt), want: jose.ErrMalformed, atParse: true},

		{name: "nil key", token: good, want: jose.ErrKeyMismatch},
		{name: "RSA key for ECDH-ES", token: good, key: &jose.PrivateKey{Alg: jose.ECDHES, RSA: k.rpRSA}, want: jose.ErrKeyMismatch},
		{name: "ECDH key for RSA-OAEP-256", token: goodRSA, key: &jose.PrivateKey{Alg: jose.RSAOAEP256, ECDH: dec.ECDH}, want: jose.ErrKeyMismatch},
		{name: "key alg differs", token: goodRSA, key: decKey(jose.RSAOAEP, k.rpRSA), want: jose.ErrKeyMismatch},
		{name: "P-384 key", token: good, key: p384ECDH(), want: jose.ErrKeyMismatch},
		{name: "RSA key under 2048 bits", token: rsaToken(&k.rsa1024.PublicKey, oaep+"}", pt), key: decKey(jose.RSAOAEP256, k.rsa1024), want: jose.ErrKeyMismatch},

		{name: "RSA key with modulus only", token: goodRSA, key: &jose.PrivateKey{Alg: jose.RSAOAEP256, RSA: &rsa.PrivateKey{PublicKey: k.rpRSA.PublicKey}}, want: jose.ErrDecryption},
		{name: "wrong ECDH key", token: good, key: ecdhKey(k.rpEC2), want: jose.ErrDecryption},
		{name: "wrong RSA key", token: goodRSA, key: decKey(jose.RSAOAEP256, k.rpRSA2), want: jose.ErrDecryption},
		{name: "tampered ciphertext", token: flip(good, 3, 5), key: dec, want: jose.ErrDecryption},
		{name: "tampered tag", token: flip(good, 4, 3), key: dec, want: jose.ErrDecryption},
		{name: "tampered IV", token: flip(good, 2, 3), key: dec, want: jose.ErrDecryption},
		{name: "tampered protected header", token: editHeader(good, `"kid":"rp-key"`, `"kid":"rp-kez"`), key: dec, want: jose.ErrDecryption},
		{name: "tampered encrypted key", token: flip(goodRSA, 1, 10), key: decRSA, want: jose.ErrDecryption},
		{name: "SHA-1 OAEP labelled RSA-OAEP-256", token: rawJWE(oaep+"}", sha1EK, cek, pt), key: decRSA, want: jose.ErrDecryption},
		{name: "16-byte CEK", token: rawJWE(`{"alg":"RSA-OAEP","enc":"A256GCM"}`, shortCEK, cek[:16], pt), key: decKey(jose.RSAOAEP, k.rpRSA), want: jose.ErrDecryption},
		{name: "epk on P-384", token: goJoseEncrypt(t, jose.ECDHES, &k.p384.PublicKey, "x"), key: dec, want: jose.ErrDecryption},
		{name: "epk point not on curve", token: rawJWE(`{`+es+`"epk":`+offCurve+`}`, nil, ecCEK, pt), key: dec, want: jose.ErrDecryption},
		{name: "epk coordinate of 33 bytes", token: rawJWE(`{`+es+`"epk":`+longX+`}`, nil, ecCEK, pt), key: dec, want: jose.ErrDecryption},
		{name: "epk kty OKP", token: rawJWE(`{`+es+`"epk":`+strings.Replace(epk, `"EC"`, `"OKP"`, 1)+`}`, nil, ecCEK, pt), key: dec, want: jose.ErrDecryption},
		{name: "epk with private key", token: rawJWE(`{`+es+`"epk":`+strings.Replace(epk, `{`, `{"d":"AAAA",`, 1)+`}`, nil, ecCEK, pt), key: dec, want: jose.ErrDecryption},
		{name: "apu not base64url", token: ecdhESToken(ecTo, es+`"apu":"a+b=",`, pt), key: dec, want: jose.ErrDecryption},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			algs, encs := tt.algs, tt.encs
			if algs == nil {
				algs = allKeyAlgs
			}
			if encs == nil {
				encs = allEncs
			}
			plaintext, parseErr, decryptErr := parseDecrypt(tt.token, tt.key, algs, encs)
			switch {
			case tt.want == nil:
				require.NoError(t, parseErr)
				require.NoError(t, decryptErr)
				require.Equal(t, string(pt), string(plaintext))
			case tt.atParse:
				require.ErrorIs(t, parseErr, tt.want)
			default:
				require.NoError(t, parseErr)
				require.ErrorIs(t, decryptErr, tt.want)
			}
			if tt.want == jose.ErrDecryption {
				require.Equal(t, jose.ErrDecryption, decryptErr, "decryption errors carry no detail")
			}
		})
	}
}

// TestJWEHeaderValues checks header members read as written, including
// escapes, apu/apv (cross-checked with go-jose) and an array aud.
func TestJWEHeaderValues(t *testing.T) {
	k := keys()
	apu, apv := []byte("Alice"), []byte("Bob")
	epk, cek := ecdhESParts(&k.rpEC.PublicKey, apu, apv)
	hdr := `{"alg":"ECDH-ES","enc":"A256GCM","kid":"cl\u00e9 \ud83d\udd11","cty":"JWT","typ":"JOSE",` +
		`"iss":"` + testIssuer + `","aud":["a","b"],"apu":"` + b64.EncodeToString(apu) + `","apv":"` +
		b64.EncodeToString(apv) + `","epk":` + epk + `}`
	token := rawJWE(hdr, nil, cek, []byte("secret"))

	jwe, err := jose.ParseJWE(token, allKeyAlgs, allEncs)
	require.NoError(t, err)
	require.Equal(t, jose.JWEHeader{Alg: jose.ECDHES, Enc: jose.A256GCM, Kid: "clé 🔑", Cty: "JWT", Typ: "JOSE",
		Iss: testIssuer, AudArray: true}, jwe.Header)
	plaintext, err := jwe.Decrypt(ecdhKey(k.rpEC))
	require.NoError(t, err)
	require.Equal(t, "secret", string(plaintext))

	obj, err := gojose.ParseEncryptedCompact(token, []gojose.KeyAlgorithm{gojose.ECDH_ES}, []gojose.ContentEncryption{gojose.A256GCM})
	require.NoError(t, err)
	plaintext, err = obj.Decrypt(k.rpEC)
	require.NoError(t, err, "go-jose reads the same apu/apv")
	require.Equal(t, "secret", string(plaintext))
}

// TestDecryptAgain checks that a failed Decrypt leaves the JWE usable.
func TestDecryptAgain(t *testing.T) {
	token, dec, _ := nested(t, jose.ECDHES, jose.ES256)
	jwe, err := jose.ParseJWE(token, allKeyAlgs, allEncs)
	require.NoError(t, err)
	_, err = jwe.Decrypt(ecdhKey(keys().rpEC2))
	require.ErrorIs(t, err, jose.ErrDecryption)
	first, err := jwe.Decrypt(dec)
	require.NoError(t, err)
	want := string(first)
	second, err := jwe.Decrypt(dec)
	require.NoError(t, err)
	require.Equal(t, want, string(second))
}
