package main

// The checks of levels: the configured level is a floor, the acr is
// checked against it, azp names us, a new authentication is checked
// through auth_time, a step-up keeps its person, and the helpers that
// decide who gets in.
func init() {
	// The acr checks of the shared list moved from token.go to levels.go,
	// where the configured policy joined them: the same checks, found there.
	moved := map[string]mutant{
		"id_token: acr at least the requested level": {"id_token: acr at least the requested level", "levels.go", [][2]string{
			{`case st.ACR != "" && !acr.Satisfies(st.ACR):`, "case false:"}}, nil},
		"ProConnect: acr among the accepted levels": {"ProConnect: acr among the accepted levels", "levels.go", [][2]string{
			{"case len(st.ACRs) > 0 && !slices.Contains(st.ACRs, acr):", "case false:"}}, nil},
	}
	for i, m := range mutants {
		if to, ok := moved[m.name]; ok {
			mutants[i] = to
		}
	}
	fchttp := []string{"./fchttp"}
	mutants = append(mutants,
		// The floor.
		mutant{"floor: a request below Config.ACR refused", "levels.go", [][2]string{
			{"if !req.ACR.Satisfies(c.acr) {", "if false {"}}, nil},
		mutant{"floor: ProConnect request within Config.AcceptedACRs", "levels.go", [][2]string{
			{"if len(c.levels) > 0 && !slices.Contains(c.levels, a) {", "if false {"}}, nil},
		mutant{"floor: acr checked against Config.ACR", "levels.go", [][2]string{
			{"case !acr.Satisfies(c.acr):", "case false:"}}, nil},
		mutant{"floor: ProConnect acr among Config.AcceptedACRs", "levels.go", [][2]string{
			{"case len(c.levels) > 0 && !slices.Contains(c.levels, acr):", "case false:"}}, nil},
		mutant{"prefer: the preferred levels are not essential", "levels.go", [][2]string{
			{"levels, essential = preferred, false", "levels, essential = preferred, true"}}, nil},
		// azp.
		mutant{"azp: when present, our client_id", "token.go", [][2]string{
			{"if cl.AZP != nil && *cl.AZP != c.clientID {", "if false {"}}, nil},
		// Fresh authentication.
		mutant{"freshness: auth_time not before the login started", "freshness.go", [][2]string{
			{"if at.t.Before(earliest.Add(-c.leeway)) {", "if false {"}}, nil},
		mutant{"freshness: checked after prompt=login", "freshness.go", [][2]string{
			{"if !st.FreshAuth && maxAge == 0 {", "if maxAge == 0 {"}}, nil},
		mutant{"freshness: Config.MaxAuthAge applies", "freshness.go", [][2]string{
			{"maxAge := shortestAge(st.MaxAuthAge, c.maxAge)", "maxAge := st.MaxAuthAge"}}, nil},
		mutant{"freshness: the AuthState carries its start", "freshness.go", [][2]string{
			{"case st.Started.IsZero():", "case false:"}}, nil},
		mutant{"freshness: auth_time not in the future", "freshness.go", [][2]string{
			{"case at.t.After(now.Add(c.leeway)):", "case now.IsZero():"}}, nil},
		mutant{"fchttp: the login in progress keeps its start", "fchttp/session.go", [][2]string{
			{"st.Started = time.Unix(p.Started, 0)", "_ = p.Started"}}, fchttp},
		mutant{"fchttp: the login in progress keeps prompt=login", "fchttp/session.go", [][2]string{
			{"Prompt: auth.FreshAuth,", "Prompt: false,"}}, fchttp},
		// Step-up.
		mutant{"step-up: the login is about AuthRequest.Subject", "token.go", [][2]string{
			{"if st.Subject != \"\" && !equal(cl.Subject, st.Subject) {", "if false {"}}, nil},
		// Who gets in.
		mutant{"agent policy: e-mail domain", "agentpolicy.go", [][2]string{
			{"case len(p.EmailDomains) > 0 && !domainAdmitted(p.EmailDomains, a.Email):", "case false:"}}, nil},
		mutant{"agent policy: a wildcard matches subdomains only", "agentpolicy.go", [][2]string{
			{`strings.HasSuffix(domain, "."+sub)`, "strings.HasSuffix(domain, sub)"}}, nil},
		mutant{"agent policy: SIREN consistent with the SIRET", "agentpolicy.go", [][2]string{
			{"siretOK && a.SIRET[:9] != a.SIREN", "false"}}, nil},
		mutant{"ProConnect codes: ProConnect's answers only", "provider_error.go", [][2]string{
			{"e.Platform == ProConnect && slices.Contains(codes, e.FCCode)", "slices.Contains(codes, e.FCCode)"}}, nil},
		mutant{"two factors: two categories, not two methods", "twofactor.go", [][2]string{
			{"case f != seen:", "case true:"}}, nil},
	)
}
