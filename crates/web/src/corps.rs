//! Every request body is read here, once, before any handler: within [`WebConfig::max_body_bytes`]
//! (past it, 413) and within [`WebConfig::delai_corps`] (a client that sends its body too slowly gets 408
//! and its connection back, instead of holding a task and a socket for as long as it likes). Handlers and
//! the CSRF check then read a body already in memory.
//!
//! The headers have their own limits, set on the HTTP server itself (`partage serve`): a read timeout and
//! a maximum size.
//!
//! [`WebConfig::max_body_bytes`]: crate::WebConfig::max_body_bytes
//! [`WebConfig::delai_corps`]: crate::WebConfig::delai_corps

use crate::error::ApiError;
use crate::{pages, AppState};
use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub(crate) async fn lire(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let lu = tokio::time::timeout(
        state.config.delai_corps,
        to_bytes(body, state.config.max_body_bytes),
    )
    .await;
    let refus = match lu {
        Ok(Ok(bytes)) => return next.run(Request::from_parts(parts, Body::from(bytes))).await,
        Err(_) => ApiError::DelaiDepasse,
        // Past the limit (or the client left, and no one will read the answer).
        Ok(Err(_)) => ApiError::RequeteTropVolumineuse,
    };
    if parts.uri.path().starts_with("/api/") {
        refus.into_response()
    } else {
        pages::page_de_probleme(&refus)
    }
}
