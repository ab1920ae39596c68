//! The PSU barèmes (see `partage_store::baremes`).

use crate::error::DbResult;
use crate::PostgresStore;
use async_trait::async_trait;
use partage_domain::bareme::BaremePsu;
use partage_store::baremes::{decode, encode, Baremes};
use partage_store::{CaisseId, StoreError};

#[async_trait]
impl Baremes for PostgresStore {
    async fn baremes_psu(&self, caisse: CaisseId) -> Result<Vec<BaremePsu>, StoreError> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT contenu::text FROM baremes_psu WHERE caisse_id = $1")
                .bind(caisse.0)
                .fetch_optional(&self.pool)
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
        let mut tx = self.pool.begin().await.db()?;
        // The row exists from here on, and is locked until the end: two staff members adding a period at
        // once apply one after the other, the second against what the first wrote.
        sqlx::query(
            "INSERT INTO baremes_psu (caisse_id, contenu) VALUES ($1, '[]'::jsonb)
             ON CONFLICT (caisse_id) DO NOTHING",
        )
        .bind(caisse.0)
        .execute(&mut *tx)
        .await
        .db()?;
        let (contenu,): (String,) =
            sqlx::query_as("SELECT contenu::text FROM baremes_psu WHERE caisse_id = $1 FOR UPDATE")
                .bind(caisse.0)
                .fetch_one(&mut *tx)
                .await
                .db()?;
        if decode(&contenu)? != attendus {
            return Ok(false);
        }
        let nouveaux: Vec<&BaremePsu> = nouveaux.iter().collect();
        sqlx::query("UPDATE baremes_psu SET contenu = $2::jsonb WHERE caisse_id = $1")
            .bind(caisse.0)
            .bind(encode(&nouveaux))
            .execute(&mut *tx)
            .await
            .db()?;
        tx.commit().await.db()?;
        Ok(true)
    }
}
