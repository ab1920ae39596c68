//! BQ-RSA, CO-3, CO-6, OP-1: consultation of the RSACG bouquet. NIR and matricule travel only in the body.

use super::quota::AvecQuota;
use crate::error::ApiError;
use crate::extract::{Agent, Champs, FromJson, JsonBody, Source};
use crate::AppState;
use axum::extract::State;
use axum::Json;
use partage_app::rsacg::{RsacgQuery, RsacgView};

/// A search by NIR or matricule; no name (see `partage_app::rsacg`).
pub(crate) struct RechercheRsacg {
    nir: Option<String>,
    matricule: Option<String>,
    annee: Option<i32>,
    mois: Option<u32>,
}

impl std::fmt::Debug for RechercheRsacg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The NIR typed by a user never lands in a log line.
        f.debug_struct("RechercheRsacg")
            .field("nir", &self.nir.as_ref().map(|_| "<masqué>"))
            .field("matricule", &self.matricule)
            .field("annee", &self.annee)
            .field("mois", &self.mois)
            .finish()
    }
}

impl RechercheRsacg {
    pub(crate) fn query(&self) -> RsacgQuery<'_> {
        RsacgQuery {
            nir: self.nir.as_deref(),
            matricule: self.matricule.as_deref(),
            nom: None,
            annee: self.annee,
            mois: self.mois,
        }
    }
}

impl FromJson for RechercheRsacg {
    fn from_json(c: &mut Champs) -> Option<Self> {
        // Both optional here: the use case says which is missing, or that both were given.
        let nir = c.texte_optionnel("nir");
        let matricule = c.texte_optionnel("matricule");
        let annee = c.entier("annee");
        let mois = c.entier("mois");
        Some(RechercheRsacg {
            nir: nir.ok()?,
            matricule: matricule.ok()?,
            annee: annee.ok()?,
            mois: mois.ok()?,
        })
    }
}

pub(crate) async fn rsacg(
    State(state): State<AppState>,
    Source(source): Source,
    Agent(agent): Agent,
    JsonBody(body): JsonBody<RechercheRsacg>,
) -> Result<AvecQuota<Json<RsacgView>>, ApiError> {
    let view = state.app.consult_rsacg(&agent, body.query(), &source).await?;
    Ok(AvecQuota(state.app.quota_consultations(&agent), Json(view)))
}
