package fchttp

import (
	"cmp"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/go-franceconnect/franceconnect"
)

// Config describes one door of an FS's web layer: one Client, its routes and
// its sessions. A site with several doors (FranceConnect+ for citizens,
// ProConnect for agents) builds one Handler per door, each with its own
// CookieName and paths, and mounts them with RegisterDoors. New validates
// the Config and copies it. Every field documents its zero value.
type Config struct {
	// Client is the FranceConnect or ProConnect client. Required. The paths
	// of its RedirectURL and PostLogoutRedirectURL are the callback routes;
	// both URLs must share one origin, the site's, whose scheme decides
	// the cookie: Secure with the "__Host-" prefix over https, neither over
	// http (loopback only).
	Client *franceconnect.Client

	// CookieName names the session cookie, "__Host-" prefixed over https:
	// letters, digits, "-" and "_", at most 24 characters. Each door of a
	// site needs its own. Zero: "fs_session".
	CookieName string
	// SessionKeys is the key ring that seals the session cookie
	// (AES-256-GCM): KeySize random bytes each, the first seals, every key
	// opens. Required. Give every instance of the site the same ring; the
	// doors of one site may share it (a cookie is bound to its name, door
	// and origin). To rotate, put a new key first and drop the last one a
	// SessionLifetime later. Weak keys (all zero, a repeated pattern,
	// printable text, a key twice) are refused.
	SessionKeys [][]byte
	// Store keeps signed-in sessions on a server shared by every instance,
	// so that a logout ends them everywhere; the cookie then holds only the
	// session's id and the logins in progress. Exclusive with Revocations.
	// Zero: the session travels whole in the sealed cookie.
	Store Store
	// KeepTokens keeps each login's tokens (access token, expiry, scopes
	// and on ProConnect the refresh token) in the Store next to the
	// session, sealed, never in the cookie, so that a later request can
	// call a data provider with Handler.DataClient; a logout deletes them
	// with the session. It needs a Store: New refuses it without one. Zero:
	// the tokens are dropped once OnLogin returns; OnLogin may still call a
	// data provider with Client.DataClient and the Login's Tokens.
	KeepTokens bool
	// Revocations is a revocation list shared by every instance, checked on
	// every request, so that a logout ends a sealed session everywhere.
	// Exclusive with Store. Zero: a logout only deletes the cookie of the
	// browser that asks (see Handler.LogoutEverywhere).
	Revocations Revocations
	// SessionLifetime is how long a session lasts at most after the login,
	// between one minute and MaxSessionLifetime. Zero: the platform's
	// default (DefaultLifetimes).
	SessionLifetime time.Duration
	// IdleTimeout ends a session after that long without a request
	// through User, between one minute and MaxIdleTimeout, at most
	// SessionLifetime. Zero: the platform's default (DefaultLifetimes),
	// at most SessionLifetime.
	IdleTimeout time.Duration

	// LoginPath starts a login: GET (a link) or POST (a form), with an
	// optional "acr" (an eIDAS level the platform allows; on ProConnect the
	// accepted levels, separated by spaces) and an optional "next" (a path
	// of this site to return to). The browser sends "acr": it may ask for
	// more than the Client's level, never for less (on ProConnect a subset
	// of the Client's levels): a lower level is refused with a 400 page
	// (franceconnect.ErrLevelOutsidePolicy). A page that needs a level
	// wraps itself with Handler.RequireLevel. Zero: "/login".
	LoginPath string
	// LogoutPath ends the session: POST only. Zero: "/logout".
	LogoutPath string
	// HomePath is where the browser goes after a login without "next" and
	// after a logout, and where error pages link. Zero: "/".
	HomePath string
	// LoggedOutPath is where the browser goes once FranceConnect confirmed
	// the logout. Zero: HomePath.
	LoggedOutPath string

	// AuthRequest holds the options of every login: Scopes, Claims (e.g.
	// franceconnect.RequestAMR()), IDPHint, and ACR, the level requested
	// when the login carries no "acr" (zero: the Client's), or on ProConnect
	// AcceptedACRs, LoginHint and SiretHint. State, Nonce, PromptLogin and
	// Subject must be zero: the Handler sets them.
	AuthRequest franceconnect.AuthRequest
	// NoACRRetry turns off the retry on franceconnect.ErrACRTooLow and
	// franceconnect.ErrStaleAuthentication. By default, when FranceConnect+
	// single sign-on answers a lower level than requested (eidas2 for
	// eidas3), or single sign-on answers an authentication older than the
	// Client's maximum age, the Handler starts the login once more with
	// prompt=login, unless that login already had it; the id_token of the
	// retry must then carry an auth_time after its start. FranceConnect
	// honours prompt=login only for FS it allows; elsewhere the retry fails
	// the same way and the error page follows. ProConnect's levels are not
	// ordered: a level outside the accepted ones (ErrACRNotAccepted) is not
	// retried.
	NoACRRetry bool

	// KeysPath serves the public part of DecryptionKeys, the "Client keys
	// URL" of a FranceConnect+ registration (franceconnect.KeysHandler).
	// Zero: not served.
	KeysPath string
	// DecryptionKeys are the keys published at KeysPath; required with it.
	DecryptionKeys []franceconnect.Key
	// SectorIdentifierPath serves the sector identifier document
	// (franceconnect.SectorIdentifierHandler). Zero: not served.
	SectorIdentifierPath string
	// SectorRedirectURLs are the redirect URLs listed in that document.
	// Zero: the Client's RedirectURL.
	SectorRedirectURLs []string

	// TrustedOrigins are other origins, such as "https://www.fs.example.fr",
	// whose POSTs pass the cross-origin check. Over https a POST must come
	// from the Client's origin, scheme and port included, or one of these.
	// Zero: none.
	TrustedOrigins []string

	// OnLogin decides what a verified login means for the application: find
	// or create the account, refuse the person. It returns the data to keep
	// in the session, any value encoding/json encodes (a struct with an
	// account id, a display name and a birth date, say), at most
	// MaxUserData bytes of JSON in a sealed cookie and MaxStoredUserData
	// with a Store; User.Decode reads it back. It may set headers and
	// cookies, and may write the response itself (the identity page);
	// otherwise the Handler redirects to "next". An error or a panic
	// refuses the login: nobody is signed in at this door afterwards, not
	// even who was before, and OnError gets an ErrApplication. The Login
	// holds the identity: show it, never store what you do not need.
	// Zero: nothing is kept but the User.
	OnLogin func(w http.ResponseWriter, r *http.Request, login *franceconnect.Login) (data any, err error)
	// OnLogout is called when the user asks to log out, after the Handler
	// ended the session and before it redirects to FranceConnect: end the
	// application's own session there. user is who was signed in, nil when
	// nobody was. It may set headers and cookies; what it writes is
	// dropped. A panic shows the error page; the session stays ended.
	// Zero: nothing.
	OnLogout func(w http.ResponseWriter, r *http.Request, user *User)
	// OnError writes the error page of a failed step; show its
	// Problem.Reference, which the log event of the failure holds too. A
	// panic falls back to Problem's page. Zero: Problem's ServeHTTP, a
	// plain French page.
	OnError func(w http.ResponseWriter, r *http.Request, p *Problem)
	// OnStepUpPage writes the page of a request that a guard (Require,
	// RequireLevel) cannot send through a login itself, such as the POST
	// of a form below the level it needs: show its Title, Message and
	// Notice, and embed its Button. A panic falls back to StepUpPage's
	// page. Zero: StepUpPage's ServeHTTP, a plain French page.
	OnStepUpPage func(w http.ResponseWriter, r *http.Request, p *StepUpPage)
	// AgentPolicy is the service's own access policy for ProConnect
	// agents (only the agents of a ministry, say), applied after every
	// login at this door, step-ups included, before OnLogin: an agent it
	// refuses gets a 403 page saying which rule refused them, with their
	// organisation and SIRET as ProConnect asks
	// (franceconnect.AgentRefusedError.UserMessage) and AgentHelp, and
	// nobody is signed in at the door afterwards. New copies it and refuses
	// it when it is malformed (franceconnect.AgentPolicy.Validate) or the
	// door is not ProConnect's. Zero: every agent ProConnect signs in.
	AgentPolicy *franceconnect.AgentPolicy
	// AgentHelp tells an agent the AgentPolicy refused how to ask for
	// access, in French, e.g. "Pour demander un accès, écrivez à
	// habilitations@exemple.gouv.fr.". Zero: a sentence asking the agent
	// to contact the service with the page's reference.
	AgentHelp string
	// SiteName names the site in the title of the default error page,
	// e.g. "Mes démarches" (Problem.Site). Zero: the host of the Client's
	// RedirectURL.
	SiteName string

	// Now returns the current time. Zero: time.Now.
	Now func() time.Time
	// Logger receives one event per failed step, "fchttp: step failed",
	// with its support reference (ref), door, step, path, status, reason
	// (the error's message), error categories, and the variables to check
	// (check) when the configuration is the likely cause; never personal
	// data or tokens. Zero: nothing.
	Logger *slog.Logger
}

