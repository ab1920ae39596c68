//! AU-1 lock-out (OWASP ASVS 5 §6.3): progressive delay, lock at the hundredth failure until a caisse agent
//! unlocks, limit per source address; one answer whether the account exists, is locked or the password is
//! wrong; the trace tells the caisse which.

use crate::caisse::STAFF_MDP_PROVISOIRE;
use crate::helpers::*;
use chrono::Duration;
use partage_app::{App, Settings};
use partage_domain::verrouillage::{Espace, Politique};
use reqwest::StatusCode;
use serde_json::Value;
use std::sync::Arc;

const FAUX: &str = "pas le bon mot de passe";

/// The account threshold alone: a source limit far away, so that a hundred failures from 127.0.0.1 (the
/// only address a test has) do not stop the test first.
fn sans_limite_de_source() -> Settings {
    Settings {
        verrouillage: Politique {
            seuil_source: 10_000,
            ..Politique::default()
        },
        ..Settings::default()
    }
}

async fn app_sans_limite_de_source() -> TestApp {
    spawn_app_settings(
        partage_web::WebConfig {
            secure_cookies: false,
            max_body_bytes: 64 * 1024,
            ..partage_web::WebConfig::default()
        },
        sans_limite_de_source(),
    )
    .await
}

fn resultats(traces: &[partage_store::StoredTrace], identifiant: &str) -> Vec<String> {
    traces
        .iter()
        .filter(|t| t.trace.utilisateur.as_deref() == Some(identifiant))
        .map(|t| t.trace.resultat.code().to_owned())
        .collect()
}

#[tokio::test]
async fn au_1_delay_after_four_failures_is_the_same_for_known_and_unknown_identifiers() {
    let app = spawn_app().await;
    let mut premiers = Vec::new();
    for identifiant in [AGENT, "inconnu"] {
        for _ in 0..5 {
            premiers.push(answer(app.login(CAISSE, identifiant, FAUX).await).await);
        }
    }
    assert!(premiers.iter().all(|a| a == &premiers[0]), "{premiers:?}");
    assert_eq!(premiers[0].0, StatusCode::UNAUTHORIZED);

    // The fifth failure owes a second: the sixth attempt, even with the right password, is not checked.
    let mut attentes = Vec::new();
    for (identifiant, mdp) in [(AGENT, AGENT_MDP_PROVISOIRE), ("inconnu", FAUX)] {
        let res = app.login(CAISSE, identifiant, mdp).await;
        assert_eq!(res.headers()["retry-after"], "1");
        let (status, body) = problem(res).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        attentes.push(body);
    }
    assert_eq!(attentes[0], attentes[1], "nothing tells the two apart");
    assert_eq!(attentes[0]["code"], "trop_de_requetes");
    assert!(attentes[0]["detail"]
        .as_str()
        .unwrap()
        .contains("réessayez dans 1 seconde"));

    // Once the delay has passed, the right password opens a session and clears the failures.
    app.clock.advance(Duration::seconds(1));
    assert_eq!(
        app.login(CAISSE, AGENT, AGENT_MDP_PROVISOIRE).await.status(),
        StatusCode::CREATED
    );
    let traces = app.traces().await;
    let mut attendus = vec!["echec_mot_de_passe"; 5];
    attendus.extend(["trop_de_tentatives", "succes"]);
    assert_eq!(resultats(&traces, AGENT), attendus);
    let mut attendus = vec!["echec_identifiant_inconnu"; 5];
    attendus.push("trop_de_tentatives");
    assert_eq!(resultats(&traces, "inconnu"), attendus);
    for _ in 0..4 {
        app.login(CAISSE, AGENT, FAUX).await;
    }
    assert_eq!(
        app.login(CAISSE, AGENT, FAUX).await.status(),
        StatusCode::UNAUTHORIZED,
        "a success starts the count again: four free failures"
    );
}

