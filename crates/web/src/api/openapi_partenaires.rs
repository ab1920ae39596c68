//! The référentiel des tiers' part of the OpenAPI document (`/api/v1/caisse/partenaires…`), added by
//! [`super::openapi::document`].

use super::openapi::{corps_json, probleme, reponses};
use super::openapi_caisse::{ajouter, erreurs_personnel, json_de, schema};
use partage_domain::partenaire::Categorie;
use serde_json::{json, Value};

fn texte(description: &str) -> Value {
    json!({ "type": "string", "description": description })
}

fn textes(description: &str) -> Value {
    json!({ "type": "array", "items": { "type": "string" }, "description": description })
}

pub(crate) fn documenter(doc: &mut Value) {
    let tiers = json!([{ "name": "tiers", "in": "path", "required": true, "schema": { "type": "string" },
        "description": "N° tiers du partenaire dans la caisse." }]);
    let refus = || {
        probleme(
            "Fiche refusée : chaque champ en faute est nommé avec sa raison dans `detail` (SIRET absent ou \
             invalide, département hors de la caisse, circonscription hors des départements ou pour un autre \
             partenaire qu'un conseil départemental, document de délégation manquant pour une association \
             ayant reçu délégation — convention 002, article 1…). Rien n'est écrit.",
            &["fiche_refusee"],
        )
    };
    let paths = json!({
        "/api/v1/caisse/partenaires": {
            "get": {
                "operationId": "listerPartenaires",
                "summary": "Les partenaires de la caisse, par nom (rôle conventions ou habilitation)",
                "tags": ["caisse"],
                "parameters": [{ "name": "recherche", "in": "query", "required": false,
                    "schema": { "type": "string" }, "description": "Partie du nom ou du N° tiers, casse ignorée." }],
                "responses": reponses(
                    ("200", json_de("Les partenaires.", "ListePartenaires")),
                    erreurs_personnel("conventions » ou « habilitation")
                )
            },
            "post": {
                "operationId": "creerPartenaire",
                "summary": "Ajouter un partenaire au référentiel des tiers (rôle conventions)",
                "tags": ["caisse"],
                "requestBody": corps_json("FichePartenaireSaisie"),
                "responses": reponses(
                    ("201", json_de("Le partenaire créé.", "FichePartenaire")),
                    {
                        let mut v = erreurs_personnel("conventions");
                        v.push(("409", probleme("N° tiers déjà pris dans la caisse.", &["deja_existant"])));
                        v.push(("422", refus()));
                        v
                    }
                )
            }
        },
        "/api/v1/caisse/partenaires/{tiers}": {
            "get": {
                "operationId": "partenaireDetail",
                "summary": "La fiche d'un partenaire et ses conventions avec la caisse (rôle conventions ou habilitation)",
                "tags": ["caisse"],
                "parameters": tiers,
                "responses": reponses(
                    ("200", json_de("Le partenaire.", "PartenaireDetail")),
                    {
                        let mut v = erreurs_personnel("conventions » ou « habilitation");
                        v.push(("404", probleme("Aucun partenaire de ce numéro dans la caisse.", &["introuvable"])));
                        v
                    }
                )
            },
            "put": {
                "operationId": "modifierPartenaire",
                "summary": "Remplacer la fiche d'un partenaire (rôle conventions) ; le N° tiers ne change pas",
                "tags": ["caisse"],
                "parameters": tiers,
                "requestBody": corps_json("FichePartenaireSaisie"),
                "responses": reponses(
                    ("200", json_de("Le partenaire modifié.", "FichePartenaire")),
                    {
                        let mut v = erreurs_personnel("conventions");
                        v.push(("404", probleme("Aucun partenaire de ce numéro dans la caisse.", &["introuvable"])));
                        v.push(("422", refus()));
                        v
                    }
                )
            }
        }
    });
    let categories: Vec<&str> = Categorie::TOUTES.iter().map(|c| c.code()).collect();
    let contacts = textes("Un contact par élément : « nom ; courriel ; téléphone ».");
    let saisie = json!({
        "type": "object",
        "required": ["nom", "categorie", "siret", "adresse", "representant", "fonction_representant", "departements"],
        "additionalProperties": false,
        "properties": {
            "numero_tiers": texte("Obligatoire à la création ; à la modification, absent ou égal à celui de l'adresse."),
            "nom": texte("Raison sociale."),
            "categorie": { "type": "string", "enum": categories },
            "siret": texte("14 chiffres."),
            "adresse": texte("Adresse postale."),
            "representant": texte("Représentant légal."),
            "fonction_representant": texte("Sa fonction."),
            "contacts": contacts,
            "departements": textes("Champ de compétence : départements de la caisse (TEN-3)."),
            "circonscriptions": textes("Conseil départemental seulement : DÉPARTEMENT/CODE (CO-3)."),
            "structures": textes("Gestionnaire de plusieurs structures seulement : une structure par élément."),
            "document_delegation": texte("Association ayant reçu délégation : référence de l'acte (002 art. 1).")
        }
    });
    let proprietes = json!({
        "numero_tiers": { "type": "string" },
        "nom": { "type": "string" },
        "categorie": texte("Code de catégorie ; un import ancien peut porter un autre mot."),
        "categorie_libelle": { "type": "string" },
        "siret": { "type": "string" },
        "adresse": { "type": "string" },
        "representant": { "type": "string" },
        "fonction_representant": { "type": "string" },
        "contacts": contacts,
        "departements": textes("Champ de compétence."),
        "circonscriptions": textes("DÉPARTEMENT/CODE."),
        "structures": textes("Structures gérées."),
        "document_delegation": { "type": ["string", "null"] }
    });
    let obligatoires: Vec<String> = proprietes
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    let fiche = json!({ "type": "object", "required": obligatoires, "properties": proprietes });
    let mut detail = fiche.clone();
    detail["properties"]["conventions"] = json!({ "type": "array", "items": {
        "type": "object", "required": ["numero", "bouquets", "etat"],
        "properties": {
            "numero": { "type": "string" },
            "bouquets": { "type": "array", "items": { "type": "string" } },
            "etat": { "type": "string", "enum": ["brouillon", "signee_par_une", "attente_cnil", "en_vigueur",
                "fin_programmee", "suspendue", "terminee"] }
        }
    }});
    if let Some(r) = detail["required"].as_array_mut() {
        r.push(json!("conventions"));
    }
    let schemas = json!({
        "FichePartenaireSaisie": saisie,
        "FichePartenaire": fiche,
        "PartenaireDetail": detail,
        "ListePartenaires": { "type": "object", "required": ["partenaires"], "properties": {
            "partenaires": { "type": "array", "items": schema("FichePartenaire") } } }
    });
    ajouter(doc, "paths", paths);
    if let Some(components) = doc.get_mut("components") {
        ajouter(components, "schemas", schemas);
    }
}
