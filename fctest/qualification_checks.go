package fctest

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Evidence builders. Every message exists in English (the API, JSON) and
// French (the page).

func seen(passed bool, login int, req string, at time.Time, en, fr string) Evidence {
	return Evidence{Passed: passed, Login: login, Request: req, Time: at, Detail: en, detailFR: fr}
}

// tally is the passing summary of n observations, nil when n is 0.
func tally(n int, en, fr string) []Evidence {
	if n == 0 {
		return nil
	}
	return []Evidence{{Passed: true, Detail: fmt.Sprintf(en, n), detailFR: fmt.Sprintf(fr, n)}}
}

func (l *loginObs) authorizeRequest() string { return l.method + " " + apiPrefix + "/authorize" }

const (
	reqToken    = "POST " + apiPrefix + "/token"
	reqUserinfo = "GET " + apiPrefix + "/userinfo"
	reqLogout   = "GET " + apiPrefix + "/session/end"
)

// randomValue checks a state or nonce of login n: present, long enough,
// new.
func randomValue(name string, val valueObs, n int, req string, at time.Time, check string) (Evidence, bool) {
	switch {
	case check == "present" && !val.present:
		return seen(false, n, req, at, "no "+name, "aucun "+name), true
	case check == "length" && val.present && val.length < qualMinRandom:
		return seen(false, n, req, at, fmt.Sprintf("%s of %d characters, fewer than %d", name, val.length, qualMinRandom),
			fmt.Sprintf("%s de %d caractères, moins de %d", name, val.length, qualMinRandom)), true
	case check == "unique" && val.reuse != nil:
		return seen(false, n, req, at, fmt.Sprintf("%s already sent as %s", name, val.reuse.describe()),
			fmt.Sprintf("%s déjà envoyé : %s", name, val.reuse.describeFR())), true
	}
	return Evidence{}, false
}

// evalRandom applies check to the states (logins and logouts) or nonces.
func evalRandom(v *qualView, name, check string) []Evidence {
	var ev []Evidence
	ok := 0
	for _, l := range v.logins {
		val := l.state
		if name == "nonce" {
			val = l.nonce
		}
		if e, bad := randomValue(name, val, l.n, l.authorizeRequest(), l.at, check); bad {
			ev = append(ev, e)
		} else if check == "present" || val.present {
			ok++
		}
	}
	if name == "state" {
		for _, lo := range v.logouts {
			if e, bad := randomValue("logout state", lo.state, lo.n, reqLogout, lo.at, check); bad {
				ev = append(ev, e)
			} else if check == "present" || lo.state.present {
				ok++
			}
		}
	}
	return append(ev, tally(ok, "requests that satisfy it: %d", "demandes conformes : %d")...)
}

func evalStatePresent(v *qualView) []Evidence { return evalRandom(v, "state", "present") }
func evalStateLength(v *qualView) []Evidence  { return evalRandom(v, "state", "length") }
func evalStateUnique(v *qualView) []Evidence  { return evalRandom(v, "state", "unique") }
func evalNoncePresent(v *qualView) []Evidence { return evalRandom(v, "nonce", "present") }
func evalNonceLength(v *qualView) []Evidence  { return evalRandom(v, "nonce", "length") }
func evalNonceUnique(v *qualView) []Evidence  { return evalRandom(v, "nonce", "unique") }

func evalResponseType(v *qualView) []Evidence {
	var ev []Evidence
	ok := 0
	for _, l := range v.logins {
		if l.responseType == "code" {
			ok++
			continue
		}
		ev = append(ev, seen(false, l.n, l.authorizeRequest(), l.at,
			fmt.Sprintf("response_type %q", l.responseType), fmt.Sprintf("response_type %q", l.responseType)))
	}
	return append(ev, tally(ok, "authorization requests with response_type=code: %d",
		"demandes d'autorisation avec response_type=code : %d")...)
}

func evalServerSide(v *qualView) []Evidence {
	var ev []Evidence
	ok := 0
	for _, l := range v.logins {
		for _, t := range l.tokens {
			switch {
			case t.browser != "":
				ev = append(ev, seen(false, l.n, reqToken, t.at, "the token request carried "+t.browser+
					": it came from a browser", "la requête token portait "+frenchMarks(t.browser)+
					" : elle venait d'un navigateur"))
			case t.basic:
				ev = append(ev, seen(false, l.n, reqToken, t.at, "client authenticated with HTTP Basic, not client_secret_post",
					"client authentifié par HTTP Basic, et non client_secret_post"))
			default:
				ok++
			}
		}
	}
	return append(ev, tally(ok, "token requests from a server, with client_secret_post: %d",
		"requêtes token venues d'un serveur, avec client_secret_post : %d")...)
}

// frenchMarks translates browserMarks.
func frenchMarks(marks string) string {
	r := strings.NewReplacer("the "+sessionCookie+" cookie", "le cookie "+sessionCookie, "a ", "un en-tête ",
		" header", "")
	return r.Replace(marks)
}

func evalCodePrompt(v *qualView) []Evidence {
	var ev []Evidence
	ok := 0
	for _, l := range v.logins {
		if len(l.tokens) == 0 || l.callbackAt.IsZero() {
			continue
		}
		late := l.tokens[0].at.Sub(l.callbackAt)
		switch {
		case len(l.tokens) > 1:
			ev = append(ev, seen(false, l.n, reqToken, l.tokens[1].at, fmt.Sprintf("code redeemed %d times", len(l.tokens)),
				fmt.Sprintf("code échangé %d fois", len(l.tokens))))
		case late > qualPromptly:
			ev = append(ev, seen(false, l.n, reqToken, l.tokens[0].at, "code redeemed "+late.String()+" after the callback",
				"code échangé "+late.String()+" après le retour"))
		default:
			ok++
		}
	}
	return append(ev, tally(ok, "codes redeemed once, right after the callback: %d",
		"codes échangés une fois, aussitôt après le retour : %d")...)
}

