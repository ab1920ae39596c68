//! AU-4 (issue "security", part 4): a staff member's sensitive acts need his password typed within the last
//! ten minutes — at login or again in the session — so that a session left open, or a stolen token, cannot
//! grant, suspend or remove.

use crate::helpers::*;
use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn creer(app: &TestApp, token: &str, identifiant: &str) -> reqwest::Response {
    app.post_json(
        "/api/v1/caisse/personnels",
        Some(token),
        &json!({
            "identifiant": identifiant, "nom": "PETIT", "prenom": "Anne",
            "email": format!("{identifiant}@msa.example.fr"), "roles": ["supervision"]
        }),
    )
    .await
}

async fn reauthentifier(app: &TestApp, token: &str, mot_de_passe: &str) -> reqwest::Response {
    app.post_json(
        "/api/v1/caisse/session/reauthentification",
        Some(token),
        &json!({ "mot_de_passe": mot_de_passe }),
    )
    .await
}

async fn identifiants(app: &TestApp, token: &str) -> Vec<String> {
    let liste: Value = app
        .get_with("/api/v1/caisse/personnels", token)
        .await
        .json()
        .await
        .unwrap();
    liste
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["identifiant"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn au_4_a_sensitive_act_needs_the_password_typed_within_ten_minutes() {
    let app = spawn_app().await;
    let token = app.staff_ready("adurand", "admin").await;
    // Just logged in: the act goes through.
    assert_eq!(creer(&app, &token, "apetit").await.status(), StatusCode::CREATED);

    // Eleven minutes on, the session is alive (idle time-out 30 min) but the password is too old.
    app.clock.advance(Duration::minutes(11));
    let (status, body) = problem(creer(&app, &token, "bpetit").await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["code"], "reauthentification_requise");
    assert!(body["detail"]
        .as_str()
        .unwrap()
        .contains("confirmer votre mot de passe"));
    assert!(
        !identifiants(&app, &token).await.contains(&"bpetit".to_owned()),
        "nothing was created"
    );
    let traces = app.traces().await;
    assert!(traces
        .iter()
        .any(|t| t.trace.resultat.code() == "reauthentification_requise"));

    // A wrong password confirms nothing.
    let (status, body) = problem(reauthentifier(&app, &token, "pas le bon mot de passe").await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["code"], "reauthentification_refusee");
    assert_eq!(
        creer(&app, &token, "bpetit").await.status(),
        StatusCode::FORBIDDEN
    );

    // The right one opens ten more minutes, in this session.
    assert_eq!(
        reauthentifier(&app, &token, NOUVEAU_MDP).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(creer(&app, &token, "bpetit").await.status(), StatusCode::CREATED);
    app.clock.advance(Duration::minutes(9));
    assert_eq!(creer(&app, &token, "cpetit").await.status(), StatusCode::CREATED);
    app.clock.advance(Duration::minutes(2));
    assert_eq!(
        creer(&app, &token, "dpetit").await.status(),
        StatusCode::FORBIDDEN
    );

    let traces = app.traces().await;
    let confirmations: Vec<&str> = traces
        .iter()
        .filter(|t| t.trace.action.code() == "reauthentification_personnel")
        .map(|t| t.trace.resultat.code())
        .collect();
    assert_eq!(confirmations, ["echec_mot_de_passe", "succes"]);
}

#[tokio::test]
async fn au_4_reading_needs_no_fresh_password() {
    let app = spawn_app().await;
    let token = app.staff_ready("adurand", "admin").await;
    app.clock.advance(Duration::minutes(25));
    assert_eq!(
        app.get_with("/api/v1/caisse/personnels", &token).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn au_1_confirming_the_password_is_under_the_login_lock_out() {
    // A stolen staff token must not become a way to try passwords at full speed.
    let app = spawn_app().await;
    let token = app.staff_ready("adurand", "admin").await;
    let mut statuts = Vec::new();
    for _ in 0..6 {
        statuts.push(
            reauthentifier(&app, &token, "pas le bon mot de passe")
                .await
                .status(),
        );
    }
    assert_eq!(statuts[..5], [StatusCode::FORBIDDEN; 5]);
    assert_eq!(statuts[5], StatusCode::TOO_MANY_REQUESTS);
    // The same counter as the staff entrance: the login is delayed too.
    let res = app.staff_login(CAISSE, "adurand", NOUVEAU_MDP).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
}
