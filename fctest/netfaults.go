package fctest

import (
	"net/http"
	"strconv"
	"time"
)

// netKind is what a latency, timeout or hang fault does to an answer.
type netKind int

const (
	netLatency netKind = iota + 1
	netTimeout
	netHang
)

// netFault is a latency, timeout or hang fault of one endpoint (a counter
// name of Server.Requests).
type netFault struct {
	endpoint string
	kind     netKind
}

var netFaults = map[Fault]netFault{
	FaultDiscoveryLatency: {"discovery", netLatency}, FaultDiscoveryTimeout: {"discovery", netTimeout},
	FaultDiscoveryHang: {"discovery", netHang},
	FaultJWKSLatency:   {"jwks", netLatency}, FaultJWKSTimeout: {"jwks", netTimeout}, FaultJWKSHang: {"jwks", netHang},
	FaultTokenLatency: {"token", netLatency}, FaultTokenTimeout: {"token", netTimeout}, FaultTokenHang: {"token", netHang},
	FaultUserinfoLatency: {"userinfo", netLatency}, FaultUserinfoTimeout: {"userinfo", netTimeout},
	FaultUserinfoHang:      {"userinfo", netHang},
	FaultRevocationLatency: {"revocation", netLatency}, FaultRevocationTimeout: {"revocation", netTimeout},
	FaultRevocationHang: {"revocation", netHang},
}

// operationPoints are the points of the faults declared after
// FaultUserinfoEncrypted.
var operationPoints = func() map[Fault]faultPoint {
	m := map[Fault]faultPoint{
		FaultUserinfoExpiredToken:  pointUserinfo,
		FaultRevocationServerError: pointRevocation,
		FaultRevocationUnavailable: pointRevocation,
		FaultSigningKeyRotated:     pointKeys,
	}
	for f := range netFaults {
		m[f] = pointNet
	}
	return m
}()

// hangPrefix is what a hang fault sends of a body before it stalls.
const hangPrefix = "{\n  "

// applyNetFault applies the first latency, timeout or hang fault of
// endpoint queued for fl. It reports true when the request has been dealt
// with (held until the client gave up, or dropped) and must not be
// processed; a latency only delays it.
func (s *Server) applyNetFault(w http.ResponseWriter, r *http.Request, endpoint string, fl flow) bool {
	in, ok := s.take(fl, func(f Fault) bool {
		nf, ok := netFaults[f]
		return ok && nf.endpoint == endpoint
	})
	if !ok {
		return false
	}
	switch netFaults[in.Fault].kind {
	case netLatency:
		delay := in.Delay
		if delay == 0 {
			delay = DefaultFaultDelay
		}
		return s.wait(r, fl.rec, delay)
	case netHang:
		contentType := "application/json"
		if endpoint == "jwks" {
			contentType = "application/jwk-set+json"
		}
		w.Header().Set("Content-Type", contentType+"; charset=utf-8")
		w.Header().Set("Content-Length", strconv.Itoa(len(hangPrefix)+4096))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(hangPrefix))
		_ = http.NewResponseController(w).Flush()
	}
	if !s.wait(r, fl.rec, MaxFaultHold) {
		panic(http.ErrAbortHandler) // the client never gave up: drop the connection
	}
	return true
}

// wait waits for d of real time. It reports true, noting it in rec, when
// the client gave up first, or when the server is shutting down.
func (s *Server) wait(r *http.Request, rec *RequestRecord, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return false
	case <-r.Context().Done():
		rec.ClientGaveUp = true
	case <-s.quit:
		rec.Detail = "held by a fault when the server stopped"
	}
	return true
}
