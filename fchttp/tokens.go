package fchttp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"net/http"
	"sync"
	"time"

	"github.com/go-franceconnect/franceconnect"
)

// Errors of Handler.DataClient.
var (
	// ErrNotSignedIn reports Handler.DataClient on a request of nobody
	// signed in at this door, or whose session ended meanwhile (a logout
	// on another tab or instance).
	ErrNotSignedIn = errors.New("fchttp: nobody is signed in at this door")
	// ErrNoTokens reports Handler.DataClient on a session that keeps no
	// tokens: it was opened before Config.KeepTokens was set, or the
	// Store lost its tokens. Sign the person in again.
	ErrNoTokens = errors.New("fchttp: the session keeps no tokens")
)

// refreshStripes is how many locks serialise the refreshes of the kept
// tokens in one instance, sessions spread over them by a hash of their id.
const refreshStripes = 64

// keptTokens are a login's tokens as Config.KeepTokens keeps them in the
// Store, next to the session, sealed: strings, as franceconnect.Token
// marshals as "[redacted]". They never go in the cookie.
type keptTokens struct {
	Access  string   `json:"a"`
	Expiry  int64    `json:"e"` // Unix milliseconds
	Refresh string   `json:"r,omitempty"`
	Scopes  []string `json:"s,omitempty"`
}

func keep(t *franceconnect.Tokens) *keptTokens {
	return &keptTokens{Access: string(t.AccessToken), Expiry: t.Expiry.UnixMilli(),
		Refresh: string(t.RefreshToken), Scopes: t.Scopes}
}

// tokens are the kept tokens of the person whose sub is subject.
func (k *keptTokens) tokens(subject string) *franceconnect.Tokens {
	return &franceconnect.Tokens{AccessToken: franceconnect.Token(k.Access), Expiry: time.UnixMilli(k.Expiry),
		RefreshToken: franceconnect.Token(k.Refresh), Scopes: k.Scopes,
		IDToken: &franceconnect.IDToken{Subject: subject}}
}

// tokensKey is the name under which a Store keeps the tokens of session
// id: a hash, as for idKey, under another purpose.
func tokensKey(id string) string { return hashOf([]byte("fchttp tokens id v1\x00" + id)) }

// tokensAD binds sealed tokens to their session besides the cookie's
// binding: moved under another session's key, they open nothing.
func (s *sealer) tokensAD(id string) []byte {
	return append(encodeFields([]string{"stored tokens", id}), s.ad...)
}

// createTokens keeps the tokens of the login that opened u, until the
// session's absolute end.
func (h *Handler) createTokens(ctx context.Context, u *storedUser, t *franceconnect.Tokens) error {
	data, expiry, err := h.sealTokens(u, keep(t))
	if err == nil {
		err = h.store.Create(ctx, tokensKey(u.ID), subjectKey(h.door, u.Subject), data, expiry)
	}
	if err != nil {
		return fmt.Errorf("%w: keeping the tokens: %w", ErrStore, err)
	}
	return nil
}

// updateTokens replaces the tokens of u after a refresh, if the session
// still keeps them: after a logout it reports ErrNotSignedIn.
func (h *Handler) updateTokens(ctx context.Context, u *storedUser, t *franceconnect.Tokens) error {
	data, expiry, err := h.sealTokens(u, keep(t))
	ok := false
	if err == nil {
		ok, err = h.store.Update(ctx, tokensKey(u.ID), data, expiry)
	}
	switch {
	case err != nil:
		return fmt.Errorf("%w: storing the refreshed tokens: %w", ErrStore, err)
	case !ok:
		return fmt.Errorf("%w: the session ended while its tokens were refreshed", ErrNotSignedIn)
	}
	return nil
}

func (h *Handler) sealTokens(u *storedUser, k *keptTokens) ([]byte, time.Time, error) {
	data, err := marshal(k)
	if err != nil {
		return nil, time.Time{}, err
	}
	expiry := time.Unix(u.Expiry, 0)
	return h.sealer.sealRaw(data, expiry, h.sealer.tokensAD(u.ID)), expiry, nil
}

// loadTokens reads the tokens of session id, nil when there are none or
// they do not open (sealed for another session, door or cookie).
func (h *Handler) loadTokens(ctx context.Context, id string) (*keptTokens, error) {
	sealed, err := h.store.Load(ctx, tokensKey(id))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrStore, err)
	}
	var k keptTokens
	data := h.sealer.openRaw(sealed, h.now(), h.sealer.tokensAD(id))
	if data == nil || json.Unmarshal(data, &k) != nil || k.Access == "" {
		return nil, nil
	}
	return &k, nil
}

