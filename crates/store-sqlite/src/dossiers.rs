//! `DossierLookup` on SQLite.

use crate::codec::parse_json;
use crate::error::DbResult;
use crate::SqliteStore;
use async_trait::async_trait;
use partage_domain::{Dossier, Matricule};
use partage_store::dossiers::DossierLookup;
use partage_store::{CaisseId, StoreError};

#[async_trait]
impl DossierLookup for SqliteStore {
    async fn dossier_by_matricule(
        &self,
        caisse: CaisseId,
        matricule: &Matricule,
    ) -> Result<Option<Dossier>, StoreError> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT contenu FROM dossiers WHERE caisse_id = ?1 AND matricule = ?2")
                .bind(caisse.0)
                .bind(matricule.as_str())
                .fetch_optional(&self.readers)
                .await
                .db()?;
        row.map(|(contenu,)| parse_json("dossiers.contenu", &contenu))
            .transpose()
    }
}
