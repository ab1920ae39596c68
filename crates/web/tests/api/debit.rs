//! Consultation rate per user (security, part 3): past the burst, 429 `trop_de_requetes` with
//! `Retry-After`; every served consultation says what is left in `RateLimit-*`; a refused one is traced
//! like any other attempt, and one user's pace never slows another.

use crate::helpers::*;
use crate::pages::{login_page, search_page};
use chrono::Duration;
use partage_app::Settings;
use partage_domain::debit::Politique;
use reqwest::StatusCode;
use serde_json::json;

async fn app_lente() -> TestApp {
    spawn_app_settings(
        partage_web::WebConfig {
            secure_cookies: false,
            max_body_bytes: 64 * 1024,
            ..partage_web::WebConfig::default()
        },
        Settings {
            consultations: Politique {
                par_seconde: 2,
                rafale: 3,
            },
            ..Settings::default()
        },
    )
    .await
}

fn header(res: &reqwest::Response, name: &str) -> String {
    res.headers()
        .get(name)
        .unwrap_or_else(|| panic!("en-tête {name} absent"))
        .to_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn consultations_past_the_burst_are_refused_with_the_wait_and_traced() {
    let app = app_lente().await;
    let token = app.agent_ready().await;

    for restantes in ["2", "1", "0"] {
        let res = app.consult(&token, json!({"nir": nir_martin()})).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(header(&res, "ratelimit-limit"), "3");
        assert_eq!(header(&res, "ratelimit-remaining"), restantes);
    }
    let res = app.consult(&token, json!({"nir": nir_martin()})).await;
    assert_eq!(header(&res, "retry-after"), "1");
    let (status, body) = problem(res).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(body["code"], "trop_de_requetes");
    assert!(body["detail"]
        .as_str()
        .unwrap()
        .contains("réessayez dans 1 seconde"));

    // The refusal is a traced consultation attempt, with no dossier named: nothing was looked up.
    let traces = app.traces().await;
    let last = &traces.last().unwrap().trace;
    assert_eq!(last.action.code(), "consultation");
    assert_eq!(last.resultat.code(), "trop_de_requetes");
    assert_eq!(last.utilisateur.as_deref(), Some(AGENT));
    assert_eq!(last.matricule, None);
    let servies = traces
        .iter()
        .filter(|t| t.trace.action.code() == "consultation" && t.trace.resultat.code() == "succes")
        .count();
    assert_eq!(servies, 3);

    // Half a second at two a second gives back exactly one consultation.
    app.clock.advance(Duration::milliseconds(500));
    let res = app.consult(&token, json!({"nir": nir_martin()})).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(header(&res, "ratelimit-remaining"), "0");
    let res = app.consult(&token, json!({"nir": nir_martin()})).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn a_refused_or_invalid_search_spends_the_budget_too() {
    // Otherwise a script could walk NIRs through malformed or unknown searches at any speed.
    let app = app_lente().await;
    let token = app.agent_ready().await;
    let bad = app.consult(&token, json!({"nir": "123"})).await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let unknown = app.consult(&token, json!({"nir": nir_inconnu()})).await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let month = app
        .consult(&token, json!({"nir": nir_martin(), "mois": 13}))
        .await;
    assert_eq!(month.status(), StatusCode::BAD_REQUEST);
    let res = app.consult(&token, json!({"nir": nir_martin()})).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn one_users_pace_never_slows_another() {
    let app = app_lente().await;
    let token = app.agent_ready().await;
    for _ in 0..4 {
        app.consult(&token, json!({"nir": nir_martin()})).await;
    }
    let other = app.token(AGENT_SANS, AGENT_SANS_MDP).await;
    app.change_password(&other, AGENT_SANS_MDP, NOUVEAU_MDP).await;
    let res = app.consult(&other, json!({"nir": nir_martin()})).await;
    // Refused for his own reason (no habilitation), not for the first agent's pace.
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_qf_page_says_to_wait_in_french() {
    let app = app_lente().await;
    let token = app.agent_ready().await;
    for _ in 0..3 {
        app.consult(&token, json!({"nir": nir_martin()})).await;
    }
    let browser = app.browser();
    let login = login_page(&app, &browser, AGENT, NOUVEAU_MDP).await;
    assert_eq!(login.status(), StatusCode::SEE_OTHER);
    let (status, html) = search_page(&app, &browser, &nir_martin()).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(html.contains("réessayez dans 1 seconde"), "{html}");
}
