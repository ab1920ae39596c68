//! Retention of traces on every backend (issue #6, part 9): the purge blanks old traces a checkpoint covers,
//! keeps their leaf hash, and the log still verifies; blanking by hand is named by the verification.

use super::trace;
use super::trace_log::RawSql;
use crate::retention::purge_before;
use crate::trace_log::{audit_log, audit_log_with_retention, extend_log, prove_inclusion};
use crate::{JournalBatch, Store, StoredTrace};
use chrono::{DateTime, Duration, Months, Utc};
use ed25519_dalek::SigningKey;
use partage_domain::merkle;
use partage_domain::trace::{Resultat, Trace};
use partage_domain::trace_log::{leaf_hash, Finding};

fn key() -> SigningKey {
    SigningKey::from_bytes(&[43u8; 32])
}

/// 1 January 2030, midnight UTC: the day the old traces of these tests were written.
fn t0() -> DateTime<Utc> {
    DateTime::from_timestamp(1_893_456_000, 0).unwrap()
}

async fn append_at(store: &dyn Store, range: std::ops::Range<i64>, base: DateTime<Utc>) -> Vec<Trace> {
    let traces: Vec<Trace> = range
        .map(|n| Trace {
            horodatage: base + Duration::seconds(n),
            ..trace(n, Resultat::Succes)
        })
        .collect();
    store
        .journal(&JournalBatch {
            traces: traces.clone(),
            session_touches: vec![],
        })
        .await
        .unwrap();
    traces
}

async fn all(store: &dyn Store) -> Vec<StoredTrace> {
    store.traces_after(i64::MIN, 1000).await.unwrap()
}

pub async fn tr_2_retention_purges_old_covered_traces_and_the_log_still_verifies(store: &dyn Store) {
    let public = key().verifying_key();
    let young_day = t0().checked_add_months(Months::new(40)).unwrap();
    append_at(store, 1..5, t0()).await;
    extend_log(store, &key(), t0() + Duration::hours(1), false)
        .await
        .unwrap();
    append_at(store, 5..8, young_day).await;
    extend_log(store, &key(), young_day + Duration::hours(1), false)
        .await
        .unwrap();
    // A trace no checkpoint covers yet.
    append_at(store, 8..9, young_day + Duration::hours(2)).await;
    let before = all(store).await;
    let now = young_day + Duration::days(1);
    let limite = now.checked_sub_months(Months::new(36)).unwrap();

    let outcome = purge_before(store, limite, now).await.unwrap();
    assert_eq!((outcome.purgees, outcome.avant), (4, limite));
    let after = all(store).await;
    assert_eq!(after.len(), 8, "no row removed");
    for (old, new) in before.iter().zip(&after).take(4) {
        let purge = new.purge.expect("purged");
        assert_eq!(purge.purgee_le, now);
        assert_eq!(
            purge.feuille,
            leaf_hash(old.id, &old.trace),
            "the leaf it had is kept"
        );
        assert_eq!(new.trace, crate::retention::blanked(&old.trace));
        assert_eq!(
            (
                new.trace.utilisateur.as_deref(),
                new.trace.source.as_str(),
                new.trace.rubriques.as_deref()
            ),
            (None, "", None)
        );
        assert_eq!(
            (new.trace.matricule.as_deref(), new.trace.nir_hache.as_deref()),
            (None, None)
        );
        assert_eq!(
            (
                new.trace.horodatage,
                new.trace.caisse.as_deref(),
                new.trace.partenaire.as_deref()
            ),
            (
                old.trace.horodatage,
                old.trace.caisse.as_deref(),
                old.trace.partenaire.as_deref()
            )
        );
        assert_eq!(
            (new.trace.action, new.trace.bouquet, new.trace.resultat),
            (old.trace.action, old.trace.bouquet, old.trace.resultat)
        );
    }
    assert_eq!(&after[4..], &before[4..], "young and uncovered traces kept whole");

    // Verification passes over the purged rows, by their kept hashes; proofs are unchanged.
    let summary = audit_log_with_retention(store, &public, None, limite)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((summary.traces, summary.covered), (8, 7));
    let latest = store.latest_checkpoint().await.unwrap().unwrap();
    let proof = prove_inclusion(store, after[1].id).await.unwrap().unwrap();
    assert!(merkle::verify_inclusion(
        1,
        7,
        &after[1].leaf_hash(),
        &proof.path,
        &latest.checkpoint.signed.checkpoint.racine
    ));
    // An audit that knows of no retention period refuses any purged trace.
    assert_eq!(
        audit_log(store, &public, None).await.unwrap(),
        Err(Finding::PurgedTooEarly {
            trace: after[0].id,
            position: 0
        })
    );

    // A second run, or a second process, purges nothing more.
    assert_eq!(purge_before(store, limite, now).await.unwrap().purgees, 0);
    // Thirty-seven months later the young traces are old too; the one no checkpoint covers is left: nothing
    // would vouch for a hash kept for it.
    let later = young_day.checked_add_months(Months::new(37)).unwrap();
    let outcome = purge_before(store, later.checked_sub_months(Months::new(36)).unwrap(), later)
        .await
        .unwrap();
    assert_eq!(outcome.purgees, 3);
    let last = all(store).await;
    assert!(last[..7].iter().all(|t| t.purge.is_some()));
    assert_eq!(last[7], before[7]);
    let summary = audit_log_with_retention(store, &public, None, outcome.avant)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((summary.traces, summary.covered), (8, 7));
    // The log goes on: the next checkpoint covers the last trace, and the next run purges it.
    extend_log(store, &key(), later, false).await.unwrap().unwrap();
    let outcome = purge_before(store, outcome.avant, later).await.unwrap();
    assert_eq!(outcome.purgees, 1);
    assert!(audit_log_with_retention(store, &public, None, outcome.avant)
        .await
        .unwrap()
        .is_ok());
}

