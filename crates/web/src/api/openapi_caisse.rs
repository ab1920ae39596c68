//! The back office's part of the OpenAPI document (`/api/v1/caisse/…`), added to the partners' part by
//! [`super::openapi::document`].

use super::openapi::{corps_json, erreurs_communes, probleme, reponses, trop_de_requetes};
use serde_json::{json, Value};

pub(crate) fn ajouter(doc: &mut Value, section: &str, entries: Value) {
    if let (Some(map), Value::Object(entries)) = (doc[section].as_object_mut(), entries) {
        map.extend(entries);
    }
}

pub(crate) fn schema(nom: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{nom}") })
}

pub(crate) fn json_de(description: &str, nom: &str) -> Value {
    json!({ "description": description, "content": { "application/json": { "schema": schema(nom) } } })
}

/// The errors of every authenticated back-office call, and the role refusal.
pub(crate) fn erreurs_personnel(role: &str) -> Vec<(&'static str, Value)> {
    let mut v = erreurs_communes(true);
    v.push((
        "403",
        probleme(
            &format!(
                "Mot de passe provisoire à changer d'abord, second facteur exigé par la caisse à activer \
                 d'abord, ou rôle « {role} » requis (le refus est tracé)."
            ),
            &[
                "changement_mot_de_passe_requis",
                "double_facteur_requis",
                "role_requis",
            ],
        ),
    ));
    v
}

/// The errors of a sensitive act (grant, suspension, lifting, removal, staff creation): those of
/// [`erreurs_personnel`], and the password to confirm when it was typed too long ago (AU-4).
pub(crate) fn erreurs_acte_sensible(role: &str) -> Vec<(&'static str, Value)> {
    let mut v = erreurs_communes(true);
    v.push((
        "403",
        probleme(
            &format!(
                "Mot de passe provisoire à changer d'abord, rôle « {role} » requis, ou action sensible sans \
                 mot de passe saisi dans les 10 dernières minutes : le confirmer par \
                 `POST /api/v1/caisse/session/reauthentification` puis recommencer (le refus est tracé)."
            ),
            &[
                "changement_mot_de_passe_requis",
                "double_facteur_requis",
                "role_requis",
                "reauthentification_requise",
            ],
        ),
    ));
    v
}

