package main

// The tokens fchttp keeps for data providers (Config.KeepTokens,
// Handler.DataClient): in the Store only, bound to their session, deleted
// at logout, refreshed once per session and stored back.
func init() {
	mutants = append(mutants,
		mutant{"fchttp: KeepTokens needs a Store", "fchttp/config.go", [][2]string{
			{"case c.KeepTokens && c.Store == nil:", "case false && c.KeepTokens && c.Store == nil:"}}, fchttpPkg},
		mutant{"fchttp: kept tokens bound to their session", "fchttp/tokens.go", [][2]string{
			{`encodeFields([]string{"stored tokens", id})`, `encodeFields([]string{"stored tokens"})`}}, fchttpPkg},
		mutant{"fchttp: a logout deletes the kept tokens", "fchttp/sessions.go", [][2]string{
			{"err = h.store.Delete(ctx, tokensKey(u.ID))", "_ = tokensKey(u.ID)"}}, fchttpPkg},
		mutant{"fchttp: one refresh of the kept tokens per session", "fchttp/tokens.go", [][2]string{
			{"\tmu.Lock()\n\tdefer mu.Unlock()\n\tk, err := h.loadTokens(ctx, u.ID)", "\tk, err := h.loadTokens(ctx, u.ID)\n\t_ = mu"}}, fchttpPkg},
		mutant{"fchttp: refreshed tokens stored before use", "fchttp/tokens.go", [][2]string{
			{"if err := h.updateTokens(ctx, u, next); err != nil {", "if err := error(nil); err != nil {"}}, fchttpPkg},
		mutant{"fchttp: tokens refreshed by the data client stored", "fchttp/tokens.go", [][2]string{
			{"return h.updateTokens(ctx, u, t)", "return nil"}}, fchttpPkg},
		mutant{"fchttp: a refresh brings no ended session back", "fchttp/tokens.go", [][2]string{
			{"case !ok:\n\t\treturn fmt.Errorf(\"%w: the session ended", "case !ok && false:\n\t\treturn fmt.Errorf(\"%w: the session ended"}}, fchttpPkg},
		mutant{"DataClient: its transport prints no token", "data.go", [][2]string{
			{"func (b *bearer) Format(f fmt.State, _ rune) {", "func (b *bearer) format(f fmt.State, _ rune) {"}}, fchttpPkg},
	)
}
