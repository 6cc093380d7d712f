package fctest

import (
	"context"
	"errors"
	"net/http"
	"net/url"
)

// The former names of this package's types, functions and methods, which
// met the franceconnect and fchttp packages' names (fchttp.User,
// franceconnect.Client, franceconnect.Login, franceconnect.Identity) in the
// same test files. Each calls its new name; they go away in the next
// release.

// User is the former name of Visitor.
//
// Deprecated: use Visitor.
type User = Visitor

// Client is the former name of Registration.
//
// Deprecated: use Registration.
type Client = Registration

// Identity is the former name of Person.
//
// Deprecated: use Person.
type Identity = Person

// NewUser is the former name of NewVisitor.
//
// Deprecated: use NewVisitor.
func (s *Server) NewUser(baseURL string) (*Visitor, error) { return s.NewVisitor(baseURL) }

// NewHandlerUser is the former name of NewHandlerVisitor.
//
// Deprecated: use NewHandlerVisitor.
func (s *Server) NewHandlerUser(app http.Handler, baseURL string) (*Visitor, error) {
	return s.NewHandlerVisitor(app, baseURL)
}

// RegisterClient is the former name of Register.
//
// Deprecated: use Register.
func (s *Server) RegisterClient(c Registration) error { return s.Register(c) }

// ParseClients is the former name of ParseRegistrations.
//
// Deprecated: use ParseRegistrations.
func ParseClients(data []byte) ([]Registration, error) { return ParseRegistrations(data) }

// DemoIdentities is the former name of DemoPeople.
//
// Deprecated: use DemoPeople.
func DemoIdentities() []Person { return DemoPeople() }

// ParseIdentities is the former name of ParsePeople.
//
// Deprecated: use ParsePeople.
func ParseIdentities(data []byte) ([]Person, error) { return ParsePeople(data) }

// Identities is the former name of People.
//
// Deprecated: use People.
func (s *Server) Identities() []Person { return s.People() }

// Login is the former name of SignIn.
//
// Deprecated: use SignIn.
func (s *Server) Login(ctx context.Context, authURL, login string) (string, error) {
	return s.SignIn(ctx, authURL, login)
}

// Login is the former name of SignIn.
//
// Deprecated: use SignIn.
func (b *Browser) Login(ctx context.Context, authURL, login string) (string, error) {
	return b.SignIn(ctx, authURL, login)
}

// LoginPost is the former name of SignInPost.
//
// Deprecated: use SignInPost.
func (b *Browser) LoginPost(ctx context.Context, params url.Values, login string) (string, error) {
	return b.SignInPost(ctx, params, login)
}

// Login is the former name of SignIn.
//
// Deprecated: use SignIn.
func (u *Visitor) Login(ctx context.Context, path, login string) (*Response, error) {
	return u.SignIn(ctx, path, login)
}

// Client is the former name of HTTPClient.
//
// Deprecated: use HTTPClient.
func (s *Server) Client() *http.Client { return s.HTTPClient() }

// Client is the former name of HTTPClient.
//
// Deprecated: use HTTPClient.
func (b *Browser) Client() *http.Client { return b.HTTPClient() }

// Client is the former name of HTTPClient.
//
// Deprecated: use HTTPClient.
func (u *Visitor) Client() *http.Client { return u.HTTPClient() }

// errPeopleTwice reports Options.People and its former name
// Options.Identities set together.
var errPeopleTwice = errors.New("fctest: Options.Identities is the former name of Options.People: set People only")

// people returns Options.People, or the deprecated Options.Identities when
// People is nil; both set is an error, whichever they hold.
func (o *Options) people() ([]Person, error) {
	switch {
	case o.People != nil && o.Identities != nil:
		return nil, errPeopleTwice
	case o.People != nil:
		return o.People, nil
	}
	return o.Identities, nil
}
