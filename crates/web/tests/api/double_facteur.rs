//! The caisse staff's second factor (issue "security", part 5; RFC 6238): enrol, confirm with a first
//! code, then every login needs a fresh code, answered like a wrong password when missing or wrong; a
//! caisse may require it of all its staff; an admin removes it when a phone is lost.

use crate::helpers::*;
use chrono::Duration;
use partage_app::Clock;
use partage_domain::totp::{etape, hotp};
use partage_domain::{CaisseCode, Identifiant};
use partage_store::double_facteur::Titulaire;
use reqwest::StatusCode;
use serde_json::{json, Value};

impl TestApp {
    /// The code the staff member's authenticator shows now, read from his stored secret.
    async fn code_totp(&self, identifiant: &str) -> String {
        let login = self
            .store
            .personnel_login(
                &CaisseCode::parse(CAISSE).unwrap(),
                &Identifiant::parse(identifiant).unwrap(),
            )
            .await
            .unwrap()
            .unwrap();
        self.code_de(Titulaire::Personnel(login.personnel.id)).await
    }

    /// The code a partner agent's authenticator shows now.
    pub async fn code_totp_agent(&self, identifiant: &str) -> String {
        let login = self
            .store
            .find_login(
                &CaisseCode::parse(CAISSE).unwrap(),
                &Identifiant::parse(identifiant).unwrap(),
            )
            .await
            .unwrap()
            .unwrap();
        self.code_de(Titulaire::Utilisateur(login.user)).await
    }

    async fn code_de(&self, titulaire: Titulaire) -> String {
        let secret = self.store.second_factor(titulaire).await.unwrap().unwrap().secret;
        format!("{:06}", hotp(&secret, etape(self.clock.now()) as u64, 6))
    }

    /// Enrols and confirms a partner agent's second factor.
    pub async fn totp_actif_agent(&self, token: &str, identifiant: &str) {
        let res = self
            .post_json("/api/v1/session/double-facteur", Some(token), &json!({}))
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let code = self.code_totp_agent(identifiant).await;
        let res = self
            .post_json(
                "/api/v1/session/double-facteur/activation",
                Some(token),
                &json!({ "code": code }),
            )
            .await;
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
    }

    async fn staff_login_totp(&self, identifiant: &str, code: Option<&str>) -> reqwest::Response {
        let mut body = json!({"caisse": CAISSE, "identifiant": identifiant, "mot_de_passe": NOUVEAU_MDP});
        if let Some(code) = code {
            body["code_totp"] = Value::from(code);
        }
        self.post_json("/api/v1/caisse/session", None, &body).await
    }

    /// Enrols and confirms the staff member's second factor.
    async fn totp_actif(&self, token: &str, identifiant: &str) {
        let res = self
            .post_json("/api/v1/caisse/session/double-facteur", Some(token), &json!({}))
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let code = self.code_totp(identifiant).await;
        let res = self
            .post_json(
                "/api/v1/caisse/session/double-facteur/activation",
                Some(token),
                &json!({ "code": code }),
            )
            .await;
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
    }
}

fn autre_code(code: &str) -> String {
    let n: u32 = code.parse().unwrap();
    format!("{:06}", (n + 1) % 1_000_000)
}

#[tokio::test]
async fn au_1_once_confirmed_every_staff_login_needs_a_fresh_code() {
    let app = spawn_app().await;
    let token = app.staff_ready("adurand", "admin").await;

    let res = app
        .post_json("/api/v1/caisse/session/double-facteur", Some(&token), &json!({}))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let enrolement: Value = res.json().await.unwrap();
    let secret = enrolement["secret"].as_str().unwrap();
    assert_eq!(secret.len(), 32, "160 bits in base32");
    assert!(enrolement["uri"].as_str().unwrap().starts_with(&format!(
        "otpauth://totp/partage%20MSA-ADL:adurand?secret={secret}&"
    )));

    // A wrong first code confirms nothing.
    let bon = app.code_totp("adurand").await;
    let res = app
        .post_json(
            "/api/v1/caisse/session/double-facteur/activation",
            Some(&token),
            &json!({ "code": autre_code(&bon) }),
        )
        .await;
    let (status, body) = problem(res).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("code_totp_refuse"))
    );
    // Still pending: a login without a code goes through.
    assert_eq!(
        app.staff_login_totp("adurand", None).await.status(),
        StatusCode::CREATED
    );

    let res = app
        .post_json(
            "/api/v1/caisse/session/double-facteur/activation",
            Some(&token),
            &json!({ "code": bon }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);

    // From now on: no code, a wrong code, or the code already spent all answer like a wrong password.
    let faux_mdp = app
        .staff_login(CAISSE, "adurand", "pas le bon mot de passe")
        .await;
    let attendu = answer(faux_mdp).await;
    for code in [None, Some(autre_code(&bon)), Some(bon.clone())] {
        let res = app.staff_login_totp("adurand", code.as_deref()).await;
        assert_eq!(answer(res).await, attendu, "code {code:?}");
    }
    let traces = app.traces().await;
    let echecs = traces
        .iter()
        .filter(|t| t.trace.resultat.code() == "echec_code_totp")
        .count();
    assert_eq!(echecs, 3);
    assert!(
        traces.iter().all(|t| !format!("{:?}", t.trace).contains(secret)),
        "the secret is in no trace"
    );

    // The next step's code opens a session, once.
    app.clock.advance(Duration::seconds(30));
    let code = app.code_totp("adurand").await;
    assert_eq!(
        app.staff_login_totp("adurand", Some(&code)).await.status(),
        StatusCode::CREATED
    );
    assert_eq!(
        app.staff_login_totp("adurand", Some(&code)).await.status(),
        StatusCode::UNAUTHORIZED
    );

    // The member cannot replace an active factor himself (a stolen session must not move it).
    let res = app
        .post_json("/api/v1/caisse/session/double-facteur", Some(&token), &json!({}))
        .await;
    assert_eq!(problem(res).await.1["code"], "deja_existant");
}

