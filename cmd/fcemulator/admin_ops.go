package main

import (
	"fmt"
	"net/http"
	"time"

	"github.com/go-franceconnect/franceconnect/fctest"
)

// clockAnswer is the emulator's clock.
type clockAnswer struct {
	Now           time.Time `json:"now"`
	Offset        string    `json:"offset"`
	OffsetSeconds float64   `json:"offset_seconds"`
}

func (a *admin) clockAnswer() clockAnswer {
	offset := a.srv.ClockOffset()
	return clockAnswer{Now: a.srv.Now().UTC(), Offset: offset.String(), OffsetSeconds: offset.Seconds()}
}

func (a *admin) getClock(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, a.clockAnswer())
}

// advanceClock moves the clock forward by {"advance": "31s"}.
func (a *admin) advanceClock(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Advance string `json:"advance"`
	}
	if status, err := readJSON(w, r, &req); err != nil {
		writeError(w, status, err.Error())
		return
	}
	d, err := time.ParseDuration(req.Advance)
	if err != nil {
		writeError(w, http.StatusBadRequest, fmt.Sprintf(`advance %q: want a duration such as {"advance": "31s"}`,
			req.Advance))
		return
	}
	if _, err := a.srv.AdvanceClock(d); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, a.clockAnswer())
}

func (a *admin) listKeys(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string][]string{"kids": a.srv.KeyIDs()})
}

// rotation is a key rotation as the admin API reports it.
type rotation struct {
	Alg     string     `json:"alg"`
	OldKID  string     `json:"old_kid"`
	NewKID  string     `json:"new_kid"`
	Retired *time.Time `json:"old_key_retired,omitempty"`
}

// rotateKeys rotates the provider signing keys. {"keep_old": "10m"} keeps
// the old keys published for that long of the emulator's clock, "0s"
// withdraws them at once; without keep_old they stay published.
func (a *admin) rotateKeys(w http.ResponseWriter, r *http.Request) {
	var req struct {
		KeepOld *string `json:"keep_old"`
	}
	if status, err := readJSON(w, r, &req); err != nil {
		writeError(w, status, err.Error())
		return
	}
	keep := time.Duration(-1)
	if req.KeepOld != nil {
		d, err := time.ParseDuration(*req.KeepOld)
		if err != nil || d < 0 {
			writeError(w, http.StatusBadRequest, fmt.Sprintf(`keep_old %q: want a duration such as "10m", or "0s" `+
				`to withdraw the old keys at once`, *req.KeepOld))
			return
		}
		keep = d
	}
	rots, err := a.srv.RotateSigningKeys(keep)
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"rotations": rotationsOf(rots), "kids": a.srv.KeyIDs()})
}

// rotationsOf converts fctest's rotations.
func rotationsOf(rots []fctest.KeyRotation) []rotation {
	out := make([]rotation, 0, len(rots))
	for _, r := range rots {
		rot := rotation{Alg: r.Alg, OldKID: r.OldKID, NewKID: r.NewKID}
		if !r.Retired.IsZero() {
			retired := r.Retired.UTC()
			rot.Retired = &retired
		}
		out = append(out, rot)
	}
	return out
}
