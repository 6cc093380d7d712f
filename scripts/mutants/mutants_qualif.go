package main

// fctestPkg is the emulator, whose tests check the qualification report
// and the conformance run.
var fctestPkg = []string{"./fctest"}

// The checks of the qualification report, of strict mode and of the
// conformance run's verdicts.
func init() {
	mutants = append(mutants,
		mutant{"qualification: state and nonce of 32 characters", "fctest/qualification_checks.go", [][2]string{
			{`case check == "length" && val.present && val.length < qualMinRandom:`, "case false:"}}, fctestPkg},
		mutant{"qualification: state and nonce never reused", "fctest/observe.go", [][2]string{
			{"\tif prev, ok := c.seen[key]; ok {\n\t\tobs.reuse = &prev", "\tif prev, ok := c.seen[key]; ok && false {\n\t\tobs.reuse = &prev"}},
			fctestPkg},
		mutant{"qualification: a code redeemed after a forged callback", "fctest/observe_backchannel.go", [][2]string{
			{"if slices.Contains(codeFaults, f) {", "if false {"}}, fctestPkg},
		mutant{"qualification: userinfo called after a forged token", "fctest/observe_backchannel.go", [][2]string{
			{`if forged(f, StepToken) && s.levelMoot(f, l) == "" {`, "if false {"}}, fctestPkg},
		mutant{"qualification: token request from a browser", "fctest/observe_backchannel.go", [][2]string{
			{`for _, h := range []string{"Origin", "Sec-Fetch-Site"} {`, "for _, h := range []string{} {"}}, fctestPkg},
		mutant{"qualification: code redeemed promptly", "fctest/qualification_checks.go", [][2]string{
			{"late := l.tokens[0].at.Sub(l.callbackAt)", "late := time.Duration(0)"}}, fctestPkg},
		mutant{"qualification: userinfo called promptly", "fctest/qualification_checks.go", [][2]string{
			{"late := u.at.Sub(l.tokens[0].at)", "late := time.Duration(0)"}}, fctestPkg},
		mutant{"qualification: scopes within the grant", "fctest/qualification_checks.go", [][2]string{
			{"if !slices.Contains(known, sc) || (v.rc.granted != nil && !v.rc.granted[sc]) {",
				"if !slices.Contains(known, sc) && false {"}}, fctestPkg},
		mutant{"qualification: logout through the browser", "fctest/qualification_faults.go", [][2]string{
			{"if lo.hasSessionCookie {", "if true {"}}, fctestPkg},
		mutant{"qualification: logout hint not the JWE", "fctest/qualification_faults.go", [][2]string{
			{`case lo.hint == "jwe":`, "case false:"}}, fctestPkg},
		mutant{"strict: state and nonce of 32 characters", "fctest/observe_strict.go", [][2]string{
			{"if len(val) < qualMinRandom {", "if false {"}}, fctestPkg},
		mutant{"strict: state and nonce never reused", "fctest/observe_strict.go", [][2]string{
			{"if prev := s.obs.seenBefore(clientID, kind, val); prev != nil {", "if prev := (*seenValue)(nil); prev != nil {"}},
			fctestPkg},
		mutant{"strict: logout returns to the service", "fctest/observe_strict.go", [][2]string{
			{`if v.Get("post_logout_redirect_uri") == "" {`, "if false {"}}, fctestPkg},
		mutant{"conformance: signed in after a fault to refuse", "fctest/conformance_decide.go", [][2]string{
			{"case expect == OutcomeRefuse && in:", "case false:"}}, fctestPkg},
		mutant{"conformance: went on at the platform after a fault", "fctest/conformance_decide.go", [][2]string{
			{"if len(l.wentOn) > 0 && expect == OutcomeRefuse {", "if false {"}}, fctestPkg},
		mutant{"conformance: forged return from logout taken as genuine", "fctest/conformance_decide.go", [][2]string{
			{"same := logoutAnswer{status: answer.Status, location: locationPath(answer)} == run.baseline", "same := false"}},
			fctestPkg},
	)
}
