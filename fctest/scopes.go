package fctest

import (
	"slices"
	"strings"
)

// eIDAS levels (spec §10).
const (
	acrEidas1 = "eidas1"
	acrEidas2 = "eidas2"
	acrEidas3 = "eidas3"
)

// acrRank orders the known levels; unknown values rank 0.
func acrRank(acr string) int {
	switch acr {
	case acrEidas1:
		return 1
	case acrEidas2:
		return 2
	case acrEidas3:
		return 3
	}
	return 0
}

// acrByRank is the inverse of acrRank.
func acrByRank(rank int) string {
	return [...]string{"", acrEidas1, acrEidas2, acrEidas3}[max(0, min(rank, 3))]
}

// acrFault returns the acr that f puts in the id_token of c, and false
// when f does not change the acr.
func (s *Server) acrFault(c *authCode, f Fault) (string, bool) {
	unused := func(candidates []string) (string, bool) {
		for _, a := range candidates {
			if !slices.Contains(c.requestedACRs, a) && a != c.acr {
				return a, true
			}
		}
		return "", false
	}
	pc := s.platform == ProConnect
	switch {
	case f == FaultACRLower && pc:
		return "eidas0", true
	case f == FaultACRHigher && pc:
		return acrEidas3, true
	case f == FaultACRLower:
		return acrByRank(acrRank(c.requestedACR) - 1), true
	case f == FaultACRHigher:
		return acrByRank(acrRank(c.requestedACR) + 1), true
	case f == FaultUnknownACR:
		return "http://eidas.europa.eu/LoA/substantial", true
	case f == FaultACRNotRequested:
		return unused(supportedACRs(s.platform))
	case f == FaultACRHigherUnlisted:
		return unused([]string{acrEidas3, acrEidas2})
	}
	return "", false
}

// amrOf returns the amr values of the identity or agent login.
func (s *Server) amrOf(login string) []string {
	if a, ok := s.agent(login); ok {
		return agentAMR(a)
	}
	id, _ := s.identity(login)
	return identityAMR(id, s.platform)
}

// selectACR applies FranceConnect's acr_values transform (spec §10): keep the
// known values, pick the lowest, fall back to the platform default.
func selectACR(acrValues string, p Platform) string {
	best := 0
	for _, v := range strings.Fields(acrValues) {
		if r := acrRank(v); r > 0 && (best == 0 || r < best) {
			best = r
		}
	}
	if best == 0 {
		return defaultACR(p)
	}
	return acrByRank(best)
}

func defaultACR(p Platform) string {
	if p == FranceConnect {
		return acrEidas1
	}
	return acrEidas3
}

// supportedACRs is acr_values_supported (spec §2).
func supportedACRs(p Platform) []string {
	switch p {
	case FranceConnect:
		return []string{acrEidas1}
	case ProConnect:
		return slices.Clone(pcACRs)
	}
	return []string{acrEidas2, acrEidas3}
}

var pivotClaims = []string{"given_name", "family_name", "birthdate", "gender", "birthplace", "birthcountry"}

// fcPlusScopes is the FC+ scope → claims table (spec §9.1).
var fcPlusScopes = map[string][]string{
	"openid":             {"sub"},
	"given_name":         {"given_name"},
	"family_name":        {"family_name"},
	"birthdate":          {"birthdate"},
	"gender":             {"gender"},
	"birthplace":         {"birthplace"},
	"birthcountry":       {"birthcountry"},
	"email":              {"email"},
	"preferred_username": {"preferred_username"},
	"profile":            {"given_name", "family_name", "birthdate", "gender", "preferred_username"},
	"birth":              {"birthplace", "birthcountry"},
	"identite_pivot":     pivotClaims,
	"rnipp_given_name":   {"given_name", "rnipp_given_name", "rnipp_given_name_array"},
	"rnipp_family_name":  {"family_name", "rnipp_family_name"},
	"rnipp_gender":       {"gender", "rnipp_gender"},
	"rnipp_birthdate":    {"birthdate", "rnipp_birthdate"},
	"rnipp_birthplace":   {"birthplace", "rnipp_birthplace"},
	"rnipp_birthcountry": {"birthcountry", "rnipp_birthcountry"},
	"rnipp_profile": {"given_name", "rnipp_given_name", "rnipp_given_name_array", "family_name",
		"rnipp_family_name", "birthdate", "rnipp_birthdate", "gender", "rnipp_gender", "preferred_username"},
	"rnipp_birth": {"birthplace", "rnipp_birthplace", "birthcountry", "rnipp_birthcountry"},
	"rnipp_identite_pivot": {"given_name", "family_name", "birthdate", "gender", "birthplace", "birthcountry",
		"rnipp_given_name", "rnipp_family_name", "rnipp_birthdate", "rnipp_gender", "rnipp_birthplace",
		"rnipp_birthcountry", "rnipp_given_name_array"},
	"amr": {"amr"},
}

