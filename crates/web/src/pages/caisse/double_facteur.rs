//! The staff member's second factor (`/caisse/double-facteur`), through the same use cases as
//! `/api/v1/caisse/session/double-facteur`: open once the temporary password is replaced (AU-2), and the
//! only back-office page, with the password change, that a member whose caisse requires the factor reaches
//! before he has activated it. See [`crate::pages::double_facteur`] for what the page shows.

use super::{erreur, NavCaisse, StaffSession};
use crate::extract::Source;
use crate::pages::double_facteur::{sans_cache, vient_d_etre_active, Code, Contenu, Retour};
use crate::pages::{rendre, PageForm};
use crate::AppState;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use partage_app::AppError;

const BASE: &str = "/caisse/double-facteur";
const SUITE: &str = "/caisse/tableau";

#[derive(Template)]
#[template(path = "caisse/double_facteur.html")]
struct Page {
    nav: NavCaisse,
    f: Contenu,
}

/// A staff session whose temporary password is replaced (AU-2), with or without the factor its caisse
/// requires.
#[derive(Debug)]
pub(crate) struct SansFacteur(StaffSession);

impl FromRequestParts<AppState> for SansFacteur {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let session = StaffSession::from_request_parts(parts, state).await?;
        if session.staff.personnel.must_change_password {
            return Err(Redirect::to("/caisse/mot-de-passe").into_response());
        }
        Ok(SansFacteur(session))
    }
}

pub(crate) async fn afficher(
    State(state): State<AppState>,
    SansFacteur(session): SansFacteur,
    query: Result<Query<Retour>, QueryRejection>,
) -> Response {
    if let Err(e) = state.app.touch_personnel(&session.staff).await {
        return erreur(e, None, BASE);
    }
    let mut f = Contenu::etat(BASE, SUITE, session.staff.double_facteur);
    f.vient_d_etre_active = vient_d_etre_active(query);
    rendre(
        StatusCode::OK,
        &Page {
            nav: session.nav(),
            f,
        },
    )
}

pub(crate) async fn enroler(
    State(state): State<AppState>,
    Source(source): Source,
    SansFacteur(session): SansFacteur,
) -> Response {
    match state.app.enroler_double_facteur(&session.staff, &source).await {
        Ok(e) => sans_cache(rendre(
            StatusCode::OK,
            &Page {
                nav: session.nav(),
                f: Contenu::enrolement(BASE, SUITE, &e),
            },
        )),
        Err(e) => erreur(e, Some(session.nav()), BASE),
    }
}

pub(crate) async fn activer(
    State(state): State<AppState>,
    Source(source): Source,
    SansFacteur(session): SansFacteur,
    PageForm(form): PageForm<Code>,
) -> Response {
    match state
        .app
        .activer_double_facteur(&session.staff, &form.chiffres(), &source)
        .await
    {
        Ok(()) => Redirect::to("/caisse/double-facteur?active=1").into_response(),
        Err(e @ AppError::CodeTotpRefuse) => rendre(
            StatusCode::UNPROCESSABLE_ENTITY,
            &Page {
                nav: session.nav(),
                f: Contenu::code_refuse(BASE, SUITE, &e),
            },
        ),
        Err(e) => erreur(e, Some(session.nav()), BASE),
    }
}
