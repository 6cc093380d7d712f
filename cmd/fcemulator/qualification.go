package main

import "net/http"

// qualificationPath serves fctest's qualification report: GET
// /_emulator/qualification?client_id=… (a French page, or JSON with
// format=json or Accept: application/json). It is read-only and holds no
// secret, so it is served without -admin.
const qualificationPath = adminPrefix + "qualification"

// qualificationRoute serves the qualification report at qualificationPath
// once the emulator has started, and passes every other request to next.
func qualificationRoute(adm *admin, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != qualificationPath {
			next.ServeHTTP(w, r)
			return
		}
		<-adm.ready
		adm.srv.QualificationHandler().ServeHTTP(w, r)
	})
}
