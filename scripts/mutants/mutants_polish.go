package main

// Mutants of the date range of token claims, the size bound of provider
// RSA keys and the redactions of fctest's registration helper.
func init() {
	mutants = append(mutants,
		mutant{"claims: dates below 2^40 s", "claims.go", [][2]string{
			{"!(f >= 0 && f < maxDate)", "!(f >= 0)"}}, nil},
		mutant{"provider keys: RSA of at most 4096 bits", "internal/jose/jwks.go", [][2]string{
			{"if bits := rsaBits(members); bits > MaxRSABits {", "if bits := rsaBits(members); false {"}}, jose},
		mutant{"redaction: fctest Env in fmt", "fctest/register.go", [][2]string{
			{"func (e Env) Format(", "func (e Env) format("}}, []string{"./fctest"}},
		mutant{"redaction: fctest FSConfig in fmt", "fctest/register.go", [][2]string{
			{"func (c FSConfig) Format(", "func (c FSConfig) format("}}, []string{"./fctest"}},
		mutant{"redaction: fctest FSConfig in JSON", "fctest/register.go", [][2]string{
			{"func (c FSConfig) MarshalJSON() ([]byte, error) {", "func (c FSConfig) marshalJSON() ([]byte, error) {"}}, []string{"./fctest"}},
	)
}
