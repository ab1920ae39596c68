//! CO-7: a bouquet open from 5 h to 23 h (Paris time) says plainly, outside its window, that it is closed
//! and when it reopens; the attempt is traced and looks nothing up.

use crate::helpers::*;
use crate::openapi::{check, schema};
use crate::pages::{csrf_from, login_page, search_page};
use crate::pages_caisse::{page, staff_browser};
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

// ---------------------------------------------------------------------------------------------------------
// CO-7 "configurable per caisse": the caisse's staff (role admin) set each bouquet's window.
// ---------------------------------------------------------------------------------------------------------

impl TestApp {
    async fn put_plage(&self, token: &str, bouquet: &str, plage: &str) -> reqwest::Response {
        self.http
            .put(self.url(&format!("/api/v1/caisse/plages/{bouquet}")))
            .bearer_auth(token)
            .json(&json!({ "plage": plage }))
            .send()
            .await
            .unwrap()
    }

    async fn plages(&self, token: &str) -> serde_json::Value {
        let res = self.get_with("/api/v1/caisse/plages", token).await;
        assert_eq!(res.status(), StatusCode::OK);
        res.json().await.unwrap()
    }

    /// A new login of a staff member already made by `staff_ready`.
    async fn staff_token(&self, identifiant: &str) -> String {
        let res = self.staff_login(CAISSE, identifiant, NOUVEAU_MDP).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        res.json::<serde_json::Value>().await.unwrap()["jeton"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}

/// `(origine, plage)` of the bouquet in a `PlagesOuverture` answer.
fn plage_de(plages: &serde_json::Value, bouquet: &str) -> (String, Option<String>) {
    let p = plages["plages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["bouquet"] == bouquet)
        .unwrap();
    (
        p["origine"].as_str().unwrap().to_owned(),
        p["plage"].as_str().map(str::to_owned),
    )
}

#[tokio::test]
async fn co_7_a_caisse_sets_the_window_of_a_bouquet_and_its_partners_meet_it() {
    let app = spawn_app().await;
    let admin = app.staff_ready("admin1", "admin").await;
    let agent = app.agent_ready().await;

    // No window anywhere: open all day.
    let plages = app.plages(&admin).await;
    check(
        &partage_web::api::openapi::document(),
        &schema("PlagesOuverture"),
        &plages,
        "plages",
    )
    .unwrap();
    assert_eq!(plage_de(&plages, "QF"), ("aucune".into(), None));
    assert_eq!(plages["minimum"], "05:00-23:00");

    let res = app.put_plage(&admin, "QF", "05:00-23:00").await;
    assert_eq!(res.status(), StatusCode::OK);
    let plages: serde_json::Value = res.json().await.unwrap();
    check(
        &partage_web::api::openapi::document(),
        &schema("PlagesOuverture"),
        &plages,
        "plages",
    )
    .unwrap();
    assert_eq!(
        plage_de(&plages, "QF"),
        ("caisse".into(), Some("05:00-23:00".into()))
    );
    let qf = &plages["plages"][0];
    assert_eq!(
        (qf["modifiee_par"].as_str(), qf["libelle"].as_str()),
        (Some("admin1"), Some("de 5 h à 23 h"))
    );
    assert_eq!(plage_de(&plages, "PSU"), ("aucune".into(), None));
    // The act is traced with what was set.
    let last = app.traces().await.pop().unwrap().trace;
    assert_eq!(last.resultat.code(), "succes");
    assert_eq!(
        last.rubriques.as_deref(),
        Some("plage_ouverture=definition;bouquet=QF;plage=05:00-23:00")
    );

    // 10 h in Paris: open.
    assert_eq!(
        app.consult(&agent, json!({"nir": nir_martin()})).await.status(),
        StatusCode::OK
    );
    // 23 h 30 in Paris: closed, with the reopening time.
    app.clock.advance(Duration::minutes(13 * 60 + 30));
    let agent = app.token(AGENT, NOUVEAU_MDP).await;
    let (status, body) = problem(app.consult(&agent, json!({"nir": nir_martin()})).await).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::SERVICE_UNAVAILABLE, Some("service_ferme"))
    );
    let detail = body["detail"].as_str().unwrap();
    assert!(detail.contains("ouvert de 5 h à 23 h"), "{detail}");
    assert!(detail.contains("rouvrira à 5 h"), "{detail}");
}

#[tokio::test]
async fn co_7_a_window_narrower_than_5_to_23_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let admin = app.staff_ready("admin1", "admin").await;
    assert_eq!(
        app.put_plage(&admin, "PSU", "04:00-23:30").await.status(),
        StatusCode::OK
    );
    let avant = app.plages(&admin).await;

