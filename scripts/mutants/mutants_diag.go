package main

// Diagnostics: the support reference, what the log event may hold, the
// login-state failures told apart, and the settings a failure names.
func init() {
	mutants = append(mutants,
		mutant{"fchttp: the log event holds the page's support reference", "fchttp/diagnose.go", [][2]string{
			{`attrs := []any{"ref", p.Reference,`, `attrs := []any{"ref", newReference(),`}}, fchttpPkg},
		mutant{"fchttp: the log event holds the path, not the query", "fchttp/diagnose.go", [][2]string{
			{`"path", r.URL.Path,`, `"path", r.URL.String(),`}}, fchttpPkg},
		mutant{"fchttp: a hook's panic value is logged by its type", "fchttp/hooks.go", [][2]string{
			{`return fmt.Sprintf("a value of type %T", v)`, `return fmt.Sprintf("%v", v)`}}, fchttpPkg},
		mutant{"fchttp: a used login is remembered", "fchttp/session.go", [][2]string{
			{`e.Used = append(e.Used, usedLogin{Digest: stateDigest(state), Expiry: p.Expiry})`, `_ = usedLogin{}`}}, fchttpPkg},
		mutant{"fchttp: a state is bound to its door", "fchttp/state.go", [][2]string{
			{"\tm.Write(h.binding)\n", ""}}, fchttpPkg},
		mutant{"fchttp: an expired state is told from the state", "fchttp/state.go", [][2]string{
			{`case ours && now.Sub(issued) >= LoginTimeout:`, `case false:`}}, fchttpPkg},
		mutant{"franceconnect: a ProConnect userinfo in the other form names FC_USERINFO", "userinfo.go", [][2]string{
			{`return nil, c.userinfoSetting(wrap(`, `return nil, (wrap(`},
			{`ErrContentType, mt, want), mt)`, `ErrContentType, mt, want))`}}, nil},
		mutant{"franceconnect: an algorithm the FS did not configure names FC_SIGNING_ALG", "jwe.go", [][2]string{
			{`return nil, c.signingSetting(err, h.Alg)`, `return nil, err`}}, nil},
	)
}
