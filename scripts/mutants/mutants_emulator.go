package main

// The emulator's own checks: the admin API's doors, the listening address,
// and faults that stay aimed where they were asked to apply.
func init() {
	fcemulator := []string{"./cmd/fcemulator"}
	fctest := []string{"./fctest"}
	mutants = append(mutants,
		mutant{"fcemulator: admin API for loopback Host headers only", "cmd/fcemulator/admin.go", [][2]string{
			{"case !a.hostAllowed(r.Host):", "case false:"}}, fcemulator},
		mutant{"fcemulator: admin API Host names matched whole", "cmd/fcemulator/admin.go", [][2]string{
			{`return host == "localhost" || strings.HasSuffix(host, ".localhost")`,
				`return strings.HasPrefix(host, "localhost") || strings.HasSuffix(host, ".localhost")`}}, fcemulator},
		mutant{"fcemulator: admin API bearer token required", "cmd/fcemulator/admin.go", [][2]string{
			{`case a.token != "" && !a.tokenValid(r):`, "case false:"}}, fcemulator},
		mutant{"fcemulator: admin API bearer token compared whole", "cmd/fcemulator/admin.go", [][2]string{
			{"subtle.ConstantTimeCompare([]byte(strings.TrimSpace(value)), []byte(a.token)) == 1",
				"subtle.ConstantTimeCompare([]byte(strings.TrimSpace(value)), " +
					"[]byte(a.token[:min(len(a.token), len(strings.TrimSpace(value)))])) == 1"}}, fcemulator},
		mutant{"fcemulator: -addr off loopback only with -container", "cmd/fcemulator/flags.go", [][2]string{
			{`if host == "localhost" || (ip != nil && ip.IsLoopback()) || cfg.container {`, "if ip != nil || true {"}}, fcemulator},
		mutant{"fctest: listener off loopback only with InsecureNonLoopback", "fctest/server.go", [][2]string{
			{"(!addr.IP.IsLoopback() && !anyAddr)", "(!addr.IP.IsLoopback() && !anyAddr && anyAddr)"}}, fctest},
		mutant{"fctest: a fault aimed at a client is not taken by another", "fctest/inject.go", [][2]string{
			{`(q.in.ClientID == "" || q.in.ClientID == fl.clientID)`, "true"}}, fctest},
		mutant{"fctest: a fault aimed at a person is not taken by another", "fctest/inject.go", [][2]string{
			{`(q.in.Login == "" || q.in.Login == fl.login)`, "true"}}, fctest},
		mutant{"fctest: a fault that cannot apply on the platform is refused", "fctest/catalogue.go", [][2]string{
			{"if !slices.Contains(meta.platforms, s.platform) {", "if false {"}}, fctest},
	)
}
