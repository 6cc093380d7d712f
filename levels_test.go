package franceconnect

import (
	"context"
	"encoding/json"
	"testing"

	gojose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// acrClaimOf returns the acr member of an authorization's claims, nil when
// there is none.
func acrClaimOf(t *testing.T, a *Authorization) *ClaimRequest {
	t.Helper()
	raw := a.Params.Get("claims")
	if raw == "" {
		return nil
	}
	var claims ClaimsRequest
	require.NoError(t, json.Unmarshal([]byte(raw), &claims))
	return claims.IDToken["acr"]
}

func TestFloorOnFranceConnectPlus(t *testing.T) {
	p := newProvider(t, FranceConnectPlus)
	high := p.client(t, func(cfg *Config) { cfg.ACR = EIDAS3 })
	_, err := high.Authorize(context.Background(), AuthRequest{ACR: EIDAS2})
	require.ErrorIs(t, err, ErrInvalidRequest)
	require.ErrorIs(t, err, ErrLevelOutsidePolicy)
	assert.Contains(t, err.Error(), "eidas2 is below the configured eidas3")
	a, err := high.Authorize(context.Background(), AuthRequest{})
	require.NoError(t, err)
	assert.Equal(t, "eidas3", a.Params.Get("acr_values"))

	low := p.client(t)
	a, err = low.Authorize(context.Background(), AuthRequest{ACR: EIDAS3})
	require.NoError(t, err, "a login may ask for more")
	assert.Equal(t, EIDAS3, a.ACR)
	for _, req := range []AuthRequest{{ACR: EIDAS1}, {AcceptedACRs: []ACR{EIDAS3}}, {PreferredACRs: []ACR{EIDAS3}}} {
		_, err := low.Authorize(context.Background(), req)
		require.ErrorIs(t, err, ErrInvalidRequest, "%+v", req)
	}
}

func TestFloorOnFranceConnect(t *testing.T) {
	c := newProvider(t, FranceConnect).client(t)
	for _, acr := range []ACR{EIDAS2, EIDAS3, "eidas0"} {
		_, err := c.Authorize(context.Background(), AuthRequest{ACR: acr})
		require.ErrorIs(t, err, ErrInvalidRequest, acr)
	}
	a, err := c.Authorize(context.Background(), AuthRequest{ACR: EIDAS1})
	require.NoError(t, err)
	assert.Equal(t, "eidas1", a.Params.Get("acr_values"))
}

func TestProConnectPolicyIsASet(t *testing.T) {
	p := newProvider(t, ProConnect)
	mfa := p.client(t, func(cfg *Config) { cfg.AcceptedACRs = ProConnectWithMFA() })
	for name, levels := range map[string][]ACR{
		"a level below":             {EIDAS0},
		"the set of a browser form": {EIDAS0, EIDAS1, EIDAS2},
		"a level outside":           {CertificationDirigeant},
	} {
		_, err := mfa.Authorize(context.Background(), AuthRequest{AcceptedACRs: levels})
		require.ErrorIs(t, err, ErrLevelOutsidePolicy, name)
		require.ErrorIs(t, err, ErrInvalidRequest, name)
	}
	a, err := mfa.Authorize(context.Background(), AuthRequest{AcceptedACRs: []ACR{EIDAS2, EIDAS3}})
	require.NoError(t, err, "a subset narrows")
	assert.Equal(t, &ClaimRequest{Essential: true, Values: []string{"eidas2", "eidas3"}}, acrClaimOf(t, a))
	assert.Equal(t, []ACR{EIDAS2, EIDAS3}, a.ACRs)

	anyLevel := p.client(t)
	a, err = anyLevel.Authorize(context.Background(), AuthRequest{AcceptedACRs: []ACR{EIDAS0}})
	require.NoError(t, err, "without a configured set, any level may be required")
	assert.Equal(t, []ACR{EIDAS0}, a.ACRs)
	a, err = anyLevel.Authorize(context.Background(), AuthRequest{})
	require.NoError(t, err)
	assert.Nil(t, acrClaimOf(t, a), "nothing required, nothing sent")
}

func TestProConnectPreferOrRequire(t *testing.T) {
	p := newProvider(t, ProConnect)
	prefer := p.client(t, func(cfg *Config) {
		cfg.AcceptedACRs, cfg.PreferredACRs = ProConnectAnyLevel(), ProConnectWithMFA()
	})
	a, err := prefer.Authorize(context.Background(), AuthRequest{})
	require.NoError(t, err)
	assert.Equal(t, &ClaimRequest{Essential: false, Values: []string{"eidas0-mfa", "eidas1-mfa", "eidas2", "eidas3"}}, acrClaimOf(t, a))
	assert.NotContains(t, a.Params.Get("claims"), "essential", "a preference is not essential")
	assert.Equal(t, ProConnectAnyLevel(), a.ACRs, "the answer is checked against the accepted levels")
	assert.Equal(t, ProConnectWithMFA(), prefer.PreferredACRs())

	a, err = prefer.Authorize(context.Background(), AuthRequest{AcceptedACRs: ProConnectWithMFA()})
	require.NoError(t, err, "a login may require what the service prefers")
	assert.Equal(t, &ClaimRequest{Essential: true, Values: []string{"eidas0-mfa", "eidas1-mfa", "eidas2", "eidas3"}}, acrClaimOf(t, a))

	eidas1 := p.client(t, func(cfg *Config) { cfg.AcceptedACRs = ProConnectEIDAS1OrBetter() })
	a, err = eidas1.Authorize(context.Background(), AuthRequest{PreferredACRs: []ACR{EIDAS2, EIDAS3}})
	require.NoError(t, err)
	assert.Equal(t, &ClaimRequest{Values: []string{"eidas2", "eidas3"}}, acrClaimOf(t, a))
	assert.Equal(t, ProConnectEIDAS1OrBetter(), a.ACRs)

	for name, req := range map[string]AuthRequest{
		"both":                   {AcceptedACRs: []ACR{EIDAS2}, PreferredACRs: []ACR{EIDAS3}},
		"preferred outside":      {PreferredACRs: []ACR{EIDAS0MFA}},
		"preferred unknown":      {PreferredACRs: []ACR{"eidas4"}},
		"preferred twice":        {PreferredACRs: []ACR{EIDAS2, EIDAS2}},
		"required outside":       {AcceptedACRs: []ACR{EIDAS0}},
		"one level, not a set":   {ACR: EIDAS2},
		"max age below a minute": {MaxAuthAge: 59e9},
		"negative max age":       {MaxAuthAge: -1},
	} {
		_, err := eidas1.Authorize(context.Background(), req)
		assert.ErrorIs(t, err, ErrInvalidRequest, name)
	}
}

func TestPolicyConfigErrors(t *testing.T) {
	tests := []struct {
		name     string
		platform Platform
		edit     func(*Config)
		field    string
	}{
		{"preferred outside accepted", ProConnect, func(c *Config) {
			c.AcceptedACRs, c.PreferredACRs = ProConnectEIDAS1OrBetter(), ProConnectWithMFA()
		}, "PreferredACRs"},
		{"preferred unknown", ProConnect, func(c *Config) { c.PreferredACRs = []ACR{"eidas9"} }, "PreferredACRs"},
		{"preferred on FranceConnect+", FranceConnectPlus, func(c *Config) { c.PreferredACRs = []ACR{EIDAS3} }, "PreferredACRs"},
		{"max age below a minute", FranceConnectPlus, func(c *Config) { c.MaxAuthAge = 30e9 }, "MaxAuthAge"},
		{"negative max age", ProConnect, func(c *Config) { c.MaxAuthAge = -60e9 }, "MaxAuthAge"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := newProvider(t, tt.platform).config()
			tt.edit(&cfg)
			_, err := New(context.Background(), cfg)
			require.ErrorIs(t, err, ErrConfig)
			assert.Contains(t, err.Error(), tt.field)
		})
	}
}

