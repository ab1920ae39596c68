//! The pages, driven like a browser: cookies kept, redirects seen one by one, CSRF tokens read from forms.

use crate::helpers::*;
use reqwest::{Client, StatusCode};

/// Opens the home page, then logs in through its form. Returns the answer to the login.
pub async fn login_page(
    app: &TestApp,
    browser: &Client,
    identifiant: &str,
    mot_de_passe: &str,
) -> reqwest::Response {
    let home = browser.get(app.url("/")).send().await.unwrap();
    assert_eq!(home.status(), StatusCode::OK);
    let csrf = csrf_of(&home.text().await.unwrap());
    browser
        .post(app.url("/connexion"))
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

/// The CSRF token of a page the browser can open.
pub async fn csrf_from(app: &TestApp, browser: &Client, path: &str) -> String {
    let res = browser.get(app.url(path)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    csrf_of(&res.text().await.unwrap())
}

/// Replaces agent07's temporary password through the page.
pub async fn change_password_page(browser: &Client, app: &TestApp) {
    let csrf = csrf_from(app, browser, "/mot-de-passe").await;
    let res = browser
        .post(app.url("/mot-de-passe"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("actuel", AGENT_MDP_PROVISOIRE),
            ("nouveau", NOUVEAU_MDP),
            ("confirmation", NOUVEAU_MDP),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/qf");
}

pub async fn search_page(app: &TestApp, browser: &Client, nir: &str) -> (StatusCode, String) {
    search_page_at(app, browser, nir, "", "").await
}

pub async fn search_page_at(
    app: &TestApp,
    browser: &Client,
    nir: &str,
    annee: &str,
    mois: &str,
) -> (StatusCode, String) {
    let csrf = csrf_from(app, browser, "/qf").await;
    let res = browser
        .post(app.url("/qf"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("nir", nir),
            ("annee", annee),
            ("mois", mois),
        ])
        .send()
        .await
        .unwrap();
    (res.status(), res.text().await.unwrap())
}

/// A browser signed in as agent07 with his password changed.
async fn ready_browser(app: &TestApp) -> Client {
    let browser = app.browser();
    login_page(app, &browser, AGENT, AGENT_MDP_PROVISOIRE).await;
    change_password_page(&browser, app).await;
    browser
}

#[tokio::test]
async fn au_1_home_page_presents_partage_and_its_login_block() {
    let app = spawn_app().await;
    let res = app.http.get(app.url("/")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "text/html; charset=utf-8");
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("partage-csrf="), "{cookie}");
    assert!(cookie.contains("HttpOnly; SameSite=Strict; Path=/"));
    let html = res.text().await.unwrap();
    assert!(html.contains(r#"<html lang="fr">"#));
    assert!(html.contains("Espace partenaires de la caisse"));
    for field in ["caisse", "identifiant", "mot_de_passe"] {
        assert!(html.contains(&format!(r#"<label for="{field}">"#)), "{field}");
        assert!(
            html.contains(&format!(r#"id="{field}" name="{field}""#)),
            "{field}"
        );
    }
    assert!(html.contains("Code caisse"));
    assert!(!html.contains("<script"));
    assert!(!html.contains("expiré"));
}

#[tokio::test]
async fn au_2_page_flow_login_change_password_then_search() {
    let app = spawn_app().await;
    let browser = app.browser();
    let res = login_page(&app, &browser, AGENT, AGENT_MDP_PROVISOIRE).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/mot-de-passe");
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("partage="));
    assert!(cookie.ends_with("HttpOnly; SameSite=Strict; Path=/"), "{cookie}");

    // AU-2: every other page leads to the password change.
    let res = browser.get(app.url("/qf")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/mot-de-passe");
    let page = browser
        .get(app.url("/mot-de-passe"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Votre mot de passe est provisoire"));
    assert!(!page.contains(r#"href="/qf""#), "no link to a service yet");

    // A confirmation that does not match is caught by the page, and changes nothing.
    let csrf = csrf_of(&page);
    let res = browser
        .post(app.url("/mot-de-passe"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("actuel", AGENT_MDP_PROVISOIRE),
            ("nouveau", NOUVEAU_MDP),
            ("confirmation", "une autre phrase de passe"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains(
        r##"<a href="#confirmation">La confirmation ne correspond pas au nouveau mot de passe.</a>"##
    ));
    assert!(html.contains(r#"aria-invalid="true" aria-describedby="confirmation-erreur""#));
    assert_eq!(
        app.login(CAISSE, AGENT, NOUVEAU_MDP).await.status(),
        StatusCode::UNAUTHORIZED
    );

    // The policy's refusals are shown next to their field.
    let res = browser
        .post(app.url("/mot-de-passe"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("actuel", "faux-mot-de-passe"),
            ("nouveau", NOUVEAU_MDP),
            ("confirmation", NOUVEAU_MDP),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains(r##"<a href="#actuel">Mot de passe refusé : le mot de passe actuel est incorrect.</a>"##));
    let res = browser
        .post(app.url("/mot-de-passe"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("actuel", AGENT_MDP_PROVISOIRE),
            ("nouveau", "court"),
            ("confirmation", "court"),
        ])
        .send()
        .await
        .unwrap();
    assert!(res.text().await.unwrap().contains(r##"<a href="#nouveau">Mot de passe refusé : le nouveau mot de passe doit comporter au moins 12 caractères.</a>"##));

    let res = browser
        .post(app.url("/mot-de-passe"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("actuel", AGENT_MDP_PROVISOIRE),
            ("nouveau", NOUVEAU_MDP),
            ("confirmation", NOUVEAU_MDP),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/qf");

    // The search block defaults to the current month.
    let page = browser
        .get(app.url("/qf"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(r#"<option value="3" selected>mars</option>"#));
    assert!(page.contains(r#"<option value="2026" selected>2026</option>"#));
    assert!(page.contains(r#"<label for="nir">"#));

    let (status, html) = search_page(&app, &browser, "1 85 05 07 186 001 ").await;
    // The NIR typed above lacks its key: the precise reason is next to the field.
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        html.contains(
            r#"<p class="erreur-champ" id="nir-erreur">NIR invalide : le NIR doit comporter 15 caractères"#
        ),
        "{html}"
    );
    assert!(html.contains(r##"<a href="#nir">NIR invalide"##));

    let (status, html) = search_page(&app, &browser, &nir_martin()).await;
    assert_eq!(status, StatusCode::OK);
    for expected in [
        "<h2 id=\"coordonnees-titre\">Coordonnées du dossier</h2>",
        "<h2 id=\"montant-titre\">Montant du QF</h2>",
        "Dossier n° <strong>0700123</strong>",
        "<td>MARTIN</td>",
        "<td>Jean Pierre</td>",
        "<td>02/05/1985</td>",
        "<td>Léo</td>",
        "07000 PRIVAS",
        "Quotient familial de mars 2026 : <strong>612 €</strong>",
        "<td>01/07/2025</td><td>31/12/2025</td><td class=\"nombre\">590 €</td>",
    ] {
        assert!(html.contains(expected), "{expected}");
    }
    assert!(
        !html.contains(&nir_martin()),
        "the NIR is not echoed back once found"
    );
}

#[tokio::test]
async fn co_6_page_period_selector_and_a_month_without_qf() {
    let app = spawn_app().await;
    let browser = ready_browser(&app).await;
    let (status, html) = search_page_at(&app, &browser, &nir_martin(), "2025", "10").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Quotient familial de octobre 2025 : <strong>590 €</strong>"));
    assert!(html.contains(r#"<option value="10" selected>octobre</option>"#));
    let (_, html) = search_page_at(&app, &browser, &nir_martin(), "2026", "9").await;
    assert!(html.contains("Aucun quotient familial n'a été calculé par la caisse pour septembre 2026."));
    assert!(
        html.contains("<td>01/01/2026</td><td>30/06/2026</td>"),
        "every period is still listed"
    );
    let (status, html) = search_page_at(&app, &browser, &nir_martin(), "2026", "treize").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains(r##"<a href="#mois">"##));
}

#[tokio::test]
async fn co_4_op_1_pages_say_only_not_found_or_opposition() {
    let app = spawn_app().await;
    let browser = ready_browser(&app).await;
    let (status, unknown) = search_page(&app, &browser, &nir_inconnu()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(unknown.contains("Aucun dossier ne correspond à votre recherche"));
    for nir in [nir_hors_competence(), nir_autre_caisse()] {
        let (status, html) = search_page(&app, &browser, &nir).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(html, unknown, "outside the perimeter reads exactly like unknown");
    }
    let (status, html) = search_page(&app, &browser, &nir_opposition()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // askama escapes the apostrophes of the use case's message.
    assert!(html
        .contains("Ce dossier fait l&#39;objet d&#39;une opposition à la consultation par les partenaires."));
    for personal in [
        NOM_OPPOSITION,
        "Rose",
        MATRICULE_OPPOSITION,
        "800 €",
        "Coordonnées du dossier",
    ] {
        assert!(!html.contains(personal), "{personal}");
    }
}

#[tokio::test]
async fn au_1_page_login_failure_is_uniform_and_changes_nothing() {
    let app = spawn_app().await;
    let browser = app.browser();
    for (identifiant, mot_de_passe) in [("inconnu", AGENT_MDP_PROVISOIRE), (AGENT, "mauvais mot de passe")] {
        let res = login_page(&app, &browser, identifiant, mot_de_passe).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        assert!(res.headers().get("set-cookie").is_none(), "no session cookie");
        let html = res.text().await.unwrap();
        assert!(
            html.contains(r##"<a href="#caisse">Code caisse, identifiant ou mot de passe incorrect.</a>"##)
        );
        assert!(
            html.contains(&format!(r#"value="{identifiant}""#)),
            "the identifier is kept"
        );
        assert!(!html.contains(mot_de_passe), "the password is not");
    }
    assert_eq!(
        browser.get(app.url("/qf")).send().await.unwrap().headers()["location"],
        "/"
    );
}

#[tokio::test]
async fn pages_escape_what_users_type() {
    let app = spawn_app().await;
    let browser = app.browser();
    let res = login_page(&app, &browser, r#"<script>alert("x")</script>"#, "x").await;
    let html = res.text().await.unwrap();
    assert!(!html.contains("<script>"));
    assert!(html.contains(r#"value="&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;""#));
}

#[tokio::test]
async fn au_1_logout_ends_the_page_session() {
    let app = spawn_app().await;
    let browser = ready_browser(&app).await;
    let csrf = csrf_from(&app, &browser, "/qf").await;
    let res = browser
        .post(app.url("/deconnexion"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/");
    assert!(res.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .starts_with("partage=; Max-Age=0"));
    let res = browser.get(app.url("/qf")).send().await.unwrap();
    assert_eq!(res.headers()["location"], "/");
    assert_eq!(app.trace_codes().await.last().unwrap().0, "deconnexion");
}

#[tokio::test]
async fn csrf_a_page_post_without_its_token_is_refused_and_does_nothing() {
    let app = spawn_app().await;
    let browser = app.browser();

    // Login form: no token, or a token made up.
    browser.get(app.url("/")).send().await.unwrap();
    for csrf in [None, Some("invente")] {
        let mut form = vec![
            ("caisse", CAISSE),
            ("identifiant", AGENT),
            ("mot_de_passe", AGENT_MDP_PROVISOIRE),
        ];
        if let Some(c) = csrf {
            form.push(("csrf", c));
        }
        let res = browser
            .post(app.url("/connexion"))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        assert!(res.headers().get("set-cookie").is_none());
        assert!(res.text().await.unwrap().contains("Requête refusée (jeton CSRF)"));
    }
    assert!(app.traces().await.is_empty(), "no login attempt was made");

    // Inside a session: the token of another session does not do either.
    let browser = ready_browser(&app).await;
    let other = ready_browser_token(&app).await;
    let before = app.traces().await.len();
    for csrf in ["", other.as_str()] {
        let res = browser
            .post(app.url("/mot-de-passe"))
            .form(&[
                ("csrf", csrf),
                ("actuel", NOUVEAU_MDP),
                ("nouveau", "encore une autre phrase"),
                ("confirmation", "encore une autre phrase"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let res = browser
            .post(app.url("/qf"))
            .form(&[("csrf", csrf), ("nir", nir_martin().as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let res = browser
            .post(app.url("/deconnexion"))
            .form(&[("csrf", csrf)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
    }
    assert_eq!(
        app.traces().await.len(),
        before,
        "no consultation, no change, no logout"
    );
    assert_eq!(
        app.login(CAISSE, AGENT, NOUVEAU_MDP).await.status(),
        StatusCode::CREATED
    );
    assert_eq!(
        browser.get(app.url("/qf")).send().await.unwrap().status(),
        StatusCode::OK,
        "still signed in"
    );
}

/// The CSRF token of another browser's session (agent-sans, another user).
async fn ready_browser_token(app: &TestApp) -> String {
    let browser = app.browser();
    let res = login_page(app, &browser, AGENT_SANS, AGENT_SANS_MDP).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    csrf_from(app, &browser, "/mot-de-passe").await
}

#[tokio::test]
async fn a_form_over_the_limit_is_413() {
    let app = spawn_app().await;
    let browser = ready_browser(&app).await;
    let csrf = csrf_from(&app, &browser, "/qf").await;
    let big = "1".repeat(200 * 1024);
    let res = browser
        .post(app.url("/qf"))
        .form(&[("csrf", csrf.as_str()), ("nir", big.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(res.text().await.unwrap().contains("Requête trop volumineuse"));
}

/// A hand-made request whose body is not declared as a form gets a French page, not axum's English text,
/// and nothing is consulted.
#[tokio::test]
async fn co_1_a_search_not_sent_as_a_form_is_refused_in_french_and_consults_nothing() {
    let app = spawn_app().await;
    let browser = ready_browser(&app).await;
    let csrf = csrf_from(&app, &browser, "/qf").await;
    let before = app.traces().await.len();
    let res = browser
        .post(app.url("/qf"))
        .header("Content-Type", "text/plain")
        .body(format!("csrf={csrf}&nir={}", nir_martin()))
        .send()
        .await
        .unwrap();
    let status = res.status();
    let page = res.text().await.unwrap();
    assert_eq!(status, StatusCode::BAD_REQUEST, "{page}");
    assert!(page.contains("lang=\"fr\""), "{page}");
    assert!(
        !page.contains("Failed to deserialize") && !page.contains("Expected request"),
        "{page}"
    );
    assert_eq!(app.traces().await.len(), before, "no consultation");
}

#[tokio::test]
async fn op_2_the_model_information_letter_is_one_click_away_for_an_agent() {
    let app = spawn_app().await;
    // Not signed in: back to the home page, the letter is the partner's tool.
    let anonyme = app.browser();
    let res = anonyme
        .get(app.url("/information-familles"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/");

    let browser = ready_browser(&app).await;
    let qf = browser
        .get(app.url("/qf"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(qf.contains(r#"<a href="/information-familles">Information des familles</a>"#));
    let res = browser
        .get(app.url("/information-familles"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    // agent07 belongs to an MSA: the letter names the MSA, and says where families oppose.
    assert!(
        html.contains("la Caisse de Mutualité Sociale Agricole met à notre disposition"),
        "{html}"
    );
    assert!(html.contains("auprès de la MSA dont vous relevez"));
    // Filled with the name of the agent's partner (T07).
    assert!(
        html.contains(r#"<p class="expediteur">Commune de Privas"#),
        "{html}"
    );
    assert!(
        html.contains(r#"<p class="signature">Commune de Privas</p>"#),
        "{html}"
    );
}
