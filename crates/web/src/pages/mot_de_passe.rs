//! Changing the password (AU-1, AU-2): the only page open while the password is temporary.

use super::session::PageSession;
use super::PageForm;
use super::{depuis_erreur, phrase, rendre, Nav};
use crate::extract::Source;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use partage_app::AppError;
use secrecy::SecretString;
use serde::Deserialize;

#[derive(Template, Default)]
#[template(path = "mot_de_passe.html")]
struct MotDePasse {
    nav: Nav,
    action: &'static str,
    provisoire: bool,
    longueur_min: usize,
    erreur_actuel: Option<String>,
    erreur_nouveau: Option<String>,
    erreur_confirmation: Option<String>,
}

impl MotDePasse {
    fn pour(session: &PageSession) -> MotDePasse {
        MotDePasse {
            nav: session.nav(),
            action: "/mot-de-passe",
            provisoire: session.agent.session.must_change_password,
            longueur_min: partage_domain::password::LONGUEUR_MIN,
            ..MotDePasse::default()
        }
    }
}

pub(crate) async fn afficher(State(state): State<AppState>, session: PageSession) -> Response {
    if let Err(e) = state.app.touch(&session.agent).await {
        return depuis_erreur(e);
    }
    rendre(StatusCode::OK, &MotDePasse::pour(&session))
}

#[derive(Deserialize)]
pub(crate) struct Changement {
    #[serde(default)]
    actuel: String,
    #[serde(default)]
    nouveau: String,
    #[serde(default)]
    confirmation: String,
}

pub(crate) async fn changer(
    State(state): State<AppState>,
    Source(source): Source,
    session: PageSession,
    PageForm(form): PageForm<Changement>,
) -> Response {
    let mut page = MotDePasse::pour(&session);
    // A typing mistake is caught here, before the use case: it is not a refusal of the password policy.
    if form.nouveau != form.confirmation {
        if let Err(e) = state.app.touch(&session.agent).await {
            return depuis_erreur(e);
        }
        page.erreur_confirmation =
            Some("La confirmation ne correspond pas au nouveau mot de passe.".to_owned());
        return rendre(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let actuel = SecretString::from(form.actuel);
    let nouveau = SecretString::from(form.nouveau);
    match state
        .app
        .change_password(&session.agent, actuel, nouveau, &source)
        .await
    {
        Ok(()) => Redirect::to("/qf").into_response(),
        Err(e @ AppError::MotDePasseRefuse(_)) => {
            let message = phrase(&e.to_string());
            // The message names the field at fault; put it next to that field.
            if message.contains("actuel est incorrect") {
                page.erreur_actuel = Some(message);
            } else {
                page.erreur_nouveau = Some(message);
            }
            rendre(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => depuis_erreur(e),
    }
}
