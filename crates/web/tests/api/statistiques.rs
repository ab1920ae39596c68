//! TR-4's daily statistics with the test's clock: each closed day is built once into aggregates, a month
//! reads them and today's traces, the per-agent counts of a month outlive the purge of its traces, and the
//! purge waits for a day's statistics. The store's side (built once, concurrently, catch-up) is in the
//! contract suite (`tr_4_*`), on both stores.

use crate::helpers::*;
use chrono::{DateTime, Duration, Months, NaiveDate, Utc};
use ed25519_dalek::SigningKey;
use partage_app::trace_log::LogKey;
use partage_app::{App, Settings};
use partage_domain::CaisseCode;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::sync::Arc;

/// The application as the scheduler of `partage serve` holds it, on the test's store and clock.
async fn scheduler(app: &TestApp) -> App {
    App::new(
        app.store.clone(),
        Arc::new(app.clock.clone()),
        Settings::default(),
    )
    .await
    .unwrap()
    .with_log_key(LogKey::new(SigningKey::from_bytes(&[11; 32])))
}

/// March 2026's lines as the API gives them to a supervision account created now.
async fn lignes_de_mars(app: &TestApp, superviseur: &str) -> Value {
    let token = app.staff_ready(superviseur, "supervision").await;
    let res = app
        .get_with("/api/v1/caisse/statistiques?mois=2026-03", &token)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    body["lignes"].clone()
}