pub(crate) fn documenter(doc: &mut Value) {
    let paths = json!({
        "/api/v1/caisse/session": {
            "post": {
                "operationId": "ouvrirSessionPersonnel",
                "summary": "Ouvrir une session du personnel de la caisse (entrée distincte de celle des partenaires)",
                "description": "Mêmes règles que `POST /api/v1/session` (AU-1, AU-2, AU-4), pour le personnel de la \
                    caisse. Le jeton rendu n'est accepté que par les adresses `/api/v1/caisse/…` : il ne permet \
                    jamais de consulter un dossier par un bouquet partenaire, et un jeton de partenaire n'est pas \
                    accepté ici.",
                "tags": ["caisse"],
                "security": [],
                "requestBody": corps_json("Connexion"),
                "responses": reponses(
                    ("201", json_de("Session ouverte.", "SessionOuverte")),
                    {
                        let mut v = erreurs_communes(false);
                        v.push(("401", probleme("Identifiants refusés.", &["non_authentifie"])));
                        v.push(("429", trop_de_requetes(
                            "Tentative trop rapprochée des échecs précédents de cet identifiant ou de cette adresse.",
                        )));
                        v
                    }
                )
            },
            "delete": {
                "operationId": "fermerSessionPersonnel",
                "summary": "Fermer la session du personnel",
                "tags": ["caisse"],
                "responses": reponses(
                    ("204", json!({ "description": "Session fermée." })),
                    erreurs_communes(true)
                )
            }
        },
        "/api/v1/caisse/session/mot-de-passe": {
            "put": {
                "operationId": "changerMotDePassePersonnel",
                "summary": "Changer de mot de passe (personnel, AU-2)",
                "tags": ["caisse"],
                "requestBody": corps_json("ChangementMotDePasse"),
                "responses": reponses(
                    ("204", json!({ "description": "Mot de passe remplacé ; les autres sessions sont fermées." })),
                    {
                        let mut v = erreurs_communes(true);
                        v.push(("422", probleme("Mot de passe refusé.", &["mot_de_passe_refuse"])));
                        v
                    }
                )
            }
        },
        "/api/v1/caisse/session/reauthentification": {
            "post": {
                "operationId": "reauthentifierPersonnel",
                "summary": "Confirmer son mot de passe avant une action sensible (AU-4)",
                "description": "Les actions sensibles (habiliter, suspendre, lever une suspension, supprimer, créer \
                    un compte du personnel) demandent un mot de passe saisi dans les 10 dernières minutes, à la \
                    connexion ou ici. Mêmes délais et verrouillage qu'à la connexion ; l'échec qui verrouille le \
                    compte ferme aussi la session.",
                "tags": ["caisse"],
                "requestBody": corps_json("Reauthentification"),
                "responses": reponses(
                    ("204", json!({ "description": "Identité confirmée pour 10 minutes dans cette session." })),
                    {
                        let mut v = erreurs_communes(true);
                        v.push(("403", probleme("Mot de passe incorrect.", &["reauthentification_refusee"])));
                        v.push(("429", probleme(
                            "Tentative trop rapprochée des échecs précédents (en-tête `Retry-After`).",
                            &["trop_de_requetes"],
                        )));
                        v
                    }
                )
            }
        },
        "/api/v1/caisse/session/double-facteur": {
            "post": {
                "operationId": "enrolerDoubleFacteur",
                "summary": "Associer une application d'authentification à son compte (second facteur, RFC 6238)",
                "description": "Rend, une seule fois, le secret (base32) et l'adresse `otpauth://` à montrer en QR \
                    code. Le second facteur reste en attente jusqu'à sa confirmation par un premier code. Refusé \
                    si un second facteur est déjà actif : seul un administrateur peut le retirer.",
                "tags": ["caisse"],
                "responses": reponses(
                    ("201", json_de("Secret en attente de confirmation.", "EnrolementDoubleFacteur")),
                    {
                        let mut v = erreurs_communes(true);
                        v.push(("403", probleme("Mot de passe provisoire à changer d'abord.", &["changement_mot_de_passe_requis"])));
                        v.push(("409", probleme("Un second facteur est déjà actif.", &["deja_existant"])));
                        v
                    }
                )
            }
        },
        "/api/v1/caisse/session/double-facteur/activation": {
            "post": {
                "operationId": "activerDoubleFacteur",
                "summary": "Confirmer le second facteur par un premier code",
                "description": "Dès lors, chaque connexion demande `code_totp` ; un code ne sert qu'une fois.",
                "tags": ["caisse"],
                "requestBody": corps_json("CodeTotp"),
                "responses": reponses(
                    ("204", json!({ "description": "Second facteur actif." })),
                    {
                        let mut v = erreurs_communes(true);
                        v.push(("404", probleme("Aucun second facteur en attente.", &["introuvable"])));
                        v.push(("422", probleme("Code incorrect ou expiré.", &["code_totp_refuse"])));
                        v
                    }
                )
            }
        },
        "/api/v1/caisse/double-facteur": {
            "put": {
                "operationId": "exigerDoubleFacteur",
                "summary": "Exiger, ou non, le second facteur du personnel et des administrateurs des partenaires (rôle admin, action sensible)",
                "description": "Exigé du personnel, un membre sans second facteur actif ne peut plus qu'en associer un ; \
                    exigé des administrateurs des partenaires, un gestionnaire sans second facteur actif ne peut plus \
                    gérer d'habilitations (`double_facteur_requis`).",
                "tags": ["caisse"],
                "requestBody": corps_json("ExigenceDoubleFacteur"),
                "responses": reponses(
                    ("204", json!({ "description": "Enregistré." })),
                    erreurs_acte_sensible("admin")
                )
            }
        },
        "/api/v1/caisse/personnels/{identifiant}/double-facteur": {
            "delete": {
                "operationId": "retirerDoubleFacteur",
                "summary": "Retirer le second facteur d'un membre du personnel (téléphone perdu ; rôle admin, action sensible)",
                "tags": ["caisse"],
                "parameters": [{ "name": "identifiant", "in": "path", "required": true, "schema": { "type": "string" } }],
                "responses": reponses(
                    ("204", json!({ "description": "Retiré : il en associera un nouveau." })),
                    {
                        let mut v = erreurs_acte_sensible("admin");
                        v.push(("404", probleme("Aucun second facteur pour cet identifiant dans la caisse.", &["introuvable"])));
                        v
                    }
                )
            }
        },
        "/api/v1/session/double-facteur": {
            "post": {
                "operationId": "enrolerDoubleFacteurAgent",
                "summary": "Agent partenaire : associer une application d'authentification à son compte (second facteur)",
                "description": "Comme pour le personnel : secret rendu une seule fois, en attente jusqu'au premier code.",
                "tags": ["session"],
                "responses": reponses(
                    ("201", json_de("Secret en attente de confirmation.", "EnrolementDoubleFacteur")),
                    {
                        let mut v = erreurs_communes(true);
                        v.push(("403", probleme("Mot de passe provisoire à changer d'abord.", &["changement_mot_de_passe_requis"])));
                        v.push(("409", probleme("Un second facteur est déjà actif.", &["deja_existant"])));
                        v
                    }
                )
            }
        },
        "/api/v1/session/double-facteur/activation": {
            "post": {
                "operationId": "activerDoubleFacteurAgent",
                "summary": "Agent partenaire : confirmer le second facteur par un premier code",
                "tags": ["session"],
                "requestBody": corps_json("CodeTotp"),
                "responses": reponses(
                    ("204", json!({ "description": "Second facteur actif : chaque connexion demande désormais `code_totp`." })),
                    {
                        let mut v = erreurs_communes(true);
                        v.push(("404", probleme("Aucun second facteur en attente.", &["introuvable"])));
                        v.push(("422", probleme("Code incorrect ou expiré.", &["code_totp_refuse"])));
                        v
                    }
                )
            }
        },
        "/api/v1/caisse/utilisateurs/{identifiant}/double-facteur": {
            "delete": {
                "operationId": "retirerDoubleFacteurAgent",
                "summary": "Retirer le second facteur d'un agent partenaire (téléphone perdu ; rôle habilitation, action sensible)",
                "tags": ["caisse"],
                "parameters": [{ "name": "identifiant", "in": "path", "required": true, "schema": { "type": "string" } }],
                "responses": reponses(
                    ("204", json!({ "description": "Retiré : l'agent en associera un nouveau." })),
                    {
                        let mut v = erreurs_acte_sensible("habilitation");
                        v.push(("404", probleme("Aucun second facteur à retirer pour cet identifiant dans la caisse.", &["introuvable"])));
                        v
                    }
                )
            }
        },
        "/api/v1/caisse/personnels": {
            "get": {
                "operationId": "listerPersonnels",
                "summary": "Le personnel de la caisse (rôle admin)",
                "tags": ["caisse"],
                "responses": reponses(
                    ("200", json!({
                        "description": "Par identifiant.",
                        "content": { "application/json": { "schema": { "type": "array", "items": schema("Personnel") } } }
                    })),
                    erreurs_personnel("admin")
                )
            },
            "post": {
                "operationId": "creerPersonnel",
                "summary": "Créer un compte du personnel de la caisse (rôle admin)",
                "description": "Le mot de passe provisoire n'est montré qu'une fois ; il doit être changé à la \
                    première connexion.",
                "tags": ["caisse"],
                "requestBody": corps_json("NouveauPersonnel"),
                "responses": reponses(
                    ("201", json_de("Compte créé.", "PersonnelCree")),
                    {
                        let mut v = erreurs_acte_sensible("admin");
                        v.push(("409", probleme("Identifiant déjà pris dans la caisse.", &["deja_existant"])));
                        v
                    }
                )
            }
        },
        "/api/v1/caisse/conventions": {
            "get": {
                "operationId": "listerConventions",
                "summary": "Les conventions de la caisse : état, partenaire, prochaine échéance (rôle conventions)",
                "tags": ["caisse"],
                "parameters": [{ "name": "etat", "in": "query", "required": false,
                    "schema": { "type": "string", "enum": ["brouillon", "signee_par_une", "attente_cnil", "en_vigueur",
                        "fin_programmee", "suspendue", "terminee"] } }],
                "responses": reponses(
                    ("200", json_de("Les conventions de la caisse.", "ListeConventions")),
                    {
                        let mut v = erreurs_personnel("conventions");
                        v.push(("400", probleme("État ou paramètre inconnu.", &["requete_invalide"])));
                        v
                    }
                )
            },
            "post": {
                "operationId": "creerConvention",
                "summary": "Créer une convention en brouillon pour un partenaire du référentiel (rôle conventions)",
                "description": "Son modèle (délais) est celui du régime de la caisse ; ses échéances découlent de la \
                    signature par les deux parties (CV-3) ; ses départements sont le champ de compétence du \
                    partenaire. Les actes (signatures, formalité CNIL) la mènent ensuite jusqu'à « en vigueur ».",
                "tags": ["caisse"],
                "requestBody": corps_json("NouvelleConvention"),
                "responses": reponses(
                    ("201", json_de("La convention créée, en brouillon.", "ConventionSuivie")),
                    {
                        let mut v = erreurs_personnel("conventions");
                        v.push(("404", probleme("Aucun partenaire de ce n° tiers dans le référentiel de la caisse.", &["introuvable"])));
                        v.push(("409", probleme("Numéro de convention déjà utilisé dans la caisse.", &["deja_existant"])));
                        v
                    }
                )
            }
        },
        "/api/v1/caisse/conventions/{numero}": {
            "get": {
                "operationId": "conventionDetail",
                "summary": "Une convention de la caisse : état, accès, historique des transitions (rôle conventions)",
                "tags": ["caisse"],
                "parameters": [{ "name": "numero", "in": "path", "required": true, "schema": { "type": "string" } }],
                "responses": reponses(
                    ("200", json_de("La convention.", "ConventionSuivie")),
                    {
                        let mut v = erreurs_personnel("conventions");
                        v.push(("404", probleme("Aucune convention de ce numéro dans la caisse.", &["introuvable"])));
                        v
                    }
                )
            }
        },
        "/api/v1/caisse/conventions/{numero}/actes": {
            "post": {
                "operationId": "agirSurConvention",
                "summary": "Enregistrer un acte sur une convention, avec son document (CV-2 à CV-6, rôle conventions)",
                "description": "Signature d'une partie, formalité CNIL, dénonciation, résiliation, mise en demeure et                     sa levée, force majeure, sa fin, résiliation pour force majeure. Un acte que l'état ou le modèle                     de la convention n'autorise pas est refusé avec sa raison et rien n'est écrit. L'accès du                     partenaire suit l'état enregistré dès la réponse (CV-8).",
                "tags": ["caisse"],
                "parameters": [{ "name": "numero", "in": "path", "required": true, "schema": { "type": "string" } }],
                "requestBody": corps_json("ActeConvention"),
                "responses": reponses(
                    ("200", json_de("La convention après l'acte.", "ConventionSuivie")),
                    {
                        let mut v = erreurs_personnel("conventions");
                        v.push(("404", probleme("Aucune convention de ce numéro dans la caisse.", &["introuvable"])));
                        v.push(("409", probleme("Acte refusé par les règles de la convention, ou convention modifiée entre-temps.", &["transition_refusee"])));
                        v
                    }
                )
            }
        },
        "/api/v1/caisse/conventions/{numero}/attestation": {
            "post": {
                "operationId": "attesterRestitutionOuDestruction",
                "summary": "Enregistrer l'attestation de restitution ou de destruction des données d'une convention terminée (CV-8, rôle conventions)",
                "description": "Une seule par convention, datée entre la fin de la convention et aujourd'hui, avec la \
                    référence du document reçu ; l'auteur et l'horodatage sont enregistrés.",
                "tags": ["caisse"],
                "parameters": [{ "name": "numero", "in": "path", "required": true, "schema": { "type": "string" } }],
                "requestBody": corps_json("AttestationFin"),
                "responses": reponses(
                    ("200", json_de("La convention, avec son attestation.", "ConventionSuivie")),
                    {
                        let mut v = erreurs_personnel("conventions");
                        v.push(("404", probleme("Aucune convention de ce numéro dans la caisse.", &["introuvable"])));
                        v.push(("409", probleme("Convention pas encore terminée, ou attestation déjà enregistrée.", &["transition_refusee"])));
                        v
                    }
                )
            }
        }
    });
    let roles = json!({ "type": "array", "minItems": 1, "uniqueItems": true,
        "items": { "type": "string", "enum": ["admin", "habilitation", "conventions", "supervision"] } });
    // As typed: a role given twice counts once.
    let roles_saisis = json!({ "type": "array", "minItems": 1,
        "description": "Un rôle répété compte une fois.",
        "items": { "type": "string", "enum": ["admin", "habilitation", "conventions", "supervision"] } });
    let schemas = json!({
        "EnrolementDoubleFacteur": {
            "type": "object",
            "required": ["secret", "uri"],
            "additionalProperties": false,
            "properties": {
                "secret": { "type": "string", "description": "Secret en base32, à saisir à la main." },
                "uri": { "type": "string", "description": "Adresse otpauth:// (QR code)." }
            }
        },
        "CodeTotp": {
            "type": "object",
            "required": ["code"],
            "additionalProperties": false,
            "properties": { "code": { "type": "string" } }
        },
        "ExigenceDoubleFacteur": {
            "type": "object",
            "required": ["personnel", "administrateurs_partenaires"],
            "additionalProperties": false,
            "properties": {
                "personnel": { "type": "boolean", "description": "Exigé de tout le personnel de la caisse." },
                "administrateurs_partenaires": {
                    "type": "boolean",
                    "description": "Exigé des gestionnaires principaux et suppléants des partenaires (gestion déléguée)."
                }
            }
        },
        "Reauthentification": {
            "type": "object",
            "required": ["mot_de_passe"],
            "additionalProperties": false,
            "properties": { "mot_de_passe": { "type": "string", "format": "password" } }
        },
        "Personnel": {
            "type": "object",
            "required": ["identifiant", "nom", "prenom", "email", "roles", "actif", "changement_mot_de_passe_requis"],
            "additionalProperties": false,
            "properties": {
                "identifiant": { "type": "string" },
                "nom": { "type": "string" },
                "prenom": { "type": "string" },
                "email": { "type": "string" },
                "roles": roles,
                "actif": { "type": "boolean" },
                "changement_mot_de_passe_requis": { "type": "boolean" }
            }
        },
        "NouveauPersonnel": {
            "type": "object",
            "required": ["identifiant", "nom", "prenom", "email", "roles"],
            "additionalProperties": false,
            "properties": {
                "identifiant": { "type": "string", "pattern": "^[A-Za-z0-9._-]{1,64}$" },
                "nom": { "type": "string", "minLength": 1, "maxLength": 100 },
                "prenom": { "type": "string", "minLength": 1, "maxLength": 100 },
                "email": { "type": "string", "format": "email" },
                "roles": roles_saisis
            }
        },
        "ActeConvention": {
            "type": "object",
            "required": ["acte", "date", "document_reference", "document_recu_le"],
            "additionalProperties": false,
            "properties": {
                "acte": { "type": "string", "enum": ["signer", "formalite_cnil", "denoncer", "resilier", "mettre_en_demeure",
                    "lever_mise_en_demeure", "force_majeure", "fin_force_majeure", "resilier_pour_force_majeure"] },
                "date": { "type": "string", "format": "date", "description": "Date de l'acte (signature, réception de la lettre, notification) ; jamais dans le futur." },
                "partie": { "type": ["string", "null"], "enum": ["caisse", "partenaire", null], "description": "Pour `signer`." },
                "souhaitee_le": { "type": ["string", "null"], "format": "date", "description": "Pour `resilier` : date d'effet demandée." },
                "document_reference": { "type": "string", "description": "Lettre recommandée, avenant…" },
                "document_recu_le": { "type": "string", "format": "date" }
            }
        },
        "ListeConventions": {
            "type": "object",
            "required": ["conventions"],
            "additionalProperties": false,
            "properties": {
                "conventions": { "type": "array", "items": {
                    "type": "object",
                    "required": ["numero", "partenaire", "nom_partenaire", "bouquets", "etat", "prochaine_echeance",
                        "a_l_echeance", "fin_le", "confidentialite_jusquau"],
                    "additionalProperties": false,
                    "properties": {
                        "numero": { "type": "string" },
                        "partenaire": { "type": "string", "description": "N° tiers." },
                        "nom_partenaire": { "type": "string" },
                        "bouquets": { "type": "array", "items": { "type": "string" } },
                        "etat": { "type": "string", "enum": ["brouillon", "signee_par_une", "attente_cnil", "en_vigueur",
                            "fin_programmee", "suspendue", "terminee"] },
                        "prochaine_echeance": { "type": ["string", "null"], "format": "date",
                            "description": "Prochain jour où le temps seul change la convention (reconduction, fin)." },
                        "a_l_echeance": { "type": "string", "description": "Ce qui se passera à cette échéance." },
                        "fin_le": { "type": ["string", "null"], "format": "date", "description": "Fin des accès." },
                        "confidentialite_jusquau": { "type": ["string", "null"], "format": "date", "description": "CV-8 : 5 ans après la fin." }
                    }
                } }
            }
        },
        "NouvelleConvention": {
            "type": "object",
            "required": ["numero", "partenaire", "bouquets"],
            "additionalProperties": false,
            "properties": {
                "numero": { "type": "string" },
                "partenaire": { "type": "string", "description": "N° tiers d'un partenaire du référentiel de la caisse." },
                "bouquets": { "type": "array", "minItems": 1, "items": { "type": "string", "enum": ["QF", "PSU", "RSACG", "MCP-QF", "MCP-ADRESSE"] } },
                "plafond_habilitations": { "type": ["integer", "null"], "minimum": 0, "maximum": 100000 },
                "gestion": { "type": ["string", "null"], "enum": ["centralisee", "deleguee", null], "description": "null : le mode par défaut de la caisse (CV-12)." }
            }
        },
        "AttestationFin": {
            "type": "object",
            "required": ["nature", "attestee_le", "reference"],
            "additionalProperties": false,
            "properties": {
                "nature": { "type": "string", "enum": ["restitution", "destruction"] },
                "attestee_le": { "type": "string", "format": "date", "description": "Date de l'attestation du partenaire : pas avant la fin de la convention, jamais dans le futur." },
                "reference": { "type": "string", "description": "Référence du document reçu (lettre, recommandé…)." }
            }
        },
        "ConventionSuivie": {
            "type": "object",
            "required": ["numero", "partenaire", "bouquets", "cycle", "acces", "confidentialite_jusquau", "attestation", "historique"],
            "properties": {
                "numero": { "type": "string" },
                "partenaire": { "type": "string", "description": "N° tiers." },
                "bouquets": { "type": "array", "items": { "type": "string" } },
                "cycle": { "type": "object", "description": "Modèle (délais) et état (`etat` : brouillon, signee_par_une, attente_cnil, en_vigueur, fin_programmee, suspendue, terminee)." },
                "acces": { "type": "object", "description": "Dates d'ouverture et de fin des accès du partenaire." },
                "confidentialite_jusquau": { "type": ["string", "null"], "format": "date", "description": "CV-8 : 5 ans après la fin." },
                "attestation": {
                    "type": ["object", "null"],
                    "description": "CV-8 : attestation de restitution ou de destruction des données, une fois enregistrée.",
                    "required": ["nature", "attestee_le", "reference", "par", "horodatage"],
                    "additionalProperties": false,
                    "properties": {
                        "nature": { "type": "string", "enum": ["restitution", "destruction"] },
                        "attestee_le": { "type": "string", "format": "date" },
                        "reference": { "type": "string" },
                        "par": { "type": "string", "description": "Identifiant de l'agent de la caisse qui l'a enregistrée." },
                        "horodatage": { "type": "string", "format": "date-time" }
                    }
                },
                "historique": { "type": "array", "items": { "type": "object" }, "description": "Chaque transition : acte (`avancer` pour l'échéancier), état après, auteur (null : échéancier), horodatage, date d'effet, document." }
            }
        },
        "PersonnelCree": {
            "type": "object",
            "required": ["identifiant", "mot_de_passe_provisoire"],
            "additionalProperties": false,
            "properties": {
                "identifiant": { "type": "string" },
                "mot_de_passe_provisoire": { "type": "string", "format": "password" }
            }
        }
    });
    ajouter(doc, "paths", paths);
    if let Some(components) = doc.get_mut("components") {
        ajouter(components, "schemas", schemas);
    }
}
