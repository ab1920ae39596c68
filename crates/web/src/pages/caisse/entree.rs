//! The staff's entrance (`/caisse`): the login form, or straight to the work list for a signed-in member.

use super::{erreur, StaffSession};
use crate::cookies;
use crate::extract::Source;
use crate::pages::accueil::login_csrf;
use crate::pages::{rendre, PageForm};
use crate::AppState;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use partage_app::AppError;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

#[derive(Template, Default)]
#[template(path = "caisse/entree.html")]
struct Entree {
    nav: super::NavCaisse,
    csrf: String,
    delai_minutes: i64,
    expiree: bool,
    erreur: Option<String>,
    caisse: String,
    identifiant: String,
}

fn page(state: &AppState, headers: &HeaderMap, status: StatusCode, mut entree: Entree) -> Response {
    let (token, cookie) = login_csrf(state, headers);
    entree.csrf = token;
    entree.delai_minutes = state.app.settings().sessions.inactivite.num_minutes();
    let mut response = rendre(status, &entree);
    if let Some(cookie) = cookie {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

#[derive(Debug, Deserialize)]
pub(crate) struct EntreeQuery {
    expiree: Option<String>,
}

pub(crate) async fn afficher(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<EntreeQuery>, QueryRejection>,
) -> Response {
    if cookies::read(&headers, cookies::staff_session_name(state.config.secure_cookies)).is_some() {
        // A live session goes to the work list; a dead one comes back here without its cookie.
        return Redirect::to("/caisse/tableau").into_response();
    }
    let expiree = query.is_ok_and(|Query(q)| q.expiree.as_deref() == Some("1"));
    page(
        &state,
        &headers,
        StatusCode::OK,
        Entree {
            expiree,
            ..Entree::default()
        },
    )
}

/// The login form. Missing fields are empty strings: they fail like any wrong credential, uniformly.
#[derive(Deserialize)]
pub(crate) struct Connexion {
    #[serde(default)]
    caisse: String,
    #[serde(default)]
    identifiant: String,
    #[serde(default)]
    mot_de_passe: String,
    #[serde(default)]
    code_totp: String,
}

pub(crate) async fn connexion(
    State(state): State<AppState>,
    Source(source): Source,
    headers: HeaderMap,
    PageForm(form): PageForm<Connexion>,
) -> Response {
    let mot_de_passe = SecretString::from(form.mot_de_passe);
    match state
        .app
        .login_personnel(
            &form.caisse,
            &form.identifiant,
            mot_de_passe,
            Some(form.code_totp.trim()).filter(|c| !c.is_empty()),
            &source,
        )
        .await
    {
        Ok(outcome) => {
            let secure = state.config.secure_cookies;
            let name = cookies::staff_session_name(secure);
            let Some(cookie) = cookies::set(name, outcome.jeton.expose_secret(), secure) else {
                return erreur(
                    AppError::Interne("jeton de session non représentable".into()),
                    None,
                    "/caisse",
                );
            };
            // AU-2: a temporary password is changed before anything else.
            let suite = if outcome.changement_mot_de_passe_requis {
                "/caisse/mot-de-passe"
            } else {
                "/caisse/tableau"
            };
            ([(header::SET_COOKIE, cookie)], Redirect::to(suite)).into_response()
        }
        // One message for every failure, as on the partners' entrance.
        Err(e @ (AppError::NonAuthentifie | AppError::TropDeRequetes { .. })) => {
            let (status, message, retry_after) = match e {
                AppError::TropDeRequetes { secondes } => (
                    StatusCode::TOO_MANY_REQUESTS,
                    format!(
                        "Trop de tentatives de connexion rapprochées : patientez {secondes} seconde(s) avant de \
                         réessayer."
                    ),
                    Some(secondes),
                ),
                _ => (
                    StatusCode::UNAUTHORIZED,
                    "Code caisse, identifiant ou mot de passe incorrect.".to_owned(),
                    None,
                ),
            };
            let mut response = page(
                &state,
                &headers,
                status,
                Entree {
                    erreur: Some(message),
                    caisse: form.caisse,
                    identifiant: form.identifiant,
                    ..Entree::default()
                },
            );
            if let Some(secondes) = retry_after {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(secondes));
            }
            response
        }
        Err(e) => erreur(e, None, "/caisse"),
    }
}

/// Ends the staff session and goes back to the entrance.
pub(crate) async fn deconnexion(
    State(state): State<AppState>,
    Source(source): Source,
    session: StaffSession,
) -> Response {
    if let Err(e) = state.app.logout_personnel(&session.staff, &source).await {
        return erreur(e, None, "/caisse");
    }
    let secure = state.config.secure_cookies;
    (
        [(
            header::SET_COOKIE,
            cookies::clear(cookies::staff_session_name(secure), secure),
        )],
        Redirect::to("/caisse"),
    )
        .into_response()
}
