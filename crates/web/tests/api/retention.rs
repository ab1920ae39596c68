//! Retention of traces (issue #6, part 9), with the test's clock: traces older than the retention period
//! (36 months by default) are purged by the daily run, younger ones kept, each run traced, and the log
//! still verifies. Tampering by hand is in the store contract suite (`tr_2_retention_*`), on both stores.

use crate::helpers::*;
use chrono::{Duration, Months};
use ed25519_dalek::SigningKey;
use partage_app::trace_log::LogKey;
use partage_app::{App, Settings};
use partage_domain::retention::Retention;
use partage_domain::trace::Action;
use partage_domain::trace_log::Finding;
use std::sync::Arc;

async fn scheduler(app: &TestApp, settings: Settings) -> App {
    App::new(app.store.clone(), Arc::new(app.clock.clone()), settings)
        .await
        .unwrap()
        .with_log_key(LogKey::new(SigningKey::from_bytes(&[11; 32])))
}

#[tokio::test]
async fn tr_2_retention_purges_traces_past_36_months_keeps_younger_and_verifies() {
    let app = spawn_app().await;
    let tick = scheduler(&app, Settings::default()).await;
    let public = SigningKey::from_bytes(&[11; 32]).verifying_key();
    // Traces of t0, then one of the next day, all signed.
    app.login(CAISSE, AGENT, "pas le bon mot de passe").await;
    app.agent_ready().await;
    let old = app.traces().await.len();
    app.clock.advance(Duration::days(1));
    app.login(CAISSE, AGENT, "pas le bon mot de passe").await;
    tick.checkpoint(true).await.unwrap().unwrap();
    let before = app.traces().await;
    assert!(before[..old].iter().all(|t| t.trace.horodatage == t0()));

    // Exactly 36 months after t0: nothing is older than the period yet.
    let trente_six_mois = t0().checked_add_months(Months::new(36)).unwrap();
    app.clock.set(trente_six_mois);
    // As the daily run does: the days' statistics first (TR-4), which the purge waits for.
    tick.construire_statistiques().await.unwrap();
    assert_eq!(tick.purger_traces().await.unwrap().purgees, 0);
    app.clock.advance(Duration::seconds(1));
    let outcome = tick.purger_traces().await.unwrap();
    assert_eq!(outcome.purgees, old as u64);
    assert_eq!(outcome.avant, t0() + Duration::seconds(1));
    assert_eq!(tick.purger_traces().await.unwrap().purgees, 0, "once");

    let after = app.traces().await;
    for (was, now) in before.iter().zip(&after).take(old) {
        assert!(now.purge.is_some());
        assert_eq!(now.trace.utilisateur, None);
        assert_eq!(now.trace.source, "");
        assert_eq!(now.leaf_hash(), was.leaf_hash());
        assert_eq!(
            (now.trace.action, now.trace.resultat),
            (was.trace.action, was.trace.resultat)
        );
    }
    assert_eq!(after[old], before[old], "the trace of the next day is kept whole");
    // Each run is a trace of its own, with what it did, and it is kept.
    let runs: Vec<_> = after
        .iter()
        .filter(|t| t.trace.action == Action::PurgeTraces)
        .collect();
    assert_eq!(runs.len(), 3);
    assert!(runs.iter().all(|t| t.purge.is_none()));
    assert_eq!(
        runs[1].trace.rubriques.as_deref(),
        Some(format!("purgees={old};avant=2026-03-02T09:00:01Z;conservation_mois=36").as_str())
    );

    // The log verifies, before and after a new checkpoint over the purge's own traces.
    let summary = tick.verify_log(&public, None).await.unwrap().unwrap();
    assert_eq!(summary.traces, after.len() as u64);
    tick.checkpoint(false).await.unwrap().unwrap();
    assert!(tick.verify_log(&public, None).await.unwrap().is_ok());

    // Checked with a retention of ten years, the purged rows were blanked too early: the first is named.
    let strict = scheduler(
        &app,
        Settings {
            retention: Retention::mois(120).unwrap(),
            ..Settings::default()
        },
    )
    .await;
    assert_eq!(
        strict.verify_log(&public, None).await.unwrap(),
        Err(Finding::PurgedTooEarly {
            trace: after[0].id,
            position: 0
        })
    );
}

#[tokio::test]
async fn tr_2_retention_of_12_months_purges_a_year_later() {
    let app = spawn_app().await;
    let tick = scheduler(
        &app,
        Settings {
            retention: Retention::mois(12).unwrap(),
            ..Settings::default()
        },
    )
    .await;
    app.login(CAISSE, AGENT, "pas le bon mot de passe").await;
    tick.checkpoint(true).await.unwrap().unwrap();
    let traces = app.traces().await.len() as u64;
    // 2 March 2026 to 2 March 2027 is 365 days.
    app.clock.advance(Duration::days(365));
    tick.construire_statistiques().await.unwrap();
    assert_eq!(tick.purger_traces().await.unwrap().purgees, 0);
    app.clock.advance(Duration::seconds(1));
    assert_eq!(tick.purger_traces().await.unwrap().purgees, traces);
    let public = SigningKey::from_bytes(&[11; 32]).verifying_key();
    assert!(tick.verify_log(&public, None).await.unwrap().is_ok());
}
