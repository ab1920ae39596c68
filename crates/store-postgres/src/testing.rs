//! Throw-away schemas on a real PostgreSQL server, one per test, so that tests run side by side on one
//! database without seeing each other's rows.
//!
//! The server is `PARTAGE_TEST_POSTGRES_URL`, by default `postgres://postgres@127.0.0.1:5432/test`. Each
//! schema is named `partage_test_<unix time>_<pid>_<counter>_<random>`; the time in the name lets a later
//! run drop, after an hour, the schemas that a crashed run could not.

use crate::PostgresStore;
use partage_store::contract::trace_log::RawSql;
use partage_store::{contract::TestStore, Store, StoreError};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, PgConnection, PgPool};
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

pub const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// Schemas older than this are left over by a run that crashed: no test lasts that long.
const STALE_AFTER_SECONDS: i64 = 3_600;

static COUNTER: AtomicU64 = AtomicU64::new(0);
static SWEPT: AtomicBool = AtomicBool::new(false);

/// The test server's URL.
pub fn url() -> String {
    std::env::var("PARTAGE_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_URL.to_owned())
}

/// Why no test schema could be had, said so that whoever runs the tests knows what to do.
#[derive(Debug, thiserror::Error)]
pub enum TestDbError {
    #[error(
        "PostgreSQL injoignable à {url} ({cause}). Démarrez-le : \
         `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`, ou indiquez un autre \
         serveur dans PARTAGE_TEST_POSTGRES_URL. / PostgreSQL is unreachable at {url} ({cause}). Start it \
         with the command above, or point PARTAGE_TEST_POSTGRES_URL at another server."
    )]
    Unreachable { url: String, cause: String },
    #[error("préparation du schéma de test : {0}")]
    Setup(#[from] StoreError),
}

/// A migrated store in a schema of its own. [`TestSchema::drop_schema`] removes it; so does dropping the
/// value, for tests that keep it in a guard and cannot await at the end.
#[derive(Debug)]
pub struct TestSchema {
    name: String,
    url: String,
    store: Arc<PostgresStore>,
    admin: PgPool,
    dropped: bool,
}

impl TestSchema {
    pub async fn create() -> Result<TestSchema, TestDbError> {
        let url = url();
        let unreachable = |cause: String| TestDbError::Unreachable {
            url: crate::url_without_password(&url),
            cause,
        };
        let options = PgConnectOptions::from_str(&url).map_err(|e| unreachable(e.to_string()))?;
        // One plain connection first: a pool would only report that it timed out, not that the connection
        // was refused.
        PgConnection::connect_with(&options)
            .await
            .map_err(|e| unreachable(e.to_string()))?
            .close()
            .await
            .map_err(|e| unreachable(e.to_string()))?;
        let admin = PgPoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await
            .map_err(|e| unreachable(e.to_string()))?;
        // The server's clock, not ours: the names are compared with the server's clock when swept.
        let (now,): (i64,) = sqlx::query_as("SELECT extract(epoch FROM now())::bigint")
            .fetch_one(&admin)
            .await
            .map_err(|e| unreachable(e.to_string()))?;
        if !SWEPT.swap(true, Ordering::SeqCst) {
            sweep_stale(&admin, now).await;
        }
        let name = format!(
            "partage_test_{now}_{}_{}_{:08x}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst),
            rand::random::<u32>()
        );
        let store = PostgresStore::connect_with_schema(&url, &name).await?;
        store.migrate().await?;
        Ok(TestSchema {
            name,
            url,
            store: Arc::new(store),
            admin,
            dropped: false,
        })
    }

