//! AU-1 password policy: strength with the user's own words as context, the shipped common-password list
//! (checked again at login), no reuse of the last five. Refusals explained in French, traced, changing
//! nothing.

use crate::helpers::*;
use partage_domain::{CaisseCode, Identifiant};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn refus(app: &TestApp, token: &str, actuel: &str, nouveau: &str) -> String {
    let (status, body) = problem(app.change_password(token, actuel, nouveau).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{nouveau}");
    assert_eq!(body["code"], "mot_de_passe_refuse");
    body["detail"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn au_1_weak_common_or_personal_passwords_are_refused_in_french_and_change_nothing() {
    let app = spawn_app().await;
    let token = app.token(AGENT, AGENT_MDP_PROVISOIRE).await;
    let cases = [
        // Four classes of characters, still a word, a year and a sign.
        ("Motdepasse2024!", "trop facile à deviner"),
        (
            "azertyuiopqsdf",
            "trop facile à deviner : il suit un schéma connu",
        ),
        // On the shipped list of common passwords.
        ("telechargement", "liste des mots de passe les plus répandus"),
        // agent07 is Anne DURAND of the Commune de Privas: strong for anyone else, not for her.
        ("durandprivas07", "trop facile à deviner"),
    ];
    for (nouveau, raison) in cases {
        let detail = refus(&app, &token, AGENT_MDP_PROVISOIRE, nouveau).await;
        assert!(detail.starts_with("mot de passe refusé : "), "{detail}");
        assert!(detail.contains(raison), "{nouveau}: {detail}");
    }
    let codes = app.trace_codes().await;
    let refusals = codes
        .iter()
        .filter(|c| {
            *c == &(
                "changement_mot_de_passe".to_owned(),
                "mot_de_passe_refuse".to_owned(),
            )
        })
        .count();
    assert_eq!(refusals, cases.len(), "{codes:?}");
    // Nothing changed: the temporary password still opens a session that must change it.
    let res = app.login(CAISSE, AGENT, AGENT_MDP_PROVISOIRE).await;
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["changement_mot_de_passe_requis"], true);
}

#[tokio::test]
async fn au_1_none_of_the_last_five_passwords_may_come_back() {
    let app = spawn_app().await;
    let token = app.token(AGENT, AGENT_MDP_PROVISOIRE).await;
    let suite = [
        NOUVEAU_MDP,
        "tortue cadastre mirabelle",
        "grue velours sept lanternes",
        "pivoine escalier brouillard",
        "cerf-volant nougat basalte",
    ];
    let mut actuel = AGENT_MDP_PROVISOIRE;
    for nouveau in suite {
        let res = app.change_password(&token, actuel, nouveau).await;
        assert_eq!(res.status(), StatusCode::NO_CONTENT, "{nouveau}");
        actuel = nouveau;
    }
    // The temporary password and the four before the current one are the last five: none may come back.
    for ancien in [AGENT_MDP_PROVISOIRE, suite[0], suite[1], suite[2], suite[3]] {
        let detail = refus(&app, &token, actuel, ancien).await;
        assert!(
            detail.contains("déjà été utilisé récemment"),
            "{ancien}: {detail}"
        );
    }
    // A sixth change pushes the temporary password out of the five kept: it may be used again.
    let res = app
        .change_password(&token, actuel, "hibou marelle quartz 9")
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = app
        .change_password(&token, "hibou marelle quartz 9", AGENT_MDP_PROVISOIRE)
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn au_1_a_password_listed_as_common_after_it_was_chosen_must_be_changed_at_login() {
    let app = spawn_app().await;
    let token = app.agent_ready().await;
    // As if "telechargement" had been chosen before the list named it: set directly in the store.
    let login = app
        .store
        .find_login(
            &CaisseCode::parse(CAISSE).unwrap(),
            &Identifiant::parse(AGENT).unwrap(),
        )
        .await
        .unwrap()
        .unwrap();
    let hash = partage_app::secrets::hash_password_blocking("telechargement").unwrap();
    let keep = partage_store::TokenHash("aucune".into());
    app.store.change_password(login.user, &hash, &keep).await.unwrap();
    assert_eq!(
        app.consult(&token, json!({"nir": nir_martin()})).await.status(),
        StatusCode::UNAUTHORIZED,
        "the change of password ended the other sessions"
    );

    let res = app.login(CAISSE, AGENT, "telechargement").await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["changement_mot_de_passe_requis"], true);
    let token = body["jeton"].as_str().unwrap().to_owned();
    let (status, body) = problem(app.consult(&token, json!({"nir": nir_martin()})).await).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("changement_mot_de_passe_requis"))
    );
    let res = app
        .change_password(&token, "telechargement", "hibou marelle quartz 9")
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.consult(&token, json!({"nir": nir_martin()})).await.status(),
        StatusCode::OK
    );
}
