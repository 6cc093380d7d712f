package franceconnect

import (
	"slices"
	"strings"
)

// The levels of a Client are a policy taken from its Config: on
// FranceConnect and FranceConnect+ Config.ACR is a floor, on ProConnect
// Config.AcceptedACRs is the set of levels the service accepts. A login may
// ask for more (a higher level, a subset of the set), never for less, and
// every returned acr is checked against the policy as well as against what
// the login asked. A value that comes from a browser (a login form's level,
// say) can therefore narrow what the service accepts, never widen it.

// ACR returns the configured level, the floor of every login, on
// FranceConnect and FranceConnect+; "" on ProConnect.
func (c *Client) ACR() ACR { return c.acr }

// AcceptedACRs returns the ProConnect levels the service accepts
// (Config.AcceptedACRs); nil means any level, and nil on the other
// platforms.
func (c *Client) AcceptedACRs() []ACR { return slices.Clone(c.levels) }

// PreferredACRs returns the ProConnect levels logins prefer without
// requiring them (Config.PreferredACRs); nil when logins require
// AcceptedACRs.
func (c *Client) PreferredACRs() []ACR { return slices.Clone(c.preferred) }

// setPolicy checks PreferredACRs and MaxAuthAge against the levels set by
// setACR.
func (c *Client) setPolicy(cfg *Config, p *problems) {
	switch {
	case cfg.PreferredACRs != nil && c.platform != ProConnect:
		p.add("PreferredACRs", "%v takes one level, ACR: PreferredACRs are ProConnect's", c.platform)
	case cfg.PreferredACRs != nil:
		if err := c.withinPolicy(cfg.PreferredACRs); err != nil {
			p.add("PreferredACRs", "%v", err)
		}
		c.preferred = slices.Clone(cfg.PreferredACRs)
	}
	if cfg.MaxAuthAge != 0 {
		if err := checkMaxAge(cfg.MaxAuthAge); err != nil {
			p.add("MaxAuthAge", "%v", err)
		}
		c.maxAge = cfg.MaxAuthAge
	}
}

// withinPolicy checks a set of ProConnect levels a login names: known,
// none twice, and each one accepted by the Config (any level when the
// Config names none). The error wraps ErrLevelOutsidePolicy for a level
// outside the Config's.
func (c *Client) withinPolicy(levels []ACR) error {
	if err := checkLevels(levels); err != nil {
		return err
	}
	for _, a := range levels {
		if len(c.levels) > 0 && !slices.Contains(c.levels, a) {
			return errorf("%w: %s is not among the accepted levels of the configuration %q", ErrLevelOutsidePolicy, a, c.levels)
		}
	}
	return nil
}

// requestLevels sets the levels of st from req: the Config's policy,
// narrowed (never widened) by the request.
func (c *Client) requestLevels(req AuthRequest, st *AuthState) error {
	if c.platform == ProConnect {
		return c.requestProConnectLevels(req, st)
	}
	switch {
	case req.AcceptedACRs != nil || req.PreferredACRs != nil:
		return wrap(ErrInvalidRequest, "AcceptedACRs and PreferredACRs: %v takes one level, ACR", c.platform)
	case req.ACR == "":
		st.ACR = c.acr
		return nil
	}
	if err := c.platform.checkACR(req.ACR); err != nil {
		return wrap(ErrInvalidRequest, "ACR: %v", err)
	}
	if !req.ACR.Satisfies(c.acr) {
		return errorf("%w: %w: ACR %s is below the configured %s: a login may ask for more, never for less",
			ErrInvalidRequest, ErrLevelOutsidePolicy, req.ACR, c.acr)
	}
	st.ACR = req.ACR
	return nil
}

// requestProConnectLevels sets st.ACRs, the levels the returned acr must be
// among: the request's when it requires a subset of the Config's, the
// Config's otherwise.
func (c *Client) requestProConnectLevels(req AuthRequest, st *AuthState) error {
	switch {
	case req.ACR != "":
		return wrap(ErrInvalidRequest, "ACR: ProConnect takes a set of accepted levels, AcceptedACRs")
	case len(req.AcceptedACRs) > 0 && len(req.PreferredACRs) > 0:
		return wrap(ErrInvalidRequest, "a login requires levels (AcceptedACRs) or prefers them (PreferredACRs), not both")
	}
	for _, f := range []struct {
		name   string
		levels []ACR
	}{{"AcceptedACRs", req.AcceptedACRs}, {"PreferredACRs", req.PreferredACRs}} {
		if err := c.withinPolicy(f.levels); err != nil {
			return wrap(ErrInvalidRequest, "%s: %w", f.name, err)
		}
	}
	st.ACRs = slices.Clone(c.levels)
	if len(req.AcceptedACRs) > 0 {
		st.ACRs = slices.Clone(req.AcceptedACRs)
	}
	return nil
}

// acrClaim is the acr member of a ProConnect claims request: the levels a
// login requires (essential), or else those it prefers (not essential);
// nil when it names none.
func (c *Client) acrClaim(req AuthRequest, st *AuthState) *ClaimRequest {
	preferred := c.preferred
	switch {
	case len(req.AcceptedACRs) > 0:
		preferred = nil
	case len(req.PreferredACRs) > 0:
		preferred = req.PreferredACRs
	}
	levels, essential := st.ACRs, true
	if len(preferred) > 0 {
		levels, essential = preferred, false
	}
	if len(levels) == 0 {
		return nil
	}
	values := make([]string, len(levels))
	for i, a := range levels {
		values[i] = string(a)
	}
	return &ClaimRequest{Essential: essential, Values: values}
}

