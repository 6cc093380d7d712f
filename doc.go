// Package franceconnect signs users in with FranceConnect+ (eIDAS
// substantial and high) and FranceConnect v2, and public agents with
// ProConnect, with every check the platform and its qualification require
// done for the service provider (FS).
//
// One Client serves one FS registration on one platform and environment.
// New validates its Config, fetches the discovery document and the
// provider keys, and caches both (ExampleNew); ConfigFromEnv builds the
// Config from the FC_* variables. Example runs a whole login and logout
// against the fctest emulator.
//
// # The login
//
//  1. Authorize returns the URL to redirect the browser to, with a fresh
//     state and nonce, and the AuthState the FS must keep in the user's
//     session. WriteForm is the POST variant.
//  2. FranceConnect redirects back to RedirectURL. Callback checks state
//     (constant time) and iss, turns an error answer into a *ProviderError,
//     exchanges the code (client_secret_post), decrypts and verifies the
//     id_token (signature, iss, aud, azp, exp, iat, nonce, acr ≥ requested
//     and ≥ configured, auth_time after the start of a login that asked for
//     a new authentication), then
//     fetches, decrypts and verifies the userinfo (sub equal to the
//     id_token's) and returns the Login with the typed Identity.
//  3. Logout builds the browser redirect to end_session with the signed
//     id_token as hint and a fresh state; LogoutCallback checks that state
//     on the way back. Revoke optionally revokes the access token.
//
// # Keys
//
// On FranceConnect+ every token is a JWE encrypted to the FS key. GenerateKey
// makes one, MarshalKeys saves it, LoadKeys reads it back, and KeysHandler
// serves its public part at the "Client keys URL" registered with
// FranceConnect. The provider's signature keys and the discovery document
// are cached and refreshed in the background as their max-age ends, so that
// no login waits for them; an unknown kid triggers one refresh on the
// login's path, shared by concurrent callers and rate limited by
// Config.KeyRefreshCooldown.
//
// # Levels
//
// Config.ACR (Config.AcceptedACRs on ProConnect) is the service's policy: a
// login may ask for more (AuthRequest.ACR, a subset of the accepted
// levels), never for less (ErrLevelOutsidePolicy). A login with
// prompt=login, a step-up (Client.StepUp, Client.Meets) or a maximum
// authentication age (Config.MaxAuthAge) checks the id_token's auth_time
// (ErrStaleAuthentication). On ProConnect, Config.PreferredACRs asks for
// levels without requiring them, TwoFactors tells whether a login used two
// factors, and AgentPolicy admits only some agents. See docs/levels.md.
//
// # ProConnect
//
// With Platform ProConnect (or a PC… preset) the same calls sign agents in
// with ProConnect's rules: Config.AcceptedACRs is the set of levels a login
// accepts (requested as an essential acr claim, checked by membership:
// ErrACRNotAccepted), tokens are signed with the registered algorithm and
// never encrypted, the userinfo is a signed JWT or plain JSON as registered
// (Config.UserInfo), Identity.Agent holds the agent's organisation, PKCE is
// sent, AuthRequest takes LoginHint, SiretHint and Prompt "none", and Refresh
// redeems refresh tokens.
//
// # Errors
//
// Every error wraps a category declared in errors.go (ErrStateMismatch,
// ErrInvalidIDToken, ErrACRTooLow, ErrDecryption, …): test them with
// errors.Is. Errors answered by FranceConnect are a *ProviderError, whose
// UserMessage says what to show the user; requests that got no usable
// answer are an *HTTPError, whose Retryable says whether to ask the user to
// try again later. No error contains a token or a secret; Secret and Token
// redact themselves when printed.
//
// # Testing
//
// The fctest package is an in-process emulator of FranceConnect+,
// FranceConnect and ProConnect: register the FS, drive a login with its
// SignIn helper or its scripted Visitor, and inject faults. The fchttp package is
// the optional web layer: routes, sessions, CSRF and error pages.
package franceconnect
