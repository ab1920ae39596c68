//! Activating an account with the link mailed to the agent (HB-3, HB-6). The link's secret comes in the
//! query of the GET, is put in the form and comes back in the POST body; it is never logged and the page
//! asks browsers not to pass its address on (`Referrer-Policy`).

use super::accueil::login_csrf;
use super::{depuis_erreur, phrase, rendre, Nav};
use crate::extract::Source;
use crate::AppState;
use askama::Template;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use partage_app::AppError;
use secrecy::SecretString;
use serde::Deserialize;

#[derive(Template, Default)]
#[template(path = "activation.html")]
struct Activation {
    nav: Nav,
    csrf: String,
    jeton: String,
    longueur_min: usize,
    erreur_lien: Option<String>,
    erreur_nouveau: Option<String>,
    erreur_confirmation: Option<String>,
}

fn page(state: &AppState, headers: &HeaderMap, status: StatusCode, mut activation: Activation) -> Response {
    let (token, cookie) = login_csrf(state, headers);
    activation.csrf = token;
    activation.longueur_min = partage_domain::password::LONGUEUR_MIN;
    let mut response = rendre(status, &activation);
    let h = response.headers_mut();
    if let Some(cookie) = cookie {
        h.append(header::SET_COOKIE, cookie);
    }
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[derive(Debug, Deserialize)]
pub(crate) struct Lien {
    #[serde(default)]
    jeton: String,
}

/// A secret as it can appear in a form: base64url characters, bounded (anything else is no link).
fn jeton_affichable(jeton: &str) -> String {
    let jeton = jeton.trim();
    if jeton.len() <= 64
        && jeton
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        jeton.to_owned()
    } else {
        String::new()
    }
}

pub(crate) async fn afficher(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<Lien>, QueryRejection>,
) -> Response {
    let jeton = query.map(|Query(l)| l.jeton).unwrap_or_default();
    page(
        &state,
        &headers,
        StatusCode::OK,
        Activation {
            jeton: jeton_affichable(&jeton),
            ..Activation::default()
        },
    )
}

#[derive(Deserialize, Default)]
pub(crate) struct Choix {
    #[serde(default)]
    jeton: String,
    #[serde(default)]
    nouveau: String,
    #[serde(default)]
    confirmation: String,
}

pub(crate) async fn activer(
    State(state): State<AppState>,
    Source(source): Source,
    headers: HeaderMap,
    form: Result<Form<Choix>, FormRejection>,
) -> Response {
    let form = form.map(|Form(f)| f).unwrap_or_default();
    let mut activation = Activation {
        jeton: jeton_affichable(&form.jeton),
        ..Activation::default()
    };
    if form.nouveau != form.confirmation {
        activation.erreur_confirmation =
            Some("La confirmation ne correspond pas au nouveau mot de passe.".to_owned());
        return page(&state, &headers, StatusCode::UNPROCESSABLE_ENTITY, activation);
    }
    match state
        .app
        .activer_compte(&form.jeton, SecretString::from(form.nouveau), &source)
        .await
    {
        // To the login form, which his caisse code, identifier and new password now open.
        Ok(_) => Redirect::to("/?active=1").into_response(),
        Err(e @ AppError::MotDePasseRefuse(_)) => {
            activation.erreur_nouveau = Some(phrase(&e.to_string()));
            page(&state, &headers, StatusCode::UNPROCESSABLE_ENTITY, activation)
        }
        Err(e @ AppError::LienInvalide(_)) => {
            activation.jeton = String::new();
            activation.erreur_lien = Some(phrase(&e.to_string()));
            page(&state, &headers, StatusCode::BAD_REQUEST, activation)
        }
        Err(e) => depuis_erreur(e),
    }
}
