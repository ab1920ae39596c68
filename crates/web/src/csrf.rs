//! CSRF protection of the pages: one middleware checks every state-changing page request.
//!
//! Design (synchronizer token, stateless): the process draws a random key at start. A form served inside a
//! session carries `HMAC(key, "session" ‖ SHA-256(session token))` in a hidden `csrf` field; the login form,
//! before any session exists, carries `HMAC(key, "connexion" ‖ v)` where `v` is a random value held in a
//! pre-session cookie (signed double submit). A cross-site page can neither read the cookies nor compute the
//! HMAC, so it cannot produce the field. A restart draws a new key: forms open at that moment must be
//! reloaded, which the refusal page says.
//!
//! The session cookie is also `SameSite=Strict`; the token is the defence that does not depend on the
//! browser. The JSON API takes no cookie at all (Bearer only), so it needs no token.

use crate::error::ApiError;
use crate::{cookies, pages, AppState};
use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method};
use axum::middleware::Next;
use axum::response::Response;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use subtle::ConstantTimeEq;

/// The form field that carries the token.
pub(crate) const FIELD: &str = "csrf";

#[derive(Clone)]
pub(crate) struct CsrfKey(Arc<[u8; 32]>);

impl std::fmt::Debug for CsrfKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CsrfKey(<secret>)")
    }
}

impl CsrfKey {
    pub(crate) fn random() -> CsrfKey {
        let mut key = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut key);
        CsrfKey(Arc::new(key))
    }

    fn mac(&self, purpose: &str, value: &[u8]) -> String {
        // HMAC takes keys of any length: this cannot fail, and an empty token would match no form.
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(self.0.as_slice()) else {
            return String::new();
        };
        mac.update(purpose.as_bytes());
        mac.update(&[0]);
        mac.update(value);
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }

    /// The token of the forms served inside the session whose token is `session_token`.
    pub(crate) fn for_session(&self, session_token: &str) -> String {
        self.mac("session", &Sha256::digest(session_token.as_bytes()))
    }

    /// The token of the login form, bound to the pre-session cookie's value.
    pub(crate) fn for_login(&self, pre_session: &str) -> String {
        self.mac("connexion", pre_session.as_bytes())
    }

    /// Whether `submitted` is the token of this browser's session or of its pre-session cookie.
    fn accepts(&self, headers: &HeaderMap, secure: bool, submitted: &str) -> bool {
        let expected = [
            cookies::read(headers, cookies::session_name(secure)).map(|t| self.for_session(t)),
            cookies::read(headers, cookies::staff_session_name(secure)).map(|t| self.for_session(t)),
            cookies::read(headers, cookies::csrf_name(secure)).map(|v| self.for_login(v)),
        ];
        expected
            .iter()
            .flatten()
            .any(|e| !e.is_empty() && bool::from(e.as_bytes().ct_eq(submitted.as_bytes())))
    }
}

/// A new random value for the pre-session cookie.
pub(crate) fn new_pre_session_value() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The middleware on every page route: a request that may change state must carry a valid token in its
/// form, or it is refused with 403 before any handler runs.
pub(crate) async fn verify(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if matches!(*request.method(), Method::GET | Method::HEAD) {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    // Already read in memory by `corps::lire`, within its limits; the same limit again costs nothing.
    let Ok(bytes) = to_bytes(body, state.config.max_body_bytes).await else {
        return pages::page_de_probleme(&ApiError::RequeteTropVolumineuse);
    };
    let submitted = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
        .ok()
        .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == FIELD).map(|(_, v)| v));
    let valid = submitted.is_some_and(|s| {
        state
            .csrf
            .accepts(&parts.headers, state.config.secure_cookies, &s)
    });
    if !valid {
        tracing::warn!(path = %parts.uri.path(), "requête refusée : jeton CSRF absent ou invalide");
        return pages::csrf_refusee();
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::{header, HeaderValue};

    #[test]
    fn tokens_are_bound_to_their_session_and_key() {
        let k = CsrfKey::random();
        assert_eq!(k.for_session("a"), k.for_session("a"));
        assert_ne!(k.for_session("a"), k.for_session("b"));
        assert_ne!(k.for_session("a"), CsrfKey::random().for_session("a"));
        assert_ne!(k.for_session("a"), k.for_login("a"), "purposes are separated");
    }

    #[test]
    fn accepts_only_the_token_of_the_cookies_sent() {
        let k = CsrfKey::random();
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("partage=tok; partage-csrf=pre"),
        );
        assert!(k.accepts(&h, false, &k.for_session("tok")));
        assert!(k.accepts(&h, false, &k.for_login("pre")));
        assert!(!k.accepts(&h, false, &k.for_session("other")));
        assert!(!k.accepts(&h, false, ""));
        assert!(!k.accepts(&HeaderMap::new(), false, &k.for_session("tok")));
        assert!(
            !k.accepts(&h, true, &k.for_session("tok")),
            "secure mode reads __Host- cookies"
        );
    }
}
