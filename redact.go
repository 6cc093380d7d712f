package franceconnect

import (
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"github.com/go-franceconnect/franceconnect/internal/credential"
)

// Secrets, tokens and private keys never leave the package by accident:
// every type holding one prints (fmt, every verb), marshals (encoding/json)
// and logs (log/slog, text and JSON handlers) in a redacted form that keeps
// only public facts. Use string(s), string(t), MarshalKeys and IDToken.Hint
// to get the real values on purpose.

const redactedText = credential.Redacted

func redacted(s string) string { return credential.Redact(s) }

// Secret is a client secret. Its String, GoString, Format (every verb),
// MarshalJSON and LogValue give "[redacted]" (or "" when empty), so that it
// cannot leak through logs, errors or JSON by accident; convert with
// string(s) to use it. The emulator's fctest.Secret is another type of the
// same shape: convert between them with Secret(reg.Secret).
type Secret string

// String returns "[redacted]" (or "" when empty).
func (s Secret) String() string { return redacted(string(s)) }

// GoString returns the redacted form.
func (s Secret) GoString() string { return s.String() }

// Format prints the redacted form for every verb.
func (s Secret) Format(f fmt.State, _ rune) { fmt.Fprint(f, s.String()) }

// MarshalJSON encodes the redacted form.
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// LogValue logs the redacted form.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// Token is a raw token (access token, or the signed id_token kept as a logout
// hint). Like Secret, it redacts itself; convert with string(t) to use it,
// and store it as a string: its JSON form is "[redacted]".
type Token string

// String returns "[redacted]" (or "" when empty).
func (t Token) String() string { return redacted(string(t)) }

// GoString returns the redacted form.
func (t Token) GoString() string { return t.String() }

// Format prints the redacted form for every verb.
func (t Token) Format(f fmt.State, _ rune) { fmt.Fprint(f, t.String()) }

// MarshalJSON encodes the redacted form. Store a token with string(t).
func (t Token) MarshalJSON() ([]byte, error) { return json.Marshal(t.String()) }

// LogValue logs the redacted form.
func (t Token) LogValue() slog.Value { return slog.StringValue(t.String()) }

// keyFacts are what may be shown of a Key.
type keyFacts struct {
	ID        string `json:"kid"`
	Algorithm string `json:"alg"`
	Type      string `json:"kty"`
	Private   string `json:"private,omitempty"`
}

func (k Key) facts() keyFacts {
	f := keyFacts{ID: k.ID, Algorithm: k.Algorithm, Type: "unknown"}
	switch k.Private.(type) {
	case *ecdsa.PrivateKey, *ecdh.PrivateKey:
		f.Type = "EC"
	case *rsa.PrivateKey:
		f.Type = "RSA"
	case nil:
		f.Type = ""
	}
	if k.Private != nil {
		f.Private = redactedText
	}
	return f
}

// String describes the key without its private part.
func (k Key) String() string {
	f := k.facts()
	return fmt.Sprintf("Key{ID:%q Algorithm:%q Type:%q Private:%s}", f.ID, f.Algorithm, f.Type, f.Private)
}

// GoString is String.
func (k Key) GoString() string { return k.String() }

// Format prints String for every verb.
func (k Key) Format(f fmt.State, _ rune) { fmt.Fprint(f, k.String()) }

// MarshalJSON encodes the public facts only: kid, alg, key type. Use
// MarshalKeys to store keys, PublicJWKS to publish them.
func (k Key) MarshalJSON() ([]byte, error) { return json.Marshal(k.facts()) }

// LogValue logs the public facts only.
func (k Key) LogValue() slog.Value { return slog.AnyValue(k.facts()) }

// configView is what may be shown of a Config.
type configView struct {
	Environment           Environment `json:"environment,omitempty"`
	Issuer                string      `json:"issuer,omitempty"`
	Platform              string      `json:"platform"`
	ClientID              string      `json:"client_id"`
	ClientSecret          Secret      `json:"client_secret"`
	RedirectURL           string      `json:"redirect_url"`
	PostLogoutRedirectURL string      `json:"post_logout_redirect_url"`
	Scopes                []string    `json:"scopes"`
	ACR                   ACR         `json:"acr,omitempty"`
	DecryptionKeys        []Key       `json:"decryption_keys"`
	SigningAlgs           []string    `json:"signing_algs,omitempty"`
}

func (c Config) view() configView {
	return configView{c.Environment, c.Issuer, c.Platform.String(), c.ClientID, c.ClientSecret,
		c.RedirectURL, c.PostLogoutRedirectURL, c.Scopes, c.ACR, c.DecryptionKeys, c.SigningAlgs}
}

// String describes the configuration without its secret or private keys.
func (c Config) String() string { return fmt.Sprintf("franceconnect.Config%+v", c.view()) }

// GoString is String, so that %#v redacts too.
func (c Config) GoString() string { return c.String() }

// Format prints String for every verb.
func (c Config) Format(f fmt.State, _ rune) { fmt.Fprint(f, c.String()) }

// MarshalJSON encodes the configuration without its secret or private keys
// (only their kid, alg and type), nor HTTPClient, Now and Logger.
func (c Config) MarshalJSON() ([]byte, error) { return json.Marshal(c.view()) }

// LogValue logs what MarshalJSON encodes.
func (c Config) LogValue() slog.Value { return slog.AnyValue(c.view()) }

// idTokenView is IDToken with its hint exported, so that it redacts itself.
type idTokenView struct {
	Issuer, Subject, Audience  string
	Expiry, IssuedAt, AuthTime time.Time
	Nonce                      string
	ACR                        ACR
	AMR                        []string
	Hint                       Token
}

func (t *IDToken) view() idTokenView {
	return idTokenView{t.Issuer, t.Subject, t.Audience, t.Expiry, t.IssuedAt, t.AuthTime, t.Nonce, t.ACR, t.AMR, t.hint}
}

// Format prints the claims, with the signed id_token kept for logout
// redacted, for every verb.
func (t IDToken) Format(f fmt.State, verb rune) { fmt.Fprintf(f, fmt.FormatString(f, verb), t.view()) }

// LogValue logs the claims, with the signed id_token redacted.
func (t IDToken) LogValue() slog.Value { return slog.AnyValue(t.view()) }

// logoutView is a LogoutRequest whose URL has its id_token_hint redacted.
type logoutView struct{ URL, State string }

func (r LogoutRequest) view() logoutView { return logoutView{redactHint(r.URL), r.State} }

// Format prints the logout redirect with its id_token_hint redacted.
func (r LogoutRequest) Format(f fmt.State, _ rune) { fmt.Fprintf(f, "%+v", r.view()) }

// MarshalJSON encodes the logout redirect with its id_token_hint redacted.
func (r LogoutRequest) MarshalJSON() ([]byte, error) { return json.Marshal(r.view()) }

// LogValue logs the logout redirect with its id_token_hint redacted.
func (r LogoutRequest) LogValue() slog.Value { return slog.AnyValue(r.view()) }

// redactHint replaces the id_token_hint of a logout URL.
func redactHint(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return redactedText
	}
	q := u.Query()
	if q.Has("id_token_hint") {
		q.Set("id_token_hint", redactedText)
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// Format describes the client without its secret or keys, for every verb.
func (c *Client) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "franceconnect.Client{Issuer:%q Platform:%v ClientID:%q}", c.issuer, c.platform, c.clientID)
}

// LogValue logs the client's issuer, platform and client_id.
func (c *Client) LogValue() slog.Value { return slog.StringValue(fmt.Sprint(c)) }
