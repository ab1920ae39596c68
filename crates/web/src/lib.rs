//! partage over HTTP.
//!
//! - `api/`: the JSON API for partner software (Bearer tokens, never cookies), and its OpenAPI document;
//! - `pages/`: the server-rendered pages for people (session cookie, CSRF token on every form);
//! - `error`: the one error type of the API edge, mapping each [`partage_app::AppError`] to a status and code;
//! - `csrf`, `security_headers`: one middleware each, so no route can forget them.
//!
//! Handlers stay thin: they extract, call one use case of [`partage_app::App`], and render. Rules live in
//! `partage-domain` and `partage-app`; nothing here decides who may see what.

pub mod api;
mod cookies;
mod corps;
mod csrf;
pub mod error;
mod extract;
pub mod pages;
mod security_headers;

use axum::extract::DefaultBodyLimit;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use partage_app::App;
use std::sync::Arc;

/// How the web layer is served.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// True when partage is served over HTTPS (AU-3): cookies get `Secure` and the `__Host-` prefix, and
    /// every answer carries `Strict-Transport-Security`.
    pub secure_cookies: bool,
    /// The largest request body accepted, API and forms alike; past it the answer is 413.
    pub max_body_bytes: usize,
    /// The longest a client may take to send a request body; past it the answer is 408.
    pub delai_corps: std::time::Duration,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            secure_cookies: true,
            max_body_bytes: 64 * 1024,
            delai_corps: std::time::Duration::from_secs(15),
        }
    }
}

/// What every handler may reach. One pointer: the router, each middleware and each extractor clone it for
/// every request, and cloning the parts themselves (a dozen reference counts, shared between the cores)
/// showed in the benchmark's profile.
#[derive(Debug, Clone)]
pub(crate) struct AppState(Arc<Shared>);

#[derive(Debug)]
pub(crate) struct Shared {
    pub app: App,
    pub config: Arc<WebConfig>,
    pub csrf: csrf::CsrfKey,
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The whole of partage's HTTP surface. Serve it with
/// `into_make_service_with_connect_info::<SocketAddr>()` so traces record the client's address.
pub fn router(app: App, config: WebConfig) -> Router {
    let secure = config.secure_cookies;
    let max_body = config.max_body_bytes;
    let state = AppState(Arc::new(Shared {
        app,
        config: Arc::new(config),
        csrf: csrf::CsrfKey::random(),
    }));
    Router::new()
        .route("/healthz", get(healthz))
        .route("/static/partage.css", get(stylesheet))
        .merge(api::routes())
        .merge(pages::routes(state.clone()))
        .fallback(pages::not_found)
        .method_not_allowed_fallback(pages::method_not_allowed)
        .layer(DefaultBodyLimit::max(max_body))
        .layer(axum::middleware::from_fn_with_state(state.clone(), corps::lire))
        .layer(axum::middleware::from_fn_with_state(
            secure,
            security_headers::security_headers,
        ))
        .with_state(state)
}

/// The load benchmark's baseline: no state, no database, no allocation beyond the answer.
async fn healthz() -> &'static str {
    "ok"
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            // Holds no personal data; a day of caching spares every page a request.
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        include_str!("../static/partage.css"),
    )
}
