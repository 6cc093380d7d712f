// Package credential holds what a service provider is given or makes to
// sign in with FranceConnect, shared by the franceconnect package and its
// emulator, fctest: the client secret, a type that never prints, marshals
// or logs its value, and the generation of encryption keys.
package credential

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"log/slog"
)

// Redacted is what a secret prints as.
const Redacted = "[redacted]"

// Secret is a client secret. Its String, GoString, Format, MarshalJSON and
// LogValue give "[redacted]" (or "" when empty), so that it cannot leak
// through logs, errors or JSON by accident; convert with string(s) to use it.
type Secret string

// String returns "[redacted]" (or "" when empty).
func (s Secret) String() string { return Redact(string(s)) }

// GoString returns the redacted form.
func (s Secret) GoString() string { return s.String() }

// Format prints the redacted form for every verb.
func (s Secret) Format(f fmt.State, _ rune) { fmt.Fprint(f, s.String()) }

// MarshalJSON encodes the redacted form.
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// LogValue logs the redacted form.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

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
