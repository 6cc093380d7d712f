package credential

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewEncryptionKey(t *testing.T) {
	ec, err := NewEncryptionKey("ECDH-ES")
	require.NoError(t, err)
	assert.Equal(t, elliptic.P256(), ec.(*ecdsa.PrivateKey).Curve)
	for _, alg := range []string{"RSA-OAEP-256", "RSA-OAEP"} {
		k, err := NewEncryptionKey(alg)
		require.NoError(t, err)
		assert.Equal(t, 2048, k.(*rsa.PrivateKey).N.BitLen())
	}
	_, err = NewEncryptionKey("RSA1_5")
	require.ErrorContains(t, err, "RSA1_5")
}

func TestRedact(t *testing.T) {
	assert.Equal(t, Redacted, Redact("a-client-secret-of-thirty-two-chars"))
	assert.Equal(t, "[redacted]", Redact(" "))
	assert.Empty(t, Redact(""))
}
