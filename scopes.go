package franceconnect

import (
	"fmt"
	"slices"
	"strings"

	"github.com/go-franceconnect/franceconnect/internal/wire"
)

// Scopes each platform knows (spec §9, from the platform's scope tables):
// requesting another one makes FranceConnect answer invalid_scope for
// every user.
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
	// providerScopesFCPlus are the data-provider scopes of both platforms:
	// DGFiP, CNAM, CNOUS (spec §9.4).
	providerScopesFCPlus = []string{"dgfip_rfr", "dgfip_annee_n_moins_1", "dgfip_annee_n_moins_2",
		"dgfip_annee_n_moins_3", "dgfip_nbpart", "dgfip_sitfam", "dgfip_aft", "dgfip_nbpac", "dgfip_inddeficit",
		"dgfip_pariso", "dgfip_decl", "dgfip_pac", "dgfip_locaux_th", "dgfip_locaux_th_ident",
		"dgfip_annee_n_moins_2_si_indispo_n_moins_1", "droits_assurance_maladie", "cnam_beneficiaires",
		"cnam_contrats", "cnam_caisse", "cnam_exonerations", "cnam_medecin_traitant",
		"cnam_presence_medecin_traitant", "cnam_paiements_ij", "cnous_statut_boursier", "cnous_echelon_bourse",
		"cnous_email", "cnous_periode_versement", "cnous_statut_bourse", "cnous_ville_etudes", "cnous_identite"}
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

// Scopes returns the scopes the platform knows, identity scopes first.
func (p Platform) Scopes() []string {
	if p == ProConnect {
		return slices.Clone(scopesProConnect)
	}
	if p == FranceConnect {
		return slices.Concat(identityScopesFC, providerScopesFCPlus, providerScopesFC)
	}
	return slices.Concat(identityScopesFCPlus, providerScopesFCPlus)
}

// checkScopes checks a scope list for the platform: openid included, each
// scope one the platform knows, none repeated.
func (p Platform) checkScopes(scopes []string) error {
	if len(scopes) == 0 {
		return fmt.Errorf("none given: at least \"openid\", with the scopes your Datapass grants")
	}
	known := p.Scopes()
	var unknown []string
	for i, s := range scopes {
		switch {
		case strings.Contains(s, ","):
			return fmt.Errorf("%q holds a comma: scopes are separate values (space-separated in FC_SCOPES)", s)
		case !wire.IsScopeToken(s):
			return fmt.Errorf("%q is not a scope (no spaces, quotes or backslashes)", s)
		case slices.Contains(scopes[:i], s):
			return fmt.Errorf("%q appears twice", s)
		case !slices.Contains(known, s):
			unknown = append(unknown, s)
		}
	}
	if len(unknown) > 0 {
		return fmt.Errorf("%q unknown to %v, which would answer invalid_scope for every user; its scopes are %s "+
			"(and on FranceConnect the data-provider scopes of Platform.Scopes)", unknown, p, strings.Join(p.identityScopes(), " "))
	}
	if !slices.Contains(scopes, "openid") {
		return fmt.Errorf("must include \"openid\"")
	}
	return nil
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
