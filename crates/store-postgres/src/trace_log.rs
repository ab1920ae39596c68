//! The verifiable trace log's tables on PostgreSQL (see `partage_store::trace_log`).

use crate::error::DbResult;
use crate::PostgresStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use partage_store::trace_log::{
    check_consecutive, frontier_bytes, leaf_from_columns, reached, to_column, CheckpointColumns,
    CheckpointRecord, LeafRecord, NewCheckpoint, TraceLog,
};
use partage_store::StoreError;

type CheckpointRow = (i64, i64, Vec<u8>, DateTime<Utc>, Vec<u8>, i64, Vec<u8>);
type LeafRow = (i64, i64, Vec<u8>);

const CHECKPOINT_COLUMNS: &str =
    "SELECT id, taille, racine, horodatage, signature, dernier_trace_id, frontiere FROM points_de_controle";

fn checkpoint(row: CheckpointRow) -> Result<CheckpointRecord, StoreError> {
    let (id, taille, racine, horodatage, signature, dernier_trace_id, frontiere) = row;
    CheckpointColumns {
        id,
        taille,
        racine,
        horodatage,
        signature,
        dernier_trace_id,
        frontiere,
    }
    .into_record()
}

fn leaf((position, trace_id, feuille): LeafRow) -> Result<LeafRecord, StoreError> {
    leaf_from_columns(position, trace_id, &feuille)
}

#[async_trait]
impl TraceLog for PostgresStore {
    async fn append_checkpoint(&self, leaves: &[LeafRecord], new: &NewCheckpoint) -> Result<i64, StoreError> {
        let mut tx = self.pool.begin().await.db()?;
        // One checkpoint at a time: a second one waits here, then finds the log moved on and is refused.
        sqlx::query("LOCK TABLE points_de_controle IN EXCLUSIVE MODE")
            .execute(&mut *tx)
            .await
            .db()?;
        let (count,): (i64,) = sqlx::query_as("SELECT coalesce(max(position) + 1, 0) FROM traces_feuilles")
            .fetch_one(&mut *tx)
            .await
            .db()?;
        check_consecutive(reached(count)?, leaves)?;
        let positions: Vec<i64> = leaves
            .iter()
            .map(|l| to_column(l.position))
            .collect::<Result<_, _>>()?;
        let ids: Vec<i64> = leaves.iter().map(|l| l.trace_id).collect();
        let hashes: Vec<Vec<u8>> = leaves.iter().map(|l| l.hash.to_vec()).collect();
        sqlx::query(
            "INSERT INTO traces_feuilles (position, trace_id, feuille)
             SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bytea[])",
        )
        .bind(&positions)
        .bind(&ids)
        .bind(&hashes)
        .execute(&mut *tx)
        .await
        .db()?;
        let c = &new.signed.checkpoint;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO points_de_controle
                 (taille, racine, horodatage, signature, dernier_trace_id, frontiere)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(to_column(c.taille)?)
        .bind(&c.racine[..])
        .bind(c.horodatage)
        .bind(&new.signed.signature[..])
        .bind(new.dernier_trace_id)
        .bind(frontier_bytes(&new.frontiere))
        .fetch_one(&mut *tx)
        .await
        .db()?;
        tx.commit().await.db()?;
        Ok(id)
    }

    async fn latest_checkpoint(&self) -> Result<Option<CheckpointRecord>, StoreError> {
        let row: Option<CheckpointRow> =
            sqlx::query_as(&format!("{CHECKPOINT_COLUMNS} ORDER BY id DESC LIMIT 1"))
                .fetch_optional(&self.pool)
                .await
                .db()?;
        row.map(checkpoint).transpose()
    }

    async fn checkpoints(&self) -> Result<Vec<CheckpointRecord>, StoreError> {
        let rows: Vec<CheckpointRow> = sqlx::query_as(&format!("{CHECKPOINT_COLUMNS} ORDER BY id"))
            .fetch_all(&self.pool)
            .await
            .db()?;
        rows.into_iter().map(checkpoint).collect()
    }

    async fn leaves(&self, from: u64, limit: u32) -> Result<Vec<LeafRecord>, StoreError> {
        let rows: Vec<LeafRow> = sqlx::query_as(
            "SELECT position, trace_id, feuille FROM traces_feuilles WHERE position >= $1
             ORDER BY position LIMIT $2",
        )
        .bind(to_column(from)?)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .db()?;
        rows.into_iter().map(leaf).collect()
    }

    async fn leaf_of_trace(&self, trace_id: i64) -> Result<Option<LeafRecord>, StoreError> {
        let row: Option<LeafRow> =
            sqlx::query_as("SELECT position, trace_id, feuille FROM traces_feuilles WHERE trace_id = $1")
                .bind(trace_id)
                .fetch_optional(&self.pool)
                .await
                .db()?;
        row.map(leaf).transpose()
    }
}
