package fchttp

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"net/http"
	"strconv"
	"time"
)

//go:embed button.css
var buttonCSS []byte

// ButtonStylesheetMaxAge is how long browsers and proxies may keep the
// stylesheet served by ButtonStylesheet before they revalidate it with its
// ETag: one day, since its URL stays the same across versions.
const ButtonStylesheetMaxAge = 24 * time.Hour

// ButtonStylesheet serves this package's stylesheet for Button's image form
// (the platform's images swapped on hover, the link 12 px below) and for
// its "ou" separator. Mount it at a path of the site and link it from the
// page's head:
//
//	mux.Handle("GET /fc-button.css", fchttp.ButtonStylesheet())
//	<link rel="stylesheet" href="/fc-button.css">
//
// It contains no font and no image. The DSFR form of the button needs the
// DSFR stylesheet instead, which the page loads from where the FS installed
// the DSFR, and ProConnect's markup form the stylesheet of ProConnect's
// partner documentation, which the FS copies into its own. The response is text/css, public and cacheable for
// ButtonStylesheetMaxAge, with an ETag; methods other than GET and HEAD get
// 405.
func ButtonStylesheet() http.Handler {
	sum := sha256.Sum256(buttonCSS)
	etag := `"` + hex.EncodeToString(sum[:12]) + `"`
	cacheControl := "public, max-age=" + strconv.Itoa(int(ButtonStylesheetMaxAge/time.Second))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			h.Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		h.Set("Content-Type", "text/css; charset=utf-8")
		h.Set("Cache-Control", cacheControl)
		h.Set("ETag", etag)
		h.Set("X-Content-Type-Options", "nosniff")
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(buttonCSS))
	})
}
