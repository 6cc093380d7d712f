package franceconnect_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/fctest"
)

// ProConnect's rules, in the conformance suite: the same harness, the
// emulator playing ProConnect, a demo agent instead of a citizen.

var (
	pcES256JWT  = confSetup{platform: fctest.ProConnect, sigAlg: "ES256", userinfoAlg: "ES256"}
	pcRS256JSON = confSetup{platform: fctest.ProConnect, sigAlg: "RS256"}
	pcHS256     = confSetup{platform: fctest.ProConnect, sigAlg: "HS256", userinfoAlg: "HS256"}
	pcDefault   = confSetup{platform: fctest.ProConnect, userinfoAlg: "RS256"}
)

// setupProConnect registers a ProConnect FS: no keys, the signature and
// userinfo algorithms of s, the levels "with MFA" by default.
func setupProConnect(e *confEnv, s confSetup) {
	e.cfg.Platform = franceconnect.ProConnect
	e.cfg.Scopes = []string{"openid", "given_name", "usual_name", "email", "siret", "organization_label"}
	e.cfg.AcceptedACRs = franceconnect.ProConnectWithMFA()
	if s.sigAlg != "" {
		e.cfg.SigningAlgs = []string{s.sigAlg}
	}
	e.cfg.UserInfo = franceconnect.UserInfoJWT
	if s.userinfoAlg == "" {
		e.cfg.UserInfo = franceconnect.UserInfoJSON
	}
	e.reg.AllowAMR = false
	e.reg.UserinfoSignedResponseAlg = s.userinfoAlg
}

// agentLogin is a login as an agent with two factors.
func agentLogin(e *confEnv) (any, error) { return e.login(franceconnect.AuthRequest{}, "agent_mfa") }

// agentLoginWith logs in as agent with req.
func agentLoginWith(req franceconnect.AuthRequest, agent string) func(*confEnv) (any, error) {
	return func(e *confEnv) (any, error) { return e.login(req, agent) }
}

// refreshAfterLogin logs in, then redeems the refresh token.
func refreshAfterLogin(e *confEnv) (any, error) {
	login, err := e.login(franceconnect.AuthRequest{}, "agent_mfa")
	if err != nil {
		return nil, err
	}
	return e.client().Refresh(context.Background(), login.RefreshToken, login.IDToken.Subject)
}

// authorizeOnly runs Authorize alone, for the request checks.
func authorizeOnly(req franceconnect.AuthRequest) func(*confEnv) (any, error) {
	return func(e *confEnv) (any, error) { return e.client().Authorize(context.Background(), req) }
}