    for (plage, attendu) in [
        ("06:00-23:00", "au moins 5 h à 23 h"),
        ("05:00-22:00", "au moins 5 h à 23 h"),
        ("5h-23h", "attendu HH:MM-HH:MM"),
    ] {
        let (status, body) = problem(app.put_plage(&admin, "PSU", plage).await).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("plage_invalide")),
            "{plage}"
        );
        assert!(body["detail"].as_str().unwrap().contains(attendu), "{body}");
        let last = app.traces().await.pop().unwrap().trace;
        assert_eq!(last.resultat.code(), "refuse", "{plage}");
    }
    let (status, body) = problem(app.put_plage(&admin, "XX", "05:00-23:00").await).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("requete_invalide"))
    );
    assert!(
        body["detail"].as_str().unwrap().contains("QF, PSU, RSACG"),
        "{body}"
    );
    assert_eq!(app.plages(&admin).await, avant, "nothing changed");

    // Only role admin sets or reads the windows.
    let conventions = app.staff_ready("conv1", "conventions").await;
    let (status, body) = problem(app.put_plage(&conventions, "PSU", "05:00-23:00").await).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("role_requis"))
    );
    let (status, _) = problem(app.get_with("/api/v1/caisse/plages", &conventions).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Setting is a sensitive act: a password typed more than ten minutes ago must be confirmed again.
    app.clock.advance(Duration::minutes(11));
    let (status, body) = problem(app.put_plage(&admin, "PSU", "05:00-23:00").await).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("reauthentification_requise"))
    );
    assert_eq!(app.plages(&admin).await, avant, "nothing changed");
}

#[tokio::test]
async fn co_7_the_caisses_window_replaces_the_default_until_it_is_removed() {
    // The deployment closes QF at 23 h; the caisse keeps it open until 23:59.
    let app = app_5_23().await;
    let admin = app.staff_ready("admin1", "admin").await;
    assert_eq!(
        plage_de(&app.plages(&admin).await, "QF"),
        ("defaut".into(), Some("05:00-23:00".into()))
    );
    assert_eq!(
        app.put_plage(&admin, "QF", "00:00-23:59").await.status(),
        StatusCode::OK
    );
    app.agent_ready().await;

    // 23 h 30 in Paris: open, by the caisse's window.
    app.clock.advance(Duration::minutes(13 * 60 + 30));
    let agent = app.token(AGENT, NOUVEAU_MDP).await;
    assert_eq!(
        app.consult(&agent, json!({"nir": nir_martin()})).await.status(),
        StatusCode::OK
    );

    // Removed: the default applies again, and QF is closed.
    let admin = app.staff_token("admin1").await;
    let res = app
        .http
        .delete(app.url("/api/v1/caisse/plages/QF"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let plages: serde_json::Value = res.json().await.unwrap();
    assert_eq!(
        plage_de(&plages, "QF"),
        ("defaut".into(), Some("05:00-23:00".into()))
    );
    let (status, body) = problem(app.consult(&agent, json!({"nir": nir_martin()})).await).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::SERVICE_UNAVAILABLE, Some("service_ferme"))
    );
    // Nothing left to remove.
    let (status, body) = problem(
        app.http
            .delete(app.url("/api/v1/caisse/plages/QF"))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("introuvable"))
    );
}