    pub fn store(&self) -> Arc<PostgresStore> {
        self.store.clone()
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// A pool of its own on the schema, around the store, for tests that must show what the database
    /// itself refuses.
    pub async fn raw_pool(&self) -> Result<PgPool, TestDbError> {
        let options = PgConnectOptions::from_str(&self.url)
            .map_err(|e| StoreError::Backend(e.to_string()))?
            .options([("search_path", self.name.as_str())]);
        PgPoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await
            .map_err(|e| TestDbError::Setup(StoreError::Backend(e.to_string())))
    }

    pub async fn drop_schema(mut self) -> Result<(), TestDbError> {
        self.dropped = true;
        self.store.close().await;
        // The name was made by `create`: plain lowercase letters, digits and `_`.
        let dropped = sqlx::query(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name))
            .execute(&self.admin)
            .await
            .map(|_| ())
            .map_err(|e| TestDbError::Setup(StoreError::Backend(e.to_string())));
        self.admin.close().await;
        dropped
    }
}

impl Drop for TestSchema {
    fn drop(&mut self) {
        if self.dropped {
            return;
        }
        let (url, name) = (self.url.clone(), self.name.clone());
        // `Drop` cannot await, and blocking on the test's own runtime could deadlock it: a thread of its own
        // with its own connection drops the schema, and the test waits for it.
        let outcome = std::thread::spawn(move || -> Result<(), String> {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            runtime.block_on(async {
                let mut conn = PgConnection::connect(&url).await.map_err(|e| e.to_string())?;
                sqlx::query(&format!("DROP SCHEMA IF EXISTS {name} CASCADE"))
                    .execute(&mut conn)
                    .await
                    .map_err(|e| e.to_string())?;
                conn.close().await.map_err(|e| e.to_string())
            })
        })
        .join();
        match outcome {
            Ok(Ok(())) => {}
            Ok(Err(e)) => warn_not_dropped(&self.name, &e),
            Err(_) => warn_not_dropped(&self.name, &"le fil de suppression a paniqué"),
        }
    }
}

impl TestStore for TestSchema {
    fn store(&self) -> Arc<dyn Store> {
        self.store.clone()
    }

    async fn cleanup(self) {
        let name = self.name.clone();
        if let Err(e) = self.drop_schema().await {
            // Nothing to fail any more: the next run's sweep drops it within the hour.
            warn_not_dropped(&name, &e);
        }
    }
}

impl RawSql for TestSchema {
    async fn execute(&self, sql: &str) -> Result<(), String> {
        let pool = self.raw_pool().await.map_err(|e| e.to_string())?;
        let done = sqlx::query(sql).execute(&pool).await.map(|_| ());
        pool.close().await;
        done.map_err(|e| e.to_string())
    }

    fn disarm(&self) -> &'static [&'static str] {
        &[
            "DROP TRIGGER traces_sans_modification ON traces",
            "DROP TRIGGER traces_feuilles_sans_modification ON traces_feuilles",
            // The ids are the database's to give: an attacker renumbering traces takes that away too.
            "ALTER TABLE traces ALTER COLUMN id SET GENERATED BY DEFAULT",
        ]
    }
}

/// A test helper has no logger: stderr is what the test runner shows.
fn warn_not_dropped(name: &str, e: &dyn std::fmt::Display) {
    eprintln!("schéma de test {name} non supprimé : {e}");
}

/// Drops the schemas of runs that crashed more than an hour ago. Errors are ignored: two runs may sweep the
/// same schema at once, and a schema left now is swept next time.
async fn sweep_stale(admin: &PgPool, now: i64) {
    let Ok(names) = sqlx::query_as::<_, (String,)>(
        "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'partage\\_test\\_%'",
    )
    .fetch_all(admin)
    .await
    else {
        return;
    };
    for (name,) in names {
        let created = name.split('_').nth(2).and_then(|t| t.parse::<i64>().ok());
        let plain = name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if plain && created.is_some_and(|t| now - t > STALE_AFTER_SECONDS) {
            let _ = sqlx::query(&format!("DROP SCHEMA IF EXISTS {name} CASCADE"))
                .execute(admin)
                .await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_stay_out_of_messages() {
        assert_eq!(
            crate::url_without_password("postgres://app:s3cret@db:5432/partage"),
            "postgres://app:***@db:5432/partage"
        );
        assert_eq!(crate::url_without_password(DEFAULT_URL), DEFAULT_URL);
        assert_eq!(
            crate::url_without_password("sqlite://x.sqlite"),
            "sqlite://x.sqlite"
        );
    }
}
