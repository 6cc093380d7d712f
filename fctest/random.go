package fctest

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
)

// randomToken returns 32 random bytes base64url-encoded: 43 characters, the
// size of FranceConnect's opaque codes and access tokens.
func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return base64.RawURLEncoding.EncodeToString(b)
}

// randomHex returns n random bytes hex-encoded.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// newUUID returns a random version 4 UUID.
func newUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// computeSub returns FranceConnect's sub: hex(sha256(entityID + identity +
// secret)) + "v1" (spec §6, §8.1).
func computeSub(entityID, login, secret string) string {
	sum := sha256.Sum256([]byte(entityID + login + secret))
	return hex.EncodeToString(sum[:]) + "v1"
}
