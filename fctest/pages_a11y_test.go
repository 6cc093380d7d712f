package fctest_test

import (
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect/fctest"
)

// node is an element of a page, as the tests of the pages read it.
type node struct {
	name     string
	attrs    map[string]string
	children []*node
	text     string // the text of a text node (name "")
	parent   *node
}

// parsePage reads an HTML page of the emulator into a tree. The templates
// close every element but the void ones, which HTMLAutoClose knows.
func parsePage(t *testing.T, page string) *node {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(page))
	dec.Strict, dec.AutoClose, dec.Entity = false, xml.HTMLAutoClose, xml.HTMLEntity
	root := &node{name: "#document"}
	cur := root
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		switch tok := tok.(type) {
		case xml.StartElement:
			n := &node{name: tok.Name.Local, attrs: map[string]string{}, parent: cur}
			for _, a := range tok.Attr {
				n.attrs[a.Name.Local] = a.Value
			}
			cur.children = append(cur.children, n)
			cur = n
		case xml.EndElement:
			require.Equal(t, tok.Name.Local, cur.name, "the page's elements are closed in order")
			cur = cur.parent
		case xml.CharData:
			cur.children = append(cur.children, &node{text: string(tok), parent: cur})
		}
	}
	require.Same(t, root, cur, "every element is closed")
	return root
}

// all returns the elements under n (n included) for which keep is true.
func (n *node) all(keep func(*node) bool) []*node {
	var out []*node
	if n.name != "" && keep(n) {
		out = append(out, n)
	}
	for _, c := range n.children {
		out = append(out, c.all(keep)...)
	}
	return out
}

func (n *node) named(name string) []*node {
	return n.all(func(m *node) bool { return m.name == name })
}

// content is the text of n, without the text of <style> and, when
// spoken is true, of the elements hidden from assistive technologies.
func (n *node) content(spoken bool) string {
	if n.name == "" {
		return n.text
	}
	if n.name == "style" || spoken && n.attrs["aria-hidden"] == "true" {
		return ""
	}
	var b strings.Builder
	for _, c := range n.children {
		b.WriteString(c.content(spoken))
	}
	return b.String()
}

// label is the spoken text of n, spaces collapsed.
func (n *node) label() string { return strings.Join(strings.Fields(n.content(true)), " ") }

// lang is the language of n: its lang attribute or its nearest parent's.
func (n *node) lang() string {
	for m := n; m != nil; m = m.parent {
		if l, ok := m.attrs["lang"]; ok {
			return l
		}
	}
	return ""
}

// emulatorPage is one page of the emulator and what it must say.
type emulatorPage struct {
	name, title, brand string
	status             int
	body               string
}

// emulatorPages opens every kind of page of the emulator of each platform:
// identity or agent choice, error, logout.
func emulatorPages(t *testing.T) []emulatorPage {
	var pages []emulatorPage
	for _, p := range []fctest.Platform{fctest.FranceConnectPlus, fctest.FranceConnect, fctest.ProConnect} {
		emu := fctest.New(t, fctest.Options{Platform: p})
		fs := emu.RegisterFS(t, fctest.FS{Site: "https://fs.example.fr", Name: "Service de démonstration"})
		b := emu.NewBrowser()
		get := func(u string) (int, string) { return fetchPage(t, b, u) }
		q := url.Values{"response_type": {"code"}, "client_id": {fs.Registration.ID}, "redirect_uri": {fs.Env["FC_REDIRECT_URL"]},
			"scope": {fs.Env["FC_SCOPES"]}, "state": {"state-0123456789abcdefghijklmnop"}, "nonce": {"nonce-0123456789abcdefghijklmnop"}}
		choice := "Choix de l’identité"
		switch p {
		case fctest.FranceConnectPlus:
			q.Set("acr_values", "eidas2")
		case fctest.FranceConnect:
			q.Set("acr_values", "eidas1")
		case fctest.ProConnect:
			choice = "Choix de l’agent"
		}
		status, body := get(emu.Issuer() + "/authorize?" + q.Encode())
		pages = append(pages, emulatorPage{p.String() + " choice", choice, p.String(), status, body})
		q.Set("redirect_uri", "https://elsewhere.example/callback")
		status, body = get(emu.Issuer() + "/authorize?" + q.Encode())
		pages = append(pages, emulatorPage{p.String() + " error", "Erreur ", p.String(), status, body})
		status, body = get(emu.Issuer() + "/session/end/success")
		pages = append(pages, emulatorPage{p.String() + " logout", "Déconnexion effectuée", p.String(), status, body})
	}
	return pages
}

// fetchPage opens u with b, following the emulator's redirects, and
// returns the status and body of the page it ends on.
func fetchPage(t *testing.T, b *fctest.Browser, u string) (int, string) {
	t.Helper()
	for range 3 {
		resp, err := b.HTTPClient().Get(u)
		require.NoError(t, err)
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.NoError(t, err)
		if resp.StatusCode != http.StatusSeeOther {
			return resp.StatusCode, string(body)
		}
		next, err := resp.Request.URL.Parse(resp.Header.Get("Location"))
		require.NoError(t, err)
		u = next.String()
	}
	t.Fatal("too many redirects")
	return 0, ""
}

