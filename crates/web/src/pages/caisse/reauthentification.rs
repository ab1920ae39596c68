//! Typing the password again before a sensitive act (grant, reset, suspension…): the use cases refuse
//! such an act when the password is more than ten minutes old, and [`super::erreur`] sends the staff member
//! here, with the page to go back to.

use super::{erreur, retour_sur, NavCaisse, StaffPage};
use crate::extract::Source;
use crate::pages::{rendre, PageForm};
use crate::AppState;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use partage_app::AppError;
use secrecy::SecretString;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "caisse/reauthentification.html")]
struct Reauthentification<'a> {
    nav: NavCaisse,
    retour: &'a str,
    minutes: i64,
    erreur: Option<&'a str>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Retour {
    #[serde(default)]
    retour: String,
}

pub(crate) async fn afficher(
    State(state): State<AppState>,
    StaffPage(session): StaffPage,
    query: Result<Query<Retour>, QueryRejection>,
) -> Response {
    let retour = query.map(|Query(q)| q.retour).unwrap_or_default();
    if let Err(e) = state.app.touch_personnel(&session.staff).await {
        return erreur(e, None, "/caisse/tableau");
    }
    rendre(
        StatusCode::OK,
        &Reauthentification {
            nav: session.nav(),
            retour: retour_sur(&retour),
            minutes: partage_app::personnel::FRAICHEUR_ACTE_SENSIBLE.num_minutes(),
            erreur: None,
        },
    )
}

#[derive(Deserialize)]
pub(crate) struct Confirmation {
    #[serde(default)]
    mot_de_passe: String,
    #[serde(default)]
    retour: String,
}

pub(crate) async fn confirmer(
    State(state): State<AppState>,
    Source(source): Source,
    StaffPage(session): StaffPage,
    PageForm(form): PageForm<Confirmation>,
) -> Response {
    let retour = retour_sur(&form.retour);
    match state
        .app
        .reauthentifier_personnel(&session.staff, SecretString::from(form.mot_de_passe), &source)
        .await
    {
        Ok(()) => Redirect::to(retour).into_response(),
        Err(AppError::ReauthentificationRefusee) => rendre(
            StatusCode::FORBIDDEN,
            &Reauthentification {
                nav: session.nav(),
                retour,
                minutes: partage_app::personnel::FRAICHEUR_ACTE_SENSIBLE.num_minutes(),
                erreur: Some("Mot de passe incorrect : votre identité n'est pas confirmée."),
            },
        ),
        Err(e) => erreur(e, Some(session.nav()), retour),
    }
}
