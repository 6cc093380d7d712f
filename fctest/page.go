package fctest

import (
	"bytes"
	"embed"
	"html/template"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"
)

//go:embed templates/*.html
var templateFS embed.FS

var pages = template.Must(template.ParseFS(templateFS, "templates/*.html"))

// page is the data of every HTML page; only the fields of its kind are set.
type page struct {
	Title, Platform, Issuer string
	ErrorMeta               *errorMeta

	Service, RequestedACR, RequestedLabel, CancelURL string
	Scopes                                           []string
	Cards                                            []card

	RequestedACRs, Hints []string    // ProConnect's agent-choice page
	AgentCards           []agentCard // ProConnect's agent-choice page
}

// errorMeta is the content of an error page, also exposed in <meta> tags
// that Browser reads to build a *PageError.
type errorMeta struct {
	Status                        int
	Code, OAuthError, Description string
	ID                            string
}

// card is one identity on the identity-choice page.
type card struct {
	Login, FullName, FirstName, AsName, UsageName, Birth, Email, Description string
	ACR, ACRLabel, Action                                                    string
	Insufficient                                                             bool
}

func (s *Server) pageBase(title string) page {
	return page{Title: title, Platform: s.platform.String(), Issuer: s.issuer}
}

// renderPage executes the named template; errors become a plain 500.
func (s *Server) renderPage(w http.ResponseWriter, status int, name string, data page) {
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, name, data); err != nil {
		http.Error(w, "template error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// renderError shows FranceConnect's error page with its Y code (spec §14.2),
// or ProConnect's equivalent.
func (s *Server) renderError(w http.ResponseWriter, pe *pageErr) {
	code := s.pageCode(pe.code)
	noteError(w, pe.oauthErr, code, pe.description)
	data := s.pageBase("Erreur " + code)
	data.ErrorMeta = &errorMeta{Status: pe.status, Code: code, OAuthError: pe.oauthErr,
		Description: pe.description, ID: newUUID()}
	s.renderPage(w, pe.status, "error", data)
}

// interactionPage returns the data shared by the identity- and
// agent-choice pages of in.
func (s *Server) interactionPage(in *interaction) page {
	s.mu.Lock()
	service := in.clientID
	if rc := s.clients[in.clientID]; rc != nil && rc.Name != "" {
		service = rc.Name
	}
	s.mu.Unlock()
	data := s.pageBase("Choix de l’identité")
	if in.pc != nil {
		data.Title = "Choix de l’agent"
	}
	data.Service, data.Scopes = service, in.scopes
	data.CancelURL = apiPrefix + "/interaction/" + in.uid + "/abort"
	return data
}

// renderInteraction shows the identity-choice page of in.
func (s *Server) renderInteraction(w http.ResponseWriter, in *interaction) {
	if in.pc != nil {
		s.renderAgents(w, in)
		return
	}
	data := s.interactionPage(in)
	data.RequestedACR, data.RequestedLabel = in.requestedACR, acrLabel(in.requestedACR)
	base := apiPrefix + "/interaction/" + in.uid
	for _, id := range s.identities {
		acr := identityACR(id)
		if s.platform == FranceConnect {
			acr = acrEidas1
		}
		data.Cards = append(data.Cards, card{
			Login: id.Login, FullName: id.GivenName + " " + id.FamilyName, FirstName: firstName(id), AsName: asName(firstName(id)),
			UsageName: id.PreferredUsername, Birth: birthText(id), Email: id.Email, Description: id.Description,
			ACR: acr, ACRLabel: acrLabel(acr), Action: base + "/login",
			Insufficient: acrRank(identityACR(id)) < acrRank(in.requestedACR),
		})
	}
	s.renderPage(w, http.StatusOK, "interaction", data)
}

func firstName(id Person) string {
	if f := strings.Fields(id.GivenName); len(f) > 0 {
		return f[0]
	}
	return id.Login
}

// asName completes "en tant" with a first name: "que Camille", or with the
// elision French requires before a vowel, "qu'Éloïse", "qu'Aiko".
func asName(name string) string {
	first, _ := utf8.DecodeRuneInString(name)
	if strings.ContainsRune("AEIOUYÀÂÄÆÉÈÊËÎÏÔÖŒÙÛÜŸ", unicode.ToUpper(first)) {
		return "qu'" + name
	}
	return "que " + name
}

// acrLabel is the French name of an eIDAS level.
func acrLabel(acr string) string {
	switch acr {
	case acrEidas1:
		return "faible"
	case acrEidas2:
		return "substantiel"
	case acrEidas3:
		return "élevé"
	}
	return "inconnu"
}

var frenchMonths = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
	"septembre", "octobre", "novembre", "décembre"}

// birthText renders "Née le 23 mai 1984 à Paris 12e (75112)".
func birthText(id Person) string {
	var b strings.Builder
	switch id.Gender {
	case "female":
		b.WriteString("Née le ")
	case "male":
		b.WriteString("Né le ")
	default:
		b.WriteString("Naissance le ")
	}
	b.WriteString(frenchDate(id.Birthdate))
	switch {
	case id.Birthplace != "" && id.Birthcountry == "99100":
		b.WriteString(" à " + communeName(id.Birthplace))
	case id.Birthplace != "":
		b.WriteString(" à " + id.Birthplace + ", " + countryName(id.Birthcountry))
	default:
		b.WriteString(", " + countryName(id.Birthcountry))
	}
	return b.String()
}

// frenchDate renders YYYY-MM-DD as "23 mai 1984", or the input if malformed.
func frenchDate(d string) string {
	if len(d) != 10 || d[4] != '-' || d[7] != '-' {
		return d
	}
	m := int(d[5]-'0')*10 + int(d[6]-'0')
	if m < 1 || m > 12 {
		return d
	}
	day := strings.TrimPrefix(d[8:], "0")
	if day == "1" {
		day = "1er"
	}
	return day + " " + frenchMonths[m-1] + " " + d[:4]
}

var communes = map[string]string{
	"75112": "Paris 12e", "69383": "Lyon 3e", "33063": "Bordeaux", "2A004": "Ajaccio", "2B033": "Bastia",
	"44109": "Nantes", "21231": "Dijon", "35238": "Rennes", "59350": "Lille", "31555": "Toulouse",
}

func communeName(code string) string {
	if name, ok := communes[code]; ok {
		return name + " (" + code + ")"
	}
	return "la commune " + code
}

var countries = map[string]string{
	"99100": "France", "99352": "Algérie", "99217": "Japon", "99109": "Allemagne", "99350": "Maroc",
	"99351": "Tunisie", "99134": "Espagne", "99127": "Italie", "99131": "Belgique", "99139": "Portugal",
}

func countryName(code string) string {
	if name, ok := countries[code]; ok {
		return name + " (" + code + ")"
	}
	return "pays " + code
}
