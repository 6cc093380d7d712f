package fctest

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/mail"
	"regexp"
	"slices"
	"strings"
)

// Agent is a person known to the demonstration identity providers of the
// ProConnect emulator: a public agent, or a professional of the private
// sector. Claims are given as ProConnect sends them (PROCONNECT.md, scopes
// and claims). The JSON form, read by ParseAgents, names the fields after
// the claims.
type Agent struct {
	// Login is the unique handle used by tests (Server.SignIn) and shown on the
	// agent-choice page. It must match [A-Za-z0-9_.@-]{1,64}.
	Login string `json:"login"`
	// Sub is the agent's ProConnect account id, the sub claim: the same at
	// every service provider (ProConnect's subs are public, not pairwise).
	// Zero: a UUID derived from Login and Options.SubjectSecret. Subs must be
	// unique.
	Sub string `json:"sub,omitempty"`
	// GivenName holds the first names (given_name). Required.
	GivenName string `json:"given_name"`
	// UsualName is the name the agent uses (usual_name). Required.
	UsualName string `json:"usual_name"`
	// Email is the professional address (email). Required.
	Email string `json:"email"`
	// UID is the agent's id at the identity provider (uid). Required.
	UID string `json:"uid"`
	// SIRET is the 14-digit number of the agent's establishment (siret);
	// the siren claim is its first nine digits. Required.
	SIRET string `json:"siret"`
	// OrganizationLabel names the organisation (organization_label); zero:
	// the claim is omitted.
	OrganizationLabel string `json:"organization_label,omitempty"`
	// IDPID is the identity provider's id (idp_id); zero: "fctest-idp".
	IDPID string `json:"idp_id,omitempty"`
	// ACR is what the agent's identity provider returns as its level (the
	// idp_acr claim). ProConnect returns it as acr when it is one of its seven
	// values, and eidas1 otherwise. Zero: "eidas1".
	ACR string `json:"acr,omitempty"`
	// AMR lists the authentication methods (amr): pwd, mail (ProConnect's
	// e-mail method), otp, pin, pop, hwk, swk, mfa. Zero: ["pwd"].
	AMR []string `json:"amr,omitempty"`
	// Roles are the agent's roles (roles): dirigeant, agent_public,
	// agent_public_L100-3, agent_public_etat, agent_public_territorial or
	// agent_public_hospitalier. Zero: an empty list.
	Roles []string `json:"roles,omitempty"`
	// PhoneNumber is the professional phone number (phone_number); zero: the
	// claim is omitted.
	PhoneNumber string `json:"phone_number,omitempty"`
	// BelongingPopulation is the population the agent belongs to, as the
	// identity provider names it (belonging_population); zero: omitted.
	BelongingPopulation string `json:"belonging_population,omitempty"`
	// OrganizationalUnit is the agent's department (organizational_unit);
	// zero: omitted.
	OrganizationalUnit string `json:"organizational_unit,omitempty"`
	// Groups are the agent's groups (groups); zero: omitted.
	Groups []string `json:"groups,omitempty"`
	// Custom is a JSON object of identity-provider specific data (custom);
	// zero: omitted.
	Custom json.RawMessage `json:"custom,omitempty"`
	// Description is a short French text shown on the agent-choice page.
	Description string `json:"description,omitempty"`
}

// ProConnect's role values (identity-for-sp DTO).
var agentRoles = []string{"dirigeant", "agent_public", "agent_public_L100-3", "agent_public_etat",
	"agent_public_territorial", "agent_public_hospitalier"}

// ProConnect's amr values (claim_amr.md).
var agentAMRs = []string{"pwd", "mail", "otp", "pin", "pop", "hwk", "swk", "mfa"}

var siretPattern = regexp.MustCompile(`^[0-9]{14}$`)