func evalUserinfoPrompt(v *qualView) []Evidence {
	var ev []Evidence
	ok := 0
	for _, l := range v.logins {
		if len(l.tokens) == 0 || len(l.userinfo) == 0 {
			continue
		}
		u := l.userinfo[0]
		late := u.at.Sub(l.tokens[0].at)
		switch {
		case u.inQuery:
			ev = append(ev, seen(false, l.n, reqUserinfo, u.at, "access token sent in the query string",
				"jeton d'accès envoyé dans l'URL"))
		case late > qualPromptly:
			ev = append(ev, seen(false, l.n, reqUserinfo, u.at, "userinfo called "+late.String()+" after the exchange",
				"userinfo appelé "+late.String()+" après l'échange"))
		default:
			ok++
		}
	}
	return append(ev, tally(ok, "userinfo calls right after the exchange: %d",
		"appels userinfo aussitôt après l'échange : %d")...)
}

func evalACRRequested(v *qualView) []Evidence {
	var ev []Evidence
	ok := 0
	p := v.s.platform
	for _, l := range v.logins {
		switch {
		case p == ProConnect && l.acrValues == "" && !strings.Contains(l.claims, `"acr"`):
			ev = append(ev, seen(true, l.n, l.authorizeRequest(), l.at, "no level requested: every level is accepted",
				"aucun niveau demandé : tout niveau est accepté"))
		case p == ProConnect:
			ok++
		case !l.hasACR:
			ev = append(ev, seen(false, l.n, l.authorizeRequest(), l.at, "no acr_values", "aucun acr_values"))
		case !slices.Contains(supportedACRs(p), selectACR(l.acrValues, p)):
			ev = append(ev, seen(false, l.n, l.authorizeRequest(), l.at,
				fmt.Sprintf("acr_values %q: %s offers %s", l.acrValues, p, strings.Join(supportedACRs(p), ", ")),
				fmt.Sprintf("acr_values %q : %s propose %s", l.acrValues, p, strings.Join(supportedACRs(p), ", "))))
		default:
			ok++
		}
	}
	return append(ev, tally(ok, "requests with a level of the platform: %d", "demandes avec un niveau de la plateforme : %d")...)
}

func evalClaims(v *qualView) []Evidence {
	var ev []Evidence
	ok := 0
	for _, l := range v.logins {
		if !l.hasClaims {
			continue
		}
		var req struct {
			IDToken map[string]json.RawMessage `json:"id_token"`
		}
		switch err := json.Unmarshal([]byte(l.claims), &req); {
		case err != nil:
			ev = append(ev, seen(false, l.n, l.authorizeRequest(), l.at, "claims is not a JSON object",
				"claims n'est pas un objet JSON"))
		case v.s.platform != ProConnect && !v.rc.AllowAMR && hasMember(req.IDToken, "amr"):
			ev = append(ev, seen(false, l.n, l.authorizeRequest(), l.at, "amr requested, but the client may not ask for it (Y100009)",
				"amr demandé alors que le client n'y est pas autorisé (Y100009)"))
		default:
			ok++
		}
	}
	return append(ev, tally(ok, "claims requests allowed: %d", "demandes claims autorisées : %d")...)
}

func hasMember(m map[string]json.RawMessage, k string) bool {
	_, ok := m[k]
	return ok
}

func evalScopes(v *qualView) []Evidence {
	var ev []Evidence
	ok := 0
	known := knownScopes(v.s.platform)
	for _, l := range v.logins {
		var bad []string
		for _, sc := range l.scopes {
			if !slices.Contains(known, sc) || (v.rc.granted != nil && !v.rc.granted[sc]) {
				bad = append(bad, sc)
			}
		}
		switch {
		case !slices.Contains(l.scopes, "openid"):
			ev = append(ev, seen(false, l.n, l.authorizeRequest(), l.at, "scope without openid", "scope sans openid"))
		case len(bad) > 0:
			ev = append(ev, seen(false, l.n, l.authorizeRequest(), l.at, "scopes not granted: "+strings.Join(bad, " "),
				"scopes non accordés : "+strings.Join(bad, " ")))
		default:
			ok++
		}
	}
	return append(ev, tally(ok, "requests within the granted scopes: %d", "demandes dans les scopes accordés : %d")...)
}

func evalRedirects(v *qualView) []Evidence {
	var ev []Evidence
	ok := 0
	for _, l := range v.logins {
		if slices.Contains(v.rc.RedirectURIs, l.redirectURI) {
			ok++
			continue
		}
		ev = append(ev, seen(false, l.n, l.authorizeRequest(), l.at, fmt.Sprintf("redirect_uri %q is not registered", l.redirectURI),
			fmt.Sprintf("redirect_uri %q n'est pas déclarée", l.redirectURI)))
	}
	for _, lo := range v.logouts {
		if lo.redirectURI == "" || slices.Contains(v.rc.PostLogoutRedirectURIs, lo.redirectURI) {
			continue
		}
		ev = append(ev, seen(false, lo.n, reqLogout, lo.at,
			fmt.Sprintf("post_logout_redirect_uri %q is not registered", lo.redirectURI),
			fmt.Sprintf("post_logout_redirect_uri %q n'est pas déclarée", lo.redirectURI)))
	}
	return append(ev, tally(ok, "requests with a registered redirect_uri: %d", "demandes avec une redirect_uri déclarée : %d")...)
}
