//! The RSACG bouquet's part of the OpenAPI document (`POST /api/v1/consultations/rsa`), added by
//! [`super::openapi::document`].

use super::openapi::{
    consultation_servie, corps_json, erreurs_communes, nullable, probleme, reponses, service_ferme,
    trop_de_consultations,
};
use super::openapi_caisse::{ajouter, schema};
use partage_domain::famille::Situation;
use partage_domain::rsa::EtatRsa;
use serde_json::{json, Value};

fn tableau(nom: &str) -> Value {
    json!({ "type": "array", "items": schema(nom) })
}

fn date(description: &str) -> Value {
    json!({ "type": "string", "format": "date", "description": description })
}

fn objet(required: &[&str], properties: Value) -> Value {
    json!({ "type": "object", "required": required, "additionalProperties": false, "properties": properties })
}

pub(crate) fn documenter(doc: &mut Value) {
    let erreurs = {
        let mut v = erreurs_communes(true);
        v.retain(|(s, _)| *s != "400");
        v.push((
            "400",
            probleme(
                "Requête mal formée, période invalide, NIR ou matricule invalide, les deux donnés ensemble, ou \
                 ni l'un ni l'autre.",
                &["requete_invalide", "nir_invalide", "recherche_incomplete"],
            ),
        ));
        v.push((
            "403",
            probleme(
                "Mot de passe provisoire à changer d'abord, utilisateur non habilité au bouquet RSACG, ou \
                 opposition du bénéficiaire.",
                &["changement_mot_de_passe_requis", "non_habilite", "opposition"],
            ),
        ));
        v.push((
            "404",
            probleme(
                "Aucun dossier RSA des circonscriptions de l'agent ne correspond.",
                &["dossier_introuvable", "matricule_introuvable"],
            ),
        ));
        v.push(("429", trop_de_consultations()));
        v.push(("503", service_ferme()));
        v
    };
    let paths = json!({
        "/api/v1/consultations/rsa": { "post": {
            "operationId": "consulterRsacg",
            "summary": "Consulter un dossier RSA de ses circonscriptions (BQ-RSA, CO-3, CO-6)",
            "description": "Le dossier est trouvé par le NIR d'une de ses personnes ou par son matricule ; le nom \
                n'est pas demandé (la convention 002 n'en fait pas une condition, et l'agent n'atteint que les \
                dossiers RSA de ses circonscriptions). Un dossier sans droit RSA, hors des circonscriptions de \
                l'habilitation de l'agent ou hors du champ de compétence du partenaire reçoit exactement la même \
                réponse qu'un dossier inexistant ; la trace garde la vraie raison. Un dossier frappé d'opposition \
                (OP-1) ne montre que l'existence de l'opposition. La réponse ne porte que les cinq rubriques du \
                bouquet : Famille, Droits, RSA, Ressources, Adresse ; ni quotient familial, ni ressources PSU.",
            "requestBody": corps_json("RechercheRsacg"),
            "responses": reponses(
                ("200", consultation_servie(
                    "Les rubriques Famille, Droits, RSA, Ressources et Adresse, pour le mois choisi.",
                    "ConsultationRsacg",
                )),
                erreurs
            )
        }}
    });
    let euros = schema("Euros");
    let situations: Vec<Value> = Situation::ALL
        .iter()
        .map(|s| json!(s.code()))
        .chain([Value::Null])
        .collect();
    let etats: Vec<&str> = EtatRsa::ALL.iter().map(|e| e.code()).collect();
    let schemas = json!({
        "RechercheRsacg": {
            "type": "object",
            "additionalProperties": false,
            "description": "Le NIR ou le matricule, un seul des deux ; sans l'un ni l'autre : `recherche_incomplete`.",
            "properties": {
                "nir": { "type": ["string", "null"], "description": "15 caractères (13 et la clé) ; espaces, points et tirets sont ignorés." },
                "matricule": { "type": ["string", "null"], "description": "Numéro du dossier à la caisse." },
                "annee": { "type": ["integer", "null"], "minimum": 1900, "maximum": 2200, "description": "Avec `mois` ; les deux absents : le mois en cours." },
                "mois": { "type": ["integer", "null"], "minimum": 1, "maximum": 12 }
            }
        },
        "ConsultationRsacg": objet(
            &["matricule", "annee", "mois", "famille", "droits", "rsa", "ressources", "adresse"],
            json!({
                "matricule": { "type": "string", "description": "Numéro du dossier à la caisse." },
                "annee": { "type": "integer", "description": "L'année du mois choisi (CO-6)." },
                "mois": { "type": "integer", "minimum": 1, "maximum": 12 },
                "famille": objet(
                    &["situation", "libelle", "enfants_a_charge", "allocataires", "enfants"],
                    json!({
                        "situation": { "type": ["string", "null"], "enum": situations },
                        "libelle": nullable("string"),
                        "enfants_a_charge": { "type": ["integer", "null"], "minimum": 0 },
                        "allocataires": tableau("Personne"),
                        "enfants": tableau("Personne")
                    }),
                ),
                "droits": objet(
                    &["du_mois", "periodes"],
                    json!({
                        "du_mois": { "type": "array", "items": schema("PrestationRsacg"), "description": "Les prestations versées le premier jour du mois choisi." },
                        "periodes": { "type": "array", "items": schema("PrestationRsacg"), "description": "Toutes les prestations, par date de début." }
                    }),
                ),
                "rsa": objet(
                    &["etat", "libelle", "ouvert_le", "montant_mensuel", "majoration", "motif_suspension"],
                    json!({
                        "etat": { "type": "string", "enum": etats },
                        "libelle": { "type": "string", "description": "L'état en français." },
                        "ouvert_le": date("Date d'ouverture du droit."),
                        "montant_mensuel": euros.clone(),
                        "majoration": { "type": "boolean", "description": "RSA majoré (parent isolé)." },
                        "motif_suspension": { "type": ["string", "null"], "description": "Présent pour un droit suspendu seulement." }
                    }),
                ),
                "ressources": objet(
                    &["trimestre_du_mois", "declarations"],
                    json!({
                        "trimestre_du_mois": {
                            "oneOf": [ schema("DeclarationTrimestrielle"), { "type": "null" } ],
                            "description": "La déclaration du trimestre du mois choisi ; `null` si le foyer ne l'a pas faite."
                        },
                        "declarations": tableau("DeclarationTrimestrielle")
                    }),
                ),
                "adresse": objet(
                    &["actuelle", "anterieures"],
                    json!({
                        "actuelle": schema("Adresse"),
                        "anterieures": { "type": "array", "items": schema("AdresseAnterieure"), "description": "Les plus récentes d'abord." }
                    }),
                )
            }),
        ),
        "PrestationRsacg": objet(
            &["prestation", "debut", "fin", "montant_mensuel"],
            json!({
                "prestation": { "type": "string", "description": "Code de la prestation (`AF`, `ALF`, `PPA`…)." },
                "debut": date("Premier jour de versement."),
                "fin": { "type": ["string", "null"], "format": "date", "description": "Dernier jour de versement, inclus ; `null` : en cours." },
                "montant_mensuel": euros.clone()
            }),
        ),
        "DeclarationTrimestrielle": objet(
            &["annee", "trimestre", "montant", "declaree_le"],
            json!({
                "annee": { "type": "integer" },
                "trimestre": { "type": "integer", "minimum": 1, "maximum": 4 },
                "montant": euros,
                "declaree_le": { "type": ["string", "null"], "format": "date" }
            }),
        ),
        "AdresseAnterieure": objet(
            &["jusqu_au", "adresse"],
            json!({
                "jusqu_au": date("Dernier jour à cette adresse."),
                "adresse": schema("Adresse")
            }),
        )
    });
    ajouter(doc, "paths", paths);
    if let Some(components) = doc.get_mut("components") {
        ajouter(components, "schemas", schemas);
    }
}
