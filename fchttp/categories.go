package fchttp

import (
	"errors"

	"github.com/go-franceconnect/franceconnect"
)

// category is an error category and its French explanation.
type category struct {
	err        error
	name, text string
}

// categories lists the sentinels an error page names, most specific first.
var categories = []category{
	{ErrLoginExpired, "ErrLoginExpired", "la demande de connexion a expiré"},
	{ErrLoginNotFound, "ErrLoginNotFound", "aucune connexion n'est en cours dans ce navigateur"},
	{ErrLoginMismatch, "ErrLoginMismatch", "la réponse correspond à une autre demande de connexion"},
	{ErrLoginUsed, "ErrLoginUsed", "la réponse a déjà été utilisée"},
	{ErrCrossOrigin, "ErrCrossOrigin", "le formulaire a été envoyé depuis un autre site"},
	{ErrSessionTooLarge, "ErrSessionTooLarge", "la session dépasse la taille permise"},
	{ErrStore, "ErrStore", "le stockage des sessions ne répond pas"},
	{ErrApplication, "ErrApplication", "le service a refusé la connexion ou a échoué"},
	{ErrNoSharedState, "ErrNoSharedState", "le service ne peut pas fermer les sessions des autres appareils"},
	{franceconnect.ErrStateMismatch, "ErrStateMismatch", "l'état de la requête ne correspond pas à celui de votre session"},
	{franceconnect.ErrIssuerMismatch, "ErrIssuerMismatch", "la réponse ne vient pas du fournisseur attendu"},
	{franceconnect.ErrInvalidCallback, "ErrInvalidCallback", "la réponse du fournisseur est incomplète"},
	{franceconnect.ErrLevelOutsidePolicy, "ErrLevelOutsidePolicy", "le niveau demandé est inférieur à celui qu'exige le service ou n'en fait pas partie"},
	{franceconnect.ErrInvalidRequest, "ErrInvalidRequest", "la requête préparée par le service est invalide"},
	{franceconnect.ErrAgentRefused, "ErrAgentRefused", "la politique d'accès du service n'admet pas cet agent"},
	{franceconnect.ErrSubjectMismatch, "ErrSubjectMismatch", "la réponse décrit une autre personne que celle attendue"},
	{franceconnect.ErrNonceMismatch, "ErrNonceMismatch", "le nonce du jeton ne correspond pas à celui de votre session"},
	{franceconnect.ErrStaleAuthentication, "ErrStaleAuthentication", "l'authentification demandée n'a pas été renouvelée"},
	{franceconnect.ErrACRTooLow, "ErrACRTooLow", "niveau eIDAS inférieur au niveau demandé"},
	{franceconnect.ErrACRNotAccepted, "ErrACRNotAccepted", "niveau d'authentification absent des niveaux acceptés par le service"},
	{franceconnect.ErrInteractionRequired, "ErrInteractionRequired", "la connexion sans interaction demande l'intervention de l'utilisateur"},
	{franceconnect.ErrUnknownACR, "ErrUnknownACR", "niveau eIDAS absent ou inconnu"},
	{franceconnect.ErrInvalidAudience, "ErrInvalidAudience", "le jeton est destiné à un autre service"},
	{franceconnect.ErrExpired, "ErrExpired", "le jeton a expiré"},
	{franceconnect.ErrIssuedInFuture, "ErrIssuedInFuture", "le jeton est daté du futur"},
	{franceconnect.ErrMissingClaim, "ErrMissingClaim", "une donnée obligatoire manque"},
	{franceconnect.ErrUnencrypted, "ErrUnencrypted", "le jeton n'est pas chiffré"},
	{franceconnect.ErrDecryption, "ErrDecryption", "le jeton ne peut pas être déchiffré"},
	{franceconnect.ErrSignature, "ErrSignature", "la signature du jeton est invalide"},
	{franceconnect.ErrAlgorithm, "ErrAlgorithm", "algorithme cryptographique refusé"},
	{franceconnect.ErrUnknownKey, "ErrUnknownKey", "clé inconnue"},
	{franceconnect.ErrKeyMismatch, "ErrKeyMismatch", "clé inadaptée à l'algorithme"},
	{franceconnect.ErrMalformedToken, "ErrMalformedToken", "jeton mal formé"},
	{franceconnect.ErrInvalidIDToken, "ErrInvalidIDToken", "l'id_token a été refusé"},
	{franceconnect.ErrInvalidUserInfo, "ErrInvalidUserInfo", "le userinfo a été refusé"},
	{franceconnect.ErrExchange, "ErrExchange", "l'échange du code d'autorisation a échoué"},
	{franceconnect.ErrRevocation, "ErrRevocation", "la révocation du jeton a échoué"},
	{franceconnect.ErrProviderKeys, "ErrProviderKeys", "les clés du fournisseur sont indisponibles"},
	{franceconnect.ErrDiscovery, "ErrDiscovery", "le document de découverte est indisponible"},
	{franceconnect.ErrContentType, "ErrContentType", "type de contenu inattendu"},
	{franceconnect.ErrResponseTooLarge, "ErrResponseTooLarge", "réponse trop volumineuse"},
	{franceconnect.ErrHTTP, "ErrHTTP", "la requête HTTP vers le fournisseur a échoué"},
	{franceconnect.ErrConfig, "ErrConfig", "configuration invalide"},
}

// categoriesOf lists the categories err matches, a provider error first.
func categoriesOf(err error) []Category {
	var out []Category
	var pe *franceconnect.ProviderError
	if errors.As(err, &pe) {
		name := "ProviderError " + pe.Code
		if pe.FCCode != "" {
			name += " (" + pe.FCCode + ")"
		}
		text := "erreur renvoyée par le fournisseur"
		if pe.LevelUnreachable() {
			text = "aucun des niveaux acceptés par le service n'est accessible à ce compte"
		}
		out = append(out, Category{Name: name, Text: text})
	}
	for _, c := range categories {
		if errors.Is(err, c.err) {
			out = append(out, Category{Name: c.name, Text: c.text})
		}
	}
	return out
}