func TestIDTokenACRCheckedAgainstThePolicy(t *testing.T) {
	p := newProvider(t, FranceConnectPlus)
	k := loadTestKeys(t)
	high := p.client(t, func(cfg *Config) { cfg.ACR = EIDAS3 })
	eidas2 := tokenCase{}.mint(t, k)
	// An AuthState that asks less than the configuration: a session
	// written before the floor was raised, or by a careless store.
	_, err := high.VerifyIDToken(context.Background(), eidas2, fixState0())
	require.ErrorIs(t, err, ErrACRTooLow)
	assert.Contains(t, err.Error(), "below the configured eidas3")
	idt, err := p.client(t).VerifyIDToken(context.Background(), eidas2, fixState0())
	require.NoError(t, err)
	assert.Equal(t, EIDAS2, idt.ACR)

	pc := newProvider(t, ProConnect)
	mfa := pc.client(t, func(cfg *Config) { cfg.AcceptedACRs = ProConnectWithMFA() })
	tok := pcIDToken(t, "eidas1", gojose.RS256, pc.keys.providerRS256)
	_, err = mfa.VerifyIDToken(context.Background(), tok, pcState(EIDAS1))
	require.ErrorIs(t, err, ErrACRNotAccepted, "the AuthState's set is outside the configuration")
	assert.Contains(t, err.Error(), "the configuration accepts")
	_, err = pc.client(t).VerifyIDToken(context.Background(), tok, pcState(EIDAS1))
	require.NoError(t, err)
}

