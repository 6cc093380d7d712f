package franceconnect

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDecodeClaimsIsCaseSensitive(t *testing.T) {
	var cl idClaims
	require.NoError(t, decodeClaims([]byte(`{"ISS":"a","Aud":"b","Nonce":"c","sub":"d","acr":"x","acr":"eidas2","other":1}`), &cl))
	assert.Empty(t, cl.Issuer, "ISS is not iss")
	assert.Empty(t, cl.Audience, "Aud is not aud")
	assert.Empty(t, cl.Nonce)
	assert.Equal(t, "d", cl.Subject, "embedded commonClaims are read")
	assert.Equal(t, "eidas2", cl.ACR, "the last of repeated members wins (RFC 7519 §4)")
	require.Error(t, decodeClaims([]byte(`[]`), &cl))
	require.Error(t, decodeClaims([]byte(`{"exp":null}`), &cl))
}

func TestVerifyIDTokenRefusesCaseVariantClaims(t *testing.T) {
	c := newProvider(t, FranceConnectPlus).client(t)
	k := loadTestKeys(t)
	for name, rename := range map[string][2]string{
		"Aud instead of aud":     {"aud", "Aud"},
		"ISS instead of iss":     {"iss", "ISS"},
		"Nonce instead of nonce": {"nonce", "Nonce"},
		"ACR instead of acr":     {"acr", "ACR"},
		"Exp instead of exp":     {"exp", "Exp"},
	} {
		t.Run(name, func(t *testing.T) {
			raw := tokenCase{claims: func(c map[string]any) {
				c[rename[1]] = c[rename[0]]
				delete(c, rename[0])
			}}.mint(t, k)
			idt, err := c.VerifyIDToken(context.Background(), raw, fixState0())
			require.ErrorIs(t, err, ErrInvalidIDToken)
			assert.Nil(t, idt)
		})
	}
}
