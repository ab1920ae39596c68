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
