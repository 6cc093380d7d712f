package franceconnect

import (
	"context"
	"errors"
	"io"
	"net"
	"syscall"
)

// HTTPError is a request to FranceConnect that got no usable answer: an
// unexpected HTTP status, or no answer at all (timeout, refused or broken
// connection). It matches ErrHTTP and the category of the failed step
// (ErrDiscovery, ErrProviderKeys, ErrExchange, ErrInvalidUserInfo,
// ErrRevocation) with errors.Is; find it with errors.As. Answers that
// FranceConnect formats as OAuth errors are a *ProviderError instead.
type HTTPError struct {
	// StatusCode is the HTTP status answered; 0 when no answer came.
	StatusCode int
	// Timeout reports that no answer came in time: a transport timeout, the
	// HTTP client's Timeout, or the deadline of the request's context.
	Timeout bool
	err     error // the message and the categories, built by wrap
	cause   error // what the transport returned, for Retryable; nil for a status
}

// Error implements error.
func (e *HTTPError) Error() string { return e.err.Error() }

// Unwrap returns the categories and, when no answer came, the transport's
// error (without the request URL), so that errors.Is(err,
// context.Canceled) or errors.Is(err, context.DeadlineExceeded) work.
func (e *HTTPError) Unwrap() []error {
	if e.cause == nil {
		return []error{e.err}
	}
	return []error{e.err, e.cause}
}

// Retryable reports whether the same request may succeed later:
// FranceConnect answered 5xx or 429, timed out, refused the connection or
// broke it. A TLS failure, a 4xx or a cancelled context is not retryable.
// Show the user "réessayez plus tard" then; note that an authorization code
// is single use: retrying a login means a new Authorize.
func (e *HTTPError) Retryable() bool {
	switch {
	case e.StatusCode != 0:
		return e.StatusCode >= 500 || e.StatusCode == 429
	case e.Timeout:
		return true
	}
	for _, target := range []error{syscall.ECONNREFUSED, syscall.ECONNRESET, syscall.ECONNABORTED, syscall.EPIPE, io.EOF, io.ErrUnexpectedEOF} {
		if errors.Is(e.cause, target) {
			return true
		}
	}
	return false
}

// statusError is an unexpected HTTP status; detail and args are the message,
// built by wrap under category.
func statusError(status int, category error, detail string, args ...any) error {
	return &HTTPError{StatusCode: status, err: wrap(category, detail, args...)}
}

// roundTripError is a request that got no answer; msg is its message, built
// by wrap, and cause what the transport returned.
func roundTripError(msg, cause error) error {
	return &HTTPError{Timeout: isTimeout(cause), err: msg, cause: cause}
}

// isTimeout reports whether err is a timeout of the transport, of the HTTP
// client or of a context deadline.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}
