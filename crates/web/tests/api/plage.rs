//! CO-7: a bouquet open from 5 h to 23 h (Paris time) says plainly, outside its window, that it is closed
//! and when it reopens; the attempt is traced and looks nothing up.

use crate::helpers::*;
use crate::pages::{login_page, search_page};
use chrono::Duration;
use partage_app::Settings;
use partage_domain::plage::Plage;
use partage_domain::Bouquet;
use reqwest::StatusCode;
use serde_json::json;

async fn app_5_23() -> TestApp {
    spawn_app_settings(
        partage_web::WebConfig {
            secure_cookies: false,
            ..partage_web::WebConfig::default()
        },
        Settings {
            plages: vec![(Bouquet::Qf, Plage::parse("05:00-23:00").unwrap())],
            ..Settings::default()
        },
    )
    .await
}

#[tokio::test]
async fn co_7_outside_its_window_a_bouquet_says_it_is_closed_and_when_it_reopens() {
    // t0 is 09:00 UTC on 2 March 2026, 10 h in Paris: open.
    let app = app_5_23().await;
    let token = app.agent_ready().await;
    assert_eq!(
        app.consult(&token, json!({"nir": nir_martin()})).await.status(),
        StatusCode::OK
    );

    // 22:30 UTC is 23 h 30 in Paris (winter time): closed until 5 h, i.e. 04:00 UTC, 5 h 30 later.
    app.clock.advance(Duration::minutes(13 * 60 + 30));
    // A new session: the first one ended with the evening (AU-4).
    let token = app.token(AGENT, NOUVEAU_MDP).await;
    let res = app.consult(&token, json!({"nir": nir_martin()})).await;
    assert_eq!(
        res.headers()["retry-after"],
        (5 * 3600 + 30 * 60).to_string().as_str()
    );
    let (status, body) = problem(res).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::SERVICE_UNAVAILABLE, Some("service_ferme"))
    );
    let detail = body["detail"].as_str().unwrap();
    assert!(
        detail.contains("ouvert de 5 h à 23 h (heure de Paris), 7 jours sur 7"),
        "{detail}"
    );
    assert!(detail.contains("rouvrira à 5 h"), "{detail}");
    let last = app.traces().await.pop().unwrap().trace;
    assert_eq!((last.resultat.code(), last.matricule), ("hors_plage", None));

    // A bouquet with no window set stays open all night.
    let psu = app
        .post_json(
            "/api/v1/consultations/psu",
            Some(&token),
            &json!({"nir": nir_martin(), "nom": "MARTIN"}),
        )
        .await;
    assert_ne!(psu.status(), StatusCode::SERVICE_UNAVAILABLE);

    // The page says it in French too.
    let browser = app.browser();
    assert_eq!(
        login_page(&app, &browser, AGENT, NOUVEAU_MDP).await.status(),
        StatusCode::SEE_OTHER
    );
    let (status, html) = search_page(&app, &browser, &nir_martin()).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(html.contains("rouvrira à 5 h"), "{html}");

    // At 5 h in Paris it is open again.
    app.clock.advance(Duration::minutes(5 * 60 + 30));
    let token = app.token(AGENT, NOUVEAU_MDP).await;
    assert_eq!(
        app.consult(&token, json!({"nir": nir_martin()})).await.status(),
        StatusCode::OK
    );
}
