//! `partage traces checkpoint | verify | cle-publique | preuve-*` end to end on a SQLite file (TR-2, BY-2):
//! exit codes, the French summary, and the trace named after tampering with the file by hand.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use partage_domain::trace::{Action, Resultat, Trace};
use partage_store::{JournalBatch, Store};
use std::path::Path;
use std::process::{Command, Output};

fn partage(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_partage"))
        .args(args)
        .env(
            "PARTAGE_DATABASE_URL",
            format!("sqlite://{}", dir.join("p.sqlite").display()),
        )
        .env("PARTAGE_DATA_DIR", dir.join("data"))
        .env("RUST_LOG", "error")
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

async fn append(dir: &Path, n: i64) {
    append_from(dir, n, 1_800_000_000).await;
}

async fn append_from(dir: &Path, n: i64, first: i64) {
    let url = format!("sqlite://{}", dir.join("p.sqlite").display());
    let store = partage_store_sqlite::SqliteStore::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    let traces = (0..n)
        .map(|i| Trace {
            horodatage: chrono::DateTime::from_timestamp(first + i, 0).unwrap(),
            caisse: Some("CAF-59".into()),
            utilisateur: Some(format!("agent{i}")),
            partenaire: Some("T-1".into()),
            source: "192.0.2.1".into(),
            action: Action::Consultation,
            bouquet: None,
            rubriques: None,
            matricule: Some("0001".into()),
            nir_hache: None,
            resultat: Resultat::Succes,
        })
        .collect();
    store
        .journal(&JournalBatch {
            traces,
            session_touches: vec![],
        })
        .await
        .unwrap();
    store.close().await;
}

#[tokio::test]
async fn tr_2_cli_signs_verifies_proves_and_names_the_altered_trace() {
    let dir = tempfile::tempdir().unwrap();
    append(dir.path(), 6).await;

    let published = dir.path().join("pc.json");
    let made = partage(
        dir.path(),
        &["traces", "checkpoint", "--sortie", published.to_str().unwrap()],
    );
    assert!(made.status.success(), "{}", stderr(&made));
    assert!(
        stderr(&made).contains("6 trace(s) couverte(s)"),
        "{}",
        stderr(&made)
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let key = dir.path().join("data/journal/cle-ed25519.hex");
        assert_eq!(
            std::fs::metadata(key).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }

    let public = partage(dir.path(), &["traces", "cle-publique"]);
    let public = String::from_utf8(public.stdout).unwrap().trim().to_owned();
    assert_eq!(public.len(), 64);

    append(dir.path(), 3).await;
    let ok = partage(
        dir.path(),
        &[
            "traces",
            "verify",
            "--checkpoint",
            published.to_str().unwrap(),
            "--cle-publique",
            &public,
        ],
    );
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
    assert!(
        stderr(&ok).contains("journal intègre — 9 trace(s)"),
        "{}",
        stderr(&ok)
    );
    assert!(stderr(&ok).contains("3 postérieure(s)"), "{}", stderr(&ok));

    let inclusion = partage(dir.path(), &["traces", "preuve-inclusion", "--trace", "4"]);
    assert!(inclusion.status.success(), "{}", stderr(&inclusion));
    let proof: serde_json::Value = serde_json::from_slice(&inclusion.stdout).unwrap();
    assert_eq!(proof["position"], 3);
    assert_eq!(proof["point_de_controle"]["taille"], 6);
    let missing = partage(dir.path(), &["traces", "preuve-inclusion", "--trace", "8"]);
    assert!(!missing.status.success());
    assert!(
        stderr(&missing).contains("pas encore couverte"),
        "{}",
        stderr(&missing)
    );

    // A checkpoint made with another key is refused by the published public key.
    let stranger = "11".repeat(32);
    let wrong = partage(dir.path(), &["traces", "verify", "--cle-publique", &stranger]);
    assert!(!wrong.status.success());
    let bad = partage(dir.path(), &["traces", "verify", "--cle-publique", "abc"]);
    assert!(stderr(&bad).contains("clé publique invalide"), "{}", stderr(&bad));

    // Straight into the file, triggers dropped, as someone with the file in hand would.
    let url = format!("sqlite://{}", dir.path().join("p.sqlite").display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    for sql in [
        "DROP TRIGGER traces_sans_modification",
        "UPDATE traces SET resultat = 'opposition' WHERE id = 5",
    ] {
        sqlx::query(sql).execute(&pool).await.unwrap();
    }
    pool.close().await;
    let caught = partage(dir.path(), &["traces", "verify"]);
    assert_eq!(caught.status.code(), Some(2), "{}", stderr(&caught));
    assert!(
        stderr(&caught).contains("JOURNAL ALTÉRÉ — trace n° 5 (position 4)"),
        "{}",
        stderr(&caught)
    );
}

fn partage_env(dir: &Path, args: &[&str], retention: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_partage"))
        .args(args)
        .env(
            "PARTAGE_DATABASE_URL",
            format!("sqlite://{}", dir.join("p.sqlite").display()),
        )
        .env("PARTAGE_DATA_DIR", dir.join("data"))
        .env("PARTAGE_RETENTION_TRACES_MOIS", retention)
        .env("RUST_LOG", "error")
        .output()
        .unwrap()
}

#[tokio::test]
async fn tr_2_retention_tick_purges_old_traces_and_verify_still_passes() {
    let dir = tempfile::tempdir().unwrap();
    // Four traces of September 2020, signed, then the daily run.
    append_from(dir.path(), 4, 1_600_000_000).await;
    assert!(partage(dir.path(), &["traces", "checkpoint"]).status.success());
    let short = partage_env(dir.path(), &["tick"], "11");
    assert!(!short.status.success());
    assert!(stderr(&short).contains("au moins 12 mois"), "{}", stderr(&short));
    let tick = partage_env(dir.path(), &["tick"], "36");
    assert!(tick.status.success(), "{}", stderr(&tick));
    assert!(
        stderr(&tick).contains("4 trace(s) purgée(s)"),
        "{}",
        stderr(&tick)
    );
    // The days' statistics were built first (TR-4): the purge waits for them.
    assert!(
        !stderr(&tick).contains("statistiques de 0 jour(s)"),
        "{}",
        stderr(&tick)
    );
    let again = partage_env(dir.path(), &["tick"], "36");
    assert!(
        stderr(&again).contains("0 trace(s) purgée(s)"),
        "{}",
        stderr(&again)
    );
    // The purged log verifies; the two purge runs are traces of their own, kept.
    let ok = partage_env(dir.path(), &["traces", "verify"], "36");
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
    assert!(stderr(&ok).contains("6 trace(s)"), "{}", stderr(&ok));
    let export = partage(dir.path(), &["traces", "export"]);
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&export.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["utilisateur"], serde_json::Value::Null);
    assert_eq!(lines[0]["source"], "");
    assert_eq!(lines[4]["action"], "purge_traces");
    assert!(lines[4]["rubriques"].as_str().unwrap().starts_with("purgees=4;"));
    // Checked against a retention of ten years, the same rows were blanked too early: named.
    let caught = partage_env(dir.path(), &["traces", "verify"], "120");
    assert_eq!(caught.status.code(), Some(2), "{}", stderr(&caught));
    assert!(
        stderr(&caught).contains("trace n° 1 (position 0)"),
        "{}",
        stderr(&caught)
    );
}
