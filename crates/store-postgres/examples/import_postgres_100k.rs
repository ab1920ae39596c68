//! Times the import of a caisse's file of synthetic dossiers (100,000 by default) into a fresh schema of the
//! test server (`PARTAGE_TEST_POSTGRES_URL`), then its re-import, which updates every dossier and replaces
//! its NIRs. The schema is dropped at the end.
//!
//! ```sh
//! cargo run --release -p partage-store-postgres --example import_postgres_100k [DOSSIERS]
//! ```

// Printing the figures is this program's whole purpose.
#![allow(clippy::print_stdout)]

use partage_store::contract::{nir, synthetic_caisse, synthetic_nir};
use partage_store::Store;
use partage_store_postgres::testing::TestSchema;
use std::error::Error;
use std::time::Instant;

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let n: usize = std::env::args()
        .nth(1)
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(100_000);
    let schema = TestSchema::create().await?;
    let store = schema.store();

    let file = synthetic_caisse("MSA-BENCH", n);
    let lines = file.len();
    for (label, records) in [("import", file.clone()), ("ré-import", file)] {
        let started = Instant::now();
        let counts = store.import(records).await?;
        println!(
            "PostgreSQL {label} : {} dossiers ({lines} lignes) en {:.2} s",
            counts.dossiers,
            started.elapsed().as_secs_f64()
        );
    }

    let lookup = Instant::now();
    let found = store
        .dossier_by_nir(partage_store::CaisseId(1), &nir(synthetic_nir(n / 2, 1)))
        .await?;
    println!(
        "recherche par NIR : {} en {:.2} ms",
        if found.is_some() { "trouvé" } else { "ABSENT" },
        lookup.elapsed().as_secs_f64() * 1000.0
    );
    drop(store);
    schema.drop_schema().await?;
    Ok(())
}