func TestAZP(t *testing.T) {
	p := newProvider(t, FranceConnectPlus)
	c := p.client(t)
	k := loadTestKeys(t)
	for name, tt := range map[string]struct {
		azp  any
		want error
	}{
		"ours":            {fixClientID, nil},
		"another client":  {"another-client", ErrInvalidAudience},
		"empty":           {"", ErrInvalidAudience},
		"not a string":    {42, ErrMalformedToken},
		"an array of us":  {[]string{fixClientID}, ErrMalformedToken},
		"case changed":    {"FS-CLIENT-ID", ErrInvalidAudience},
		"ours and spaces": {" " + fixClientID, ErrInvalidAudience},
	} {
		t.Run(name, func(t *testing.T) {
			raw := tokenCase{claims: func(c map[string]any) { c["azp"] = tt.azp }}.mint(t, k)
			idt, err := c.VerifyIDToken(context.Background(), raw, fixState0())
			if tt.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.want)
			require.ErrorIs(t, err, ErrInvalidIDToken)
			assert.Nil(t, idt)
		})
	}
}

func TestMeets(t *testing.T) {
	plus := newProvider(t, FranceConnectPlus).client(t)
	assert.True(t, plus.Meets(EIDAS3, EIDAS3))
	assert.True(t, plus.Meets(EIDAS3, EIDAS2))
	assert.False(t, plus.Meets(EIDAS2, EIDAS3))
	assert.True(t, plus.Meets(EIDAS2))
	assert.False(t, plus.Meets(EIDAS1), "below the floor")
	assert.False(t, plus.Meets("eidas4", EIDAS2))
	assert.Equal(t, EIDAS2, plus.ACR())

	pc := newProvider(t, ProConnect)
	anyLevel := pc.client(t)
	assert.True(t, anyLevel.Meets(EIDAS1MFA, ProConnectWithMFA()...))
	assert.False(t, anyLevel.Meets(EIDAS1, ProConnectWithMFA()...))
	assert.False(t, anyLevel.Meets(CertificationDirigeant, EIDAS3), "not ordered: a set")
	assert.True(t, anyLevel.Meets(EIDAS0))
	assert.False(t, anyLevel.Meets("eidas4"))
	assert.Nil(t, anyLevel.AcceptedACRs())
	mfa := pc.client(t, func(cfg *Config) { cfg.AcceptedACRs = ProConnectWithMFA() })
	assert.False(t, mfa.Meets(EIDAS1, EIDAS1), "outside the policy")
	assert.True(t, mfa.Meets(EIDAS3, EIDAS3))
	assert.Equal(t, ProConnectWithMFA(), mfa.AcceptedACRs())
}

