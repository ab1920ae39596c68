//! The OpenAPI 3.1 document of the API, written as data in one function.
//!
//! Why not derive it (utoipa): the answer types live in `partage-app` and `partage-domain`, which must not
//! depend on an HTTP documentation crate; deriving would mean mirroring each of them here as a second,
//! hand-kept type, which is the same duplication with less to read. Written as JSON, the document reads like
//! the contract it is; the insta snapshot makes every change a visible diff, and a test checks real answers
//! against these schemas so the two cannot drift apart silently.

use axum::Json;
use serde_json::{json, Value};

pub(crate) async fn servir() -> Json<Value> {
    Json(document())
}

/// Every error code the API answers (see `crate::error::ApiError`).
const CODES: &[&str] = &[
    "requete_invalide",
    "nir_invalide",
    "non_authentifie",
    "session_expiree",
    "changement_mot_de_passe_requis",
    "non_habilite",
    "opposition",
    "dossier_introuvable",
    "recherche_incomplete",
    "matricule_introuvable",
    "ressource_inconnue",
    "methode_non_autorisee",
    "requete_trop_volumineuse",
    "delai_depasse",
    "reauthentification_requise",
    "reauthentification_refusee",
    "double_facteur_requis",
    "code_totp_refuse",
    "mot_de_passe_refuse",
    "erreur_interne",
    "trop_de_requetes",
    "role_requis",
    "deja_existant",
    "introuvable",
    "transition_refusee",
    "avenant_refuse",
    "preuve_indisponible",
    "compte_suspendu",
    "service_ferme",
    "fiche_refusee",
    "lien_invalide",
    "agent_desactive",
    "plage_invalide",
    "bareme_refuse",
];

/// A problem answer whose `code` is one of `codes`.
pub(crate) fn probleme(description: &str, codes: &[&str]) -> Value {
    let liste: Vec<String> = codes.iter().map(|c| format!("`{c}`")).collect();
    json!({
        "description": format!("{description} Codes : {}.", liste.join(", ")),
        "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Probleme" } } }
    })
}

/// 429 with the delay to wait in `Retry-After`.
pub(crate) fn trop_de_requetes(description: &str) -> Value {
    let mut v = probleme(description, &["trop_de_requetes"]);
    v["headers"] = json!({
        "Retry-After": {
            "description": "Secondes à attendre avant de réessayer.",
            "schema": { "type": "integer", "minimum": 1 }
        }
    });
    v
}

/// A served consultation, with what is left of the user's rate in `RateLimit-*` (security, part 3).
pub(crate) fn consultation_servie(description: &str, schema: &str) -> Value {
    let entier = json!({ "type": "integer", "minimum": 0 });
    json!({
        "description": description,
        "headers": {
            "RateLimit-Limit": { "description": "Consultations permises d'affilée.", "schema": entier },
            "RateLimit-Remaining": { "description": "Consultations encore permises maintenant.", "schema": entier },
            "RateLimit-Reset": {
                "description": "Secondes avant que toutes les consultations d'affilée soient de nouveau permises.",
                "schema": entier
            }
        },
        "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{schema}") } } }
    })
}

/// One of the two services of Mon Compte Partenaire: PSU's search (CO-2), its own answer.
fn mcp(operation: &str, resume: &str, description: &str, schema: &str) -> Value {
    json!({ "post": {
        "operationId": operation,
        "summary": resume,
        "description": format!(
            "{description} Le dossier est trouvé par le NIR ou le matricule **et** le nom d'un allocataire, comme \
             pour PSU (CO-2) ; hors périmètre ou nom discordant : même réponse qu'un dossier inconnu."
        ),
        "requestBody": corps_json("RecherchePsu"),
        "responses": reponses(
            ("200", consultation_servie("La rubrique du service, pour le mois choisi.", schema)),
            {
                let mut v = erreurs_communes(true);
                v.retain(|(s, _)| *s != "400");
                v.push(("400", probleme(
                    "Requête mal formée, période invalide, NIR ou matricule invalide, ou recherche incomplète.",
                    &["requete_invalide", "nir_invalide", "recherche_incomplete"],
                )));
                v.push(("403", probleme(
                    "Mot de passe provisoire à changer d'abord, utilisateur non habilité à ce service, ou opposition.",
                    &["changement_mot_de_passe_requis", "non_habilite", "opposition"],
                )));
                v.push(("404", probleme(
                    "Aucun dossier ne correspond.",
                    &["dossier_introuvable", "matricule_introuvable"],
                )));
                v.push(("429", trop_de_consultations()));
                v.push(("503", service_ferme()));
                v
            }
        )
    }})
}

