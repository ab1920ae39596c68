//! Times the import of a caisse's file of synthetic dossiers (100,000 by default) into a fresh SQLite file,
//! then its re-import, which updates every dossier and replaces its NIRs:
//!
//! ```sh
//! cargo run --release -p partage-store-sqlite --example import_sqlite_100k [DOSSIERS]
//! ```

// Printing the figures is this program's whole purpose.
#![allow(clippy::print_stdout)]

use partage_store::contract::{nir, synthetic_caisse, synthetic_nir};
use partage_store::Store;
use partage_store_sqlite::SqliteStore;
use std::error::Error;
use std::time::Instant;

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let n: usize = std::env::args()
        .nth(1)
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(100_000);
    let dir = tempfile::tempdir()?;
    let store = SqliteStore::connect(&format!("sqlite://{}", dir.path().join("bench.db").display())).await?;
    store.migrate().await?;

    let file = synthetic_caisse("MSA-BENCH", n);
    let lines = file.len();
    for (label, records) in [("import", file.clone()), ("ré-import", file)] {
        let started = Instant::now();
        let counts = store.import(records).await?;
        println!(
            "SQLite {label} : {} dossiers ({} lignes) en {:.2} s",
            counts.dossiers,
            lines,
            started.elapsed().as_secs_f64()
        );
    }

    let lookup = Instant::now();
    let caisse = partage_store::CaisseId(1);
    let found = store
        .dossier_by_nir(caisse, &nir(synthetic_nir(n / 2, 1)))
        .await?;
    println!(
        "recherche par NIR : {} en {:.2} ms",
        if found.is_some() { "trouvé" } else { "ABSENT" },
        lookup.elapsed().as_secs_f64() * 1000.0
    );
    let size = std::fs::metadata(dir.path().join("bench.db"))?.len();
    println!("taille du fichier : {:.1} Mio", size as f64 / 1_048_576.0);
    store.close().await;
    Ok(())
}
