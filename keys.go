package franceconnect

import (
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"os"
	"strings"

	gojose "github.com/go-jose/go-jose/v4"

	"github.com/go-franceconnect/franceconnect/internal/credential"
	"github.com/go-franceconnect/franceconnect/internal/jose"
)

// Key algorithms of the FS decryption keys (spec §8.3).
const (
	ECDHES     = jose.ECDHES     // EC P-256 key; the fastest choice
	RSAOAEP256 = jose.RSAOAEP256 // RSA key, OAEP with SHA-256
	RSAOAEP    = jose.RSAOAEP    // RSA key, OAEP with SHA-1 (older registrations)
)

// Key is one of the FS private decryption keys. Its public part is published
// at the registered "Client keys URL" (see KeysHandler). Key redacts itself
// when printed.
type Key struct {
	// ID is the kid; FranceConnect puts it in the JWE header.
	ID string
	// Algorithm is ECDHES, RSAOAEP256 or RSAOAEP.
	Algorithm string
	// Private is an *ecdsa.PrivateKey or *ecdh.PrivateKey on P-256 (ECDH-ES),
	// or an *rsa.PrivateKey of at least 2048 bits (RSA-OAEP*).
	Private crypto.PrivateKey
}

// GenerateKey creates a decryption key: EC P-256 for ECDHES, RSA-2048 for
// RSAOAEP256 and RSAOAEP. An empty kid is replaced by the key's RFC 7638
// thumbprint.
func GenerateKey(alg, kid string) (Key, error) {
	priv, err := credential.NewEncryptionKey(alg)
	if err != nil {
		return Key{}, wrap(ErrConfig, "GenerateKey: %v", err)
	}
	k := Key{ID: kid, Algorithm: alg, Private: priv}
	if k.ID == "" {
		if k.ID, err = thumbprint(priv); err != nil {
			return Key{}, err
		}
	}
	return k, nil
}

// thumbprint returns the RFC 7638 thumbprint of the key's public part.
func thumbprint(priv crypto.PrivateKey) (string, error) {
	if e, ok := priv.(*ecdh.PrivateKey); ok { // go-jose speaks crypto/ecdsa
		p, err := ecdsaPrivate(e)
		if err != nil {
			return "", wrap(ErrConfig, "thumbprint: %v", err)
		}
		priv = p
	}
	signer, ok := priv.(crypto.Signer)
	if !ok {
		return "", wrap(ErrConfig, "unsupported private key type %T", priv)
	}
	tp, err := (&gojose.JSONWebKey{Key: signer.Public()}).Thumbprint(crypto.SHA256)
	if err != nil {
		return "", wrap(ErrConfig, "thumbprint: %v", err)
	}
	return base64.RawURLEncoding.EncodeToString(tp), nil
}

// LoadKeys reads a file of private decryption keys: a JWK Set, a single JWK,
// or PEM private keys (see ParseKeys).
func LoadKeys(path string) ([]Key, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, wrap(ErrConfig, "reading keys: %v", err)
	}
	return ParseKeys(data)
}

// ParseKeys decodes private decryption keys from a JWK Set, a single JWK, or
// PEM blocks (PKCS #8, SEC 1 "EC PRIVATE KEY", PKCS #1 "RSA PRIVATE KEY").
// JWKs must be private, with use "enc" or no use, and an alg fitting their
// kty (absent alg: ECDH-ES for EC, RSA-OAEP-256 for RSA). PEM keys get alg
// ECDH-ES or RSA-OAEP-256 and their thumbprint as kid. Every key is checked
// as New would.
func ParseKeys(data []byte) ([]Key, error) {
	trimmed := strings.TrimSpace(string(data))
	if strings.HasPrefix(trimmed, "-----BEGIN") {
		return parsePEMKeys([]byte(trimmed))
	}
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(data, &set); err != nil {
		return nil, wrap(ErrConfig, "keys: not a JWK Set, JWK or PEM: %v", err)
	}
	if set.Keys == nil {
		set.Keys = []json.RawMessage{data}
	}
	keys := make([]Key, 0, len(set.Keys))
	for i, raw := range set.Keys {
		k, err := parseJWK(raw)
		if err != nil {
			return nil, wrap(ErrConfig, "key %d: %s", i+1, detail(err))
		}
		keys = append(keys, k)
	}
	if _, err := decryptionKeys(keys); err != nil {
		return nil, err
	}
	return keys, nil
}

