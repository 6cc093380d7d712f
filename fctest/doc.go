// Package fctest is an in-process FranceConnect+ (and FranceConnect v2, and
// ProConnect) emulator for tests, in the spirit of net/http/httptest.
//
// A Server listens on a loopback port and serves the platform's endpoints
// under /api/v2 — discovery, JWKS, authorize (GET and POST), the
// identity-choice page, token, userinfo, session/end and token/revocation —
// with the rules of the real platform as recorded in the project's
// specification: the authorize parameter whitelist and its Y030007 error
// page, acr selection, 303 redirects carrying state and iss, 30-second
// single-use codes, client_secret_post, five-member token responses,
// id_tokens of exactly eight claims (nine with amr), ES256 signatures nested
// in a JWE (ECDH-ES, RSA-OAEP-256 or RSA-OAEP with A256GCM) on
// FranceConnect+, userinfo as application/jwt, logout that requires the
// fc_session_id cookie and a JWS id_token_hint, and JSON errors with
// FranceConnect's error_uri.
//
// Tokens are signed and encrypted with go-jose, independently of any client
// library under test.
//
// # Usage
//
//	srv := fctest.New(t, fctest.Options{})           // FranceConnect+, demo identities
//	priv, pub, _ := fctest.GenerateClientKey("ECDH-ES", "fs-key-1")
//	_ = srv.RegisterClient(fctest.Client{
//		ID: "my-fs", Secret: strings.Repeat("s", 32),
//		RedirectURIs:           []string{"http://127.0.0.1:8080/callback"},
//		PostLogoutRedirectURIs: []string{"http://127.0.0.1:8080/logged-out"},
//		JWKS:                   pub,
//	})
//	// configure the client library with srv.Issuer() and priv, then:
//	callback, err := srv.Login(ctx, authorizeURL, "camille")
//	// callback is http://127.0.0.1:8080/callback?code=…&iss=…&state=…
//
// Login and Logout play the browser: they keep cookies, follow the emulator's
// redirects and click the identity's button on the identity-choice page,
// which a human can also use in a real browser (each button has the id
// "login-<Login>", the cancel link the id "cancel"). HTML error pages come
// back as *PageError values carrying the FranceConnect Y code.
//
// # Testing a web app
//
// A User drives a whole web app, an http.Handler served in-process
// (NewHandlerUser) or a base URL (NewUser), together with the emulator:
// open a page, start the login from its link or form, pick an identity,
// come back to the app's callback, log out through session/end. Each step
// returns the app's Response for the test to assert on, and faults injected
// with InjectFault show in those answers.
//
// # ProConnect
//
// Options.Platform = ProConnect plays ProConnect, the State's sign-in for
// public agents, which runs a fork of FranceConnect's core: the same routes
// under /api/v2, Y-code error pages, 303 redirects with state and iss,
// client_secret_post and browser logout with state. What differs:
//
//   - People are Agents (DemoAgents, or Options.Agents; ParseAgents reads
//     them from JSON) and the claims are an agent's: given_name, usual_name,
//     email, uid, siret, siren, organization_label, idp_id, idp_acr, roles,
//     phone_number, belonging_population, organizational_unit, groups,
//     custom, amr (with ProConnect's "mail"), by ProConnect's scopes. The sub
//     is the agent's account id, the same at every client (Agent.Sub).
//   - Authorize takes ProConnect's whitelist (client_id, response_type,
//     redirect_uri, scope, state, nonce, claims, acr_values, prompt,
//     idp_hint, login_hint, siret_hint, code_challenge,
//     code_challenge_method, response_mode); any other parameter, a
//     malformed nonce (1 to 512 ASCII characters), login_hint (an e-mail) or
//     siret_hint (14 digits) is the Y000400 page. nonce is optional.
//   - Levels are a set: an essential acr request in claims,
//     {"id_token":{"acr":{"essential":true,"values":[…]}}}, must contain the
//     agent's level, else the FS gets error=access_denied, "requested ACRs
//     could not be satisfied" and an error_uri carrying Y020032; a higher
//     level outside the set is refused too. acr_values and non-essential
//     requests are soft. The seven values are eidas0, eidas0-mfa, eidas1,
//     eidas1-mfa, eidas2, eidas3 and
//     https://proconnect.gouv.fr/assurance/certification-dirigeant; an
//     identity provider level outside them is returned as eidas1.
//   - prompt takes login, consent and none. After a login the browser holds
//     a ProConnect session (12 hours): prompt=none answers with a code
//     without the agent page when the session's level satisfies the
//     request, and with error=login_required otherwise.
//   - PKCE S256: a code issued with code_challenge needs the matching
//     code_verifier (invalid_grant otherwise); the plain method is refused.
//   - Each client registers its id_token algorithm, ES256, RS256 (keys of
//     both in one JWKS, told apart by kid and alg) or HS256 keyed by the
//     client secret, and its userinfo algorithm: a signed application/jwt,
//     or plain application/json when it registered none. Nothing is
//     encrypted: a client registered with encryption keys is refused.
//   - The token response adds a refresh_token; grant_type=refresh_token
//     redeems it for a new access token, a new refresh token and an id_token
//     of the same agent without nonce. Each refresh token works once; using
//     it again revokes every token of the login. Revocation takes refresh
//     tokens too.
//
// Where ProConnect's documentation and code disagree or are silent, the
// emulator chooses: access tokens live 60 seconds (the expires_in the
// platform answers, not the hour its documentation states), codes 60
// seconds and refresh tokens two hours (its documentation);
// authorization_response_iss_parameter_supported is true and every callback
// carries iss; response_mode is query only; without prompt, a live session
// still shows the agent page, so that a test picks its agent every time
// (prompt=none is the silent path), unless Options.SingleSignOn plays the
// platform's reuse of its session (July 2026: below eidas2 only); the e-mail one-time code that ProConnect
// adds for identity providers without MFA is not played; the codes of the
// pages ProConnect documents are used (Y000400, Y030031 for an unknown
// redirect_uri, Y030111 for an unknown post_logout_redirect_uri, Y030110
// without session), the others are FranceConnect's, and JSON error_uri
// values use FranceConnect's base.
//
// # Faults
//
// InjectFault queues protocol violations (wrong audience, expired token,
// unknown signing key, unencrypted id_token, userinfo sub mismatch, callback
// errors, a discovery document naming another issuer, a logout returning
// another state, and for ProConnect an id_token signed with another
// algorithm than the client's, a JWE, an acr outside the requested set,
// JSON userinfo to a client registered for a signed one, a refreshed
// id_token of another person, a callback without iss or with
// login_required, …), and for levels and fresh authentication a provider
// that ignores prompt=login and answers from its earlier session, an
// id_token without auth_time or with the azp of another client, and
// ProConnect's refusal of a private-sector agent (Y500015), so that a
// service provider's test suite can check it rejects each of them. See Fault
// for the list and where each applies.
//
// # Options for other setups
//
// Options.TLS serves HTTPS (with a generated self-signed certificate unless
// one is given; Server.Certificate returns it for clients to trust),
// Options.ConnState observes client connections, Options.SigningKeys keeps
// the provider keys across restarts, Options.AutoLogin replaces the
// identity-choice page by a redirect, and Options.Middleware wraps the
// handler. ParseClients and ParseIdentities read service providers and
// identities from JSON files, and ParseFault reads a fault's name. The
// command fcemulator (cmd/fcemulator) builds on them to run the emulator as
// a program for service providers written in any language.
//
// # Simplifications
//
// The emulator has one identity provider and no consent page: picking an
// identity completes the login. Single sign-on is off unless
// Options.SingleSignOn is set (every authorize shows the identity-choice
// page, unless Options.AutoLogin is set); there is no
// sector_identifier_uri check, no data-provider endpoint, no HS256 clients
// and no request objects or PKCE on the FranceConnect platforms, no
// introspection endpoint, and ProConnect's private-sector restriction
// (Y500015) is only the fault FaultPublicAgentsOnly. Error codes the specification does not record are derived by
// the emulator and will not match the platform's.
package fctest
