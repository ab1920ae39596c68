//! BQ-PSU, CO-2, CO-6, OP-1: consultation of the PSU bouquet. NIR, matricule and name travel only in the
//! body.

use super::quota::AvecQuota;
use crate::error::ApiError;
use crate::extract::{Agent, Champs, FromJson, JsonBody, Source};
use crate::AppState;
use axum::extract::State;
use axum::Json;
use partage_app::psu::{PsuQuery, PsuView};

/// A search by NIR or matricule and name, as PSU and Mon Compte Partenaire take it.
pub(crate) struct RecherchePsu {
    nir: Option<String>,
    matricule: Option<String>,
    nom: Option<String>,
    annee: Option<i32>,
    mois: Option<u32>,
}

impl std::fmt::Debug for RecherchePsu {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Neither the NIR nor the name typed by a user lands in a log line.
        f.debug_struct("RecherchePsu")
            .field("nir", &self.nir.as_ref().map(|_| "<masqué>"))
            .field("matricule", &self.matricule)
            .field("nom", &self.nom.as_ref().map(|_| "<masqué>"))
            .field("annee", &self.annee)
            .field("mois", &self.mois)
            .finish()
    }
}

impl RecherchePsu {
    pub(crate) fn query(&self) -> PsuQuery<'_> {
        PsuQuery {
            nir: self.nir.as_deref(),
            matricule: self.matricule.as_deref(),
            nom: self.nom.as_deref(),
            annee: self.annee,
            mois: self.mois,
        }
    }
}

impl FromJson for RecherchePsu {
    fn from_json(c: &mut Champs) -> Option<Self> {
        // Each field is optional here: a search missing the NIR or the name is answered by the use case,
        // which says which is missing (CO-2).
        let nir = c.texte_optionnel("nir");
        let matricule = c.texte_optionnel("matricule");
        let nom = c.texte_optionnel("nom");
        let annee = c.entier("annee");
        let mois = c.entier("mois");
        Some(RecherchePsu {
            nir: nir.ok()?,
            matricule: matricule.ok()?,
            nom: nom.ok()?,
            annee: annee.ok()?,
            mois: mois.ok()?,
        })
    }
}

pub(crate) async fn psu(
    State(state): State<AppState>,
    Source(source): Source,
    Agent(agent): Agent,
    JsonBody(body): JsonBody<RecherchePsu>,
) -> Result<AvecQuota<Json<PsuView>>, ApiError> {
    let view = state.app.consult_psu(&agent, body.query(), &source).await?;
    Ok(AvecQuota(state.app.quota_consultations(&agent), Json(view)))
}
