//! Malformed requests: answered 400/413/415 in French, and nothing happens.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::json;

/// serde's and axum's English must never reach a client.
fn assert_french(detail: &str) {
    for english in [
        "expected",
        "missing field",
        "invalid type",
        "at line",
        "Failed",
        "unknown field",
    ] {
        assert!(!detail.contains(english), "anglais dans « {detail} »");
    }
}

async fn raw(
    app: &TestApp,
    path: &str,
    token: Option<&str>,
    content_type: &str,
    body: &str,
) -> reqwest::Response {
    let mut req = app
        .http
        .post(app.url(path))
        .header("content-type", content_type)
        .body(body.to_owned());
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.unwrap()
}

#[tokio::test]
async fn malformed_json_is_refused_in_french() {
    let app = spawn_app().await;
    let res = raw(
        &app,
        "/api/v1/session",
        None,
        "application/json",
        r#"{"caisse": "MSA-ADL","#,
    )
    .await;
    let (status, body) = problem(res).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["code"], "requete_invalide");
    let detail = body["detail"].as_str().unwrap();
    assert!(
        detail.starts_with("le corps de la requête n'est pas un JSON valide (ligne 1"),
        "{detail}"
    );
    assert_french(detail);
    let res = raw(&app, "/api/v1/session", None, "application/json", "[1, 2]").await;
    let (_, body) = problem(res).await;
    assert_eq!(body["detail"], "le corps de la requête doit être un objet JSON");
    // Nothing happened: no login attempt was even made.
    assert!(app.traces().await.is_empty());
}

#[tokio::test]
async fn missing_fields_are_named_in_french() {
    let app = spawn_app().await;
    let res = app
        .post_json("/api/v1/session", None, &json!({"caisse": CAISSE}))
        .await;
    let (status, body) = problem(res).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["code"], "requete_invalide");
    assert_eq!(
        body["detail"],
        "le champ « identifiant » est obligatoire ; le champ « mot_de_passe » est obligatoire"
    );
    let token = app.agent_ready().await;
    let before = app.traces().await.len();
    let (status, body) = problem(app.consult(&token, json!({"annee": 2026, "mois": 1})).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["detail"], "le champ « nir » est obligatoire");
    assert_eq!(app.traces().await.len(), before, "no consultation was made");
}

#[tokio::test]
async fn wrong_types_and_unknown_fields_are_refused_in_french() {
    let app = spawn_app().await;
    let token = app.agent_ready().await;
    let before = app.traces().await.len();
    let cases = [
        (
            json!({"nir": 185057800608491u64}),
            "le champ « nir » doit être une chaîne de caractères",
        ),
        (
            json!({"nir": nir_martin(), "annee": "2026", "mois": 1}),
            "le champ « annee » doit être un nombre entier",
        ),
        (
            json!({"nir": nir_martin(), "annee": 2026, "mois": 1.5}),
            "le champ « mois » doit être un nombre entier",
        ),
        (
            json!({"nir": nir_martin(), "annee": 2026, "mois": -1}),
            "le champ « mois » est hors des valeurs possibles",
        ),
        (
            json!({"nir": nir_martin(), "année": 2026}),
            "le champ « année » est inconnu",
        ),
    ];
    for (query, detail) in cases {
        let (status, body) = problem(app.consult(&token, query.clone()).await).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(body["code"], "requete_invalide");
        assert_eq!(body["detail"], detail);
        assert_french(body["detail"].as_str().unwrap());
    }
    let res = app
        .post_json(
            "/api/v1/session",
            None,
            &json!({"caisse": CAISSE, "identifiant": AGENT, "mot_de_passe": ["x"]}),
        )
        .await;
    let (_, body) = problem(res).await;
    assert_eq!(
        body["detail"],
        "le champ « mot_de_passe » doit être une chaîne de caractères"
    );
    assert_eq!(
        app.traces().await.len(),
        before,
        "nothing was traced: nothing was done"
    );
}

