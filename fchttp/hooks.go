package fchttp

import (
	"bytes"
	"fmt"
	"net/http"
)

// safely calls a hook, turning a panic into an error, so that the Handler
// finishes what the user's safety needs (a session ended, a cookie
// cleared) whatever the hook does. Even http.ErrAbortHandler is caught: an
// aborted response could keep a signed-in cookie in the browser.
func safely(hook string, f func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("%s panicked: %s", hook, panicText(v))
		}
	}()
	return f()
}

// panicText is what a hook's panic says in the log: the text of an error
// or of a string, which the application wrote, and of any other value
// only its type, as it may hold personal data (a *franceconnect.Login).
func panicText(v any) string {
	switch v := v.(type) {
	case error:
		return v.Error()
	case string:
		return v
	}
	return fmt.Sprintf("a value of type %T", v)
}

// deferredResponse records what a hook writes, so that the Handler can save
// the session, which sets a cookie, before the response goes out.
type deferredResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newDeferred() *deferredResponse { return &deferredResponse{header: make(http.Header)} }

func (d *deferredResponse) Header() http.Header { return d.header }

func (d *deferredResponse) WriteHeader(status int) {
	if d.status == 0 {
		d.status = status
	}
}

func (d *deferredResponse) Write(b []byte) (int, error) {
	d.WriteHeader(http.StatusOK)
	return d.body.Write(b)
}

// copyHeader adds the recorded headers to w's.
func (d *deferredResponse) copyHeader(w http.ResponseWriter) {
	for k, v := range d.header {
		w.Header()[k] = append(w.Header()[k], v...)
	}
}

// send writes the recorded status and body.
func (d *deferredResponse) send(w http.ResponseWriter) {
	w.WriteHeader(d.status)
	_, _ = w.Write(d.body.Bytes())
}

// writeTracker reports whether a hook started the response.
type writeTracker struct {
	http.ResponseWriter
	wrote bool
}

func (t *writeTracker) WriteHeader(status int) {
	t.wrote = true
	t.ResponseWriter.WriteHeader(status)
}

func (t *writeTracker) Write(b []byte) (int, error) {
	t.wrote = true
	return t.ResponseWriter.Write(b)
}
