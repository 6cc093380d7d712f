package franceconnect

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// demoAgent is an agent of the State, as ProConnect describes one.
func demoAgent() *AgentIdentity {
	return &AgentIdentity{
		GivenName: "Claire", UsualName: "Lefèvre", Email: "claire.lefevre@interieur.gouv.fr",
		SIRET: "11000001300017", SIREN: "110000013", OrganizationLabel: "Ministère de l'Intérieur",
		IDPID: "fi-interieur-internet", Roles: []string{"agent_public", "agent_public_etat"},
	}
}

func TestAgentPolicyAdmits(t *testing.T) {
	for name, p := range map[string]AgentPolicy{
		"zero policy":             {},
		"exact domain":            {EmailDomains: []string{"lyon.fr", "interieur.gouv.fr"}},
		"domain in capitals":      {EmailDomains: []string{"Interieur.Gouv.FR"}},
		"identity provider":       {IDPIDs: []string{"fi-interieur-rie", "fi-interieur-internet"}},
		"establishment":           {SIRETs: []string{"11000001300017"}},
		"organisation":            {SIRENs: []string{"110000013"}},
		"role":                    {Roles: []string{"agent_public_etat"}},
		"every rule at once":      {EmailDomains: []string{"interieur.gouv.fr"}, IDPIDs: []string{"fi-interieur-internet"}, SIRENs: []string{"110000013"}, Roles: []string{"agent_public"}},
		"organisation from SIRET": {SIRENs: []string{"110000013"}},
	} {
		a := demoAgent()
		if name == "organisation from SIRET" {
			a.SIREN = ""
		}
		assert.NoError(t, p.Check(a), name)
	}
	sub := AgentPolicy{EmailDomains: []string{"*.interieur.gouv.fr"}}
	a := demoAgent()
	a.Email = "agent@dgpn.interieur.gouv.fr"
	assert.NoError(t, sub.Check(a), "a subdomain")
}

func TestAgentPolicyRefuses(t *testing.T) {
	tests := []struct {
		name   string
		policy AgentPolicy
		edit   func(*AgentIdentity)
		claim  string
	}{
		{"another domain", AgentPolicy{EmailDomains: []string{"interieur.gouv.fr"}}, func(a *AgentIdentity) { a.Email = "x@justice.gouv.fr" }, "email"},
		{"a lookalike suffix", AgentPolicy{EmailDomains: []string{"interieur.gouv.fr"}}, func(a *AgentIdentity) { a.Email = "x@faux-interieur.gouv.fr" }, "email"},
		{"a subdomain of an exact entry", AgentPolicy{EmailDomains: []string{"interieur.gouv.fr"}}, func(a *AgentIdentity) { a.Email = "x@dgpn.interieur.gouv.fr" }, "email"},
		{"the domain of a wildcard entry", AgentPolicy{EmailDomains: []string{"*.interieur.gouv.fr"}}, func(*AgentIdentity) {}, "email"},
		{"the domain inside the local part", AgentPolicy{EmailDomains: []string{"interieur.gouv.fr"}}, func(a *AgentIdentity) { a.Email = `"x@interieur.gouv.fr"@evil.example` }, "email"},
		{"a display name", AgentPolicy{EmailDomains: []string{"interieur.gouv.fr"}}, func(a *AgentIdentity) { a.Email = "Claire <claire@interieur.gouv.fr>" }, "email"},
		{"a trailing dot", AgentPolicy{EmailDomains: []string{"interieur.gouv.fr"}}, func(a *AgentIdentity) { a.Email = "x@interieur.gouv.fr." }, "email"},
		{"a Unicode lookalike", AgentPolicy{EmailDomains: []string{"interieur.gouv.fr"}}, func(a *AgentIdentity) { a.Email = "x@interıeur.gouv.fr" }, "email"},
		{"no e-mail", AgentPolicy{EmailDomains: []string{"interieur.gouv.fr"}}, func(a *AgentIdentity) { a.Email = "" }, "email"},
		{"another identity provider", AgentPolicy{IDPIDs: []string{"fi-justice"}}, func(*AgentIdentity) {}, "idp_id"},
		{"no identity provider", AgentPolicy{IDPIDs: []string{"fi-interieur-internet"}}, func(a *AgentIdentity) { a.IDPID = "" }, "idp_id"},
		{"another establishment", AgentPolicy{SIRETs: []string{"13002526500013"}}, func(*AgentIdentity) {}, "siret"},
		{"another organisation", AgentPolicy{SIRENs: []string{"130025265"}}, func(*AgentIdentity) {}, "siren"},
		{"a SIREN that is not the SIRET's", AgentPolicy{SIRENs: []string{"130025265"}}, func(a *AgentIdentity) { a.SIREN = "130025265" }, "siren"},
		{"a malformed SIREN", AgentPolicy{SIRENs: []string{"110000013"}}, func(a *AgentIdentity) { a.SIREN = "11000001" }, "siren"},
		{"no SIREN, no SIRET", AgentPolicy{SIRENs: []string{"110000013"}}, func(a *AgentIdentity) { a.SIREN, a.SIRET = "", "" }, "siren"},
		{"no role", AgentPolicy{Roles: []string{"agent_public"}}, func(a *AgentIdentity) { a.Roles = nil }, "roles"},
		{"another role", AgentPolicy{Roles: []string{"agent_public_territorial"}}, func(*AgentIdentity) {}, "roles"},
		{"one rule out of two", AgentPolicy{EmailDomains: []string{"interieur.gouv.fr"}, Roles: []string{"dirigeant"}}, func(*AgentIdentity) {}, "roles"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := demoAgent()
			tt.edit(a)
			err := tt.policy.Check(a)
			require.ErrorIs(t, err, ErrAgentRefused)
			var re *AgentRefusedError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, tt.claim, re.Claim)
			assert.NotContains(t, err.Error(), "claire", "the message names the rule, not the agent")
			if a.Email != "" {
				assert.NotContains(t, fmt.Sprint(err), a.Email)
			}
			assert.Contains(t, re.UserMessage(), "Ce service ne vous est pas ouvert")
		})
	}
	err := AgentPolicy{}.Check(nil)
	require.ErrorIs(t, err, ErrAgentRefused, "a login without an agent")
}

