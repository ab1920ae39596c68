//! The `RateLimit-*` headers of a served consultation (security, part 3), after the IETF draft
//! "RateLimit header fields for HTTP": the burst, what is left of it, and the seconds until it is whole
//! again. A refused consultation answers 429 `trop_de_requetes` with `Retry-After` (see [`crate::error`]).

use axum::http::{HeaderName, HeaderValue};
use axum::response::{IntoResponse, Response};
use partage_app::debit::Quota;

pub(crate) struct AvecQuota<T>(pub Quota, pub T);

impl<T: IntoResponse> IntoResponse for AvecQuota<T> {
    fn into_response(self) -> Response {
        let AvecQuota(quota, inner) = self;
        let mut res = inner.into_response();
        let h = res.headers_mut();
        h.insert(
            HeaderName::from_static("ratelimit-limit"),
            HeaderValue::from(quota.limite),
        );
        h.insert(
            HeaderName::from_static("ratelimit-remaining"),
            HeaderValue::from(quota.restantes),
        );
        h.insert(
            HeaderName::from_static("ratelimit-reset"),
            HeaderValue::from(quota.pleine_dans_s),
        );
        res
    }
}
