package fctest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"fmt"
	"slices"

	jose "github.com/go-jose/go-jose/v4"
)

// SigningAlgs returns the signature algorithms a server of platform p
// publishes a key for when Options.SigningAlg is zero: ES256 on
// FranceConnect+, ES256 and RS256 on FranceConnect and ProConnect (whose
// HS256 needs no provider key); nil for an unknown platform.
func (p Platform) SigningAlgs() []string {
	switch p {
	case FranceConnectPlus:
		return []string{algES256}
	case FranceConnect, ProConnect:
		return []string{algES256, algRS256}
	}
	return nil
}

// GenerateSigningKey creates a provider signing key for alg: an
// *ecdsa.PrivateKey on P-256 for "ES256", an *rsa.PrivateKey of 2048 bits
// for "RS256". Give it to Options.SigningKeys, for instance after storing it
// so that a restarted server keeps its keys.
func GenerateSigningKey(alg string) (crypto.Signer, error) {
	k, err := newSigningKey(alg)
	if err != nil {
		return nil, err
	}
	return k.priv, nil
}

// givenSigningKeys checks the keys of Options.SigningKeys against the
// published algorithms algs and returns them by algorithm.
func givenSigningKeys(algs []string, given []crypto.Signer) (map[string]*signingKey, error) {
	out := make(map[string]*signingKey, len(given))
	for i, priv := range given {
		k, err := signingKeyOf(priv)
		if err != nil {
			return nil, fmt.Errorf("fctest: SigningKeys[%d]: %w", i, err)
		}
		switch {
		case !slices.Contains(algs, k.alg):
			return nil, fmt.Errorf("fctest: SigningKeys[%d] is an %s key; this server publishes only %v", i, k.alg, algs)
		case out[k.alg] != nil:
			return nil, fmt.Errorf("fctest: SigningKeys[%d] is a second %s key; give one per algorithm", i, k.alg)
		}
		out[k.alg] = k
	}
	return out, nil
}

// signingKeyOf returns priv as a provider key: its algorithm follows from its
// type and its kid is its RFC 7638 SHA-256 thumbprint.
func signingKeyOf(priv crypto.Signer) (*signingKey, error) {
	var alg string
	switch k := priv.(type) {
	case *ecdsa.PrivateKey:
		if k.Curve != elliptic.P256() {
			return nil, fmt.Errorf("ECDSA keys must be on P-256 (ES256)")
		}
		alg = algES256
	case *rsa.PrivateKey:
		if k.N.BitLen() < 2048 {
			return nil, fmt.Errorf("RSA keys must have at least 2048 bits, not %d", k.N.BitLen())
		}
		alg = algRS256
	default:
		return nil, fmt.Errorf("unsupported key type %T: want *ecdsa.PrivateKey (ES256) or *rsa.PrivateKey (RS256)", priv)
	}
	thumb, err := (&jose.JSONWebKey{Key: priv.Public()}).Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, err
	}
	return &signingKey{alg: alg, kid: b64.EncodeToString(thumb), priv: priv}, nil
}