func proConnectCases() []confCase {
	idt := franceconnect.ErrInvalidIDToken
	ui := franceconnect.ErrInvalidUserInfo
	return []confCase{
		// The emulator refuses any parameter outside ProConnect's whitelist
		// (Y000400): these logins show that Authorize sends none.
		{id: "pc-login", name: "ProConnect login, ES256, signed userinfo, PKCE", setup: pcES256JWT, run: agentLogin},
		{id: "pc-login", name: "ProConnect login, RS256, plain JSON userinfo", setup: pcRS256JSON, run: agentLogin},
		{id: "pc-login", name: "ProConnect login, HS256 keyed by the client secret, as configured", setup: pcHS256, run: agentLogin},
		{id: "pc-acr-director", name: "certification-dirigeant accepted when it is the level asked for", setup: pcES256JWT,
			before: func(e *confEnv) { e.cfg.AcceptedACRs = franceconnect.ProConnectAnyLevel() },
			run:    agentLoginWith(franceconnect.AuthRequest{AcceptedACRs: []franceconnect.ACR{franceconnect.CertificationDirigeant}}, "dirigeant")},
		{id: "pc-refresh", name: "refresh token redeemed, same agent", setup: pcES256JWT, run: refreshAfterLogin},
		{id: "pc-alg-per-client", name: "RS256 signature to an FS registered for ES256", setup: pcES256JWT, fault: fctest.FaultSigningAlgMismatch,
			run: agentLogin, want: []error{idt, franceconnect.ErrAlgorithm}},
		{id: "pc-alg-default", name: "ProConnect login, the default registration (RS256) and configuration", setup: pcDefault,
			run: agentLogin},
		{id: "pc-alg-default", name: "ES256 to an FS configured by default (RS256)", setup: pcDefault,
			fault: fctest.FaultSigningAlgMismatch, run: saying("set FC_SIGNING_ALG=ES256", agentLogin),
			want: []error{idt, franceconnect.ErrAlgorithm}},
		{id: "pc-alg-hs256", name: "HS256 keyed by the secret to an FS registered for ES256", setup: pcES256JWT, fault: fctest.FaultAlgHS256,
			run: agentLogin, want: []error{idt, franceconnect.ErrAlgorithm}},
		{id: "pc-jwe", name: "an encrypted id_token (ProConnect never encrypts)", setup: pcES256JWT, fault: fctest.FaultEncrypted,
			run: agentLogin, want: []error{idt, franceconnect.ErrAlgorithm}},
		{id: "pc-acr-membership", name: "a higher level outside the accepted set", setup: pcES256JWT,
			before: func(e *confEnv) { e.cfg.AcceptedACRs = []franceconnect.ACR{franceconnect.EIDAS1MFA} },
			fault:  fctest.FaultACRHigherUnlisted, run: agentLogin, want: []error{idt, franceconnect.ErrACRNotAccepted}},
		{id: "pc-acr-membership", name: "a level of the platform the login did not ask for", setup: pcES256JWT, fault: fctest.FaultACRNotRequested,
			run: agentLogin, want: []error{idt, franceconnect.ErrACRNotAccepted}},
		{id: "pc-acr-unsatisfied", name: "an agent without MFA: requested ACRs could not be satisfied (Y020032)", setup: pcES256JWT,
			run: func(e *confEnv) (any, error) {
				login, err := e.login(franceconnect.AuthRequest{}, "agent_sans_mfa")
				if pe := (*franceconnect.ProviderError)(nil); errors.As(err, &pe) && !pe.LevelUnreachable() {
					return login, fmt.Errorf("Y020032 expected, got %q", pe.FCCode)
				}
				return login, err
			}, want: []error{franceconnect.ErrProvider}, code: "access_denied"},
		{id: "pc-userinfo-downgrade", name: "plain JSON userinfo to an FS registered for a signed one", setup: pcES256JWT,
			fault: fctest.FaultUserinfoUnsigned, run: agentLogin, want: []error{ui, franceconnect.ErrContentType}},
		{id: "pc-userinfo-json", name: "a signed userinfo to an FS registered for plain JSON", setup: pcRS256JSON,
			fault: fctest.FaultUserinfoSigned, run: agentLogin, want: []error{ui, franceconnect.ErrContentType}},
		{id: "pc-userinfo-alg", name: "userinfo signed with the other algorithm", setup: pcES256JWT,
			fault: fctest.FaultUserinfoSigningAlgMismatch, run: agentLogin, want: []error{ui, franceconnect.ErrAlgorithm}},
		{id: "pc-userinfo-jwe", name: "an encrypted userinfo", setup: pcES256JWT, fault: fctest.FaultUserinfoEncrypted,
			run: agentLogin, want: []error{ui, franceconnect.ErrAlgorithm}},
		{id: "pc-refresh-sub", name: "refreshed id_token about another agent", setup: pcES256JWT, fault: fctest.FaultRefreshOtherSub,
			run: refreshAfterLogin, want: []error{idt, franceconnect.ErrSubjectMismatch}},
		{id: "pc-callback-iss", name: "callback without iss although the platform advertises it", setup: pcES256JWT,
			fault: fctest.FaultCallbackMissingIssuer, run: agentLogin, want: []error{franceconnect.ErrIssuerMismatch}},
		{id: "pc-prompt-none", name: "silent sign-in without a ProConnect session", setup: pcES256JWT,
			run:  agentLoginWith(franceconnect.AuthRequest{Prompt: "none"}, "agent_mfa"),
			want: []error{franceconnect.ErrProvider, franceconnect.ErrInteractionRequired}, code: "login_required"},
		{id: "pc-pkce", name: "code redeemed with another PKCE verifier", setup: pcES256JWT,
			run: func(e *confEnv) (any, error) {
				q, st := e.callback(franceconnect.AuthRequest{}, "agent_mfa", nil)
				st.CodeVerifier = st.CodeVerifier[1:] + "0"
				return e.client().Callback(context.Background(), q, st)
			}, want: []error{franceconnect.ErrProvider}, code: "invalid_grant"},
		{id: "pc-hints", name: "siret_hint of 13 digits", setup: pcES256JWT,
			run: authorizeOnly(franceconnect.AuthRequest{SiretHint: "1300252650001"}), want: []error{franceconnect.ErrInvalidRequest}},
		{id: "pc-hints", name: "login_hint that is no e-mail address", setup: pcES256JWT,
			run: authorizeOnly(franceconnect.AuthRequest{LoginHint: "agent"}), want: []error{franceconnect.ErrInvalidRequest}},
	}
}
