//! A convention's lifecycle through the back office's API (SPEC CV-2 to CV-8): its state and history, and
//! the staff's acts, each with its document.

use super::caisse::StaffBearer;
use crate::error::ApiError;
use crate::extract::{Champs, FromJson, JsonBody, Source};
use crate::AppState;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::NaiveDate;
use partage_app::conventions::ConventionDetail;
use partage_app::AppError;
use partage_domain::gestion::{Acte, Document};
use serde_json::{json, Value};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/caisse/conventions/{numero}", get(detail))
        .route("/api/v1/caisse/conventions/{numero}/actes", post(agir))
}

fn vue(d: ConventionDetail) -> Value {
    let c = &d.convention;
    json!({
        "numero": c.numero.as_str(),
        "partenaire": c.partenaire.as_str(),
        "bouquets": c.bouquets.iter().map(|b| b.code()).collect::<Vec<_>>(),
        "cycle": d.cycle,
        "acces": {
            "signee_le": c.acces.signee_le,
            "formalite_cnil_le": c.acces.formalite_cnil_le,
            "fin_le": c.acces.fin_le,
        },
        "confidentialite_jusquau": d.cycle.confidentialite_jusquau(),
        "historique": d.historique.iter().map(|t| json!({
            "acte": t.acte,
            "cycle": t.cycle,
            "par": t.par,
            "horodatage": t.horodatage,
            "date_effet": t.date_effet,
            "document": t.document,
        })).collect::<Vec<_>>(),
    })
}

async fn detail(
    State(state): State<AppState>,
    Source(source): Source,
    StaffBearer(staff): StaffBearer,
    Path(numero): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(vue(state
        .app
        .convention_detail(&staff, &numero, &source)
        .await?)))
}

#[derive(Debug)]
pub(crate) struct ActeRecu {
    pub(crate) acte: String,
    pub(crate) date: String,
    pub(crate) partie: Option<String>,
    pub(crate) souhaitee_le: Option<String>,
    pub(crate) reference: String,
    pub(crate) recu_le: String,
}

impl FromJson for ActeRecu {
    fn from_json(c: &mut Champs) -> Option<Self> {
        let acte = c.texte("acte");
        let date = c.texte("date");
        let partie = c.texte_facultatif("partie");
        let souhaitee_le = c.texte_facultatif("souhaitee_le");
        let reference = c.texte("document_reference");
        let recu_le = c.texte("document_recu_le");
        Some(ActeRecu {
            acte: acte?,
            date: date?,
            partie,
            souhaitee_le,
            reference: reference?,
            recu_le: recu_le?,
        })
    }
}

pub(crate) fn jour(champ: &str, texte: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(texte.trim(), "%Y-%m-%d").map_err(|_| {
        format!(
            "{champ} : « {} » n'est pas une date AAAA-MM-JJ",
            texte.chars().take(20).collect::<String>()
        )
    })
}

impl ActeRecu {
    pub(crate) fn lire(&self) -> Result<(Acte, Document), AppError> {
        let mut erreurs = Vec::new();
        let date = jour("date", &self.date).map_err(|e| erreurs.push(e));
        let recu_le = jour("document_recu_le", &self.recu_le).map_err(|e| erreurs.push(e));
        let souhaitee = self
            .souhaitee_le
            .as_deref()
            .map(|s| jour("souhaitee_le", s))
            .transpose()
            .map_err(|e| erreurs.push(e));
        if let (Ok(date), Ok(recu_le), Ok(souhaitee)) = (date, recu_le, souhaitee) {
            match Acte::depuis(&self.acte, date, self.partie.as_deref(), souhaitee) {
                Ok(acte) => {
                    return Ok((
                        acte,
                        Document {
                            reference: self.reference.clone(),
                            recu_le,
                        },
                    ))
                }
                Err(e) => erreurs.push(e),
            }
        }
        Err(AppError::RequeteInvalide(erreurs.join(" ; ")))
    }
}

async fn agir(
    State(state): State<AppState>,
    Source(source): Source,
    StaffBearer(staff): StaffBearer,
    Path(numero): Path<String>,
    JsonBody(body): JsonBody<ActeRecu>,
) -> Result<Json<Value>, ApiError> {
    let (acte, document) = body.lire()?;
    Ok(Json(vue(state
        .app
        .agir_sur_convention(&staff, &numero, acte, document, &source)
        .await?)))
}
