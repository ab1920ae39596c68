//! SPEC HB-9, SU-3: a partner's delegated administrator suspends and reactivates his organisation's
//! habilitations; a suspended one grants nothing, and the caisse audits every attempt with before and after.

use crate::habilitations::acte_delegue;
use crate::helpers::*;
use crate::openapi::{check, schema};
use reqwest::StatusCode;
use serde_json::{json, Value};

fn suspension(utilisateur: &str) -> Value {
    json!({"nature": "suspension", "convention": "QF-07-2025", "bouquet": "QF", "utilisateur": utilisateur})
}

fn reactivation(utilisateur: &str) -> Value {
    json!({"nature": "reactivation", "convention": "QF-07-2025", "bouquet": "QF", "utilisateur": utilisateur})
}

/// The caisse delegates the commune's convention to its principal, `AGENT`, who habilitates Claire Martin;
/// she logs in and consults. The administrator's token, hers and the habilitation agent's.
async fn commune_deleguee(app: &TestApp) -> (String, String, String) {
    let hab = app.deleguer_la_commune().await;
    let admin = app.agent_ready().await;
    let res = app.gerer(&admin, &acte_delegue()).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let cree: Value = res.json().await.unwrap();
    let provisoire = cree["mot_de_passe_provisoire"].as_str().unwrap().to_owned();
    let token = app.token("cmartin", &provisoire).await;
    assert_eq!(
        app.change_password(&token, &provisoire, NOUVEAU_MDP)
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.consult(&token, json!({"nir": nir_martin()})).await.status(),
        StatusCode::OK
    );
    (admin, token, hab)
}

/// The caisse's audit of the commune's delegated acts in March 2026 (SU-3).
async fn audit(app: &TestApp) -> Vec<Value> {
    let sup = app.staff_ready("superviseur", "supervision").await;
    let res = app
        .get_with(
            "/api/v1/caisse/gestion-deleguee/actes?partenaire=T07&du=2026-03-01&au=2026-03-31",
            &sup,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

#[tokio::test]
async fn hb_9_a_suspended_habilitation_refuses_consultation_until_reactivated() {
    let app = spawn_app().await;
    let (admin, token, hab) = commune_deleguee(&app).await;

    let res = app.gerer(&admin, &suspension("cmartin")).await;
    assert_eq!(res.status(), StatusCode::OK);
    let fait: Value = res.json().await.unwrap();
    assert_eq!(
        (
            &fait["nature"],
            &fait["identifiant"],
            &fait["mot_de_passe_provisoire"]
        ),
        (&json!("suspension"), &json!("cmartin"), &Value::Null)
    );
    // At once, through the same session: refused exactly as an agent without habilitation is.
    let (status, body) = problem(app.consult(&token, json!({"nir": nir_martin()})).await).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("non_habilite"))
    );
    assert!(!body.to_string().contains("MARTIN"));
    // Twice is refused, nothing changed.
    let (status, body) = problem(app.gerer(&admin, &suspension("cmartin")).await).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("deja_suspendue"))
    );
    assert!(
        body["detail"].as_str().unwrap().contains("déjà suspendue"),
        "{body}"
    );
    // The caisse's directory shows it held and suspended.
    let annuaire: Vec<Value> = app
        .get_with("/api/v1/caisse/extranautes?bouquet=QF", &hab)
        .await
        .json()
        .await
        .unwrap();
    let cmartin = annuaire
        .iter()
        .flat_map(|p| p["agents"].as_array().unwrap().iter())
        .find(|a| a["identifiant"] == "cmartin")
        .unwrap();
    assert_eq!(
        (&cmartin["actif"], &cmartin["suspendue"]),
        (&json!(true), &json!(true))
    );

    let res = app.gerer(&admin, &reactivation("cmartin")).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap()["nature"], "reactivation");
    assert_eq!(
        app.consult(&token, json!({"nir": nir_martin()})).await.status(),
        StatusCode::OK,
        "her session went on; the habilitation grants again"
    );
    let (status, body) = problem(app.gerer(&admin, &reactivation("cmartin")).await).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("non_suspendue"))
    );

    // SU-3: every attempt, with the habilitation before and after.
    let actes = audit(&app).await;
    let vus: Vec<(&str, &str, &str, &str, &str)> = actes
        .iter()
        .map(|a| {
            let etat = |cote: &str| a[cote]["habilitation"].as_str().unwrap_or("-");
            (
                a["nature"].as_str().unwrap(),
                a["agent"].as_str().unwrap_or("-"),
                a["resultat"].as_str().unwrap(),
                etat("avant"),
                etat("apres"),
            )
        })
        .collect();
    assert_eq!(
        vus,
        [
            ("acces", "cmartin", "succes", "-", "active"),
            ("suspension", "cmartin", "succes", "active", "suspendue"),
            ("suspension", "cmartin", "refuse", "suspendue", "suspendue"),
            ("reactivation", "cmartin", "succes", "suspendue", "active"),
            ("reactivation", "cmartin", "refuse", "active", "active"),
        ]
    );
    let doc = partage_web::api::openapi::document();
    for a in &actes {
        check(&doc, &schema("ActeDelegueAudite"), a, "acte").unwrap();
    }
}

#[tokio::test]
async fn hb_9_suspension_outside_his_remit_is_refused_and_traced() {
    let app = spawn_app().await;
    let (admin, token, hab) = commune_deleguee(&app).await;
    for (body, statut, code) in [
        // Another organisation's agent is unknown to his.
        (suspension(AGENT_HV), StatusCode::NOT_FOUND, "utilisateur_inconnu"),
        // An administrator's habilitation is the caisse's to change: his own here.
        (suspension(AGENT), StatusCode::FORBIDDEN, "administrateur_protege"),
        // An agent of his organisation without habilitation on this convention.
        (
            suspension(AGENT_SANS),
            StatusCode::CONFLICT,
            "habilitation_absente",
        ),
        (
            json!({"nature": "reactivation", "convention": "QF-07-2025", "bouquet": "QF"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "utilisateur_requis",
        ),
        (
            json!({"nature": "suspendre", "convention": "QF-07-2025", "bouquet": "QF", "utilisateur": "cmartin"}),
            StatusCode::BAD_REQUEST,
            "requete_invalide",
        ),
    ] {
        let (status, pb) = problem(app.gerer(&admin, &body).await).await;
        assert_eq!((status, pb["code"].as_str()), (statut, Some(code)), "{body}");
    }
    // The caisse takes the delegation back: a centralised convention is the caisse's alone.
    assert_eq!(
        app.gestion(&hab, "QF-07-2025", json!("centralisee")).await,
        StatusCode::NO_CONTENT
    );
    let (status, pb) = problem(app.gerer(&admin, &suspension("cmartin")).await).await;
    assert_eq!(
        (status, pb["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("gestion_centralisee"))
    );
    // Nothing was suspended: the other partner's agent logs in, Claire Martin consults.
    assert_eq!(
        app.login(CAISSE, AGENT_HV, AGENT_HV_MDP).await.status(),
        StatusCode::CREATED
    );
    assert_eq!(
        app.consult(&token, json!({"nir": nir_martin()})).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        app.consult(&admin, json!({"nir": nir_martin()})).await.status(),
        StatusCode::OK
    );
    // Each attempt is in the caisse's audit, refused, with nothing changed.
    let actes = audit(&app).await;
    let refus: Vec<_> = actes
        .iter()
        .filter(|a| a["resultat"] == "refuse")
        .map(|a| (a["nature"].as_str().unwrap(), a["avant"] == a["apres"]))
        .collect();
    assert_eq!(
        refus,
        [
            ("suspension", true),
            ("suspension", true),
            ("suspension", true),
            ("reactivation", true),
            ("suspension", true),
        ],
        "the unknown nature is refused before any act is read"
    );
}

/// Posts `/gestion`'s form as a row's button does, with the page's CSRF token.
async fn bouton(app: &TestApp, browser: &reqwest::Client, nature: &str) -> reqwest::Response {
    let csrf = crate::pages::csrf_from(app, browser, "/gestion").await;
    browser
        .post(app.url("/gestion"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("nature", nature),
            ("convention", "QF-07-2025"),
            ("bouquet", "QF"),
            ("utilisateur", "cmartin"),
        ])
        .send()
        .await
        .unwrap()
}

/// The `/gestion` row of Claire Martin's habilitation.
fn ligne_cmartin(html: &str) -> &str {
    let debut = html.find("<td>cmartin</td>").unwrap();
    let fin = html[debut..].find("</tr>").unwrap() + debut;
    &html[debut..fin]
}

#[tokio::test]
async fn hb_9_pages_a_row_button_suspends_and_reactivates_the_habilitation() {
    let app = spawn_app().await;
    let (_, token, _) = commune_deleguee(&app).await;
    let browser = app.browser();
    let res = crate::pages::login_page(&app, &browser, AGENT, NOUVEAU_MDP).await;
    assert!(res.status().is_success() || res.status().is_redirection());
    let (status, html) = crate::pages_caisse::page(&app, &browser, "/gestion").await;
    assert_eq!(status, StatusCode::OK);
    let ligne = ligne_cmartin(&html);
    assert!(ligne.contains("<td>active</td>"), "{ligne}");
    assert!(ligne.contains(r#"name="nature" value="suspension""#), "{ligne}");
    assert!(ligne.contains("Suspendre</button>"), "{ligne}");
    assert!(ligne.contains(r#"name="csrf""#), "{ligne}");

    // The button suspends, then the page shows it suspended with the button to reactivate.
    let res = bouton(&app, &browser, "suspension").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/gestion");
    let (_, html) = crate::pages_caisse::page(&app, &browser, "/gestion").await;
    let ligne = ligne_cmartin(&html);
    assert!(ligne.contains("<td>suspendue</td>"), "{ligne}");
    assert!(ligne.contains(r#"name="nature" value="reactivation""#), "{ligne}");
    assert!(ligne.contains("Réactiver</button>"), "{ligne}");
    assert_eq!(
        app.consult(&token, json!({"nir": nir_martin()})).await.status(),
        StatusCode::FORBIDDEN
    );
    // The caisse's directory shows it as such.
    let caisse = crate::pages_caisse::staff_browser(&app, "lmoreau", "habilitation").await;
    let (_, annuaire) = crate::pages_caisse::page(&app, &caisse, "/caisse/extranautes?bouquet=QF").await;
    assert!(annuaire.contains("habilitation suspendue"), "{annuaire}");
    // A second suspension (another tab) is refused in French, nothing changed.
    let res = bouton(&app, &browser, "suspension").await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let html = res.text().await.unwrap();
    assert!(html.contains("est déjà suspendue"), "{html}");
    assert!(ligne_cmartin(&html).contains("<td>suspendue</td>"));

    let res = bouton(&app, &browser, "reactivation").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = crate::pages_caisse::page(&app, &browser, "/gestion").await;
    assert!(ligne_cmartin(&html).contains("<td>active</td>"));
    assert_eq!(
        app.consult(&token, json!({"nir": nir_martin()})).await.status(),
        StatusCode::OK
    );
    // Without the CSRF token, nothing is done.
    let res = browser
        .post(app.url("/gestion"))
        .form(&[
            ("nature", "suspension"),
            ("convention", "QF-07-2025"),
            ("bouquet", "QF"),
            ("utilisateur", "cmartin"),
        ])
        .send()
        .await
        .unwrap();
    assert!(res.status().is_client_error());
    assert_eq!(
        app.consult(&token, json!({"nir": nir_martin()})).await.status(),
        StatusCode::OK
    );
}
