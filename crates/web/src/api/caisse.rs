//! The caisse's back office through the API (SPEC Actors): the staff's own session, apart from the
//! partners' (`/api/v1/caisse/session`), and the staff accounts. A partner agent's token is unknown here,
//! and a staff token is unknown to the partners' routes.

use super::session::{session_ouverte, ChangementMotDePasse, Connexion, SessionOuverte};
use crate::error::ApiError;
use crate::extract::{bearer, Champs, FromJson, JsonBody, Source};
use crate::AppState;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use partage_app::personnel::Personnel;
use partage_app::personnel::{NouveauPersonnel, Staff};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/caisse/session", post(ouvrir).delete(fermer))
        .route("/api/v1/caisse/session/mot-de-passe", put(changer_mot_de_passe))
        .route("/api/v1/caisse/session/reauthentification", post(reauthentifier))
        .route("/api/v1/caisse/personnels", get(lister).post(creer))
}

/// A staff member authenticated by `Authorization: Bearer <jeton>` from `POST /api/v1/caisse/session`.
#[derive(Debug, Clone)]
pub(crate) struct StaffBearer(pub Staff);

impl FromRequestParts<AppState> for StaffBearer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = bearer(parts)?;
        let source = Source::of(parts);
        Ok(StaffBearer(
            state.app.authenticate_personnel(token, &source.0).await?,
        ))
    }
}

async fn ouvrir(
    State(state): State<AppState>,
    Source(source): Source,
    JsonBody(connexion): JsonBody<Connexion>,
) -> Result<(StatusCode, Json<SessionOuverte>), ApiError> {
    let outcome = state
        .app
        .login_personnel(
            &connexion.caisse,
            &connexion.identifiant,
            connexion.mot_de_passe,
            connexion.code_totp.as_ref().map(|c| c.expose_secret()),
            &source,
        )
        .await?;
    Ok(session_ouverte(outcome))
}

async fn fermer(
    State(state): State<AppState>,
    Source(source): Source,
    StaffBearer(staff): StaffBearer,
) -> Result<StatusCode, ApiError> {
    state.app.logout_personnel(&staff, &source).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn changer_mot_de_passe(
    State(state): State<AppState>,
    Source(source): Source,
    StaffBearer(staff): StaffBearer,
    JsonBody(body): JsonBody<ChangementMotDePasse>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .change_password_personnel(&staff, body.actuel, body.nouveau, &source)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The password typed again before a sensitive act.
pub(crate) struct Reauthentification {
    mot_de_passe: SecretString,
}

impl std::fmt::Debug for Reauthentification {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Reauthentification(<masqué>)")
    }
}

impl FromJson for Reauthentification {
    fn from_json(c: &mut Champs) -> Option<Self> {
        Some(Reauthentification {
            mot_de_passe: SecretString::from(c.texte("mot_de_passe")?),
        })
    }
}

async fn reauthentifier(
    State(state): State<AppState>,
    Source(source): Source,
    StaffBearer(staff): StaffBearer,
    JsonBody(body): JsonBody<Reauthentification>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .reauthentifier_personnel(&staff, body.mot_de_passe, &source)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize)]
pub(crate) struct PersonnelVue {
    identifiant: String,
    nom: String,
    prenom: String,
    email: String,
    roles: Vec<&'static str>,
    actif: bool,
    changement_mot_de_passe_requis: bool,
}

impl From<Personnel> for PersonnelVue {
    fn from(p: Personnel) -> Self {
        PersonnelVue {
            identifiant: p.identifiant.to_string(),
            roles: p.roles.iter().map(|r| r.code()).collect(),
            nom: p.nom,
            prenom: p.prenom,
            email: p.email,
            actif: p.active,
            changement_mot_de_passe_requis: p.must_change_password,
        }
    }
}

async fn lister(
    State(state): State<AppState>,
    Source(source): Source,
    StaffBearer(staff): StaffBearer,
) -> Result<Json<Vec<PersonnelVue>>, ApiError> {
    let liste = state.app.personnels(&staff, &source).await?;
    Ok(Json(liste.into_iter().map(PersonnelVue::from).collect()))
}

impl FromJson for NouveauPersonnel {
    fn from_json(c: &mut Champs) -> Option<Self> {
        let identifiant = c.texte("identifiant");
        let nom = c.texte("nom");
        let prenom = c.texte("prenom");
        let email = c.texte("email");
        let roles = c.liste_de_textes("roles");
        Some(NouveauPersonnel {
            identifiant: identifiant?,
            nom: nom?,
            prenom: prenom?,
            email: email?,
            roles: roles?.join(","),
        })
    }
}

#[derive(Debug, Serialize)]
pub(crate) struct PersonnelCree {
    identifiant: String,
    mot_de_passe_provisoire: String,
}

async fn creer(
    State(state): State<AppState>,
    Source(source): Source,
    StaffBearer(staff): StaffBearer,
    JsonBody(body): JsonBody<NouveauPersonnel>,
) -> Result<(StatusCode, Json<PersonnelCree>), ApiError> {
    let provisoire = state.app.creer_personnel(&staff, &body, &source).await?;
    Ok((
        StatusCode::CREATED,
        Json(PersonnelCree {
            identifiant: body.identifiant.trim().to_owned(),
            mot_de_passe_provisoire: provisoire.expose_secret().to_owned(),
        }),
    ))
}
