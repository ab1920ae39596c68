//! SPEC CV-7 through the back office: a convention's versions are kept, an avenant signed by both parties
//! becomes the next version and its bouquets reach the convention; a refused avenant writes nothing.

use crate::helpers::*;
use crate::openapi::{check, schema};
use reqwest::StatusCode;
use serde_json::{json, Value};

const CONVENTION: &str = "/api/v1/caisse/conventions/QF-07-2025";

fn versions_path() -> String {
    format!("{CONVENTION}/versions")
}

async fn versions(app: &TestApp, token: &str) -> Value {
    let res = app.get_with(&versions_path(), token).await;
    assert_eq!(res.status(), StatusCode::OK);
    let v: Value = res.json().await.unwrap();
    let doc = partage_web::api::openapi::document();
    check(&doc, &schema("VersionsConvention"), &v, "versions").unwrap();
    v
}

fn avenant(bouquets: &[&str], annexes: &[&str], signe_caisse_le: &str) -> Value {
    json!({
        "bouquets": bouquets,
        "departements": [],
        "plafond_habilitations": null,
        "gestion": null,
        "annexes": annexes,
        "signe_partenaire_le": "2026-02-20",
        "signe_caisse_le": signe_caisse_le,
        "reference": "Avenant n° 1 du 20 février 2026",
    })
}