fn instant(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn jour(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

#[tokio::test]
async fn tr_4_per_agent_counts_of_a_month_survive_the_purge_of_its_traces() {
    let app = spawn_app().await;
    let tick = scheduler(&app).await;
    let agent = app.agent_ready().await;
    app.consult(&agent, json!({"nir": nir_martin()})).await;
    app.consult(&agent, json!({"nir": nir_inconnu()})).await;
    app.login(CAISSE, AGENT_HV, "pas le bon").await;
    let avant = lignes_de_mars(&app, "superviseur1").await;
    assert_eq!(
        avant,
        json!([
            {"partenaire": {"numero_tiers": "T07", "nom": "Commune de Privas"}, "convention": "QF-07-2025", "bouquet": "QF",
             "utilisateur": AGENT, "consultations": 2, "dossiers_trouves": 1, "dossiers_introuvables": 1,
             "oppositions": 0, "refus": 0, "echecs_connexion": 0},
            {"partenaire": {"numero_tiers": "T07B", "nom": "CCAS d'Annonay"}, "convention": null, "bouquet": null,
             "utilisateur": AGENT_HV, "consultations": 0, "dossiers_trouves": 0, "dossiers_introuvables": 0,
             "oppositions": 0, "refus": 0, "echecs_connexion": 1},
        ])
    );
    tick.checkpoint(true).await.unwrap().unwrap();

    // Three years and a day later, the daily run: the days first, then the purge.
    let plus_tard = t0().checked_add_months(Months::new(36)).unwrap() + Duration::days(1);
    app.clock.set(plus_tard);
    let jours = tick.construire_statistiques().await.unwrap();
    assert_eq!(jours, 1097, "every day from the first trace's to yesterday");
    assert_eq!(tick.construire_statistiques().await.unwrap(), 0, "once");
    let purge = tick.purger_traces().await.unwrap();
    assert!(purge.purgees > 0);
    let mars: Vec<_> = app
        .traces()
        .await
        .into_iter()
        .filter(|t| t.trace.horodatage < instant("2026-04-01T00:00:00Z"))
        .collect();
    assert!(!mars.is_empty());
    assert!(mars
        .iter()
        .all(|t| ![Some(AGENT), Some(AGENT_HV)].contains(&t.trace.utilisateur.as_deref())));

    // The month's agents are still counted, from the aggregates; the traces alone no longer name them.
    assert_eq!(lignes_de_mars(&app, "superviseur2").await, avant);
    let caisse = CaisseCode::parse(CAISSE).unwrap();
    let live = app
        .store
        .statistics(
            &caisse,
            instant("2026-03-01T00:00:00Z"),
            instant("2026-04-01T00:00:00Z"),
        )
        .await
        .unwrap();
    assert!(live.iter().all(|l| l.utilisateur.is_none()), "{live:#?}");
}

#[tokio::test]
async fn tr_4_the_month_mixes_built_days_and_todays_live_traces() {
    let app = spawn_app().await;
    let tick = scheduler(&app).await;
    let agent = app.agent_ready().await;
    app.consult(&agent, json!({"nir": nir_martin()})).await;
    app.consult(&agent, json!({"nir": nir_martin()})).await;
    assert_eq!(
        tick.construire_statistiques().await.unwrap(),
        0,
        "today is not over"
    );

    // Just after midnight, the day is not closed yet: a trace stamped before midnight may still be on its
    // way to the journal.
    app.clock.set(instant("2026-03-03T00:03:00Z"));
    assert_eq!(tick.construire_statistiques().await.unwrap(), 0);
    assert_eq!(tick.dernier_jour_clos(), Some(jour("2026-03-01")));
    app.clock.set(instant("2026-03-03T00:06:00Z"));
    assert_eq!(tick.dernier_jour_clos(), Some(jour("2026-03-02")));
    assert_eq!(tick.construire_statistiques().await.unwrap(), 1);
    assert_eq!(tick.construire_statistiques().await.unwrap(), 0);

    // Today's consultation (within opening hours), not built yet, adds to yesterday's, built.
    app.clock.set(instant("2026-03-03T09:00:00Z"));
    let agent = app.token(AGENT, NOUVEAU_MDP).await;
    app.consult(&agent, json!({"nir": nir_inconnu()})).await;
    let lignes = lignes_de_mars(&app, "superviseur1").await;
    assert_eq!(lignes.as_array().unwrap().len(), 1, "{lignes:#}");
    assert_eq!(
        (
            &lignes[0]["consultations"],
            &lignes[0]["dossiers_trouves"],
            &lignes[0]["dossiers_introuvables"]
        ),
        (&json!(3), &json!(2), &json!(1))
    );
    let caisse = CaisseCode::parse(CAISSE).unwrap();
    let built = app
        .store
        .statistiques_construites(&caisse, jour("2026-03-01"), jour("2026-04-01"))
        .await
        .unwrap();
    assert_eq!(built.len(), 1);
    assert_eq!(built[0].consultations, 2, "only the built day");

    // Once today is built too, the month reads the same from the aggregates alone.
    app.clock.set(instant("2026-03-04T00:06:00Z"));
    assert_eq!(tick.construire_statistiques().await.unwrap(), 1);
    assert_eq!(lignes_de_mars(&app, "superviseur2").await, lignes);
}

#[tokio::test]
async fn tr_4_the_purge_never_blanks_a_day_whose_statistics_are_not_built() {
    let app = spawn_app().await;
    let tick = scheduler(&app).await;
    let agent = app.agent_ready().await;
    app.consult(&agent, json!({"nir": nir_martin()})).await;
    tick.checkpoint(true).await.unwrap().unwrap();
    app.clock
        .set(t0().checked_add_months(Months::new(36)).unwrap() + Duration::days(1));

    // The days were not built (the scheduler was down): the purge stops at the first of them.
    let outcome = tick.purger_traces().await.unwrap();
    assert_eq!(outcome.purgees, 0);
    assert_eq!(outcome.avant, instant("2026-03-02T00:00:00Z"));
    assert!(app.traces().await.iter().all(|t| t.purge.is_none()));

    tick.construire_statistiques().await.unwrap();
    let outcome = tick.purger_traces().await.unwrap();
    assert!(outcome.purgees > 0);
    assert_eq!(outcome.avant, t0() + Duration::days(1));
}

#[tokio::test]
async fn tr_4_two_servers_catching_up_build_each_day_once() {
    let app = spawn_app().await;
    let (a, b) = (scheduler(&app).await, scheduler(&app).await);
    let agent = app.agent_ready().await;
    app.consult(&agent, json!({"nir": nir_martin()})).await;
    let avant = lignes_de_mars(&app, "superviseur1").await;

    // Ten days of downtime, then two servers start at once.
    app.clock.set(t0() + Duration::days(10));
    let (x, y) = tokio::join!(a.construire_statistiques(), b.construire_statistiques());
    assert_eq!(
        x.unwrap() + y.unwrap(),
        10,
        "2 to 11 March, each built by one of them"
    );
    assert_eq!(lignes_de_mars(&app, "superviseur2").await, avant);
    assert_eq!(avant[0]["consultations"], 1);
}

#[tokio::test]
async fn tr_4_a_convention_renewed_as_a_new_one_takes_the_days_from_the_switch() {
    let app = spawn_app().await;
    let tick = scheduler(&app).await;
    let agent = app.agent_ready().await;
    app.consult(&agent, json!({"nir": nir_martin()})).await;
    // The caisse's file of the evening: QF-07-2025 ends on 3 March, QF-07-2026 is in force from that day,
    // and the agent holds an habilitation on each.
    let renouvellement = [
        json!({"type":"convention","caisse":CAISSE,"numero":"QF-07-2025","partenaire":"T07","bouquets":["QF"],"signee_le":"2025-01-10","formalite_cnil_le":"2025-01-20","fin_le":"2026-03-03"}),
        json!({"type":"convention","caisse":CAISSE,"numero":"QF-07-2026","partenaire":"T07","bouquets":["QF"],"signee_le":"2026-02-20","formalite_cnil_le":"2026-03-03"}),
        json!({"type":"utilisateur","caisse":CAISSE,"identifiant":AGENT,"partenaire":"T07","civilite":"Mme","nom":"DURAND","prenom":"Anne","email":"anne.durand@privas.example.fr","habilitations":[{"convention":"QF-07-2025","bouquet":"QF"},{"convention":"QF-07-2026","bouquet":"QF"}],"mot_de_passe_provisoire":AGENT_MDP_PROVISOIRE}),
    ];
    let texte: String = renouvellement.iter().map(|l| format!("{l}\n")).collect();
    tick.import_jsonl(Box::new(std::io::Cursor::new(texte.into_bytes())))
        .await
        .unwrap();

    app.clock.set(instant("2026-03-03T09:00:00Z"));
    let agent = app.token(AGENT, NOUVEAU_MDP).await;
    let res = app.consult(&agent, json!({"nir": nir_martin()})).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(tick.construire_statistiques().await.unwrap(), 1);

    // 2 March, built, on the old convention; 3 March, today's traces, on the new one.
    let lignes = lignes_de_mars(&app, "superviseur1").await;
    let par_convention: Vec<(Value, Value)> = lignes
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["utilisateur"] == AGENT)
        .map(|l| (l["convention"].clone(), l["consultations"].clone()))
        .collect();
    assert_eq!(
        par_convention,
        [(json!("QF-07-2025"), json!(1)), (json!("QF-07-2026"), json!(1))],
        "{lignes:#}"
    );
}
