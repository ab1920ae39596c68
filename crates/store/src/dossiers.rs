//! Finding a dossier by its matricule: the search block the PSU bouquet opens with (001:4-3).

use crate::{CaisseId, StoreError};
use async_trait::async_trait;
use partage_domain::{Dossier, Matricule};

#[async_trait]
pub trait DossierLookup {
    /// The dossier of this caisse with this matricule (unique within a caisse); never another caisse's
    /// (TEN-1).
    async fn dossier_by_matricule(
        &self,
        caisse: CaisseId,
        matricule: &Matricule,
    ) -> Result<Option<Dossier>, StoreError>;
}