#[tokio::test]
async fn au_1_a_caisse_requiring_the_factor_lets_a_member_without_one_only_enrol() {
    let app = spawn_app().await;
    let admin = app.staff_ready("adurand", "admin").await;
    let superviseur = app.staff_ready("bsup", "supervision").await;

    let res = app
        .http
        .put(app.url("/api/v1/caisse/double-facteur"))
        .bearer_auth(&admin)
        .json(&json!({ "personnel": true, "administrateurs_partenaires": false }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);

    // Without a factor, every back-office act is refused before its role is even looked at.
    for token in [&admin, &superviseur] {
        let (status, body) = problem(app.get_with("/api/v1/caisse/personnels", token).await).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::FORBIDDEN, Some("double_facteur_requis"))
        );
    }
    assert!(app
        .traces()
        .await
        .iter()
        .any(|t| t.trace.resultat.code() == "double_facteur_requis"));

    // Enrolled, the supervisor is back to his own rights: still not an admin.
    app.totp_actif(&superviseur, "bsup").await;
    let (_, body) = problem(app.get_with("/api/v1/caisse/personnels", &superviseur).await).await;
    assert_eq!(body["code"], "role_requis");

    // Lost phone: an admin (with his own factor) removes it; the supervisor logs in with his password
    // alone, and must enrol again before anything else.
    app.totp_actif(&admin, "adurand").await;
    let res = app
        .http
        .delete(app.url("/api/v1/caisse/personnels/bsup/double-facteur"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = app.staff_login_totp("bsup", None).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let token: Value = res.json().await.unwrap();
    let token = token["jeton"].as_str().unwrap();
    let (_, body) = problem(app.get_with("/api/v1/caisse/personnels", token).await).await;
    assert_eq!(body["code"], "double_facteur_requis");

    // Removing what does not exist says so.
    let res = app
        .http
        .delete(app.url("/api/v1/caisse/personnels/personne/double-facteur"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res).await.1["code"], "introuvable");
}

#[tokio::test]
async fn au_1_a_partner_agent_may_add_a_second_factor_then_every_login_needs_a_code() {
    let app = spawn_app().await;
    let token = app.agent_ready().await;
    app.totp_actif_agent(&token, AGENT).await;

    // No code, or a wrong one: the answer of a wrong password, and the trace says which.
    let attendu = answer(app.login(CAISSE, AGENT, "pas le bon mot de passe").await).await;
    assert_eq!(answer(app.login(CAISSE, AGENT, NOUVEAU_MDP).await).await, attendu);
    let code = app.code_totp_agent(AGENT).await;
    let mauvais = json!({"caisse": CAISSE, "identifiant": AGENT, "mot_de_passe": NOUVEAU_MDP, "code_totp": autre_code(&code)});
    assert_eq!(
        answer(app.post_json("/api/v1/session", None, &mauvais).await).await,
        attendu
    );
    assert!(app
        .traces()
        .await
        .iter()
        .any(|t| t.trace.resultat.code() == "echec_code_totp"));

    // Through the login page, with the code of the next step.
    app.clock.advance(Duration::seconds(30));
    let code = app.code_totp_agent(AGENT).await;
    let browser = app.browser();
    let csrf = crate::pages::csrf_from(&app, &browser, "/").await;
    let res = browser
        .post(app.url("/connexion"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("caisse", CAISSE),
            ("identifiant", AGENT),
            ("mot_de_passe", NOUVEAU_MDP),
            ("code_totp", code.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    // Lost phone: the caisse's habilitation agent removes the factor; the agent logs in with his password.
    let hab = app.staff_ready("hab", "habilitation").await;
    let res = app
        .http
        .delete(app.url(&format!("/api/v1/caisse/utilisateurs/{AGENT}/double-facteur")))
        .bearer_auth(&hab)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.login(CAISSE, AGENT, NOUVEAU_MDP).await.status(),
        StatusCode::CREATED
    );
}