func parseJWK(raw []byte) (Key, error) {
	var jwk gojose.JSONWebKey
	if err := jwk.UnmarshalJSON(raw); err != nil {
		return Key{}, wrap(ErrConfig, "invalid JWK: %v", err)
	}
	if jwk.IsPublic() {
		return Key{}, wrap(ErrConfig, "kid %q is a public key; DecryptionKeys needs the private key", jwk.KeyID)
	}
	if jwk.Use != "" && jwk.Use != "enc" {
		return Key{}, wrap(ErrConfig, "kid %q has use %q, want enc", jwk.KeyID, jwk.Use)
	}
	k := Key{ID: jwk.KeyID, Algorithm: jwk.Algorithm, Private: jwk.Key}
	if k.Algorithm == "" {
		k.Algorithm = defaultAlg(jwk.Key)
	}
	return k, nil
}

func defaultAlg(priv crypto.PrivateKey) string {
	if _, ok := priv.(*rsa.PrivateKey); ok {
		return RSAOAEP256
	}
	return ECDHES
}

func parsePEMKeys(data []byte) ([]Key, error) {
	var keys []Key
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		var priv any
		var err error
		switch block.Type {
		case "PRIVATE KEY":
			priv, err = x509.ParsePKCS8PrivateKey(block.Bytes)
		case "EC PRIVATE KEY":
			priv, err = x509.ParseECPrivateKey(block.Bytes)
		case "RSA PRIVATE KEY":
			priv, err = x509.ParsePKCS1PrivateKey(block.Bytes)
		default:
			continue // certificates, parameters
		}
		if err != nil {
			return nil, wrap(ErrConfig, "PEM %s: %v", block.Type, err)
		}
		kid, err := thumbprint(priv)
		if err != nil {
			return nil, err
		}
		keys = append(keys, Key{ID: kid, Algorithm: defaultAlg(priv), Private: priv})
	}
	if len(keys) == 0 {
		return nil, wrap(ErrConfig, "PEM: no private key found")
	}
	if _, err := decryptionKeys(keys); err != nil {
		return nil, err
	}
	return keys, nil
}

// decryptionKeys checks keys and converts them for go-jose: unique
// non-empty kids, alg fitting the key type, P-256 for EC, ≥ 2048-bit RSA.
func decryptionKeys(keys []Key) ([]decKey, error) {
	p := &problems{}
	out := checkKeys(p, keys)
	return out, p.err()
}

// checkKeys adds to p a problem for each key that cannot decrypt, and
// returns the others converted for go-jose.
func checkKeys(p *problems, keys []Key) []decKey {
	out := make([]decKey, 0, len(keys))
	seen := map[string]bool{}
	for i, k := range keys {
		switch dk, err := k.decKey(); {
		case k.ID == "":
			p.add("DecryptionKeys", "key %d has no ID (kid)", i+1)
		case seen[k.ID]:
			p.add("DecryptionKeys", "kid %q appears twice", k.ID)
		case err != nil:
			p.add("DecryptionKeys", "kid %q: %v", k.ID, err)
		default:
			out = append(out, dk)
		}
		seen[k.ID] = true
	}
	return out
}

// decKey checks that the key fits its algorithm and returns it in the form
// go-jose decrypts with: *ecdsa.PrivateKey for ECDH-ES, *rsa.PrivateKey.
func (k Key) decKey() (decKey, error) {
	dk := decKey{id: k.ID, alg: k.Algorithm}
	switch k.Algorithm {
	case ECDHES:
		p, err := ecdsaPrivate(k.Private)
		if err != nil {
			return dk, err
		}
		dk.key = p
		return dk, nil
	case RSAOAEP256, RSAOAEP:
		p, ok := k.Private.(*rsa.PrivateKey)
		if !ok {
			return dk, fmt.Errorf("%s needs an RSA private key, got %T", k.Algorithm, k.Private)
		}
		if p.N.BitLen() < jose.MinRSABits {
			return dk, fmt.Errorf("RSA key of %d bits, at least %d required", p.N.BitLen(), jose.MinRSABits)
		}
		if err := p.Validate(); err != nil {
			return dk, fmt.Errorf("invalid RSA key: %v", err)
		}
		p.Precompute()
		dk.key = p
		return dk, nil
	}
	return dk, fmt.Errorf("algorithm %q (want %s, %s or %s)", k.Algorithm, ECDHES, RSAOAEP256, RSAOAEP)
}

