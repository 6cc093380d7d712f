package main

// Mutants of the two Secret types, the library's and the emulator's, each
// redacting itself: their tests are the root package's.
func init() {
	mutants = append(mutants,
		mutant{"redaction: franceconnect.Secret's String", "redact.go", [][2]string{
			{"func (s Secret) String() string { return redacted(string(s)) }", "func (s Secret) String() string { return string(s) }"}}, nil},
		mutant{"redaction: franceconnect.Secret in fmt", "redact.go", [][2]string{
			{"func (s Secret) Format(", "func (s Secret) format("}}, nil},
		mutant{"redaction: franceconnect.Secret in JSON", "redact.go", [][2]string{
			{"func (s Secret) MarshalJSON(", "func (s Secret) marshalJSON("}}, nil},
		mutant{"redaction: fctest.Secret's String", "fctest/secret.go", [][2]string{
			{"func (s Secret) String() string { return credential.Redact(string(s)) }",
				"func (s Secret) String() string { _ = credential.Redact; return string(s) }"}}, nil},
		mutant{"redaction: fctest.Secret in fmt", "fctest/secret.go", [][2]string{
			{"func (s Secret) Format(", "func (s Secret) format("}}, nil},
		mutant{"redaction: fctest.Secret in JSON", "fctest/secret.go", [][2]string{
			{"func (s Secret) MarshalJSON(", "func (s Secret) marshalJSON("}}, nil},
	)
}