#[tokio::test]
async fn cv_7_an_avenant_signed_by_both_parties_becomes_the_next_version_and_refusals_change_nothing() {
    let app = spawn_app().await;
    let staff = app.staff_ready("cgestion", "conventions").await;

    let v = versions(&app, &staff).await;
    assert_eq!(v.as_array().unwrap().len(), 1);
    assert_eq!(v[0]["numero"], 1);
    assert_eq!(v[0]["bouquets"], json!(["QF"]));
    assert_eq!(v[0]["signe_partenaire_le"], "2025-01-10");

    // An avenant that changes nothing (a test or experiment period needs none).
    let meme = json!({
        "bouquets": ["QF"], "departements": [], "plafond_habilitations": v[0]["plafond_habilitations"],
        "gestion": v[0]["gestion"], "annexes": [], "signe_partenaire_le": "2026-02-20",
        "signe_caisse_le": "2026-02-25", "reference": "Avenant",
    });
    let (status, p) = problem(app.post_json(&versions_path(), Some(&staff), &meme).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(p["code"], "avenant_refuse");
    assert!(p["detail"].as_str().unwrap().contains("ne change rien"), "{p}");

    // The caisse's signature in the future (t0 is 2026-03-02).
    let body = avenant(&["QF", "PSU"], &["Annexe 3 – sécurité"], "2026-03-03");
    let (status, p) = problem(app.post_json(&versions_path(), Some(&staff), &body).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(p["code"], "avenant_refuse");

    // An unknown bouquet, a missing signature.
    let body = avenant(&["XYZ"], &[], "2026-02-25");
    let (status, _) = problem(app.post_json(&versions_path(), Some(&staff), &body).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let mut body = avenant(&["QF", "PSU"], &[], "2026-02-25");
    body.as_object_mut().unwrap().remove("signe_caisse_le");
    let (status, _) = problem(app.post_json(&versions_path(), Some(&staff), &body).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Another role may neither read nor record.
    let admin = app.staff_ready("cadmin", "admin").await;
    let (status, p) = problem(app.get_with(&versions_path(), &admin).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(p["code"], "role_requis");
    let body = avenant(&["QF", "PSU"], &[], "2026-02-25");
    let (status, _) = problem(app.post_json(&versions_path(), Some(&admin), &body).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        versions(&app, &staff).await.as_array().unwrap().len(),
        1,
        "nothing written"
    );

    // Signed by both: version 2, effective at the later signature, its bouquets on the convention.
    let body = avenant(&["QF", "PSU"], &["Annexe 3 – sécurité"], "2026-02-25");
    let res = app.post_json(&versions_path(), Some(&staff), &body).await;
    assert_eq!(res.status(), StatusCode::OK);
    let v = versions(&app, &staff).await;
    assert_eq!(v.as_array().unwrap().len(), 2);
    assert_eq!(v[0]["numero"], 1);
    assert_eq!(v[0]["bouquets"], json!(["QF"]), "version 1 kept as imported");
    assert_eq!(v[1]["numero"], 2);
    assert_eq!(v[1]["effet_le"], "2026-02-25");
    assert_eq!(v[1]["par"], "cgestion");
    assert_eq!(v[1]["annexes"], json!(["Annexe 3 – sécurité"]));
    let detail: Value = app.get_with(CONVENTION, &staff).await.json().await.unwrap();
    let mut bouquets: Vec<String> = serde_json::from_value(detail["bouquets"].clone()).unwrap();
    bouquets.sort();
    assert_eq!(bouquets, vec!["PSU", "QF"]);

    // The same avenant again changes nothing against version 2.
    let (status, _) = problem(app.post_json(&versions_path(), Some(&staff), &body).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(versions(&app, &staff).await.as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn cv_11_breach_notifications_are_recorded_with_their_documents_and_listed() {
    let app = spawn_app().await;
    let staff = app.staff_ready("cgestion", "conventions").await;
    let path = format!("{CONVENTION}/violations");
    let doc = partage_web::api::openapi::document();

    let (status, _) = problem(
        app.post_json(
            &path,
            Some(&staff),
            &json!({"notifiee_le": "2026-03-03", "description": "Fuite", "documents": ["Courrier"]}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a date in the future");
    let (status, p) = problem(
        app.post_json(
            &path,
            Some(&staff),
            &json!({"notifiee_le": "2026-03-01", "description": "Fuite", "documents": []}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "no document");
    assert!(p["detail"].as_str().unwrap().contains("document"), "{p}");
    let admin = app.staff_ready("cadmin", "admin").await;
    let (status, _) = problem(app.get_with(&path, &admin).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let res = app
        .post_json(
            &path,
            Some(&staff),
            &json!({"notifiee_le": "2026-03-01", "description": "Export envoyé au mauvais destinataire",
                "documents": ["Courrier du 1er mars 2026", "Rapport d'incident"]}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let listed: Value = app.get_with(&path, &staff).await.json().await.unwrap();
    check(&doc, &schema("ViolationsDonnees"), &listed, "violations").unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["notifiee_le"], "2026-03-01");
    assert_eq!(listed[0]["documents"][1], "Rapport d'incident");
    assert_eq!(listed[0]["par"], "cgestion");
}

#[tokio::test]
async fn cv_9_a_sub_contractor_declared_less_than_six_months_ahead_is_refused() {
    let app = spawn_app().await;
    let staff = app.staff_ready("cgestion", "conventions").await;
    let path = format!("{CONVENTION}/sous-traitants");
    let doc = partage_web::api::openapi::document();
    let declaration = |debut_le: &str| {
        json!({"nom": "Hébergeur SA", "localisation_prestataires": "France",
            "localisation_bases": "France (Roubaix)", "regime_juridique": "RGPD art. 28",
            "taches": "hébergement des bases", "declare_le": "2026-03-01", "debut_le": debut_le})
    };

    let (status, p) = problem(
        app.post_json(&path, Some(&staff), &declaration("2026-08-31"))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(p["detail"].as_str().unwrap().contains("six mois"), "{p}");
    let mut sans_taches = declaration("2026-09-01");
    sans_taches["taches"] = json!(" ");
    let (status, _) = problem(app.post_json(&path, Some(&staff), &sans_taches).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let admin = app.staff_ready("cadmin", "admin").await;
    let (status, _) = problem(
        app.post_json(&path, Some(&admin), &declaration("2026-09-01"))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let listed: Value = app.get_with(&path, &staff).await.json().await.unwrap();
    assert_eq!(listed, json!([]), "nothing written");

    let res = app
        .post_json(&path, Some(&staff), &declaration("2026-09-01"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let listed: Value = app.get_with(&path, &staff).await.json().await.unwrap();
    check(&doc, &schema("SousTraitants"), &listed, "sous-traitants").unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["localisation_bases"], "France (Roubaix)");
    assert_eq!(listed[0]["debut_le"], "2026-09-01");
}

#[tokio::test]
async fn cv_7_the_live_convention_follows_the_new_versions_bouquets_and_cap_and_an_ended_one_takes_no_avenant(
) {
    let app = spawn_app().await;
    let agent = app.agent_ready().await;
    assert_eq!(
        app.consult(&agent, json!({"nir": nir_martin()})).await.status(),
        StatusCode::OK
    );
    let hab = app.hab().await;
    let mut body = avenant(&["QF", "PSU"], &[], "2026-02-25");
    // agent07 already holds one habilitation on it: a cap of one leaves no room.
    body["plafond_habilitations"] = json!(1);
    let res = app.post_json(&versions_path(), Some(&hab), &body).await;
    assert_eq!(res.status(), StatusCode::OK);
    let (status, p) = problem(
        app.accorder_acces(&hab, &crate::habilitations::formulaire())
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(p["code"], "plafond_atteint", "{p}");

    // Version 3 no longer opens QF: the agent's QF habilitation reaches nothing from that moment.
    let mut body = avenant(&["PSU"], &[], "2026-03-01");
    body["plafond_habilitations"] = json!(1);
    body["reference"] = json!("Avenant n° 2");
    let res = app.post_json(&versions_path(), Some(&hab), &body).await;
    assert_eq!(res.status(), StatusCode::OK);
    let (status, p) = problem(app.consult(&agent, json!({"nir": nir_martin()})).await).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{p}");

    // Ended (a mise en demeure, 30 days later): no avenant any more, nothing written.
    let res = app
        .post_json(
            &format!("{CONVENTION}/actes"),
            Some(&hab),
            &json!({"acte": "mettre_en_demeure", "date": "2026-03-02",
                "document_reference": "LRAR 1A 234", "document_recu_le": "2026-03-02"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    app.clock.set("2026-04-02T08:00:00Z".parse().unwrap());
    let hab = app.staff_ready("hab2", "conventions").await;
    let mut body = avenant(&["PSU", "QF"], &[], "2026-04-01");
    body["reference"] = json!("Avenant n° 3");
    let (status, p) = problem(app.post_json(&versions_path(), Some(&hab), &body).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(p["code"], "avenant_refuse");
    assert!(
        p["detail"].as_str().unwrap().contains("a pris fin le 2026-04-01"),
        "{p}"
    );
    assert_eq!(versions(&app, &hab).await.as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn cv_12_an_avenant_changing_the_gestion_mode_needs_a_fresh_password_like_the_direct_change() {
    let app = spawn_app().await;
    let staff = app.staff_ready("cgestion", "conventions").await;
    // Logged in eleven minutes ago: no longer fresh for a sensitive act.
    app.clock.advance(chrono::Duration::minutes(11));
    let mut body = avenant(&["QF"], &["Annexe 3 – gestion déléguée"], "2026-02-25");
    body["gestion"] = json!("deleguee");
    let (status, p) = problem(app.post_json(&versions_path(), Some(&staff), &body).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{p}");
    assert_eq!(p["code"], "reauthentification_requise");
    assert_eq!(
        versions(&app, &staff).await.as_array().unwrap().len(),
        1,
        "nothing written"
    );
    // Another change of the same age needs none.
    let autre = avenant(&["QF"], &["Annexe 3 – sécurité"], "2026-02-25");
    let res = app.post_json(&versions_path(), Some(&staff), &autre).await;
    assert_eq!(res.status(), StatusCode::OK);
    // A cap beyond the maximum is refused whatever the freshness.
    let mut trop = avenant(&["QF"], &[], "2026-02-25");
    trop["plafond_habilitations"] = json!(100_001);
    let (status, p) = problem(app.post_json(&versions_path(), Some(&staff), &trop).await).await;
    assert_eq!(
        (status, p["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("avenant_refuse"))
    );
    // Once the password is typed again, the change goes through and reaches the live convention.
    let res = app
        .post_json(
            "/api/v1/caisse/session/reauthentification",
            Some(&staff),
            &json!({ "mot_de_passe": NOUVEAU_MDP }),
        )
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    body["annexes"] = json!(["Annexe 3 – sécurité", "Annexe 4 – gestion déléguée"]);
    let res = app.post_json(&versions_path(), Some(&staff), &body).await;
    assert_eq!(res.status(), StatusCode::OK);
    let v = versions(&app, &staff).await;
    assert_eq!(v.as_array().unwrap().len(), 3);
    assert_eq!(v[2]["gestion"], "deleguee");
    let codes = app.trace_codes().await;
    assert!(
        codes.contains(&("gestion".into(), "reauthentification_requise".into())),
        "{codes:?}"
    );
}

#[tokio::test]
async fn cv_12_the_import_sets_the_gestion_mode_and_a_line_without_it_keeps_it() {
    let ligne = |gestion: &str| {
        format!(
            r#"{{"type":"convention","caisse":"{CAISSE}","numero":"QF-07-2025","partenaire":"T07","bouquets":["QF"],"signee_le":"2025-01-10","formalite_cnil_le":"2025-01-15"{gestion}}}"#
        ) + "\n"
    };
    let app = spawn_app_importing(ligne(r#","gestion":"deleguee""#)).await;
    let staff = app.staff_ready("cgestion", "conventions").await;
    assert_eq!(versions(&app, &staff).await[0]["gestion"], "deleguee");
    app.import(ligne("")).await.unwrap();
    assert_eq!(versions(&app, &staff).await[0]["gestion"], "deleguee", "kept");
    let refus = app.import(ligne(r#","gestion":"mixte""#)).await.unwrap_err();
    let partage_app::AppError::ImportRefuse(lignes) = refus else {
        panic!("{refus:?}")
    };
    assert_eq!((lignes[0].ligne, lignes[0].champ.as_str()), (1, "gestion"));
    assert!(lignes[0].raison.contains("centralisee ou deleguee"), "{lignes:?}");
    assert_eq!(
        versions(&app, &staff).await[0]["gestion"],
        "deleguee",
        "nothing changed"
    );
}

/// A dossier of the caisse in 26, within the partner's competence (07, 26).
fn nir_drome() -> String {
    nir("1800526218007")
}

fn fixture_drome() -> String {
    let dossier = json!({"type":"dossier","caisse":CAISSE,"matricule":"2600777","departement":"26",
        "allocataires":[{"nir":nir_drome(),"nom_naissance":"DROME","prenoms":"Inès"}],
        "quotients_familiaux":[{"debut":"2026-01-01","fin":"2026-12-31","valeur":640}]});
    format!("{dossier}\n")
}

fn avenant_departements(departements: &[&str], reference: &str) -> Value {
    let mut body = avenant(&["QF"], &[], "2026-02-25");
    body["departements"] = json!(departements);
    body["reference"] = json!(reference);
    body
}

/// What the agent's consultation of the dossier in 26 answers.
async fn statut_drome(app: &TestApp, agent: &str) -> StatusCode {
    app.consult(agent, json!({"nir": nir_drome()})).await.status()
}

/// Records an avenant listing these départements, which must be accepted.
async fn narrow(app: &TestApp, staff: &str, departements: &[&str], reference: &str) {
    let body = avenant_departements(departements, reference);
    let res = app.post_json(&versions_path(), Some(staff), &body).await;
    assert_eq!(res.status(), StatusCode::OK, "{reference}");
}

/// The result code of the last consultation trace.
async fn derniere_consultation(app: &TestApp) -> String {
    app.trace_codes()
        .await
        .into_iter()
        .rev()
        .find(|(action, _)| action == "consultation")
        .map(|(_, resultat)| resultat)
        .unwrap()
}

#[tokio::test]
async fn ten_3_a_convention_listing_departements_narrows_the_partners_competence_to_them() {
    let app = spawn_app_importing(fixture_drome()).await;
    let agent = app.agent_ready().await;
    let staff = app.staff_ready("cgestion", "conventions").await;
    let inconnu = answer(app.consult(&agent, json!({"nir": nir_inconnu()})).await).await;
    assert_eq!(
        statut_drome(&app, &agent).await,
        StatusCode::OK,
        "no département listed: the partner's competence"
    );

    narrow(&app, &staff, &["07"], "Avenant n° 1").await;
    let v = versions(&app, &staff).await;
    assert_eq!(v[1]["departements"], json!(["07"]));

    // In the partner's départements but not the convention's: exactly like an unknown dossier, traced
    // with the true reason.
    let drome = answer(app.consult(&agent, json!({"nir": nir_drome()})).await).await;
    assert_eq!(drome, inconnu);
    assert_eq!(derniere_consultation(&app).await, "hors_perimetre");
    let res = app.consult(&agent, json!({"nir": nir_martin()})).await;
    assert_eq!(res.status(), StatusCode::OK, "07 stays within the convention");
    // Outside the partner's competence, as before.
    let loire = answer(app.consult(&agent, json!({"nir": nir_hors_competence()})).await).await;
    assert_eq!(loire, inconnu);

    // The staff read the départements the convention covers on its page.
    let browser = crate::pages_caisse::staff_browser(&app, "cmartin", "conventions").await;
    let (status, html) = crate::pages_caisse::page(&app, &browser, "/caisse/conventions/QF-07-2025").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("<dt>Départements couverts</dt><dd>07</dd>"),
        "{html}"
    );
}

#[tokio::test]
async fn ten_3_an_avenant_listing_a_departement_outside_the_caisse_is_refused_and_writes_nothing() {
    let app = spawn_app_importing(fixture_drome()).await;
    let agent = app.agent_ready().await;
    let staff = app.staff_ready("cgestion", "conventions").await;
    for departements in [&["07", "59"][..], &["Ardèche"][..]] {
        let body = avenant_departements(departements, "Avenant n° 1");
        let (status, p) = problem(app.post_json(&versions_path(), Some(&staff), &body).await).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(p["code"], "avenant_refuse");
        let detail = p["detail"].as_str().unwrap();
        assert!(
            detail.contains("n'est pas un département de la caisse (07, 26, 42)"),
            "{detail}"
        );
    }
    assert_eq!(
        versions(&app, &staff).await.as_array().unwrap().len(),
        1,
        "nothing written"
    );
    assert_eq!(
        statut_drome(&app, &agent).await,
        StatusCode::OK,
        "the perimeter is unchanged"
    );
}

#[tokio::test]
async fn cv_7_an_avenant_that_widens_the_departements_again_takes_effect_at_once() {
    let app = spawn_app_importing(fixture_drome()).await;
    let agent = app.agent_ready().await;
    let staff = app.staff_ready("cgestion", "conventions").await;
    narrow(&app, &staff, &["07"], "Avenant n° 1").await;
    let (status, p) = problem(app.consult(&agent, json!({"nir": nir_drome()})).await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(p["code"], "dossier_introuvable");

    // Widened to both départements, then to none listed (the partner's competence): 26 answers again.
    for (departements, reference) in [(&["07", "26"][..], "Avenant n° 2"), (&[][..], "Avenant n° 3")] {
        app.clock.advance(chrono::Duration::minutes(1));
        narrow(&app, &staff, departements, reference).await;
        assert_eq!(statut_drome(&app, &agent).await, StatusCode::OK, "{reference}");
    }
    // Narrowed again: the version in force is the one that counts.
    narrow(&app, &staff, &["07"], "Avenant n° 4").await;
    let (status, _) = problem(app.consult(&agent, json!({"nir": nir_drome()})).await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(versions(&app, &staff).await.as_array().unwrap().len(), 5);
}

#[tokio::test]
async fn ten_3_the_import_sets_the_conventions_departements_and_a_line_without_them_keeps_them() {
    let ligne = |departements: &str| {
        format!(
            r#"{{"type":"convention","caisse":"{CAISSE}","numero":"QF-07-2025","partenaire":"T07","bouquets":["QF"],"signee_le":"2025-01-10","formalite_cnil_le":"2025-01-20"{departements}}}"#
        ) + "\n"
    };
    let app = spawn_app_importing(fixture_drome() + &ligne(r#","departements":["07"]"#)).await;
    let agent = app.agent_ready().await;
    let staff = app.staff_ready("cgestion", "conventions").await;
    assert_eq!(statut_drome(&app, &agent).await, StatusCode::NOT_FOUND);
    assert_eq!(versions(&app, &staff).await[0]["departements"], json!(["07"]));

    app.import(ligne("")).await.unwrap();
    assert_eq!(statut_drome(&app, &agent).await, StatusCode::NOT_FOUND, "kept");
    let refus = app
        .import(ligne(r#","departements":["07","59"]"#))
        .await
        .unwrap_err();
    let partage_app::AppError::ImportRefuse(lignes) = refus else {
        panic!("{refus:?}")
    };
    assert_eq!((lignes[0].ligne, lignes[0].champ.as_str()), (1, "departements"));
    assert!(lignes[0].raison.contains("59 hors de la caisse"), "{lignes:?}");
    assert_eq!(
        statut_drome(&app, &agent).await,
        StatusCode::NOT_FOUND,
        "nothing changed"
    );

    app.import(ligne(r#","departements":[]"#)).await.unwrap();
    assert_eq!(
        statut_drome(&app, &agent).await,
        StatusCode::OK,
        "an empty list narrows nothing"
    );
}