/// Choice documented in the OpenAPI document: 415, with the code `requete_invalide`.
#[tokio::test]
async fn a_body_not_declared_as_json_is_415() {
    let app = spawn_app().await;
    let body =
        json!({"caisse": CAISSE, "identifiant": AGENT, "mot_de_passe": AGENT_MDP_PROVISOIRE}).to_string();
    for content_type in ["text/plain", "application/x-www-form-urlencoded"] {
        let (status, problem) = problem(raw(&app, "/api/v1/session", None, content_type, &body).await).await;
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert_eq!(problem["code"], "requete_invalide");
        assert_french(problem["detail"].as_str().unwrap());
    }
    let res = app
        .http
        .post(app.url("/api/v1/session"))
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(app.traces().await.is_empty());
    // The same body, declared as JSON (with a charset), is accepted.
    let res = raw(
        &app,
        "/api/v1/session",
        None,
        "application/json; charset=utf-8",
        &body,
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn a_body_over_the_limit_is_413() {
    let app = spawn_app().await;
    let token = app.agent_ready().await;
    let before = app.traces().await.len();
    let huge = format!(r#"{{"nir": "{}"}}"#, "1".repeat(10 * 1024 * 1024));
    let res = raw(
        &app,
        "/api/v1/consultations/qf",
        Some(&token),
        "application/json",
        &huge,
    )
    .await;
    let (status, body) = problem(res).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(body["code"], "requete_trop_volumineuse");
    assert_french(body["detail"].as_str().unwrap());
    assert_eq!(app.traces().await.len(), before);
    // A login over the limit opens nothing either.
    let huge_login = format!(
        r#"{{"caisse": "{CAISSE}", "identifiant": "{AGENT}", "mot_de_passe": "{}"}}"#,
        "x".repeat(100 * 1024)
    );
    let (status, _) =
        problem(raw(&app, "/api/v1/session", None, "application/json", &huge_login).await).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(app.traces().await.len(), before);
}

#[tokio::test]
async fn an_unknown_api_route_is_a_problem_document() {
    let app = spawn_app().await;
    let res = app.http.get(app.url("/api/v1/inconnue")).send().await.unwrap();
    let (status, body) = problem(res).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["code"], "ressource_inconnue");
}

#[tokio::test]
async fn a_wrong_method_is_answered_in_french_with_a_stable_code() {
    let app = spawn_app().await;
    let res = app.http.get(app.url("/api/v1/session")).send().await.unwrap();
    let (status, body) = problem(res).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(body["code"], "methode_non_autorisee");
    assert_french(body["detail"].as_str().unwrap());
    assert!(body["detail"].as_str().unwrap().contains("méthode"));

    let res = app.http.put(app.url("/qf")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    let page = res.text().await.unwrap();
    assert!(page.contains("lang=\"fr\""), "a French page, not an empty answer");
    assert!(page.contains("Méthode non autorisée"));
    assert!(app.traces().await.is_empty(), "nothing happened");
}

/// The QF consultation reads the session with the dossier; the caller is still judged on his token before
/// his body, as on every route: a bad token answers 401 whatever the body, a good one with a bad body
/// answers 400 and consults nothing.
#[tokio::test]
async fn co_1_qf_judges_the_token_before_the_body() {
    let app = spawn_app().await;
    let token = app.agent_ready().await;
    let before = app.traces().await.len();
    for body in [r#"{"nir": "#, r#"{"annee": 2025}"#] {
        let res = raw(
            &app,
            "/api/v1/consultations/qf",
            Some("jeton-inconnu"),
            "application/json",
            body,
        )
        .await;
        let (status, problem_body) = problem(res).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert_eq!(problem_body["code"], "non_authentifie");
        let res = raw(
            &app,
            "/api/v1/consultations/qf",
            Some(&token),
            "application/json",
            body,
        )
        .await;
        let (status, problem_body) = problem(res).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(problem_body["code"], "requete_invalide");
    }
    assert_eq!(
        app.traces().await.len(),
        before,
        "no consultation was made, so none is traced"
    );
    // The same token then consults normally.
    let res = app.consult(&token, json!({"nir": nir_martin()})).await;
    assert_eq!(res.status(), StatusCode::OK);
}
