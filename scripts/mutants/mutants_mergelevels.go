package main

// The checks where levels meet the sessions and the conformance run: the
// web layer retries a stale authentication once, and only once; a
// conformance run expects a service that sent prompt=login to refuse an
// id_token without a new authentication.
func init() {
	mutants = append(mutants,
		mutant{"fchttp: a stale authentication is retried with prompt=login", "fchttp/login.go", [][2]string{
			{"|| errors.Is(err, franceconnect.ErrStaleAuthentication))", "|| false)"}}, fchttpPkg},
		mutant{"fchttp: no second retry after prompt=login", "fchttp/login.go", [][2]string{
			{"return err != nil && !p.Prompt && !h.cfg.NoACRRetry &&", "return err != nil && !h.cfg.NoACRRetry &&"}}, fchttpPkg},
		mutant{"conformance: auth_time faults refused after prompt=login", "fctest/conformance_fresh.go", [][2]string{
			{"if slices.Contains(l.appliedFaults(), f) && freshAuthRefused(f, &l) {", "if slices.Contains(l.appliedFaults(), f) && false {"}}, fctestPkg},
		mutant{"qualification: userinfo called after a stale answer to prompt=login", "fctest/observe_backchannel.go", [][2]string{
			{"if freshAuthRefused(f, l) {", "if false {"}}, fctestPkg},
	)
}
