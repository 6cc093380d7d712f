package franceconnect

import (
	"fmt"
	"net/mail"
	"slices"
	"strings"

	"github.com/go-franceconnect/franceconnect/internal/wire"
)

// AgentPolicy is a service's own access policy for ProConnect agents.
// ProConnect signs in every professional who has an account and leaves
// access control to the service (the private-sector restriction, Y500015,
// is its only filter): apply a policy after each login, on
// Login.Identity.Agent, and show the refusal with
// AgentRefusedError.UserMessage. Each list that is set must admit the agent
// (one entry of the list is enough); the zero AgentPolicy admits every
// agent. Values are compared exactly, e-mail domains in lower case.
type AgentPolicy struct {
	// EmailDomains admit the agents whose e-mail address is at one of these
	// domains: "interieur.gouv.fr" admits that domain only,
	// "*.interieur.gouv.fr" its subdomains only (list both for both). Needs
	// the email scope. Zero: any address.
	EmailDomains []string
	// IDPIDs admit the agents who signed in through one of these identity
	// providers (the idp_id claim). An identity provider present on the
	// Internet and on the RIE has an idp_id on each network: list both.
	// Needs the idp_id scope. Zero: any identity provider.
	IDPIDs []string
	// SIRETs admit the agents of one of these establishments (14 digits).
	// Needs the siret scope. ProConnect warns that the SIRET of some
	// populations is unreliable: prefer SIRENs or EmailDomains there. Zero:
	// any establishment.
	SIRETs []string
	// SIRENs admit the agents of one of these organisations (9 digits): the
	// siren claim, or else the first nine digits of the SIRET. Zero: any
	// organisation.
	SIRENs []string
	// Roles admit the agents with one of these roles, e.g. "agent_public"
	// or "agent_public_etat". Needs the roles scope, which ProConnect grants
	// on request. Zero: any role, or none.
	Roles []string
}

// Validate reports a malformed policy, wrapping ErrConfig: an e-mail domain
// with "@" or spaces, a SIRET that is not 14 digits, a SIREN that is not 9,
// an empty value. Check validates too; call Validate at startup.
func (p AgentPolicy) Validate() error {
	for _, d := range p.EmailDomains {
		name := strings.TrimPrefix(d, "*.")
		if name == "" || strings.ContainsAny(name, "@ *") || strings.HasSuffix(name, ".") || !wire.IsScopeToken(name) {
			return errorf("%w: AgentPolicy.EmailDomains: %q is not a domain such as \"interieur.gouv.fr\" or \"*.interieur.gouv.fr\"", ErrConfig, d)
		}
	}
	for _, l := range []struct {
		name   string
		values []string
		digits int
	}{{"SIRETs", p.SIRETs, 14}, {"SIRENs", p.SIRENs, 9}, {"IDPIDs", p.IDPIDs, 0}, {"Roles", p.Roles, 0}} {
		for _, v := range l.values {
			if v == "" || l.digits > 0 && !digits(v, l.digits) {
				return errorf("%w: AgentPolicy.%s: %q is not a value of %d digits", ErrConfig, l.name, v, l.digits)
			}
		}
	}
	return nil
}

// Check admits or refuses an agent. It returns nil when every rule of the
// policy admits a, an *AgentRefusedError (matching ErrAgentRefused) naming
// the first rule that does not, and an error wrapping ErrConfig when the
// policy is malformed. A nil agent (a login on another platform) is
// refused.
func (p AgentPolicy) Check(a *AgentIdentity) error {
	if err := p.Validate(); err != nil {
		return err
	}
	if a == nil {
		return &AgentRefusedError{reason: "no ProConnect agent"}
	}
	refuse := func(claim string, allowed []string, reason string) error {
		return &AgentRefusedError{Claim: claim, Allowed: slices.Clone(allowed), Organization: a.OrganizationLabel,
			SIRET: a.SIRET, Roles: slices.Clone(a.Roles), reason: reason}
	}
	siren, sirenOK := agentSIREN(a)
	switch {
	case len(p.EmailDomains) > 0 && !domainAdmitted(p.EmailDomains, a.Email):
		return refuse("email", p.EmailDomains, "e-mail domain not admitted (or no e-mail address)")
	case len(p.IDPIDs) > 0 && !slices.Contains(p.IDPIDs, a.IDPID):
		return refuse("idp_id", p.IDPIDs, "identity provider not admitted (or no idp_id)")
	case len(p.SIRETs) > 0 && !slices.Contains(p.SIRETs, a.SIRET):
		return refuse("siret", p.SIRETs, "establishment not admitted (or no siret)")
	case len(p.SIRENs) > 0 && !(sirenOK && slices.Contains(p.SIRENs, siren)):
		return refuse("siren", p.SIRENs, "organisation not admitted (or no siren, or a siren that is not the siret's)")
	case len(p.Roles) > 0 && !slices.ContainsFunc(a.Roles, func(r string) bool { return slices.Contains(p.Roles, r) }):
		return refuse("roles", p.Roles, "no admitted role")
	}
	return nil
}

