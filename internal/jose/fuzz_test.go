package jose_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect/internal/jose"
)

// requireCategory fails unless err wraps one of the package's sentinels.
func requireCategory(t *testing.T, err error) {
	t.Helper()
	for _, sentinel := range []error{jose.ErrMalformed, jose.ErrAlgorithm, jose.ErrDecryption, jose.ErrSignature, jose.ErrKeyMismatch} {
		if errors.Is(err, sentinel) {
			return
		}
	}
	t.Fatalf("error without category: %v", err)
}

// FuzzParseJWE checks that no input panics, that every error has a
// category, and that only the untouched seed tokens decrypt.
func FuzzParseJWE(f *testing.F) {
	k := keys()
	genuine := map[string]bool{}
	for _, pair := range [][2]string{{jose.ECDHES, jose.ES256}, {jose.RSAOAEP256, jose.ES256}, {jose.RSAOAEP, jose.RS256}} {
		token, _, _ := nested(f, pair[0], pair[1])
		genuine[token] = true
		f.Add(token)
	}
	apu := ecdhESToken(&k.rpEC.PublicKey, `"alg":"ECDH-ES","enc":"A256GCM","apu":"QWxpY2U","apv":"Qm9i","kid":"a\u00e9",`, []byte("x"))
	genuine[apu] = true
	f.Add(apu)
	decKeys := []*jose.PrivateKey{ecdhKey(k.rpEC), decKey(jose.RSAOAEP256, k.rpRSA), decKey(jose.RSAOAEP, k.rpRSA)}

	f.Fuzz(func(t *testing.T, token string) {
		jwe, err := jose.ParseJWE(token, allKeyAlgs, allEncs)
		if err != nil {
			requireCategory(t, err)
			return
		}
		for _, key := range decKeys {
			_, err := jwe.Decrypt(key)
			if err == nil && !genuine[token] {
				t.Fatalf("a modified token decrypted: %q", token)
			}
			if err != nil {
				requireCategory(t, err)
			}
		}
	})
}

// FuzzParseJWS checks that no input panics, that every error has a
// category, and that only the untouched seed tokens verify.
func FuzzParseJWS(f *testing.F) {
	k := keys()
	genuine := map[string]bool{}
	for _, token := range []string{
		goJoseSign(f, jose.ES256, k.opEC, testClaims),
		goJoseSign(f, jose.RS256, k.opRSA, testClaims),
		rawJWS(`{"\u0061lg":"ES256","kid":"x","typ":"JWT"}`, "{}", k.opEC),
	} {
		genuine[token] = true
		f.Add(token)
	}
	verKeys := []*jose.PublicKey{verKey(k.opEC), verKey(k.opRSA)}

	f.Fuzz(func(t *testing.T, token string) {
		jws, err := jose.ParseJWS(token, allSigAlgs)
		if err != nil {
			requireCategory(t, err)
			return
		}
		for _, key := range verKeys {
			err := jws.Verify(key)
			if err == nil && !genuine[token] {
				t.Fatalf("a modified token verified: %q", token)
			}
			if err != nil {
				requireCategory(t, err)
			}
		}
		if jws.Payload() != nil && !genuine[token] {
			t.Fatalf("payload of a modified token: %q", token)
		}
	})
}

// FuzzParsePublicJWKS checks that no input panics, that only valid JSON is
// accepted, that every element of keys is either kept or counted as skipped,
// and that every key kept is usable.
func FuzzParsePublicJWKS(f *testing.F) {
	k := keys()
	f.Add([]byte(`{"keys":[` + jwk(f, &k.opEC.PublicKey, "ec", "ES256", "sig") + `,` +
		jwk(f, &k.opRSA.PublicKey, "rsa", "", "") + `,` + jwk(f, &k.p384.PublicKey, "p384", "", "sig") + `]}`))
	f.Add([]byte(`{"keys":[{"kty":"OKP"},{"kty":"EC","use":"enc"},1,null,[]],"x":{"keys":[]}}`))

	f.Fuzz(func(t *testing.T, data []byte) {
		keys, skipped, err := jose.ParsePublicJWKS(data)
		if err != nil {
			require.ErrorIs(t, err, jose.ErrMalformed)
			require.Nil(t, keys)
			return
		}
		require.True(t, json.Valid(data))
		var doc map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(data, &doc))
		var elems []json.RawMessage
		require.NoError(t, json.Unmarshal(doc["keys"], &elems))
		require.Len(t, elems, len(keys)+skipped)
		require.LessOrEqual(t, len(keys), jose.MaxJWKSKeys)
		for _, key := range keys {
			switch key.Alg {
			case jose.ES256:
				require.Nil(t, key.RSA)
				require.True(t, key.ECDSA.Curve.IsOnCurve(key.ECDSA.X, key.ECDSA.Y))
			case jose.RS256:
				require.Nil(t, key.ECDSA)
				require.GreaterOrEqual(t, key.RSA.N.BitLen(), 2048)
			default:
				t.Fatalf("key with alg %q", key.Alg)
			}
		}
	})
}
