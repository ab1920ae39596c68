//! `DossierLookup` on PostgreSQL.

use crate::error::DbResult;
use crate::PostgresStore;
use async_trait::async_trait;
use partage_domain::{Dossier, Matricule};
use partage_store::codec::parse_json;
use partage_store::dossiers::DossierLookup;
use partage_store::{CaisseId, StoreError};

#[async_trait]
impl DossierLookup for PostgresStore {
    async fn dossier_by_matricule(
        &self,
        caisse: CaisseId,
        matricule: &Matricule,
    ) -> Result<Option<Dossier>, StoreError> {
        // Read as text: a `jsonb` that is not a dossier must come out as corrupt, not as a driver error.
        let row: Option<(String,)> =
            sqlx::query_as("SELECT contenu::text FROM dossiers WHERE caisse_id = $1 AND matricule = $2")
                .bind(caisse.0)
                .bind(matricule.as_str())
                .fetch_optional(&self.pool)
                .await
                .db()?;
        row.map(|(contenu,)| parse_json("dossiers.contenu", &contenu))
            .transpose()
    }
}
