//! The one place where PostgreSQL's errors become the store's: callers see `StoreError`, never `sqlx::Error`.

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
