//! CO-7 through the back office's API: the opening window of each bouquet for the caisse, set or removed
//! by its staff with role `admin`. The same use cases as the page `/caisse/plages`.

use super::caisse::StaffBearer;
use crate::error::ApiError;
use crate::extract::{Champs, FromJson, JsonBody, Source};
use crate::AppState;
use axum::extract::{Path, State};
use axum::routing::{get, put};
use axum::{Json, Router};
use partage_app::plages::PlageVue;
use serde_json::{json, Value};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/caisse/plages", get(lister))
        .route("/api/v1/caisse/plages/{bouquet}", put(definir).delete(retirer))
}

pub(crate) fn plages_json(vues: &[PlageVue]) -> Value {
    let plages: Vec<Value> = vues
        .iter()
        .map(|v| {
            json!({
                "bouquet": v.bouquet.code(),
                "service": v.bouquet.libelle(),
                "plage": v.plage.map(|p| p.texte()),
                "libelle": v.plage.map_or_else(|| "toute la journée".to_owned(), |p| p.to_string()),
                "origine": v.origine.code(),
                "modifiee_par": v.modifiee.as_ref().map(|(par, _)| par),
                "modifiee_le": v.modifiee.as_ref().map(|(_, le)| le.to_rfc3339()),
            })
        })
        .collect();
    json!({ "minimum": "05:00-23:00", "plages": plages })
}

async fn lister(
    State(state): State<AppState>,
    Source(source): Source,
    StaffBearer(staff): StaffBearer,
) -> Result<Json<Value>, ApiError> {
    let vues = state.app.plages_ouverture(&staff, &source).await?;
    Ok(Json(plages_json(&vues)))
}

#[derive(Debug)]
pub(crate) struct PlageRecue(String);

impl FromJson for PlageRecue {
    fn from_json(c: &mut Champs) -> Option<Self> {
        c.texte("plage").map(PlageRecue)
    }
}

async fn definir(
    State(state): State<AppState>,
    Source(source): Source,
    StaffBearer(staff): StaffBearer,
    Path(bouquet): Path<String>,
    JsonBody(PlageRecue(plage)): JsonBody<PlageRecue>,
) -> Result<Json<Value>, ApiError> {
    let vues = state
        .app
        .definir_plage_ouverture(&staff, &bouquet, &plage, &source)
        .await?;
    Ok(Json(plages_json(&vues)))
}

async fn retirer(
    State(state): State<AppState>,
    Source(source): Source,
    StaffBearer(staff): StaffBearer,
    Path(bouquet): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let vues = state
        .app
        .retirer_plage_ouverture(&staff, &bouquet, &source)
        .await?;
    Ok(Json(plages_json(&vues)))
}

pub(crate) fn documenter(doc: &mut Value) {
    use super::openapi::{corps_json, probleme, reponses};
    use super::openapi_caisse::{ajouter, erreurs_acte_sensible, erreurs_personnel, json_de};
    let bouquet = json!([{ "name": "bouquet", "in": "path", "required": true,
        "schema": { "type": "string", "enum": partage_domain::Bouquet::ALL.map(partage_domain::Bouquet::code) },
        "description": "Code du bouquet." }]);
    let paths = json!({
        "/api/v1/caisse/plages": {
            "get": {
                "operationId": "plagesOuverture",
                "summary": "Les plages d'ouverture des bouquets pour la caisse (CO-7, rôle admin)",
                "description": "Pour chaque bouquet, la plage que la caisse a fixée (`origine` `caisse`), sinon \
                    celle du déploiement (`defaut`), sinon aucune : ouvert toute la journée (`aucune`). Heures \
                    de Paris, 7 jours sur 7.",
                "tags": ["caisse"],
                "responses": reponses(("200", json_de("Les plages.", "PlagesOuverture")), erreurs_personnel("admin"))
            }
        },
        "/api/v1/caisse/plages/{bouquet}": {
            "put": {
                "operationId": "definirPlageOuverture",
                "summary": "Fixer la plage d'ouverture d'un bouquet pour la caisse (CO-7, rôle admin, action sensible)",
                "description": "`HH:MM-HH:MM`, heure de Paris ; les conventions imposent au moins 5 h–23 h, 7 jours \
                    sur 7 (000:5, 001:5) : une plage plus courte est refusée et rien n'est changé. Tracé.",
                "tags": ["caisse"],
                "parameters": bouquet,
                "requestBody": corps_json("PlageOuvertureSaisie"),
                "responses": reponses(
                    ("200", json_de("Les plages après la modification.", "PlagesOuverture")),
                    {
                        let mut v = erreurs_acte_sensible("admin");
                        v.push(("400", probleme("Bouquet inconnu, champ absent ou inconnu.", &["requete_invalide"])));
                        v.push(("422", probleme("Plage illisible ou plus courte que 5 h–23 h.", &["plage_invalide"])));
                        v
                    }
                )
            },
            "delete": {
                "operationId": "retirerPlageOuverture",
                "summary": "Rendre à un bouquet la plage par défaut du déploiement (CO-7, rôle admin, action sensible)",
                "tags": ["caisse"],
                "parameters": bouquet,
                "responses": reponses(
                    ("200", json_de("Les plages après le retrait.", "PlagesOuverture")),
                    {
                        let mut v = erreurs_acte_sensible("admin");
                        v.push(("400", probleme("Bouquet inconnu.", &["requete_invalide"])));
                        v.push(("404", probleme("La caisse n'avait pas fixé de plage pour ce bouquet.", &["introuvable"])));
                        v
                    }
                )
            }
        }
    });
    ajouter(doc, "paths", paths);
    let nullable = |ty: &str, description: &str| json!({ "type": [ty, "null"], "description": description });
    let schemas = json!({
        "PlagesOuverture": {
            "type": "object", "required": ["minimum", "plages"], "additionalProperties": false,
            "properties": {
                "minimum": { "type": "string", "description": "La plage minimale des conventions." },
                "plages": { "type": "array", "items": {
                    "type": "object",
                    "required": ["bouquet", "service", "plage", "libelle", "origine", "modifiee_par", "modifiee_le"],
                    "additionalProperties": false,
                    "properties": {
                        "bouquet": { "type": "string" },
                        "service": { "type": "string" },
                        "plage": nullable("string", "`HH:MM-HH:MM`, heure de Paris ; null : toute la journée."),
                        "libelle": { "type": "string", "description": "La plage en français." },
                        "origine": { "type": "string", "enum": ["caisse", "defaut", "aucune"] },
                        "modifiee_par": nullable("string", "Qui l'a fixée, si la caisse l'a fixée."),
                        "modifiee_le": nullable("string", "Quand, si la caisse l'a fixée.")
                    }
                } }
            }
        },
        "PlageOuvertureSaisie": {
            "type": "object", "required": ["plage"], "additionalProperties": false,
            "properties": { "plage": { "type": "string", "description": "`HH:MM-HH:MM`, par exemple `05:00-23:00`." } }
        }
    });
    if let Some(components) = doc.get_mut("components") {
        ajouter(components, "schemas", schemas);
    }
}
