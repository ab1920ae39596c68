//! The home page: what partage is, and the login block (AU-1).

use super::{depuis_erreur, rendre, Nav};
use crate::extract::Source;
use crate::{cookies, csrf, AppState};
use askama::Template;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use partage_app::AppError;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "accueil.html")]
struct Accueil {
    nav: Nav,
    csrf: String,
    delai_minutes: i64,
    expiree: bool,
    /// HB-3: back from the activation page, the password chosen.
    active: bool,
    erreur: Option<String>,
    caisse: String,
    identifiant: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct AccueilQuery {
    expiree: Option<String>,
    active: Option<String>,
}

/// The login form's CSRF token, from the pre-session cookie; a new cookie when the browser has none.
pub(crate) fn login_csrf(state: &AppState, headers: &HeaderMap) -> (String, Option<HeaderValue>) {
    let secure = state.config.secure_cookies;
    let name = cookies::csrf_name(secure);
    match cookies::read(headers, name) {
        Some(value) => (state.csrf.for_login(value), None),
        None => {
            let value = csrf::new_pre_session_value();
            (state.csrf.for_login(&value), cookies::set(name, &value, secure))
        }
    }
}

fn page(state: &AppState, headers: &HeaderMap, status: StatusCode, mut accueil: Accueil) -> Response {
    let (token, cookie) = login_csrf(state, headers);
    accueil.csrf = token;
    accueil.delai_minutes = state.app.settings().sessions.inactivite.num_minutes();
    let mut response = rendre(status, &accueil);
    if let Some(cookie) = cookie {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

pub(crate) async fn afficher(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<AccueilQuery>, QueryRejection>,
) -> Response {
    let (expiree, active) = match query {
        Ok(Query(q)) => (
            q.expiree.as_deref() == Some("1"),
            q.active.as_deref() == Some("1"),
        ),
        Err(_) => (false, false),
    };
    page(
        &state,
        &headers,
        StatusCode::OK,
        Accueil {
            nav: Nav::default(),
            csrf: String::new(),
            delai_minutes: 0,
            expiree,
            active,
            erreur: None,
            caisse: String::new(),
            identifiant: String::new(),
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
    /// The one-time code, for an account whose second factor is active; empty otherwise.
    #[serde(default)]
    code_totp: String,
}

pub(crate) async fn connexion(
    State(state): State<AppState>,
    Source(source): Source,
    headers: HeaderMap,
    form: Result<Form<Connexion>, FormRejection>,
) -> Response {
    // A form that cannot be read is an empty form: it fails like any wrong credential.
    let form = form.map(|Form(f)| f).unwrap_or(Connexion {
        caisse: String::new(),
        identifiant: String::new(),
        mot_de_passe: String::new(),
        code_totp: String::new(),
    });
    let mot_de_passe = SecretString::from(form.mot_de_passe);
    match state
        .app
        .login(
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
            let name = cookies::session_name(secure);
            let Some(cookie) = cookies::set(name, outcome.jeton.expose_secret(), secure) else {
                return depuis_erreur(AppError::Interne("jeton de session non représentable".into()));
            };
            // AU-2: a temporary password is changed before anything else.
            let suite = if outcome.changement_mot_de_passe_requis {
                "/mot-de-passe"
            } else {
                "/qf"
            };
            ([(header::SET_COOKIE, cookie)], Redirect::to(suite)).into_response()
        }
        // One message for every failure: nobody learns whether a caisse or identifier exists, nor whether
        // the account is locked. Too many attempts get the wait, which is the same for any identifier.
        Err(e @ (AppError::NonAuthentifie | AppError::TropDeRequetes { .. })) => {
            let (status, erreur) = match &e {
                AppError::TropDeRequetes { secondes } => (
                    StatusCode::TOO_MANY_REQUESTS,
                    format!(
                        "Trop de tentatives de connexion rapprochées : patientez {secondes} seconde(s) avant de \
                         réessayer."
                    ),
                ),
                _ => (
                    StatusCode::UNAUTHORIZED,
                    "Code caisse, identifiant ou mot de passe incorrect.".to_owned(),
                ),
            };
            let mut response = page(
                &state,
                &headers,
                status,
                Accueil {
                    nav: Nav::default(),
                    csrf: String::new(),
                    delai_minutes: 0,
                    expiree: false,
                    active: false,
                    erreur: Some(erreur),
                    caisse: form.caisse,
                    identifiant: form.identifiant,
                },
            );
            if let AppError::TropDeRequetes { secondes } = e {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(secondes));
            }
            response
        }
        Err(e) => depuis_erreur(e),
    }
}
