//! The page session: the cookie, its extractors, and logging out.

use super::{depuis_erreur, Nav};
use crate::cookies;
use crate::extract::Source;
use crate::AppState;
use axum::extract::{FromRequestParts, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use partage_app::AppError;

/// A user signed in through the pages, whatever the state of his password.
#[derive(Debug)]
pub(crate) struct PageSession {
    pub agent: partage_app::Agent,
    /// The CSRF token of this session's forms.
    pub csrf: String,
    /// HB-9: his organisation's gestionnaire principal or suppléant.
    pub administrateur: bool,
}

impl PageSession {
    pub(crate) fn nav(&self) -> Nav {
        Nav {
            connecte: true,
            services: !self.agent.session.must_change_password,
            csrf: self.csrf.clone(),
            administrateur: self.administrateur,
        }
    }
}

impl FromRequestParts<AppState> for PageSession {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let secure = state.config.secure_cookies;
        let name = cookies::session_name(secure);
        let Some(token) = cookies::read(&parts.headers, name) else {
            return Err(Redirect::to("/").into_response());
        };
        let source = Source::of(parts);
        match state.app.authenticate(token, &source.0).await {
            Ok(agent) => {
                let administrateur = state
                    .app
                    .est_administrateur(&agent)
                    .await
                    .map_err(depuis_erreur)?;
                Ok(PageSession {
                    agent,
                    csrf: state.csrf.for_session(token),
                    administrateur,
                })
            }
            // The session is over: forget its cookie on the way back to the home page (AU-4).
            Err(e @ (AppError::SessionExpiree | AppError::NonAuthentifie)) => {
                let mut response = depuis_erreur(e);
                response
                    .headers_mut()
                    .insert(header::SET_COOKIE, cookies::clear(name, secure));
                Err(response)
            }
            Err(e) => Err(depuis_erreur(e)),
        }
    }
}

/// A user signed in whose password is no longer temporary: every page but the password change needs one
/// (AU-2); others are sent to change it first.
#[derive(Debug)]
pub(crate) struct PageAgent(pub PageSession);

impl FromRequestParts<AppState> for PageAgent {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let session = PageSession::from_request_parts(parts, state).await?;
        if session.agent.session.must_change_password {
            return Err(Redirect::to("/mot-de-passe").into_response());
        }
        Ok(PageAgent(session))
    }
}

/// Ends the session and goes back to the home page.
pub(crate) async fn deconnexion(
    State(state): State<AppState>,
    Source(source): Source,
    session: PageSession,
) -> Response {
    if let Err(e) = state.app.logout(&session.agent, &source).await {
        return depuis_erreur(e);
    }
    let secure = state.config.secure_cookies;
    (
        [(
            header::SET_COOKIE,
            cookies::clear(cookies::session_name(secure), secure),
        )],
        Redirect::to("/"),
    )
        .into_response()
}