// verifyACR checks the returned level against what the login asked and
// against the configured policy (an AuthState may come from a session older
// than the configuration, or from a careless store): at least the requested
// and the configured eIDAS level on FranceConnect; on ProConnect one of the
// login's accepted levels and one of the Config's.
func (c *Client) verifyACR(acr ACR, st AuthState) error {
	if c.platform == ProConnect {
		switch {
		case !slices.Contains(proconnectLevels, acr):
			return tokenError(ErrInvalidIDToken, ErrUnknownACR, "acr %q is not a ProConnect level", acr)
		case len(st.ACRs) > 0 && !slices.Contains(st.ACRs, acr):
			return tokenError(ErrInvalidIDToken, ErrACRNotAccepted, "acr %s is not among the accepted %q", acr, st.ACRs)
		case len(c.levels) > 0 && !slices.Contains(c.levels, acr):
			return tokenError(ErrInvalidIDToken, ErrACRNotAccepted, "acr %s is not among the levels the configuration accepts %q", acr, c.levels)
		}
		return nil
	}
	switch {
	case acr.Level() == 0:
		return tokenError(ErrInvalidIDToken, ErrUnknownACR, "acr %q is not an eIDAS level", acr)
	case st.ACR != "" && !acr.Satisfies(st.ACR):
		return tokenError(ErrInvalidIDToken, ErrACRTooLow, "acr %s, requested %s", acr, st.ACR)
	case !acr.Satisfies(c.acr):
		return tokenError(ErrInvalidIDToken, ErrACRTooLow, "acr %s is below the configured %s", acr, c.acr)
	}
	return nil
}

// Meets reports whether a login at acr meets need, the test a step-up makes
// before asking for more. The acr must be within the configured policy, and:
// on FranceConnect and FranceConnect+ reach every level of need (eidas3
// meets eidas2); on ProConnect be one of need (set membership: ProConnect's
// levels are not ordered). An empty need asks for the policy alone.
func (c *Client) Meets(acr ACR, need ...ACR) bool {
	if c.platform == ProConnect {
		inPolicy := slices.Contains(proconnectLevels, acr) && (len(c.levels) == 0 || slices.Contains(c.levels, acr))
		return inPolicy && (len(need) == 0 || slices.Contains(need, acr))
	}
	if !acr.Satisfies(c.acr) {
		return false
	}
	for _, n := range need {
		if !acr.Satisfies(n) {
			return false
		}
	}
	return true
}

// CheckStepUp reports whether a step-up to need is possible on the Client:
// the error StepUp would return for any person, nil otherwise. A
// middleware that guards a page with a level calls it once, when it is
// built.
func (c *Client) CheckStepUp(need ...ACR) error {
	_, err := c.StepUp(AuthRequest{}, "subject", need...)
	return err
}

// StepUp returns base, the service's usual login options, changed into the
// request of a step-up: a login of the person signed in as subject that
// reaches need with a new authentication. The request asks for need (on
// ProConnect as required levels), sends prompt=login so that the id_token's
// auth_time is checked (ErrStaleAuthentication), and requires the same sub
// (ErrSubjectMismatch). On FranceConnect and FranceConnect+ need is one
// level; below the configured floor it is raised to it, and a level the
// platform does not offer is refused (FranceConnect has no level above
// eidas1). On ProConnect need is the set of levels the action accepts,
// narrowed to the configured ones; a set without any of them is refused
// (ErrLevelOutsidePolicy). Errors wrap ErrInvalidRequest. Authorize the
// result like any request and keep its AuthState.
func (c *Client) StepUp(base AuthRequest, subject string, need ...ACR) (AuthRequest, error) {
	req := base
	switch {
	case subject == "":
		return AuthRequest{}, wrap(ErrInvalidRequest, "StepUp: the subject of the person signed in is required")
	case len(need) == 0:
		return AuthRequest{}, wrap(ErrInvalidRequest, "StepUp: name the level needed")
	case slices.Contains(strings.Fields(base.Prompt), "none"):
		return AuthRequest{}, wrap(ErrInvalidRequest, "StepUp: a step-up needs the person: prompt=none is refused")
	}
	req.Subject, req.PromptLogin, req.PreferredACRs = subject, true, nil
	if c.platform == ProConnect {
		if err := checkLevels(need); err != nil {
			return AuthRequest{}, wrap(ErrInvalidRequest, "StepUp: %v", err)
		}
		req.AcceptedACRs = slices.DeleteFunc(slices.Clone(need), func(a ACR) bool {
			return len(c.levels) > 0 && !slices.Contains(c.levels, a)
		})
		if len(req.AcceptedACRs) == 0 {
			return AuthRequest{}, errorf("%w: %w: StepUp: none of %q is among the accepted levels of the configuration %q",
				ErrInvalidRequest, ErrLevelOutsidePolicy, need, c.levels)
		}
		return req, nil
	}
	if len(need) != 1 {
		return AuthRequest{}, wrap(ErrInvalidRequest, "StepUp: %v takes one level, not %q", c.platform, need)
	}
	if err := c.platform.checkACR(need[0]); err != nil {
		return AuthRequest{}, wrap(ErrInvalidRequest, "StepUp: %v", err)
	}
	req.ACR, req.AcceptedACRs = need[0], nil
	if !need[0].Satisfies(c.acr) {
		req.ACR = c.acr
	}
	return req, nil
}
