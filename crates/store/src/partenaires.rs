//! The référentiel des tiers as the back office reads and writes it (SPEC TEN): one caisse's partners,
//! each with the imported columns and the coordonnées the staff keep. A partner's number is unique within
//! its caisse (TEN-1, TEN-2): creating one that exists, or editing one that does not, writes nothing.

use crate::cycles::ConventionCycle;
use crate::{CaisseId, StoreError};
use async_trait::async_trait;
use partage_domain::partenaire::Fiche;
use partage_domain::{CodeDepartement, NumeroTiers, Siret};

#[async_trait]
pub trait Partenaires {
    /// The caisse's partners whose name or N° tiers contains `recherche` (case aside; all of them when it is
    /// empty), by name.
    async fn partenaires(&self, caisse: CaisseId, recherche: &str) -> Result<Vec<Fiche>, StoreError>;

    async fn partenaire(&self, caisse: CaisseId, tiers: &NumeroTiers) -> Result<Option<Fiche>, StoreError>;

    /// `false` (nothing written) if the caisse already has a partner with this number.
    async fn creer_partenaire(&self, caisse: CaisseId, fiche: &Fiche) -> Result<bool, StoreError>;

    /// Replaces the partner's fiche; `false` (nothing written) if the caisse has no partner with this number.
    async fn modifier_partenaire(&self, caisse: CaisseId, fiche: &Fiche) -> Result<bool, StoreError>;

    /// The départements the caisse manages (TEN-3).
    async fn departements_caisse(&self, caisse: CaisseId) -> Result<Vec<CodeDepartement>, StoreError>;

    /// Every convention of the caisse with its cycle, by number.
    async fn conventions_de_la_caisse(&self, caisse: CaisseId) -> Result<Vec<ConventionCycle>, StoreError>;
}

/// Builds a [`Fiche`] from what both backends read, re-checking every value.
pub fn fiche(
    tiers: &str,
    nom: String,
    categorie: String,
    siret: &str,
    departements: Vec<CodeDepartement>,
    circonscriptions: &[String],
    coordonnees: &str,
) -> Result<Fiche, StoreError> {
    Ok(Fiche {
        numero_tiers: crate::codec::numero_tiers(tiers)?,
        nom,
        categorie,
        siret: Siret::parse(siret).map_err(|e| crate::codec::corrupt("partenaires.siret", e))?,
        departements,
        circonscriptions: crate::codec::parse_circonscriptions(
            "partenaires.circonscriptions",
            circonscriptions,
        )?,
        coordonnees: crate::codec::parse_json("partenaires.coordonnees", coordonnees)?,
    })
}

/// The coordonnées as stored.
pub fn coordonnees_json(fiche: &Fiche) -> Result<String, StoreError> {
    serde_json::to_string(&fiche.coordonnees).map_err(|e| StoreError::Backend(e.to_string()))
}
