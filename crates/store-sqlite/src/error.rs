//! The one place where SQLite's errors become the store's: callers see `StoreError`, never `sqlx::Error`.

use partage_store::StoreError;

pub(crate) trait DbResult<T> {
    /// The backend failed: kept as text for the log, never shown to a user.
    fn db(self) -> Result<T, StoreError>;
}

impl<T> DbResult<T> for Result<T, sqlx::Error> {
    fn db(self) -> Result<T, StoreError> {
        self.map_err(|e| StoreError::Backend(e.to_string()))
    }
}

impl<T> DbResult<T> for Result<T, sqlx::migrate::MigrateError> {
    fn db(self) -> Result<T, StoreError> {
        self.map_err(|e| StoreError::Backend(format!("migration : {e}")))
    }
}

// Shared with the other backend, so a corrupted row reads the same whichever database holds it.
pub(crate) use partage_store::codec::corrupt;

/// Whether `table` holds the row `id` of this caisse: after a guarded update changed nothing, this tells an
/// unknown row from one already ended. `table` is a constant of the caller, never input.
pub(crate) async fn ligne_de_la_caisse(
    pool: &sqlx::SqlitePool,
    table: &'static str,
    caisse: partage_store::CaisseId,
    id: i64,
) -> Result<bool, StoreError> {
    let row: Option<(i64,)> =
        sqlx::query_as(&format!("SELECT id FROM {table} WHERE caisse_id = ? AND id = ?"))
            .bind(caisse.0)
            .bind(id)
            .fetch_optional(pool)
            .await
            .db()?;
    Ok(row.is_some())
}