// Bounds of the session lifetimes (OWASP ASVS 5.0 V7.3).
const (
	// MaxSessionLifetime bounds Config.SessionLifetime: a day.
	MaxSessionLifetime = 24 * time.Hour
	// MaxIdleTimeout bounds Config.IdleTimeout: four hours.
	MaxIdleTimeout = 4 * time.Hour
)

// DefaultLifetimes returns the idle timeout and the lifetime of a session
// opened through platform p when the Config leaves them zero:
//   - FranceConnect+, for the most sensitive services (eIDAS substantial
//     and high), 15 minutes idle and 2 hours at most; FranceConnect+ itself
//     keeps its own session 10 minutes;
//   - FranceConnect, 30 minutes idle, as FranceConnect's own session, and
//     12 hours at most;
//   - ProConnect, for an agent's working day, 1 hour idle and 12 hours at
//     most, as ProConnect's own session.
func DefaultLifetimes(p franceconnect.Platform) (idle, lifetime time.Duration) {
	switch p {
	case franceconnect.FranceConnect:
		return 30 * time.Minute, 12 * time.Hour
	case franceconnect.ProConnect:
		return time.Hour, 12 * time.Hour
	}
	return 15 * time.Minute, 2 * time.Hour
}

func configError(format string, args ...any) error {
	return fmt.Errorf("%w: fchttp: "+format, append([]any{franceconnect.ErrConfig}, args...)...)
}

