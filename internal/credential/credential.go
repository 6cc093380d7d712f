// Package credential holds what the franceconnect package and its
// emulator, fctest, share about a service provider's credentials: the
// redacted form that their Secret types print, marshal and log, and the
// generation of encryption keys. Each package declares its own Secret type
// on top of Redact.
package credential

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
)

// Redacted is what a secret prints as.
const Redacted = "[redacted]"

// Redact returns "[redacted]" for a non-empty value, "" otherwise.
func Redact(s string) string {
	if s == "" {
		return ""
	}
	return Redacted
}

// NewEncryptionKey generates a private key for a JWE key management
// algorithm: EC P-256 for "ECDH-ES", RSA-2048 for "RSA-OAEP-256" and
// "RSA-OAEP".
func NewEncryptionKey(alg string) (crypto.Signer, error) {
	switch alg {
	case "ECDH-ES":
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "RSA-OAEP-256", "RSA-OAEP":
		return rsa.GenerateKey(rand.Reader, 2048)
	}
	return nil, fmt.Errorf("algorithm %q (want ECDH-ES, RSA-OAEP-256 or RSA-OAEP)", alg)
}
