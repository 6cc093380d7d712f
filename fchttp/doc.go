// Package fchttp is the optional web layer of a FranceConnect integration:
// the routes, the session between them, the CSRF checks and the error
// pages that every service provider (FS) built on net/http otherwise writes
// by hand. It uses only the public API of the franceconnect package.
//
//	fc, err := fchttp.New(fchttp.Config{
//		Client:      client,                           // a *franceconnect.Client
//		SessionKeys: keys,                             // fchttp.ParseSessionKeys(os.Getenv("FS_SESSION_KEYS"))
//		OnLogin: func(w http.ResponseWriter, r *http.Request, l *franceconnect.Login) (string, error) {
//			return l.Identity.GivenName, nil       // kept in the session: User.Data
//		},
//	})
//	fc.Register(mux)                                       // GET and POST /login, the callbacks, POST /logout
//	user, err := fc.User(r)                                // in your handlers: nil when nobody is signed in
//
// NewFromEnv builds the Client and the key ring from the environment
// instead (the FC_* variables of franceconnect.ConfigFromEnv, and
// FS_SESSION_KEYS), the same on every instance.
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
// # Sessions
//
// A login in progress is kept under its state, so that logins started in
// several tabs do not overwrite each other; it is single use (consumed by
// the callback whatever happens) and expires after LoginTimeout. A
// signed-in session keeps the User and the logout hint, the signed
// id_token stored as a string (a franceconnect.Token marshals as
// "[redacted]").
//
// By default the session travels in a sealed cookie: AES-256-GCM with a key
// ring (the first key seals, every key opens), its expiry inside the sealed
// bytes, below 4 KB. A tampered, expired or foreign cookie is simply no
// session. Any instance holding the same key ring serves any request: no
// sticky sessions, no shared memory. A sealed cookie cannot be revoked
// before it expires; a Store keeping sessions on a server (see
// examples/redis-sessions) can.
//
// # Security
//
// POSTs from another origin are refused by http.CrossOriginProtection. The
// cookie is HttpOnly and SameSite=Lax (it must come back with
// FranceConnect's top-level redirect), and "__Host-" prefixed and Secure
// over https. Error pages name the error category in French and never show
// identity data or token contents: 400 for a lost, forged, replayed or
// expired state, 502 when FranceConnect fails or sends something that does
// not verify.
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
// a form posting to LoginPath:
//
//	b := fc.Button()                       // FranceConnect+, FranceConnect or ProConnect, after the Client
//	b.Next = "/compte"                     // optional: acr (AcceptedACRs on ProConnect), next, the "ou" separator
//	data.Button = b                        // in the template: {{.Button.HTML}}
//
// The official look comes from files that the State distributes under its
// own terms and that this package does not ship: the DSFR stylesheet
// (npm package @gouvfr/dsfr, component "connect") for services built on
// the State's design system, the stylesheet of ProConnect's partner
// documentation for its button, or the platforms' button images
// (Button.Image and Button.HoverImage, with ButtonStylesheet). The README
// says where to get them.
//
// # Testing
//
// fctest.Server.NewHandlerUser drives a Handler, or a whole application, in
// a test: open a page, start the login, pick an identity on the emulator,
// come back, log out.
package fchttp
