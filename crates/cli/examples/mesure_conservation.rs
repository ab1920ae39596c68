//! Times the real code of the daily statistics' first build and of the retention purge on a prepared
//! database (bench/conservation.sh prepares it and runs this): `App::checkpoint` (the purge only blanks
//! traces a signed checkpoint covers), `App::construire_statistiques` (every day from the first trace to
//! yesterday, as the first run after the migration does) and `App::purger_traces` (pages of 1,000), on a
//! clock set to the given instant, as `partage tick` runs them.
//!
//!   mesure_conservation URL MAINTENANT RETENTION_MOIS FICHIER_CLE

use anyhow::{bail, Context};
use chrono::{DateTime, Utc};
use partage_app::trace_log::load_or_create_key;
use partage_app::{App, ManualClock, Settings};
use partage_domain::retention::Retention;
use partage_store::Store;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

async fn open_store(url: &str) -> anyhow::Result<Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        let store = partage_store_sqlite::SqliteStore::connect(url).await?;
        store.migrate().await?;
        Ok(Arc::new(store))
    } else {
        let store = partage_store_postgres::PostgresStore::connect(url).await?;
        store.migrate().await?;
        Ok(Arc::new(store))
    }
}

#[allow(clippy::print_stdout)] // The figures are the measurement's output.
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [url, maintenant, mois, cle] = args.as_slice() else {
        bail!("usage : mesure_conservation URL MAINTENANT RETENTION_MOIS FICHIER_CLE");
    };
    let maintenant: DateTime<Utc> = maintenant
        .parse()
        .with_context(|| format!("instant illisible « {maintenant} »"))?;
    let retention = Retention::parse(mois).map_err(|e| anyhow::anyhow!(e))?;
    let store = open_store(url).await?;
    let settings = Settings {
        retention,
        ..Settings::default()
    };
    let app = App::new(store, Arc::new(ManualClock::at(maintenant)), settings)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .with_log_key(load_or_create_key(Path::new(cle)).map_err(|e| anyhow::anyhow!("{e}"))?);

    let debut = Instant::now();
    let point = app.checkpoint(true).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let taille = point.map_or(0, |p| p.checkpoint.taille);
    println!(
        "point de contrôle   : {taille} traces couvertes en {:.1} s",
        debut.elapsed().as_secs_f64()
    );

    let debut = Instant::now();
    let jours = app
        .construire_statistiques()
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let duree = debut.elapsed().as_secs_f64();
    println!(
        "statistiques        : {jours} jours construits en {duree:.1} s ({:.1} ms par jour)",
        1000.0 * duree / jours.max(1) as f64
    );

    let debut = Instant::now();
    let purge = app.purger_traces().await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let duree = debut.elapsed().as_secs_f64();
    println!(
        "purge               : {} traces purgées (antérieures au {}) en {duree:.1} s ({:.0} traces/s)",
        purge.purgees,
        purge.avant.format("%d/%m/%Y"),
        purge.purgees as f64 / duree.max(f64::EPSILON)
    );
    Ok(())
}
