//! The staff member's password change (AU-1, AU-2): the only back-office page open while it is temporary.

use super::{erreur, NavCaisse, StaffSession};
use crate::extract::Source;
use crate::pages::{phrase, rendre, PageForm};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use partage_app::AppError;
use secrecy::SecretString;
use serde::Deserialize;

#[derive(Template, Default)]
#[template(path = "caisse/mot_de_passe.html")]
struct MotDePasse {
    nav: NavCaisse,
    action: &'static str,
    provisoire: bool,
    longueur_min: usize,
    erreur_actuel: Option<String>,
    erreur_nouveau: Option<String>,
    erreur_confirmation: Option<String>,
}

impl MotDePasse {
    fn pour(session: &StaffSession) -> MotDePasse {
        MotDePasse {
            nav: session.nav(),
            action: "/caisse/mot-de-passe",
            provisoire: session.staff.personnel.must_change_password,
            longueur_min: partage_domain::password::LONGUEUR_MIN,
            ..MotDePasse::default()
        }
    }
}

pub(crate) async fn afficher(State(state): State<AppState>, session: StaffSession) -> Response {
    if let Err(e) = state.app.touch_personnel(&session.staff).await {
        return erreur(e, None, "/caisse/mot-de-passe");
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
    session: StaffSession,
    PageForm(form): PageForm<Changement>,
) -> Response {
    let mut page = MotDePasse::pour(&session);
    if form.nouveau != form.confirmation {
        if let Err(e) = state.app.touch_personnel(&session.staff).await {
            return erreur(e, None, "/caisse/mot-de-passe");
        }
        page.erreur_confirmation =
            Some("La confirmation ne correspond pas au nouveau mot de passe.".to_owned());
        return rendre(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    match state
        .app
        .change_password_personnel(
            &session.staff,
            SecretString::from(form.actuel),
            SecretString::from(form.nouveau),
            &source,
        )
        .await
    {
        Ok(()) => Redirect::to("/caisse/tableau").into_response(),
        Err(e @ AppError::MotDePasseRefuse(_)) => {
            let message = phrase(&e.to_string());
            if message.contains("actuel est incorrect") {
                page.erreur_actuel = Some(message);
            } else {
                page.erreur_nouveau = Some(message);
            }
            rendre(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => erreur(e, Some(session.nav()), "/caisse/mot-de-passe"),
    }
}
