//! The PSU barèmes (see `partage_store::baremes`).

use crate::error::DbResult;
use crate::SqliteStore;
use async_trait::async_trait;
use partage_domain::bareme::BaremePsu;
use partage_store::baremes::{decode, encode, Baremes};
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

    async fn remplacer_baremes_psu(
        &self,
        caisse: CaisseId,
        attendus: &[BaremePsu],
        nouveaux: &[BaremePsu],
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let row: Option<(String,)> = sqlx::query_as("SELECT contenu FROM baremes_psu WHERE caisse_id = ?")
            .bind(caisse.0)
            .fetch_optional(&mut *tx)
            .await
            .db()?;
        let actuels = row.map_or_else(|| Ok(Vec::new()), |(contenu,)| decode(&contenu))?;
        if actuels != attendus {
            return Ok(false);
        }
        let nouveaux: Vec<&BaremePsu> = nouveaux.iter().collect();
        sqlx::query(
            "INSERT INTO baremes_psu (caisse_id, contenu) VALUES (?, ?)
             ON CONFLICT (caisse_id) DO UPDATE SET contenu = excluded.contenu",
        )
        .bind(caisse.0)
        .bind(encode(&nouveaux))
        .execute(&mut *tx)
        .await
        .db()?;
        tx.commit().await.db()?;
        Ok(true)
    }
}