func TestStepUp(t *testing.T) {
	base := AuthRequest{Scopes: []string{"openid", "email"}, Prompt: "consent"}
	plus := newProvider(t, FranceConnectPlus).client(t, func(cfg *Config) { cfg.ACR = EIDAS3 })
	req, err := plus.StepUp(base, fixSub, EIDAS2)
	require.NoError(t, err)
	assert.Equal(t, EIDAS3, req.ACR, "raised to the floor")
	assert.True(t, req.PromptLogin)
	assert.Equal(t, fixSub, req.Subject)
	assert.Equal(t, base.Scopes, req.Scopes)
	a, err := plus.Authorize(context.Background(), req)
	require.NoError(t, err)
	assert.Equal(t, "consent login", a.Params.Get("prompt"))
	assert.True(t, a.FreshAuth)
	assert.Equal(t, fixSub, a.Subject)
	assert.Equal(t, fixNow, a.Started)

	_, err = newProvider(t, FranceConnect).client(t).StepUp(AuthRequest{}, fixSub, EIDAS2)
	require.ErrorIs(t, err, ErrInvalidRequest)
	assert.Contains(t, err.Error(), "cannot be requested on FranceConnect")

	pc := newProvider(t, ProConnect).client(t, func(cfg *Config) {
		cfg.AcceptedACRs = ProConnectEIDAS1OrBetter()
		cfg.PreferredACRs = []ACR{EIDAS1MFA, EIDAS2, EIDAS3}
	})
	req, err = pc.StepUp(AuthRequest{}, fixSub, ProConnectWithMFA()...)
	require.NoError(t, err)
	assert.Equal(t, []ACR{EIDAS1MFA, EIDAS2, EIDAS3}, req.AcceptedACRs, "narrowed to the configured levels")
	a, err = pc.Authorize(context.Background(), req)
	require.NoError(t, err)
	assert.True(t, acrClaimOf(t, a).Essential, "a step-up requires")

	for name, f := range map[string]func() (AuthRequest, error){
		"no subject":           func() (AuthRequest, error) { return plus.StepUp(base, "", EIDAS3) },
		"no level":             func() (AuthRequest, error) { return plus.StepUp(base, fixSub) },
		"two levels on FC+":    func() (AuthRequest, error) { return plus.StepUp(base, fixSub, EIDAS2, EIDAS3) },
		"prompt=none":          func() (AuthRequest, error) { return pc.StepUp(AuthRequest{Prompt: "none"}, fixSub, EIDAS3) },
		"outside the policy":   func() (AuthRequest, error) { return pc.StepUp(AuthRequest{}, fixSub, EIDAS0, EIDAS0MFA) },
		"unknown level":        func() (AuthRequest, error) { return pc.StepUp(AuthRequest{}, fixSub, "eidas4") },
		"unknown level on FC+": func() (AuthRequest, error) { return plus.StepUp(base, fixSub, "eidas4") },
	} {
		req, err := f()
		require.ErrorIs(t, err, ErrInvalidRequest, name)
		assert.Zero(t, req, name)
	}
	_, err = pc.StepUp(AuthRequest{}, fixSub, EIDAS0, EIDAS0MFA)
	require.ErrorIs(t, err, ErrLevelOutsidePolicy)

	require.NoError(t, plus.CheckStepUp(EIDAS3))
	require.NoError(t, pc.CheckStepUp(ProConnectWithMFA()...))
	require.ErrorIs(t, pc.CheckStepUp(EIDAS0), ErrLevelOutsidePolicy)
	require.ErrorIs(t, plus.CheckStepUp(), ErrInvalidRequest)
	require.ErrorIs(t, newProvider(t, FranceConnect).client(t).CheckStepUp(EIDAS2), ErrInvalidRequest)
}
