package franceconnect

import (
	"fmt"
	"slices"
	"strings"

	"github.com/go-franceconnect/franceconnect/internal/wire"
)

// Scopes are checked in two steps. Offline (New before any request, and
// ConfigFromEnv): the syntax, openid, no repetition, and the two rules the
// platform's discovery document cannot tell: an identity scope of another
// platform (rnipp_* is FranceConnect+'s, usual_name ProConnect's), and a
// near miss of one of the platform's identity scopes ("identite_pivo").
// Online (New, once discovery answered): every scope must be among the
// scopes_supported the provider publishes, the authority on the data-provider
// scopes, which the platforms add to over time (spec §9.4).
var (
	// identityScopesFCPlus are FranceConnect+'s identity scopes (spec §9.1).
	identityScopesFCPlus = []string{"openid", "given_name", "family_name", "birthdate", "gender", "birthplace",
		"birthcountry", "email", "preferred_username", "profile", "birth", "identite_pivot", "rnipp_given_name",
		"rnipp_family_name", "rnipp_gender", "rnipp_birthdate", "rnipp_birthplace", "rnipp_birthcountry",
		"rnipp_profile", "rnipp_birth", "rnipp_identite_pivot", "amr"}
	// identityScopesFC are FranceConnect v2's identity scopes (spec §9.2).
	identityScopesFC = []string{"openid", "given_name", "family_name", "birthdate", "gender", "birthplace",
		"birthcountry", "email", "preferred_username", "profile", "birth", "identite_pivot", "idp_birthdate",
		"idp_id", "amr"}
	// providerScopesFCPlus are the data-provider scopes both platforms
	// published when this version was released: DGFiP, CNAM, CNOUS (spec
	// §9.4; the FranceConnect sandbox's discovery, testdata/recorded/).
	providerScopesFCPlus = []string{"dgfip_rfr", "dgfip_annee_n_moins_1", "dgfip_annee_n_moins_2",
		"dgfip_annee_n_moins_3", "dgfip_nbpart", "dgfip_sitfam", "dgfip_aft", "dgfip_nbpac", "dgfip_inddeficit",
		"dgfip_pariso", "dgfip_decl", "dgfip_pac", "dgfip_locaux_th", "dgfip_nmUsaDec1", "dgfip_nmNaiDec1",
		"dgfip_prnmDec1", "dgfip_dateNaisDec1", "dgfip_nmUsaDec2", "dgfip_nmNaiDec2", "dgfip_prnmDec2",
		"dgfip_dateNaisDec2", "dgfip_locaux_th_ident", "dgfip_locaux_th_Nat", "dgfip_locaux_th_Tax",
		"dgfip_locaux_th_Aff", "dgfip_pac_nbPac", "dgfip_mntRevbareme", "dgfip_indiIFI", "dgfip_RevDecl_Cat1_Tspr",
		"dgfip_RevDecl_Cat1_RentOn", "dgfip_RevDecl_Cat2_Rcm", "dgfip_RevDecl_Cat3_PMV", "dgfip_RevDecl_Cat4_Ref",
		"dgfip_RevDecl_Cat5_NonSal", "dgfip_RevNets_Cat1_Tspr", "dgfip_RevNets_Cat1_RentOn", "dgfip_RevNets_Cat2_Rcm",
		"dgfip_RevNets_Cat3_PMV", "dgfip_RevNets_Cat4_Ref", "dgfip_RevNets_Cat5_NonSal", "dgfip_PaDeduc_EnfMaj",
		"dgfip_PaDeduc_Autres", "dgfip_EpargRetrDeduc", "dgfip_annee_n_moins_2_si_indispo_n_moins_1",
		"droits_assurance_maladie", "cnam_beneficiaires", "cnam_contrats", "cnam_caisse", "cnam_exonerations",
		"cnam_medecin_traitant", "cnam_presence_medecin_traitant", "cnam_paiements_ij", "cnous_statut_boursier",
		"cnous_echelon_bourse", "cnous_email", "cnous_periode_versement", "cnous_statut_bourse",
		"cnous_ville_etudes", "cnous_identite"}
	// providerScopesFC are the data-provider scopes only FranceConnect v2
	// offers: MESRI, Ministry of the Interior, France Travail, CNAF-MSA, DSS,
	// DSNJ, ANTS, Service civique (spec §9.4).
	providerScopesFC = []string{"mesri_identite", "mesri_admissions", "mesri_admission_inscrit",
		"mesri_admission_regime_formation", "mesri_admission_commune_etudes", "mesri_admission_etablissement_etude",
		"mi_siv_carte_grise", "api_fc-liste-paiementsv1", "api_fc-statutaugmentev1", "allocation_adulte_handicape",
		"allocation_soutien_familial", "prime_activite", "prime_activite_majoration", "cnaf_quotient_familial",
		"cnaf_allocataires", "cnaf_enfants", "cnaf_adresse", "revenu_solidarite_active",
		"revenu_solidarite_active_majoration", "complementaire_sante_solidaire", "dsnj_statut_service_national",
		"ants_extrait_immatriculation_vehicule_identite_particulier",
		"ants_extrait_immatriculation_vehicule_adresse_particulier",
		"ants_extrait_immatriculation_vehicule_statut_rattachement",
		"ants_extrait_immatriculation_vehicule_donnees_immatriculation_vehicule",
		"ants_extrait_immatriculation_vehicule_caracteristiques_techniques_vehicule",
		"gip_mds_service_civique_statut_actuel", "gip_mds_service_civique_statut_passe",
		"gip_mds_service_civique_organisme_accueil", "gip_mds_service_civique_dates"}
)

