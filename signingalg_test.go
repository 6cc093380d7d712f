package franceconnect

import (
	"context"
	"testing"
	"time"

	gojose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Without SigningAlgs, a client accepts the one algorithm of the
// platform's default registration: ES256 on the FranceConnect platforms,
// RS256 on ProConnect.
func TestSigningAlgDefaults(t *testing.T) {
	for platform, want := range map[Platform][]string{
		FranceConnectPlus: {"ES256"}, FranceConnect: {"ES256"}, ProConnect: {"RS256"},
	} {
		c := newProvider(t, platform).client(t)
		assert.Equal(t, want, c.sigAlgs, platform)
	}
}

// A token signed with another algorithm of the platform than the
// configured one is refused, and the error says which variable to set if
// the registration names that algorithm; other algorithms get no such
// advice.
func TestSigningAlgMismatchSaysWhatToSet(t *testing.T) {
	p := newProvider(t, FranceConnect)
	k := loadTestKeys(t)
	st := AuthState{State: fixState, Nonce: fixNonce, ACR: EIDAS1}
	claims := idClaimsAt(fixNow)
	claims["acr"] = "eidas1"
	rs256 := signJWS(t, claims, gojose.RS256, k.providerRS256)

	_, err := p.client(t).VerifyIDToken(context.Background(), rs256, st)
	require.ErrorIs(t, err, ErrAlgorithm)
	require.ErrorIs(t, err, ErrInvalidIDToken)
	assert.EqualError(t, err, "franceconnect: invalid id_token: algorithm not allowed: alg not allowed; "+
		"check SigningAlgs (FC_SIGNING_ALG): the token is signed RS256, this client accepts ES256 only: "+
		"an FS registers one signature algorithm (id_token_signed_response_alg); "+
		"if yours is RS256, set FC_SIGNING_ALG=RS256, otherwise the provider does not sign as registered")
	var se *SettingError
	require.ErrorAs(t, err, &se, "one mechanism names the setting: the SettingError")
	assert.Equal(t, []string{"FC_SIGNING_ALG"}, se.Variables)

	for name, value := range map[string]string{EnvEnvironment: "", EnvIssuer: fixIssuer, EnvPlatform: "fc",
		EnvClientID: fixClientID, EnvClientSecret: fixSecret, EnvRedirectURL: fixRedirect, EnvPostLogoutRedirectURL: fixLogout,
		EnvKeys: "", EnvACR: "", EnvScopes: "openid", EnvSigningAlg: "", EnvUserInfo: ""} {
		t.Setenv("AGENT_"+name, value)
	}
	cfg, err := ConfigFromEnvPrefix("AGENT_")
	require.NoError(t, err)
	cfg.HTTPClient, cfg.Now = p.httpClient(), func() time.Time { return fixNow }
	agents, err := New(context.Background(), cfg)
	require.NoError(t, err)
	_, err = agents.VerifyIDToken(context.Background(), rs256, st)
	require.ErrorIs(t, err, ErrAlgorithm)
	assert.ErrorContains(t, err, "check SigningAlgs (AGENT_FC_SIGNING_ALG)")
	assert.ErrorContains(t, err, "set AGENT_FC_SIGNING_ALG=RS256,")

	hs256 := signJWS(t, claims, gojose.HS256, gojose.JSONWebKey{Key: []byte(fixSecret), Algorithm: "HS256"})
	_, err = p.client(t).VerifyIDToken(context.Background(), hs256, st)
	require.ErrorIs(t, err, ErrAlgorithm)
	assert.NotContains(t, err.Error(), "FC_SIGNING_ALG", "HS256 is no FranceConnect algorithm")

	plus := newProvider(t, FranceConnectPlus).client(t)
	jwe := encryptJWE(t, signJWS(t, idClaimsAt(fixNow), gojose.RS256, k.providerRS256), k.fsKey(ECDHES), nil)
	_, err = plus.VerifyIDToken(context.Background(), jwe, fixState0())
	require.ErrorIs(t, err, ErrAlgorithm)
	assert.NotContains(t, err.Error(), "FC_SIGNING_ALG", "FranceConnect+ signs ES256 alone")

	registered := p.client(t, func(cfg *Config) { cfg.SigningAlgs = []string{"RS256"} })
	_, err = registered.VerifyIDToken(context.Background(), rs256, st)
	require.NoError(t, err, "RS256 as registered")
}
