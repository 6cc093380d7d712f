package fctest

import (
	"fmt"
	"net/http"
	"net/url"
)

// strictRefusal applies Options.StrictQualification before the platform
// answers: an authorization request whose state or nonce is missing,
// shorter than 32 characters or already used by the client, and a logout
// without a state of 32 characters or more, with a reused state or without
// post_logout_redirect_uri, get FranceConnect's parameter error page
// (Y030007; Y000400 on ProConnect). It reports whether it answered.
func (s *Server) strictRefusal(w http.ResponseWriter, r *http.Request) bool {
	var endpoint string
	var pe *pageErr
	switch r.URL.Path {
	case apiPrefix + "/authorize":
		endpoint, pe = "authorize", s.strictAuthorize(w, r)
	case apiPrefix + "/session/end":
		if r.Method == http.MethodGet {
			endpoint, pe = "session/end", s.strictLogout(r)
		}
	}
	if pe == nil {
		return false
	}
	s.counters[endpoint].Add(1)
	recordOf(r).Endpoint = endpoint
	s.renderError(w, pe)
	s.observe(w, r)
	return true
}

// strictAuthorize checks the state and nonce of a registered client's
// authorization request.
func (s *Server) strictAuthorize(w http.ResponseWriter, r *http.Request) *pageErr {
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		if r.ParseForm() != nil {
			return nil // the platform's own checks answer
		}
	}
	v := authorizeQuery(r)
	if v == nil || !s.registered(v.Get("client_id")) {
		return nil
	}
	if pe := s.strictValue(v, "state", "state", v.Get("client_id")); pe != nil {
		return pe
	}
	return s.strictValue(v, "nonce", "nonce", v.Get("client_id"))
}

// strictLogout checks the state and post_logout_redirect_uri of a logout.
func (s *Server) strictLogout(r *http.Request) *pageErr {
	v, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil
	}
	hint := readHint(v.Get("id_token_hint"))
	if hint.aud == "" || !s.registered(hint.aud) {
		return nil
	}
	if v.Get("post_logout_redirect_uri") == "" {
		return invalidParam("post_logout_redirect_uri should not be empty (qualification: the user must come " +
			"back to the service)")
	}
	return s.strictValue(v, "state", "state", hint.aud)
}

// strictValue refuses a missing, short or reused value of parameter name
// (remembered under kind) for clientID.
func (s *Server) strictValue(v url.Values, name, kind, clientID string) *pageErr {
	val := v.Get(name)
	if len(val) < qualMinRandom {
		return invalidParam("%s must be longer than or equal to %d characters (qualification), got %d",
			name, qualMinRandom, len(val))
	}
	if prev := s.obs.seenBefore(clientID, kind, val); prev != nil {
		return invalidParam("%s was already used (%s)", name, prev.describe())
	}
	return nil
}

// seenBefore returns where the client used value v of kind before, or nil.
func (o *observer) seenBefore(clientID, kind, v string) *seenValue {
	o.mu.Lock()
	defer o.mu.Unlock()
	c := o.clients[clientID]
	if c == nil {
		return nil
	}
	if prev, ok := c.seen[fingerprint(kind, v)]; ok {
		return &prev
	}
	return nil
}

// describe says where a value was seen, e.g. "the nonce of login #3".
func (sv *seenValue) describe() string {
	if sv.login == 0 {
		return "an earlier " + sv.what
	}
	return fmt.Sprintf("the %s of login #%d", sv.what, sv.login)
}

// describeFR is describe in French.
func (sv *seenValue) describeFR() string {
	what := map[string]string{"state": "le state", "nonce": "le nonce", "logout state": "le state de déconnexion"}[sv.what]
	if sv.login == 0 {
		return what + " d'une déconnexion précédente"
	}
	return fmt.Sprintf("%s de la connexion n° %d", what, sv.login)
}
