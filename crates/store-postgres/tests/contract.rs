//! The store contract on a real PostgreSQL server, and what only the database itself can show: that it
//! refuses to alter traces. Each test has a schema of its own (see `partage_store_postgres::testing`).

// Fixture helpers are not `#[test]` functions, so clippy's test allowances miss them; a failed setup must
// stop the test with its message all the same.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use partage_store::contract::TestStore;
use partage_store::{JournalBatch, Store, StoreError};
use partage_store_postgres::testing::TestSchema;
use partage_store_postgres::PostgresStore;

/// Fails, never skips, when the server is down: a suite that passes without running proves nothing.
async fn fresh_schema() -> TestSchema {
    TestSchema::create().await.unwrap_or_else(|e| panic!("{e}"))
}

partage_store::contract_tests!(fresh_schema().await);
partage_store::trace_log_tamper_tests!(fresh_schema().await);

fn a_trace() -> partage_domain::trace::Trace {
    partage_domain::trace::Trace {
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
    }
}

#[tokio::test]
async fn tr_2_traces_cannot_be_updated_or_deleted() {
    let schema = fresh_schema().await;
    let store = schema.store();
    let trace = a_trace();
    store
        .journal(&JournalBatch {
            traces: vec![trace.clone()],
            session_touches: vec![],
        })
        .await
        .unwrap();

    // Straight to the database, as anyone with a SQL session would, around the application.
    let pool = schema.raw_pool().await.unwrap();
    for sql in [
        "UPDATE traces SET resultat = 'succes'",
        "DELETE FROM traces",
        "DELETE FROM traces WHERE id = 1",
        "TRUNCATE traces",
    ] {
        let refused = sqlx::query(sql).execute(&pool).await.unwrap_err().to_string();
        assert!(refused.contains("TR-2"), "{sql}: {refused}");
    }
    pool.close().await;

    let kept = store.traces_after(0, 10).await.unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].trace, trace);
    schema.cleanup().await;
}

#[tokio::test]
async fn corrupt_rows_are_reported_as_corrupt() {
    let schema = fresh_schema().await;
    let store = schema.store();
    store.import(partage_store::contract::world()).await.unwrap();
    let pool = schema.raw_pool().await.unwrap();
    sqlx::query("UPDATE dossiers SET contenu = '{\"pas\": \"un dossier\"}'")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("UPDATE caisses SET departements = '{00}'")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;

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
    assert!(matches!(err, StoreError::Corrupt(_)), "{err}");
    let err = store.import(vec![]).await.unwrap_err();
    assert!(
        matches!(err, partage_store::ImportError::Store(StoreError::Corrupt(_))),
        "{err}"
    );
    schema.cleanup().await;
}

#[tokio::test]
async fn schemas_keep_deployments_apart() {
    let a = fresh_schema().await;
    let b = fresh_schema().await;
    assert_ne!(a.name(), b.name());
    a.store().import(partage_store::contract::world()).await.unwrap();
    let caisse = partage_domain::CaisseCode::parse("MSA-ADL").unwrap();
    let ident = partage_domain::Identifiant::parse("jdupont").unwrap();
    assert!(a.store().find_login(&caisse, &ident).await.unwrap().is_some());
    assert!(b.store().find_login(&caisse, &ident).await.unwrap().is_none());
    assert_ne!(
        a.store().nir_key().await.unwrap().0,
        b.store().nir_key().await.unwrap().0
    );
    a.cleanup().await;
    b.cleanup().await;
}

#[tokio::test]
async fn odd_schema_names_are_refused() {
    let err =
        PostgresStore::connect_with_schema(&partage_store_postgres::testing::url(), "x\"; DROP TABLE y")
            .await
            .unwrap_err();
    assert!(err.to_string().contains("schéma"), "{err}");
}

#[tokio::test]
async fn a_schema_dropped_without_cleanup_is_removed_all_the_same() {
    let schema = fresh_schema().await;
    let name = schema.name().to_owned();
    let store = schema.store();
    drop(schema);
    let pool = sqlx::PgPool::connect(&partage_store_postgres::testing::url())
        .await
        .unwrap();
    let (left,): (i64,) = sqlx::query_as("SELECT count(*) FROM pg_namespace WHERE nspname = $1")
        .bind(&name)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(left, 0, "{name}");
    pool.close().await;
    store.close().await;
}
