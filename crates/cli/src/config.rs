//! Where the data lives, read once from the command line and the environment.

use anyhow::{bail, Context};
use partage_app::{App, Settings, SystemClock};
use partage_domain::retention::Retention;
use partage_store::Store;
use std::sync::Arc;

pub const DEFAULT_DATABASE_URL: &str = "sqlite://partage.sqlite";

/// Opens the store named by the URL and brings its schema up to date.
pub async fn open_store(url: &str) -> anyhow::Result<Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        let store = partage_store_sqlite::SqliteStore::connect(url)
            .await
            .with_context(|| format!("ouverture de la base SQLite {url}"))?;
        store.migrate().await.context("migration de la base SQLite")?;
        Ok(Arc::new(store))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let store = partage_store_postgres::PostgresStore::connect(url)
            .await
            .context("connexion à PostgreSQL")?;
        store.migrate().await.context("migration de la base PostgreSQL")?;
        Ok(Arc::new(store))
    } else {
        bail!(
            "PARTAGE_DATABASE_URL doit commencer par sqlite:// ou postgres:// (reçu : {})",
            redact(url)
        )
    }
}

/// The application on the real clock.
pub async fn open_app(url: &str, settings: Settings) -> anyhow::Result<App> {
    let store = open_store(url).await?;
    App::new(store, Arc::new(SystemClock), settings)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))
}

/// A database URL with its password masked, for messages.
pub fn redact(url: &str) -> String {
    partage_store_postgres::url_without_password(url)
}

/// How long traces are kept (issue #6, part 9), for `serve`, `tick` and `traces verify`.
#[derive(Debug, Clone, clap::Args)]
pub struct RetentionArgs {
    /// Durée de conservation des traces, en mois (au moins 12) : passé ce délai, la purge quotidienne
    /// efface leur contenu personnel et garde leur empreinte dans le journal vérifiable.
    #[arg(
        long = "retention-traces-mois",
        env = "PARTAGE_RETENTION_TRACES_MOIS",
        default_value = "36",
        value_parser = retention
    )]
    pub retention: Retention,
}

fn retention(texte: &str) -> Result<Retention, String> {
    Retention::parse(texte)
}
