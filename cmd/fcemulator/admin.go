package main

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-franceconnect/franceconnect/fctest"
)

// adminPrefix is where the admin API lives, a path FranceConnect never uses.
const adminPrefix = "/_emulator/"

// admin is the admin API: faults, clock, keys and the registered clients.
type admin struct {
	ready   chan struct{} // closed once srv is set
	srv     *fctest.Server
	clients []clientInfo
	// dataProviders are the client_ids of the registered data providers,
	// whose faults (checktoken) GET faults?client_id= lists.
	dataProviders []string
	log           *slog.Logger
	token         string // required bearer token; "" for none
	publicHost    string // the host of -public-url, accepted besides loopback names; "" for none
}

// adminRoutes lists the endpoints, for the 404 answer.
const adminRoutes = "GET faults, POST faults/inject, POST faults/clear, GET and POST clock, " +
	"GET keys, POST keys/rotate, GET clients"

// wrap returns a handler serving the admin API and passing every other
// request to next.
func (a *admin) wrap(next http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+adminPrefix+"faults", a.listFaults)
	mux.HandleFunc("POST "+adminPrefix+"faults/inject", a.injectFaults)
	mux.HandleFunc("POST "+adminPrefix+"faults/clear", a.clearFaults)
	mux.HandleFunc("GET "+adminPrefix+"clock", a.getClock)
	mux.HandleFunc("POST "+adminPrefix+"clock", a.advanceClock)
	mux.HandleFunc("GET "+adminPrefix+"keys", a.listKeys)
	mux.HandleFunc("POST "+adminPrefix+"keys/rotate", a.rotateKeys)
	mux.HandleFunc("GET "+adminPrefix+"clients", a.listClients)
	mux.HandleFunc(adminPrefix, func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no admin endpoint "+r.Method+" "+r.URL.Path+"; see "+adminRoutes+
			" under "+adminPrefix)
	})
	guarded := a.guard(mux)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path+"/" == adminPrefix || strings.HasPrefix(r.URL.Path, adminPrefix) {
			guarded.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// guard refuses the requests whose Host is not a loopback name or address
// (or the -public-url host), which a DNS rebinding attack sends from a
// web page, and those without the bearer token when one is required; it
// logs one line per admin request.
func (a *admin) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-a.ready
		rec := &adminWriter{ResponseWriter: w}
		start := time.Now()
		switch {
		case !a.hostAllowed(r.Host):
			writeError(rec, http.StatusForbidden, "the admin API answers only requests for a loopback host name "+
				"or address (localhost, 127.0.0.1, [::1]) or the -public-url host, not "+quoteHost(r.Host)+
				": a web page could otherwise reach it through DNS rebinding")
		case a.token != "" && !a.tokenValid(r):
			rec.Header().Set("WWW-Authenticate", `Bearer realm="fcemulator admin"`)
			writeError(rec, http.StatusUnauthorized, "the admin API requires the bearer token of -admin-token "+
				"(Authorization: Bearer …)")
		default:
			next.ServeHTTP(rec, r)
		}
		attrs := []slog.Attr{slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", rec.status()), slog.Duration("duration", time.Since(start).Round(time.Microsecond))}
		level := slog.LevelInfo
		if rec.err != "" {
			attrs, level = append(attrs, slog.String("error", rec.err)), slog.LevelWarn
		}
		a.log.LogAttrs(r.Context(), level, "admin", attrs...)
	})
}

// hostAllowed reports whether the Host header names a loopback name or
// address, or the -public-url host.
func (a *admin) hostAllowed(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.ToLower(strings.TrimSuffix(strings.Trim(host, "[]"), "."))
	if ip := net.ParseIP(host); ip != nil {
		return ip.IsLoopback()
	}
	return host == "localhost" || strings.HasSuffix(host, ".localhost") || (a.publicHost != "" && host == a.publicHost)
}

// tokenValid compares the bearer token in constant time.
func (a *admin) tokenValid(r *http.Request) bool {
	scheme, value, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	return ok && strings.EqualFold(scheme, "Bearer") &&
		subtle.ConstantTimeCompare([]byte(strings.TrimSpace(value)), []byte(a.token)) == 1
}

// publicHost returns the host name of the -public-url, lower case.
func publicHost(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Hostname())
}

// quoteHost quotes a Host header for a message, bounded in length.
func quoteHost(host string) string {
	if len(host) > 100 {
		host = host[:100] + "…"
	}
	b, _ := json.Marshal(host)
	return string(b)
}

// adminWriter remembers the status and the error message of an answer.
type adminWriter struct {
	http.ResponseWriter
	code int
	err  string
}

func (w *adminWriter) WriteHeader(status int) {
	if w.code == 0 {
		w.code = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *adminWriter) status() int {
	if w.code == 0 {
		return http.StatusOK
	}
	return w.code
}

func (a *admin) listClients(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string][]clientInfo{"clients": a.clients})
}

// readJSON decodes the JSON body of r, if any, into v. The content type
// must be application/json, which a cross-site form cannot send.
func readJSON(w http.ResponseWriter, r *http.Request, v any) (int, error) {
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != "application/json" {
		return http.StatusUnsupportedMediaType, errors.New("the body must be application/json")
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		return http.StatusBadRequest, errors.New("invalid JSON body: " + err.Error())
	}
	return 0, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeError answers {"error": msg} and remembers msg for the log line.
func writeError(w http.ResponseWriter, status int, msg string) {
	if aw, ok := w.(*adminWriter); ok {
		aw.err = msg
	}
	writeJSON(w, status, map[string]string{"error": msg})
}
