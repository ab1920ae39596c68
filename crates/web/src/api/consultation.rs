//! CO-1, CO-6, OP-1: consultation of the QF bouquet. The NIR travels only in the body, never in a URL
//! that proxies and logs would keep.

use super::quota::AvecQuota;
use crate::error::ApiError;
use crate::extract::{Agent, Champs, FromJson, JsonBody, Source};
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
    Agent(agent): Agent,
    JsonBody(body): JsonBody<RechercheQf>,
) -> Result<AvecQuota<Json<QfView>>, ApiError> {
    let query = QfQuery {
        nir: &body.nir,
        annee: body.annee,
        mois: body.mois,
    };
    let view = state.app.consult_qf(&agent, query, &source).await?;
    Ok(AvecQuota(state.app.quota_consultations(&agent), Json(view)))
}