// TestPagesAccessible checks, on every page of the emulator, what the
// RGAA asks that a test of the HTML can see: a French page (8.3) whose
// title names the page and the site (8.5, 8.6), one h1, a skip link first
// in the page leading to the main content (12.7), English text marked
// lang="en" (8.7), the "+" of FranceConnect+ in the text, not drawn by CSS
// (10.2), one label for one link, no decorative character read aloud, no
// middle-dot inclusive writing, unique ids, and a layout with nothing wider
// than 320 px (10.11: the header wraps, cards have no fixed minimum).
func TestPagesAccessible(t *testing.T) {
	for _, p := range emulatorPages(t) {
		t.Run(p.name, func(t *testing.T) {
			doc := parsePage(t, p.body)
			html := doc.named("html")
			require.Len(t, html, 1)
			assert.Equal(t, "fr", html[0].attrs["lang"])

			titles := doc.named("title")
			require.Len(t, titles, 1)
			title := titles[0].label()
			assert.True(t, strings.HasPrefix(title, p.title), "title %q names the page", title)
			assert.True(t, strings.HasSuffix(title, " – "+p.brand+" (émulateur)"), "title %q names the site", title)
			if strings.HasPrefix(p.title, "Erreur") {
				assert.Regexp(t, `^Erreur Y[0-9A-Z]+ – `, title)
			}
			assert.Len(t, doc.named("h1"), 1)

			body := doc.named("body")[0]
			first := body.all(func(n *node) bool {
				return n.name == "a" || n.name == "button" || n.name == "input" && n.attrs["type"] != "hidden"
			})
			require.NotEmpty(t, first)
			assert.Equal(t, "#contenu", first[0].attrs["href"], "the first link skips to the content")
			assert.Equal(t, "Aller au contenu", first[0].label())
			mains := doc.named("main")
			require.Len(t, mains, 1)
			assert.Equal(t, "contenu", mains[0].attrs["id"], "the skip link's target is the main content")

			header := doc.named("header")
			require.Len(t, header, 1)
			assert.Contains(t, header[0].content(false), p.brand, "the platform's name, + included, is text")

			spoken := body.content(true)
			for _, c := range []string{"‹", "›", "«", "»", "·"} {
				assert.NotContains(t, spoken, c, "%q is read aloud", c)
			}
			assert.NotRegexp(t, `\p{L}[·.]e(s)?\b`, spoken, "no inclusive writing with a middle dot")

			labels := map[string]string{}
			for _, a := range doc.named("a") {
				href, label := a.attrs["href"], a.label()
				assert.NotEmpty(t, label, "link %s has a label", href)
				if prev, ok := labels[href]; ok {
					assert.Equal(t, prev, label, "one label for the link to %s", href)
				}
				labels[href] = label
			}
			for _, b := range doc.named("button") {
				assert.NotEmpty(t, b.label(), "every button has a label")
			}
			ids := map[string]bool{}
			for _, n := range doc.all(func(n *node) bool { return n.attrs["id"] != "" }) {
				assert.False(t, ids[n.attrs["id"]], "id %q is unique", n.attrs["id"])
				ids[n.attrs["id"]] = true
			}
			for _, id := range []string{"error", "error-description"} {
				for _, n := range doc.all(func(n *node) bool { return n.attrs["id"] == id }) {
					assert.Equal(t, "en", n.lang(), "the emulator's English %s is marked", id)
				}
			}
			styles := doc.named("style")
			require.Len(t, styles, 1)
			require.Len(t, styles[0].children, 1)
			checkReflow(t, styles[0].children[0].text)
		})
	}
}

// checkReflow checks the stylesheet for what keeps a page from reflowing
// at 320 px: a fixed width or minimum above it, a header that does not
// wrap.
func checkReflow(t *testing.T, css string) {
	t.Helper()
	fixed := regexp.MustCompile(`(?:min-width|(?:^|[\s;{])width)\s*:\s*(\d+)px|minmax\(\s*(\d+)px`) // max-width is fine
	for _, m := range fixed.FindAllStringSubmatch(css, -1) {
		px, _ := strconv.Atoi(m[1] + m[2])
		assert.LessOrEqual(t, px, 288, "%q is wider than a 320 px screen with its margins", m[0])
	}
	assert.NotRegexp(t, `minmax\(\s*\d`, css, "a grid column minimum is bounded by min(100%, …)")
	header := regexp.MustCompile(`\.header-inner\s*\{[^}]*\}`).FindString(css)
	assert.Contains(t, header, "flex-wrap: wrap", "the header wraps")
}

// TestPagesShowTheChoice checks the content of the choice pages that the
// accessibility test does not: the identity and agent cards and the
// cancel link, under one label.
func TestPagesShowTheChoice(t *testing.T) {
	for _, p := range emulatorPages(t) {
		if !strings.HasSuffix(p.name, "choice") {
			continue
		}
		doc := parsePage(t, p.body)
		cancel := doc.all(func(n *node) bool { return n.attrs["id"] == "cancel" })
		require.Len(t, cancel, 1, p.name)
		assert.Equal(t, "Revenir sur le service", cancel[0].label(), p.name)
		assert.Contains(t, cancel[0].content(false), "‹", "the arrow is drawn, hidden from screen readers")
		buttons := doc.all(func(n *node) bool { return n.name == "button" && strings.HasPrefix(n.attrs["id"], "login-") })
		assert.NotEmpty(t, buttons, p.name)
		for _, b := range buttons {
			assert.True(t, strings.HasPrefix(b.label(), "Se connecter en tant qu"), b.label())
		}
	}
}
