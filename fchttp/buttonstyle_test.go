package fchttp_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect/fchttp"
)

func serveStylesheet(method string, header http.Header) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, "/fc-button.css", nil)
	for k, v := range header {
		r.Header[k] = v
	}
	w := httptest.NewRecorder()
	fchttp.ButtonStylesheet().ServeHTTP(w, r)
	return w
}

// TestButtonStylesheet checks that the stylesheet is served as CSS,
// cacheable and revalidated by its ETag.
func TestButtonStylesheet(t *testing.T) {
	css, err := os.ReadFile("button.css")
	require.NoError(t, err)

	w := serveStylesheet(http.MethodGet, nil)
	require.Equal(t, http.StatusOK, w.Code)
	assert.Equal(t, "text/css; charset=utf-8", w.Header().Get("Content-Type"))
	assert.Equal(t, "public, max-age=86400", w.Header().Get("Cache-Control"))
	assert.Equal(t, "nosniff", w.Header().Get("X-Content-Type-Options"))
	assert.Equal(t, string(css), w.Body.String())
	etag := w.Header().Get("ETag")
	require.Regexp(t, `^"[0-9a-f]{24}"$`, etag)

	again := serveStylesheet(http.MethodGet, http.Header{"If-None-Match": {etag}})
	assert.Equal(t, http.StatusNotModified, again.Code)
	assert.Empty(t, again.Body.String())
	stale := serveStylesheet(http.MethodGet, http.Header{"If-None-Match": {`"0123"`}})
	assert.Equal(t, http.StatusOK, stale.Code)

	head := serveStylesheet(http.MethodHead, nil)
	assert.Equal(t, http.StatusOK, head.Code)
	assert.Empty(t, head.Body.String())
	assert.Equal(t, etag, head.Header().Get("ETag"))

	post := serveStylesheet(http.MethodPost, nil)
	assert.Equal(t, http.StatusMethodNotAllowed, post.Code)
	assert.Equal(t, "GET, HEAD", post.Header().Get("Allow"))
}

// TestButtonStylesheetIsOurs checks that the stylesheet stays this
// package's own layout: no font, no image, no rule of the DSFR's classes.
// The official look comes from files the FS gets from FranceConnect or the
// DSFR under their terms; shipping any of them here would need a licence
// this package does not have.
func TestButtonStylesheetIsOurs(t *testing.T) {
	css, err := os.ReadFile("button.css")
	require.NoError(t, err)
	s := string(css)
	assert.True(t, strings.HasPrefix(s, "/*\n * fchttp: "), "the header names the package")
	assert.Contains(t, s, "Apache-2.0")
	for _, foreign := range []string{"url(", "@font-face", "@import", "Marianne", ".fr-", "data:"} {
		assert.NotContains(t, s, foreign)
	}
	for _, class := range []string{".fc-group", ".fc-button", ".fc-button__idle", ".fc-button__hover", ".fc-separator", ":hover", ":focus-visible"} {
		assert.Contains(t, s, class, "a class of the image form")
	}
}