// DataClient returns an HTTP client that calls the data provider p with
// the access token of the login of the person signed in on r's session at
// this door (franceconnect.Client.DataClient): the token goes in the
// Authorization header, only to p.URL. It needs Config.KeepTokens, which
// keeps each login's tokens in the Store, never in the cookie; each
// session reaches its own tokens only.
//
// On FranceConnect and FranceConnect+ the access token lives 60 seconds
// and cannot be refreshed: after that, requests fail with
// franceconnect.ErrAccessTokenExpired, and only a new login brings a new
// token. To use the token later than that, call the data provider in
// Config.OnLogin instead, with Client.DataClient and the Login's Tokens.
// On ProConnect an expiring token is refreshed first (with Refresh's sub
// check), the refreshes of one session serialised within this instance,
// and the rotated refresh token is stored back before the new access
// token is used. Use the client for the request at hand, and build one
// per request: another request may have refreshed the tokens since.
//
// p.OnRefresh must be nil: the Handler stores the refreshed tokens. Errors:
// ErrNotSignedIn, ErrNoTokens, ErrStore, franceconnect.ErrConfig without
// KeepTokens, and those of Client.DataClient and Client.Refresh.
func (h *Handler) DataClient(r *http.Request, p franceconnect.DataProvider) (*http.Client, error) {
	if !h.cfg.KeepTokens {
		return nil, configError("DataClient needs Config.KeepTokens, which keeps each login's tokens in the Store")
	}
	if p.OnRefresh != nil {
		return nil, fmt.Errorf("%w: fchttp: DataProvider.OnRefresh must be nil: the Handler stores the refreshed tokens with the session", franceconnect.ErrInvalidRequest)
	}
	ctx := r.Context()
	u, tokens, err := h.sessionTokens(ctx, r)
	if err != nil {
		return nil, err
	}
	if h.refreshable(tokens) {
		if tokens, err = h.freshTokens(ctx, u); err != nil {
			return nil, err
		}
		p.OnRefresh = func(ctx context.Context, t *franceconnect.Tokens) error {
			mu := h.refreshLock(u.ID)
			mu.Lock()
			defer mu.Unlock()
			return h.updateTokens(ctx, u, t)
		}
	}
	return h.client.DataClient(tokens, p)
}

// sessionTokens returns the signed-in session of r and its kept tokens.
func (h *Handler) sessionTokens(ctx context.Context, r *http.Request) (*storedUser, *franceconnect.Tokens, error) {
	s, err := h.load(r)
	if err != nil {
		return nil, nil, err
	}
	if s.user == nil {
		return nil, nil, ErrNotSignedIn
	}
	k, err := h.loadTokens(ctx, s.user.ID)
	if err != nil {
		return nil, nil, err
	}
	if k == nil {
		return nil, nil, ErrNoTokens
	}
	return s.user, k.tokens(s.user.Subject), nil
}

// refreshable reports whether the Handler refreshes t: ProConnect tokens
// with a refresh token.
func (h *Handler) refreshable(t *franceconnect.Tokens) bool {
	return h.client.Platform() == franceconnect.ProConnect && t.RefreshToken != ""
}

// freshTokens returns the tokens of session u, refreshed and stored first
// when the access token expires within franceconnect.AccessTokenMargin.
// It holds the session's lock and reads the tokens again under it, so that
// concurrent requests of one session redeem the refresh token once: a
// refresh token redeemed twice revokes the whole grant on ProConnect.
func (h *Handler) freshTokens(ctx context.Context, u *storedUser) (*franceconnect.Tokens, error) {
	mu := h.refreshLock(u.ID)
	mu.Lock()
	defer mu.Unlock()
	k, err := h.loadTokens(ctx, u.ID)
	switch {
	case err != nil:
		return nil, err
	case k == nil:
		return nil, ErrNoTokens
	}
	t := k.tokens(u.Subject)
	if h.now().Add(franceconnect.AccessTokenMargin).Before(t.Expiry) {
		return t, nil
	}
	next, err := h.client.Refresh(ctx, t.RefreshToken, u.Subject)
	if err != nil {
		return nil, err
	}
	if next.RefreshToken == "" {
		next.RefreshToken = t.RefreshToken
	}
	next.IDToken = t.IDToken
	if err := h.updateTokens(ctx, u, next); err != nil {
		return nil, err
	}
	return next, nil
}

// refreshLock is the lock of session id's refreshes in this instance.
func (h *Handler) refreshLock(id string) *sync.Mutex {
	return &h.refreshLocks[maphash.String(h.lockSeed, id)%refreshStripes]
}
