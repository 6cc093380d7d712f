package fctest

import (
	"cmp"
	"net/http"
	"strings"
)

// agentCard is one agent on ProConnect's agent-choice page.
type agentCard struct {
	Login, FullName, FirstName, AsName, Email, Organization, SIRET string
	IDP, IDPACR, ACR, Roles, Description, Action                   string
	Insufficient                                                   bool
}

// renderAgents shows ProConnect's agent-choice page of in: the requested
// levels and hints, and one card per agent, marked when its level is not in
// the required set.
func (s *Server) renderAgents(w http.ResponseWriter, in *interaction) {
	data := s.interactionPage(in)
	data.RequestedACRs, data.Hints = in.pc.requestedACRs(), in.pc.hints
	action := apiPrefix + "/interaction/" + in.uid + "/login"
	for _, a := range s.agents {
		org := cmp.Or(a.OrganizationLabel, "Organisation sans libellé")
		data.AgentCards = append(data.AgentCards, agentCard{
			Login: a.Login, FullName: a.GivenName + " " + a.UsualName, FirstName: strings.Fields(a.GivenName)[0], AsName: asName(strings.Fields(a.GivenName)[0]),
			Email: a.Email, Organization: org, SIRET: a.SIRET, IDP: cmp.Or(a.IDPID, demoIDPID),
			IDPACR: cmp.Or(a.ACR, acrEidas1), ACR: agentACR(a), Roles: strings.Join(a.Roles, ", "),
			Description: a.Description, Action: action, Insufficient: !in.pc.accepts(agentACR(a)),
		})
	}
	s.renderPage(w, http.StatusOK, "agents", data)
}
