//! The habilitation requests' part of the OpenAPI document (`/api/v1/caisse/demandes`, the cap, lost
//! credentials, the directory of extranautes), added by [`super::openapi::document`].

use super::openapi::{corps_json, erreurs_communes, probleme, reponses};
use super::openapi_caisse::{ajouter, erreurs_acte_sensible, erreurs_personnel, json_de, schema};
use partage_app::habilitations::RefusHabilitation;
use serde_json::{json, Value};

fn id() -> Value {
    json!([{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } }])
}

/// The role's errors, plus the refusals of an act on a request: unknown request (404), a step its state
/// forbids or a concurrent change (409), a bad form (422).
/// The optional body choosing how new credentials are delivered (HB-3, HB-6).
fn remise() -> Value {
    json!({
        "required": false,
        "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Remise" } } }
    })
}

fn erreurs_demande(conflits: &[&str], invalides: &[&str]) -> Vec<(&'static str, Value)> {
    let mut v = erreurs_personnel("habilitation");
    v.push((
        "404",
        probleme(
            "Demande, partenaire, convention ou agent inconnus dans la caisse.",
            &[
                "demande_inconnue",
                "partenaire_inconnu",
                "convention_inconnue",
                "utilisateur_inconnu",
            ],
        ),
    ));
    let mut c = vec![
        "etat_incompatible",
        "horodatage_anterieur",
        "modification_concurrente",
    ];
    c.extend_from_slice(conflits);
    v.push((
        "409",
        probleme("Refusé par l'état de la demande ; rien n'est écrit.", &c),
    ));
    if !invalides.is_empty() {
        v.push((
            "422",
            probleme("Formulaire refusé ; rien n'est écrit.", invalides),
        ));
    }
    v
}

const FORMULAIRE_INVALIDE: &[&str] = &[
    "champ_obligatoire",
    "email_invalide",
    "signature_requise",
    "signature_posterieure",
    "profil_inconnu",
    "bouquet_non_ouvert",
    "utilisateur_requis",
    "circonscription_requise",
    "circonscription_hors_bouquet",
    "circonscription_hors_partenaire",
];

fn acte(operation: &str, resume: &str, corps: Option<&str>, invalides: &[&str]) -> Value {
    let mut op = json!({
        "operationId": operation,
        "summary": resume,
        "tags": ["caisse"],
        "parameters": id(),
        "responses": reponses(
            ("200", json_de("La demande après l'étape, avec son historique.", "Demande")),
            erreurs_demande(&[], invalides)
        )
    });
    if let Some(corps) = corps {
        op["requestBody"] = corps_json(corps);
    }
    op
}

