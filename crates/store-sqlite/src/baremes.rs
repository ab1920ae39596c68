//! The PSU barèmes (see `partage_store::baremes`).

use crate::error::DbResult;
use crate::SqliteStore;
use async_trait::async_trait;
use partage_domain::bareme::BaremePsu;
use partage_store::baremes::{decode, Baremes};
use partage_store::{CaisseId, StoreError};

#[async_trait]
impl Baremes for SqliteStore {
    async fn baremes_psu(&self, caisse: CaisseId) -> Result<Vec<BaremePsu>, StoreError> {
        let row: Option<(String,)> = sqlx::query_as("SELECT contenu FROM baremes_psu WHERE caisse_id = ?")
            .bind(caisse.0)
            .fetch_optional(&self.readers)
            .await
            .db()?;
        row.map_or_else(|| Ok(Vec::new()), |(contenu,)| decode(&contenu))
    }
}
