//! The verifiable trace log on every backend (TR-2, BY-2): checkpoints, proofs, and tampering done straight
//! in the database, around the store, by someone who first removes its defences.

use super::{trace, TestStore};
use crate::trace_log::{
    audit_log, extend_log, prove_consistency, prove_consistency_to, prove_inclusion, prove_inclusion_in,
    LeafRecord, ProofRefused,
};
use crate::{JournalBatch, Store};
use chrono::{DateTime, Utc};
use ed25519_dalek::SigningKey;
use partage_domain::merkle::{self, Hash};
use partage_domain::trace::{Resultat, Trace};
use partage_domain::trace_log::{leaf_hash, CheckpointRef, Finding};
use std::future::Future;

fn key() -> SigningKey {
    SigningKey::from_bytes(&[42u8; 32])
}

fn now(s: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_900_000_000 + s, 0).unwrap()
}

async fn append(store: &dyn Store, range: std::ops::Range<i64>) -> Vec<Trace> {
    let traces: Vec<Trace> = range.map(|n| trace(n, Resultat::Succes)).collect();
    store
        .journal(&JournalBatch {
            traces: traces.clone(),
            session_touches: vec![],
        })
        .await
        .unwrap();
    traces
}

async fn ids(store: &dyn Store) -> Vec<i64> {
    store
        .traces_after(i64::MIN, 1000)
        .await
        .unwrap()
        .iter()
        .map(|t| t.id)
        .collect()
}

pub async fn by_2_checkpoints_hash_new_traces_and_prove_inclusion_and_consistency(store: &dyn Store) {
    let public = key().verifying_key();
    // An empty log gets a checkpoint of size 0 on demand.
    let empty = extend_log(store, &key(), now(0), false).await.unwrap().unwrap();
    assert_eq!(empty.checkpoint.signed.checkpoint.taille, 0);
    append(store, 0..5).await;
    let first = extend_log(store, &key(), now(60), false).await.unwrap().unwrap();
    let c1 = first.checkpoint.signed;
    assert_eq!(c1.checkpoint.taille, 5);
    assert!(c1.is_signed_by(&public));
    assert_eq!(c1.checkpoint.horodatage, now(60));
    // Nothing new: a schedule publishes nothing; on demand re-signs the same tree at a new time.
    assert!(extend_log(store, &key(), now(120), false)
        .await
        .unwrap()
        .is_none());
    let again = extend_log(store, &key(), now(180), true).await.unwrap().unwrap();
    assert_eq!(again.checkpoint.signed.checkpoint.racine, c1.checkpoint.racine);
    append(store, 5..13).await;
    let second = extend_log(store, &key(), now(240), false).await.unwrap().unwrap();
    let c2 = second.checkpoint.signed;
    assert_eq!(c2.checkpoint.taille, 13);
    // The stored checkpoints read back as signed, in order.
    let stored = store.checkpoints().await.unwrap();
    assert_eq!(
        stored.iter().map(|c| c.checkpoint.signed).collect::<Vec<_>>(),
        vec![empty.checkpoint.signed, c1, again.checkpoint.signed, c2]
    );
    assert_eq!(store.latest_checkpoint().await.unwrap().unwrap(), second);
    // The root is the RFC 9162 root of the traces' leaves, recomputed from the traces.
    let all = store.traces_after(i64::MIN, 100).await.unwrap();
    let leaves: Vec<Hash> = all.iter().map(|t| leaf_hash(t.id, &t.trace)).collect();
    assert_eq!(c2.checkpoint.racine, merkle::root(&leaves));
    assert_eq!(c1.checkpoint.racine, merkle::root(&leaves[..5]));
    // Every trace's inclusion, and every earlier size's consistency, verify.
    for (position, t) in all.iter().enumerate() {
        let proof = prove_inclusion(store, t.id).await.unwrap().unwrap();
        assert_eq!(proof.leaf.position, position as u64);
        assert!(merkle::verify_inclusion(
            position as u64,
            13,
            &leaf_hash(t.id, &t.trace),
            &proof.path,
            &c2.checkpoint.racine
        ));
    }
    let consistency = prove_consistency(store, 5).await.unwrap().unwrap();
    assert!(merkle::verify_consistency(
        5,
        13,
        &c1.checkpoint.racine,
        &c2.checkpoint.racine,
        &consistency.path
    ));
    assert_eq!(
        prove_consistency(store, 14).await.unwrap(),
        Err(ProofRefused::BadSize {
            asked: 14,
            latest: 13
        })
    );
    // A trace appended after the last checkpoint has no proof yet.
    append(store, 13..14).await;
    let newest = *ids(store).await.last().unwrap();
    assert_eq!(
        prove_inclusion(store, newest).await.unwrap(),
        Err(ProofRefused::NotCovered(newest))
    );
    let summary = audit_log(store, &public, None).await.unwrap().unwrap();
    assert_eq!(
        (summary.traces, summary.covered, summary.checkpoints),
        (14, 13, 4)
    );
}