// fcScopes is the FC v2 scope → claims table (spec §9.2).
var fcScopes = map[string][]string{
	"openid":             {"sub"},
	"given_name":         {"given_name", "given_name_array"},
	"family_name":        {"family_name"},
	"birthdate":          {"birthdate"},
	"gender":             {"gender"},
	"birthplace":         {"birthplace"},
	"birthcountry":       {"birthcountry"},
	"email":              {"email"},
	"preferred_username": {"preferred_username"},
	"profile":            {"given_name", "given_name_array", "family_name", "birthdate", "gender", "preferred_username"},
	"birth":              {"birthplace", "birthcountry"},
	"identite_pivot":     {"given_name", "given_name_array", "family_name", "birthdate", "gender", "birthplace", "birthcountry"},
	"idp_birthdate":      {"idp_birthdate"},
	"idp_id":             {"idp_id"},
	"amr":                {"amr"},
}

// dataProviderScopes are the data-provider scopes both FranceConnect
// platforms publish (spec §9.4, and the FranceConnect sandbox's discovery
// document): they are passed through without claims; data providers see
// them through checktoken.
var dataProviderScopes = []string{
	"dgfip_rfr", "dgfip_annee_n_moins_1", "dgfip_annee_n_moins_2", "dgfip_annee_n_moins_3", "dgfip_nbpart",
	"dgfip_sitfam", "dgfip_aft", "dgfip_nbpac", "dgfip_inddeficit", "dgfip_pariso", "dgfip_decl", "dgfip_pac",
	"dgfip_locaux_th", "dgfip_nmUsaDec1", "dgfip_nmNaiDec1", "dgfip_prnmDec1", "dgfip_dateNaisDec1",
	"dgfip_nmUsaDec2", "dgfip_nmNaiDec2", "dgfip_prnmDec2", "dgfip_dateNaisDec2", "dgfip_locaux_th_ident",
	"dgfip_locaux_th_Nat", "dgfip_locaux_th_Tax", "dgfip_locaux_th_Aff", "dgfip_pac_nbPac", "dgfip_mntRevbareme",
	"dgfip_indiIFI", "dgfip_RevDecl_Cat1_Tspr", "dgfip_RevDecl_Cat1_RentOn", "dgfip_RevDecl_Cat2_Rcm",
	"dgfip_RevDecl_Cat3_PMV", "dgfip_RevDecl_Cat4_Ref", "dgfip_RevDecl_Cat5_NonSal", "dgfip_RevNets_Cat1_Tspr",
	"dgfip_RevNets_Cat1_RentOn", "dgfip_RevNets_Cat2_Rcm", "dgfip_RevNets_Cat3_PMV", "dgfip_RevNets_Cat4_Ref",
	"dgfip_RevNets_Cat5_NonSal", "dgfip_PaDeduc_EnfMaj", "dgfip_PaDeduc_Autres", "dgfip_EpargRetrDeduc",
	"dgfip_annee_n_moins_2_si_indispo_n_moins_1",
	"droits_assurance_maladie", "cnam_beneficiaires", "cnam_contrats", "cnam_caisse", "cnam_exonerations",
	"cnam_medecin_traitant", "cnam_presence_medecin_traitant", "cnam_paiements_ij",
	"cnous_statut_boursier", "cnous_echelon_bourse", "cnous_email", "cnous_periode_versement",
	"cnous_statut_bourse", "cnous_ville_etudes", "cnous_identite",
}