// domainAdmitted reports whether the address is a plain e-mail address at
// one of the domains (see AgentPolicy.EmailDomains).
func domainAdmitted(domains []string, address string) bool {
	parsed, err := mail.ParseAddress(address)
	if err != nil || parsed.Address != address || !wire.IsScopeToken(address) {
		return false
	}
	domain := strings.ToLower(address[strings.LastIndexByte(address, '@')+1:])
	for _, d := range domains {
		d = strings.ToLower(d)
		if sub, ok := strings.CutPrefix(d, "*."); ok && strings.HasSuffix(domain, "."+sub) || domain == d {
			return true
		}
	}
	return false
}

// agentSIREN is the agent's organisation: the siren claim, or the first nine
// digits of the siret; false when neither is well formed or they disagree.
func agentSIREN(a *AgentIdentity) (string, bool) {
	siretOK := digits(a.SIRET, 14)
	switch {
	case a.SIREN != "" && (!digits(a.SIREN, 9) || siretOK && a.SIRET[:9] != a.SIREN):
		return "", false
	case a.SIREN != "":
		return a.SIREN, true
	case siretOK:
		return a.SIRET[:9], true
	}
	return "", false
}

// digits reports whether s is n ASCII digits.
func digits(s string, n int) bool {
	return len(s) == n && strings.Trim(s, "0123456789") == ""
}

// AgentRefusedError is an agent that AgentPolicy.Check refused. It matches
// ErrAgentRefused. Its message names the rule, never the agent; the fields
// hold what ProConnect asks a refusal page to show: the rule, and the
// agent's organisation and roles.
type AgentRefusedError struct {
	// Claim is the claim the policy refused: "email", "idp_id", "siret",
	// "siren" or "roles"; "" when the login had no agent.
	Claim string
	// Allowed are the values the policy admits for that claim.
	Allowed []string
	// Organization is the agent's organisation (organization_label).
	Organization string
	// SIRET is the agent's establishment.
	SIRET string
	// Roles are the agent's roles.
	Roles  []string
	reason string
}

// Error implements error.
func (e *AgentRefusedError) Error() string {
	return ErrAgentRefused.Error() + ": " + e.reason
}

// Is makes errors.Is(err, ErrAgentRefused) true.
func (e *AgentRefusedError) Is(target error) bool { return target == ErrAgentRefused }

// UserMessage returns a French text for the refusal page, as ProConnect
// asks: which rule refused the agent, and the agent's organisation (name
// and SIRET) and, for a rule on roles, their roles. Add how to get help
// (a contact, another way in).
func (e *AgentRefusedError) UserMessage() string {
	rules := map[string]string{
		"email":  "aux agents dont l'adresse électronique appartient à l'un de ces domaines : " + strings.Join(e.Allowed, ", "),
		"idp_id": "aux agents qui se connectent avec le compte de certaines administrations (fournisseurs d'identité)",
		"siret":  "aux agents de ces établissements (SIRET) : " + strings.Join(e.Allowed, ", "),
		"siren":  "aux agents de ces organisations (SIREN) : " + strings.Join(e.Allowed, ", "),
		"roles":  "aux agents qui ont l'un de ces rôles : " + strings.Join(e.Allowed, ", "),
	}
	rule, ok := rules[e.Claim]
	if !ok {
		return "Ce service est réservé aux agents qui se connectent avec ProConnect."
	}
	msg := "Ce service ne vous est pas ouvert : il est réservé " + rule + "."
	msg += fmt.Sprintf(" Organisation de rattachement : %s (SIRET : %s).", orUnknown(e.Organization), orUnknown(e.SIRET))
	if e.Claim == "roles" {
		msg += " Rôles : " + orUnknown(strings.Join(e.Roles, ", ")) + "."
	}
	return msg
}

// orUnknown is s, or "non communiqué" when s is empty.
func orUnknown(s string) string {
	if s == "" {
		return "non communiqué"
	}
	return s
}
