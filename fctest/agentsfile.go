package fctest

// ParseAgents reads ProConnect agents from a JSON array of objects of the
// shape of Agent (members named after the claims: login, sub, given_name,
// usual_name, email, uid, siret, organization_label, idp_id, acr, amr,
// roles, phone_number, belonging_population, organizational_unit, groups,
// custom, description), for Options.Agents:
//
//	[{"login": "agent", "given_name": "Claire", "usual_name": "Lefèvre",
//	  "email": "claire.lefevre@exemple.gouv.fr", "uid": "cl-1",
//	  "siret": "11000012200017", "acr": "eidas1-mfa", "amr": ["pwd", "otp", "mfa"],
//	  "roles": ["agent_public"]}]
//
// Unknown members are refused; given_name, usual_name, email (an address),
// uid and siret (14 digits) are required, as ProConnect requires them from
// identity providers; amr and roles take ProConnect's values; custom must be
// a JSON object; logins and subs are unique. Errors name the agent and the
// member at fault.
func ParseAgents(data []byte) ([]Agent, error) {
	entries, err := decodeArray(data, "agents")
	if err != nil {
		return nil, err
	}
	out := make([]Agent, 0, len(entries))
	for i, raw := range entries {
		var a Agent
		if member, err := decodeStrict(raw, &a); err != nil {
			return nil, &entryError{entry: entryLabel("agent", i, raw, "login"), field: member, msg: err.Error()}
		}
		out = append(out, a)
	}
	return validateAgents(out)
}
