//! Gestion déléguée through the API (SPEC HB-9, CV-12): the partner's gestionnaire principal or suppléant,
//! logged in as his named partner user, manages his own organisation's habilitations on the conventions the
//! caisse delegated: access, modification, suppression, suspension and reactivation. The partner is his
//! session's, never the body's: he cannot name another organisation.

use super::caisse_habilitations::{agent, nature_acte};
use crate::error::ApiError;
use crate::extract::{Agent, Champs, FromJson, JsonBody, Source};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use partage_app::habilitations::ActeDelegue;
use partage_domain::habilitation::NatureActe;
use secrecy::ExposeSecret;
use serde_json::{json, Value};

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/gestion/habilitations", post(gerer))
}

#[derive(Debug)]
pub(crate) struct ActeRecu {
    nature: String,
    acte: ActeDelegue,
}

impl FromJson for ActeRecu {
    fn from_json(c: &mut Champs) -> Option<Self> {
        let nature = c.texte("nature");
        let convention = c.texte("convention");
        let bouquet = c.texte("bouquet");
        let utilisateur = c.texte_facultatif("utilisateur");
        // The agent's details, for an access or a modification.
        let fiche = if c.contient("nom") || c.contient("prenom") || c.contient("email") {
            Some(agent(c)?)
        } else {
            None
        };
        Some(ActeRecu {
            nature: nature?,
            acte: ActeDelegue {
                nature: NatureActe::Acces,
                convention: convention?,
                bouquet: bouquet?,
                utilisateur,
                agent: fiche,
            },
        })
    }
}

async fn gerer(
    State(state): State<AppState>,
    Source(source): Source,
    Agent(admin): Agent,
    JsonBody(body): JsonBody<ActeRecu>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let nature = nature_acte(&body.nature)?;
    let acte = ActeDelegue { nature, ..body.acte };
    let (identifiant, provisoire) = state.app.gerer_habilitation(&admin, acte, &source).await?;
    let status = if provisoire.is_some() {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        Json(json!({
            "nature": nature,
            "identifiant": identifiant.as_str(),
            "mot_de_passe_provisoire": provisoire.as_ref().map(|p| p.expose_secret()),
        })),
    ))
}
