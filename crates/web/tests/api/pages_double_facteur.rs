//! The second factor from the pages (SPEC AU-1: the login block; issue "security", part 5): a staff member
//! or a partner agent enrols from his own page, reads the secret there, confirms it with the code his
//! authenticator computes from it, and from then on logs in with a code; a wrong first code activates
//! nothing; a caisse that requires the factor leads a member without one to that page and nowhere else.

use crate::caisse::STAFF_MDP_PROVISOIRE;
use crate::helpers::*;
use crate::pages::{change_password_page, csrf_from, login_page};
use crate::pages_caisse::{page, staff_browser};
use partage_app::Clock;
use partage_domain::totp::{etape, hotp};
use reqwest::{Client, StatusCode};
use serde_json::json;

/// RFC 4648 base32, as an authenticator reads the secret typed into it (groups' spaces ignored).
fn base32(texte: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let (mut bits, mut n, mut octets) = (0u32, 0u32, Vec::new());
    for c in texte.bytes().filter(|c| !c.is_ascii_whitespace() && *c != b'=') {
        let v = ALPHABET.iter().position(|a| *a == c).unwrap() as u32;
        bits = (bits << 5) | v;
        n += 5;
        if n >= 8 {
            n -= 8;
            octets.push((bits >> n) as u8);
            bits &= (1 << n) - 1;
        }
    }
    octets
}

/// The code an authenticator holding `secret` shows now.
fn code(app: &TestApp, secret: &[u8]) -> String {
    format!("{:06}", hotp(secret, etape(app.clock.now()) as u64, 6))
}

fn autre(code: &str) -> String {
    let n: u32 = code.parse().unwrap();
    format!("{:06}", (n + 1) % 1_000_000)
}

/// The text between `debut` and the next `fin` of a page.
fn entre<'a>(html: &'a str, debut: &str, fin: &str) -> &'a str {
    let d = html
        .find(debut)
        .unwrap_or_else(|| panic!("{debut} absent : {html}"))
        + debut.len();
    let f = html[d..].find(fin).unwrap() + d;
    &html[d..f]
}

