//! Security headers on every answer, cookies over HTTPS (AU-3), and an API that ignores cookies.

use crate::helpers::*;
use partage_web::WebConfig;
use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use serde_json::json;

fn assert_security_headers(h: &HeaderMap, what: &str) {
    assert_eq!(
        h["content-security-policy"],
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        "{what}"
    );
    assert_eq!(h["x-content-type-options"], "nosniff", "{what}");
    assert_eq!(h["referrer-policy"], "no-referrer", "{what}");
    assert_eq!(h["x-frame-options"], "DENY", "{what}");
}

#[tokio::test]
async fn security_headers_on_every_answer() {
    let app = spawn_app().await;
    let token = app.agent_ready().await;
    let answers = [
        ("accueil", app.http.get(app.url("/")).send().await.unwrap()),
        ("healthz", app.http.get(app.url("/healthz")).send().await.unwrap()),
        ("404", app.http.get(app.url("/nulle-part")).send().await.unwrap()),
        (
            "openapi",
            app.http.get(app.url("/api/openapi.json")).send().await.unwrap(),
        ),
        (
            "consultation",
            app.consult(&token, json!({"nir": nir_martin()})).await,
        ),
        ("erreur API", app.consult(&token, json!({"nir": "x"})).await),
        (
            "page protégée",
            app.http.get(app.url("/qf")).send().await.unwrap(),
        ),
    ];
    for (what, res) in &answers {
        assert_security_headers(res.headers(), what);
        assert_eq!(res.headers()["cache-control"], "no-store", "{what}");
        assert!(
            res.headers().get("strict-transport-security").is_none(),
            "HSTS only over HTTPS"
        );
    }
    let css = app.http.get(app.url("/static/partage.css")).send().await.unwrap();
    assert_security_headers(css.headers(), "css");
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
    assert_eq!(css.headers()["cache-control"], "public, max-age=86400");
    assert!(css.text().await.unwrap().contains("@media print"));
}

#[tokio::test]
async fn healthz_answers_ok() {
    let app = spawn_app().await;
    let res = app.http.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.text().await.unwrap(), "ok");
    assert!(app.traces().await.is_empty());
}

#[tokio::test]
async fn au_3_over_https_cookies_are_host_only_secure_and_hsts_is_sent() {
    let app = spawn_app_with(WebConfig {
        secure_cookies: true,
        max_body_bytes: 64 * 1024,
        ..WebConfig::default()
    })
    .await;
    let home = app.http.get(app.url("/")).send().await.unwrap();
    assert_eq!(
        home.headers()["strict-transport-security"],
        "max-age=63072000; includeSubDomains"
    );
    let pre = home.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(pre.starts_with("__Host-partage-csrf="), "{pre}");
    assert!(
        pre.ends_with("; HttpOnly; SameSite=Strict; Path=/; Secure"),
        "{pre}"
    );
    let pre_value = pre.split(';').next().unwrap().to_owned();
    let csrf = csrf_of(&home.text().await.unwrap());
    let res = app
        .http
        .post(app.url("/connexion"))
        .header("cookie", &pre_value)
        .form(&[
            ("csrf", csrf.as_str()),
            ("caisse", CAISSE),
            ("identifiant", AGENT),
            ("mot_de_passe", AGENT_MDP_PROVISOIRE),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let session = res.headers()["set-cookie"].to_str().unwrap();
    assert!(session.starts_with("__Host-partage="), "{session}");
    assert!(
        session.ends_with("; HttpOnly; SameSite=Strict; Path=/; Secure"),
        "{session}"
    );
    // A cookie without the prefix is not the session cookie.
    let plain = session
        .split(';')
        .next()
        .unwrap()
        .replace("__Host-partage=", "partage=");
    let res = app
        .http
        .get(app.url("/mot-de-passe"))
        .header("cookie", plain)
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["location"], "/");
}

#[tokio::test]
async fn au_5_the_api_does_not_accept_the_session_cookie() {
    let app = spawn_app().await;
    let browser = app.browser();
    crate::pages::login_page(&app, &browser, AGENT, AGENT_MDP_PROVISOIRE).await;
    crate::pages::change_password_page(&browser, &app).await;
    assert_eq!(
        browser.get(app.url("/qf")).send().await.unwrap().status(),
        StatusCode::OK
    );
    let before = app.traces().await.len();
    let res = browser
        .post(app.url("/api/v1/consultations/qf"))
        .json(&json!({"nir": nir_martin()}))
        .send()
        .await
        .unwrap();
    let (status, body) = problem(res).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["code"], "non_authentifie");
    let res = browser.delete(app.url("/api/v1/session")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.traces().await.len(), before, "nothing done");
    assert_eq!(
        browser.get(app.url("/qf")).send().await.unwrap().status(),
        StatusCode::OK
    );
}
