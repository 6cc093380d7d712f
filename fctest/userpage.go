package fctest

import (
	"bytes"
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
	pos                int // offset in the page
	id, method, action string
	controls           []control
}

// link is a link of a page.
type link struct {
	pos  int // offset in the page
	href string
}

// control is an input or a button.
type control struct {
	tag, typ, id, name, value string
	valued                    bool // it has a value attribute, maybe empty
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

// parseForms returns the forms of body with their inputs and buttons: the
// controls inside each form, and those that name it in a form attribute,
// wherever they are, as a browser associates them (a control whose form
// attribute names no form of the page belongs to none).
func parseForms(body string) []htmlForm {
	var forms []htmlForm
	var controls []ownedControl
	cur := -1
	for _, i := range tagPattern.FindAllStringSubmatchIndex(body, -1) {
		closing, tag, a := i[3] > i[2], strings.ToLower(body[i[4]:i[5]]), attributes(body[i[6]:i[7]])
		switch {
		case tag == "form" && closing:
			cur = -1
		case tag == "form":
			f := htmlForm{pos: i[0], id: a["id"], method: strings.ToUpper(a["method"]), action: a["action"]}
			if f.method != http.MethodPost {
				f.method = http.MethodGet
			}
			forms, cur = append(forms, f), len(forms)
		case !closing && (tag == "input" || tag == "button"):
			controls = append(controls, newOwnedControl(tag, a, cur))
		}
	}
	for _, c := range controls {
		if i := c.owner(forms); i >= 0 {
			forms[i].controls = append(forms[i].controls, c.control)
		}
	}
	return forms
}

// ownedControl is a control and what says which form it belongs to.
type ownedControl struct {
	control
	inside int    // the form it is in, -1 outside any
	form   string // its form attribute
	named  bool   // whether it has one
}

func newOwnedControl(tag string, a map[string]string, inside int) ownedControl {
	c := control{tag: tag, typ: strings.ToLower(a["type"]), id: a["id"], name: a["name"], value: a["value"]}
	_, c.checked = a["checked"]
	_, c.valued = a["value"]
	if c.typ == "" && tag == "button" {
		c.typ = "submit"
	}
	form, named := a["form"]
	return ownedControl{control: c, inside: inside, form: form, named: named}
}

// owner returns the index of the form c belongs to, or -1: the first form
// whose id its form attribute names, or else the form it is in.
func (c ownedControl) owner(forms []htmlForm) int {
	if !c.named {
		return c.inside
	}
	for i, f := range forms {
		if f.id != "" && f.id == c.form {
			return i
		}
	}
	return -1
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
			if c.checked && c.valued {
				v.Add(c.name, c.value)
			} else if c.checked {
				v.Add(c.name, "on") // the value of a box without a value attribute
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
