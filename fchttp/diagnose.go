package fchttp

import (
	"crypto/rand"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-franceconnect/franceconnect"
)

// referenceAlphabet is Crockford's base32: digits and capitals without I,
// L, O and U, which read like others over the phone.
const referenceAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// newReference returns a support reference, such as "7KQ2-M9XD": 40
// random bits, drawn for each failure and derived from nothing else, so
// that it tells nothing about the session or the tokens.
func newReference() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	out := make([]byte, 0, 9)
	for i, c := range b {
		if i == 4 {
			out = append(out, '-')
		}
		out = append(out, referenceAlphabet[c%32])
	}
	return string(out)
}

// stepName names the route a failed request took: "login", "callback",
// "logout" or "logout-callback".
func (h *Handler) stepName(r *http.Request) string {
	switch r.URL.Path {
	case h.cfg.LoginPath:
		return "login"
	case h.cfg.LogoutPath:
		return "logout"
	case routePath(h.client.RedirectURL()):
		return "callback"
	case routePath(h.client.PostLogoutRedirectURL()):
		return "logout-callback"
	}
	return "request"
}

// routePath is the path of a URL the Handler serves.
func routePath(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return pathOf(u)
}

// logFailure writes the one event of a failed step: its support
// reference (the page shows it too), the door, the step, the status, the
// reason (the error's message, which names no token and no personal
// data), the categories, and the settings to check when the failure comes
// from the configuration.
func (h *Handler) logFailure(r *http.Request, p *Problem) {
	names := make([]string, len(p.Categories))
	for i, c := range p.Categories {
		names[i] = c.Name
	}
	attrs := []any{"ref", p.Reference, "door", h.door.String(), "step", h.stepName(r), "path", r.URL.Path,
		"status", p.Status, "reason", p.Err.Error(), "categories", names}
	var se *franceconnect.SettingError
	if errors.As(p.Err, &se) {
		attrs = append(attrs, "check", strings.Join(se.Variables, " "))
	}
	if sz := (*sizeError)(nil); errors.As(p.Err, &sz) {
		attrs = append(attrs, "size", sz.size, "limit", sz.limit)
	}
	level := slog.LevelWarn
	if p.Status == http.StatusInternalServerError || p.Status == http.StatusServiceUnavailable {
		level = slog.LevelError // the site's own failures
	}
	h.log.Log(r.Context(), level, "fchttp: step failed", attrs...)
}
