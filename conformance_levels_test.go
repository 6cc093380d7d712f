package franceconnect_test

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/fctest"
)

// The conformance cases of levels: the configured level is a floor no
// request lowers, the acr is checked against it, azp names us, a new
// authentication is checked through auth_time, ProConnect prefers or
// requires levels, and its codes are typed.

var (
	fcPlusSSO = confSetup{platform: fctest.FranceConnectPlus, encAlg: franceconnect.ECDHES, sso: true}
	pcSSO     = confSetup{platform: fctest.ProConnect, sigAlg: "ES256", userinfoAlg: "ES256", sso: true}
)

// levels sets the configured level of a FranceConnect FS, or the accepted
// (and preferred) levels of a ProConnect FS.
func levels(acr franceconnect.ACR, accepted, preferred []franceconnect.ACR) func(*confEnv) {
	return func(e *confEnv) {
		e.cfg.ACR, e.cfg.AcceptedACRs, e.cfg.PreferredACRs = acr, accepted, preferred
	}
}

// twice logs identity in, moves the clocks by d, and logs in again with
// req: the second login is what the case checks.
func twice(identity string, d time.Duration, req franceconnect.AuthRequest) func(*confEnv) (any, error) {
	return func(e *confEnv) (any, error) {
		if _, err := e.login(franceconnect.AuthRequest{}, identity); err != nil {
			return nil, fmt.Errorf("first login: %w", err)
		}
		e.advance(d)
		return e.login(req, identity)
	}
}

// stepUp signs first in, moves the clocks five minutes on, then runs a
// step-up to need in which second authenticates, with the emulator
// committing faults.
func stepUp(first string, need []franceconnect.ACR, second string, faults ...fctest.Fault) func(*confEnv) (any, error) {
	return func(e *confEnv) (any, error) {
		login, err := e.login(franceconnect.AuthRequest{}, first)
		if err != nil {
			return nil, fmt.Errorf("first login: %w", err)
		}
		e.advance(5 * time.Minute)
		for _, f := range faults {
			e.srv.InjectFault(f)
		}
		req, err := e.client().StepUp(franceconnect.AuthRequest{}, login.IDToken.Subject, need...)
		if err != nil {
			return nil, err
		}
		return e.login(req, second)
	}
}

// callbackError sends a ProConnect error answer carrying code to the
// Client, as the platform redirects it.
func callbackError(oauthCode, code string) func(*confEnv) (any, error) {
	return func(e *confEnv) (any, error) {
		auth, err := e.client().Authorize(context.Background(), franceconnect.AuthRequest{})
		if err != nil {
			return nil, err
		}
		q := url.Values{"state": {auth.State}, "iss": {e.srv.Issuer()}, "error": {oauthCode},
			"error_uri": {"https://fca.integ01.dev-agentconnect.fr/api/v2/error?code=" + code}}
		return e.client().Callback(context.Background(), q, auth.AuthState)
	}
}

// twoFactors checks what TwoFactors says of a successful login.
func twoFactors(want bool, run func(*confEnv) (any, error)) func(*confEnv) (any, error) {
	return func(e *confEnv) (any, error) {
		got, err := run(e)
		if login, ok := got.(*franceconnect.Login); ok && login.IDToken.TwoFactors() != want {
			return nil, fmt.Errorf("TwoFactors() = %v for acr %s amr %q", !want, login.IDToken.ACR, login.IDToken.AMR)
		}
		return got, err
	}
}

