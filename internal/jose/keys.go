package jose

import (
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"fmt"
	"math/big"
)

// minRSABits is the smallest RSA modulus accepted, for decryption and
// signature keys alike.
const minRSABits = 2048

var (
	errKeyAlg  = fmt.Errorf("%w: key alg differs from the header alg", ErrKeyMismatch)
	errKeyType = fmt.Errorf("%w: key type or curve does not fit the header alg", ErrKeyMismatch)
	errRSASize = fmt.Errorf("%w: RSA key smaller than %d bits", ErrKeyMismatch, minRSABits)
)

// PrivateKey is a relying-party decryption key, selected by the caller for a
// JWE (usually by JWEHeader.Kid).
type PrivateKey struct {
	// ID is the key id ("kid") published in the relying party's JWKS.
	ID string
	// Alg is the key management algorithm the key is registered for:
	// ECDHES, RSAOAEP256 or RSAOAEP. It must equal the JWE's alg.
	Alg string
	// ECDH is the P-256 key used with ECDHES.
	ECDH *ecdh.PrivateKey
	// RSA is the key used with RSAOAEP256 and RSAOAEP, of at least 2048 bits.
	RSA *rsa.PrivateKey
}

// fits checks that k can decrypt a JWE whose alg is alg.
func (k *PrivateKey) fits(alg string) error {
	switch {
	case k == nil:
		return errKeyType
	case k.Alg != alg:
		return errKeyAlg
	case alg == ECDHES:
		if k.ECDH == nil || k.ECDH.Curve() != ecdh.P256() {
			return errKeyType
		}
	case k.RSA == nil:
		return errKeyType
	default: // RSAOAEP256, RSAOAEP
		return modulusFits(k.RSA.N)
	}
	return nil
}

// PublicKey is a provider signature key, selected by the caller for a JWS
// (usually by JWSHeader.Kid).
type PublicKey struct {
	// ID is the key id ("kid") published in the provider's JWKS.
	ID string
	// Alg is ES256 or RS256. The empty string means the alg is inferred
	// from the key: ES256 for an ECDSA P-256 key, RS256 for an RSA key.
	Alg string
	// ECDSA is the P-256 key used with ES256.
	ECDSA *ecdsa.PublicKey
	// RSA is the key used with RS256, of at least 2048 bits.
	RSA *rsa.PublicKey
}

// fits checks that k can verify a JWS whose alg is alg. Exactly one of
// k.ECDSA and k.RSA must be set.
func (k *PublicKey) fits(alg string) error {
	switch {
	case k == nil || (k.ECDSA == nil) == (k.RSA == nil):
		return errKeyType
	case k.Alg != "" && k.Alg != alg:
		return errKeyAlg
	case alg == ES256:
		if k.ECDSA == nil || k.ECDSA.Curve != elliptic.P256() || k.ECDSA.X == nil || k.ECDSA.Y == nil {
			return errKeyType
		}
		return nil
	default: // RS256
		if k.RSA == nil {
			return errKeyType
		}
		return modulusFits(k.RSA.N)
	}
}

// modulusFits checks the size of an RSA modulus.
func modulusFits(n *big.Int) error {
	switch {
	case n == nil:
		return errKeyType
	case n.BitLen() < minRSABits:
		return errRSASize
	}
	return nil
}
