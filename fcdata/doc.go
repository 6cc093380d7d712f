// Package fcdata is the data provider's side of FranceConnect,
// FranceConnect+ and ProConnect: an API that serves data about a person to
// the service providers (FS) that send it the access token of a login, as
// API Particulier does (DATA-PROVIDERS.md).
//
// A Verifier asks the platform about each token: checktoken on
// FranceConnect and FranceConnect+, whose answer is a JWE encrypted to the
// data provider's keys wrapping a JWS of the platform; token introspection
// (RFC 7662) on ProConnect, as JSON or as a signed JWT (RFC 9701). Every
// answer is checked with the strict policy of the franceconnect package's
// id_tokens, and becomes one Introspection whatever the platform. Answers
// are cached by a keyed hash of the token, and concurrent checks of one
// token share one request.
//
// Verifier.Middleware protects routes as RFC 6750 describes; FromContext
// gives a handler the Introspection. The data provider's public keys, the
// jwks_uri it registers, are served by franceconnect.KeysHandler, like an
// FS's:
//
//	cfg, err := fcdata.ConfigFromEnv() // FD_* variables
//	v, err := fcdata.New(ctx, cfg)
//	keys, err := franceconnect.KeysHandler(cfg.DecryptionKeys)
//	mux.Handle("GET /.well-known/jwks.json", keys)
//	mux.Handle("GET /api/v1/me", v.Middleware("dgfip_rfr")(me))
//
// Security decisions come from the Config only: the platform, its issuer,
// the algorithms and the scopes a route requires never come from the
// request.
package fcdata