#[tokio::test]
async fn au_1_hundredth_failure_locks_the_account_until_a_caisse_agent_unlocks_it() {
    let app = app_sans_limite_de_source().await;
    let reference = answer(app.login(CAISSE, "inconnu", FAUX).await).await;
    for _ in 0..100 {
        // Each attempt after its delay (30 s at most): 100 failures in under 47 minutes.
        app.clock.advance(Duration::seconds(30));
        assert_eq!(answer(app.login(CAISSE, AGENT, FAUX).await).await, reference);
    }
    app.clock.advance(Duration::seconds(30));
    let bon = answer(app.login(CAISSE, AGENT, AGENT_MDP_PROVISOIRE).await).await;
    assert_eq!(
        bon, reference,
        "locked: the right password reads like a wrong one"
    );
    app.clock.advance(Duration::days(30));
    let bon = answer(app.login(CAISSE, AGENT, AGENT_MDP_PROVISOIRE).await).await;
    assert_eq!(bon, reference, "a lock does not wear off");

    let traces = app.traces().await;
    let r = resultats(&traces, AGENT);
    assert_eq!(r.len(), 102);
    assert!(r[..99].iter().all(|c| c == "echec_mot_de_passe"), "{r:?}");
    assert_eq!(r[99], "verrouillage");
    assert_eq!(r[100..], ["echec_compte_verrouille", "echec_compte_verrouille"]);

    // A caisse agent unlocks (the CLI's use case); the unlock is traced with his name.
    let caisse_app = App::new(
        app.store.clone(),
        Arc::new(app.clock.clone()),
        Settings::default(),
    )
    .await
    .unwrap();
    let avant = caisse_app
        .deverrouiller(Espace::Partenaire, CAISSE, AGENT, "cli:m.bernard")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        avant.nombre, 1,
        "the run started again after the month of silence"
    );
    assert!(avant.verrouille_le.is_some());
    let derniere = app.traces().await.pop().unwrap().trace;
    assert_eq!(
        (
            derniere.action.code(),
            derniere.resultat.code(),
            derniere.source.as_str()
        ),
        ("deverrouillage", "succes", "cli:m.bernard")
    );
    assert_eq!(
        app.login(CAISSE, AGENT, AGENT_MDP_PROVISOIRE).await.status(),
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn au_1_unknown_identifiers_lock_like_known_ones() {
    let app = app_sans_limite_de_source().await;
    for _ in 0..101 {
        app.clock.advance(Duration::seconds(30));
        app.login(CAISSE, "inconnu", FAUX).await;
    }
    let r = resultats(&app.traces().await, "inconnu");
    assert_eq!(r[99], "verrouillage");
    assert_eq!(r[100], "echec_compte_verrouille");
}

#[tokio::test]
async fn au_1_a_source_address_is_limited_to_a_hundred_failures_an_hour() {
    let app = spawn_app().await;
    // A hundred identifiers tried once each: no account owes a delay, the address does.
    for n in 0..100 {
        let res = app.login(CAISSE, &format!("essai{n}"), FAUX).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    let res = app.login(CAISSE, AGENT, AGENT_MDP_PROVISOIRE).await;
    assert_eq!(res.headers()["retry-after"], "3600");
    let (status, body) = problem(res).await;
    assert_eq!(
        (status, body["code"].clone()),
        (StatusCode::TOO_MANY_REQUESTS, Value::from("trop_de_requetes"))
    );
    assert_eq!(resultats(&app.traces().await, AGENT), ["trop_de_tentatives"]);
    app.clock.advance(Duration::hours(1));
    assert_eq!(
        app.login(CAISSE, AGENT, AGENT_MDP_PROVISOIRE).await.status(),
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn au_1_the_login_page_says_to_wait_without_telling_accounts_apart() {
    let app = spawn_app().await;
    let browser = app.browser();
    let mut dernieres = Vec::new();
    for identifiant in [AGENT, "inconnu"] {
        for _ in 0..5 {
            let res = crate::pages::login_page(&app, &browser, identifiant, FAUX).await;
            assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        }
        let res = crate::pages::login_page(&app, &browser, identifiant, FAUX).await;
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(res.headers()["retry-after"], "1");
        let html = res.text().await.unwrap();
        assert!(html.contains("patientez 1 seconde(s)"), "{html}");
        dernieres.push(html.replace(identifiant, "IDENTIFIANT"));
    }
    assert_eq!(dernieres[0], dernieres[1]);
}

#[tokio::test]
async fn au_1_the_staff_entrance_locks_out_too_on_its_own_counter() {
    let app = app_sans_limite_de_source().await;
    // A staff member who shares his identifier with a partner agent of the same caisse.
    app.create_staff(AGENT, "admin").await;
    for _ in 0..5 {
        assert_eq!(
            app.staff_login(CAISSE, AGENT, FAUX).await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    // The fifth failure owes a second: even the right password waits.
    let res = app.staff_login(CAISSE, AGENT, STAFF_MDP_PROVISOIRE).await;
    assert_eq!(res.headers()["retry-after"], "1");
    let (status, body) = problem(res).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(body["code"], "trop_de_requetes");

    // The partner agent agent07 is another account: the staff's failures do not delay him.
    assert_eq!(
        app.login(CAISSE, AGENT, AGENT_MDP_PROVISOIRE).await.status(),
        StatusCode::CREATED
    );
    app.clock.advance(Duration::seconds(1));
    assert_eq!(
        app.staff_login(CAISSE, AGENT, STAFF_MDP_PROVISOIRE)
            .await
            .status(),
        StatusCode::CREATED
    );
    let staff: Vec<String> = app
        .traces()
        .await
        .iter()
        .filter(|t| t.trace.action.code() == "connexion_personnel")
        .map(|t| t.trace.resultat.code().to_owned())
        .collect();
    let mut attendus = vec!["echec_mot_de_passe"; 5];
    attendus.extend(["trop_de_tentatives", "succes"]);
    assert_eq!(staff, attendus);
}
