//! AU-4: the idle time-out, tested by moving the clock, never by waiting.

use crate::helpers::*;
use chrono::Duration;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn au_4_activity_keeps_the_session_alive() {
    let app = spawn_app().await;
    let token = app.agent_ready().await;
    for _ in 0..3 {
        app.clock.advance(Duration::minutes(29));
        let res = app.consult(&token, json!({"nir": nir_martin()})).await;
        assert_eq!(
            res.status(),
            StatusCode::OK,
            "each consultation touches the session"
        );
    }
    // 87 minutes after login, still alive; 30 idle minutes later, gone.
    app.clock.advance(Duration::minutes(30));
    let (status, body) = problem(app.consult(&token, json!({"nir": nir_martin()})).await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["code"], "session_expiree");
}

#[tokio::test]
async fn au_4_idle_session_expires_after_exactly_30_minutes() {
    let app = spawn_app().await;
    let token = app.agent_ready().await;
    app.clock.advance(Duration::minutes(30) - Duration::seconds(1));
    assert_eq!(
        app.consult(&token, json!({"nir": nir_martin()})).await.status(),
        StatusCode::OK
    );
    app.clock.advance(Duration::minutes(30));
    let res = app.consult(&token, json!({"nir": nir_martin()})).await;
    assert!(res.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .starts_with("Bearer"));
    let (status, body) = problem(res).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["code"], "session_expiree");
    assert!(body["detail"].as_str().unwrap().contains("expiré"));
    // The session is over for good: the token is now simply unknown.
    let (_, body) = problem(app.consult(&token, json!({"nir": nir_martin()})).await).await;
    assert_eq!(body["code"], "non_authentifie");
    let codes = app.trace_codes().await;
    assert_eq!(
        codes.last().unwrap(),
        &("expiration_session".to_owned(), "succes".to_owned())
    );
    // A new login works.
    assert_eq!(
        app.login(CAISSE, AGENT, NOUVEAU_MDP).await.status(),
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn au_4_pages_touch_the_session_and_an_expired_one_returns_home() {
    let app = spawn_app().await;
    let browser = app.browser();
    crate::pages::login_page(&app, &browser, AGENT, AGENT_MDP_PROVISOIRE).await;
    crate::pages::change_password_page(&browser, &app).await;
    for _ in 0..2 {
        app.clock.advance(Duration::minutes(29));
        let res = browser.get(app.url("/qf")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "showing a page is activity");
    }
    app.clock.advance(Duration::minutes(30));
    let res = browser.get(app.url("/qf")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/?expiree=1");
    let home = browser
        .get(app.url("/?expiree=1"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(home.contains("Votre session a expiré après 30 minutes d'inactivité, veuillez vous reconnecter"));
    // The cookie was forgotten: the next page is simply the home page.
    let res = browser.get(app.url("/qf")).send().await.unwrap();
    assert_eq!(res.headers()["location"], "/");
}