// DemoAgents returns the ProConnect emulator's default agents: invented
// people of several organisations and SIRETs covering the cases a service
// provider meets: agents with and without two-factor authentication, each
// eIDAS level, an identity provider that only reaches eidas1 (it returns a
// level ProConnect does not know), a company director for
// certification-dirigeant, a self-asserted account of the private sector,
// the e-mail method (amr mail), optional claims missing. The slice is new
// on every call.
func DemoAgents() []Agent {
	return []Agent{
		{Login: "agent_mfa", GivenName: "Claire", UsualName: "Lefèvre", Email: "claire.lefevre@demonstration.gouv.fr",
			UID: "cl-4821", SIRET: "11000012200017", OrganizationLabel: "Ministère de la Démonstration",
			IDPID: "fi-ministere", ACR: "eidas1-mfa", AMR: []string{"pwd", "otp", "mfa"},
			Roles: []string{"agent_public", "agent_public_etat"}, PhoneNumber: "+33 1 40 00 00 01",
			BelongingPopulation: "agent", OrganizationalUnit: "Direction du numérique",
			Description: "Agente de l'État, double authentification (eidas1-mfa)"},
		{Login: "agent_sans_mfa", GivenName: "Mathieu", UsualName: "Garnier", Email: "mathieu.garnier@demonstration.gouv.fr",
			UID: "mg-1170", SIRET: "11000012200017", OrganizationLabel: "Ministère de la Démonstration",
			IDPID: "fi-ministere", ACR: "eidas1", AMR: []string{"pwd"},
			Roles: []string{"agent_public", "agent_public_etat"}, BelongingPopulation: "agent",
			Description: "Même ministère, mot de passe seul (eidas1)"},
		{Login: "agent_eidas2", GivenName: "Sophie Anne", UsualName: "Marchand", Email: "sophie.marchand@region-exemple.gouv.fr",
			UID: "sm-2002", SIRET: "12000987300015", OrganizationLabel: "Préfecture de la région Exemple",
			IDPID: "fi-prefecture", ACR: "eidas2", AMR: []string{"pwd", "otp", "mfa"},
			Roles: []string{"agent_public", "agent_public_etat"}, PhoneNumber: "+33 4 72 00 00 02",
			Groups: []string{"cabinet", "securite-civile"}, Description: "Identité vérifiée, niveau substantiel (eidas2)"},
		{Login: "agent_eidas3", GivenName: "Bruno", UsualName: "Tessier", Email: "bruno.tessier@agence-essais.gouv.fr",
			UID: "bt-3003", SIRET: "13001234700014", OrganizationLabel: "Agence nationale des essais",
			IDPID: "fi-agence", ACR: "eidas3", AMR: []string{"hwk", "pin", "mfa"},
			Roles: []string{"agent_public", "agent_public_etat"}, Description: "Carte agent à puce, niveau élevé (eidas3)"},
		{Login: "agent_territorial", GivenName: "Nadia", UsualName: "Benali", Email: "nadia.benali@villeneuve-exemple.fr",
			UID: "nb-75056", SIRET: "21750567600015", OrganizationLabel: "Mairie de Villeneuve-Exemple",
			IDPID: "fi-proconnect-identite", ACR: "eidas1", AMR: []string{"mail"},
			Roles: []string{"agent_public", "agent_public_territorial"}, BelongingPopulation: "agent",
			Custom:      json.RawMessage(`{"service":"état civil","matricule":"T-0042"}`),
			Description: "Agente territoriale connectée par un lien envoyé par courriel (amr mail)"},
		{Login: "agent_hospitalier", GivenName: "Hugo", UsualName: "Perrin", Email: "hugo.perrin@chu-exemple.fr",
			UID: "hp-59001", SIRET: "26590012600011", IDPID: "fi-chu",
			ACR: "urn:fi-chu:niveau:basique", AMR: []string{"pwd"},
			Roles:       []string{"agent_public", "agent_public_hospitalier"},
			Description: "Fournisseur d'identité qui ne dépasse pas eidas1 : il renvoie un niveau inconnu, ramené à eidas1"},
		{Login: "dirigeant", GivenName: "Isabelle", UsualName: "Roux", Email: "isabelle.roux@exemple-conseil.fr",
			UID: "ir-834", SIRET: "83412345700014", OrganizationLabel: "Exemple Conseil SAS",
			IDPID: "fi-proconnect-identite", ACR: "https://proconnect.gouv.fr/assurance/certification-dirigeant",
			AMR: []string{"pwd", "mail", "mfa"}, Roles: []string{"dirigeant"},
			Description: "Dirigeante d'entreprise certifiée (certification-dirigeant)"},
		{Login: "salarie_prive", GivenName: "Thomas", UsualName: "Nguyen", Email: "thomas.nguyen@atelier-numerique.fr",
			UID: "tn-901", SIRET: "90123456700013", IDPID: "fi-proconnect-identite", ACR: "eidas0", AMR: []string{"pwd"},
			Description: "Salarié du privé, identité déclarative (eidas0), sans rôle ni libellé d'organisation"},
	}
}