// fcDataProviderScopes are the data-provider scopes only FranceConnect v2
// publishes (the sandbox's discovery document).
var fcDataProviderScopes = []string{
	"mesri_identite", "mesri_admissions", "mesri_admission_inscrit", "mesri_admission_regime_formation",
	"mesri_admission_commune_etudes", "mesri_admission_etablissement_etude", "mi_siv_carte_grise",
	"api_fc-liste-paiementsv1", "api_fc-statutaugmentev1", "allocation_adulte_handicape",
	"allocation_soutien_familial", "prime_activite", "prime_activite_majoration", "cnaf_quotient_familial",
	"cnaf_allocataires", "cnaf_enfants", "cnaf_adresse", "revenu_solidarite_active",
	"revenu_solidarite_active_majoration", "complementaire_sante_solidaire",
}

// fcPlusScopeOrder lists FC+ scopes in discovery order (spec §2.1).
var fcPlusScopeOrder = []string{"openid", "profile", "birth", "identite_pivot", "gender", "birthdate",
	"birthcountry", "birthplace", "given_name", "family_name", "email", "preferred_username",
	"rnipp_identite_pivot", "rnipp_gender", "rnipp_family_name", "rnipp_given_name",
	"rnipp_birthdate", "rnipp_birthplace", "rnipp_birthcountry", "rnipp_profile", "rnipp_birth", "amr"}

var fcScopeOrder = []string{"openid", "profile", "birth", "identite_pivot", "gender", "birthdate",
	"birthcountry", "birthplace", "given_name", "family_name", "email", "preferred_username",
	"idp_birthdate", "idp_id", "amr"}

// scopeTable returns the scope → claims table of p.
func scopeTable(p Platform) map[string][]string {
	switch p {
	case FranceConnect:
		return fcScopes
	case ProConnect:
		return pcScopes
	}
	return fcPlusScopes
}

// knownScopes returns scopes_supported for p; ProConnect has no data
// provider scopes.
func knownScopes(p Platform) []string {
	switch p {
	case FranceConnect:
		return slices.Concat(fcScopeOrder, dataProviderScopes, fcDataProviderScopes)
	case ProConnect:
		return slices.Clone(pcScopeOrder)
	}
	return slices.Concat(fcPlusScopeOrder, dataProviderScopes)
}

// knownClaims returns claims_supported for p (spec §2).
func knownClaims(p Platform) []string {
	if p == ProConnect {
		return slices.Clone(pcClaims)
	}
	if p == FranceConnect {
		return []string{"sub", "given_name", "given_name_array", "family_name", "birthdate", "gender",
			"preferred_username", "birthplace", "birthcountry", "email", "idp_birthdate", "idp_id",
			"amr", "acr", "auth_time", "iss"}
	}
	return []string{"sub", "given_name", "family_name", "birthdate", "gender", "preferred_username",
		"birthplace", "birthcountry", "email", "rnipp_gender", "rnipp_family_name", "rnipp_given_name",
		"rnipp_given_name_array", "rnipp_birthdate", "rnipp_birthplace", "rnipp_birthcountry", "amr",
		"acr", "sid", "auth_time", "iss"}
}

// claimsForScopes returns the set of userinfo claims granted by scopes.
func claimsForScopes(scopes []string, p Platform) map[string]bool {
	table := scopeTable(p)
	out := make(map[string]bool)
	for _, s := range scopes {
		for _, c := range table[s] {
			out[c] = true
		}
	}
	return out
}

// identityClaim returns the value of claim for id, and false when the
// identity provider has no value (email, usage name).
func identityClaim(id Person, claim string, p Platform) (any, bool) {
	switch strings.TrimPrefix(claim, "rnipp_") {
	case "given_name":
		return id.GivenName, true
	case "given_name_array":
		return strings.Fields(id.GivenName), true
	case "family_name":
		return id.FamilyName, true
	case "birthdate", "idp_birthdate":
		return id.Birthdate, true
	case "gender":
		return id.Gender, true
	case "birthplace":
		return id.Birthplace, true
	case "birthcountry":
		return id.Birthcountry, true
	case "email":
		return id.Email, id.Email != ""
	case "preferred_username":
		return id.PreferredUsername, id.PreferredUsername != ""
	case "idp_id":
		return demoIDPID, true
	case "amr":
		return identityAMR(id, p), true
	}
	return nil, false
}

// demoIDPID is the UID of the emulator's only identity provider (idp_id claim).
const demoIDPID = "fctest-idp"