/// Clicks "Activer" on the page at `base`: the shown secret's bytes, after checking how it is shown.
async fn activer(app: &TestApp, browser: &Client, base: &str) -> (String, Vec<u8>) {
    let csrf = csrf_from(app, browser, base).await;
    let res = browser
        .post(app.url(base))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let html = res.text().await.unwrap();
    let groupes = entre(&html, r#"<code class="secret">"#, "</code>").to_owned();
    assert_eq!(
        groupes.split(' ').count(),
        8,
        "32 characters in groups of four: {groupes}"
    );
    let secret: String = groupes.split(' ').collect();
    let uri = entre(&html, r#"<code class="uri">"#, "</code>");
    assert!(uri.starts_with("otpauth://totp/partage%20MSA-ADL:"), "{uri}");
    assert!(uri.contains(&format!("secret={secret}")), "{uri}");
    assert!(
        html.contains(r#"<svg role="img""#),
        "the QR code is drawn in the page"
    );
    assert!(html.contains(&format!(r#"action="{base}/activation""#)));
    assert!(
        !html.contains(&format!(r#"value="{secret}""#)),
        "the secret is carried by no form"
    );
    (secret.clone(), base32(&secret))
}

/// Types `code` as the first code on the page at `base`.
async fn confirmer(app: &TestApp, browser: &Client, base: &str, code: &str) -> reqwest::Response {
    let csrf = csrf_from(app, browser, base).await;
    browser
        .post(app.url(&format!("{base}/activation")))
        .form(&[("csrf", csrf.as_str()), ("code", code)])
        .send()
        .await
        .unwrap()
}

/// The staff's login form, with a one-time code.
async fn connexion_caisse(
    app: &TestApp,
    browser: &Client,
    identifiant: &str,
    code: &str,
) -> reqwest::Response {
    let csrf = csrf_from(app, browser, "/caisse").await;
    browser
        .post(app.url("/caisse/connexion"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("caisse", CAISSE),
            ("identifiant", identifiant),
            ("mot_de_passe", NOUVEAU_MDP),
            ("code_totp", code),
        ])
        .send()
        .await
        .unwrap()
}

/// The partners' login form, with a one-time code.
async fn connexion_partenaire(app: &TestApp, browser: &Client, code: &str) -> reqwest::Response {
    let csrf = csrf_from(app, browser, "/").await;
    browser
        .post(app.url("/connexion"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("caisse", CAISSE),
            ("identifiant", AGENT),
            ("mot_de_passe", NOUVEAU_MDP),
            ("code_totp", code),
        ])
        .send()
        .await
        .unwrap()
}

/// Checks that a wrong first code is refused beside its field, secret not shown again, nothing activated.
async fn code_faux_refuse(app: &TestApp, browser: &Client, base: &str, bon: &str, secret: &str) {
    let res = confirmer(app, browser, base, &autre(bon)).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains(r#"id="code-erreur""#), "{html}");
    assert!(html.contains("Code incorrect ou expiré"), "{html}");
    assert!(html.contains(r#"aria-invalid="true""#));
    assert!(!html.contains(secret), "not shown again");
    let (_, html) = page(app, browser, base).await;
    assert!(html.contains("<strong>pas actif</strong>"), "nothing activated");
}

#[tokio::test]
async fn au_1_pages_a_staff_member_enrols_from_his_page_then_logs_in_with_a_code() {
    let app = spawn_app().await;
    let browser = staff_browser(&app, "adurand", "admin").await;
    let (_, html) = page(&app, &browser, "/caisse/tableau").await;
    assert!(
        html.contains(r#"href="/caisse/double-facteur""#),
        "linked from the menu"
    );
    let (status, html) = page(&app, &browser, "/caisse/double-facteur").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<strong>pas actif</strong>"), "{html}");
    assert!(html.contains("Activer le second facteur"));

    let (secret, octets) = activer(&app, &browser, "/caisse/double-facteur").await;
    let bon = code(&app, &octets);
    code_faux_refuse(&app, &browser, "/caisse/double-facteur", &bon, &secret).await;
    // Still pending: a login without a code goes through.
    let autre_navigateur = app.browser();
    let res = connexion_caisse(&app, &autre_navigateur, "adurand", "").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    let res = confirmer(&app, &browser, "/caisse/double-facteur", &bon).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/caisse/double-facteur?active=1");
    let (_, html) = page(&app, &browser, "/caisse/double-facteur?active=1").await;
    assert!(html.contains("Le second facteur est activé"));
    assert!(html.contains("<strong>actif</strong>"));
    assert!(
        !html.contains(r#"action="/caisse/double-facteur""#),
        "no second enrolment"
    );

    // From now on the login needs the code: without it, the one message of every failure.
    let autre_navigateur = app.browser();
    let res = connexion_caisse(&app, &autre_navigateur, "adurand", "").await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Code caisse, identifiant ou mot de passe incorrect."));
    app.clock.advance(chrono::Duration::seconds(30));
    let res = connexion_caisse(&app, &autre_navigateur, "adurand", &code(&app, &octets)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/caisse/tableau");
    let (status, _) = page(&app, &autre_navigateur, "/caisse/personnels").await;
    assert_eq!(status, StatusCode::OK);

    assert!(
        app.traces()
            .await
            .iter()
            .all(|t| !serde_json::to_string(&t.trace).unwrap().contains(&secret)),
        "the secret is in no trace"
    );
}

#[tokio::test]
async fn au_1_pages_a_partner_agent_enrols_from_his_page_then_logs_in_with_a_code() {
    let app = spawn_app().await;
    let browser = app.browser();
    login_page(&app, &browser, AGENT, AGENT_MDP_PROVISOIRE).await;
    // AU-2 first: the page waits for the new password.
    let res = browser.get(app.url("/double-facteur")).send().await.unwrap();
    assert_eq!(res.headers()["location"], "/mot-de-passe");
    change_password_page(&browser, &app).await;
    let (_, html) = page(&app, &browser, "/qf").await;
    assert!(html.contains(r#"href="/double-facteur""#), "linked from the menu");
    let (status, html) = page(&app, &browser, "/double-facteur").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<strong>pas actif</strong>"), "{html}");
    assert!(html.contains("Espace partenaires"));

    let (secret, octets) = activer(&app, &browser, "/double-facteur").await;
    let bon = code(&app, &octets);
    code_faux_refuse(&app, &browser, "/double-facteur", &bon, &secret).await;
    let res = confirmer(&app, &browser, "/double-facteur", &bon).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/double-facteur?active=1");
    let (_, html) = page(&app, &browser, "/double-facteur").await;
    assert!(html.contains("<strong>actif</strong>"));

    let autre_navigateur = app.browser();
    let res = connexion_partenaire(&app, &autre_navigateur, &autre(&bon)).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    app.clock.advance(chrono::Duration::seconds(30));
    let res = connexion_partenaire(&app, &autre_navigateur, &code(&app, &octets)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/qf");
    assert!(app
        .traces()
        .await
        .iter()
        .all(|t| !serde_json::to_string(&t.trace).unwrap().contains(&secret)));
}

#[tokio::test]
async fn au_1_pages_a_member_whose_caisse_requires_the_factor_is_led_to_enrol_and_reaches_nothing_else() {
    let app = spawn_app().await;
    let admin = app.staff_ready("adm", "admin").await;
    let res = app
        .http
        .put(app.url("/api/v1/caisse/double-facteur"))
        .bearer_auth(&admin)
        .json(&json!({ "personnel": true, "administrateurs_partenaires": false }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);

    // The login and the new password as usual (AU-2 first), then the work list leads to the enrolment.
    app.create_staff("lmoreau", "habilitation").await;
    let browser = app.browser();
    let res = crate::pages_caisse::staff_login_page(&app, &browser, "lmoreau", STAFF_MDP_PROVISOIRE).await;
    assert_eq!(res.headers()["location"], "/caisse/mot-de-passe");
    let res = browser
        .get(app.url("/caisse/double-facteur"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["location"], "/caisse/mot-de-passe");
    let csrf = csrf_from(&app, &browser, "/caisse/mot-de-passe").await;
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
    assert_eq!(res.headers()["location"], "/caisse/tableau");
    for chemin in [
        "/caisse/tableau",
        "/caisse/demandes",
        "/caisse/demandes/nouvelle",
        "/caisse/extranautes",
        "/caisse/reauthentification?retour=/caisse/demandes",
    ] {
        let res = browser.get(app.url(chemin)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{chemin}");
        assert_eq!(res.headers()["location"], "/caisse/double-facteur", "{chemin}");
    }
    // A form posted anyway changes nothing.
    let csrf = csrf_from(&app, &browser, "/caisse/double-facteur").await;
    let res = browser
        .post(app.url("/caisse/demandes/nouvelle"))
        .form(&[("csrf", csrf.as_str()), ("nature", "acces")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["location"], "/caisse/double-facteur");

    let (status, html) = page(&app, &browser, "/caisse/double-facteur").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Votre caisse exige un second facteur"), "{html}");
    assert!(
        !html.contains(r#"href="/caisse/demandes""#),
        "no section before the factor"
    );
    assert!(!html.contains(r#"href="/caisse/tableau""#));

    let (_, octets) = activer(&app, &browser, "/caisse/double-facteur").await;
    let res = confirmer(&app, &browser, "/caisse/double-facteur", &code(&app, &octets)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (status, html) = page(&app, &browser, "/caisse/tableau").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(r#"href="/caisse/demandes""#));
}

#[tokio::test]
async fn au_1_pages_an_administrator_required_to_have_the_factor_is_led_to_enrol_before_managing() {
    let app = spawn_app().await;
    let admin = app.staff_ready("adm", "admin").await;
    let hab = app.hab().await;
    assert_eq!(
        app.administrateur(&hab, AGENT, json!("principal")).await,
        StatusCode::NO_CONTENT
    );
    let res = app
        .http
        .put(app.url("/api/v1/caisse/double-facteur"))
        .bearer_auth(&admin)
        .json(&json!({ "personnel": false, "administrateurs_partenaires": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let browser = app.browser();
    login_page(&app, &browser, AGENT, AGENT_MDP_PROVISOIRE).await;
    change_password_page(&browser, &app).await;

    // Consulting stays open; managing habilitations leads to the enrolment.
    let (status, _) = page(&app, &browser, "/qf").await;
    assert_eq!(status, StatusCode::OK);
    let res = browser.get(app.url("/gestion")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/double-facteur");
    let (_, html) = page(&app, &browser, "/double-facteur").await;
    assert!(html.contains("Votre caisse exige un second facteur"), "{html}");

    let (_, octets) = activer(&app, &browser, "/double-facteur").await;
    let res = confirmer(&app, &browser, "/double-facteur", &code(&app, &octets)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (status, _) = page(&app, &browser, "/gestion").await;
    assert_eq!(status, StatusCode::OK);
}
