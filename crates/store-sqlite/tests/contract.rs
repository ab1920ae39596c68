//! The store contract, and what only SQLite itself can show: that the file refuses to alter traces.

// Fixture helpers are not `#[test]` functions, so clippy's test allowances miss them; a failed setup must
// stop the test with its message all the same.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use partage_store::contract::trace_log::RawSql;
use partage_store::contract::TestStore;
use partage_store::{JournalBatch, Store};
use partage_store_sqlite::SqliteStore;
use std::sync::Arc;
use tempfile::TempDir;

/// A migrated store in a file of its own, deleted with its directory after the test.
struct TempStore {
    store: Arc<SqliteStore>,
    url: String,
    _dir: TempDir,
}

async fn fresh_store() -> TempStore {
    let dir = tempfile::tempdir().expect("répertoire temporaire");
    let url = format!("sqlite://{}", dir.path().join("partage.db").display());
    let store = SqliteStore::connect(&url).await.expect("ouverture de la base");
    store.migrate().await.expect("migration");
    TempStore {
        store: Arc::new(store),
        url,
        _dir: dir,
    }
}

impl TestStore for TempStore {
    fn store(&self) -> Arc<dyn Store> {
        self.store.clone()
    }

    async fn cleanup(self) {
        self.store.close().await;
    }
}

partage_store::contract_tests!(fresh_store().await);

impl RawSql for TempStore {
    async fn execute(&self, sql: &str) -> Result<(), String> {
        let pool = sqlx::SqlitePool::connect(&self.url)
            .await
            .map_err(|e| e.to_string())?;
        let done = sqlx::query(sql).execute(&pool).await.map(|_| ());
        pool.close().await;
        done.map_err(|e| e.to_string())
    }

    fn disarm(&self) -> &'static [&'static str] {
        &[
            "DROP TRIGGER traces_sans_modification",
            "DROP TRIGGER traces_sans_suppression",
            "DROP TRIGGER traces_feuilles_sans_modification",
            "DROP TRIGGER traces_feuilles_sans_suppression",
        ]
    }
}

partage_store::trace_log_tamper_tests!(fresh_store().await);

#[tokio::test]
async fn tr_2_traces_cannot_be_updated_or_deleted() {
    let fixture = fresh_store().await;
    let trace = partage_domain::trace::Trace {
        horodatage: chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap(),
        caisse: Some("MSA-ADL".into()),
        utilisateur: Some("jdupont".into()),
        partenaire: None,
        source: "192.0.2.1".into(),
        action: partage_domain::trace::Action::Connexion,
        bouquet: None,
        rubriques: None,
        matricule: None,
        nir_hache: None,
        resultat: partage_domain::trace::Resultat::EchecMotDePasse,
    };
    fixture
        .store
        .journal(&JournalBatch {
            traces: vec![trace.clone()],
            session_touches: vec![],
        })
        .await
        .unwrap();

    // Straight to the file, as anyone with a SQL shell on it would, around the application.
    let pool = sqlx::SqlitePool::connect(&fixture.url).await.unwrap();
    for sql in [
        "UPDATE traces SET resultat = 'succes'",
        "DELETE FROM traces",
        "DELETE FROM traces WHERE id = 1",
    ] {
        let refused = sqlx::query(sql).execute(&pool).await.unwrap_err().to_string();
        assert!(refused.contains("TR-2"), "{sql}: {refused}");
    }
    pool.close().await;

    let kept = fixture.store.traces_after(0, 10).await.unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].trace, trace);
    fixture.cleanup().await;
}

#[tokio::test]
async fn corrupt_rows_are_reported_as_corrupt() {
    let fixture = fresh_store().await;
    fixture
        .store
        .import(partage_store::contract::world())
        .await
        .unwrap();
    let pool = sqlx::SqlitePool::connect(&fixture.url).await.unwrap();
    sqlx::query("UPDATE dossiers SET contenu = '{\"pas\": \"un dossier\"}'")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("UPDATE caisses SET departements = '[\"00\"]'")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;

    let store: &dyn Store = &*fixture.store;
    let login = store
        .find_login(
            &partage_domain::CaisseCode::parse("MSA-ADL").unwrap(),
            &partage_domain::Identifiant::parse("jdupont").unwrap(),
        )
        .await
        .unwrap()
        .unwrap();
    let err = store
        .dossier_by_nir(login.caisse_id, &partage_store::contract::nir(1))
        .await
        .unwrap_err();
    assert!(matches!(err, partage_store::StoreError::Corrupt(_)), "{err}");
    let err = store.import(vec![]).await.unwrap_err();
    assert!(
        matches!(
            err,
            partage_store::ImportError::Store(partage_store::StoreError::Corrupt(_))
        ),
        "{err}"
    );
    fixture.cleanup().await;
}

#[tokio::test]
async fn in_memory_databases_are_refused() {
    let err = SqliteStore::connect("sqlite::memory:").await.unwrap_err();
    assert!(err.to_string().contains("mémoire"), "{err}");
}
