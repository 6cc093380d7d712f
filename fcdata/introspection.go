package fcdata

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/go-franceconnect/franceconnect"
)

// Introspection is what the platform says of an access token, whatever the
// platform (DATA-PROVIDERS.md §2, §3). Active false is a verdict, not an
// error: the token is unknown, expired or revoked, or was issued to a
// service provider outside Config.Clients; its other fields are then zero.
type Introspection struct {
	// Active reports a live token issued to a service provider this data
	// provider serves.
	Active bool
	// ClientID is the client_id of the service provider (FS) the token was
	// issued to: aud on FranceConnect, client_id on ProConnect.
	ClientID string
	// Subject is sub: on FranceConnect and FranceConnect+ computed for this
	// data provider (not the FS's sub); on ProConnect the agent's account id.
	Subject string
	// Scopes are the token's scopes, filtered by the platform down to those
	// this data provider may see.
	Scopes []string
	// ACR is the eIDAS level of the login.
	ACR franceconnect.ACR
	// IssuedAt and Expiry bound the token's life.
	IssuedAt, Expiry time.Time
	// TokenID is jti, the token's identifier at the platform, for logs.
	TokenID string
	// Identity holds the identity claims the platform included (the pivot
	// identity on FranceConnect and FranceConnect+: Birthplace is empty for
	// a person born abroad), typed as a userinfo; Claims has every member
	// of the answer. Nil when the answer has no identity claim (ProConnect).
	// Its slices and Claims are shared by every caller while the answer is
	// cached: read them, never change them.
	Identity *franceconnect.Identity
}

// copy returns a copy of i for one caller, so that a handler changing its
// Introspection changes no other request's: its own Scopes and Identity;
// the Identity's slices and Claims stay shared, read-only.
func (i *Introspection) copy() *Introspection {
	out := *i
	out.Scopes = slices.Clone(i.Scopes)
	if i.Identity != nil {
		id := *i.Identity
		out.Identity = &id
	}
	return &out
}

// MissingScope returns the first of required that the token does not
// carry, or "" when it carries them all (or required is empty).
func (i *Introspection) MissingScope(required ...string) string {
	for _, s := range required {
		if !slices.Contains(i.Scopes, s) {
			return s
		}
	}
	return ""
}

// contextKey keys the Introspection in a request's context.
type contextKey struct{}

// FromContext returns the Introspection the middleware put in the context
// of a request it let through.
func FromContext(ctx context.Context) (*Introspection, bool) {
	i, ok := ctx.Value(contextKey{}).(*Introspection)
	return i, ok
}

// NewContext returns ctx with i, as the middleware passes it on; for
// handlers' tests.
func NewContext(ctx context.Context, i *Introspection) context.Context {
	return context.WithValue(ctx, contextKey{}, i)
}

// identityMembers are the members of an answer read into Identity.
var identityMembers = []string{"given_name", "given_name_array", "family_name", "preferred_username", "birthdate",
	"gender", "birthplace", "birthcountry", "email"}

// identityOf types the identity claims of an answer, nil without any.
func identityOf(sub string, members map[string]json.RawMessage, cl *answerClaims) (*franceconnect.Identity, error) {
	if !slices.ContainsFunc(identityMembers, func(m string) bool { _, ok := members[m]; return ok }) {
		return nil, nil
	}
	id := &franceconnect.Identity{Subject: sub, GivenName: cl.GivenName, GivenNameArray: cl.GivenNameArray,
		FamilyName: cl.FamilyName, PreferredUsername: cl.PreferredUsername, Gender: cl.Gender,
		Birthplace: cl.Birthplace, Birthcountry: cl.Birthcountry, Email: cl.Email, Claims: members}
	if cl.Birthdate != "" {
		d, err := franceconnect.ParseBirthdate(cl.Birthdate)
		if err != nil {
			return nil, fail(franceconnect.ErrMissingClaim, "birthdate: %v", err)
		}
		id.Birthdate = d
	}
	return id, nil
}