func (h *Handler) setDefaults() error {
	c := &h.cfg
	c.LoginPath = cmp.Or(c.LoginPath, "/login")
	c.LogoutPath = cmp.Or(c.LogoutPath, "/logout")
	c.HomePath = cmp.Or(c.HomePath, "/")
	c.LoggedOutPath = cmp.Or(c.LoggedOutPath, c.HomePath)
	for name, p := range map[string]string{"HomePath": c.HomePath, "LoggedOutPath": c.LoggedOutPath} {
		if !localPath(p) {
			return configError("%s %q is not a path of this site", name, p)
		}
	}
	if a := c.AuthRequest; a.State != "" || a.Nonce != "" || a.PromptLogin || a.Subject != "" {
		return configError("AuthRequest: State, Nonce, PromptLogin and Subject are set by the Handler")
	}
	if h.now == nil {
		h.now = time.Now
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	return h.setLifetimes()
}

// setLifetimes applies the platform's defaults and the bounds.
func (h *Handler) setLifetimes() error {
	c := &h.cfg
	idle, life := DefaultLifetimes(h.client.Platform())
	c.SessionLifetime = cmp.Or(c.SessionLifetime, life)
	if c.IdleTimeout == 0 {
		c.IdleTimeout = min(idle, c.SessionLifetime)
	}
	switch {
	case c.SessionLifetime < time.Minute || c.SessionLifetime > MaxSessionLifetime:
		return configError("SessionLifetime %v is outside [1m, %v]", c.SessionLifetime, MaxSessionLifetime)
	case c.IdleTimeout < time.Minute || c.IdleTimeout > MaxIdleTimeout:
		return configError("IdleTimeout %v is outside [1m, %v]", c.IdleTimeout, MaxIdleTimeout)
	case c.IdleTimeout > c.SessionLifetime:
		return configError("IdleTimeout %v is longer than SessionLifetime %v", c.IdleTimeout, c.SessionLifetime)
	}
	return nil
}

// setCookie names the cookie and builds the sealer bound to it, the origin
// and the door, and checks the shared state.
func (h *Handler) setCookie() error {
	c := h.cfg
	name := cmp.Or(c.CookieName, "fs_session")
	if len(name) > 24 || strings.Trim(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") != "" ||
		strings.HasPrefix(name, "__") {
		return configError("CookieName %q: want at most 24 letters, digits, \"-\" and \"_\", without a \"__\" prefix", name)
	}
	if h.secure {
		name = "__Host-" + name
	}
	h.cookieName = name
	switch {
	case c.Store != nil && c.Revocations != nil:
		return configError("Store and Revocations are exclusive: a Store ends sessions itself")
	case c.KeepTokens && c.Store == nil:
		return configError("KeepTokens needs a Store: tokens are kept on the server side only, never in the sealed cookie; " +
			"set Config.Store (the module fchttp/redisstore provides one), or call the data provider in OnLogin with Client.DataClient")
	case len(c.SessionKeys) == 0:
		return configError("SessionKeys is required: it seals the session cookie (%s)", keyHowTo)
	}
	h.binding = binding(h.cookieName, h.origin.String(), h.door)
	s, err := newSealer(c.SessionKeys, h.binding, h.cookieName)
	if err != nil {
		return err
	}
	h.sealer, h.store, h.revocations = s, c.Store, c.Revocations
	h.stateKeys = stateKeys(c.SessionKeys)
	return nil
}
