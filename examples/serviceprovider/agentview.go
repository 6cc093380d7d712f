package main

import (
	"strings"

	"github.com/go-franceconnect/franceconnect"
)

// agentView is a verified ProConnect agent as shown on the agent page.
type agentView struct {
	GivenName, UsualName, Email, UID  string
	Organization, SIRET, SIREN, Phone string
	Roles                             []string
	IDP, IDPACR                       string
	ACR, ACRLabel, AMR, Subject       string
}

func newAgentView(l *franceconnect.Login) *agentView {
	ag := l.Identity.Agent
	v := &agentView{
		GivenName: ag.GivenName, UsualName: ag.UsualName, Email: ag.Email, UID: ag.UID,
		Organization: ag.OrganizationLabel, SIRET: ag.SIRET, SIREN: ag.SIREN, Phone: ag.PhoneNumber,
		IDP: ag.IDPID, IDPACR: ag.IDPACR,
		ACR: shortLevel(l.IDToken.ACR), ACRLabel: agentLevelLabel(l.IDToken.ACR),
		AMR: strings.Join(l.IDToken.AMR, ", "), Subject: l.IDToken.Subject,
	}
	for _, r := range ag.Roles {
		v.Roles = append(v.Roles, roleLabel(r))
	}
	return v
}

// agentName is the short name kept in the session: first given name and
// usual name.
func agentName(ag *franceconnect.AgentIdentity) string {
	first, _, _ := strings.Cut(ag.GivenName, " ")
	return strings.TrimSpace(first + " " + ag.UsualName)
}

// agentLevelLabel says in French what a ProConnect level guarantees.
func agentLevelLabel(acr franceconnect.ACR) string {
	switch acr {
	case franceconnect.EIDAS0:
		return "identité déclarée, sans vérification"
	case franceconnect.EIDAS0MFA:
		return "identité déclarée, sans vérification, double authentification"
	case franceconnect.EIDAS1:
		return "niveau eIDAS faible"
	case franceconnect.EIDAS1MFA:
		return "niveau eIDAS faible, double authentification"
	case franceconnect.EIDAS2:
		return "niveau eIDAS substantiel"
	case franceconnect.EIDAS3:
		return "niveau eIDAS élevé"
	case franceconnect.CertificationDirigeant:
		return "dirigeant d'entreprise dont le mandat a été vérifié"
	}
	return "niveau inconnu"
}

// roleLabel names a ProConnect role in French, with its code.
func roleLabel(role string) string {
	labels := map[string]string{
		"agent_public":             "agent public",
		"agent_public_etat":        "agent public de l'État",
		"agent_public_territorial": "agent public territorial",
		"agent_public_hospitalier": "agent public hospitalier",
		"agent_public_L100-3":      "agent d'une administration au sens de l'article L100-3 du CRPA",
		"dirigeant":                "dirigeant d'entreprise",
	}
	if l, ok := labels[role]; ok {
		return l + " (" + role + ")"
	}
	return role
}