#[tokio::test]
async fn co_7_the_staff_page_shows_and_sets_the_windows_in_french() {
    let app = spawn_app().await;
    let browser = staff_browser(&app, "admin1", "admin").await;
    let (status, html) = page(&app, &browser, "/caisse/plages").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("7 jours sur 7"), "{html}");
    assert!(
        html.contains("aucune plage fixée : ouvert en permanence"),
        "{html}"
    );
    assert!(
        html.contains(r#"<a href="/caisse/plages">Plages d'ouverture</a>"#),
        "in the admin's menu"
    );

    let envoyer = |plage: &'static str| {
        let (app, browser) = (&app, &browser);
        async move {
            let csrf = csrf_from(app, browser, "/caisse/plages").await;
            browser
                .post(app.url("/caisse/plages/PSU"))
                .form(&[("csrf", csrf.as_str()), ("plage", plage)])
                .send()
                .await
                .unwrap()
        }
    };
    // Too narrow: the reason beside the field, what was typed kept, nothing written.
    let res = envoyer("07:00-23:00").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains(r#"id="plage-PSU-erreur""#), "{html}");
    assert!(
        html.contains("la plage doit commencer au plus tard à 05:00"),
        "{html}"
    );
    assert!(html.contains(r#"value="07:00-23:00""#), "{html}");
    let (_, html) = page(&app, &browser, "/caisse/plages").await;
    assert!(!html.contains("fixée par la caisse"), "{html}");

    let res = envoyer("04:30-23:30").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/caisse/plages?fait=plage");
    let (_, html) = page(&app, &browser, "/caisse/plages?fait=plage").await;
    assert!(html.contains("ouverture enregistrée"), "{html}");
    assert!(html.contains("Ouvert de 4 h 30 à 23 h 30 (par admin1"), "{html}");
    assert!(html.contains("fixée par la caisse"), "{html}");

    // Back to the default.
    let csrf = csrf_from(&app, &browser, "/caisse/plages").await;
    let res = browser
        .post(app.url("/caisse/plages/PSU/retrait"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = page(&app, &browser, "/caisse/plages").await;
    assert!(!html.contains("fixée par la caisse"), "{html}");

    // Another role does not reach the page.
    let autre = staff_browser(&app, "conv1", "conventions").await;
    let (status, html) = page(&app, &autre, "/caisse/plages").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(html.contains("admin"), "the role it needs: {html}");
    assert!(!html.contains(">Plages d'ouverture</a>"), "not in his menu");
}

#[tokio::test]
async fn co_7_a_window_set_by_another_server_applies_here_within_a_minute_without_a_read_per_consultation() {
    let app = spawn_app().await;
    // 23 h 30 in Paris, no window anywhere: open.
    app.clock.set("2026-03-02T22:30:00Z".parse().unwrap());
    let agent = app.agent_ready().await;
    assert_eq!(
        app.consult(&agent, json!({"nir": nir_martin()})).await.status(),
        StatusCode::OK
    );
    // Another server of the same caisse sets 5 h–23 h: written in the store, not through this one.
    let (caisse, _) = app
        .store
        .caisses_a_analyser()
        .await
        .unwrap()
        .into_iter()
        .find(|(_, code)| code.as_str() == CAISSE)
        .unwrap();
    let plage = partage_store::plages::PlageCaisse {
        bouquet: Bouquet::Qf,
        plage: Plage::parse("05:00-23:00").unwrap(),
        par: "admin-autre-serveur".into(),
        le: partage_app::Clock::now(&app.clock),
    };
    app.store.definir_plage(caisse, &plage).await.unwrap();
    // This server read the caisse's windows less than a minute ago: it keeps them a minute.
    app.clock.advance(Duration::seconds(30));
    assert_eq!(
        app.consult(&agent, json!({"nir": nir_martin()})).await.status(),
        StatusCode::OK
    );
    app.clock.advance(Duration::seconds(31));
    let (status, body) = problem(app.consult(&agent, json!({"nir": nir_martin()})).await).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::SERVICE_UNAVAILABLE, Some("service_ferme"))
    );
}