/// CO-7: the bouquet is outside its opening hours; `Retry-After` says when it reopens.
pub(crate) fn service_ferme() -> Value {
    let mut v = probleme(
        "Service fermé à cette heure (plage d'ouverture du bouquet, heure de Paris) : le message dit quand il \
         rouvre.",
        &["service_ferme"],
    );
    v["headers"] = json!({
        "Retry-After": {
            "description": "Secondes avant la réouverture du service.",
            "schema": { "type": "integer", "minimum": 1 }
        }
    });
    v
}

/// The user consulted faster than his rate: nothing was looked up; the attempt is traced.
pub(crate) fn trop_de_consultations() -> Value {
    trop_de_requetes(
        "Plus de consultations que le débit permis à chaque utilisateur (par défaut 20 par seconde) : rien \
         n'a été cherché, la tentative est tracée.",
    )
}

pub(crate) fn corps_json(schema: &str) -> Value {
    json!({
        "required": true,
        "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{schema}") } } }
    })
}

pub(crate) fn nullable(ty: &str) -> Value {
    json!({ "type": [ty, "null"] })
}

pub(crate) fn erreurs_communes(authentifie: bool) -> Vec<(&'static str, Value)> {
    let mut v = vec![
        (
            "400",
            probleme(
                "Corps de requête mal formé : JSON invalide, champ manquant, inconnu ou du mauvais type.",
                &["requete_invalide"],
            ),
        ),
        (
            "408",
            probleme(
                "Corps de requête pas arrivé dans le délai permis (client trop lent) ; rien n'a été fait.",
                &["delai_depasse"],
            ),
        ),
        (
            "413",
            probleme("Corps de requête trop volumineux.", &["requete_trop_volumineuse"]),
        ),
        (
            "415",
            probleme(
                "Corps de requête non déclaré en `application/json`.",
                &["requete_invalide"],
            ),
        ),
        (
            "500",
            probleme(
                "Erreur de partage ; la cause est journalisée, jamais transmise.",
                &["erreur_interne"],
            ),
        ),
    ];
    if authentifie {
        v.push((
            "401",
            probleme(
                "Jeton absent, inconnu ou révoqué, ou session expirée après la durée d'inactivité (AU-4). \
                 L'en-tête `WWW-Authenticate: Bearer` accompagne la réponse.",
                &["non_authentifie", "session_expiree"],
            ),
        ));
    }
    v
}

