//! The verifiable trace log's tables on SQLite (see `partage_store::trace_log`).

use crate::codec::{instant, parse_instant};
use crate::error::DbResult;
use crate::SqliteStore;
use async_trait::async_trait;
use partage_store::trace_log::{
    check_consecutive, frontier_bytes, leaf_from_columns, reached, to_column, CheckpointColumns,
    CheckpointRecord, LeafRecord, NewCheckpoint, TraceLog,
};
use partage_store::StoreError;
use sqlx::{QueryBuilder, Sqlite};

type CheckpointRow = (i64, i64, Vec<u8>, String, Vec<u8>, i64, Vec<u8>);
type LeafRow = (i64, i64, Vec<u8>);

const CHECKPOINT_COLUMNS: &str =
    "SELECT id, taille, racine, horodatage, signature, dernier_trace_id, frontiere FROM points_de_controle";

fn checkpoint(row: CheckpointRow) -> Result<CheckpointRecord, StoreError> {
    let (id, taille, racine, horodatage, signature, dernier_trace_id, frontiere) = row;
    CheckpointColumns {
        id,
        taille,
        racine,
        horodatage: parse_instant("points_de_controle.horodatage", &horodatage)?,
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
impl TraceLog for SqliteStore {
    async fn append_checkpoint(&self, leaves: &[LeafRecord], new: &NewCheckpoint) -> Result<i64, StoreError> {
        let mut tx = self.begin_write().await?;
        let (count,): (i64,) = sqlx::query_as("SELECT coalesce(max(position) + 1, 0) FROM traces_feuilles")
            .fetch_one(&mut *tx)
            .await
            .db()?;
        check_consecutive(reached(count)?, leaves)?;
        for chunk in leaves.chunks(crate::MAX_BINDS / 3) {
            let mut insert =
                QueryBuilder::<Sqlite>::new("INSERT INTO traces_feuilles (position, trace_id, feuille) ");
            let rows: Vec<(i64, i64, &[u8])> = chunk
                .iter()
                .map(|l| Ok((to_column(l.position)?, l.trace_id, &l.hash[..])))
                .collect::<Result<_, StoreError>>()?;
            insert.push_values(rows, |mut row, (p, id, hash)| {
                row.push_bind(p).push_bind(id).push_bind(hash);
            });
            insert.build().execute(&mut *tx).await.db()?;
        }
        let c = &new.signed.checkpoint;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO points_de_controle
                 (taille, racine, horodatage, signature, dernier_trace_id, frontiere)
             VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(to_column(c.taille)?)
        .bind(&c.racine[..])
        .bind(instant(c.horodatage))
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
                .fetch_optional(&self.readers)
                .await
                .db()?;
        row.map(checkpoint).transpose()
    }

    async fn checkpoints(&self) -> Result<Vec<CheckpointRecord>, StoreError> {
        let rows: Vec<CheckpointRow> = sqlx::query_as(&format!("{CHECKPOINT_COLUMNS} ORDER BY id"))
            .fetch_all(&self.readers)
            .await
            .db()?;
        rows.into_iter().map(checkpoint).collect()
    }

    async fn leaves(&self, from: u64, limit: u32) -> Result<Vec<LeafRecord>, StoreError> {
        let rows: Vec<LeafRow> = sqlx::query_as(
            "SELECT position, trace_id, feuille FROM traces_feuilles WHERE position >= ? ORDER BY position LIMIT ?",
        )
        .bind(to_column(from)?)
        .bind(i64::from(limit))
        .fetch_all(&self.readers)
        .await
        .db()?;
        rows.into_iter().map(leaf).collect()
    }

    async fn leaf_of_trace(&self, trace_id: i64) -> Result<Option<LeafRecord>, StoreError> {
        let row: Option<LeafRow> =
            sqlx::query_as("SELECT position, trace_id, feuille FROM traces_feuilles WHERE trace_id = ?")
                .bind(trace_id)
                .fetch_optional(&self.readers)
                .await
                .db()?;
        row.map(leaf).transpose()
    }
}
