package main

// The checks of fchttp's guard (Handler.Require): the level and the age it
// lets through, the step-up bound to the person signed in, the data kept
// only for that person, the session ended when another person confirms,
// the form that starts the login accepted from this site only and never
// passed to the action; and the agent policy of a door.
func init() {
	mutants = append(mutants,
		mutant{"step-up: the guard checks the level", "fchttp/require.go", [][2]string{
			{"if !g.h.client.Meets(u.ACR, g.levels...) {", "if false {"}}, fchttpPkg},
		mutant{"step-up: the guard checks the age of the authentication", "fchttp/require.go", [][2]string{
			{"return g.maxAge == 0 || !u.AuthTime.IsZero() && g.h.now().Sub(u.AuthTime) <= g.maxAge", "return true"}}, fchttpPkg},
		mutant{"step-up: the login of a person signed in names them (sub)", "fchttp/require.go", [][2]string{
			{"if u != nil {\n\t\treturn c.StepUp(base, u.Subject, need...)", "if false {\n\t\treturn c.StepUp(base, u.Subject, need...)"}}, fchttpPkg},
		mutant{"step-up: the data is kept for the same sub only", "fchttp/require.go", [][2]string{
			{"if p.Subject == \"\" || prev == nil || prev.Subject != login.IDToken.Subject {", "if p.Subject == \"\" || prev == nil {"}}, fchttpPkg},
		mutant{"step-up: another person ends the session", "fchttp/login.go", [][2]string{
			{"case err != nil && p.Subject != \"\" && errors.Is(err, franceconnect.ErrSubjectMismatch):", "case false:"}}, fchttpPkg},
		mutant{"step-up: the form that starts the login comes from this site", "fchttp/require.go", [][2]string{
			{"case marked && !get && !h.sameSite(r):", "case false:"}}, fchttpPkg},
		mutant{"step-up: the form that starts the login never reaches the action", "fchttp/require.go", [][2]string{
			{"case u != nil && g.met(u) && marked:", "case false:"}}, fchttpPkg},
		mutant{"step-up: FranceConnect has no level above eidas1", "fchttp/require.go", [][2]string{
			{"case c.Platform() == franceconnect.FranceConnect && slices.ContainsFunc(", "case false && slices.ContainsFunc("}}, fchttpPkg},
		mutant{"agent policy: applied after the login", "fchttp/agents.go", [][2]string{
			{"return h.cfg.AgentPolicy.Check(login.Identity.Agent)", "return nil"}}, fchttpPkg},
		mutant{"agent policy: the Handler keeps its own copy", "fchttp/agents.go", [][2]string{
			{"SIRETs: slices.Clone(p.SIRETs)", "SIRETs: p.SIRETs"}}, fchttpPkg},
		mutant{"agent policy: ProConnect doors only", "fchttp/agents.go", [][2]string{
			{"case h.client.Platform() != franceconnect.ProConnect:", "case false:"}}, fchttpPkg},
	)
}
