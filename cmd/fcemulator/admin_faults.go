package main

import (
	"net/http"
	"slices"

	"github.com/go-franceconnect/franceconnect/fctest"
)

// faultsRequest is the body of POST /_emulator/faults/inject: names, or
// objects aiming a fault (see fctest.Injection).
type faultsRequest struct {
	Faults []fctest.Injection `json:"faults"`
}

// faultsList is the answer of GET /_emulator/faults.
type faultsList struct {
	Platform  string             `json:"platform"`
	Pending   []fctest.Injection `json:"pending"`
	Available []fctest.FaultInfo `json:"available"`
	// Elsewhere names the faults of the other platforms.
	Elsewhere []string `json:"other_platforms"`
}

// listFaults answers the pending injections and the catalogue: the faults
// that can apply here (to the client of ?client_id= when given), the
// others by name.
func (a *admin) listFaults(w http.ResponseWriter, r *http.Request) {
	clientID := r.URL.Query().Get("client_id")
	if clientID != "" && !slices.ContainsFunc(a.clients, func(c clientInfo) bool { return c.ID == clientID }) &&
		!slices.Contains(a.dataProviders, clientID) {
		writeError(w, http.StatusNotFound, "no client "+quoteHost(clientID)+" is registered")
		return
	}
	answer := faultsList{Platform: a.srv.Platform().String(), Pending: a.srv.Pending(),
		Available: []fctest.FaultInfo{}, Elsewhere: []string{}}
	for _, fi := range fctest.Catalogue() {
		switch {
		case a.srv.FaultApplies(fi.Fault, clientID) == nil:
			answer.Available = append(answer.Available, fi)
		case !fi.Fault.AppliesOn(a.srv.Platform()):
			answer.Elsewhere = append(answer.Elsewhere, fi.Fault.String())
		}
	}
	writeJSON(w, http.StatusOK, answer)
}

// injectFaults queues the faults of the body, all or none: a fault that
// cannot apply is a 400 that says why.
func (a *admin) injectFaults(w http.ResponseWriter, r *http.Request) {
	var req faultsRequest
	if status, err := readJSON(w, r, &req); err != nil {
		writeError(w, status, err.Error())
		return
	}
	if len(req.Faults) == 0 {
		writeError(w, http.StatusBadRequest, `name the faults: {"faults": ["FaultWrongNonce", `+
			`{"fault": "FaultTokenLatency", "client_id": "my-fs", "count": 2, "delay": "1s"}]}`)
		return
	}
	if err := a.srv.Inject(req.Faults...); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string][]fctest.Injection{"pending": a.srv.Pending()})
}

// clearFaults empties the queue, or removes the faults aimed at the client
// of {"client_id": …}.
func (a *admin) clearFaults(w http.ResponseWriter, r *http.Request) {
	var req struct {
		ClientID string `json:"client_id"`
	}
	if status, err := readJSON(w, r, &req); err != nil {
		writeError(w, status, err.Error())
		return
	}
	if req.ClientID != "" {
		a.srv.ClearClientFaults(req.ClientID)
	} else {
		a.srv.ClearFaults()
	}
	writeJSON(w, http.StatusOK, map[string][]fctest.Injection{"pending": a.srv.Pending()})
}
