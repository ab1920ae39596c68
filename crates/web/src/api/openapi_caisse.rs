//! The back office's part of the OpenAPI document (`/api/v1/caisse/…`), added to the partners' part by
//! [`super::openapi::document`].

use super::openapi::{corps_json, erreurs_communes, probleme, reponses};
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
                "Mot de passe provisoire à changer d'abord, ou rôle « {role} » requis (le refus est tracé)."
            ),
            &["changement_mot_de_passe_requis", "role_requis"],
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
                        let mut v = erreurs_personnel("admin");
                        v.push(("409", probleme("Identifiant déjà pris dans la caisse.", &["deja_existant"])));
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
        }
    });
    let roles = json!({ "type": "array", "minItems": 1, "uniqueItems": true,
        "items": { "type": "string", "enum": ["admin", "habilitation", "conventions", "supervision"] } });
    let schemas = json!({
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
                "roles": roles
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
        "ConventionSuivie": {
            "type": "object",
            "required": ["numero", "partenaire", "bouquets", "cycle", "acces", "confidentialite_jusquau", "historique"],
            "properties": {
                "numero": { "type": "string" },
                "partenaire": { "type": "string", "description": "N° tiers." },
                "bouquets": { "type": "array", "items": { "type": "string" } },
                "cycle": { "type": "object", "description": "Modèle (délais) et état (`etat` : brouillon, signee_par_une, attente_cnil, en_vigueur, fin_programmee, suspendue, terminee)." },
                "acces": { "type": "object", "description": "Dates d'ouverture et de fin des accès du partenaire." },
                "confidentialite_jusquau": { "type": ["string", "null"], "format": "date", "description": "CV-8 : 5 ans après la fin." },
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
