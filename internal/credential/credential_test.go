package credential

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/json"
	"fmt"
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

func TestSecretNeverShowsItself(t *testing.T) {
	s := Secret("a-client-secret-of-thirty-two-chars")
	b, err := json.Marshal(struct{ S Secret }{s})
	require.NoError(t, err)
	assert.JSONEq(t, `{"S":"[redacted]"}`, string(b))
	assert.Equal(t, "[redacted] [redacted] [redacted]", fmt.Sprintf("%v %#v %x", s, s, s))
	assert.Empty(t, Secret("").String())
	assert.Equal(t, "[redacted]", s.LogValue().String())
}
