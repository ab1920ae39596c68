//! SPEC HB-3, HB-6: credentials delivered by an activation link mailed to the agent — single use, 24 hours,
//! superseded by a newer link or a reset, never in a trace — from the request to the first login.

use crate::habilitations::formulaire;
use crate::helpers::*;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

const NOUVELLE: &str = "trois chevaux gris sous la pluie";

impl TestApp {
    /// Records Claire Martin's signed access request; its id.
    async fn demande_soumise(&self, hab: &str) -> Value {
        let d = self.demande_ok(hab, &formulaire()).await;
        assert_eq!(d["etat"], "soumise", "{d}");
        d["id"].clone()
    }

    /// The activation link of the last mail sent to `a`, and the mail's body.
    fn dernier_lien(&self, a: &str) -> (String, String) {
        let messages = self.courriels.messages();
        let m = messages
            .iter()
            .rev()
            .find(|m| m.a == a)
            .unwrap_or_else(|| panic!("aucun courriel pour {a} : {messages:?}"));
        let debut = m.corps.find("jeton=").expect("lien dans le courriel") + "jeton=".len();
        let jeton: String = m.corps[debut..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect();
        assert_eq!(jeton.len(), 43, "{}", m.corps);
        (jeton, m.corps.clone())
    }

    /// Opens the activation page of the link, then posts the new password: the answer.
    async fn activer(&self, jeton: &str, nouveau: &str) -> reqwest::Response {
        let browser = self.browser();
        let res = browser
            .get(self.url(&format!("/activation?jeton={jeton}")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["referrer-policy"], "no-referrer");
        let html = res.text().await.unwrap();
        assert!(
            html.contains(&format!(r#"name="jeton" value="{jeton}""#)),
            "{html}"
        );
        self.poster_activation(&browser, &csrf_of(&html), jeton, nouveau, nouveau)
            .await
    }

    async fn poster_activation(
        &self,
        browser: &Client,
        csrf: &str,
        jeton: &str,
        nouveau: &str,
        confirmation: &str,
    ) -> reqwest::Response {
        browser
            .post(self.url("/activation"))
            .form(&[
                ("csrf", csrf),
                ("jeton", jeton),
                ("nouveau", nouveau),
                ("confirmation", confirmation),
            ])
            .send()
            .await
            .unwrap()
    }

    async fn traces_texte(&self) -> String {
        serde_json::to_string(
            &self
                .traces()
                .await
                .into_iter()
                .map(|t| t.trace)
                .collect::<Vec<_>>(),
        )
        .unwrap()
    }
}

const COURRIEL: &str = "claire.martin@privas.example.fr";

#[tokio::test]
async fn hb_3_from_request_to_first_login_with_the_activation_link() {
    let app = spawn_app().await;
    let hab = app.hab().await;
    let id = app.demande_soumise(&hab).await;
    // An old client granting with no body at all gets the default delivery: the link.
    let res = app
        .http
        .post(app.url(&format!("/api/v1/caisse/demandes/{id}/accorder")))
        .bearer_auth(&hab)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let accord: Value = res.json().await.unwrap();
    assert_eq!(accord["demande"]["etat"], "faite");
    assert_eq!(
        accord["identifiants"],
        json!({"identifiant": "cmartin", "remis": "lien", "courriel": "c***@privas.example.fr"})
    );
    // The mail: identifier, caisse code, the link; one mail only.
    assert_eq!(app.courriels.messages().len(), 1);
    let (jeton, corps) = app.dernier_lien(COURRIEL);
    assert!(corps.contains("Votre identifiant : cmartin"), "{corps}");
    assert!(corps.contains("Code de votre caisse : MSA-ADL"), "{corps}");
    assert!(corps.contains("24 heures"), "{corps}");
    // No password anyone knows opens the account before the activation.
    assert_eq!(
        app.login(CAISSE, "cmartin", NOUVELLE).await.status(),
        StatusCode::UNAUTHORIZED
    );

    let res = app.activer(&jeton, NOUVELLE).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/?active=1");
    let accueil = app.http.get(app.url("/?active=1")).send().await.unwrap();
    assert!(accueil
        .text()
        .await
        .unwrap()
        .contains("Votre mot de passe est enregistré"));

    // First login with the password he chose: no temporary password to change, he consults at once.
    let res = app.login(CAISSE, "cmartin", NOUVELLE).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let session: Value = res.json().await.unwrap();
    let token = session["jeton"].as_str().unwrap();
    let res = app.consult(token, json!({"nir": nir_martin()})).await;
    assert_eq!(res.status(), StatusCode::OK);

    // Used once: the same link again is refused, with one message, and changes nothing.
    let res = app.activer(&jeton, "une toute autre phrase de passe").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("Ce lien d&#39;activation n&#39;est pas valable")
            || html.contains("Ce lien d'activation n'est pas valable"),
        "{html}"
    );
    assert_eq!(
        app.login(CAISSE, "cmartin", NOUVELLE).await.status(),
        StatusCode::CREATED
    );

    // Traced, both times, never with the link.
    let codes = app.trace_codes().await;
    assert!(
        codes.contains(&("activation".into(), "succes".into())),
        "{codes:?}"
    );
    assert!(
        codes.contains(&("activation".into(), "lien_invalide".into())),
        "{codes:?}"
    );
    let traces = app.traces_texte().await;
    assert!(!traces.contains(&jeton), "the link is never traced");
    assert!(!traces.contains(NOUVELLE));
}

#[tokio::test]
async fn hb_3_an_expired_or_unknown_link_is_refused_with_one_answer() {
    let app = spawn_app().await;
    let hab = app.hab().await;
    let id = app.demande_soumise(&hab).await;
    let res = app
        .post_json(
            &format!("/api/v1/caisse/demandes/{id}/accorder"),
            Some(&hab),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let (jeton, _) = app.dernier_lien(COURRIEL);
    app.clock
        .advance(chrono::Duration::hours(24) + chrono::Duration::seconds(1));
    let expire = app.activer(&jeton, NOUVELLE).await;
    assert_eq!(expire.status(), StatusCode::BAD_REQUEST);
    let expire = expire.text().await.unwrap();
    // A link that never existed gets the very same page: no oracle.
    let inconnu = app.activer(&"A".repeat(43), NOUVELLE).await;
    assert_eq!(inconnu.status(), StatusCode::BAD_REQUEST);
    let inconnu = inconnu.text().await.unwrap();
    let sans_csrf = |h: &str| h.replace(&csrf_of(h), "");
    assert_eq!(sans_csrf(&expire), sans_csrf(&inconnu));
    assert_eq!(
        app.login(CAISSE, "cmartin", NOUVELLE).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert!(!app.traces_texte().await.contains(&jeton));
}

#[tokio::test]
async fn hb_6_a_reset_supersedes_the_earlier_link_and_sends_a_new_one() {
    let app = spawn_app().await;
    let hab = app.hab().await;
    let ancien = app.agent_ready().await;
    let url = format!("/api/v1/caisse/utilisateurs/{AGENT}/reinitialisation");
    let res = app.post_json(&url, Some(&hab), &json!({"remise": "lien"})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        body,
        json!({"identifiant": AGENT, "remis": "lien", "courriel": "a***@privas.example.fr"})
    );
    // The old password is gone at once and his session ended.
    assert_eq!(
        app.login(CAISSE, AGENT, NOUVEAU_MDP).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let (status, _) = problem(app.consult(&ancien, json!({"nir": nir_martin()})).await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (premier, _) = app.dernier_lien("anne.durand@privas.example.fr");
    // A second reset (the first mail was lost): the first link is good no more.
    let res = app.post_json(&url, Some(&hab), &json!({})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let (second, _) = app.dernier_lien("anne.durand@privas.example.fr");
    assert_ne!(premier, second);
    assert_eq!(
        app.activer(&premier, NOUVELLE).await.status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        app.activer(&second, NOUVELLE).await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        app.login(CAISSE, AGENT, NOUVELLE).await.status(),
        StatusCode::CREATED
    );
    // A reset for a sealed letter also supersedes a link not yet used.
    app.post_json(&url, Some(&hab), &json!({"remise": "lien"})).await;
    let (troisieme, _) = app.dernier_lien("anne.durand@privas.example.fr");
    let res = app.post_json(&url, Some(&hab), &json!({"remise": "pli"})).await;
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["remis"], "pli");
    assert!(body["mot_de_passe_provisoire"].as_str().unwrap().len() >= 16);
    assert_eq!(
        app.activer(&troisieme, NOUVELLE).await.status(),
        StatusCode::BAD_REQUEST
    );
    let traces = app.traces_texte().await;
    for jeton in [&premier, &second, &troisieme] {
        assert!(!traces.contains(jeton.as_str()));
    }
}

#[tokio::test]
async fn hb_3_a_suspended_agent_cannot_use_his_link_and_a_refused_password_keeps_it() {
    let app = spawn_app().await;
    let hab = app.hab().await;
    let id = app.demande_soumise(&hab).await;
    app.post_json(
        &format!("/api/v1/caisse/demandes/{id}/accorder"),
        Some(&hab),
        &json!({"remise": "lien"}),
    )
    .await;
    let (jeton, _) = app.dernier_lien(COURRIEL);

    // A password the policy refuses: 422, the link not used.
    let res = app.activer(&jeton, "cmartin").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains(r#"id="nouveau-erreur""#));
    // A confirmation that differs: 422 as well.
    let browser = app.browser();
    let html = browser
        .get(app.url(&format!("/activation?jeton={jeton}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let res = app
        .poster_activation(&browser, &csrf_of(&html), &jeton, NOUVELLE, "autre chose")
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let sup = app.staff_ready("sup", "supervision").await;
    let res = app
        .post_json(
            "/api/v1/caisse/suspensions",
            Some(&sup),
            &json!({"utilisateur": "cmartin", "motif": "vérification en cours"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let res = app.activer(&jeton, NOUVELLE).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(res.text().await.unwrap().contains("désactivé ou suspendu"));
    let codes = app.trace_codes().await;
    assert!(
        codes.contains(&("activation".into(), "echec_compte_inactif".into())),
        "{codes:?}"
    );
    assert!(
        codes.contains(&("activation".into(), "mot_de_passe_refuse".into())),
        "{codes:?}"
    );
}

#[tokio::test]
async fn hb_3_a_bad_delivery_choice_is_refused_and_grants_nothing() {
    let app = spawn_app().await;
    let hab = app.hab().await;
    let id = app.demande_soumise(&hab).await;
    let url = format!("/api/v1/caisse/demandes/{id}/accorder");
    for body in [json!({"remise": "pigeon"}), json!({"remise": 3})] {
        let (status, probleme) = problem(app.post_json(&url, Some(&hab), &body).await).await;
        assert_eq!(
            (status, probleme["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("requete_invalide")),
            "{probleme}"
        );
        assert!(
            probleme["detail"].as_str().unwrap().contains("remise"),
            "{probleme}"
        );
    }
    assert!(app.courriels.messages().is_empty());
    let res = app
        .http
        .get(app.url(&format!("/api/v1/caisse/demandes/{id}")))
        .bearer_auth(&hab)
        .send()
        .await
        .unwrap();
    let d: Value = res.json().await.unwrap();
    assert_eq!(d["etat"], "soumise", "nothing granted");
}
