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
    let url = format!("sqlite://{}", dir.join("p.sqlite").display());
    let store = partage_store_sqlite::SqliteStore::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    let traces = (0..n)
        .map(|i| Trace {
            horodatage: chrono::DateTime::from_timestamp(1_800_000_000 + i, 0).unwrap(),
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
