//! The bilan annuel of a convention through the API (SPEC SU-4, CV-10), role `conventions` or
//! `supervision`: JSON, or CSV (one figure a line) to print or keep.

use super::caisse::StaffBearer;
use super::caisse_supervision::{ligne_csv, parametres, piece_jointe};
use crate::error::ApiError;
use crate::extract::Source;
use crate::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use partage_app::bilan::{Bilan, Mouvements, UsageMensuel};
use partage_app::supervision::Cible;
use partage_app::AppError;
use serde_json::{json, Value};

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/caisse/conventions/{numero}/bilan", get(bilan))
}

fn mouvements_json(m: &Mouvements) -> Value {
    json!({ "accordees": m.accordees, "modifiees": m.modifiees, "supprimees": m.supprimees })
}

/// The counters of a month's use, named as in the JSON and CSV answers.
fn compteurs(u: &UsageMensuel) -> [(&'static str, i64); 5] {
    [
        ("consultations", u.consultations),
        ("dossiers_trouves", u.trouves),
        ("dossiers_introuvables", u.introuvables),
        ("oppositions", u.oppositions),
        ("refus", u.refus),
    ]
}

fn bilan_json(b: &Bilan) -> Value {
    let mut totaux = serde_json::Map::new();
    let usage: Vec<Value> = b
        .usage
        .iter()
        .map(|u| {
            let mut v = json!({ "mois": u.mois, "bouquet": u.bouquet.map(|b| b.code()) });
            for (nom, n) in compteurs(u) {
                v[nom] = json!(n);
                let t = totaux.entry(nom.to_owned()).or_insert(json!(0));
                *t = json!(t.as_i64().unwrap_or_default() + n);
            }
            v
        })
        .collect();
    for (nom, _) in compteurs(&UsageMensuel::default()) {
        totaux.entry(nom.to_owned()).or_insert(json!(0));
    }
    json!({
        "annee": b.annee,
        "convention": b.convention.as_str(),
        "partenaire": { "numero_tiers": b.partenaire.as_str(), "nom": b.partenaire_nom },
        "bouquets": b.bouquets.iter().map(|b| b.code()).collect::<Vec<_>>(),
        "habilitations": {
            "plafond": b.plafond,
            "actives": b.habilitations_actives,
            "par_la_caisse": mouvements_json(&b.par_la_caisse),
            "par_le_partenaire": mouvements_json(&b.par_le_partenaire),
        },
        "usage": usage,
        "totaux": totaux,
        "alertes": b.alertes.iter().map(|(r, n)| (r.code().to_owned(), json!(n))).collect::<serde_json::Map<_, _>>(),
        "suspensions": b.suspensions.iter().map(|s| {
            let (utilisateur, partenaire) = match &s.cible {
                Cible::Utilisateur(i) => (Some(i.as_str()), None),
                Cible::Partenaire(t) => (None, Some(t.as_str())),
            };
            json!({
                "id": s.id,
                "utilisateur": utilisateur,
                "partenaire": partenaire,
                "jusqu_au": s.jusqu_au,
                "motif": s.acte.motif,
                "le": s.acte.le,
                "levee_le": s.levee.as_ref().map(|l| l.le),
            })
        }).collect::<Vec<_>>(),
    })
}

/// One figure a line: `section,mois,bouquet,indicateur,valeur`.
fn bilan_csv(b: &Bilan) -> String {
    let mut out = ligne_csv(["section", "mois", "bouquet", "indicateur", "valeur"].map(str::to_owned));
    let mut ligne = |section: &str, mois: String, bouquet: &str, indicateur: &str, valeur: String| {
        out.push_str(&ligne_csv([
            section.to_owned(),
            mois,
            bouquet.to_owned(),
            indicateur.to_owned(),
            valeur,
        ]));
    };
    ligne(
        "convention",
        String::new(),
        "",
        "numero",
        b.convention.to_string(),
    );
    ligne("convention", String::new(), "", "annee", b.annee.to_string());
    ligne(
        "convention",
        String::new(),
        "",
        "partenaire",
        b.partenaire.to_string(),
    );
    let plafond = b.plafond.map(|p| p.to_string()).unwrap_or_default();
    ligne("habilitations", String::new(), "", "plafond", plafond);
    ligne(
        "habilitations",
        String::new(),
        "",
        "actives",
        b.habilitations_actives.to_string(),
    );
    for (qui, m) in [("caisse", &b.par_la_caisse), ("partenaire", &b.par_le_partenaire)] {
        for (nom, n) in [
            ("accordees", m.accordees),
            ("modifiees", m.modifiees),
            ("supprimees", m.supprimees),
        ] {
            ligne(
                "habilitations",
                String::new(),
                "",
                &format!("{nom}_par_{qui}"),
                n.to_string(),
            );
        }
    }
    for u in &b.usage {
        let bouquet = u.bouquet.map(|b| b.code()).unwrap_or_default();
        for (nom, n) in compteurs(u) {
            ligne("usage", u.mois.to_string(), bouquet, nom, n.to_string());
        }
    }
    for (r, n) in &b.alertes {
        ligne("alertes", String::new(), "", r.code(), n.to_string());
    }
    ligne(
        "suspensions",
        String::new(),
        "",
        "nombre",
        b.suspensions.len().to_string(),
    );
    out
}

async fn bilan(
    State(state): State<AppState>,
    Source(source): Source,
    StaffBearer(staff): StaffBearer,
    Path(numero): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let p = parametres(query.as_deref(), &["annee", "format"])?;
    let csv = match p.get("format").map(String::as_str) {
        None | Some("json") => false,
        Some("csv") => true,
        Some(_) => return Err(AppError::RequeteInvalide("format : json ou csv".into()).into()),
    };
    let b = state
        .app
        .bilan_annuel(&staff, &numero, p.get("annee").map(String::as_str), &source)
        .await?;
    if !csv {
        return Ok(Json(bilan_json(&b)).into_response());
    }
    Ok(reponse_bilan_csv(&b))
}

/// The bilan as a CSV file to save.
pub(crate) fn reponse_bilan_csv(b: &Bilan) -> Response {
    let mut res = bilan_csv(b).into_response();
    piece_jointe(
        &mut res,
        "text/csv; charset=utf-8",
        &format!("bilan-{}-{}.csv", b.convention.as_str(), b.annee),
    );
    res
}

/// This part of the OpenAPI document, added by [`super::openapi::document`].
pub(crate) fn documenter(doc: &mut Value) {
    use super::openapi::{probleme, reponses};
    use super::openapi_caisse::{ajouter, erreurs_personnel, schema};
    let mut erreurs = erreurs_personnel("conventions ou supervision");
    erreurs.push((
        "400",
        probleme(
            "Année absente, mal écrite ou à venir ; format inconnu ; paramètre inconnu.",
            &["requete_invalide"],
        ),
    ));
    erreurs.push((
        "404",
        probleme("Aucune convention de ce numéro dans la caisse.", &["introuvable"]),
    ));
    ajouter(
        doc,
        "paths",
        json!({
            "/api/v1/caisse/conventions/{numero}/bilan": {
                "get": {
                    "operationId": "bilanAnnuel",
                    "summary": "Le bilan annuel d'une convention (SU-4, CV-10, rôle conventions ou supervision)",
                    "description": "Produit des données : plafond et habilitations détenues ; habilitations ouvertes, \
                        modifiées et supprimées dans l'année par la caisse (demandes faites) et par les \
                        administrateurs du partenaire (gestion déléguée) ; consultations du partenaire sur les \
                        bouquets de la convention par mois (UTC), avec dossiers trouvés, introuvables, oppositions et \
                        autres refus ; alertes d'abus sur le partenaire par règle ; suspensions du partenaire ou de ses \
                        agents. JSON, ou CSV (une valeur par ligne) en pièce jointe. Tracé.",
                    "tags": ["caisse"],
                    "parameters": [
                        { "name": "numero", "in": "path", "required": true, "schema": { "type": "string" } },
                        { "name": "annee", "in": "query", "required": true, "schema": { "type": "integer" } },
                        { "name": "format", "in": "query", "required": false, "schema": { "type": "string", "enum": ["json", "csv"] } }
                    ],
                    "responses": reponses(
                        ("200", json!({
                            "description": "Le bilan.",
                            "content": {
                                "application/json": { "schema": schema("BilanAnnuel") },
                                "text/csv": { "schema": { "type": "string" } }
                            }
                        })),
                        erreurs
                    )
                }
            }
        }),
    );
    let entier = json!({ "type": "integer", "minimum": 0 });
    let mouvements = json!({ "type": "object", "required": ["accordees", "modifiees", "supprimees"],
        "additionalProperties": false,
        "properties": { "accordees": entier, "modifiees": entier, "supprimees": entier } });
    let compteurs = json!({ "consultations": entier, "dossiers_trouves": entier, "dossiers_introuvables": entier,
        "oppositions": entier, "refus": entier });
    let mut usage = compteurs.clone();
    usage["mois"] = json!({ "type": "integer", "minimum": 1, "maximum": 12 });
    usage["bouquet"] = json!({ "type": ["string", "null"] });
    let noms = [
        "consultations",
        "dossiers_trouves",
        "dossiers_introuvables",
        "oppositions",
        "refus",
    ];
    let mut usage_requis = noms.to_vec();
    usage_requis.extend(["mois", "bouquet"]);
    let schemas = json!({
        "BilanAnnuel": {
            "type": "object",
            "required": ["annee", "convention", "partenaire", "bouquets", "habilitations", "usage", "totaux", "alertes", "suspensions"],
            "additionalProperties": false,
            "properties": {
                "annee": { "type": "integer" },
                "convention": { "type": "string" },
                "partenaire": { "type": "object", "required": ["numero_tiers", "nom"], "additionalProperties": false,
                    "properties": { "numero_tiers": { "type": "string" }, "nom": { "type": ["string", "null"] } } },
                "bouquets": { "type": "array", "items": { "type": "string" } },
                "habilitations": {
                    "type": "object",
                    "required": ["plafond", "actives", "par_la_caisse", "par_le_partenaire"],
                    "additionalProperties": false,
                    "properties": {
                        "plafond": { "type": ["integer", "null"], "description": "Null : pas de plafond." },
                        "actives": entier,
                        "par_la_caisse": mouvements,
                        "par_le_partenaire": mouvements
                    }
                },
                "usage": { "type": "array", "items": { "type": "object", "required": usage_requis, "additionalProperties": false, "properties": usage } },
                "totaux": { "type": "object", "required": noms, "additionalProperties": false, "properties": compteurs },
                "alertes": { "type": "object", "additionalProperties": { "type": "integer" }, "description": "Nombre d'alertes par règle." },
                "suspensions": { "type": "array", "items": {
                    "type": "object",
                    "required": ["id", "utilisateur", "partenaire", "jusqu_au", "motif", "le", "levee_le"],
                    "additionalProperties": false,
                    "properties": {
                        "id": { "type": "integer" },
                        "utilisateur": { "type": ["string", "null"] },
                        "partenaire": { "type": ["string", "null"] },
                        "jusqu_au": { "type": ["string", "null"], "format": "date-time" },
                        "motif": { "type": "string" },
                        "le": { "type": "string", "format": "date-time" },
                        "levee_le": { "type": ["string", "null"], "format": "date-time" }
                    }
                } }
            }
        }
    });
    if let Some(components) = doc.get_mut("components") {
        ajouter(components, "schemas", schemas);
    }
}