pub async fn tr_2_retention_without_checkpoint_purges_nothing(store: &dyn Store) {
    append_at(store, 1..4, t0()).await;
    let now = t0().checked_add_months(Months::new(40)).unwrap();
    let outcome = purge_before(store, now, now).await.unwrap();
    assert_eq!(outcome.purgees, 0);
    assert!(all(store).await.iter().all(|t| t.purge.is_none()));
}

// ---------------------------------------------------------------------------------------------------------
// Blanking by hand, straight in the database.
// ---------------------------------------------------------------------------------------------------------

/// Ten traces stamped `t0()` under two checkpoints; returns their ids.
async fn signed_log<T: RawSql>(fixture: &T) -> Vec<i64> {
    let store = fixture.store();
    append_at(&*store, 0..4, t0()).await;
    extend_log(&*store, &key(), t0() + Duration::hours(1), false)
        .await
        .unwrap();
    append_at(&*store, 4..10, t0() + Duration::hours(2)).await;
    extend_log(&*store, &key(), t0() + Duration::hours(3), false)
        .await
        .unwrap();
    all(&*store).await.iter().map(|t| t.id).collect()
}

pub async fn tr_2_retention_young_trace_blanked_by_hand_is_named<T: RawSql>(fixture: &T) {
    let ids = signed_log(fixture).await;
    let store = fixture.store();
    // The database still refuses any other change to a trace.
    for sql in [
        format!(
            "UPDATE traces SET resultat = 'non_habilite' WHERE id = {}",
            ids[5]
        ),
        format!("UPDATE traces SET utilisateur = NULL WHERE id = {}", ids[5]),
        format!("DELETE FROM traces WHERE id = {}", ids[5]),
    ] {
        let refused = fixture.execute(&sql).await.unwrap_err();
        assert!(refused.contains("TR-2"), "{sql}: {refused}");
    }
    // Someone blanks a trace of yesterday the way the purge would, even keeping its genuine leaf hash.
    let blank = format!(
        "UPDATE traces SET utilisateur = NULL, source = '', rubriques = NULL, matricule = NULL, \
         nir_hache = NULL, purgee_le = '2030-01-02T00:00:00Z', \
         feuille_conservee = (SELECT feuille FROM traces_feuilles f WHERE f.trace_id = traces.id) \
         WHERE id = {}",
        ids[5]
    );
    fixture.execute(&blank).await.unwrap();
    // Once purged, a trace changes no more.
    let again = fixture
        .execute(&format!(
            "UPDATE traces SET purgee_le = NULL, feuille_conservee = NULL WHERE id = {}",
            ids[5]
        ))
        .await
        .unwrap_err();
    assert!(again.contains("TR-2"), "{again}");
    // The traces are a day old, the retention 36 months: the verification names the row.
    let now = t0() + Duration::days(1);
    let limite = now.checked_sub_months(Months::new(36)).unwrap();
    assert_eq!(
        audit_log_with_retention(&*store, &key().verifying_key(), None, limite)
            .await
            .unwrap(),
        Err(Finding::PurgedTooEarly {
            trace: ids[5],
            position: 5
        })
    );
    // Thirty-six months later the same row is what the purge would have left.
    let later = t0().checked_add_months(Months::new(37)).unwrap();
    assert!(audit_log_with_retention(
        &*store,
        &key().verifying_key(),
        None,
        later.checked_sub_months(Months::new(36)).unwrap()
    )
    .await
    .unwrap()
    .is_ok());
}