pub(crate) fn reponses(succes: (&str, Value), mut autres: Vec<(&'static str, Value)>) -> Value {
    autres.sort_by(|a, b| a.0.cmp(b.0));
    let mut map = serde_json::Map::new();
    map.insert(succes.0.to_owned(), succes.1);
    for (status, v) in autres {
        map.insert(status.to_owned(), v);
    }
    Value::Object(map)
}

/// The OpenAPI 3.1 document of `/api/v1`.
pub fn document() -> Value {
    let mut doc = document_partenaires();
    super::openapi_caisse::documenter(&mut doc);
    super::caisse_supervision::documenter(&mut doc);
    super::caisse_abus::documenter(&mut doc);
    super::caisse_avenants::documenter(&mut doc);
    super::caisse_bilan::documenter(&mut doc);
    super::openapi_habilitations::documenter(&mut doc);
    super::openapi_rsacg::documenter(&mut doc);
    super::openapi_partenaires::documenter(&mut doc);
    super::caisse_plages::documenter(&mut doc);
    super::caisse_baremes::documenter(&mut doc);
    super::journal::documenter(&mut doc);
    doc
}

fn document_partenaires() -> Value {
    let personne = json!({
        "type": "object",
        "description": "Un allocataire ou un enfant, champs nommés comme dans la réponse QF d'API Particulier.",
        "required": ["nom_naissance", "nom_usage", "prenoms", "date_naissance", "sexe"],
        "additionalProperties": false,
        "properties": {
            "nom_naissance": { "type": "string" },
            "nom_usage": nullable("string"),
            "prenoms": { "type": "string" },
            "date_naissance": { "type": ["string", "null"], "format": "date" },
            "sexe": { "type": ["string", "null"], "enum": ["M", "F", null] }
        }
    });
    let ligne = || nullable("string");
    // Fields several schemas share, written once.
    let champ_nir = json!({ "type": "string", "description": "15 caractères (13 et la clé) ; espaces, points et tirets sont ignorés." });
    let mut nullable_nir = champ_nir.clone();
    nullable_nir["type"] = json!(["string", "null"]);
    let champ_annee = json!({ "type": ["integer", "null"], "minimum": 1900, "maximum": 2200, "description": "Avec `mois` ; les deux absents : le mois en cours." });
    let champ_mois = json!({ "type": ["integer", "null"], "minimum": 1, "maximum": 12 });
    let champ_matricule = json!({ "type": "string", "description": "Numéro du dossier à la caisse." });
    let personnes = json!({ "type": "array", "items": { "$ref": "#/components/schemas/Personne" } });
    let ref_adresse = json!({ "$ref": "#/components/schemas/Adresse" });
    let adresse = json!({
        "type": "object",
        "description": "Adresse postale en sept lignes (norme AFNOR XP Z10-011).",
        "required": ["destinataire", "complement_information", "complement_information_geographique",
                     "numero_libelle_voie", "lieu_dit", "code_postal_ville", "pays"],
        "additionalProperties": false,
        "properties": {
            "destinataire": ligne(),
            "complement_information": ligne(),
            "complement_information_geographique": ligne(),
            "numero_libelle_voie": ligne(),
            "lieu_dit": ligne(),
            "code_postal_ville": ligne(),
            "pays": ligne()
        }
    });
    let periode_ressources = json!({
        "type": "object",
        "required": ["debut", "fin", "annee_reference", "montant_annuel"],
        "additionalProperties": false,
        "properties": {
            "debut": { "type": "string", "format": "date" },
            "fin": { "type": "string", "format": "date", "description": "Inclus." },
            "annee_reference": { "type": "integer", "description": "L'année des ressources (N-2)." },
            "montant_annuel": { "$ref": "#/components/schemas/Euros" }
        }
    });
    // The period valid in the chosen month, with that month.
    let mut ressources_du_mois = periode_ressources.clone();
    ressources_du_mois["required"] = json!([
        "annee",
        "mois",
        "annee_reference",
        "montant_annuel",
        "debut",
        "fin"
    ]);
    ressources_du_mois["properties"]["annee"] = json!({ "type": "integer" });
    ressources_du_mois["properties"]["mois"] = json!({ "type": "integer", "minimum": 1, "maximum": 12 });
    let tarif_accueil = json!({
        "type": "object",
        "required": ["taux_effort", "tarif"],
        "additionalProperties": false,
        "properties": {
            "taux_effort": { "type": "string", "description": "Le taux d'effort horaire appliqué, en pourcentage (`0,0413 %`)." },
            "tarif": { "$ref": "#/components/schemas/Euros" }
        }
    });
    let calcul_tarif = json!({
        "type": "object",
        "required": ["bareme_debut", "bareme_fin", "plancher_mensuel", "plafond_mensuel", "ressources_annuelles",
            "ressources_mensuelles_retenues", "plancher_applique", "plafond_applique", "enfants_a_charge", "aeeh",
            "enfants_retenus", "collectif", "familial"],
        "additionalProperties": false,
        "description": "Les éléments du calcul : ressources annuelles ÷ 12, ramenées entre le plancher et le \
            plafond du barème, × le taux d'effort du nombre d'enfants retenus, arrondi au centime.",
        "properties": {
            "bareme_debut": { "type": "string", "format": "date", "description": "Début de la période du barème en vigueur le premier jour du mois." },
            "bareme_fin": { "type": ["string", "null"], "format": "date", "description": "Fin (incluse) de cette période ; `null` : sans fin prévue." },
            "plancher_mensuel": { "$ref": "#/components/schemas/Euros" },
            "plafond_mensuel": { "$ref": "#/components/schemas/Euros" },
            "ressources_annuelles": { "$ref": "#/components/schemas/Euros" },
            "ressources_mensuelles_retenues": { "$ref": "#/components/schemas/Euros" },
            "plancher_applique": { "type": "boolean" },
            "plafond_applique": { "type": "boolean" },
            "enfants_a_charge": { "type": ["integer", "null"], "minimum": 0 },
            "aeeh": { "type": "boolean", "description": "Un enfant de la famille bénéficie de l'AEEH : le taux d'un enfant de plus s'applique." },
            "enfants_retenus": { "type": "integer", "minimum": 1, "description": "Au moins un (l'enfant accueilli), un de plus avec l'AEEH." },
            "collectif": tarif_accueil.clone(),
            "familial": { "allOf": [tarif_accueil], "description": "Accueil familial, parental ou micro-crèche." }
        }
    });
    let tarif_psu = json!({
        "type": "object",
        "required": ["statut", "message", "calcul"],
        "additionalProperties": false,
        "description": "Le tarif horaire de la famille pour le mois choisi, selon le barème PSU de la caisse, \
            pour l'accueil collectif et pour l'accueil familial, parental ou en micro-crèche.",
        "properties": {
            "statut": { "type": "string", "enum": ["calcule", "sans_bareme", "sans_ressources"] },
            "message": { "type": ["string", "null"], "description": "Pourquoi le tarif n'est pas calculé, en français ; `null` s'il l'est." },
            "calcul": { "oneOf": [calcul_tarif, { "type": "null" }] }
        }
    });
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "partage — API des partenaires",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "API de l'espace partenaires d'une caisse (CAF ou MSA). Le logiciel d'un partenaire \
                s'y authentifie comme l'utilisateur nommé qui l'emploie (AU-5) : chaque appel est tracé à son \
                nom. Toute erreur est un document `application/problem+json` (RFC 9457) dont le champ `code` \
                est stable et le champ `detail` rédigé en français.",
            "license": { "name": "EUPL-1.2", "identifier": "EUPL-1.2" }
        },
        "security": [{ "jeton": [] }],
        "paths": {
            "/api/v1/session": {
                "post": {
                    "operationId": "ouvrirSession",
                    "summary": "Ouvrir une session (AU-1)",
                    "description": "Une caisse inconnue, un identifiant inconnu, un mot de passe faux, un compte \
                        inactif ou verrouillé reçoivent exactement la même réponse. Après quatre échecs pour un \
                        même identifiant, chaque nouvel essai attend un délai croissant (jusqu'à 30 s) ; le \
                        centième échec verrouille le compte jusqu'à ce que la caisse le déverrouille ; une même \
                        adresse est limitée à cent échecs par heure. Si `changement_mot_de_passe_requis` vaut \
                        vrai, seul le changement de mot de passe est possible (AU-2).",
                    "security": [],
                    "requestBody": corps_json("Connexion"),
                    "responses": reponses(
                        ("201", json!({
                            "description": "Session ouverte.",
                            "content": { "application/json": { "schema": { "$ref": "#/components/schemas/SessionOuverte" } } }
                        })),
                        {
                            let mut v = erreurs_communes(false);
                            v.push(("401", probleme("Identifiants refusés.", &["non_authentifie"])));
                            v.push(("403", probleme("Mot de passe juste, mais l'utilisateur ou son partenaire est suspendu par la caisse (SU-2, AU-6) ; un mot de passe faux reçoit la réponse 401 commune.", &["compte_suspendu"])));
                            v.push(("429", trop_de_requetes("Tentative trop rapprochée des échecs précédents de cet identifiant ou de cette adresse.")));
                            v
                        }
                    )
                },
                "delete": {
                    "operationId": "fermerSession",
                    "summary": "Fermer la session",
                    "responses": reponses(
                        ("204", json!({ "description": "Session fermée ; le jeton n'est plus accepté." })),
                        vec![
                            ("401", probleme("Jeton absent, inconnu, ou session expirée.", &["non_authentifie", "session_expiree"])),
                            ("500", probleme("Erreur de partage.", &["erreur_interne"])),
                        ]
                    )
                }
            },
            "/api/v1/session/mot-de-passe": {
                "put": {
                    "operationId": "changerMotDePasse",
                    "summary": "Changer de mot de passe (AU-2)",
                    "description": "Obligatoire à la première connexion, avant toute autre action. Les autres \
                        sessions de l'utilisateur sont fermées ; celle-ci reste ouverte.",
                    "requestBody": corps_json("ChangementMotDePasse"),
                    "responses": reponses(
                        ("204", json!({ "description": "Mot de passe remplacé." })),
                        {
                            let mut v = erreurs_communes(true);
                            v.push(("422", probleme(
                                "Mot de passe actuel incorrect, ou nouveau mot de passe trop court, trop long ou identique à l'actuel.",
                                &["mot_de_passe_refuse"],
                            )));
                            v
                        }
                    )
                }
            },
            "/api/v1/consultations/qf": {
                "post": {
                    "operationId": "consulterQf",
                    "summary": "Consulter le quotient familial d'un dossier (CO-1, CO-6)",
                    "description": "Le dossier est trouvé par le NIR d'une de ses personnes, transmis dans le corps \
                        et jamais dans l'adresse. Un dossier hors du périmètre du partenaire (autre caisse, hors de \
                        son champ de compétence, convention hors vigueur) reçoit la même réponse qu'un NIR inconnu. \
                        Un dossier frappé d'opposition (OP-1) ne montre que l'existence de l'opposition.",
                    "requestBody": corps_json("RechercheQf"),
                    "responses": reponses(
                        ("200", consultation_servie(
                            "Les rubriques « Coordonnées du dossier » et « Montant du QF ».",
                            "ConsultationQf",
                        )),
                        {
                            let mut v = erreurs_communes(true);
                            v.retain(|(s, _)| *s != "400");
                            v.push(("400", probleme(
                                "Requête mal formée, période invalide, ou NIR invalide (la raison précise est dans `detail`).",
                                &["requete_invalide", "nir_invalide"],
                            )));
                            v.push(("403", probleme(
                                "Mot de passe provisoire à changer d'abord, utilisateur non habilité au bouquet QF, \
                                 ou opposition du bénéficiaire.",
                                &["changement_mot_de_passe_requis", "non_habilite", "opposition"],
                            )));
                            v.push(("404", probleme("Aucun dossier ne correspond à la recherche.", &["dossier_introuvable"])));
                            v.push(("429", trop_de_consultations()));
                v.push(("503", service_ferme()));
                            v
                        }
                    )
                }
            },
            "/api/v1/consultations/psu": {
                "post": {
                    "operationId": "consulterPsu",
                    "summary": "Consulter les ressources PSU d'un dossier (BQ-PSU, CO-2, CO-6)",
                    "description": "Le dossier est trouvé par le NIR d'une de ses personnes, ou par son matricule \
                        (bloc de recherche par matricule), **et** par le nom de naissance ou d'usage d'un allocataire : \
                        seule la combinaison des deux trouve le dossier (CO-2). Le nom est comparé sans tenir compte \
                        des majuscules, des accents, des tirets ni des espaces en trop. Un NIR avec un autre nom reçoit \
                        la même réponse qu'un NIR inconnu ; un dossier hors du périmètre du partenaire aussi. Un \
                        dossier frappé d'opposition (OP-1) ne montre que l'existence de l'opposition. La réponse ne \
                        porte que les rubriques du bouquet PSU : ni quotient familial, ni donnée RSA.",
                    "requestBody": corps_json("RecherchePsu"),
                    "responses": reponses(
                        ("200", consultation_servie(
                            "Les rubriques « Coordonnées du dossier », « Situation familiale » et « Ressources hors \
                             prestations familiales », pour le mois choisi.",
                            "ConsultationPsu",
                        )),
                        {
                            let mut v = erreurs_communes(true);
                            v.retain(|(s, _)| *s != "400");
                            v.push(("400", probleme(
                                "Requête mal formée, période invalide, NIR ou matricule invalide, NIR et matricule \
                                 donnés ensemble, ou recherche sans le NIR (ou le matricule) ou sans le nom.",
                                &["requete_invalide", "nir_invalide", "recherche_incomplete"],
                            )));
                            v.push(("403", probleme(
                                "Mot de passe provisoire à changer d'abord, utilisateur non habilité au bouquet PSU, \
                                 ou opposition du bénéficiaire.",
                                &["changement_mot_de_passe_requis", "non_habilite", "opposition"],
                            )));
                            v.push(("404", probleme(
                                "Aucun dossier ne correspond au NIR (ou au matricule) et au nom.",
                                &["dossier_introuvable", "matricule_introuvable"],
                            )));
                            v.push(("429", trop_de_consultations()));
                v.push(("503", service_ferme()));
                            v
                        }
                    )
                }
            },
            "/api/v1/consultations/mcp/qf": mcp(
                "consulterMcpQf",
                "Mon Compte Partenaire : quotient familial pour les activités petite enfance, enfance et jeunesse (BQ-MCP)",
                "Le QF du mois choisi et toutes ses périodes de validité, avec les noms des allocataires ; ni adresse, \
                 ni autre donnée. Service habilité à part (`MCP-QF`).",
                "ConsultationMcpQf",
            ),
            "/api/v1/consultations/mcp/adresse": mcp(
                "consulterMcpAdresse",
                "Mon Compte Partenaire : informations d'adressage des familles (BQ-MCP)",
                "L'adresse de la famille, avec les noms des allocataires ; ni QF, ni autre donnée. Service habilité à \
                 part (`MCP-ADRESSE`).",
                "ConsultationMcpAdresse",
            ),
            "/api/v1/journal/point-de-controle": {
                "get": {
                    "operationId": "dernierPointDeControle",
                    "summary": "Dernier point de contrôle signé du journal des traces (BY-2)",
                    "description": "Public : taille de l'arbre de Merkle des traces, racine, horodatage et signature Ed25519. Vérifiable avec `partage traces verify --checkpoint` ; encodage décrit dans docs/journal-verifiable.md.",
                    "security": [],
                    "responses": {
                        "200": {
                            "description": "Le dernier point de contrôle, et la clé publique du serveur s'il en a une.",
                            "content": { "application/json": { "schema": {
                                "type": "object",
                                "required": ["cle_publique", "point_de_controle"],
                                "properties": {
                                    "cle_publique": { "type": ["string", "null"], "pattern": "^[0-9a-f]{64}$" },
                                    "point_de_controle": {
                                        "type": "object",
                                        "required": ["version", "taille", "racine", "horodatage", "signature"],
                                        "properties": {
                                            "version": { "type": "integer", "const": 1 },
                                            "taille": { "type": "integer", "minimum": 0 },
                                            "racine": { "type": "string", "pattern": "^[0-9a-f]{64}$" },
                                            "horodatage": { "type": "string", "format": "date-time" },
                                            "signature": { "type": "string", "pattern": "^[0-9a-f]{128}$" }
                                        }
                                    }
                                }
                            } } }
                        },
                        "404": probleme("Aucun point de contrôle n'a encore été signé.", &["preuve_indisponible"])
                    }
                }
            },
            "/healthz": {
                "get": {
                    "operationId": "sante",
                    "summary": "Le service répond",
                    "security": [],
                    "responses": {
                        "200": { "description": "Toujours `ok`.", "content": { "text/plain": { "schema": { "type": "string", "const": "ok" } } } }
                    }
                }
            }
        },
        "components": {
            "securitySchemes": {
                "jeton": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "Le `jeton` rendu par `POST /api/v1/session`, dans `Authorization: Bearer <jeton>`. \
                        Il expire après la durée d'inactivité indiquée par `expiration_inactivite_s`. Les cookies \
                        ne sont jamais acceptés par l'API."
                }
            },
            "schemas": {
                "Connexion": {
                    "type": "object",
                    "required": ["caisse", "identifiant", "mot_de_passe"],
                    "additionalProperties": false,
                    "properties": {
                        "caisse": { "type": "string", "description": "Code de la caisse, par exemple `MSA-ADL`." },
                        "identifiant": { "type": "string" },
                        "mot_de_passe": { "type": "string", "format": "password" },
                        "code_totp": {
                            "type": ["string", "null"],
                            "description": "Code à 6 chiffres de l'application d'authentification, pour un compte dont le \
                                second facteur est actif. Absent ou faux : même réponse qu'un mot de passe faux."
                        }
                    }
                },
                "SessionOuverte": {
                    "type": "object",
                    "required": ["jeton", "changement_mot_de_passe_requis", "expiration_inactivite_s"],
                    "additionalProperties": false,
                    "properties": {
                        "jeton": { "type": "string", "description": "Montré une seule fois ; partage n'en garde que l'empreinte." },
                        "changement_mot_de_passe_requis": { "type": "boolean" },
                        "expiration_inactivite_s": { "type": "integer", "description": "Durée d'inactivité, en secondes, au-delà de laquelle la session expire." }
                    }
                },
                "ChangementMotDePasse": {
                    "type": "object",
                    "required": ["actuel", "nouveau"],
                    "additionalProperties": false,
                    "properties": {
                        "actuel": { "type": "string", "format": "password" },
                        "nouveau": { "type": "string", "format": "password", "minLength": partage_domain::password::LONGUEUR_MIN, "maxLength": partage_domain::password::LONGUEUR_MAX }
                    }
                },
                "RechercheQf": {
                    "type": "object",
                    "required": ["nir"],
                    "additionalProperties": false,
                    "properties": {
                        "nir": champ_nir.clone(),
                        "annee": champ_annee.clone(),
                        "mois": champ_mois.clone()
                    }
                },
                "ConsultationQf": {
                    "type": "object",
                    "required": ["matricule", "allocataires", "enfants", "adresse", "quotient_familial", "periodes"],
                    "additionalProperties": false,
                    "properties": {
                        "matricule": champ_matricule.clone(),
                        "allocataires": personnes.clone(),
                        "enfants": { "type": "array", "items": { "$ref": "#/components/schemas/Personne" } },
                        "adresse": ref_adresse.clone(),
                        "quotient_familial": {
                            "oneOf": [ { "$ref": "#/components/schemas/QuotientFamilial" }, { "type": "null" } ],
                            "description": "Le QF du mois choisi ; `null` si la caisse n'en a pas calculé pour ce mois."
                        },
                        "periodes": { "type": "array", "items": { "$ref": "#/components/schemas/PeriodeQf" }, "description": "Toutes les périodes de validité, dans l'ordre." }
                    }
                },
                "ConsultationMcpQf": {
                    "type": "object",
                    "required": ["matricule", "allocataires", "quotient_familial", "periodes"],
                    "additionalProperties": false,
                    "properties": {
                        "matricule": champ_matricule.clone(),
                        "allocataires": personnes.clone(),
                        "quotient_familial": {
                            "oneOf": [ { "$ref": "#/components/schemas/QuotientFamilial" }, { "type": "null" } ],
                            "description": "Le QF du mois choisi ; `null` si la caisse n'en a pas calculé pour ce mois."
                        },
                        "periodes": { "type": "array", "items": { "$ref": "#/components/schemas/PeriodeQf" } }
                    }
                },
                "ConsultationMcpAdresse": {
                    "type": "object",
                    "required": ["matricule", "allocataires", "adresse"],
                    "additionalProperties": false,
                    "properties": {
                        "matricule": champ_matricule.clone(),
                        "allocataires": personnes.clone(),
                        "adresse": ref_adresse.clone()
                    }
                },
                "RecherchePsu": {
                    "type": "object",
                    "additionalProperties": false,
                    "description": "Le NIR ou le matricule (un seul des deux), et le nom de l'allocataire. Un champ \
                        manquant est signalé par `recherche_incomplete`.",
                    "properties": {
                        "nir": nullable_nir,
                        "matricule": { "type": ["string", "null"], "description": "Numéro du dossier à la caisse." },
                        "nom": { "type": ["string", "null"], "description": "Nom de naissance ou d'usage d'un allocataire." },
                        "annee": champ_annee.clone(),
                        "mois": champ_mois.clone()
                    }
                },
                "ConsultationPsu": {
                    "type": "object",
                    "required": ["matricule", "allocataires", "adresse", "situation_familiale", "ressources", "periodes", "tarif_horaire"],
                    "additionalProperties": false,
                    "properties": {
                        "matricule": champ_matricule.clone(),
                        "allocataires": personnes.clone(),
                        "adresse": ref_adresse.clone(),
                        "situation_familiale": { "$ref": "#/components/schemas/SituationFamiliale" },
                        "ressources": {
                            "oneOf": [ { "$ref": "#/components/schemas/RessourcesDuMois" }, { "type": "null" } ],
                            "description": "Les ressources valables le premier jour du mois choisi ; `null` s'il n'y en a pas."
                        },
                        "periodes": { "type": "array", "items": { "$ref": "#/components/schemas/PeriodeRessources" }, "description": "Toutes les périodes de validité, dans l'ordre." },
                        "tarif_horaire": { "$ref": "#/components/schemas/TarifPsu" }
                    }
                },
                "SituationFamiliale": {
                    "type": "object",
                    "required": ["situation", "libelle", "enfants_a_charge", "enfants"],
                    "additionalProperties": false,
                    "properties": {
                        "situation": { "type": ["string", "null"], "enum": ["celibataire", "marie", "pacse", "vie_maritale", "separe", "divorce", "veuf", null] },
                        "libelle": { "type": ["string", "null"], "description": "La situation en français." },
                        "enfants_a_charge": { "type": ["integer", "null"], "minimum": 0, "description": "Nombre d'enfants à charge au sens des prestations familiales." },
                        "enfants": { "type": "array", "items": { "$ref": "#/components/schemas/EnfantPsu" } }
                    }
                },
                "EnfantPsu": {
                    "type": "object",
                    "required": ["nom_naissance", "nom_usage", "prenoms", "date_naissance", "aeeh"],
                    "additionalProperties": false,
                    "properties": {
                        "nom_naissance": { "type": "string" },
                        "nom_usage": nullable("string"),
                        "prenoms": { "type": "string" },
                        "date_naissance": { "type": ["string", "null"], "format": "date" },
                        "aeeh": { "type": "boolean", "description": "L'allocation d'éducation de l'enfant handicapé est versée pour cet enfant." }
                    }
                },
                "RessourcesDuMois": ressources_du_mois,
                "TarifPsu": tarif_psu,
                "PeriodeRessources": periode_ressources,
                "Euros": {
                    "type": "string",
                    "pattern": "^[0-9]+\\.[0-9]{2}$",
                    "description": "Montant en euros, exact, écrit avec deux décimales (par exemple `32500.50`)."
                },
                "Personne": personne,
                "Adresse": adresse,
                "QuotientFamilial": {
                    "type": "object",
                    "required": ["fournisseur", "valeur", "annee", "mois"],
                    "additionalProperties": false,
                    "properties": {
                        "fournisseur": { "type": "string", "enum": ["MSA", "CNAF"] },
                        "valeur": { "type": "integer", "minimum": 0, "description": "En euros." },
                        "annee": { "type": "integer" },
                        "mois": { "type": "integer", "minimum": 1, "maximum": 12 }
                    }
                },
                "PeriodeQf": {
                    "type": "object",
                    "required": ["debut", "fin", "valeur"],
                    "additionalProperties": false,
                    "properties": {
                        "debut": { "type": "string", "format": "date" },
                        "fin": { "type": "string", "format": "date", "description": "Inclus." },
                        "valeur": { "type": "integer", "minimum": 0, "description": "En euros." }
                    }
                },
                "Probleme": {
                    "type": "object",
                    "description": "RFC 9457.",
                    "required": ["type", "title", "status", "detail", "code"],
                    "additionalProperties": false,
                    "properties": {
                        "type": { "type": "string", "format": "uri", "description": "`urn:partage:probleme:<code>`." },
                        "title": { "type": "string" },
                        "status": { "type": "integer" },
                        "detail": { "type": "string", "description": "Explication en français." },
                        "code": { "type": "string", "enum": CODES }
                    }
                }
            }
        }
    })
}