// ecdsaPrivate returns an EC P-256 private key as an *ecdsa.PrivateKey.
func ecdsaPrivate(priv crypto.PrivateKey) (*ecdsa.PrivateKey, error) {
	switch p := priv.(type) {
	case *ecdsa.PrivateKey:
		if p.Curve != elliptic.P256() {
			return nil, fmt.Errorf("ECDH-ES needs a P-256 key")
		}
		return p, nil
	case *ecdh.PrivateKey:
		if p.Curve() != ecdh.P256() {
			return nil, fmt.Errorf("ECDH-ES needs a P-256 key")
		}
		return ecdsa.ParseRawPrivateKey(elliptic.P256(), p.Bytes())
	}
	return nil, fmt.Errorf("ECDH-ES needs an EC P-256 private key, got %T", priv)
}

// jwk returns the go-jose form of the key, public or private.
func (k Key) jwk(public bool) (gojose.JSONWebKey, error) {
	priv := k.Private
	if e, ok := priv.(*ecdh.PrivateKey); ok { // go-jose speaks crypto/ecdsa
		p, err := ecdsaPrivate(e)
		if err != nil {
			return gojose.JSONWebKey{}, wrap(ErrConfig, "kid %q: %v", k.ID, err)
		}
		priv = p
	}
	j := gojose.JSONWebKey{Key: priv, KeyID: k.ID, Algorithm: k.Algorithm, Use: "enc"}
	if public {
		j = j.Public()
	}
	if !j.Valid() {
		return gojose.JSONWebKey{}, wrap(ErrConfig, "kid %q: invalid key", k.ID)
	}
	return j, nil
}

// MarshalKeys encodes keys as a private JWK Set, to be stored as a secret
// (e.g. the file named by FC_KEYS).
func MarshalKeys(keys []Key) ([]byte, error) { return marshalSet(keys, false) }

// PublicJWKS encodes the public parts of keys as a JWK Set with kid, use
// "enc" and alg: the document served at the "Client keys URL".
func PublicJWKS(keys []Key) ([]byte, error) { return marshalSet(keys, true) }

func marshalSet(keys []Key, public bool) ([]byte, error) {
	if _, err := decryptionKeys(keys); err != nil {
		return nil, err
	}
	set := gojose.JSONWebKeySet{Keys: make([]gojose.JSONWebKey, 0, len(keys))}
	for _, k := range keys {
		j, err := k.jwk(public)
		if err != nil {
			return nil, err
		}
		set.Keys = append(set.Keys, j)
	}
	return json.MarshalIndent(set, "", "  ")
}

// KeysHandler serves the public JWKS of keys (spec §8.3) with Content-Type
// application/json and Cache-Control public, max-age=600, for GET and HEAD.
// To rotate, publish the new key next to the old one, wait for
// FranceConnect's cache to expire, then switch.
func KeysHandler(keys []Key) (http.Handler, error) {
	body, err := PublicJWKS(keys)
	if err != nil {
		return nil, err
	}
	return staticJSON(body), nil
}

// SectorIdentifierHandler serves the sector identifier document (spec §8.2):
// a JSON array of every registered redirect URI, needed when they span
// several hosts.
func SectorIdentifierHandler(redirectURLs ...string) (http.Handler, error) {
	p := &problems{}
	for _, u := range redirectURLs {
		checkURL(p, "redirect URL", u)
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	body, err := json.Marshal(append([]string{}, redirectURLs...))
	if err != nil {
		return nil, wrap(ErrConfig, "%v", err)
	}
	return staticJSON(body), nil
}

type staticJSON []byte

func (b staticJSON) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=600")
	_, _ = w.Write(b)
}
