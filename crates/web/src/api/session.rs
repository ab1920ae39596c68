//! AU-1, AU-2: opening a session, changing the password, closing the session.

use crate::error::ApiError;
use crate::extract::{Agent, Champs, FromJson, JsonBody, Source};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use partage_app::LoginOutcome;
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;

#[derive(Debug)]
pub(crate) struct Connexion {
    pub(crate) caisse: String,
    pub(crate) identifiant: String,
    pub(crate) mot_de_passe: SecretString,
    /// The one-time code, for an account whose second factor is active.
    pub(crate) code_totp: Option<SecretString>,
}

impl FromJson for Connexion {
    fn from_json(c: &mut Champs) -> Option<Self> {
        let caisse = c.texte("caisse");
        let identifiant = c.texte("identifiant");
        let mot_de_passe = c.texte("mot_de_passe").map(SecretString::from);
        let code_totp = c.texte_optionnel("code_totp");
        Some(Connexion {
            caisse: caisse?,
            identifiant: identifiant?,
            mot_de_passe: mot_de_passe?,
            code_totp: code_totp.ok()?.map(SecretString::from),
        })
    }
}

#[derive(Debug, Serialize)]
pub(crate) struct SessionOuverte {
    jeton: String,
    changement_mot_de_passe_requis: bool,
    expiration_inactivite_s: i64,
}

pub(crate) async fn ouvrir(
    State(state): State<AppState>,
    Source(source): Source,
    JsonBody(body): JsonBody<Connexion>,
) -> Result<(StatusCode, Json<SessionOuverte>), ApiError> {
    let outcome = state
        .app
        .login(
            &body.caisse,
            &body.identifiant,
            body.mot_de_passe,
            body.code_totp.as_ref().map(|c| c.expose_secret()),
            &source,
        )
        .await?;
    Ok(session_ouverte(outcome))
}

/// The answer to a login, on the partners' entrance and on the staff's.
pub(crate) fn session_ouverte(outcome: LoginOutcome) -> (StatusCode, Json<SessionOuverte>) {
    (
        StatusCode::CREATED,
        Json(SessionOuverte {
            jeton: outcome.jeton.expose_secret().to_owned(),
            changement_mot_de_passe_requis: outcome.changement_mot_de_passe_requis,
            expiration_inactivite_s: outcome.expiration_inactivite_s,
        }),
    )
}

#[derive(Debug)]
pub(crate) struct ChangementMotDePasse {
    pub(crate) actuel: SecretString,
    pub(crate) nouveau: SecretString,
}

impl FromJson for ChangementMotDePasse {
    fn from_json(c: &mut Champs) -> Option<Self> {
        let actuel = c.texte("actuel").map(SecretString::from);
        let nouveau = c.texte("nouveau").map(SecretString::from);
        Some(ChangementMotDePasse {
            actuel: actuel?,
            nouveau: nouveau?,
        })
    }
}

pub(crate) async fn changer_mot_de_passe(
    State(state): State<AppState>,
    Source(source): Source,
    Agent(agent): Agent,
    JsonBody(body): JsonBody<ChangementMotDePasse>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .change_password(&agent, body.actuel, body.nouveau, &source)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(crate) async fn fermer(
    State(state): State<AppState>,
    Source(source): Source,
    Agent(agent): Agent,
) -> Result<StatusCode, ApiError> {
    state.app.logout(&agent, &source).await?;
    Ok(StatusCode::NO_CONTENT)
}
