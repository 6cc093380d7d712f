package main

// The checks where two features meet: the signing-algorithm advice is
// given for the platform's own algorithms only (an FS's and a data
// provider's), an error answer loses what the request sent, and the
// data-provider faults concern data providers only.
func init() {
	mutants = append(mutants,
		mutant{"signing advice only for an algorithm of the platform", "signingalg.go", [][2]string{
			{`if !slices.Contains(c.platform.signingAlgs(), alg) || slices.Contains(c.sigAlgs, alg) {`,
				`if slices.Contains(c.sigAlgs, alg) {`}}, nil},
		mutant{"a provider's error loses the values sent", "provider_error.go", [][2]string{
			{`.Scrub(append(sent, string(c.secret))...)`, `.Scrub()`}}, nil},
		mutant{"fcdata: the platform's error loses the token and the secret", "fcdata/verifier.go", [][2]string{
			{`e = e.Scrub(token, string(v.s.secret))`, `e = e.Scrub()`}}, []string{"./fcdata"}},
		mutant{"fcdata: signing advice only for an algorithm of the platform", "fcdata/setting.go", [][2]string{
			{`if !slices.Contains(signingAlgs(s.platform), alg) || alg == s.sigAlg {`, `if !slices.Contains(signingAlgs(s.platform), alg) && false || alg == s.sigAlg {`}},
			[]string{"./fcdata"}},
		mutant{"fcdata: an answer signed with another algorithm of the platform names FD_SIGNING_ALG", "fcdata/answer.go",
			[][2]string{{`return nil, v.s.signingSetting(errorf("%w: %w", ErrIntrospection, err), h.Alg)`,
				`return nil, errorf("%w: %w", ErrIntrospection, err)`}}, []string{"./fcdata"}},
		mutant{"fctest: checktoken faults apply to data providers only", "fctest/catalogue.go", [][2]string{
			{"if meta.step == StepCheckToken {", "if false {"}}, []string{"./fctest"}},
		mutant{"fctest: login faults apply to service providers only", "fctest/catalogue.go", [][2]string{
			{"\tcase dp != nil:\n", "\tcase false:\n"}}, []string{"./fctest"}},
	)
}
