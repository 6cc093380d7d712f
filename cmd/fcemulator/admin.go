package main

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"

	"github.com/go-franceconnect/franceconnect/fctest"
)

// adminPrefix is where the admin API lives, a path FranceConnect never uses.
const adminPrefix = "/_emulator/"

// admin is the admin API: it injects, clears and lists faults and lists the
// registered clients.
type admin struct {
	ready   chan struct{} // closed once srv is set
	srv     *fctest.Server
	clients []clientInfo
}

// faultsRequest is the body of POST /_emulator/faults/inject.
type faultsRequest struct {
	Faults []string `json:"faults"`
}

// faultsAnswer lists faults by name.
type faultsAnswer struct {
	Pending   []string `json:"pending"`
	Available []string `json:"available,omitempty"`
}

// wrap returns a handler serving the admin API and passing every other
// request to next.
func (a *admin) wrap(next http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+adminPrefix+"faults", a.listFaults)
	mux.HandleFunc("POST "+adminPrefix+"faults/inject", a.injectFaults)
	mux.HandleFunc("POST "+adminPrefix+"faults/clear", a.clearFaults)
	mux.HandleFunc("GET "+adminPrefix+"clients", a.listClients)
	mux.HandleFunc(adminPrefix, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "no admin endpoint " + r.Method + " " +
			r.URL.Path + "; see GET faults, POST faults/inject, POST faults/clear, GET clients under " + adminPrefix})
	})
	mux.Handle("/", next)
	return mux
}

func (a *admin) listFaults(w http.ResponseWriter, _ *http.Request) {
	<-a.ready
	answer := faultsAnswer{Pending: faultNames(a.srv.PendingFaults()), Available: faultNames(fctest.AllFaults())}
	writeJSON(w, http.StatusOK, answer)
}

// injectFaults queues the faults named in the body, all or none.
func (a *admin) injectFaults(w http.ResponseWriter, r *http.Request) {
	<-a.ready
	var req faultsRequest
	if status, err := readJSON(w, r, &req); err != nil {
		writeJSON(w, status, map[string]string{"error": err.Error()})
		return
	}
	if len(req.Faults) == 0 {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": `name the faults: {"faults": ["FaultWrongNonce"]}`})
		return
	}
	faults := make([]fctest.Fault, 0, len(req.Faults))
	for _, name := range req.Faults {
		f, err := fctest.ParseFault(name)
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		faults = append(faults, f)
	}
	for _, f := range faults {
		a.srv.InjectFault(f)
	}
	writeJSON(w, http.StatusOK, faultsAnswer{Pending: faultNames(a.srv.PendingFaults())})
}

func (a *admin) clearFaults(w http.ResponseWriter, r *http.Request) {
	<-a.ready
	var req struct{}
	if status, err := readJSON(w, r, &req); err != nil {
		writeJSON(w, status, map[string]string{"error": err.Error()})
		return
	}
	a.srv.ClearFaults()
	writeJSON(w, http.StatusOK, faultsAnswer{Pending: []string{}})
}

func (a *admin) listClients(w http.ResponseWriter, _ *http.Request) {
	<-a.ready
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

// faultNames returns the names of faults.
func faultNames(faults []fctest.Fault) []string {
	names := make([]string, 0, len(faults))
	for _, f := range faults {
		names = append(names, f.String())
	}
	return names
}