pub(crate) fn documenter(doc: &mut Value) {
    let texte = json!({ "type": "string" });
    let texte_ou_null = json!({ "type": ["string", "null"] });
    let paths = json!({
        "/api/v1/caisse/demandes": {
            "post": {
                "operationId": "enregistrerDemande",
                "summary": "Enregistrer le formulaire signé d'un partenaire : accès, modification ou suppression (HB-1, rôle habilitation)",
                "description": "Aucune inscription directe : l'agent habilité de la caisse saisit le formulaire signé par le \
                    représentant du partenaire. Avec la signature, la demande est soumise aussitôt ; sans, elle reste \
                    un brouillon. La convention doit être celle du partenaire, ne pas avoir pris fin et ouvrir le \
                    bouquet ; le profil doit être l'un de ceux du bouquet (RSACG : 1 à 6 ; QF, PSU, MCP : aucun) ; une demande \
                    RSACG désigne les circonscriptions de l'agent, parmi celles du partenaire (CO-3).",
                "tags": ["caisse"],
                "requestBody": corps_json("FormulaireDemande"),
                "responses": reponses(
                    ("201", json_de("Demande enregistrée.", "Demande")),
                    erreurs_demande(&[], FORMULAIRE_INVALIDE)
                )
            },
            "get": {
                "operationId": "listerDemandes",
                "summary": "Les demandes de la caisse, les plus récentes d'abord (rôle habilitation)",
                "tags": ["caisse"],
                "parameters": [
                    { "name": "etat", "in": "query", "schema": { "type": "string",
                        "enum": ["brouillon", "soumise", "a_completer", "accordee", "refusee", "faite"] } },
                    { "name": "partenaire", "in": "query", "schema": { "type": "string" }, "description": "N° tiers." }
                ],
                "responses": reponses(
                    ("200", json!({ "description": "Les demandes.",
                        "content": { "application/json": { "schema": { "type": "array", "items": schema("Demande") } } } })),
                    erreurs_personnel("habilitation")
                )
            }
        },
        "/api/v1/caisse/demandes/{id}": {
            "get": {
                "operationId": "demandeDetail",
                "summary": "Une demande et son historique : qui, quand, pourquoi (HB-5, rôle habilitation)",
                "tags": ["caisse"],
                "parameters": id(),
                "responses": reponses(
                    ("200", json_de("La demande.", "Demande")),
                    erreurs_demande(&[], &[])
                )
            }
        },
        "/api/v1/caisse/demandes/{id}/soumettre": {
            "post": acte("soumettreDemande", "Le formulaire signé arrive à la caisse (brouillon ou demande à compléter)",
                Some("Soumission"), &["champ_obligatoire", "email_invalide", "signature_requise", "signature_posterieure"])
        },
        "/api/v1/caisse/demandes/{id}/a-completer": {
            "post": acte("demanderComplements", "Renvoyer la demande au partenaire avec ce qu'il faut compléter",
                Some("Motif"), &["motif_requis"])
        },
        "/api/v1/caisse/demandes/{id}/refuser": {
            "post": acte("refuserDemande", "Refuser la demande, avec son motif", Some("Motif"), &["motif_requis"])
        },
        "/api/v1/caisse/demandes/{id}/accorder": {
            "post": {
                "operationId": "accorderDemande",
                "summary": "Accorder la demande et l'exécuter aussitôt : « Fait » (HB-2, HB-3, HB-5, HB-7, HB-10)",
                "description": "En une transaction : un accès crée l'agent (identifiant produit depuis ses prénom et nom, \
                    unique dans la caisse) avec son habilitation. Ses identifiants lui parviennent selon `remise` : \
                    `lien` (défaut, corps vide accepté) lui envoie par courriel son identifiant et un lien d'activation \
                    à usage unique valable 24 heures, la réponse ne donnant que son adresse masquée ; `pli` rend ici, \
                    une seule fois, un mot de passe provisoire à changer à la première connexion, pour la remise sous \
                    pli. Ni le lien ni le mot de passe ne sont conservés en clair ni n'apparaissent dans une trace. Une modification change l'agent et son profil ; une suppression \
                    retire l'habilitation, désactive l'agent qui n'en a plus et ferme aussitôt ses sessions. Au-delà \
                    du plafond de la convention : 409 `plafond_atteint`.",
                "tags": ["caisse"],
                "parameters": id(),
                "requestBody": remise(),
                "responses": reponses(
                    ("200", json_de("La demande faite, et les identifiants d'un nouvel agent.", "DemandeAccordee")),
                    {
                        // A grant is a sensitive act: the 403 also says the password must be fresh (AU-4).
                        let mut v = erreurs_demande(&["plafond_atteint", "habilitation_absente", "convention_terminee"], &["profil_inconnu", "bouquet_non_ouvert", "circonscription_requise", "circonscription_hors_bouquet", "circonscription_hors_partenaire"]);
                        v.retain(|(s, _)| *s != "403");
                        v.extend(erreurs_acte_sensible("habilitation").into_iter().filter(|(s, _)| *s == "403"));
                        v
                    }
                )
            }
        },
        "/api/v1/caisse/conventions/{numero}/plafond": {
            "put": {
                "operationId": "fixerPlafond",
                "summary": "Fixer ou retirer (null) le nombre maximal d'habilitations d'une convention (HB-7, rôle conventions)",
                "tags": ["caisse"],
                "parameters": [{ "name": "numero", "in": "path", "required": true, "schema": { "type": "string" } }],
                "requestBody": corps_json("Plafond"),
                "responses": reponses(
                    ("204", json!({ "description": "Plafond enregistré." })),
                    {
                        let mut v = erreurs_personnel("conventions");
                        v.push(("404", probleme("Aucune convention de ce numéro dans la caisse.", &["introuvable"])));
                        v
                    }
                )
            }
        },
        "/api/v1/caisse/utilisateurs/{identifiant}/reinitialisation": {
            "post": {
                "operationId": "reinitialiserIdentifiants",
                "summary": "Identifiants perdus ou volés : nouveau lien d'activation ou mot de passe provisoire (HB-6, rôle habilitation)",
                "description": "L'ancien mot de passe cesse aussitôt de fonctionner, toutes les sessions de l'agent sont \
                    fermées et ses liens d'activation non utilisés sont annulés. Selon `remise` : `lien` (défaut, corps \
                    vide accepté) lui envoie un nouveau lien d'activation par courriel ; `pli` rend ici, une fois, un \
                    mot de passe provisoire à changer à la connexion suivante.",
                "tags": ["caisse"],
                "parameters": [{ "name": "identifiant", "in": "path", "required": true, "schema": { "type": "string" } }],
                "requestBody": remise(),
                "responses": reponses(
                    ("200", json_de("Les nouveaux identifiants : adresse du lien envoyé, ou mot de passe à remettre sous pli.", "Identifiants")),
                    {
                        let mut v = erreurs_acte_sensible("habilitation");
                        v.push(("404", probleme("Aucun agent de cet identifiant dans la caisse.", &["utilisateur_inconnu"])));
                        v
                    }
                )
            }
        },
        "/api/v1/caisse/conventions/{numero}/gestion": {
            "put": {
                "operationId": "fixerGestion",
                "summary": "Gestion déléguée ou centralisée d'une convention (CV-12, rôle conventions)",
                "description": "`deleguee` : le gestionnaire principal et le suppléant du partenaire gèrent eux-mêmes les \
                    habilitations de leur organisme ; `centralisee` : la caisse seule les accorde, sur demande signée ; \
                    `null` : le défaut du régime (déléguée pour une CAF, centralisée pour une MSA). La caisse reprend \
                    la délégation à tout moment.",
                "tags": ["caisse"],
                "parameters": [{ "name": "numero", "in": "path", "required": true, "schema": { "type": "string" } }],
                "requestBody": corps_json("Gestion"),
                "responses": reponses(
                    ("204", json!({ "description": "Mode enregistré." })),
                    {
                        let mut v = erreurs_acte_sensible("conventions");
                        v.push(("404", probleme("Aucune convention de ce numéro dans la caisse.", &["introuvable"])));
                        v
                    }
                )
            }
        },
        "/api/v1/caisse/utilisateurs/{identifiant}/administrateur": {
            "put": {
                "operationId": "designerAdministrateur",
                "summary": "Désigner le gestionnaire principal ou suppléant d'un partenaire (HB-9, rôle habilitation)",
                "tags": ["caisse"],
                "parameters": [{ "name": "identifiant", "in": "path", "required": true, "schema": { "type": "string" } }],
                "requestBody": corps_json("Administrateur"),
                "responses": reponses(
                    ("204", json!({ "description": "Enregistré." })),
                    {
                        let mut v = erreurs_acte_sensible("habilitation");
                        v.push(("404", probleme("Aucun agent de cet identifiant dans la caisse.", &["utilisateur_inconnu"])));
                        v.push((
                            "409",
                            probleme(
                                "Un autre agent du partenaire tient déjà ce rôle : un seul principal et un seul \
                                 suppléant par partenaire (003 art. 9.1).",
                                &["role_deja_tenu"],
                            ),
                        ));
                        v
                    }
                )
            }
        },
        "/api/v1/gestion/habilitations": {
            "post": {
                "operationId": "gererHabilitation",
                "summary": "Gestion déléguée : le gestionnaire du partenaire crée, modifie, suspend, réactive ou supprime une habilitation de son organisme (HB-9)",
                "description": "Réservé au gestionnaire principal et au suppléant désignés par la caisse, connectés comme \
                    utilisateurs nommés (`POST /api/v1/session`), sur une convention de leur propre organisme en \
                    gestion déléguée. Le partenaire est celui de la session : aucun autre organisme ne peut être \
                    nommé. Les habilitations d'un gestionnaire ne sont modifiées que par la caisse. Mêmes règles que \
                    pour la caisse : profils du bouquet (HB-4), plafond (HB-7), mot de passe provisoire montré une \
                    fois. Une habilitation suspendue (`suspension`) reste détenue et compte dans le plafond, mais \
                    ne donne plus rien : une consultation par elle est refusée aussitôt, comme sans habilitation, \
                    jusqu'à sa réactivation (`reactivation`). Chaque tentative est tracée au nom du gestionnaire et \
                    de son organisme.",
                "tags": ["gestion"],
                "requestBody": corps_json("ActeDelegue"),
                "responses": reponses(
                    ("201", json_de("Agent créé ; son mot de passe provisoire n'est montré qu'ici.", "ActeDelegueFait")),
                    {
                        let mut v = erreurs_communes(true);
                        v.push(("200", json_de("Habilitation modifiée, suspendue, réactivée ou supprimée.", "ActeDelegueFait")));
                        v.push(("403", probleme(
                            "Mot de passe provisoire à changer, pas gestionnaire de l'organisme, convention en gestion centralisée, ou habilitations d'un gestionnaire.",
                            &["changement_mot_de_passe_requis", "administrateur_requis", "gestion_centralisee", "administrateur_protege"],
                        )));
                        v.push(("404", probleme("Convention ou agent inconnus dans l'organisme.", &["convention_inconnue", "utilisateur_inconnu"])));
                        v.push(("409", probleme("Refusé ; rien n'est écrit.", &["plafond_atteint", "habilitation_absente", "convention_terminee", "deja_suspendue", "non_suspendue"])));
                        v.push(("422", probleme("Formulaire refusé ; rien n'est écrit.", FORMULAIRE_INVALIDE)));
                        v
                    }
                )
            }
        },
        "/api/v1/caisse/extranautes": {
            "get": {
                "operationId": "annuaireExtranautes",
                "summary": "L'annuaire des extranautes : les partenaires et leurs agents habilités, par bouquet (HB-2)",
                "tags": ["caisse"],
                "parameters": [
                    { "name": "bouquet", "in": "query", "required": true, "schema": { "type": "string", "enum": codes_bouquets() } },
                    { "name": "departement", "in": "query", "schema": { "type": "string" }, "description": "Pour RSACG : les partenaires compétents dans ce département." }
                ],
                "responses": reponses(
                    ("200", json!({ "description": "Par N° tiers, puis identifiant.",
                        "content": { "application/json": { "schema": { "type": "array", "items": schema("PartenaireExtranautes") } } } })),
                    erreurs_personnel("habilitation")
                )
            }
        }
    });
    let agent = json!({
        "civilite": texte_ou_null, "nom": texte, "prenom": texte, "service": texte_ou_null,
        "adresse_service": texte_ou_null, "fonction": texte_ou_null,
        "profil": { "type": ["string", "null"], "description": "RSACG : 1 à 6 (002 art. 4) ; aucun pour QF, PSU et MCP." },
        "email": { "type": "string", "format": "email" },
        "circonscriptions": { "type": "array", "items": { "type": "string" },
            "description": "RSACG seulement, obligatoire : une ou plusieurs circonscriptions du partenaire \
                (DÉPARTEMENT/CODE, par exemple 06/NICE-EST) ; l'agent n'atteint que leurs dossiers (CO-3). \
                Absent pour les autres bouquets." }
    });
    let signature = json!({
        "signataire": { "type": "string", "description": "Le représentant du partenaire qui signe." },
        "fonction_signataire": texte,
        "signee_le": { "type": "string", "format": "date" }
    });
    let mut formulaire = json!({
        "nature": { "type": "string", "enum": ["acces", "modification", "suppression"] },
        "partenaire": { "type": "string", "description": "N° tiers." },
        "convention": texte, "bouquet": { "type": "string", "enum": codes_bouquets() },
        "utilisateur": { "type": ["string", "null"], "description": "L'agent concerné par une modification ou une suppression." }
    });
    let mut soumission = signature.clone();
    for (k, v) in agent.as_object().into_iter().flatten() {
        formulaire[k] = v.clone();
        soumission[k] = v.clone();
    }
    for (k, v) in signature.as_object().into_iter().flatten() {
        formulaire[k] = v.clone();
    }
    let natures_actes = json!({ "type": "string",
        "enum": ["acces", "modification", "suppression", "suspension", "reactivation"] });
    let mut acte_delegue = json!({
        "nature": natures_actes,
        "convention": texte, "bouquet": { "type": "string", "enum": codes_bouquets() },
        "utilisateur": { "type": ["string", "null"], "description": "L'agent concerné par tout acte autre qu'un accès." }
    });
    for (k, v) in agent.as_object().into_iter().flatten() {
        acte_delegue[k] = v.clone();
    }
    let schemas = json!({
        "FormulaireDemande": {
            "type": "object", "additionalProperties": false,
            "required": ["nature", "partenaire", "convention", "bouquet", "nom", "prenom", "email"],
            "properties": formulaire
        },
        "Soumission": {
            "type": "object", "additionalProperties": false,
            "required": ["signataire", "fonction_signataire", "signee_le"],
            "description": "La signature ; avec nom, prénom et email, les coordonnées corrigées de l'agent.",
            "properties": soumission
        },
        "Motif": {
            "type": "object", "additionalProperties": false, "required": ["motif"],
            "properties": { "motif": texte }
        },
        "Plafond": {
            "type": "object", "additionalProperties": false, "required": ["plafond"],
            "properties": { "plafond": { "type": ["integer", "null"], "minimum": 0, "maximum": 100000 } }
        },
        "Demande": {
            "type": "object",
            "required": ["id", "nature", "etat", "faite", "partenaire", "convention", "bouquet", "utilisateur",
                "agent", "signature", "saisie_par", "historique"],
            "properties": {
                "id": { "type": "integer" },
                "nature": { "type": "string", "enum": ["acces", "modification", "suppression"] },
                "etat": { "type": "string", "enum": ["brouillon", "soumise", "a_completer", "accordee", "refusee", "faite"] },
                "faite": { "type": "boolean", "description": "« Fait, réservé à la MSA » (HB-5)." },
                "partenaire": texte, "convention": texte, "bouquet": texte,
                "utilisateur": texte_ou_null,
                "agent": { "type": "object", "properties": agent },
                "signature": { "type": ["object", "null"], "description": "signataire, fonction, le." },
                "saisie_par": { "type": "string", "description": "L'agent de la caisse qui a saisi le formulaire." },
                "historique": { "type": "array", "items": { "type": "object",
                    "description": "etat, par ({cote: partenaire|caisse, identifiant}), le, motif." } }
            }
        },
        "Identifiants": {
            "oneOf": [
                {
                    "type": "object", "additionalProperties": false,
                    "required": ["identifiant", "remis", "courriel"],
                    "description": "Lien d'activation envoyé par courriel à l'agent.",
                    "properties": {
                        "identifiant": texte,
                        "remis": { "type": "string", "enum": ["lien"] },
                        "courriel": { "type": "string", "description": "L'adresse de l'agent, masquée (a***@exemple.fr)." }
                    }
                },
                {
                    "type": "object", "additionalProperties": false,
                    "required": ["identifiant", "remis", "mot_de_passe_provisoire"],
                    "description": "Mot de passe provisoire pour un pli scellé, montré cette seule fois.",
                    "properties": {
                        "identifiant": texte,
                        "remis": { "type": "string", "enum": ["pli"] },
                        "mot_de_passe_provisoire": { "type": "string", "format": "password" }
                    }
                }
            ]
        },
        "Remise": {
            "type": "object", "additionalProperties": false,
            "properties": {
                "remise": { "type": ["string", "null"], "enum": ["lien", "pli", null],
                    "description": "`lien` (défaut) : lien d'activation par courriel ; `pli` : mot de passe provisoire montré une fois." }
            }
        },
        "DemandeAccordee": {
            "type": "object", "required": ["demande", "identifiants"],
            "properties": {
                "demande": schema("Demande"),
                "identifiants": { "oneOf": [schema("Identifiants"), { "type": "null" }],
                    "description": "Pour un accès seulement ; montrés cette seule fois." }
            }
        },
        "Gestion": {
            "type": "object", "additionalProperties": false, "required": ["gestion"],
            "properties": { "gestion": { "type": ["string", "null"], "enum": ["centralisee", "deleguee", null] } }
        },
        "Administrateur": {
            "type": "object", "additionalProperties": false, "required": ["administrateur"],
            "properties": { "administrateur": { "type": ["string", "null"], "enum": ["principal", "suppleant", null] } }
        },
        "ActeDelegue": {
            "type": "object", "additionalProperties": false,
            "required": ["nature", "convention", "bouquet"],
            "description": "Pour un accès ou une modification : les coordonnées de l'agent (nom, prénom, email au moins). \
                Pour une suppression, une suspension ou une réactivation : `utilisateur` seulement.",
            "properties": acte_delegue
        },
        "ActeDelegueFait": {
            "type": "object", "required": ["nature", "identifiant", "mot_de_passe_provisoire"],
            "properties": {
                "nature": natures_actes,
                "identifiant": texte,
                "mot_de_passe_provisoire": { "type": ["string", "null"], "format": "password" }
            }
        },
        "PartenaireExtranautes": {
            "type": "object",
            "required": ["numero_tiers", "nom", "departements", "agents"],
            "properties": {
                "numero_tiers": texte, "nom": texte,
                "departements": { "type": "array", "items": texte },
                "agents": { "type": "array", "items": { "type": "object",
                    "description": "identifiant, civilite, nom, prenom, email, service, fonction, profil, convention, actif, suspendue (HB-9 : détenue mais sans effet)." } }
            }
        }
    });
    ajouter(doc, "paths", paths);
    // The refusals' stable codes, from their one list in the application.
    if let Some(Value::Array(codes)) = doc.pointer_mut("/components/schemas/Probleme/properties/code/enum") {
        codes.extend(RefusHabilitation::CODES.iter().map(|c| json!(c)));
    }
    if let Some(components) = doc.get_mut("components") {
        ajouter(components, "schemas", schemas);
    }
}

/// Every bouquet code, from the domain's list: a new bouquet is documented without a second edit here.
fn codes_bouquets() -> Vec<&'static str> {
    partage_domain::Bouquet::ALL.iter().map(|b| b.code()).collect()
}
