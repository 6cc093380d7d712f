package fchttp

import (
	"errors"
	"net/http"
	"slices"

	"github.com/go-franceconnect/franceconnect"
)

// setAgentPolicy checks Config.AgentPolicy and keeps a copy of it, so that
// the caller's later changes to its lists change nothing.
func (h *Handler) setAgentPolicy() error {
	p := h.cfg.AgentPolicy
	switch {
	case p == nil:
		return nil
	case h.client.Platform() != franceconnect.ProConnect:
		return configError("AgentPolicy admits ProConnect agents: the door's platform is %v", h.client.Platform())
	}
	if err := p.Validate(); err != nil {
		return configError("%v", err)
	}
	h.cfg.AgentPolicy = &franceconnect.AgentPolicy{
		EmailDomains: slices.Clone(p.EmailDomains), IDPIDs: slices.Clone(p.IDPIDs),
		SIRETs: slices.Clone(p.SIRETs), SIRENs: slices.Clone(p.SIRENs), Roles: slices.Clone(p.Roles),
	}
	return nil
}

// admit applies the AgentPolicy to a verified login: nil when there is
// none or it admits the agent, the *franceconnect.AgentRefusedError
// otherwise.
func (h *Handler) admit(login *franceconnect.Login) error {
	if h.cfg.AgentPolicy == nil {
		return nil
	}
	return h.cfg.AgentPolicy.Check(login.Identity.Agent)
}

// agentRefused fills p for an agent the AgentPolicy refused: 403, the rule
// and the agent's organisation, and how to ask for access.
func (h *Handler) agentRefused(p *Problem, err error) bool {
	var refused *franceconnect.AgentRefusedError
	if !errors.As(err, &refused) {
		return false
	}
	p.Status, p.Title = http.StatusForbidden, "Accès refusé"
	p.Message = refused.UserMessage()
	p.UserMessage = h.cfg.AgentHelp
	if p.UserMessage == "" {
		p.UserMessage = "Si ce service devrait vous être ouvert, contactez-le en donnant la référence de l'incident ci-dessous."
	}
	return true
}
