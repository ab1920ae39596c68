//! The back office's part of the OpenAPI document (`/api/v1/caisse/…`), added to the partners' part by
//! [`super::openapi::document`].

use super::openapi::{corps_json, erreurs_communes, probleme, reponses};
use serde_json::{json, Value};

fn ajouter(doc: &mut Value, section: &str, entries: Value) {
    if let (Some(map), Value::Object(entries)) = (doc[section].as_object_mut(), entries) {
        map.extend(entries);
    }
}

fn schema(nom: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{nom}") })
}

fn json_de(description: &str, nom: &str) -> Value {
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
