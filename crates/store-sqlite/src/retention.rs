//! Retention of traces (see `partage_store::retention`).

use crate::codec::instant;
use crate::error::DbResult;
use crate::{stored_trace, SqliteStore, TraceRow, TRACE_COLUMNS};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use partage_domain::merkle::Hash;
use partage_store::retention::{TracePurge, SOURCE_PURGEE};
use partage_store::{StoreError, StoredTrace};

#[async_trait]
impl TracePurge for SqliteStore {
    async fn traces_to_purge(
        &self,
        avant: DateTime<Utc>,
        jusqu_a_id: i64,
        limit: u32,
    ) -> Result<Vec<StoredTrace>, StoreError> {
        let rows: Vec<TraceRow> = sqlx::query_as(&format!(
            "SELECT {TRACE_COLUMNS} FROM traces
             WHERE purgee_le IS NULL AND horodatage < ? AND id <= ? ORDER BY id LIMIT ?"
        ))
        .bind(instant(avant))
        .bind(jusqu_a_id)
        .bind(i64::from(limit))
        .fetch_all(&self.readers)
        .await
        .db()?;
        rows.into_iter().map(stored_trace).collect()
    }

    async fn purge_traces(&self, feuilles: &[(i64, Hash)], at: DateTime<Utc>) -> Result<u64, StoreError> {
        let mut tx = self.begin_write().await?;
        let mut purgees = 0;
        for (id, feuille) in feuilles {
            let done = sqlx::query(
                "UPDATE traces SET utilisateur = NULL, source = ?, rubriques = NULL, matricule = NULL,
                        nir_hache = NULL, purgee_le = ?, feuille_conservee = ?
                 WHERE id = ? AND purgee_le IS NULL",
            )
            .bind(SOURCE_PURGEE)
            .bind(instant(at))
            .bind(feuille.as_slice())
            .bind(id)
            .execute(&mut *tx)
            .await
            .db()?;
            purgees += done.rows_affected();
        }
        tx.commit().await.db()?;
        Ok(purgees)
    }
}
