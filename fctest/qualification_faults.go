package fctest

import (
	"fmt"
	"slices"
	"time"
)

func evalLogoutBrowser(v *qualView) []Evidence {
	var ev []Evidence
	ok := 0
	for _, lo := range v.logouts {
		if lo.hasSessionCookie {
			ok++
			continue
		}
		ev = append(ev, seen(false, lo.n, reqLogout, lo.at,
			"no "+sessionCookie+" cookie: session/end was called from a server, not through the browser (Y100019)",
			"aucun cookie "+sessionCookie+" : session/end a été appelé par un serveur, et non par le navigateur (Y100019)"))
	}
	return append(ev, tally(ok, "logouts through the browser: %d", "déconnexions par le navigateur : %d")...)
}

func evalLogoutHint(v *qualView) []Evidence {
	var ev []Evidence
	ok := 0
	for _, lo := range v.logouts {
		bad := func(en, fr string) { ev = append(ev, seen(false, lo.n, reqLogout, lo.at, en, fr)) }
		switch {
		case lo.hint == "missing":
			bad("no id_token_hint", "aucun id_token_hint")
		case lo.hint == "jwe":
			bad("id_token_hint is the encrypted JWE: send the signed inner JWS",
				"id_token_hint est le JWE chiffré : envoyer le JWS signé qu'il contient")
		case lo.hint != "jws" || lo.answer.status >= 400 && lo.answer.code != codeNoSession:
			bad("id_token_hint is not an id_token the emulator issued: "+lo.answer.detail,
				"id_token_hint n'est pas un id_token délivré par l'émulateur : "+lo.answer.detail)
		case lo.n == 0:
			bad("id_token_hint of no login the emulator saw for this client",
				"id_token_hint d'aucune connexion de ce client vue par l'émulateur")
		default:
			ok++
		}
	}
	return append(ev, tally(ok, "logouts with the id_token of the login: %d", "déconnexions avec l'id_token de la connexion : %d")...)
}

func evalLogoutState(v *qualView) []Evidence {
	var ev []Evidence
	ok := 0
	for _, lo := range v.logouts {
		if !lo.state.present || lo.state.length < qualMinRandom {
			ev = append(ev, seen(false, lo.n, reqLogout, lo.at,
				fmt.Sprintf("logout state of %d characters", lo.state.length),
				fmt.Sprintf("state de déconnexion de %d caractères", lo.state.length)))
			continue
		}
		ok++
	}
	return append(ev, tally(ok, "logouts with a state: %d", "déconnexions avec un state : %d")...)
}

func evalLogoutRedirect(v *qualView) []Evidence {
	var ev []Evidence
	ok := 0
	for _, lo := range v.logouts {
		switch {
		case lo.redirectURI == "":
			ev = append(ev, seen(false, lo.n, reqLogout, lo.at, "no post_logout_redirect_uri: the person does not come back",
				"aucune post_logout_redirect_uri : la personne ne revient pas sur le service"))
		case !slices.Contains(v.rc.PostLogoutRedirectURIs, lo.redirectURI):
			ev = append(ev, seen(false, lo.n, reqLogout, lo.at, "post_logout_redirect_uri not registered (Y04CFAEF)",
				"post_logout_redirect_uri non déclarée (Y04CFAEF)"))
		default:
			ok++
		}
	}
	return append(ev, tally(ok, "logouts back to a registered URL: %d", "déconnexions vers une URL déclarée : %d")...)
}

func evalRevocation(v *qualView) []Evidence {
	n := 0
	for _, l := range v.logins {
		if l.revocations > 0 {
			n++
		}
	}
	return tally(n, "access tokens revoked: %d", "jetons d'accès révoqués : %d")
}

// faultEvidence is what the conformance verdicts and the logins that met
// faults tell of a check reading those faults.
func (v *qualView) faultEvidence(faults []Fault) []Evidence {
	var ev []Evidence
	judged := map[int]bool{}
	for _, c := range v.cases {
		if !slices.Contains(faults, c.fault) {
			continue
		}
		judged[c.login] = true
		if c.skipped {
			continue
		}
		verdict, verdictFR := "passed", "réussi"
		if !c.passed {
			verdict, verdictFR = "failed", "échoué"
		}
		ev = append(ev, seen(c.passed, c.login, "", time.Time{},
			fmt.Sprintf("conformance case %s %s: %s", c.fault, verdict, c.detail),
			fmt.Sprintf("cas de conformité %s %s (%s)", c.fault, verdictFR, outcomeFR[c.outcome])))
	}
	for _, l := range v.logins {
		if judged[l.n] {
			continue
		}
		for _, f := range l.appliedFaults() {
			if slices.Contains(faults, f) {
				ev = append(ev, l.faultOutcome(f)...)
			}
		}
	}
	return ev
}

// appliedFaults returns the faults applied to the requests of l.
func (l *loginObs) appliedFaults() []Fault {
	out := slices.Clone(l.callbackFaults)
	for _, t := range l.tokens {
		out = append(out, t.faults...)
	}
	for _, u := range l.userinfo {
		out = append(out, u.faults...)
	}
	if l.logout != nil {
		out = append(out, l.logout.faults...)
	}
	return out
}

// faultOutcome is what the requests of l after fault f show: that the
// client went on after a fault it had to refuse, or stopped; that it went
// on after one it had to accept. Faults whose outcome only the client's
// own answer shows give nothing.
func (l *loginObs) faultOutcome(f Fault) []Evidence {
	for _, w := range l.wentOn {
		if w.fault == f {
			en, fr := wentOnText(w)
			return []Evidence{seen(false, l.n, "", time.Time{}, en, fr)}
		}
	}
	m := faultCatalogue[f]
	switch {
	case slices.Contains(codeFaults, f) && len(l.tokens) == 0:
		return []Evidence{seen(true, l.n, "", time.Time{}, f.String()+": the code was not redeemed",
			f.String()+" : le code n'a pas été échangé")}
	case (forged(f, StepToken) || freshAuthRefused(f, l)) && len(l.userinfo) == 0:
		return []Evidence{seen(true, l.n, "", time.Time{}, f.String()+": userinfo was not called",
			f.String()+" : userinfo n'a pas été appelé")}
	case m.step == StepToken && m.outcome == OutcomeContinue && len(l.userinfo) > 0:
		return []Evidence{seen(true, l.n, "", time.Time{}, f.String()+": the login went on, as it should",
			f.String()+" : la connexion a continué, comme il se doit")}
	}
	return nil
}

// wentOnText says what the client did after a fault it had to refuse.
func wentOnText(w wentOn) (string, string) {
	switch w.act {
	case actRedeem:
		return "redeemed the code of a callback under " + w.fault.String(),
			"a échangé le code d'un retour sous " + w.fault.String()
	case actRedeemAgain:
		return "redeemed the code again after " + w.fault.String(), "a échangé le code une seconde fois après " + w.fault.String()
	}
	return "called userinfo after a token answer under " + w.fault.String(),
		"a appelé userinfo après une réponse token sous " + w.fault.String()
}
