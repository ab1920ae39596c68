//! The second factor through the API (issue "security", part 5): a staff member or a partner agent enrols
//! his authenticator and confirms it with a first code; an admin requires it of the caisse's staff and of its
//! partners' administrators; the caisse removes a factor when a phone is lost.

use super::caisse::StaffBearer;
use crate::error::ApiError;
use crate::extract::{Agent, Champs, FromJson, JsonBody, Source};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, post, put};
use axum::{Json, Router};
use serde::Serialize;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/caisse/session/double-facteur", post(enroler))
        .route("/api/v1/caisse/session/double-facteur/activation", post(activer))
        .route("/api/v1/caisse/double-facteur", put(exiger))
        .route(
            "/api/v1/caisse/personnels/{identifiant}/double-facteur",
            delete(retirer),
        )
        .route("/api/v1/session/double-facteur", post(enroler_agent))
        .route("/api/v1/session/double-facteur/activation", post(activer_agent))
        .route(
            "/api/v1/caisse/utilisateurs/{identifiant}/double-facteur",
            delete(retirer_agent),
        )
}

#[derive(Debug, Serialize)]
pub(crate) struct EnrolementVue {
    secret: String,
    uri: String,
}

async fn enroler(
    State(state): State<AppState>,
    Source(source): Source,
    StaffBearer(staff): StaffBearer,
) -> Result<(StatusCode, Json<EnrolementVue>), ApiError> {
    let e = state.app.enroler_double_facteur(&staff, &source).await?;
    Ok((
        StatusCode::CREATED,
        Json(EnrolementVue {
            secret: e.secret,
            uri: e.uri,
        }),
    ))
}

#[derive(Debug)]
pub(crate) struct Code {
    code: String,
}

impl FromJson for Code {
    fn from_json(c: &mut Champs) -> Option<Self> {
        Some(Code {
            code: c.texte("code")?,
        })
    }
}

async fn activer(
    State(state): State<AppState>,
    Source(source): Source,
    StaffBearer(staff): StaffBearer,
    JsonBody(body): JsonBody<Code>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .activer_double_facteur(&staff, &body.code, &source)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug)]
pub(crate) struct Exigence {
    personnel: bool,
    administrateurs_partenaires: bool,
}

impl FromJson for Exigence {
    fn from_json(c: &mut Champs) -> Option<Self> {
        let personnel = c.booleen("personnel");
        let administrateurs_partenaires = c.booleen("administrateurs_partenaires");
        Some(Exigence {
            personnel: personnel?,
            administrateurs_partenaires: administrateurs_partenaires?,
        })
    }
}

async fn exiger(
    State(state): State<AppState>,
    Source(source): Source,
    StaffBearer(staff): StaffBearer,
    JsonBody(body): JsonBody<Exigence>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .exiger_double_facteur(&staff, body.personnel, body.administrateurs_partenaires, &source)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn retirer(
    State(state): State<AppState>,
    Source(source): Source,
    StaffBearer(staff): StaffBearer,
    Path(identifiant): Path<String>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .retirer_double_facteur(&staff, &identifiant, &source)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn enroler_agent(
    State(state): State<AppState>,
    Source(source): Source,
    Agent(agent): Agent,
) -> Result<(StatusCode, Json<EnrolementVue>), ApiError> {
    let e = state.app.enroler_double_facteur_agent(&agent, &source).await?;
    Ok((
        StatusCode::CREATED,
        Json(EnrolementVue {
            secret: e.secret,
            uri: e.uri,
        }),
    ))
}

async fn activer_agent(
    State(state): State<AppState>,
    Source(source): Source,
    Agent(agent): Agent,
    JsonBody(body): JsonBody<Code>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .activer_double_facteur_agent(&agent, &body.code, &source)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn retirer_agent(
    State(state): State<AppState>,
    Source(source): Source,
    StaffBearer(staff): StaffBearer,
    Path(identifiant): Path<String>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .retirer_double_facteur_agent(&staff, &identifiant, &source)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
