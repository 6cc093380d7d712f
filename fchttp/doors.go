package fchttp

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"net/http"
	"slices"

	"github.com/go-franceconnect/franceconnect"
)

// Door is one way into a site: a platform, an issuer and the client_id the
// site registered there. A site that serves citizens with FranceConnect+
// and agents with ProConnect has two doors, one Handler each. A session
// belongs to the door it was opened at: every other door refuses it.
type Door struct {
	// Platform is FranceConnect+, FranceConnect or ProConnect.
	Platform franceconnect.Platform
	// Issuer is the provider's issuer URL.
	Issuer string
	// ClientID is the site's client_id at that issuer.
	ClientID string
}

// String returns the platform, the client_id and the issuer, e.g.
// "ProConnect, client agents at https://auth.agentconnect.gouv.fr/api/v2".
func (d Door) String() string {
	return fmt.Sprintf("%v, client %s at %s", d.Platform, d.ClientID, d.Issuer)
}

// doorOf is the door of a Client.
func doorOf(c *franceconnect.Client) Door {
	return Door{Platform: c.Platform(), Issuer: c.Issuer(), ClientID: c.ClientID()}
}

// fields are the door's values, for the bindings below.
func (d Door) fields() []string {
	return []string{"platform", d.Platform.String(), "issuer", d.Issuer, "client_id", d.ClientID}
}

// binding is what a sealed cookie, and a session kept in a Store, are bound
// to: their purpose, the cookie's name, the site's origin and the door,
// each value length-prefixed so that no two bindings read alike.
func binding(cookieName, origin string, d Door) []byte {
	return encodeFields(append([]string{"fchttp session v2", "cookie", cookieName, "origin", origin}, d.fields()...))
}

// subjectKey names one person at one door, for Store.DeleteSubject and
// Revocations.RevokeSubject: a hash, so that stores never hold the sub.
func subjectKey(d Door, subject string) string {
	return hashOf(encodeFields(append([]string{"fchttp subject v1"}, append(d.fields(), "sub", subject)...)))
}

// idKey is the name under which a Store or a Revocations keeps session id:
// its hash, so that a copy of the shared state opens no session.
func idKey(id string) string { return hashOf([]byte("fchttp session id v1\x00" + id)) }

func encodeFields(fields []string) []byte {
	var b []byte
	for _, f := range fields {
		b = binary.AppendUvarint(b, uint64(len(f)))
		b = append(b, f...)
	}
	return b
}

func hashOf(b []byte) string {
	sum := sha256.Sum256(b)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// RegisterDoors mounts several Handlers, the doors of one site, on mux. It
// refuses, before mounting anything, two Handlers with the same cookie name
// (each would overwrite the other's session), the same door twice, and a
// route that two Handlers both serve.
func RegisterDoors(mux *http.ServeMux, doors ...*Handler) error {
	var patterns []string
	for i, h := range doors {
		for _, o := range doors[:i] {
			switch {
			case o.cookieName == h.cookieName:
				return configError("the doors %v and %v both use the cookie %q: give each its own Config.CookieName", o.door, h.door, h.cookieName)
			case o.door == h.door:
				return configError("the door %v is registered twice", h.door)
			}
		}
		for _, p := range h.patterns {
			if slices.Contains(patterns, p) {
				return configError("the route %q is served by two doors: give each door its own LoginPath, LogoutPath and callback paths", p)
			}
			patterns = append(patterns, p)
		}
	}
	for _, h := range doors {
		h.Register(mux)
	}
	return nil
}