func levelsCases() []confCase {
	idt, req := franceconnect.ErrInvalidIDToken, franceconnect.ErrInvalidRequest
	outside, stale := franceconnect.ErrLevelOutsidePolicy, franceconnect.ErrStaleAuthentication
	fcLogin := franceconnect.AuthRequest{ACR: franceconnect.EIDAS1}
	eidas3 := []franceconnect.ACR{franceconnect.EIDAS3}
	return []confCase{
		// The configured level is a floor.
		{id: "lv-floor", name: "FranceConnect+: eidas2 asked where eidas3 is configured", setup: fcPlus,
			before: levels(franceconnect.EIDAS3, nil, nil),
			run:    authorizeOnly(franceconnect.AuthRequest{ACR: franceconnect.EIDAS2}), want: []error{req, outside}},
		{id: "lv-floor", name: "FranceConnect+: eidas3 asked where eidas2 is configured", setup: fcPlus,
			run: loginWith(franceconnect.AuthRequest{ACR: franceconnect.EIDAS3}, "camille")},
		{id: "lv-floor", name: "FranceConnect: eidas2 asked, a level the platform lacks", setup: fcES256,
			run: authorizeOnly(franceconnect.AuthRequest{ACR: franceconnect.EIDAS2}), want: []error{req}},
		{id: "lv-floor", name: "ProConnect: eidas0 asked where the two-factor levels are configured", setup: pcES256JWT,
			run: authorizeOnly(franceconnect.AuthRequest{AcceptedACRs: []franceconnect.ACR{franceconnect.EIDAS0}}), want: []error{req, outside}},
		{id: "lv-floor", name: "ProConnect: a set reaching outside the configured one", setup: pcES256JWT,
			before: levels("", []franceconnect.ACR{franceconnect.EIDAS2, franceconnect.EIDAS3}, nil),
			run:    authorizeOnly(franceconnect.AuthRequest{AcceptedACRs: franceconnect.ProConnectWithMFA()}), want: []error{req, outside}},
		{id: "lv-floor", name: "ProConnect: a subset of the configured set", setup: pcES256JWT,
			run: agentLoginWith(franceconnect.AuthRequest{AcceptedACRs: []franceconnect.ACR{franceconnect.EIDAS1MFA}}, "agent_mfa")},
		{id: "lv-floor-acr", name: "FranceConnect+: an AuthState below the floor, acr eidas2 where eidas3 is configured", setup: fcPlus,
			before: levels(franceconnect.EIDAS3, nil, nil), fault: fctest.FaultACRLower,
			run: func(e *confEnv) (any, error) {
				q, st := e.callback(franceconnect.AuthRequest{}, "camille", nil)
				st.ACR = franceconnect.EIDAS2 // a session written before the floor was raised
				return e.client().Callback(context.Background(), q, st)
			}, want: []error{idt, franceconnect.ErrACRTooLow}},
		{id: "lv-floor-acr", name: "ProConnect: an AuthState outside the configured set", setup: pcES256JWT,
			before: levels("", []franceconnect.ACR{franceconnect.EIDAS2, franceconnect.EIDAS3}, nil),
			run: func(e *confEnv) (any, error) {
				q, st := e.callback(franceconnect.AuthRequest{}, "agent_mfa", func(q url.Values) { q.Del("claims") })
				st.ACRs = franceconnect.ProConnectWithMFA()
				return e.client().Callback(context.Background(), q, st)
			}, want: []error{idt, franceconnect.ErrACRNotAccepted}},

		// azp (OIDC Core 3.1.3.7).
		{id: "rp-id_token-azp", name: "FranceConnect+: azp of another client", setup: fcPlus, fault: fctest.FaultAZPOtherClient,
			run: defaultLogin, want: []error{idt, franceconnect.ErrInvalidAudience}},
		{id: "rp-id_token-azp", name: "FranceConnect: azp of another client", setup: fcES256, fault: fctest.FaultAZPOtherClient,
			run: loginWith(fcLogin, "camille"), want: []error{idt, franceconnect.ErrInvalidAudience}},
		{id: "rp-id_token-azp", name: "ProConnect: azp of another client", setup: pcES256JWT, fault: fctest.FaultAZPOtherClient,
			run: agentLogin, want: []error{idt, franceconnect.ErrInvalidAudience}},

		// A new authentication, checked.
		{id: "lv-fresh", name: "FranceConnect+: prompt=login ignored, auth_time an hour old", setup: fcPlus,
			fault: fctest.FaultPromptLoginIgnored, run: loginWith(franceconnect.AuthRequest{PromptLogin: true}, "camille"),
			want: []error{idt, stale}},
		{id: "lv-fresh", name: "FranceConnect: prompt=login ignored, auth_time an hour old", setup: fcES256,
			fault: fctest.FaultPromptLoginIgnored, run: loginWith(franceconnect.AuthRequest{ACR: franceconnect.EIDAS1, PromptLogin: true}, "camille"),
			want: []error{idt, stale}},
		{id: "lv-fresh", name: "ProConnect: prompt=login ignored, auth_time an hour old", setup: pcES256JWT,
			fault: fctest.FaultPromptLoginIgnored, run: agentLoginWith(franceconnect.AuthRequest{Prompt: "login"}, "agent_mfa"),
			want: []error{idt, stale}},
		{id: "lv-fresh", name: "FranceConnect+: auth_time missing after prompt=login", setup: fcPlus,
			fault: fctest.FaultMissingAuthTime, run: loginWith(franceconnect.AuthRequest{PromptLogin: true}, "camille"),
			want: []error{idt, stale}},
		{id: "lv-fresh", name: "ProConnect: auth_time missing after prompt=login", setup: pcES256JWT,
			fault: fctest.FaultMissingAuthTime, run: agentLoginWith(franceconnect.AuthRequest{Prompt: "login"}, "agent_mfa"),
			want: []error{idt, stale}},
		{id: "lv-fresh", name: "auth_time missing, no new authentication asked", setup: fcPlus,
			fault: fctest.FaultMissingAuthTime, run: defaultLogin},
		{id: "lv-fresh", name: "prompt=login honoured", setup: fcPlusSSO,
			run: twice("camille", 5*time.Minute, franceconnect.AuthRequest{PromptLogin: true})},
		{id: "lv-max-age", name: "ProConnect session reused beyond MaxAuthAge", setup: pcSSO,
			before: func(e *confEnv) { e.cfg.MaxAuthAge = 2 * time.Minute },
			run:    twice("agent_mfa", 5*time.Minute, franceconnect.AuthRequest{}), want: []error{idt, stale}},
		{id: "lv-max-age", name: "ProConnect session reused within MaxAuthAge", setup: pcSSO,
			before: func(e *confEnv) { e.cfg.MaxAuthAge = 10 * time.Minute },
			run:    twice("agent_mfa", 5*time.Minute, franceconnect.AuthRequest{})},
		{id: "lv-max-age", name: "FranceConnect+ single sign-on dates auth_time at the login", setup: fcPlusSSO,
			before: func(e *confEnv) { e.cfg.MaxAuthAge = 2 * time.Minute },
			run:    twice("camille", 5*time.Minute, franceconnect.AuthRequest{})},
		{id: "lv-sso", name: "FranceConnect+ single sign-on answers eidas2 to an eidas3 login", setup: fcPlusSSO,
			run:  twice("camille", time.Minute, franceconnect.AuthRequest{ACR: franceconnect.EIDAS3}),
			want: []error{idt, franceconnect.ErrACRTooLow}},
		{id: "lv-sso", name: "ProConnect reuses an eidas1-mfa session: auth_time beyond MaxAuthAge", setup: pcSSO,
			before: func(e *confEnv) { e.cfg.MaxAuthAge = 30 * time.Minute },
			run:    twice("agent_mfa", time.Hour, franceconnect.AuthRequest{}), want: []error{idt, stale}},
		{id: "lv-sso", name: "ProConnect never reuses an eidas2 session: a new authentication", setup: pcSSO,
			before: func(e *confEnv) { e.cfg.MaxAuthAge = 30 * time.Minute },
			run:    twice("agent_eidas2", time.Hour, franceconnect.AuthRequest{})},

		// Step-up.
		{id: "lv-step-up", name: "FranceConnect+: eidas2 to eidas3, the same person", setup: fcPlus,
			run: stepUp("camille", eidas3, "camille")},
		{id: "lv-step-up", name: "FranceConnect+: another person authenticates at the step-up", setup: fcPlus,
			run: stepUp("camille", eidas3, "nom_usage"), want: []error{idt, franceconnect.ErrSubjectMismatch}},
		{id: "lv-step-up", name: "FranceConnect+: prompt=login ignored, single sign-on answers eidas2", setup: fcPlus,
			run: stepUp("camille", eidas3, "camille", fctest.FaultPromptLoginIgnored), want: []error{idt, franceconnect.ErrACRTooLow}},
		{id: "lv-step-up", name: "ProConnect: prompt=login ignored, the earlier session's level suffices", setup: pcES256JWT,
			before: levels("", franceconnect.ProConnectAnyLevel(), nil),
			run:    stepUp("agent_mfa", franceconnect.ProConnectWithMFA(), "agent_mfa", fctest.FaultPromptLoginIgnored),
			want:   []error{idt, stale}},
		{id: "lv-step-up", name: "ProConnect: to two factors, another agent authenticates", setup: pcES256JWT,
			before: levels("", franceconnect.ProConnectAnyLevel(), nil),
			run:    stepUp("agent_sans_mfa", franceconnect.ProConnectWithMFA(), "agent_mfa"), want: []error{idt, franceconnect.ErrSubjectMismatch}},

		// ProConnect prefers or requires.
		{id: "lv-prefer", name: "prefer two factors: an agent without them is signed in", setup: pcES256JWT,
			before: levels("", franceconnect.ProConnectAnyLevel(), franceconnect.ProConnectWithMFA()),
			run:    twoFactors(false, agentLoginWith(franceconnect.AuthRequest{}, "agent_sans_mfa"))},
		{id: "lv-prefer", name: "prefer two factors: an agent with them", setup: pcES256JWT,
			before: levels("", franceconnect.ProConnectAnyLevel(), franceconnect.ProConnectWithMFA()),
			run:    twoFactors(true, agentLoginWith(franceconnect.AuthRequest{}, "agent_mfa"))},
		{id: "lv-prefer", name: "prefer two factors: the answer is still checked against the accepted levels", setup: pcES256JWT,
			before: levels("", franceconnect.ProConnectEIDAS1OrBetter(), []franceconnect.ACR{franceconnect.EIDAS2, franceconnect.EIDAS3}),
			fault:  fctest.FaultACRLower, run: agentLogin, want: []error{idt, franceconnect.ErrACRNotAccepted}},
		{id: "lv-require", name: "require two factors: an agent without them (Y020032)", setup: pcES256JWT,
			run:  agentLoginWith(franceconnect.AuthRequest{}, "agent_sans_mfa"),
			want: []error{franceconnect.ErrProvider, franceconnect.ErrLevelUnreachable}, code: "access_denied"},

		// ProConnect's codes.
		{id: "pc-codes", name: "Y500015: a private-sector agent on a public-agents service", setup: pcES256JWT,
			fault: fctest.FaultPublicAgentsOnly, run: agentLogin,
			want: []error{franceconnect.ErrProvider, franceconnect.ErrPublicAgentsOnly}, code: "access_denied"},
		{id: "pc-codes", name: "Y030110: ProConnect lost its session", setup: pcES256JWT,
			run:  callbackError("invalid_request", "Y030110"),
			want: []error{franceconnect.ErrProvider, franceconnect.ErrProviderSessionLost}, code: "invalid_request"},
		{id: "pc-codes", name: "Y04A586: the service's configuration", setup: pcES256JWT,
			run:  callbackError("invalid_client", "Y04A586"),
			want: []error{franceconnect.ErrProvider, franceconnect.ErrServiceMisconfigured}, code: "invalid_client"},
		{id: "pc-codes", name: "Y000400: a parameter refused", setup: pcES256JWT,
			run:  callbackError("invalid_request", "Y000400"),
			want: []error{franceconnect.ErrProvider, franceconnect.ErrServiceMisconfigured}, code: "invalid_request"},
	}
}