pub async fn by_2_proofs_relative_to_an_earlier_signed_checkpoint(store: &dyn Store) {
    append(store, 0..3).await;
    let c3 = extend_log(store, &key(), now(60), false)
        .await
        .unwrap()
        .unwrap()
        .checkpoint
        .signed;
    append(store, 3..7).await;
    let c7 = extend_log(store, &key(), now(120), false)
        .await
        .unwrap()
        .unwrap()
        .checkpoint
        .signed;
    append(store, 7..12).await;
    extend_log(store, &key(), now(180), false).await.unwrap().unwrap();
    let all = store.traces_after(i64::MIN, 100).await.unwrap();
    // A trace's inclusion in the checkpoint of 7 traces verifies against that checkpoint's signed root.
    let t = &all[4];
    let proof = prove_inclusion_in(store, t.id, Some(7)).await.unwrap().unwrap();
    assert_eq!(proof.checkpoint.checkpoint.signed, c7);
    assert!(merkle::verify_inclusion(
        4,
        7,
        &leaf_hash(t.id, &t.trace),
        &proof.path,
        &c7.checkpoint.racine
    ));
    // A trace the earlier checkpoint does not cover has no proof in it; no checkpoint has 8 traces.
    let later = &all[9];
    assert_eq!(
        prove_inclusion_in(store, later.id, Some(7)).await.unwrap(),
        Err(ProofRefused::NotCovered(later.id))
    );
    assert_eq!(
        prove_inclusion_in(store, t.id, Some(8)).await.unwrap(),
        Err(ProofRefused::UnknownCheckpoint(8))
    );
    // Consistency between two earlier checkpoints, and refusals of impossible sizes.
    let consistency = prove_consistency_to(store, 3, Some(7)).await.unwrap().unwrap();
    assert_eq!(consistency.checkpoint.checkpoint.signed, c7);
    assert!(merkle::verify_consistency(
        3,
        7,
        &c3.checkpoint.racine,
        &c7.checkpoint.racine,
        &consistency.path
    ));
    assert!(!merkle::verify_consistency(
        3,
        7,
        &c7.checkpoint.racine,
        &c7.checkpoint.racine,
        &consistency.path
    ));
    assert_eq!(
        prove_consistency_to(store, 9, Some(7)).await.unwrap(),
        Err(ProofRefused::BadSize { asked: 9, latest: 7 })
    );
    assert_eq!(
        prove_consistency_to(store, 3, Some(10)).await.unwrap(),
        Err(ProofRefused::UnknownCheckpoint(10))
    );
}

pub async fn by_2_no_proof_before_the_first_checkpoint(store: &dyn Store) {
    append(store, 0..3).await;
    let first = ids(store).await[0];
    assert_eq!(
        prove_inclusion(store, first).await.unwrap(),
        Err(ProofRefused::NotCovered(first))
    );
    assert_eq!(
        prove_consistency(store, 0).await.unwrap(),
        Err(ProofRefused::NoCheckpoint)
    );
    // With no checkpoint, the audit has nothing to check against, and says so by its counts.
    let summary = audit_log(store, &key().verifying_key(), None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((summary.traces, summary.covered, summary.checkpoints), (3, 0, 0));
}

pub async fn tr_2_concurrent_checkpoint_is_refused_and_writes_nothing(store: &dyn Store) {
    append(store, 0..4).await;
    let made = extend_log(store, &key(), now(0), false).await.unwrap().unwrap();
    // A second checkpointer that read the log before the first one committed replays positions 0..4.
    let stale: Vec<LeafRecord> = store.leaves(0, 10).await.unwrap();
    assert_eq!(stale.len(), 4);
    assert!(store.append_checkpoint(&stale, &made.checkpoint).await.is_err());
    let skipping = [LeafRecord {
        position: 7,
        ..stale[0]
    }];
    assert!(store
        .append_checkpoint(&skipping, &made.checkpoint)
        .await
        .is_err());
    assert_eq!(store.checkpoints().await.unwrap().len(), 1, "nothing written");
    assert_eq!(store.leaves(0, 10).await.unwrap(), stale);
}

pub async fn tr_2_checkpoint_with_another_key_is_refused(store: &dyn Store) {
    append(store, 0..2).await;
    extend_log(store, &key(), now(0), false).await.unwrap();
    append(store, 2..3).await;
    let thief = SigningKey::from_bytes(&[1u8; 32]);
    let refused = extend_log(store, &thief, now(60), true).await.unwrap_err();
    assert!(
        refused.to_string().contains("pas signé par cette clé"),
        "{refused}"
    );
    assert_eq!(store.checkpoints().await.unwrap().len(), 1);
}

// ---------------------------------------------------------------------------------------------------------
// Tampering straight in the database.
// ---------------------------------------------------------------------------------------------------------

pub use super::retention::{
    tr_2_retention_back_dated_blanked_trace_is_named, tr_2_retention_purged_trace_with_altered_hash_is_named,
    tr_2_retention_young_trace_blanked_by_hand_is_named,
};

/// A test store that also gives raw SQL access to its database, as a superuser would have.
pub trait RawSql: TestStore + Sync {
    /// Runs one statement around the store; the database's refusal as text.
    fn execute(&self, sql: &str) -> impl Future<Output = Result<(), String>> + Send;
    /// The statements that take down the append-only defences of `traces` and `traces_feuilles`.
    fn disarm(&self) -> &'static [&'static str];
}

