package main

// The checks where two features meet: the signing-algorithm advice is
// given for the platform's own algorithms only.
func init() {
	mutants = append(mutants,
		mutant{"signing advice only for an algorithm of the platform", "signingalg.go", [][2]string{
			{`if !slices.Contains(c.platform.signingAlgs(), alg) || slices.Contains(c.sigAlgs, alg) {`,
				`if slices.Contains(c.sigAlgs, alg) {`}}, nil},
	)
}
