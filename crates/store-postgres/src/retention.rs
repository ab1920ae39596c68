//! Retention of traces (see `partage_store::retention`).

use crate::error::DbResult;
use crate::{PostgresStore, TraceRow, TRACE_COLUMNS};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use partage_domain::merkle::Hash;
use partage_store::retention::{TracePurge, SOURCE_PURGEE};
use partage_store::{StoreError, StoredTrace};

#[async_trait]
impl TracePurge for PostgresStore {
    async fn traces_to_purge(
        &self,
        avant: DateTime<Utc>,
        jusqu_a_id: i64,
        limit: u32,
    ) -> Result<Vec<StoredTrace>, StoreError> {
        let rows: Vec<TraceRow> = sqlx::query_as(&format!(
            "SELECT {TRACE_COLUMNS} FROM traces
             WHERE purgee_le IS NULL AND horodatage < $1 AND id <= $2 ORDER BY id LIMIT $3"
        ))
        .bind(avant)
        .bind(jusqu_a_id)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .db()?;
        rows.into_iter().map(TraceRow::into_stored).collect()
    }

    async fn purge_traces(&self, feuilles: &[(i64, Hash)], at: DateTime<Utc>) -> Result<u64, StoreError> {
        let ids: Vec<i64> = feuilles.iter().map(|(id, _)| *id).collect();
        let hashes: Vec<Vec<u8>> = feuilles.iter().map(|(_, h)| h.to_vec()).collect();
        let done = sqlx::query(
            "UPDATE traces t SET utilisateur = NULL, source = $1, rubriques = NULL, matricule = NULL,
                    nir_hache = NULL, purgee_le = $2, feuille_conservee = p.feuille
             FROM unnest($3::bigint[], $4::bytea[]) AS p(id, feuille)
             WHERE t.id = p.id AND t.purgee_le IS NULL",
        )
        .bind(SOURCE_PURGEE)
        .bind(at)
        .bind(&ids)
        .bind(&hashes)
        .execute(&self.pool)
        .await
        .db()?;
        Ok(done.rows_affected())
    }
}