// people returns the validated identities or agents of opts, whichever the
// platform uses, and checks AutoLogin.
func people(opts *Options) ([]Person, []Agent, error) {
	ids, err := opts.people()
	if err != nil {
		return nil, nil, err
	}
	var agents []Agent
	switch {
	case opts.Platform == ProConnect && ids != nil:
		return nil, nil, fmt.Errorf("fctest: ProConnect takes Agents, not People")
	case opts.Platform != ProConnect && opts.Agents != nil:
		return nil, nil, fmt.Errorf("fctest: Agents are for ProConnect; %s takes People", opts.Platform)
	case opts.Platform == ProConnect:
		agents, err = validateAgents(orDefault(opts.Agents, DemoAgents()))
	default:
		ids, err = validateIdentities(orDefault(ids, DemoPeople()))
	}
	if err != nil {
		return nil, nil, err
	}
	known := slices.ContainsFunc(ids, func(id Person) bool { return id.Login == opts.AutoLogin }) ||
		slices.ContainsFunc(agents, func(a Agent) bool { return a.Login == opts.AutoLogin })
	if opts.AutoLogin != "" && !known {
		return nil, nil, fmt.Errorf("fctest: AutoLogin: no identity %q", opts.AutoLogin)
	}
	return ids, agents, nil
}

// orDefault returns v, or zero when v is nil.
func orDefault[T any](v, zero []T) []T {
	if v == nil {
		return zero
	}
	return v
}

// validateAgents checks agents like ProConnect's identity DTO and returns a
// deep copy.
func validateAgents(agents []Agent) ([]Agent, error) {
	out := make([]Agent, 0, len(agents))
	seen := make(map[string]bool, len(agents))
	for i, a := range agents {
		label := fmt.Sprintf("agent %q", a.Login)
		if !loginPattern.MatchString(a.Login) {
			label = fmt.Sprintf("agent #%d", i+1)
		}
		if field, msg := checkAgent(a); field != "" {
			return nil, &entryError{entry: label, field: field, msg: msg}
		}
		switch {
		case seen["login:"+a.Login]:
			return nil, &entryError{entry: label, field: "login", msg: "appears twice"}
		case a.Sub != "" && seen["sub:"+a.Sub]:
			return nil, &entryError{entry: label, field: "sub", msg: "appears twice"}
		}
		seen["login:"+a.Login], seen["sub:"+a.Sub] = true, a.Sub != ""
		a.AMR, a.Roles, a.Groups = slices.Clone(a.AMR), slices.Clone(a.Roles), slices.Clone(a.Groups)
		a.Custom = slices.Clone(a.Custom)
		out = append(out, a)
	}
	return out, nil
}