pub async fn tr_2_retention_purged_trace_with_altered_hash_is_named<T: RawSql>(fixture: &T) {
    let ids = signed_log(fixture).await;
    let store = fixture.store();
    let now = t0().checked_add_months(Months::new(37)).unwrap();
    let limite = now.checked_sub_months(Months::new(36)).unwrap();
    assert_eq!(purge_before(&*store, limite, now).await.unwrap().purgees, 10);
    let public = key().verifying_key();
    assert!(audit_log_with_retention(&*store, &public, None, limite)
        .await
        .unwrap()
        .is_ok());
    for sql in fixture.disarm() {
        fixture.execute(sql).await.unwrap();
    }
    // The kept hash of one purged row replaced by another row's.
    fixture
        .execute(&format!(
            "UPDATE traces SET feuille_conservee = \
             (SELECT feuille FROM traces_feuilles f WHERE f.trace_id = {}) WHERE id = {}",
            ids[8], ids[3]
        ))
        .await
        .unwrap();
    assert_eq!(
        audit_log_with_retention(&*store, &public, None, limite)
            .await
            .unwrap(),
        Err(Finding::Altered {
            trace: ids[3],
            position: 3
        })
    );
}

pub async fn tr_2_retention_back_dated_blanked_trace_is_named<T: RawSql>(fixture: &T) {
    let ids = signed_log(fixture).await;
    let store = fixture.store();
    // A trace of the second batch, blanked with its genuine hash and back-dated by a year, with the
    // defences down: its stamp is old enough, but it joined the log after a checkpoint signed recently.
    for sql in fixture.disarm() {
        fixture.execute(sql).await.unwrap();
    }
    fixture
        .execute(&format!(
            "UPDATE traces SET utilisateur = NULL, source = '', rubriques = NULL, matricule = NULL, \
             nir_hache = NULL, purgee_le = '2030-01-02T00:00:00Z', horodatage = '2028-12-01T00:00:00Z', \
             feuille_conservee = (SELECT feuille FROM traces_feuilles f WHERE f.trace_id = traces.id) \
             WHERE id = {}",
            ids[6]
        ))
        .await
        .unwrap();
    let now = t0() + Duration::days(2);
    let limite = Months::new(12);
    assert_eq!(
        audit_log_with_retention(
            &*store,
            &key().verifying_key(),
            None,
            now.checked_sub_months(limite).unwrap()
        )
        .await
        .unwrap(),
        Err(Finding::PurgedTooEarly {
            trace: ids[6],
            position: 6
        })
    );
}