/// Expands to one `#[test]` per tampering test, for a fixture that implements [`RawSql`].
#[macro_export]
macro_rules! trace_log_tamper_tests {
    ($fixture:expr) => {
        $crate::trace_log_tamper_tests!(@each $fixture;
            tr_2_log_defences_refuse_changes_until_disarmed,
            tr_2_altered_trace_is_detected_and_named,
            tr_2_deleted_trace_is_detected_and_named,
            tr_2_deleted_last_trace_is_detected_and_named,
            tr_2_reordered_traces_are_detected_and_named,
            tr_2_inserted_trace_is_detected_and_named,
            tr_2_trace_inserted_before_the_first_is_named,
            tr_2_rewritten_leaf_hashes_are_detected,
            tr_2_unreadable_trace_is_named,
            tr_2_retention_young_trace_blanked_by_hand_is_named,
            tr_2_retention_purged_trace_with_altered_hash_is_named,
            tr_2_retention_back_dated_blanked_trace_is_named,
        );
    };
    (@each $fixture:expr; $($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                $crate::contract::run_with_fixture(async { $fixture }, |fixture| async move {
                    $crate::contract::trace_log::$name(&*fixture).await
                });
            }
        )*
    };
}

/// Ten traces under two checkpoints (after 4 and after 10), then the defences taken down. Returns the ids.
async fn signed_log<T: RawSql>(fixture: &T) -> Vec<i64> {
    let store = fixture.store();
    append(&*store, 0..4).await;
    extend_log(&*store, &key(), now(0), false).await.unwrap();
    append(&*store, 4..10).await;
    extend_log(&*store, &key(), now(60), false).await.unwrap();
    let summary = audit_log(&*store, &key().verifying_key(), None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((summary.traces, summary.covered), (10, 10));
    for sql in fixture.disarm() {
        fixture.execute(sql).await.unwrap();
    }
    ids(&*store).await
}

async fn finding<T: RawSql>(fixture: &T) -> Finding {
    audit_log(&*fixture.store(), &key().verifying_key(), None)
        .await
        .unwrap()
        .expect_err("the tampering must be detected")
}

pub async fn tr_2_log_defences_refuse_changes_until_disarmed<T: RawSql>(fixture: &T) {
    let store = fixture.store();
    append(&*store, 0..2).await;
    extend_log(&*store, &key(), now(0), false).await.unwrap();
    // Without disarming, the database itself refuses.
    for sql in [
        "UPDATE traces_feuilles SET trace_id = 99",
        "DELETE FROM traces_feuilles",
        "UPDATE points_de_controle SET taille = 1",
        "DELETE FROM points_de_controle",
    ] {
        let refused = fixture.execute(sql).await.unwrap_err();
        assert!(refused.contains("TR-2"), "{sql}: {refused}");
    }
    assert_eq!(store.leaves(0, 10).await.unwrap().len(), 2);
    assert_eq!(store.checkpoints().await.unwrap().len(), 1);
}

pub async fn tr_2_altered_trace_is_detected_and_named<T: RawSql>(fixture: &T) {
    let ids = signed_log(fixture).await;
    fixture
        .execute(&format!(
            "UPDATE traces SET resultat = 'non_habilite' WHERE id = {}",
            ids[6]
        ))
        .await
        .unwrap();
    assert_eq!(
        finding(fixture).await,
        Finding::Altered {
            trace: ids[6],
            position: 6
        }
    );
}

pub async fn tr_2_deleted_trace_is_detected_and_named<T: RawSql>(fixture: &T) {
    let ids = signed_log(fixture).await;
    fixture
        .execute(&format!("DELETE FROM traces WHERE id = {}", ids[2]))
        .await
        .unwrap();
    assert_eq!(
        finding(fixture).await,
        Finding::Deleted {
            trace: ids[2],
            position: 2
        }
    );
}

pub async fn tr_2_deleted_last_trace_is_detected_and_named<T: RawSql>(fixture: &T) {
    let ids = signed_log(fixture).await;
    fixture
        .execute(&format!("DELETE FROM traces WHERE id = {}", ids[9]))
        .await
        .unwrap();
    assert_eq!(
        finding(fixture).await,
        Finding::Deleted {
            trace: ids[9],
            position: 9
        }
    );
}

pub async fn tr_2_reordered_traces_are_detected_and_named<T: RawSql>(fixture: &T) {
    let ids = signed_log(fixture).await;
    let (a, b) = (ids[1], ids[7]);
    for sql in [
        format!("UPDATE traces SET id = -1000 WHERE id = {a}"),
        format!("UPDATE traces SET id = {a} WHERE id = {b}"),
        format!("UPDATE traces SET id = {b} WHERE id = -1000"),
    ] {
        fixture.execute(&sql).await.unwrap();
    }
    assert_eq!(
        finding(fixture).await,
        Finding::Altered {
            trace: a,
            position: 1
        }
    );
}

const COLUMNS: &str =
    "horodatage, caisse, utilisateur, partenaire, source, action, bouquet, rubriques, matricule, nir_hache, \
     resultat";

pub async fn tr_2_inserted_trace_is_detected_and_named<T: RawSql>(fixture: &T) {
    let ids = signed_log(fixture).await;
    // Room made after the third trace by renumbering the later ones, then a forged trace put there.
    fixture
        .execute(&format!("UPDATE traces SET id = id + 1000 WHERE id > {}", ids[2]))
        .await
        .unwrap();
    fixture
        .execute(&format!(
            "INSERT INTO traces (id, {COLUMNS}) SELECT {}, {} FROM traces WHERE id = {}",
            ids[3],
            COLUMNS.replace("utilisateur", "'intrus'"),
            ids[2]
        ))
        .await
        .unwrap();
    assert_eq!(
        finding(fixture).await,
        Finding::Altered {
            trace: ids[3],
            position: 3
        },
        "the forged row holds the place of the signed trace {}",
        ids[3]
    );
}

pub async fn tr_2_trace_inserted_before_the_first_is_named<T: RawSql>(fixture: &T) {
    let ids = signed_log(fixture).await;
    fixture
        .execute(&format!(
            "INSERT INTO traces (id, {COLUMNS}) SELECT -5, {COLUMNS} FROM traces WHERE id = {}",
            ids[0]
        ))
        .await
        .unwrap();
    assert_eq!(
        finding(fixture).await,
        Finding::Inserted {
            trace: -5,
            position: 0
        }
    );
}

pub async fn tr_2_rewritten_leaf_hashes_are_detected<T: RawSql>(fixture: &T) {
    let ids = signed_log(fixture).await;
    // The trace and its recorded leaf both changed: the signed root still refuses them.
    fixture
        .execute(&format!(
            "UPDATE traces SET utilisateur = 'intrus' WHERE id = {}",
            ids[7]
        ))
        .await
        .unwrap();
    fixture
        .execute(
            "UPDATE traces_feuilles SET feuille = (SELECT feuille FROM traces_feuilles WHERE position = 0) \
             WHERE position = 7",
        )
        .await
        .unwrap();
    assert_eq!(
        finding(fixture).await,
        Finding::Unlocated {
            checkpoint: CheckpointRef::Stored(2),
            from: 4,
            to: 10,
            first_trace: Some(ids[4])
        }
    );
}

pub async fn tr_2_unreadable_trace_is_named<T: RawSql>(fixture: &T) {
    let ids = signed_log(fixture).await;
    fixture
        .execute(&format!(
            "UPDATE traces SET action = 'effacement' WHERE id = {}",
            ids[5]
        ))
        .await
        .unwrap();
    assert!(matches!(
        finding(fixture).await,
        Finding::Unreadable { after: Some(id), .. } if id == ids[4]
    ));
}
