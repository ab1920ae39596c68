//! The PSU barème in the back office (issue #5): staff with role `conventions` read the caisse's periods and
//! add one, checked as the import checks a line; the PSU fee uses it at once.

use crate::helpers::*;
use crate::openapi::{check, schema};
use crate::pages::csrf_from;
use crate::pages_caisse::{page, staff_browser};
use crate::psu::{creche_ready, nir_legall, spawn_psu_app};
use reqwest::StatusCode;
use serde_json::{json, Value};

fn periode(debut: &str, fin: Option<&str>, plancher: &str, plafond: &str) -> Value {
    json!({
        "debut": debut, "fin": fin, "plancher_mensuel": plancher, "plafond_mensuel": plafond,
        "collectif": ["0.0605", "0.0504", "0.0403"], "familial": ["0.0504", "0.0403", "0.0302"]
    })
}

/// `(debut, fin)` of each period.
fn periodes(body: &Value) -> Vec<(String, Option<String>)> {
    body["baremes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["debut"].as_str().unwrap().to_owned(),
                b["fin"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

#[tokio::test]
async fn bq_psu_fee_staff_add_a_bareme_period_and_the_fee_uses_it() {
    let app = spawn_psu_app().await;
    let conv = app.staff_ready("conv1", "conventions").await;
    let doc = partage_web::api::openapi::document();

    let res = app.get_with("/api/v1/caisse/baremes-psu", &conv).await;
    assert_eq!(res.status(), StatusCode::OK);
    let avant: Value = res.json().await.unwrap();
    check(&doc, &schema("BaremesPsu"), &avant, "baremes").unwrap();
    assert_eq!(
        periodes(&avant),
        [
            ("2025-07-01".into(), Some("2025-12-31".into())),
            ("2026-01-01".into(), None)
        ]
    );
    assert_eq!(
        avant["baremes"][1]["collectif"],
        json!(["0.0619", "0.0516", "0.0413"])
    );
    assert_eq!(avant["baremes"][1]["plancher_mensuel"], "801.00");

    // Before: no barème in March 2025.
    let creche = creche_ready(&app).await;
    let mars_2025 = json!({"nir": nir_legall(), "nom": "LE GALL-HERVÉ", "annee": 2025, "mois": 3});
    let body: Value = app
        .post_json("/api/v1/consultations/psu", Some(&creche), &mars_2025)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["tarif_horaire"]["statut"], "sans_bareme");

    let res = app
        .post_json(
            "/api/v1/caisse/baremes-psu",
            Some(&conv),
            &periode("2025-01-01", Some("2025-06-30"), "801.00", "7000.00"),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let apres: Value = res.json().await.unwrap();
    check(&doc, &schema("BaremesPsu"), &apres, "baremes").unwrap();
    assert_eq!(
        periodes(&apres)[0],
        ("2025-01-01".into(), Some("2025-06-30".into()))
    );
    assert_eq!(periodes(&apres).len(), 3);
    let last = app.traces().await.pop().unwrap().trace;
    assert_eq!(
        (last.resultat.code(), last.rubriques.as_deref()),
        ("succes", Some("bareme_psu=ajout;debut=2025-01-01;fin=2025-06-30"))
    );

    // March 2025 now has its fee. Worked by hand: 30 120 € / 12 = 2 510 € a month, between floor and
    // ceiling; 2 dependent children + 1 for the AEEH child = 3: collectif 2 510 × 0,0403 % = 1,01153 → 1,01 €;
    // familial 2 510 × 0,0302 % = 0,75802 → 0,76 €.
    let body: Value = app
        .post_json("/api/v1/consultations/psu", Some(&creche), &mars_2025)
        .await
        .json()
        .await
        .unwrap();
    let calcul = &body["tarif_horaire"]["calcul"];
    assert_eq!(body["tarif_horaire"]["statut"], "calcule", "{body}");
    assert_eq!(calcul["bareme_debut"], "2025-01-01");
    assert_eq!(calcul["ressources_mensuelles_retenues"], "2510.00");
    assert_eq!(calcul["collectif"]["tarif"], "1.01");
    assert_eq!(calcul["familial"]["tarif"], "0.76");
}

#[tokio::test]
async fn bq_psu_fee_an_overlapping_or_inverted_period_is_refused_and_changes_nothing() {
    let app = spawn_psu_app().await;
    let conv = app.staff_ready("conv1", "conventions").await;
    let avant: Value = app
        .get_with("/api/v1/caisse/baremes-psu", &conv)
        .await
        .json()
        .await
        .unwrap();

    for (corps, attendu) in [
        (
            periode("2025-06-01", Some("2025-08-31"), "801.00", "7000.00"),
            "debut : les barèmes commençant le 2025-06-01 et le 2025-07-01 se chevauchent",
        ),
        (
            periode("2024-01-01", Some("2024-12-31"), "8000.00", "7000.00"),
            "plancher_mensuel : le plancher mensuel",
        ),
        (
            periode("2024-01-01", Some("2023-12-31"), "801.00", "7000.00"),
            "fin : ",
        ),
        (
            json!({"debut": "2024-01-01", "plancher_mensuel": "801.00", "plafond_mensuel": "7000.00",
                "collectif": ["6 %"], "familial": []}),
            "collectif : « 6 % » n'est pas un taux d'effort",
        ),
    ] {
        let (status, body) = problem(
            app.post_json("/api/v1/caisse/baremes-psu", Some(&conv), &corps)
                .await,
        )
        .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("bareme_refuse")),
            "{corps}"
        );
        let detail = body["detail"].as_str().unwrap();
        assert!(detail.contains(attendu), "{detail}");
        assert_eq!(app.traces().await.pop().unwrap().trace.resultat.code(), "refuse");
    }
    let apres: Value = app
        .get_with("/api/v1/caisse/baremes-psu", &conv)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(apres, avant, "nothing changed");

    // Only role conventions keeps the barème.
    let admin = app.staff_ready("admin1", "admin").await;
    let (status, body) = problem(
        app.post_json(
            "/api/v1/caisse/baremes-psu",
            Some(&admin),
            &periode("2024-01-01", Some("2024-12-31"), "801.00", "7000.00"),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("role_requis"))
    );
}

#[tokio::test]
async fn bq_psu_fee_the_bareme_page_lists_and_adds_periods_in_french() {
    let app = spawn_psu_app().await;
    let browser = staff_browser(&app, "conv1", "conventions").await;
    let (status, html) = page(&app, &browser, "/caisse/baremes-psu").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("2 période(s)"), "{html}");
    assert!(html.contains("01/07/2025"), "{html}");
    assert!(html.contains("0.0619 0.0516 0.0413"), "{html}");
    assert!(html.contains(r#"href="/caisse/baremes-psu""#), "in the menu");

    let envoyer = |debut: &'static str, fin: &'static str| {
        let (app, browser) = (&app, &browser);
        async move {
            let csrf = csrf_from(app, browser, "/caisse/baremes-psu").await;
            browser
                .post(app.url("/caisse/baremes-psu"))
                .form(&[
                    ("csrf", csrf.as_str()),
                    ("debut", debut),
                    ("fin", fin),
                    ("plancher_mensuel", "801.00"),
                    ("plafond_mensuel", "7000.00"),
                    ("collectif", "0.0605 0.0504 0.0403"),
                    ("familial", "0.0504 0.0403 0.0302"),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    // Overlapping: the reason beside the start date, the typed values kept.
    let res = envoyer("2025-12-01", "").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains(r#"id="debut-erreur""#), "{html}");
    assert!(html.contains("se chevauchent"), "{html}");
    assert!(html.contains(r#"value="2025-12-01""#), "{html}");
    assert!(html.contains("2 période(s)"), "nothing added");

    let res = envoyer("2025-01-01", "2025-06-30").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/caisse/baremes-psu?fait=ajout");
    let (_, html) = page(&app, &browser, "/caisse/baremes-psu?fait=ajout").await;
    assert!(html.contains("Période ajoutée"), "{html}");
    assert!(html.contains("3 période(s)"), "{html}");
    assert!(html.contains("30/06/2025"), "{html}");
}

#[tokio::test]
async fn bq_psu_fee_the_period_in_force_is_closed_and_the_next_year_added_refusals_change_nothing() {
    let app = spawn_psu_app().await;
    let conv = app.staff_ready("conv1", "conventions").await;
    let cloture = |debut: &str| format!("/api/v1/caisse/baremes-psu/{debut}/cloture");
    let lire = || async {
        app.get_with("/api/v1/caisse/baremes-psu", &conv)
            .await
            .json::<Value>()
            .await
            .unwrap()
    };
    let avant = lire().await;
    // The open period cannot take the next year's while it has no end.
    let suivante = periode("2027-01-01", None, "812.00", "7100.00");
    let (status, _) = problem(
        app.post_json("/api/v1/caisse/baremes-psu", Some(&conv), &suivante)
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for (debut, corps, attendu, code) in [
        (
            "2026-01-01",
            json!({"fin": "2025-12-31"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "bareme_refuse",
        ),
        (
            "2026-01-01",
            json!({"fin": "31/12/2026"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "bareme_refuse",
        ),
        (
            "2024-01-01",
            json!({"fin": "2024-12-31"}),
            StatusCode::NOT_FOUND,
            "introuvable",
        ),
        (
            "2026-01-01",
            json!({}),
            StatusCode::BAD_REQUEST,
            "requete_invalide",
        ),
        // Lengthening the closed 2025 period over the open one.
        (
            "2025-07-01",
            json!({"fin": "2026-01-15"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "bareme_refuse",
        ),
    ] {
        let (status, body) = problem(app.post_json(&cloture(debut), Some(&conv), &corps).await).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (attendu, Some(code)),
            "{debut} {corps}: {body}"
        );
    }
    assert_eq!(lire().await, avant, "nothing changed");

    let res = app
        .post_json(&cloture("2026-01-01"), Some(&conv), &json!({"fin": "2026-12-31"}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    check(
        &partage_web::api::openapi::document(),
        &schema("BaremesPsu"),
        &body,
        "baremes",
    )
    .unwrap();
    let res = app
        .post_json("/api/v1/caisse/baremes-psu", Some(&conv), &suivante)
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(
        periodes(&res.json().await.unwrap()),
        [
            ("2025-07-01".into(), Some("2025-12-31".into())),
            ("2026-01-01".into(), Some("2026-12-31".into())),
            ("2027-01-01".into(), None)
        ]
    );
    let actes: Vec<String> = app
        .traces()
        .await
        .into_iter()
        .filter_map(|t| t.trace.rubriques)
        .filter(|r| r.starts_with("bareme_psu=cloture"))
        .collect();
    // Each closing that reached the use case, refusals included (a body without `fin` is refused before).
    assert_eq!(actes.len(), 5, "{actes:?}");
}

#[tokio::test]
async fn bq_psu_fee_the_bareme_page_closes_the_open_period() {
    let app = spawn_psu_app().await;
    let browser = staff_browser(&app, "conv1", "conventions").await;
    let (_, html) = page(&app, &browser, "/caisse/baremes-psu").await;
    assert_eq!(
        html.matches("Clore la période").count(),
        1,
        "only the open period: {html}"
    );
    let clore = |fin: &'static str| {
        let (app, browser) = (&app, &browser);
        async move {
            let csrf = csrf_from(app, browser, "/caisse/baremes-psu").await;
            browser
                .post(app.url("/caisse/baremes-psu/cloture"))
                .form(&[("csrf", csrf.as_str()), ("debut", "2026-01-01"), ("fin", fin)])
                .send()
                .await
                .unwrap()
        }
    };
    let res = clore("2025-06-30").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("La période n'est pas close"), "{html}");
    assert!(html.contains("finit avant de commencer"), "{html}");
    let res = clore("2026-12-31").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/caisse/baremes-psu?fait=cloture");
    let (_, html) = page(&app, &browser, "/caisse/baremes-psu?fait=cloture").await;
    assert!(html.contains("Période close"), "{html}");
    assert!(html.contains("31/12/2026"), "{html}");
    assert!(!html.contains("Clore la période"), "no open period left");
}
