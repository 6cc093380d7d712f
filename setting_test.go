package franceconnect_test

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/fctest"
)

// TestSettingErrors: a failure caused by the configuration names the
// Config field and its variable, in the message and in a SettingError;
// the same category caused by the provider or an attacker names none.
func TestSettingErrors(t *testing.T) {
	for _, tc := range []struct {
		name      string
		setup     confSetup
		fault     fctest.Fault
		before    func(e *confEnv)
		run       func(e *confEnv) (any, error)
		want      error
		variables []string // nil: no SettingError
	}{
		{name: "ProConnect answers JSON to an FS configured for a signed userinfo", setup: pcES256JWT,
			fault: fctest.FaultUserinfoUnsigned, run: agentLogin, want: franceconnect.ErrContentType, variables: []string{"FC_USERINFO"}},
		{name: "ProConnect answers a JWT to an FS configured for JSON", setup: pcRS256JSON,
			fault: fctest.FaultUserinfoSigned, run: agentLogin, want: franceconnect.ErrContentType, variables: []string{"FC_USERINFO"}},
		{name: "a FranceConnect+ userinfo served as text/plain", setup: fcPlus,
			fault: fctest.FaultUserinfoWrongContentType, run: defaultLogin, want: franceconnect.ErrContentType},
		{name: "id_token signed RS256, FS configured for ES256", setup: pcES256JWT,
			fault: fctest.FaultSigningAlgMismatch, run: agentLogin, want: franceconnect.ErrAlgorithm, variables: []string{"FC_SIGNING_ALG"}},
		{name: "userinfo signed RS256, FS configured for ES256", setup: pcES256JWT,
			fault: fctest.FaultUserinfoSigningAlgMismatch, run: agentLogin, want: franceconnect.ErrAlgorithm, variables: []string{"FC_SIGNING_ALG"}},
		{name: "alg none", setup: fcPlus, fault: fctest.FaultAlgNone, run: defaultLogin, want: franceconnect.ErrAlgorithm},
		{name: "RS256 on FranceConnect+, which never signs so", setup: fcPlus, fault: fctest.FaultAlgRS256, run: defaultLogin,
			want: franceconnect.ErrAlgorithm},
		{name: "encrypted to another key", setup: fcPlus, fault: fctest.FaultWrongEncryptionKey, run: defaultLogin,
			want: franceconnect.ErrDecryption, variables: []string{"FC_KEYS"}},
		{name: "RSA-OAEP to an FS whose key is for RSA-OAEP-256", setup: fcPlusOAEP, fault: fctest.FaultEncryptionAlgMismatch,
			run: defaultLogin, want: franceconnect.ErrAlgorithm, variables: []string{"FC_KEYS"}},
		{name: "ECDH-ES+A256KW, never allowed", setup: fcPlus, fault: fctest.FaultEncryptionAlgMismatch, run: defaultLogin,
			want: franceconnect.ErrAlgorithm},
		{name: "a scope the FS was not granted", setup: fcPlus,
			before: func(e *confEnv) { e.reg.Scopes = []string{"openid", "identite_pivot"} },
			run:    defaultLogin, want: franceconnect.ErrProvider, variables: []string{"FC_SCOPES"}},
		{name: "a level the platform refuses", setup: fcPlus,
			run:  loginEditing(func(q url.Values) { q.Set("acr_values", "eidas1") }),
			want: franceconnect.ErrProvider, variables: []string{"FC_ACR"}},
		{name: "a wrong client secret", setup: fcPlus,
			before: func(e *confEnv) { e.cfg.ClientSecret = "another-client-secret-0123456789abcdef" },
			run:    defaultLogin, want: franceconnect.ErrProvider, variables: []string{"FC_CLIENT_ID", "FC_CLIENT_SECRET"}},
		{name: "access_denied", setup: fcPlus, fault: fctest.FaultAccessDenied, run: defaultLogin, want: franceconnect.ErrProvider},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newConfEnv(t, tc.setup)
			if tc.before != nil {
				tc.before(e)
			}
			if tc.fault != fctest.FaultNone {
				e.srv.InjectFault(tc.fault)
			}
			_, err := tc.run(e)
			require.ErrorIs(t, err, tc.want)
			var se *franceconnect.SettingError
			if tc.variables == nil {
				require.False(t, errors.As(err, &se), "no setting is named: %v", err)
				assert.NotContains(t, err.Error(), "FC_")
				return
			}
			require.ErrorAs(t, err, &se)
			assert.Equal(t, tc.variables, se.Variables)
			for _, v := range tc.variables {
				assert.Contains(t, err.Error(), "("+v+")")
			}
			assert.Equal(t, 1, strings.Count(err.Error(), "franceconnect:"), err.Error())
		})
	}
}

// TestSettingErrorsNamePrefixedVariables: a Client configured by
// ConfigFromEnvPrefix names the variables it read.
func TestSettingErrorsNamePrefixedVariables(t *testing.T) {
	e := newConfEnv(t, pcES256JWT)
	for k, v := range map[string]string{
		"AGENT_FC_ISSUER": e.cfg.Issuer, "AGENT_FC_PLATFORM": "proconnect", "AGENT_FC_CLIENT_ID": e.cfg.ClientID,
		"AGENT_FC_CLIENT_SECRET": string(confSecret), "AGENT_FC_REDIRECT_URL": confRedirect,
		"AGENT_FC_POST_LOGOUT_REDIRECT_URL": confLogout, "AGENT_FC_SCOPES": strings.Join(e.cfg.Scopes, " "),
		"AGENT_FC_ACR": "eidas1 eidas1-mfa", "AGENT_FC_SIGNING_ALG": "ES256", "AGENT_FC_USERINFO": "jwt",
	} {
		t.Setenv(k, v)
	}
	cfg, err := franceconnect.ConfigFromEnvPrefix("AGENT_")
	require.NoError(t, err)
	cfg.HTTPClient = e.cfg.HTTPClient
	e.cfg = cfg
	e.srv.InjectFault(fctest.FaultUserinfoUnsigned)
	_, err = agentLogin(e)
	var se *franceconnect.SettingError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, []string{"AGENT_FC_USERINFO"}, se.Variables)
	assert.Equal(t, []string{"UserInfo"}, se.Fields)
	assert.Contains(t, err.Error(), "check UserInfo (AGENT_FC_USERINFO)")
}
