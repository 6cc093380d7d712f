// Package fctest is an in-process FranceConnect+ (and FranceConnect v2)
// emulator for tests, in the spirit of net/http/httptest.
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
// # Faults
//
// InjectFault queues protocol violations (wrong audience, expired token,
// unknown signing key, unencrypted id_token, userinfo sub mismatch, callback
// errors, a discovery document naming another issuer, a logout returning
// another state, …) so that a service provider's test suite can check it
// rejects each of them. See Fault for the list and where each applies.
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
// identity completes the login. There is no SSO (every authorize shows the
// identity-choice page, unless Options.AutoLogin is set), no
// sector_identifier_uri check, no data-provider endpoint, no HS256 clients
// and no request objects or PKCE. Error codes the specification does not
// record are derived by the emulator and will not match the platform's.
package fctest