// checkAgent returns the first field of a that breaks the rules and what is
// wrong with it, or "".
func checkAgent(a Agent) (field, msg string) {
	addr, mailErr := mail.ParseAddress(a.Email)
	custom := bytes.TrimSpace(a.Custom)
	switch {
	case !loginPattern.MatchString(a.Login):
		return "login", "must match " + loginPattern.String()
	case strings.TrimSpace(a.GivenName) == "":
		return "given_name", "is required"
	case strings.TrimSpace(a.UsualName) == "":
		return "usual_name", "is required"
	case mailErr != nil || addr.Address != a.Email:
		return "email", fmt.Sprintf("%q is not an e-mail address (required)", a.Email)
	case a.UID == "":
		return "uid", "is required"
	case !siretPattern.MatchString(a.SIRET):
		return "siret", fmt.Sprintf("%q is not 14 digits (required)", a.SIRET)
	case slices.ContainsFunc(a.AMR, func(m string) bool { return !slices.Contains(agentAMRs, m) }):
		return "amr", fmt.Sprintf("%v: each method must be one of %v", a.AMR, agentAMRs)
	case slices.ContainsFunc(a.Roles, func(r string) bool { return !slices.Contains(agentRoles, r) }):
		return "roles", fmt.Sprintf("%v: each role must be one of %v", a.Roles, agentRoles)
	case len(custom) > 0 && (custom[0] != '{' || !json.Valid(custom)):
		return "custom", "must be a JSON object"
	}
	return "", ""
}

// Agents returns a copy of the agents offered by a ProConnect server; none
// on the FranceConnect platforms.
func (s *Server) Agents() []Agent {
	out, _ := validateAgents(s.agents) // validated by NewServer: a deep copy
	return out
}

// agent returns the agent with login.
func (s *Server) agent(login string) (Agent, bool) {
	for _, a := range s.agents {
		if a.Login == login {
			return a, true
		}
	}
	return Agent{}, false
}

// knows reports whether login names an identity or an agent of the server.
func (s *Server) knows(login string) bool {
	if _, ok := s.agent(login); ok {
		return true
	}
	_, ok := s.identity(login)
	return ok
}

// agentSub returns the account id of the agent with login: its Sub, or a
// UUID derived from the login and the subject secret.
func (s *Server) agentSub(login string) string {
	if a, ok := s.agent(login); ok && a.Sub != "" {
		return a.Sub
	}
	b := sha256.Sum256([]byte("proconnect-account\x00" + s.opts.SubjectSecret + "\x00" + login))
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// agentACR is the acr ProConnect returns for a: its identity provider's
// level when ProConnect knows it, eidas1 otherwise (oidc-acr service).
func agentACR(a Agent) string {
	if slices.Contains(pcACRs, a.ACR) {
		return a.ACR
	}
	return acrEidas1
}

// agentAMR returns the amr values of a.
func agentAMR(a Agent) []string {
	if len(a.AMR) == 0 {
		return []string{"pwd"}
	}
	return slices.Clone(a.AMR)
}

// agentClaim returns the value of claim for a, and false when the agent has
// no value for it.
func agentClaim(a Agent, claim string) (any, bool) {
	optional := func(v string) (any, bool) { return v, v != "" }
	switch claim {
	case "given_name":
		return a.GivenName, true
	case "usual_name":
		return a.UsualName, true
	case "email":
		return a.Email, true
	case "uid":
		return a.UID, true
	case "siret":
		return a.SIRET, true
	case "siren":
		return a.SIRET[:9], true
	case "organization_label":
		return optional(a.OrganizationLabel)
	case "idp_id":
		return cmp.Or(a.IDPID, demoIDPID), true
	case "idp_acr":
		return cmp.Or(a.ACR, acrEidas1), true
	case "roles":
		return orDefault(slices.Clone(a.Roles), []string{}), true
	case "phone_number":
		return optional(a.PhoneNumber)
	case "belonging_population":
		return optional(a.BelongingPopulation)
	case "organizational_unit":
		return optional(a.OrganizationalUnit)
	case "groups":
		return slices.Clone(a.Groups), len(a.Groups) > 0
	case "custom":
		return json.RawMessage(slices.Clone(a.Custom)), len(bytes.TrimSpace(a.Custom)) > 0
	case "amr":
		return agentAMR(a), true
	}
	return nil, false
}