// Scopes returns the scopes the platform published when this version of the
// package was released, identity scopes first. It is a reference, not a
// rule: New checks the requested scopes against the scopes_supported of the
// provider's discovery document, which lists data-provider scopes added
// since.
func (p Platform) Scopes() []string {
	if p == ProConnect {
		return slices.Clone(scopesProConnect)
	}
	if p == FranceConnect {
		return slices.Concat(identityScopesFC, providerScopesFCPlus, providerScopesFC)
	}
	return slices.Concat(identityScopesFCPlus, providerScopesFCPlus)
}

// checkScopes checks a scope list offline: openid included, each scope a
// scope token, none repeated, none an identity scope of another platform or
// a near miss of one of the platform's identity scopes.
func (p Platform) checkScopes(scopes []string) error {
	if len(scopes) == 0 {
		return fmt.Errorf("none given: at least \"openid\", with the scopes your Datapass grants")
	}
	for i, s := range scopes {
		switch {
		case strings.Contains(s, ","):
			return fmt.Errorf("%q holds a comma: scopes are separate values (space-separated in FC_SCOPES)", s)
		case !wire.IsScopeToken(s):
			return fmt.Errorf("%q is not a scope (no spaces, quotes or backslashes)", s)
		case slices.Contains(scopes[:i], s):
			return fmt.Errorf("%q appears twice", s)
		}
		if err := p.checkIdentityScope(s); err != nil {
			return err
		}
	}
	if !slices.Contains(scopes, "openid") {
		return fmt.Errorf("must include \"openid\"")
	}
	return nil
}

// checkIdentityScope refuses what discovery cannot tell before it is
// reachable: an identity scope of another platform, and a near miss of one
// of the platform's own identity scopes, which would make the platform
// answer invalid_scope for every user.
func (p Platform) checkIdentityScope(s string) error {
	own := p.identityScopes()
	if slices.Contains(own, s) {
		return nil
	}
	for _, other := range []Platform{FranceConnectPlus, FranceConnect, ProConnect} {
		if other != p && slices.Contains(other.identityScopes(), s) {
			return fmt.Errorf("%q is an identity scope of %v, not of %v (its identity scopes: %s)", s, other, p, strings.Join(own, " "))
		}
	}
	for _, known := range own {
		if nearMiss(s, known) {
			return fmt.Errorf("%q is not a scope of %v: did you mean %q?", s, p, known)
		}
	}
	return nil
}

// nearMiss reports whether s is a likely typo of known: the same but for
// letter case, or at most two edits away from a name of five letters or more.
func nearMiss(s, known string) bool {
	if strings.EqualFold(s, known) {
		return true
	}
	return len(known) >= 5 && editDistance(s, known) <= 2
}

// editDistance is the Levenshtein distance between a and b, bytes compared.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// checkPublished checks scopes against the scopes_supported of the
// discovery document, when it publishes some: the platform answers
// invalid_scope for every user to a scope it does not know.
func checkPublished(p Platform, scopes, published []string) error {
	if len(published) == 0 {
		return nil
	}
	var unknown []string
	for _, s := range scopes {
		if !slices.Contains(published, s) {
			unknown = append(unknown, s)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	return fmt.Errorf("%q not among the scopes %v publishes (scopes_supported of its discovery document), "+
		"which would answer invalid_scope for every user; it publishes %s", unknown, p, shortList(published))
}

// maxListed bounds the scopes an error message lists: a provider's list is
// not ours to print whole.
const maxListed = 150

// shortList joins at most maxListed scopes.
func shortList(scopes []string) string {
	if len(scopes) <= maxListed {
		return strings.Join(scopes, " ")
	}
	return fmt.Sprintf("%s … and %d more", strings.Join(scopes[:maxListed], " "), len(scopes)-maxListed)
}

func (p Platform) identityScopes() []string {
	if p == ProConnect {
		return scopesProConnect
	}
	if p == FranceConnect {
		return identityScopesFC
	}
	return identityScopesFCPlus
}
