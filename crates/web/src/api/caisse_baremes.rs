//! The PSU barème through the back office's API (issue #5): the caisse's periods, and adding one (role
//! `conventions`). The same use cases as the page `/caisse/baremes-psu`.

use super::caisse::StaffBearer;
use crate::error::ApiError;
use crate::extract::{Champs, FromJson, JsonBody, Source};
use crate::AppState;
use axum::extract::Path;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use partage_app::baremes::SaisieBareme;
use partage_domain::bareme::{BaremePsu, TauxEffort, TypeAccueil};
use partage_domain::Euros;
use serde_json::{json, Value};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/caisse/baremes-psu", get(lister).post(ajouter))
        .route("/api/v1/caisse/baremes-psu/{debut}/cloture", post(clore))
}

/// An amount as the import writes it: `801.00`.
fn montant(e: Euros) -> String {
    format!("{}.{:02}", e.centimes() / 100, e.centimes() % 100)
}

/// A rate as the import writes it: `0.0619` (percent).
pub(crate) fn taux(t: &TauxEffort) -> String {
    format!("0.{:04}", t.millioniemes())
}

pub(crate) fn baremes_json(baremes: &[BaremePsu]) -> Value {
    let liste: Vec<Value> = baremes
        .iter()
        .map(|b| {
            json!({
                "debut": b.debut().to_string(),
                "fin": b.fin().map(|f| f.to_string()),
                "plancher_mensuel": montant(b.plancher_mensuel()),
                "plafond_mensuel": montant(b.plafond_mensuel()),
                "collectif": b.taux(TypeAccueil::Collectif).iter().map(taux).collect::<Vec<_>>(),
                "familial": b.taux(TypeAccueil::Familial).iter().map(taux).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({ "baremes": liste })
}

async fn lister(
    State(state): State<AppState>,
    Source(source): Source,
    StaffBearer(staff): StaffBearer,
) -> Result<Json<Value>, ApiError> {
    let baremes = state.app.baremes_psu_caisse(&staff, &source).await?;
    Ok(Json(baremes_json(&baremes)))
}

#[derive(Debug)]
pub(crate) struct BaremeRecu(SaisieBareme);

impl FromJson for BaremeRecu {
    fn from_json(c: &mut Champs) -> Option<Self> {
        let debut = c.texte("debut");
        let fin = c.texte_optionnel("fin");
        let plancher_mensuel = c.texte("plancher_mensuel");
        let plafond_mensuel = c.texte("plafond_mensuel");
        let collectif = c.liste_de_textes("collectif");
        let familial = c.liste_de_textes("familial");
        Some(BaremeRecu(SaisieBareme {
            debut: debut?,
            fin: fin.ok()?.unwrap_or_default(),
            plancher_mensuel: plancher_mensuel?,
            plafond_mensuel: plafond_mensuel?,
            collectif: collectif?,
            familial: familial?,
        }))
    }
}

async fn ajouter(
    State(state): State<AppState>,
    Source(source): Source,
    StaffBearer(staff): StaffBearer,
    JsonBody(BaremeRecu(saisie)): JsonBody<BaremeRecu>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let baremes = state.app.ajouter_bareme_psu(&staff, &saisie, &source).await?;
    Ok((StatusCode::CREATED, Json(baremes_json(&baremes))))
}

/// The body of a closing: `{"fin": "AAAA-MM-JJ"}`.
#[derive(Debug)]
pub(crate) struct Cloture(String);

impl FromJson for Cloture {
    fn from_json(c: &mut Champs) -> Option<Self> {
        c.texte("fin").map(Cloture)
    }
}

async fn clore(
    State(state): State<AppState>,
    Source(source): Source,
    StaffBearer(staff): StaffBearer,
    Path(debut): Path<String>,
    JsonBody(Cloture(fin)): JsonBody<Cloture>,
) -> Result<Json<Value>, ApiError> {
    let baremes = state.app.clore_bareme_psu(&staff, &debut, &fin, &source).await?;
    Ok(Json(baremes_json(&baremes)))
}

pub(crate) fn documenter(doc: &mut Value) {
    use super::openapi::{corps_json, probleme, reponses};
    use super::openapi_caisse::{ajouter, erreurs_personnel, json_de};
    let paths = json!({
        "/api/v1/caisse/baremes-psu": {
            "get": {
                "operationId": "baremesPsu",
                "summary": "Les périodes du barème PSU de la caisse (rôle conventions)",
                "description": "La plus ancienne d'abord. Montants en euros, taux d'effort en pourcentage (`0.0619` \
                    pour 0,0619 %), un par nombre d'enfants à charge, le dernier valant pour les familles plus \
                    nombreuses.",
                "tags": ["caisse"],
                "responses": reponses(("200", json_de("Le barème.", "BaremesPsu")), erreurs_personnel("conventions"))
            },
            "post": {
                "operationId": "ajouterBaremePsu",
                "summary": "Ajouter une période au barème PSU de la caisse (rôle conventions)",
                "description": "Vérifiée comme une ligne `bareme_psu` de l'import : plancher au plus égal au \
                    plafond, fin après le début, un taux au moins par colonne, et aucune autre période en vigueur \
                    un même jour. Refusée, rien n'est écrit ; chaque champ en faute est nommé dans `detail` \
                    (`champ : raison`, séparés par ` ; `). Tracé.",
                "tags": ["caisse"],
                "requestBody": corps_json("BaremePsuSaisie"),
                "responses": reponses(
                    ("201", json_de("Le barème avec la nouvelle période.", "BaremesPsu")),
                    {
                        let mut v = erreurs_personnel("conventions");
                        v.push(("409", probleme("Le barème a changé pendant l'ajout : relire et recommencer.", &["transition_refusee"])));
                        v.push(("422", probleme("Période refusée : champ illisible, plancher au-dessus du plafond, périodes qui se chevauchent.", &["bareme_refuse"])));
                        v
                    }
                )
            }
        }
    });
    ajouter(doc, "paths", paths);
    let cloture = json!({
        "/api/v1/caisse/baremes-psu/{debut}/cloture": {
            "post": {
                "operationId": "cloreBaremePsu",
                "summary": "Clore une période du barème PSU à une date, pour ajouter la suivante (rôle conventions)",
                "description": "La période qui commence le `debut` (AAAA-MM-JJ) finit le `fin` du corps, son dernier \
                    jour. Refusée, rien n'est écrit : période inconnue, date illisible, fin avant le début, ou \
                    chevauchement avec une autre période. Tracé.",
                "tags": ["caisse"],
                "parameters": [{ "name": "debut", "in": "path", "required": true, "schema": { "type": "string" },
                    "description": "Premier jour de la période, AAAA-MM-JJ." }],
                "requestBody": corps_json("BaremePsuCloture"),
                "responses": reponses(
                    ("200", json_de("Le barème avec la période close.", "BaremesPsu")),
                    {
                        let mut v = erreurs_personnel("conventions");
                        v.push(("404", probleme("Aucune période ne commence ce jour-là.", &["introuvable"])));
                        v.push(("409", probleme("Le barème a changé entre-temps : relire et recommencer.", &["transition_refusee"])));
                        v.push(("422", probleme("Clôture refusée : date illisible, fin avant le début, chevauchement.", &["bareme_refuse"])));
                        v
                    }
                )
            }
        }
    });
    ajouter(doc, "paths", cloture);
    let textes = |description: &str| json!({ "type": "array", "items": { "type": "string" }, "description": description });
    let texte = |description: &str| json!({ "type": "string", "description": description });
    let periode = |requis: Value, fin: Value| {
        json!({
            "type": "object", "required": requis, "additionalProperties": false,
            "properties": {
                "debut": texte("Premier jour, AAAA-MM-JJ."),
                "fin": fin,
                "plancher_mensuel": texte("Plancher des ressources mensuelles, en euros (`801.00`)."),
                "plafond_mensuel": texte("Plafond des ressources mensuelles, en euros."),
                "collectif": textes("Taux d'effort de l'accueil collectif pour 1, 2, 3… enfants à charge."),
                "familial": textes("Taux d'effort de l'accueil familial, parental ou micro-crèche.")
            }
        })
    };
    let schemas = json!({
        "BaremesPsu": {
            "type": "object", "required": ["baremes"], "additionalProperties": false,
            "properties": { "baremes": { "type": "array", "items": periode(
                json!(["debut", "fin", "plancher_mensuel", "plafond_mensuel", "collectif", "familial"]),
                json!({ "type": ["string", "null"], "description": "Dernier jour inclus ; null : sans fin." })
            ) } }
        },
        "BaremePsuSaisie": periode(
            json!(["debut", "plancher_mensuel", "plafond_mensuel", "collectif", "familial"]),
            texte("Dernier jour inclus, AAAA-MM-JJ ; absent ou vide : sans fin.")
        ),
        "BaremePsuCloture": {
            "type": "object", "required": ["fin"], "additionalProperties": false,
            "properties": { "fin": texte("Dernier jour de la période, AAAA-MM-JJ.") }
        }
    });
    if let Some(components) = doc.get_mut("components") {
        ajouter(components, "schemas", schemas);
    }
}
