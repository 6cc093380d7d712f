// Package fchttp is the optional web layer of a FranceConnect integration:
// the routes, the session between them, the CSRF checks and the error
// pages that every service provider (FS) built on net/http otherwise writes
// by hand. It uses only the public API of the franceconnect package.
//
// New takes a Config holding the franceconnect.Client, the session key
// ring and an OnLogin hook that turns a Login into what the session keeps (User.Decode
// reads it back);
// Register mounts the routes on a ServeMux, and User tells the handlers who
// is signed in (Example signs a scripted user in and out through the fctest
// emulator). NewFromEnv builds the Client and the key ring from the
// environment instead (the FC_* variables of franceconnect.ConfigFromEnv,
// and FS_SESSION_KEYS), the same on every instance (ExampleNewFromEnv).
//
// # Routes
//
// GET or POST LoginPath starts a login, with an optional "acr" and an
// optional "next" path of this site to come back to (anything else, such
// as "//other.example", is replaced by HomePath). The callback and the
// logout callback are served at the paths of the Client's RedirectURL and
// PostLogoutRedirectURL. POST LogoutPath ends the session here and sends
// the browser to FranceConnect, which sends it back to the logout callback.
// KeysPath and SectorIdentifierPath optionally serve the "Client keys URL"
// and the sector identifier document.
//
// # Several doors
//
// A Handler is one door: one Client, of one platform. A site that serves
// citizens with FranceConnect+ and agents with ProConnect builds one
// Handler per door, each with its own CookieName and paths (each platform
// keeps its callback, the mix-up defence of RFC 9700 §4.4), from its own
// variables with NewFromEnvPrefix, and mounts them with RegisterDoors. A
// session belongs to its door: every other door refuses it, and User.Door
// says which door a user came through. See docs/several-doors.md.
//
// # Sessions
//
// A login in progress is kept under its state, so that logins started in
// several tabs do not overwrite each other; it is single use (consumed by
// the callback whatever happens) and expires after LoginTimeout. A
// signed-in session keeps the User, the application's data (OnLogin's, in
// JSON) and the logout hint, the signed id_token stored as a string (a
// franceconnect.Token marshals as "[redacted]"). Every login starts a new
// session under a new id.
//
// The cookie is sealed with AES-256-GCM under a key ring (the first key
// seals, every key opens), its expiry inside the sealed bytes, below 4 KB,
// and bound to its name, the site's origin and the door: a tampered,
// expired or foreign cookie is simply no session. By default it holds the
// whole session, and any instance holding the same key ring serves any
// request. A session ends after IdleTimeout without a request through
// User, and SessionLifetime after the login at the latest (defaults per
// platform: DefaultLifetimes).
//
// A sealed cookie cannot be recalled: without shared state a logout only
// deletes it from the browser that asks. With a Store (sessions on a
// server, the cookie holding their id and the logins in progress) or
// Revocations (a revocation list checked on every request), a logout ends
// the session on every instance, and LogoutEverywhere every session of one
// person. The module fchttp/redisstore provides both on Redis. See
// docs/sessions.md.
//
// # Data providers
//
// OnLogin may call a data provider right away with Client.DataClient and
// the Login's tokens: on FranceConnect and FranceConnect+ the access token
// lives 60 seconds and cannot be refreshed. With a Store, KeepTokens keeps
// each login's tokens on the server side, sealed and bound to the session,
// never in the cookie, and Handler.DataClient calls a data provider with
// them from a later request, refreshing ProConnect's and storing the
// rotated refresh token back. See docs/data-providers.md.
//
// # Security
//
// POSTs from another origin are refused by http.CrossOriginProtection and,
// over https, by a check of the full origin. The cookie is HttpOnly and
// SameSite=Lax (it must come back with FranceConnect's top-level
// redirect), and "__Host-" prefixed and Secure over https. The Handler's
// responses, and those of pages that call User, are marked private
// (Cache-Control: no-store, X-Content-Type-Options: nosniff,
// Referrer-Policy: no-referrer); Private does the same for other pages.
// OnLogin, OnLogout and OnError may fail or panic without leaving anyone
// signed in. Error pages name the error category in French and never show
// identity data or token contents: 400 for a lost, forged, replayed or
// expired state, 502 when FranceConnect fails or sends something that does
// not verify. Each failure logs one event to Config.Logger under a random
// support reference that the page shows too (Problem.Reference), with the
// door, the step, the reason and, when the configuration is the likely
// cause, the variables to check. The login-state failures are told apart:
// no login in this browser (ErrLoginNotFound), expired (ErrLoginExpired),
// another login's state (ErrLoginMismatch), already used (ErrLoginUsed).
//
// FranceConnect+ single sign-on may answer a lower eIDAS level than
// requested for a session opened earlier (eidas2 when eidas3 was asked).
// On franceconnect.ErrACRTooLow the Handler starts the login once more with
// prompt=login, unless it had it already or Config.NoACRRetry is set; so it
// does on franceconnect.ErrStaleAuthentication, a session older than the
// Client's MaxAuthAge. A login with prompt=login must come back with a new
// auth_time: the login in progress keeps its start for any instance to
// check, and an older authentication is a 502 page that offers to try
// again. The "acr" a browser sends may ask for more than the Client's
// level, never for less: a lower one is a 400 page.
//
// # Pages that need a level
//
// Handler.RequireLevel and Handler.Require wrap a page or an action with
// the levels it needs, a maximum age of the authentication, or both. A
// person signed in below it is sent through a step-up: a new
// authentication of the same person (sub) at that level, after which the
// session is replaced under a new id, keeping the application's data, and
// the browser comes back to the page; another person is refused and the
// session ends. Nobody signed in gets a login at that level. A form
// posted below the level is never run nor replayed: a StepUpPage
// (Config.OnStepUpPage) explains and holds the button that starts the
// login. FranceConnect has no level above eidas1: Require says so when
// the guard is built. See docs/step-up.md.
//
// Config.AgentPolicy applies a service's access policy to every agent a
// ProConnect door signs in, with a 403 page for those it refuses.
//
// # ProConnect
//
// With a Client of the ProConnect platform the same routes sign public
// agents in. The "acr" of a login holds the accepted levels separated by
// spaces ("eidas1-mfa eidas2 eidas3"), a subset of the Client's
// AcceptedACRs, none meaning all of them; the login in progress keeps them
// with the PKCE verifier,
// and the callback accepts only an agent's level among them. The error
// pages name ProConnect and explain its Y020032 (no accepted level within
// the agent's reach) and franceconnect.ErrACRNotAccepted as a level the
// service does not accept.
//
// # The login button
//
// FranceConnect qualifies an FS only with its official button, the
// sentence above it and the "Qu’est-ce que FranceConnect ?" link below it
// (spec §17 item 11); ProConnect asks for its own button and its
// "Qu’est-ce que ProConnect ?" link. Handler.Button renders that markup as
// a form posting to LoginPath, for a page's template to embed with
// {{.Button.HTML}} (ExampleHandler_Button).
//
// The official look comes from files that the State distributes under its
// own terms and that this package does not ship: the DSFR stylesheet
// (npm package @gouvfr/dsfr, component "connect") for services built on
// the State's design system, the stylesheet of ProConnect's partner
// documentation for its button, or the platforms' button images
// (Button.Image and Button.HoverImage, with ButtonStylesheet).
// docs/qualification.md, "The official button", says where to get them.
//
// # Testing
//
// fctest.Server.NewHandlerVisitor drives a Handler, or a whole application, in
// a test: open a page, start the login, pick an identity on the emulator,
// come back, log out.
package fchttp
