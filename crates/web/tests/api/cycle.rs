//! SPEC CV-2..CV-8 through the back office: a staff act changes the partner's access at the exact moment
//! the rules say, a refused act changes nothing, and time alone (the scheduler's tick) applies renewals
//! and ends once.

use crate::helpers::*;
use partage_app::{App, Settings};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::sync::Arc;

const CONVENTION: &str = "/api/v1/caisse/conventions/QF-07-2025";

async fn acte(app: &TestApp, token: &str, body: Value) -> reqwest::Response {
    app.post_json(&format!("{CONVENTION}/actes"), Some(token), &body)
        .await
}

#[tokio::test]
async fn cv_5_mise_en_demeure_cuts_access_at_the_exact_day_and_refusals_change_nothing() {
    let app = spawn_app().await;
    let agent = app.agent_ready().await;
    assert_eq!(
        app.consult(&agent, json!({"nir": nir_martin()})).await.status(),
        StatusCode::OK
    );
    let staff = app.staff_ready("cgestion", "conventions").await;
    let today = (partage_app::Clock::now(&app.clock) + chrono::Duration::hours(1)).date_naive();

    // Refused: a model without unilateral resiliation (MSA), a date in the future, an unknown act.
    let (status, p) = problem(
        acte(
            &app,
            &staff,
            json!({"acte": "resilier", "date": today.to_string(), "souhaitee_le": "2027-01-01",
            "document_reference": "LRAR 1", "document_recu_le": today.to_string()}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(p["code"], "transition_refusee");
    let demain = (today + chrono::Duration::days(1)).to_string();
    let (status, p) = problem(
        acte(
            &app,
            &staff,
            json!({"acte": "denoncer", "date": demain,
            "document_reference": "LRAR 2", "document_recu_le": demain}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(p["detail"].as_str().unwrap().contains("futur"), "{p}");
    let (status, _) = problem(
        acte(
            &app,
            &staff,
            json!({"acte": "abolir", "date": today.to_string(),
            "document_reference": "X", "document_recu_le": today.to_string()}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let detail: Value = app.get_with(CONVENTION, &staff).await.json().await.unwrap();
    assert_eq!(detail["historique"], json!([]), "nothing written");
    assert_eq!(detail["cycle"]["etat"]["etat"], "en_vigueur");

    // A role other than conventions may not act.
    let admin = app.staff_ready("adm", "admin").await;
    let (status, p) = problem(
        acte(
            &app,
            &admin,
            json!({"acte": "mettre_en_demeure", "date": today.to_string(),
            "document_reference": "LRAR 3", "document_recu_le": today.to_string()}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(p["code"], "role_requis");

    let res = acte(
        &app,
        &staff,
        json!({"acte": "mettre_en_demeure", "date": today.to_string(),
        "document_reference": "LRAR 1A 234", "document_recu_le": today.to_string()}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let detail: Value = res.json().await.unwrap();
    let effet = (today + chrono::Duration::days(30)).to_string();
    assert_eq!(detail["cycle"]["etat"]["etat"], "fin_programmee");
    assert_eq!(detail["cycle"]["etat"]["effet_le"], effet);
    assert_eq!(detail["acces"]["fin_le"], effet);
    assert_eq!(detail["historique"][0]["par"], "cgestion");
    assert_eq!(detail["historique"][0]["document"]["reference"], "LRAR 1A 234");

    // Still in force until the day before; from that day on, the dossier answers like an unknown one,
    // even before any scheduler has run (CV-8).
    app.clock.advance(chrono::Duration::days(29));
    let agent = app.token(AGENT, NOUVEAU_MDP).await;
    assert_eq!(
        app.consult(&agent, json!({"nir": nir_martin()})).await.status(),
        StatusCode::OK
    );
    app.clock.advance(chrono::Duration::days(1));
    let agent = app.token(AGENT, NOUVEAU_MDP).await;
    let (status, p) = problem(app.consult(&agent, json!({"nir": nir_martin()})).await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(p["code"], "dossier_introuvable");

    // The scheduler records the end once, however many servers tick.
    let staff = app.staff_ready("cgestion2", "conventions").await;
    let a = App::new(
        app.store.clone(),
        Arc::new(app.clock.clone()),
        Settings::default(),
    )
    .await
    .unwrap();
    let b = a.clone();
    let (x, y) = tokio::join!(a.tick(), b.tick());
    assert_eq!(x.unwrap() + y.unwrap(), 1);
    assert_eq!(a.tick().await.unwrap(), 0, "applied once");
    let detail: Value = app.get_with(CONVENTION, &staff).await.json().await.unwrap();
    assert_eq!(detail["cycle"]["etat"]["etat"], "terminee");
    assert_eq!(detail["historique"].as_array().unwrap().len(), 2);
    assert_eq!(detail["historique"][1]["acte"], "avancer");
    assert_eq!(detail["historique"][1]["par"], Value::Null);
    assert!(detail["confidentialite_jusquau"].is_string());
}
