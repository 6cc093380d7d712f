package main

// The signature algorithm a client accepts by default: the one of the
// platform's default registration, not every algorithm of the platform.
func init() {
	mutants = append(mutants,
		mutant{"default SigningAlgs: one algorithm, the platform's default registration", "config.go", [][2]string{
			{`c.sigAlgs = []string{c.platform.defaultSigningAlg()}`,
				`c.sigAlgs = slices.DeleteFunc(c.platform.signingAlgs(), func(a string) bool { return a == "HS256" })`}}, nil},
	)
}
