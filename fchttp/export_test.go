package fchttp

// OpenCookie opens a session cookie value of h: the tests read what the
// browser holds.
func OpenCookie(h *Handler, value string) []byte { return h.sealer.open(value, h.now()) }
