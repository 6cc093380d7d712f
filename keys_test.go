package franceconnect

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGenerateMarshalParseKeys(t *testing.T) {
	var keys []Key
	for _, alg := range []string{ECDHES, RSAOAEP256, RSAOAEP} {
		k, err := GenerateKey(alg, "")
		require.NoError(t, err)
		assert.Len(t, k.ID, 43, "thumbprint kid")
		keys = append(keys, k)
	}
	_, err := GenerateKey("RSA1_5", "x")
	require.ErrorIs(t, err, ErrConfig)

	priv, err := MarshalKeys(keys)
	require.NoError(t, err)
	back, err := ParseKeys(priv)
	require.NoError(t, err)
	require.Len(t, back, 3)
	for i := range keys {
		assert.Equal(t, keys[i].ID, back[i].ID)
		assert.Equal(t, keys[i].Algorithm, back[i].Algorithm)
	}
	path := filepath.Join(t.TempDir(), "keys.json")
	require.NoError(t, os.WriteFile(path, priv, 0o600))
	loaded, err := LoadKeys(path)
	require.NoError(t, err)
	assert.Len(t, loaded, 3)

	pub, err := PublicJWKS(keys)
	require.NoError(t, err)
	var set struct {
		Keys []map[string]any `json:"keys"`
	}
	require.NoError(t, json.Unmarshal(pub, &set))
	require.Len(t, set.Keys, 3)
	for i, k := range set.Keys {
		assert.Equal(t, "enc", k["use"])
		assert.Equal(t, keys[i].Algorithm, k["alg"])
		assert.Equal(t, keys[i].ID, k["kid"])
		assert.NotContains(t, k, "d", "public JWKS must not contain private parts")
		assert.NotContains(t, k, "p")
	}
	_, err = ParseKeys(pub)
	require.ErrorIs(t, err, ErrConfig, "public keys cannot decrypt")
}

func TestParseKeysRefusals(t *testing.T) {
	ec, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	small, _ := rsa.GenerateKey(rand.Reader, 1024)
	good, _ := GenerateKey(ECDHES, "k1")
	goodJSON, _ := MarshalKeys([]Key{good})
	withUse := strings.Replace(string(goodJSON), `"use": "enc"`, `"use": "sig"`, 1)
	withAlg := strings.Replace(string(goodJSON), `"alg": "ECDH-ES"`, `"alg": "RSA-OAEP-256"`, 1)
	for name, in := range map[string][]byte{
		"garbage":       []byte("not keys"),
		"use sig":       []byte(withUse),
		"alg mismatch":  []byte(withAlg),
		"P-384":         pemOf(t, ec),
		"RSA-1024":      pemOf(t, small),
		"empty PEM":     []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
		"empty set":     []byte(`{"keys":[{}]}`),
		"duplicate kid": []byte(`{"keys":[` + jsonKey(t, goodJSON) + `,` + jsonKey(t, goodJSON) + `]}`),
	} {
		_, err := ParseKeys(in)
		require.ErrorIs(t, err, ErrConfig, name)
	}
}

func jsonKey(t *testing.T, set []byte) string {
	var s struct{ Keys []json.RawMessage }
	require.NoError(t, json.Unmarshal(set, &s))
	return string(s.Keys[0])
}

func pemOf(t *testing.T, k any) []byte {
	der, err := x509.MarshalPKCS8PrivateKey(k)
	require.NoError(t, err)
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

func TestParsePEMKeys(t *testing.T) {
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	rs, _ := rsa.GenerateKey(rand.Reader, 2048)
	ecDER, _ := x509.MarshalECPrivateKey(ec)
	in := append(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: ecDER}),
		pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rs)})...)
	keys, err := ParseKeys(in)
	require.NoError(t, err)
	require.Len(t, keys, 2)
	assert.Equal(t, ECDHES, keys[0].Algorithm)
	assert.Equal(t, RSAOAEP256, keys[1].Algorithm)
	keys, err = ParseKeys(pemOf(t, ec))
	require.NoError(t, err)
	assert.Equal(t, ECDHES, keys[0].Algorithm)
}

func TestKeysHandlers(t *testing.T) {
	k, _ := GenerateKey(ECDHES, "k1")
	h, err := KeysHandler([]Key{k})
	require.NoError(t, err)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/client/.well-known/keys", nil))
	assert.Equal(t, 200, rec.Code)
	assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
	assert.Equal(t, "public, max-age=600", rec.Header().Get("Cache-Control"))
	assert.Contains(t, rec.Body.String(), `"kid": "k1"`)
	assert.NotContains(t, rec.Body.String(), `"d"`)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", nil))
	assert.Equal(t, 405, rec.Code)
	_, err = KeysHandler([]Key{{ID: "x", Algorithm: ECDHES}})
	require.ErrorIs(t, err, ErrConfig)

	s, err := SectorIdentifierHandler("https://a.example.fr/cb", "https://b.example.fr/cb")
	require.NoError(t, err)
	rec = httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/client/.well-known/sector-identifier", nil))
	assert.JSONEq(t, `["https://a.example.fr/cb","https://b.example.fr/cb"]`, rec.Body.String())
	_, err = SectorIdentifierHandler("https://a.example.fr/cb#x")
	require.ErrorIs(t, err, ErrConfig)
}
