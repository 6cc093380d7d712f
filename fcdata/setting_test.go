package fcdata_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/fcdata"
	"github.com/go-franceconnect/franceconnect/fctest"
)

// TestSettingErrors: an answer refused because of the data provider's
// configuration names the Config field and its FD_ variable, in the
// message and in a SettingError; the same category caused by the platform
// or an attacker names none.
func TestSettingErrors(t *testing.T) {
	for _, tc := range []struct {
		name      string
		setup     setup
		fault     fctest.Fault
		edit      func(*fcdata.Config)
		want      error
		variables []string // nil: no SettingError
		advice    string
	}{
		{name: "FranceConnect signs RS256 as registered, the data provider accepts ES256 (the default)", setup: fcRS256,
			edit: func(c *fcdata.Config) { c.SigningAlg = "" }, want: franceconnect.ErrAlgorithm,
			variables: []string{"FD_SIGNING_ALG"}, advice: "set FD_SIGNING_ALG=RS256, otherwise"},
		{name: "ProConnect signs with another algorithm than the configured one", setup: pcJWT,
			fault: fctest.FaultIntrospectionSigningAlgMismatch, want: franceconnect.ErrAlgorithm,
			variables: []string{"FD_SIGNING_ALG"}, advice: "(introspection_signed_response_alg); if yours is RS256"},
		{name: "ProConnect answers JSON to a data provider configured for a JWT", setup: pcJSON,
			edit: func(c *fcdata.Config) { c.SigningAlg = "ES256" }, want: franceconnect.ErrContentType,
			variables: []string{"FD_SIGNING_ALG"}},
		{name: "ProConnect answers JSON where a JWT is registered (a downgrade, refused)", setup: pcJWT,
			fault: fctest.FaultIntrospectionUnsigned, want: franceconnect.ErrContentType, variables: []string{"FD_SIGNING_ALG"}},
		{name: "alg none", setup: fcPlus, fault: fctest.FaultIntrospectionAlgNone, want: franceconnect.ErrAlgorithm},
		{name: "HS256 on FranceConnect+, which never signs so", setup: fcPlus, fault: fctest.FaultIntrospectionAlgHS256,
			want: franceconnect.ErrAlgorithm},
		{name: "a signed answer served as JSON on FranceConnect", setup: fcRS256, fault: fctest.FaultIntrospectionContentType,
			want: franceconnect.ErrContentType},
		{name: "encrypted to another key", setup: fcPlus, fault: fctest.FaultIntrospectionWrongEncryptionKey,
			want: franceconnect.ErrDecryption, variables: []string{"FD_KEYS"}},
		{name: "encrypted RSA-OAEP to a data provider whose key is for RSA-OAEP-256", setup: fcPlus,
			fault: fctest.FaultIntrospectionEncryptionAlgMismatch, want: franceconnect.ErrAlgorithm, variables: []string{"FD_KEYS"}},
		{name: "a wrong client secret", setup: fcPlus, edit: func(c *fcdata.Config) { c.ClientSecret += "x" },
			want: franceconnect.ErrProvider, variables: []string{"FD_CLIENT_ID", "FD_CLIENT_SECRET"}},
		{name: "the platform fails", setup: pcJSON, fault: fctest.FaultIntrospectionServerError, want: franceconnect.ErrProvider},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, tc.setup)
			tok := e.token()
			var edits []func(*fcdata.Config)
			if tc.edit != nil {
				edits = append(edits, tc.edit)
			}
			v := e.verifier(edits...)
			if tc.fault != noFault {
				e.srv.InjectFault(tc.fault)
			}
			_, err := v.Introspect(context.Background(), tok)
			require.ErrorIs(t, err, tc.want)
			require.ErrorIs(t, err, fcdata.ErrIntrospection)
			var se *fcdata.SettingError
			if tc.variables == nil {
				require.False(t, errors.As(err, &se), "no setting is named: %v", err)
				assert.NotContains(t, err.Error(), "FD_")
				return
			}
			require.ErrorAs(t, err, &se)
			assert.Equal(t, tc.variables, se.Variables)
			for _, v := range tc.variables {
				assert.Contains(t, err.Error(), "("+v+")")
			}
			assert.Contains(t, err.Error(), tc.advice)
			assert.Equal(t, 1, strings.Count(err.Error(), "fcdata:"), err.Error())
		})
	}
}
