package main

import "net/http"

// qualificationPath serves fctest's qualification report: GET
// /_emulator/qualification?client_id=… (a French page, or JSON with
// format=json or Accept: application/json). It is read-only and holds no
// secret, so it is served without -admin, behind the admin API's guard:
// loopback (or -public-url) Host names only, and the -admin-token when one
// is set.
const qualificationPath = adminPrefix + "qualification"

// qualificationRoute serves the qualification report at qualificationPath
// once the emulator has started, and passes every other request to next.
func qualificationRoute(adm *admin, next http.Handler) http.Handler {
	report := adm.guard(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		adm.srv.QualificationHandler().ServeHTTP(w, r)
	}))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != qualificationPath {
			next.ServeHTTP(w, r)
			return
		}
		report.ServeHTTP(w, r)
	})
}
