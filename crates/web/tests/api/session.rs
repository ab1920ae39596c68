//! AU-1, AU-2: login, password change, logout.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

#[tokio::test]
async fn au_1_login_opens_a_session_with_its_idle_delay() {
    let app = spawn_app().await;
    let res = app.login(CAISSE, AGENT, AGENT_MDP_PROVISOIRE).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["changement_mot_de_passe_requis"], true);
    assert_eq!(body["expiration_inactivite_s"], 1800);
    assert_eq!(body["jeton"].as_str().unwrap().len(), 43, "256 bits, base64url");
    assert_eq!(body.as_object().unwrap().len(), 3);
}

#[tokio::test]
async fn au_1_every_login_failure_answers_the_same_bytes() {
    let app = spawn_app().await;
    let unknown_caisse = answer(app.login("CAF-99", AGENT, AGENT_MDP_PROVISOIRE).await).await;
    let unknown_user = answer(app.login(CAISSE, "inconnu", AGENT_MDP_PROVISOIRE).await).await;
    let wrong_password = answer(app.login(CAISSE, AGENT, "pas le bon mot de passe").await).await;
    let other_caisse = answer(app.login(AUTRE_CAISSE, AGENT, AGENT_MDP_PROVISOIRE).await).await;
    let bad_token = answer(app.consult("jeton-invente", json!({"nir": nir_martin()})).await).await;
    assert_eq!(unknown_caisse.0, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown_caisse.1, "application/problem+json");
    assert_eq!(unknown_caisse.2.as_deref(), Some(r#"Bearer realm="partage""#));
    let body: Value = serde_json::from_str(&unknown_caisse.3).unwrap();
    assert_eq!(body["code"], "non_authentifie");
    assert_eq!(unknown_user, unknown_caisse);
    assert_eq!(wrong_password, unknown_caisse);
    assert_eq!(other_caisse, unknown_caisse);
    assert_eq!(
        bad_token, unknown_caisse,
        "an unknown token reads like a wrong password"
    );

    // Nothing changed: no session was opened, and the right password still opens one.
    let codes = app.trace_codes().await;
    assert!(
        !codes.contains(&("connexion".into(), "succes".into())),
        "{codes:?}"
    );
    assert_eq!(
        app.login(CAISSE, AGENT, AGENT_MDP_PROVISOIRE).await.status(),
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn au_1_missing_or_malformed_authorization_is_not_authenticated() {
    let app = spawn_app().await;
    let reference = answer(app.login(CAISSE, "inconnu", "x").await).await;
    for header in [
        None,
        Some("Bearer"),
        Some("Bearer "),
        Some("Basic YWdlbnQwNzp4"),
        Some("jeton"),
    ] {
        let mut req = app
            .http
            .post(app.url("/api/v1/consultations/qf"))
            .json(&json!({"nir": nir_martin()}));
        if let Some(h) = header {
            req = req.header("authorization", h);
        }
        let got = answer(req.send().await.unwrap()).await;
        assert_eq!(got, reference, "{header:?}");
    }
}

#[tokio::test]
async fn au_2_temporary_password_must_be_changed_first() {
    let app = spawn_app().await;
    let token = app.token(AGENT, AGENT_MDP_PROVISOIRE).await;
    let res = app.consult(&token, json!({"nir": nir_martin()})).await;
    let (status, body) = problem(res).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["code"], "changement_mot_de_passe_requis");
    assert!(!body.to_string().contains("MARTIN"));

    let res = app
        .change_password(&token, AGENT_MDP_PROVISOIRE, NOUVEAU_MDP)
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = app.consult(&token, json!({"nir": nir_martin()})).await;
    assert_eq!(res.status(), StatusCode::OK, "the same session may now consult");
}

#[tokio::test]
async fn au_2_refused_password_changes_change_nothing() {
    let app = spawn_app().await;
    let token = app.token(AGENT, AGENT_MDP_PROVISOIRE).await;
    let cases = [
        (AGENT_MDP_PROVISOIRE, "court", "au moins 12 caractères"),
        (
            AGENT_MDP_PROVISOIRE,
            AGENT_MDP_PROVISOIRE,
            "différent de l'actuel",
        ),
        ("pas-le-mot-de-passe-actuel", NOUVEAU_MDP, "actuel est incorrect"),
    ];
    for (actuel, nouveau, reason) in cases {
        let (status, body) = problem(app.change_password(&token, actuel, nouveau).await).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{reason}");
        assert_eq!(body["code"], "mot_de_passe_refuse");
        let detail = body["detail"].as_str().unwrap();
        assert!(detail.starts_with("mot de passe refusé : "), "{detail}");
        assert!(detail.contains(reason), "{detail}");
    }
    // Nothing changed: the temporary password still works and still has to be changed.
    let res = app.login(CAISSE, AGENT, AGENT_MDP_PROVISOIRE).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["changement_mot_de_passe_requis"], true);
    assert_eq!(
        app.login(CAISSE, AGENT, NOUVEAU_MDP).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn au_2_changed_password_replaces_the_old_one() {
    let app = spawn_app().await;
    app.agent_ready().await;
    assert_eq!(
        app.login(CAISSE, AGENT, AGENT_MDP_PROVISOIRE).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let res = app.login(CAISSE, AGENT, NOUVEAU_MDP).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["changement_mot_de_passe_requis"], false);
}

#[tokio::test]
async fn au_2_password_change_ends_the_other_sessions() {
    let app = spawn_app().await;
    let other = app.token(AGENT, AGENT_MDP_PROVISOIRE).await;
    let token = app.agent_ready().await;
    let (status, body) = problem(app.consult(&other, json!({"nir": nir_martin()})).await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["code"], "non_authentifie");
    assert_eq!(
        app.consult(&token, json!({"nir": nir_martin()})).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn au_1_logout_ends_the_session() {
    let app = spawn_app().await;
    let token = app.agent_ready().await;
    let res = app
        .http
        .delete(app.url("/api/v1/session"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let (status, body) = problem(app.consult(&token, json!({"nir": nir_martin()})).await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["code"], "non_authentifie");
    let again = app
        .http
        .delete(app.url("/api/v1/session"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::UNAUTHORIZED);
    let codes = app.trace_codes().await;
    assert_eq!(
        codes.iter().filter(|c| c.0 == "deconnexion").count(),
        1,
        "{codes:?}"
    );
}