func TestAgentRefusalMessage(t *testing.T) {
	a := demoAgent()
	err := AgentPolicy{Roles: []string{"agent_public_territorial"}}.Check(a)
	var re *AgentRefusedError
	require.True(t, errors.As(err, &re))
	msg := re.UserMessage()
	for _, want := range []string{"agent_public_territorial", "Ministère de l'Intérieur", "11000001300017", "agent_public, agent_public_etat"} {
		assert.Contains(t, msg, want, "ProConnect asks the page to show the rule, the organisation and the roles")
	}
	err = AgentPolicy{EmailDomains: []string{"lyon.fr"}}.Check(&AgentIdentity{Email: "x@justice.gouv.fr"})
	require.True(t, errors.As(err, &re))
	assert.Contains(t, re.UserMessage(), "lyon.fr")
	assert.Contains(t, re.UserMessage(), "non communiqué")
	assert.NotContains(t, re.UserMessage(), "Rôles")
}

func TestAgentPolicyValidate(t *testing.T) {
	for name, p := range map[string]AgentPolicy{
		"an address":          {EmailDomains: []string{"agent@interieur.gouv.fr"}},
		"an empty domain":     {EmailDomains: []string{""}},
		"a bare wildcard":     {EmailDomains: []string{"*."}},
		"a wildcard inside":   {EmailDomains: []string{"a.*.gouv.fr"}},
		"a trailing dot":      {EmailDomains: []string{"interieur.gouv.fr."}},
		"a space":             {EmailDomains: []string{"interieur .gouv.fr"}},
		"a SIRET of 13":       {SIRETs: []string{"1100000130001"}},
		"a SIREN with letter": {SIRENs: []string{"11000001A"}},
		"an empty idp_id":     {IDPIDs: []string{""}},
		"an empty role":       {Roles: []string{""}},
	} {
		require.ErrorIs(t, p.Validate(), ErrConfig, name)
		err := p.Check(demoAgent())
		require.ErrorIs(t, err, ErrConfig, name)
		require.NotErrorIs(t, err, ErrAgentRefused, name)
	}
	require.NoError(t, AgentPolicy{EmailDomains: []string{"*.gouv.fr", "lyon.fr"}, SIRETs: []string{"11000001300017"}}.Validate())
}
