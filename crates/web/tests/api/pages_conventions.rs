//! The conventions' register as pages (SPEC CV, issue 3): list and filter, a convention's file with only
//! the acts its state allows, an act recorded with its document, a refused act with its reason, and the
//! échéances coming up in the work list, time moved through the clock.

use crate::helpers::*;
use crate::pages::csrf_from;
use crate::pages_caisse::{page, staff_browser, staff_login_page};
use reqwest::StatusCode;

const QF07B: &str = "/caisse/conventions/QF-07B-2026";

#[tokio::test]
async fn cv_2_the_register_lists_filters_and_offers_only_the_acts_the_state_allows() {
    let app = spawn_app().await;
    let browser = staff_browser(&app, "cmartin", "conventions").await;

    let (status, html) = page(&app, &browser, "/caisse/conventions").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("QF-07-2025") && html.contains("QF-07B-2026"),
        "{html}"
    );
    assert!(html.contains("10/01/2027"), "next échéance of QF-07-2025: {html}");
    assert!(!html.contains("QF-59-2025"), "TEN-1");
    let (_, html) = page(&app, &browser, "/caisse/conventions?etat=attente_cnil").await;
    assert!(
        html.contains("QF-07B-2026") && !html.contains("QF-07-2025"),
        "{html}"
    );

    // Signed by both, waiting for the CNIL formality: that is the only act offered.
    let (status, html) = page(&app, &browser, QF07B).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("en attente de la formalité CNIL"), "{html}");
    assert!(html.contains(r#"name="acte" value="formalite_cnil""#), "{html}");
    for absent in ["denoncer", "mettre_en_demeure", "signer"] {
        assert!(
            !html.contains(&format!(r#"value="{absent}""#)),
            "{absent} offered: {html}"
        );
    }

    let csrf = csrf_from(&app, &browser, QF07B).await;
    let acte = |champs: &[(&'static str, &'static str)]| {
        let mut form = vec![("csrf", csrf.as_str())];
        form.extend_from_slice(champs);
        browser
            .post(app.url(&format!("{QF07B}/actes")))
            .form(&form)
            .send()
    };
    let res = acte(&[
        ("acte", "formalite_cnil"),
        ("date", "2026-02-20"),
        ("document_reference", "Récépissé CNIL n° 2026-118"),
        ("document_recu_le", "2026-02-21"),
    ])
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = page(&app, &browser, QF07B).await;
    assert!(html.contains("<dd>en vigueur</dd>"), "{html}");
    assert!(
        html.contains("Récépissé CNIL n° 2026-118 (reçu le 21/02/2026)") && html.contains("cmartin"),
        "{html}"
    );
    assert!(
        html.contains(r#"value="denoncer""#) && html.contains(r#"value="force_majeure""#),
        "{html}"
    );
    assert!(
        !html.contains(r#"value="resilier""#),
        "MSA model: no unilateral resiliation: {html}"
    );

    // An act the state no longer allows, sent by hand: refused with its reason, nothing written.
    let res = acte(&[
        ("acte", "signer"),
        ("partie", "caisse"),
        ("date", "2026-02-22"),
        ("document_reference", "Exemplaire signé"),
        ("document_recu_le", "2026-02-22"),
    ])
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("n&#39;est pas possible quand la convention est en vigueur"),
        "{html}"
    );
    let (_, html) = page(&app, &browser, QF07B).await;
    assert!(!html.contains("Exemplaire signé"), "{html}");

    let habilitation = staff_browser(&app, "hlefort", "habilitation").await;
    let (status, _) = page(&app, &habilitation, "/caisse/conventions").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn cv_3_the_work_list_shows_the_echeances_of_the_next_four_months_with_what_happens() {
    let app = spawn_app().await;
    let browser = staff_browser(&app, "cmartin", "conventions").await;
    let (_, html) = page(&app, &browser, "/caisse/tableau").await;
    assert!(html.contains("Aucune convention n'arrive à échéance"), "{html}");
    assert!(
        !html.contains("Demandes d"),
        "the habilitation section is not for this role"
    );

    // QF-07-2025 falls due on 10 January 2027: not yet on 1 September, shown from mid-September.
    // (Months later, the session has long timed out: the staff member signs in again.)
    app.clock.set("2026-09-01T09:00:00Z".parse().unwrap());
    let browser = app.browser();
    let res = staff_login_page(&app, &browser, "cmartin", NOUVEAU_MDP).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = page(&app, &browser, "/caisse/tableau").await;
    assert!(
        html.contains("Échéances des conventions") && !html.contains("QF-07-2025"),
        "{html}"
    );
    app.clock.set("2026-09-15T09:00:00Z".parse().unwrap());
    let browser = app.browser();
    staff_login_page(&app, &browser, "cmartin", NOUVEAU_MDP).await;
    let (_, html) = page(&app, &browser, "/caisse/tableau").await;
    assert!(
        html.contains("QF-07-2025") && html.contains("10/01/2027"),
        "{html}"
    );
    assert!(
        html.contains("reconduction tacite pour un an, sauf dénonciation"),
        "{html}"
    );
}

#[tokio::test]
async fn cv_8_an_ended_conventions_page_records_the_attestation_and_shows_the_confidentiality_date() {
    let app = spawn_app().await;
    let staff = app.staff_ready("cgestion", "conventions").await;
    let res = app
        .post_json(
            "/api/v1/caisse/conventions/QF-07-2025/actes",
            Some(&staff),
            &serde_json::json!({"acte": "mettre_en_demeure", "date": "2026-03-02",
                "document_reference": "LRAR 1A 234", "document_recu_le": "2026-03-02"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let path = "/caisse/conventions/QF-07-2025";
    let browser = staff_browser(&app, "cmartin", "conventions").await;
    let (_, html) = page(&app, &browser, path).await;
    assert!(!html.contains("attestee_le"), "not ended, no form: {html}");

    app.clock.set("2026-04-10T08:00:00Z".parse().unwrap());
    let browser = staff_browser(&app, "cmartin2", "conventions").await;
    let (_, html) = page(&app, &browser, path).await;
    assert!(html.contains("<dd>terminée</dd>"), "{html}");
    assert!(html.contains("01/04/2031"), "confidentiality until: {html}");
    assert!(html.contains(r#"name="attestee_le""#), "{html}");

    let csrf = csrf_from(&app, &browser, path).await;
    let attester = |le: &'static str| {
        browser
            .post(app.url(&format!("{path}/attestation")))
            .form(&[
                ("csrf", csrf.as_str()),
                ("nature", "restitution"),
                ("attestee_le", le),
                ("reference", "Courrier du 2 avril 2026"),
            ])
            .send()
    };
    let res = attester("2026-03-30").await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.text().await.unwrap().contains("précède la fin"));
    let res = attester("2026-04-02").await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = page(&app, &browser, path).await;
    assert!(
        html.contains("Attestation de restitution des données datée du 02/04/2026, document Courrier du 2 avril 2026, enregistrée par cmartin2"),
        "{html}"
    );
    assert!(!html.contains(r#"name="attestee_le""#), "{html}");
}

#[tokio::test]
async fn cv_2_a_draft_is_created_from_the_register_page_and_bad_input_is_refused_with_its_reason() {
    let app = spawn_app().await;
    let browser = staff_browser(&app, "cmartin", "conventions").await;
    let (_, html) = page(&app, &browser, "/caisse/conventions").await;
    assert!(html.contains(r#"name="bouquet_PSU""#), "{html}");
    let csrf = csrf_from(&app, &browser, "/caisse/conventions").await;
    let creer = |champs: Vec<(&'static str, &'static str)>| {
        let mut form = vec![("csrf", csrf.clone())];
        form.extend(champs.into_iter().map(|(k, v)| (k, v.to_owned())));
        browser.post(app.url("/caisse/conventions")).form(&form).send()
    };
    let res = creer(vec![
        ("numero", "QF-07-2026"),
        ("partenaire", "T404"),
        ("bouquet_QF", "1"),
    ])
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("partenaire n° tiers T404 dans le référentiel"),
        "{html}"
    );
    let res = creer(vec![("numero", "QF-07-2026"), ("partenaire", "T07")])
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.text().await.unwrap().contains("au moins un bouquet"));
    let res = creer(vec![
        ("numero", "QF-07-2025"),
        ("partenaire", "T07"),
        ("bouquet_QF", "1"),
    ])
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::CONFLICT);

    let res = creer(vec![
        ("numero", "QF-07-2026"),
        ("partenaire", "T07"),
        ("bouquet_QF", "1"),
        ("bouquet_PSU", "1"),
        ("plafond_habilitations", "4"),
        ("gestion", "deleguee"),
    ])
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (status, html) = page(&app, &browser, "/caisse/conventions/QF-07-2026").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<dd>en brouillon</dd>"), "{html}");
    assert!(html.contains("<dd>QF, PSU</dd>"), "{html}");
    assert!(html.contains(r#"name="acte" value="signer""#), "{html}");
    assert!(html.contains("cmartin"), "who created it: {html}");
}
