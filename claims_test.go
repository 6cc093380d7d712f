package franceconnect

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReadClaimsByExactName(t *testing.T) {
	var cl idClaims
	all, err := readAllClaims([]byte(`{"ISS":"a","Aud":"b","Nonce":"c","sub":"d","acr":"eidas2","other":1}`), &cl)
	require.NoError(t, err)
	assert.Empty(t, cl.Issuer, "ISS is not iss")
	assert.Empty(t, cl.Audience, "Aud is not aud")
	assert.Empty(t, cl.Nonce)
	assert.Equal(t, "d", cl.Subject, "common claims are read")
	assert.Equal(t, "eidas2", cl.ACR)
	assert.Len(t, all, 6, "every member is returned")
}

func TestReadClaimsRefuses(t *testing.T) {
	for name, payload := range map[string]string{
		"repeated member":          `{"acr":"eidas1","acr":"eidas3","sub":"s"}`,
		"repeated member, escaped": `{"acr":"eidas1","\u0061cr":"eidas3"}`,
		"repeated unknown member":  `{"x":1,"x":2}`,
		"repeated in a nested one": `{"address":{"city":"a","city":"b"}}`,
		"null date":                `{"exp":null}`,
		"date as a string":         `{"iat":"1768471200"}`,
		"date out of range":        `{"iat":-1}`,
		"huge date":                `{"exp":1e400}`,
		"sub a number":             `{"sub":1}`,
		"amr with a number":        `{"amr":["pwd",1]}`,
		"aud an object":            `{"aud":{"a":1}}`,
		"top-level array":          `[{"iss":"a"}]`,
		"invalid JSON":             `{"iss":"a",}`,
		"trailing data":            `{"iss":"a"} {}`,
		"invalid UTF-8":            "{\"iss\":\"a\xffb\"}",
		"nested too deep":          `{"x":` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `}`,
	} {
		t.Run(name, func(t *testing.T) {
			var cl idClaims
			_, err := readAllClaims([]byte(payload), &cl)
			require.ErrorIs(t, err, ErrMalformedToken)
		})
	}
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
