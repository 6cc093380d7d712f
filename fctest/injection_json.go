package fctest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// injectionJSON is the JSON object of an Injection.
type injectionJSON struct {
	Fault    string `json:"fault"`
	ClientID string `json:"client_id,omitempty"`
	Login    string `json:"login,omitempty"`
	Count    int    `json:"count,omitempty"`
	Delay    string `json:"delay,omitempty"`
}

// MarshalJSON encodes in as {"fault": "FaultWrongNonce", "client_id": …,
// "login": …, "count": …, "delay": "1.5s"}, leaving out the zero members.
func (in Injection) MarshalJSON() ([]byte, error) {
	j := injectionJSON{Fault: in.Fault.String(), ClientID: in.ClientID, Login: in.Login, Count: in.Count}
	if in.Delay != 0 {
		j.Delay = in.Delay.String()
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads a fault's name, "FaultWrongNonce", or an object with
// the members MarshalJSON writes (fault required, delay a Go duration such
// as "500ms"). Unknown members and faults are errors; the other checks are
// Inject's.
func (in *Injection) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	var name string
	if len(data) > 0 && data[0] == '"' {
		if err := json.Unmarshal(data, &name); err != nil {
			return err
		}
		f, err := ParseFault(name)
		*in = Injection{Fault: f}
		return err
	}
	var j injectionJSON
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		return fmt.Errorf("fctest: a fault is a name or an object {fault, client_id, login, count, delay}: %w", err)
	}
	if j.Fault == "" {
		return errors.New(`fctest: a fault object needs "fault", e.g. {"fault": "FaultWrongNonce"}`)
	}
	f, err := ParseFault(j.Fault)
	if err != nil {
		return err
	}
	var delay time.Duration
	if j.Delay != "" {
		if delay, err = time.ParseDuration(j.Delay); err != nil {
			return fmt.Errorf("fctest: %s: delay %q: want a duration such as \"500ms\" or \"2s\"", j.Fault, j.Delay)
		}
	}
	*in = Injection{Fault: f, ClientID: j.ClientID, Login: j.Login, Count: j.Count, Delay: delay}
	return nil
}
