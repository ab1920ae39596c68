//! CO-1, CO-6, OP-1: consultation of the QF bouquet. The NIR travels only in the body, never in a URL
//! that proxies and logs would keep.

use super::quota::AvecQuota;
use crate::error::ApiError;
use crate::extract::{Champs, FromJson, Jeton, JsonBody, Source};
use crate::AppState;
use axum::extract::State;
use axum::Json;
use partage_app::consult::{QfQuery, QfView};

pub(crate) struct RechercheQf {
    nir: String,
    annee: Option<i32>,
    mois: Option<u32>,
}

impl std::fmt::Debug for RechercheQf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // A NIR typed by a user never lands in a log line, even a malformed one.
        f.debug_struct("RechercheQf")
            .field("nir", &"<masqué>")
            .field("annee", &self.annee)
            .field("mois", &self.mois)
            .finish()
    }
}

impl FromJson for RechercheQf {
    fn from_json(c: &mut Champs) -> Option<Self> {
        let nir = c.texte("nir");
        let annee = c.entier("annee");
        let mois = c.entier("mois");
        Some(RechercheQf {
            nir: nir?,
            annee: annee.ok()?,
            mois: mois.ok()?,
        })
    }
}

pub(crate) async fn qf(
    State(state): State<AppState>,
    Source(source): Source,
    Jeton(jeton): Jeton,
    body: Result<JsonBody<RechercheQf>, ApiError>,
) -> Result<AvecQuota<Json<QfView>>, ApiError> {
    let body = match body {
        Ok(JsonBody(body)) => body,
        // As on every route, the caller is authenticated before his body is judged: a bad token answers
        // 401 whatever the body.
        Err(e) => {
            state.app.authenticate(&jeton, &source).await?;
            return Err(e);
        }
    };
    let query = QfQuery {
        nir: &body.nir,
        annee: body.annee,
        mois: body.mois,
    };
    // Session, perimeter and dossier in one read (one round trip on PostgreSQL).
    let (agent, view) = state.app.consult_qf_par_jeton(&jeton, query, &source).await?;
    Ok(AvecQuota(state.app.quota_consultations(&agent), Json(view)))
}
