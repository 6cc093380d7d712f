package fctest

import (
	"context"
	"net/http"
	"time"
)

// RequestRecord is what the emulator notes about one request it answered:
// enough to say why it failed, and never a token, a code, a secret or
// personal data. Options.OnRequest receives one per request; the
// fcemulator command writes its log lines from them.
type RequestRecord struct {
	// Time is the server clock (Options.Now, moved by AdvanceClock) when
	// the request arrived.
	Time time.Time
	// Duration is the real time taken to answer.
	Duration time.Duration
	// Method and Path are the request's, the path without its query.
	Method, Path string
	// Endpoint is the name Server.Requests counts the request under
	// ("discovery", "jwks", "authorize", "interaction", "token", "userinfo",
	// "session/end", "revocation", "checktoken" for a data provider's
	// checktoken or token introspection); "" for other paths.
	Endpoint string
	// Status is the HTTP status answered.
	Status int
	// ClientID is the client the request came from or was about, when the
	// emulator could tell: a data provider's client_id for "checktoken".
	ClientID string
	// Error is the OAuth error of the answer, in a JSON body, on an error
	// page or in the redirect to the client's callback (e.g. "invalid_grant",
	// "access_denied"); "" when there is none.
	Error string
	// Code is the platform's error code of that answer, e.g. "Y043F0A8".
	Code string
	// Detail says why, in words: the error's description.
	Detail string
	// Faults are the injected faults applied to the request, in order.
	Faults []Fault
	// ClientGaveUp reports that the client closed the connection while a
	// latency, timeout or hang fault held the request.
	ClientGaveUp bool
}

// Failed reports whether the request was answered with an error: an
// error status, or an error redirected to the client's callback.
func (rec *RequestRecord) Failed() bool { return rec.Status >= 400 || rec.Error != "" }

// recordKey is the context key of the request's record.
type recordKey struct{}

// recordingWriter captures the status of the answer into the record.
type recordingWriter struct {
	http.ResponseWriter
	rec *RequestRecord
}

func (rw *recordingWriter) WriteHeader(status int) {
	if rw.rec.Status == 0 {
		rw.rec.Status = status
	}
	rw.ResponseWriter.WriteHeader(status)
}

func (rw *recordingWriter) Write(b []byte) (int, error) {
	if rw.rec.Status == 0 {
		rw.rec.Status = http.StatusOK
	}
	return rw.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (rw *recordingWriter) Unwrap() http.ResponseWriter { return rw.ResponseWriter }

// recording wraps next: each request gets a record, completed by the
// handlers and passed to Options.OnRequest once the answer is sent (also
// when a fault drops the connection).
func (s *Server) recording(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &RequestRecord{Time: s.clock(), Method: r.Method, Path: r.URL.Path}
		defer func() {
			rec.Duration = time.Since(start)
			if rec.Status == 0 {
				rec.Status = http.StatusOK
			}
			if s.opts.OnRequest != nil {
				s.opts.OnRequest(*rec)
			}
		}()
		next.ServeHTTP(&recordingWriter{ResponseWriter: w, rec: rec}, r.WithContext(context.WithValue(r.Context(), recordKey{}, rec)))
	})
}

// recordOf returns the record of r; a throwaway one outside recording.
func recordOf(r *http.Request) *RequestRecord {
	if rec, ok := r.Context().Value(recordKey{}).(*RequestRecord); ok {
		return rec
	}
	return &RequestRecord{}
}

// writerRecord returns the record behind w, or nil.
func writerRecord(w http.ResponseWriter) *RequestRecord {
	if rw, ok := w.(*recordingWriter); ok {
		return rw.rec
	}
	return nil
}

// noteError records the error of the answer written to w.
func noteError(w http.ResponseWriter, oauthErr, code, detail string) {
	if rec := writerRecord(w); rec != nil {
		rec.Error, rec.Code, rec.Detail = oauthErr, code, detail
	}
}

// flowOf returns the flow of r for clientID and login, noting the client
// in r's record.
func flowOf(r *http.Request, clientID, login string) flow {
	rec := recordOf(r)
	if clientID != "" {
		rec.ClientID = clientID
	}
	return flow{clientID: clientID, login: login, rec: rec}
}
