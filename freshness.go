package franceconnect

import (
	"errors"
	"time"
)

// A login that asks for a new authentication (prompt=login, the acr retry,
// a step-up) trusts nothing on the way: prompt=login can be dropped by a
// browser extension or a proxy, and a provider may answer from the session
// it already has, with that session's auth_time (ProConnect does so below
// eidas2 since July 2026). The id_token's auth_time says when the person
// last authenticated: it must be present and not before the login started,
// minus the leeway. A maximum authentication age asks the same of an older
// moment. Platforms implement no max_age parameter: the check is the
// service's.

// minMaxAge is the shortest maximum authentication age: below it, ask for a
// new authentication (prompt=login) instead.
const minMaxAge = time.Minute

// checkMaxAge checks a maximum authentication age.
func checkMaxAge(d time.Duration) error {
	if d < minMaxAge {
		return errors.New(d.String() + " is below one minute: for a new authentication, use prompt=login (AuthRequest.PromptLogin)")
	}
	return nil
}

// requestAge sets the login's maximum authentication age: the request's
// when it is shorter than the Config's.
func (c *Client) requestAge(req AuthRequest, st *AuthState) error {
	if req.MaxAuthAge != 0 {
		if err := checkMaxAge(req.MaxAuthAge); err != nil {
			return wrap(ErrInvalidRequest, "MaxAuthAge: %v", err)
		}
	}
	st.MaxAuthAge = shortestAge(req.MaxAuthAge, c.maxAge)
	return nil
}

// shortestAge is the shorter of two maximum ages, zero meaning no limit.
func shortestAge(a, b time.Duration) time.Duration {
	if a == 0 || b != 0 && b < a {
		return b
	}
	return a
}

// verifyAuthTime checks auth_time when the login asked for a new
// authentication (st.FreshAuth) or has a maximum authentication age (the
// AuthState's or the Config's, the shorter): present, not in the future,
// and not before the login started (minus the maximum age when only that
// applies), each with the leeway. auth_time has a one-second resolution, so
// the start is rounded down to the second.
func (c *Client) verifyAuthTime(at date, st AuthState) error {
	maxAge := shortestAge(st.MaxAuthAge, c.maxAge)
	if !st.FreshAuth && maxAge == 0 {
		return nil
	}
	now := c.now()
	switch {
	case st.Started.IsZero():
		return tokenError(ErrInvalidIDToken, ErrStaleAuthentication, "the AuthState has no Started time: keep the whole AuthState that Authorize returned")
	case !at.ok:
		return tokenError(ErrInvalidIDToken, ErrStaleAuthentication, "auth_time is missing, and the login asked for a new authentication")
	case at.t.After(now.Add(c.leeway)):
		return tokenError(ErrInvalidIDToken, ErrStaleAuthentication, "auth_time %s is in the future", stamp(at.t))
	}
	earliest, what := st.Started.Truncate(time.Second), "the login started"
	if !st.FreshAuth {
		earliest, what = earliest.Add(-maxAge), "the maximum authentication age allows ("+maxAge.String()+")"
	}
	if at.t.Before(earliest.Add(-c.leeway)) {
		return tokenError(ErrInvalidIDToken, ErrStaleAuthentication, "auth_time %s is earlier than %s: the provider reused an earlier session",
			stamp(at.t), what)
	}
	return nil
}

// stamp formats a time for an error message.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }
