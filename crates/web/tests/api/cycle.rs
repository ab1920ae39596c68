//! SPEC CV-2..CV-8 through the back office: a staff act changes the partner's access at the exact moment
//! the rules say, a refused act changes nothing, and time alone (the scheduler's tick) applies renewals
//! and ends once.

use crate::helpers::*;
use crate::openapi::{check, schema};
use partage_app::{App, Settings};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::sync::Arc;

const CONVENTION: &str = "/api/v1/caisse/conventions/QF-07-2025";

async fn acte(app: &TestApp, token: &str, body: Value) -> reqwest::Response {
    app.post_json(&format!("{CONVENTION}/actes"), Some(token), &body)
        .await
}

#[tokio::test]
async fn cv_5_mise_en_demeure_cuts_access_at_the_exact_day_and_refusals_change_nothing() {
    let app = spawn_app().await;
    let agent = app.agent_ready().await;
    assert_eq!(
        app.consult(&agent, json!({"nir": nir_martin()})).await.status(),
        StatusCode::OK
    );
    let staff = app.staff_ready("cgestion", "conventions").await;
    let today = (partage_app::Clock::now(&app.clock) + chrono::Duration::hours(1)).date_naive();

    // Refused: a model without unilateral resiliation (MSA), a date in the future, an unknown act.
    let (status, p) = problem(
        acte(
            &app,
            &staff,
            json!({"acte": "resilier", "date": today.to_string(), "souhaitee_le": "2027-01-01",
            "document_reference": "LRAR 1", "document_recu_le": today.to_string()}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(p["code"], "transition_refusee");
    let demain = (today + chrono::Duration::days(1)).to_string();
    let (status, p) = problem(
        acte(
            &app,
            &staff,
            json!({"acte": "denoncer", "date": demain,
            "document_reference": "LRAR 2", "document_recu_le": demain}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(p["detail"].as_str().unwrap().contains("futur"), "{p}");
    let (status, _) = problem(
        acte(
            &app,
            &staff,
            json!({"acte": "abolir", "date": today.to_string(),
            "document_reference": "X", "document_recu_le": today.to_string()}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let detail: Value = app.get_with(CONVENTION, &staff).await.json().await.unwrap();
    assert_eq!(detail["historique"], json!([]), "nothing written");
    assert_eq!(detail["cycle"]["etat"]["etat"], "en_vigueur");

    // A role other than conventions may not act.
    let admin = app.staff_ready("adm", "admin").await;
    let (status, p) = problem(
        acte(
            &app,
            &admin,
            json!({"acte": "mettre_en_demeure", "date": today.to_string(),
            "document_reference": "LRAR 3", "document_recu_le": today.to_string()}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(p["code"], "role_requis");

    let res = acte(
        &app,
        &staff,
        json!({"acte": "mettre_en_demeure", "date": today.to_string(),
        "document_reference": "LRAR 1A 234", "document_recu_le": today.to_string()}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let detail: Value = res.json().await.unwrap();
    let effet = (today + chrono::Duration::days(30)).to_string();
    assert_eq!(detail["cycle"]["etat"]["etat"], "fin_programmee");
    assert_eq!(detail["cycle"]["etat"]["effet_le"], effet);
    assert_eq!(detail["acces"]["fin_le"], effet);
    assert_eq!(detail["historique"][0]["par"], "cgestion");
    assert_eq!(detail["historique"][0]["document"]["reference"], "LRAR 1A 234");

    // Still in force until the day before; from that day on, the dossier answers like an unknown one,
    // even before any scheduler has run (CV-8).
    app.clock.advance(chrono::Duration::days(29));
    let agent = app.token(AGENT, NOUVEAU_MDP).await;
    assert_eq!(
        app.consult(&agent, json!({"nir": nir_martin()})).await.status(),
        StatusCode::OK
    );
    app.clock.advance(chrono::Duration::days(1));
    let agent = app.token(AGENT, NOUVEAU_MDP).await;
    let (status, p) = problem(app.consult(&agent, json!({"nir": nir_martin()})).await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(p["code"], "dossier_introuvable");

    // The scheduler records the end once, however many servers tick.
    let staff = app.staff_ready("cgestion2", "conventions").await;
    let a = App::new(
        app.store.clone(),
        Arc::new(app.clock.clone()),
        Settings::default(),
    )
    .await
    .unwrap();
    let b = a.clone();
    let (x, y) = tokio::join!(a.tick(), b.tick());
    assert_eq!(x.unwrap() + y.unwrap(), 1);
    assert_eq!(a.tick().await.unwrap(), 0, "applied once");
    let detail: Value = app.get_with(CONVENTION, &staff).await.json().await.unwrap();
    assert_eq!(detail["cycle"]["etat"]["etat"], "terminee");
    assert_eq!(detail["historique"].as_array().unwrap().len(), 2);
    assert_eq!(detail["historique"][1]["acte"], "avancer");
    assert_eq!(detail["historique"][1]["par"], Value::Null);
    assert!(detail["confidentialite_jusquau"].is_string());
}

#[tokio::test]
async fn cv_8_an_open_session_loses_the_access_at_midnight_paris_time_before_any_tick() {
    let app = spawn_app().await;
    let staff = app.staff_ready("cgestion", "conventions").await;
    // Received on Monday 2 March 2026: the MSA convention ends 30 days later, on 1 April, in summer time.
    let res = acte(
        &app,
        &staff,
        json!({"acte": "mettre_en_demeure", "date": "2026-03-02",
        "document_reference": "LRAR 1A 234", "document_recu_le": "2026-03-02"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let detail: Value = res.json().await.unwrap();
    assert_eq!(detail["acces"]["fin_le"], "2026-04-01");
    // Not ended yet: no attestation of return or destruction of the data.
    let attestation = format!("{CONVENTION}/attestation");
    let body = json!({"nature": "destruction", "attestee_le": "2026-03-02", "reference": "LR 9"});
    let (status, p) = problem(app.post_json(&attestation, Some(&staff), &body).await).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(p["code"], "transition_refusee");
    assert!(p["detail"].as_str().unwrap().contains("pas terminée"), "{p}");

    // 23:59 in Paris on 31 March (21:59 UTC): still in force, for a session opened then.
    app.clock.set("2026-03-31T21:59:00Z".parse().unwrap());
    let agent = app.agent_ready().await;
    assert_eq!(
        app.consult(&agent, json!({"nir": nir_martin()})).await.status(),
        StatusCode::OK
    );
    // 00:00:01 in Paris on 1 April (22:00:01 UTC): the same session reaches nothing any more, though no
    // scheduler has run: the consultation reads the end date itself at each request.
    app.clock.set("2026-03-31T22:00:01Z".parse().unwrap());
    let (status, p) = problem(app.consult(&agent, json!({"nir": nir_martin()})).await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(p["code"], "dossier_introuvable");
    let staff = app.staff_ready("cgestion2", "conventions").await;
    let detail: Value = app.get_with(CONVENTION, &staff).await.json().await.unwrap();
    assert_eq!(
        detail["cycle"]["etat"]["etat"], "terminee",
        "shown ended from that day"
    );
    assert_eq!(detail["confidentialite_jusquau"], "2031-04-01");
}

#[tokio::test]
async fn cv_8_the_partners_attestation_of_return_or_destruction_is_recorded_once_after_the_end() {
    let app = spawn_app().await;
    let staff = app.staff_ready("cgestion", "conventions").await;
    let res = acte(
        &app,
        &staff,
        json!({"acte": "mettre_en_demeure", "date": "2026-03-02",
        "document_reference": "LRAR 1A 234", "document_recu_le": "2026-03-02"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    app.clock.set("2026-04-10T08:00:00Z".parse().unwrap());
    let staff = app.staff_ready("cgestion2", "conventions").await;
    let attestation = format!("{CONVENTION}/attestation");
    let doc = partage_web::api::openapi::document();

    // Refused, writing nothing: dated before the end, in the future, an unknown nature, no reference,
    // another role.
    for (body, code) in [
        (
            json!({"nature": "destruction", "attestee_le": "2026-03-31", "reference": "LR 9"}),
            "requete_invalide",
        ),
        (
            json!({"nature": "destruction", "attestee_le": "2026-04-11", "reference": "LR 9"}),
            "requete_invalide",
        ),
        (
            json!({"nature": "oubli", "attestee_le": "2026-04-02", "reference": "LR 9"}),
            "requete_invalide",
        ),
        (
            json!({"nature": "restitution", "attestee_le": "2026-04-02", "reference": " "}),
            "requete_invalide",
        ),
    ] {
        let (status, p) = problem(app.post_json(&attestation, Some(&staff), &body).await).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(p["code"], code, "{p}");
    }
    let admin = app.staff_ready("cadmin", "admin").await;
    let body = json!({"nature": "destruction", "attestee_le": "2026-04-02", "reference": "LRAR 1A 999"});
    let (status, _) = problem(app.post_json(&attestation, Some(&admin), &body).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let detail: Value = app.get_with(CONVENTION, &staff).await.json().await.unwrap();
    assert_eq!(detail["attestation"], Value::Null, "nothing written");

    let res = app.post_json(&attestation, Some(&staff), &body).await;
    assert_eq!(res.status(), StatusCode::OK);
    let detail: Value = res.json().await.unwrap();
    check(&doc, &schema("ConventionSuivie"), &detail, "convention").unwrap();
    assert_eq!(detail["attestation"]["nature"], "destruction");
    assert_eq!(detail["attestation"]["attestee_le"], "2026-04-02");
    assert_eq!(detail["attestation"]["reference"], "LRAR 1A 999");
    assert_eq!(detail["attestation"]["par"], "cgestion2");
    assert_eq!(detail["confidentialite_jusquau"], "2031-04-01");

    // Only one.
    let again = json!({"nature": "restitution", "attestee_le": "2026-04-03", "reference": "LR 2"});
    let (status, p) = problem(app.post_json(&attestation, Some(&staff), &again).await).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(p["detail"].as_str().unwrap().contains("déjà"), "{p}");
    let detail: Value = app.get_with(CONVENTION, &staff).await.json().await.unwrap();
    assert_eq!(detail["attestation"]["reference"], "LRAR 1A 999");
}

#[tokio::test]
async fn cv_1_the_caisses_conventions_are_listed_as_json_with_state_partner_and_echeance() {
    let app = spawn_app().await;
    let staff = app.staff_ready("cgestion", "conventions").await;
    let doc = partage_web::api::openapi::document();
    let res = app.get_with("/api/v1/caisse/conventions", &staff).await;
    assert_eq!(res.status(), StatusCode::OK);
    let liste: Value = res.json().await.unwrap();
    check(&doc, &schema("ListeConventions"), &liste, "conventions").unwrap();
    let conventions = liste["conventions"].as_array().unwrap();
    let qf07 = conventions.iter().find(|c| c["numero"] == "QF-07-2025").unwrap();
    assert_eq!(qf07["partenaire"], "T07");
    assert_eq!(qf07["etat"], "en_vigueur");
    assert_eq!(qf07["prochaine_echeance"], "2027-01-10");
    assert!(conventions
        .iter()
        .any(|c| c["numero"] == "QF-07B-2026" && c["etat"] == "attente_cnil"));
    assert!(!conventions.iter().any(|c| c["numero"] == "QF-59-2025"), "TEN-1");

    let filtree: Value = app
        .get_with("/api/v1/caisse/conventions?etat=attente_cnil", &staff)
        .await
        .json()
        .await
        .unwrap();
    assert!(filtree["conventions"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["etat"] == "attente_cnil"));
    assert!(!filtree["conventions"].as_array().unwrap().is_empty());
    for mauvais in ["?etat=close", "?tri=numero"] {
        let (status, p) = problem(
            app.get_with(&format!("/api/v1/caisse/conventions{mauvais}"), &staff)
                .await,
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(p["code"], "requete_invalide");
    }
    let admin = app.staff_ready("adm", "admin").await;
    let (status, _) = problem(app.get_with("/api/v1/caisse/conventions", &admin).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn cv_2_a_draft_created_for_a_partner_of_the_referentiel_goes_to_in_force_through_the_acts() {
    let app = spawn_app().await;
    let staff = app.staff_ready("cgestion", "conventions").await;
    let doc = partage_web::api::openapi::document();
    let nouvelle = |numero: &str, partenaire: &str, bouquets: Value, gestion: Value| {
        json!({"numero": numero, "partenaire": partenaire, "bouquets": bouquets,
            "plafond_habilitations": 5, "gestion": gestion})
    };
    let creer = |body: Value| {
        let app = &app;
        let staff = staff.clone();
        async move {
            app.post_json("/api/v1/caisse/conventions", Some(&staff), &body)
                .await
        }
    };

    // Refused with the reason, nothing written.
    for (body, status, code) in [
        (
            nouvelle("QF-07-2026", "T404", json!(["QF"]), Value::Null),
            StatusCode::NOT_FOUND,
            "introuvable",
        ),
        (
            nouvelle("QF-07-2025", "T07", json!(["QF"]), Value::Null),
            StatusCode::CONFLICT,
            "deja_existant",
        ),
        (
            nouvelle("QF-07-2026", "T07", json!([]), Value::Null),
            StatusCode::BAD_REQUEST,
            "requete_invalide",
        ),
        (
            nouvelle("QF-07-2026", "T07", json!(["XYZ"]), Value::Null),
            StatusCode::BAD_REQUEST,
            "requete_invalide",
        ),
        (
            nouvelle("QF-07-2026", "T07", json!(["QF"]), json!("autre")),
            StatusCode::BAD_REQUEST,
            "requete_invalide",
        ),
        (
            nouvelle("", "T07", json!(["QF"]), Value::Null),
            StatusCode::BAD_REQUEST,
            "requete_invalide",
        ),
    ] {
        let (s, p) = problem(creer(body.clone()).await).await;
        assert_eq!((s, p["code"].as_str()), (status, Some(code)), "{body} {p}");
    }
    let admin = app.staff_ready("adm", "admin").await;
    let (s, _) = problem(
        app.post_json(
            "/api/v1/caisse/conventions",
            Some(&admin),
            &nouvelle("QF-07-2026", "T07", json!(["QF"]), Value::Null),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let liste: Value = app
        .get_with("/api/v1/caisse/conventions", &staff)
        .await
        .json()
        .await
        .unwrap();
    assert!(!liste["conventions"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["numero"] == "QF-07-2026"));

    // Created in draft: no access, no signature date.
    let res = creer(nouvelle(
        "QF-07-2026",
        "T07",
        json!(["QF", "PSU"]),
        json!("centralisee"),
    ))
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let detail: Value = res.json().await.unwrap();
    check(&doc, &schema("ConventionSuivie"), &detail, "convention").unwrap();
    assert_eq!(detail["cycle"]["etat"]["etat"], "brouillon");
    assert_eq!(detail["acces"]["signee_le"], Value::Null);
    assert_eq!(detail["acces"]["formalite_cnil_le"], Value::Null);
    assert_eq!(detail["historique"][0]["acte"], "creer");
    assert_eq!(detail["historique"][0]["par"], "cgestion");
    // Its model is the caisse's (MSA: denunciation with three months' notice).
    assert_eq!(detail["cycle"]["modele"]["preavis_denonciation"]["Mois"], 3);
    let versions: Value = app
        .get_with("/api/v1/caisse/conventions/QF-07-2026/versions", &staff)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(versions[0]["plafond_habilitations"], 5);
    assert_eq!(versions[0]["gestion"], "centralisee");
    // The same number again: refused.
    let (s, _) = problem(creer(nouvelle("QF-07-2026", "T07B", json!(["QF"]), Value::Null)).await).await;
    assert_eq!(s, StatusCode::CONFLICT);

    // Both signatures and the CNIL formality take it to "in force".
    let path = "/api/v1/caisse/conventions/QF-07-2026/actes";
    for body in [
        json!({"acte": "signer", "partie": "partenaire", "date": "2026-02-27",
            "document_reference": "Exemplaire signé par le maire", "document_recu_le": "2026-02-28"}),
        json!({"acte": "signer", "partie": "caisse", "date": "2026-03-02",
            "document_reference": "Exemplaire signé par le directeur", "document_recu_le": "2026-03-02"}),
        json!({"acte": "formalite_cnil", "date": "2026-03-02",
            "document_reference": "Récépissé CNIL", "document_recu_le": "2026-03-02"}),
    ] {
        let res = app.post_json(path, Some(&staff), &body).await;
        assert_eq!(res.status(), StatusCode::OK, "{body}");
    }
    let detail: Value = app
        .get_with("/api/v1/caisse/conventions/QF-07-2026", &staff)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(detail["cycle"]["etat"]["etat"], "en_vigueur");
    assert_eq!(detail["cycle"]["etat"]["echeance"], "2027-03-02");
    assert_eq!(detail["acces"]["signee_le"], "2026-03-02");
    assert_eq!(detail["historique"].as_array().unwrap().len(), 4);
}

#[tokio::test]
async fn cv_8_the_end_of_a_convention_closes_the_sessions_it_kept_open_and_no_other() {
    let app = spawn_app().await;
    let staff = app.staff_ready("cgestion", "conventions").await;
    let res = acte(
        &app,
        &staff,
        json!({"acte": "mettre_en_demeure", "date": "2026-03-02",
        "document_reference": "LRAR 1A 234", "document_recu_le": "2026-03-02"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    app.clock.set("2026-03-31T21:55:00Z".parse().unwrap());
    let agent = app.agent_ready().await;
    // Agents who never had access through an ended convention keep theirs: one whose convention waits for
    // the CNIL formality, one without habilitation.
    let hors_vigueur = app.ready(AGENT_HV, AGENT_HV_MDP).await;
    let sans = app.ready(AGENT_SANS, AGENT_SANS_MDP).await;
    let scheduler = App::new(
        app.store.clone(),
        Arc::new(app.clock.clone()),
        Settings::default(),
    )
    .await
    .unwrap();
    assert_eq!(
        scheduler.fermer_sessions_apres_fin().await.unwrap(),
        0,
        "in force until midnight"
    );
    // 00:01 in Paris on 1 April, well within the idle time-out: the convention has ended; the scheduler's
    // next pass closes the session.
    app.clock.set("2026-03-31T22:01:00Z".parse().unwrap());
    assert_eq!(scheduler.fermer_sessions_apres_fin().await.unwrap(), 1);
    assert_eq!(scheduler.fermer_sessions_apres_fin().await.unwrap(), 0, "once");
    let (status, p) = problem(app.consult(&agent, json!({"nir": nir_martin()})).await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{p}");
    let fin = app
        .traces()
        .await
        .into_iter()
        .map(|t| t.trace)
        .find(|t| t.action.code() == "expiration_session" && t.resultat.code() == "convention_hors_vigueur")
        .expect("the closing is traced");
    assert_eq!(fin.utilisateur.as_deref(), Some(AGENT));
    assert_eq!(fin.rubriques.as_deref(), Some("sessions=1"));
    for token in [&hors_vigueur, &sans] {
        let res = app.consult(token, json!({"nir": nir_martin()})).await;
        assert_ne!(res.status(), StatusCode::UNAUTHORIZED, "kept");
    }
}
