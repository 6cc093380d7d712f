package fctest

import (
	"bytes"
	"cmp"
	"crypto/tls"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// The User reads pages with two regular expressions: one finds the tags it
// acts on (forms, their controls, links), the other their attributes. It is
// enough for the pages of a test, not a general HTML parser: no textarea,
// no select, no scripts.
var (
	tagPattern  = regexp.MustCompile(`(?is)<(/?)(form|input|button|a)\b((?:[^>"']|"[^"]*"|'[^']*')*)>`)
	attrPattern = regexp.MustCompile(`([^\s=/>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?`)
)

// htmlForm is a form of a page and its controls, in document order.
type htmlForm struct {
	pos            int // offset in the page
	method, action string
	controls       []control
}

// link is a link of a page.
type link struct {
	pos  int // offset in the page
	href string
}

// control is an input or a button.
type control struct {
	tag, typ, id, name, value string
	checked                   bool
}

// attributes decodes a tag's attributes; names are lower case, the first
// occurrence wins, values are unescaped.
func attributes(s string) map[string]string {
	out := make(map[string]string)
	for _, m := range attrPattern.FindAllStringSubmatch(s, -1) {
		name := strings.ToLower(m[1])
		if _, ok := out[name]; !ok {
			out[name] = html.UnescapeString(m[2] + m[3] + m[4])
		}
	}
	return out
}

// parseForms returns the forms of body with their inputs and buttons.
func parseForms(body string) []htmlForm {
	var forms []htmlForm
	var cur *htmlForm
	for _, i := range tagPattern.FindAllStringSubmatchIndex(body, -1) {
		closing, tag, a := i[3] > i[2], strings.ToLower(body[i[4]:i[5]]), attributes(body[i[6]:i[7]])
		switch {
		case tag == "form" && closing:
			cur = nil
		case tag == "form":
			forms = append(forms, htmlForm{pos: i[0], method: strings.ToUpper(a["method"]), action: a["action"]})
			cur = &forms[len(forms)-1]
			if cur.method != http.MethodPost {
				cur.method = http.MethodGet
			}
		case cur != nil && !closing && (tag == "input" || tag == "button"):
			c := control{tag: tag, typ: strings.ToLower(a["type"]), id: a["id"], name: a["name"], value: a["value"]}
			_, c.checked = a["checked"]
			if c.typ == "" && tag == "button" {
				c.typ = "submit"
			}
			cur.controls = append(cur.controls, c)
		}
	}
	return forms
}

// parseLinks returns the links of body that have an href.
func parseLinks(body string) []link {
	var out []link
	for _, i := range tagPattern.FindAllStringSubmatchIndex(body, -1) {
		if i[3] == i[2] && strings.EqualFold(body[i[4]:i[5]], "a") {
			if href, ok := attributes(body[i[6]:i[7]])["href"]; ok {
				out = append(out, link{pos: i[0], href: href})
			}
		}
	}
	return out
}

// target resolves the form's action against the page URL.
func (f htmlForm) target(page *url.URL) *url.URL {
	to, err := page.Parse(f.action)
	if err != nil {
		return nil
	}
	return to
}

// control returns the index of the control with id, or -1.
func (f htmlForm) control(id string) int {
	for i, c := range f.controls {
		if c.id == id {
			return i
		}
	}
	return -1
}

// values returns what a browser sends when the control number clicked
// submits the form (-1: the first submit button), with fields replacing
// values of the same name.
func (f htmlForm) values(clicked int, fields url.Values) url.Values {
	v := url.Values{}
	for i, c := range f.controls {
		switch {
		case c.name == "":
		case c.typ == "submit" || c.typ == "image":
			if clicked < 0 {
				clicked = i
			}
			if i == clicked {
				v.Add(c.name, c.value)
			}
		case c.typ == "checkbox" || c.typ == "radio":
			if c.checked {
				v.Add(c.name, cmp.Or(c.value, "on"))
			}
		case c.typ != "button" && c.typ != "reset" && c.typ != "file":
			v.Add(c.name, c.value)
		}
	}
	for k, vals := range fields {
		v[k] = vals
	}
	return v
}

// inProcess serves the requests for one origin with an http.Handler, as a
// server would receive them, and sends the others to next.
type inProcess struct {
	app    http.Handler
	origin string
	next   http.RoundTripper
}

func (t *inProcess) RoundTrip(req *http.Request) (*http.Response, error) {
	if originOf(req.URL) != t.origin {
		return t.next.RoundTrip(req)
	}
	in := req.Clone(req.Context())
	in.URL = &url.URL{Path: req.URL.Path, RawPath: req.URL.RawPath, RawQuery: req.URL.RawQuery}
	in.RequestURI, in.Host, in.RemoteAddr = req.URL.RequestURI(), req.URL.Host, "192.0.2.1:49152"
	in.Proto, in.ProtoMajor, in.ProtoMinor = "HTTP/1.1", 1, 1
	if in.Body == nil {
		in.Body = http.NoBody
	}
	if req.URL.Scheme == "https" {
		in.TLS = &tls.ConnectionState{Version: tls.VersionTLS13, HandshakeComplete: true, ServerName: req.URL.Hostname()}
	}
	rec := &recorder{header: make(http.Header)}
	t.app.ServeHTTP(rec, in)
	rec.WriteHeader(http.StatusOK) // a handler that wrote nothing answered 200
	return &http.Response{
		Status: strconv.Itoa(rec.status) + " " + http.StatusText(rec.status), StatusCode: rec.status,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Header: rec.sent,
		Body: io.NopCloser(bytes.NewReader(rec.body.Bytes())), ContentLength: int64(rec.body.Len()), Request: req,
	}, nil
}

// recorder is the http.ResponseWriter of an in-process request.
type recorder struct {
	header, sent http.Header // sent: header as it was when the status was written
	status       int
	body         bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status, r.sent = status, r.header.Clone()
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return r.body.Write(b)
}
