//! The caisse's back office as pages (SPEC Actors): the staff's own entrance at `/caisse`, its own session
//! cookie, the password rules of the partners' agents, and the confirmation of a sensitive act.

use crate::caisse::STAFF_MDP_PROVISOIRE;
use crate::helpers::*;
use crate::pages::{csrf_from, login_page};
use reqwest::{Client, StatusCode};

/// Logs a staff member in through the `/caisse` form; the answer to the login.
pub async fn staff_login_page(
    app: &TestApp,
    browser: &Client,
    identifiant: &str,
    mot_de_passe: &str,
) -> reqwest::Response {
    let csrf = csrf_from(app, browser, "/caisse").await;
    browser
        .post(app.url("/caisse/connexion"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("caisse", CAISSE),
            ("identifiant", identifiant),
            ("mot_de_passe", mot_de_passe),
        ])
        .send()
        .await
        .unwrap()
}

/// A browser signed in as a new staff member with these roles, temporary password replaced.
pub async fn staff_browser(app: &TestApp, identifiant: &str, roles: &str) -> Client {
    app.create_staff(identifiant, roles).await;
    let browser = app.browser();
    let res = staff_login_page(app, &browser, identifiant, STAFF_MDP_PROVISOIRE).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/caisse/mot-de-passe");
    let csrf = csrf_from(app, &browser, "/caisse/mot-de-passe").await;
    let res = browser
        .post(app.url("/caisse/mot-de-passe"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("actuel", STAFF_MDP_PROVISOIRE),
            ("nouveau", NOUVEAU_MDP),
            ("confirmation", NOUVEAU_MDP),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/caisse/tableau");
    browser
}

/// The page at `path`, as this browser sees it.
pub async fn page(app: &TestApp, browser: &Client, path: &str) -> (StatusCode, String) {
    let res = browser.get(app.url(path)).send().await.unwrap();
    (res.status(), res.text().await.unwrap())
}

#[tokio::test]
async fn au_2_staff_pages_a_temporary_password_is_replaced_before_the_work_list() {
    let app = spawn_app().await;
    app.create_staff("lmoreau", "habilitation").await;
    let browser = app.browser();

    // A wrong password: the one message of every failure, on the staff's own entrance.
    let res = staff_login_page(&app, &browser, "lmoreau", "pas-le-bon").await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let html = res.text().await.unwrap();
    assert!(html.contains("Code caisse, identifiant ou mot de passe incorrect."));
    assert!(html.contains("Espace de la caisse"));

    let res = staff_login_page(&app, &browser, "lmoreau", STAFF_MDP_PROVISOIRE).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/caisse/mot-de-passe");
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("partage-caisse="), "{cookie}");
    assert!(cookie.contains("HttpOnly; SameSite=Strict"), "{cookie}");

    // AU-2: the work list waits for the new password.
    let res = browser.get(app.url("/caisse/tableau")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/caisse/mot-de-passe");
    let (status, html) = page(&app, &browser, "/caisse/mot-de-passe").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Votre mot de passe est provisoire"));
    assert!(html.contains(r#"action="/caisse/mot-de-passe""#));
    assert!(
        !html.contains(r#"href="/caisse/demandes""#),
        "no section before the new password"
    );

    // The password policy of the partners' agents: a short one is refused beside its field.
    let csrf = csrf_from(&app, &browser, "/caisse/mot-de-passe").await;
    let res = browser
        .post(app.url("/caisse/mot-de-passe"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("actuel", STAFF_MDP_PROVISOIRE),
            ("nouveau", "court"),
            ("confirmation", "court"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("nouveau-erreur"));
    let res = browser
        .post(app.url("/caisse/mot-de-passe"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("actuel", STAFF_MDP_PROVISOIRE),
            ("nouveau", NOUVEAU_MDP),
            ("confirmation", NOUVEAU_MDP),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/caisse/tableau");

    let (status, html) = page(&app, &browser, "/caisse/tableau").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Travaux en attente"));
    assert!(
        html.contains("Lucie MOREAU (MSA-ADL)"),
        "the header names who is signed in"
    );
    assert!(
        html.contains(r#"href="/caisse/demandes""#),
        "habilitation role: its section"
    );
    assert!(
        !html.contains(r#"href="/caisse/supervision""#),
        "no supervision role: no section"
    );
    assert!(html.contains("Aucune demande transmise"));
}

#[tokio::test]
async fn hb_1_a_submitted_request_appears_in_the_habilitation_agents_work_list() {
    let app = spawn_app().await;
    let browser = staff_browser(&app, "lmoreau", "habilitation").await;
    let token = app.hab().await;
    let demande = app.demande_ok(&token, &crate::habilitations::formulaire()).await;
    assert_eq!(demande["etat"], "soumise", "{demande}");

    let (status, html) = page(&app, &browser, "/caisse/tableau").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains(&format!(r#"href="/caisse/demandes/{}""#, demande["id"])),
        "{html}"
    );
    assert!(html.contains("Claire Martin"));
    assert!(html.contains("T07"));
}

#[tokio::test]
async fn staff_and_partner_sessions_never_open_each_others_pages() {
    let app = spawn_app().await;
    let staff = staff_browser(&app, "lmoreau", "habilitation,supervision").await;
    let partner = app.browser();
    login_page(&app, &partner, AGENT, AGENT_MDP_PROVISOIRE).await;

    // A partner agent's cookie is unknown at the staff's entrance…
    let res = partner.get(app.url("/caisse/tableau")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/caisse");
    // …and a staff cookie consults nothing through a partner bouquet.
    let res = staff.get(app.url("/qf")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/");
}

#[tokio::test]
async fn au_4_staff_pages_logging_out_ends_the_session_and_forms_need_their_token() {
    let app = spawn_app().await;
    let browser = staff_browser(&app, "lmoreau", "supervision").await;
    // Without the form's token, nothing happens.
    let res = browser
        .post(app.url("/caisse/deconnexion"))
        .form(&[("csrf", "faux")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(page(&app, &browser, "/caisse/tableau").await.0, StatusCode::OK);

    let csrf = csrf_from(&app, &browser, "/caisse/tableau").await;
    let res = browser
        .post(app.url("/caisse/deconnexion"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/caisse");
    let res = browser.get(app.url("/caisse/tableau")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/caisse");
    let (status, html) = page(&app, &browser, "/caisse").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Se connecter"));
}

#[tokio::test]
async fn au_4_the_confirmation_page_checks_the_password_and_returns_only_inside_the_back_office() {
    let app = spawn_app().await;
    let browser = staff_browser(&app, "lmoreau", "habilitation").await;
    let (status, html) = page(
        &app,
        &browser,
        "/caisse/reauthentification?retour=/caisse/demandes/3",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains(r#"name="retour" value="/caisse/demandes/3""#),
        "{html}"
    );
    let csrf = csrf_from(&app, &browser, "/caisse/tableau").await;

    let confirmer = |mot_de_passe: &'static str, retour: &'static str| {
        let browser = browser.clone();
        let csrf = csrf.clone();
        let url = app.url("/caisse/reauthentification");
        async move {
            browser
                .post(url)
                .form(&[
                    ("csrf", csrf.as_str()),
                    ("mot_de_passe", mot_de_passe),
                    ("retour", retour),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    let res = confirmer("pas-le-bon", "/caisse/demandes/3").await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res.text().await.unwrap().contains("Mot de passe incorrect"));

    let res = confirmer(NOUVEAU_MDP, "/caisse/demandes/3").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/caisse/demandes/3");
    // A crafted return address leads back to the work list, never to another site.
    let res = confirmer(NOUVEAU_MDP, "https://exemple.test/caisse/").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/caisse/tableau");

    let codes = app.trace_codes().await;
    assert!(
        codes
            .iter()
            .any(|(a, r)| a == "reauthentification_personnel" && r != "succes"),
        "the wrong password is traced: {codes:?}"
    );
}
