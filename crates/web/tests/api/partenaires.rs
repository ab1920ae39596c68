//! The référentiel des tiers in the back office (SPEC TEN, issue 3): pages and API on the same use cases,
//! roles checked, bad input refused field by field with nothing written.

use crate::helpers::*;
use crate::pages::csrf_from;
use crate::pages_caisse::{page, staff_browser};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

fn formulaire<'a>(csrf: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut champs = vec![
        ("csrf", csrf),
        ("numero_tiers", "G26"),
        ("nom", "Crèches de la Drôme"),
        ("categorie", "gestionnaire"),
        ("siret", "73282932000074"),
        ("adresse", "2 rue des Écoles\n26000 Valence"),
        ("representant", "M. Roux"),
        ("fonction_representant", "Président"),
        (
            "contacts",
            "Mme Blanc ; blanc@creches.example.fr ; 04 75 00 00 00",
        ),
        ("departements", "26"),
        ("circonscriptions", ""),
        ("structures", "Crèche Les Lutins\nHalte-garderie Pom"),
        ("document_delegation", ""),
    ];
    for (cle, valeur) in extra {
        if let Some(c) = champs.iter_mut().find(|(k, _)| k == cle) {
            c.1 = valeur;
        }
    }
    champs
}

async fn poster(app: &TestApp, browser: &Client, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
    browser.post(app.url(path)).form(form).send().await.unwrap()
}

#[tokio::test]
async fn ten_staff_create_search_show_and_edit_a_partner_through_the_pages() {
    let app = spawn_app().await;
    let browser = staff_browser(&app, "cmartin", "conventions").await;

    let (status, html) = page(&app, &browser, "/caisse/partenaires").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Commune de Privas") && html.contains("CCAS d&#39;Annonay"),
        "{html}"
    );
    assert!(
        !html.contains("Commune de Lille"),
        "TEN-1: another caisse's partner"
    );

    let csrf = csrf_from(&app, &browser, "/caisse/partenaires/nouveau").await;
    let res = poster(&app, &browser, "/caisse/partenaires", &formulaire(&csrf, &[])).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/caisse/partenaires/G26?enregistre=1");

    let (status, html) = page(&app, &browser, "/caisse/partenaires/G26").await;
    assert_eq!(status, StatusCode::OK);
    for attendu in [
        "Crèches de la Drôme",
        "73282932000074",
        "Gestionnaire de plusieurs structures",
        "M. Roux, Président",
        "blanc@creches.example.fr",
        "Crèche Les Lutins",
        "Aucune convention",
    ] {
        assert!(html.contains(attendu), "{attendu} absent : {html}");
    }

    let (_, html) = page(&app, &browser, "/caisse/partenaires?recherche=cr%C3%A8ches").await;
    assert!(
        html.contains("G26") && !html.contains("Commune de Privas"),
        "{html}"
    );

    // The imported partner's fiche lists its convention and can be completed.
    let (_, html) = page(&app, &browser, "/caisse/partenaires/T07").await;
    assert!(
        html.contains("QF-07-2025") && html.contains("en vigueur"),
        "{html}"
    );
    let (status, html) = page(&app, &browser, "/caisse/partenaires/T07/modifier").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Commune de Privas") && html.contains("21070007100017"),
        "{html}"
    );
    let csrf = csrf_from(&app, &browser, "/caisse/partenaires/T07/modifier").await;
    let form = formulaire(
        &csrf,
        &[
            ("numero_tiers", "AUTRE"),
            ("nom", "Commune de Privas"),
            ("categorie", "collectivite_territoriale"),
            ("siret", "21070007100017"),
            ("departements", "07, 26"),
            ("structures", ""),
        ],
    );
    let res = poster(&app, &browser, "/caisse/partenaires/T07/modifier", &form).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = page(&app, &browser, "/caisse/partenaires/T07").await;
    assert!(
        html.contains("M. Roux, Président") && html.contains("07, 26"),
        "{html}"
    );
    let (status, _) = page(&app, &browser, "/caisse/partenaires/AUTRE").await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "the number in the form does not rename the partner"
    );
}

#[tokio::test]
async fn ten_a_partner_without_siret_outside_the_caisse_or_a_delegation_without_its_document_is_refused() {
    let app = spawn_app().await;
    let browser = staff_browser(&app, "cmartin", "conventions").await;
    let csrf = csrf_from(&app, &browser, "/caisse/partenaires/nouveau").await;
    let form = formulaire(
        &csrf,
        &[
            ("siret", ""),
            ("departements", "59"),
            ("categorie", "association_delegation"),
            ("structures", ""),
        ],
    );
    let res = poster(&app, &browser, "/caisse/partenaires", &form).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    for attendu in [
        "La fiche n'a pas été enregistrée",
        r#"id="siret-erreur">le SIRET est obligatoire"#,
        r#"id="departements-erreur">le département 59 n&#39;est pas un département de votre caisse"#,
        r#"id="document_delegation-erreur">une association ayant reçu délégation fournit le document"#,
        "Crèches de la Drôme",
    ] {
        assert!(html.contains(attendu), "{attendu} absent : {html}");
    }
    let (status, _) = page(&app, &browser, "/caisse/partenaires/G26").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "nothing written");

    // 002 art. 1: with its document, the association is accepted.
    let form = formulaire(
        &csrf,
        &[
            ("categorie", "association_delegation"),
            ("structures", ""),
            ("document_delegation", "Convention de délégation CD26 n° 2025-4"),
        ],
    );
    let res = poster(&app, &browser, "/caisse/partenaires", &form).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // The same number twice: the form again, nothing replaced.
    let res = poster(
        &app,
        &browser,
        "/caisse/partenaires",
        &formulaire(&csrf, &[("nom", "Doublon")]),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let (_, html) = page(&app, &browser, "/caisse/partenaires/G26").await;
    assert!(
        html.contains("CD26 n° 2025-4") && !html.contains("Doublon"),
        "{html}"
    );
}

#[tokio::test]
async fn actors_habilitation_reads_the_referentiel_but_only_conventions_writes_it() {
    let app = spawn_app().await;
    let browser = staff_browser(&app, "hlefort", "habilitation").await;
    let (status, html) = page(&app, &browser, "/caisse/partenaires/T07").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains("Modifier la fiche"), "{html}");
    let (status, _) = page(&app, &browser, "/caisse/partenaires/nouveau").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let csrf = csrf_from(&app, &browser, "/caisse/partenaires").await;
    let res = poster(&app, &browser, "/caisse/partenaires", &formulaire(&csrf, &[])).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    let admin = staff_browser(&app, "aadmin", "admin").await;
    let (status, _) = page(&app, &admin, "/caisse/partenaires").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn ten_the_api_lists_creates_and_edits_partners_with_field_reasons() {
    let app = spawn_app().await;
    let token = app.staff_ready("cmartin", "conventions").await;
    let corps = json!({
        "numero_tiers": "CD07", "nom": "Département de l'Ardèche", "categorie": "conseil_departemental",
        "siret": "73282932000074", "adresse": "Hôtel du Département, 07000 Privas",
        "representant": "M. Vert", "fonction_representant": "Président du conseil départemental",
        "contacts": ["Service RSA ; rsa@ardeche.example.fr"], "departements": ["07"],
        "circonscriptions": ["07/NORD", "07/SUD"]
    });
    let res = app
        .post_json("/api/v1/caisse/partenaires", Some(&token), &corps)
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let cree: Value = res.json().await.unwrap();
    assert_eq!(cree["circonscriptions"], json!(["07/NORD", "07/SUD"]));
    assert_eq!(
        cree["contacts"],
        json!(["Service RSA ; rsa@ardeche.example.fr ; "])
    );

    let mut mauvais = corps.clone();
    mauvais["circonscriptions"] = json!(["26/EST"]);
    let res = app
        .http
        .put(app.url("/api/v1/caisse/partenaires/CD07"))
        .bearer_auth(&token)
        .json(&mauvais)
        .send()
        .await
        .unwrap();
    let (status, probleme) = problem(res).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(probleme["code"], "fiche_refusee");
    assert!(
        probleme["detail"].as_str().unwrap().contains("circonscriptions"),
        "{probleme}"
    );

    let liste: Value = app
        .http
        .get(app.url("/api/v1/caisse/partenaires?recherche=ard"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let numeros: Vec<_> = liste["partenaires"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["numero_tiers"].clone())
        .collect();
    assert_eq!(numeros, [json!("CD07")]);
    let detail: Value = app
        .http
        .get(app.url("/api/v1/caisse/partenaires/T07"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(detail["conventions"][0]["numero"], "QF-07-2025");
    assert_eq!(detail["conventions"][0]["etat"], "en_vigueur");
    // The edit refused above changed nothing, and both writes are traced.
    let codes = app.trace_codes().await;
    for attendu in [("gestion", "succes"), ("gestion", "refuse")] {
        assert!(
            codes.iter().any(|(a, r)| (a.as_str(), r.as_str()) == attendu),
            "{codes:?}"
        );
    }
}

#[tokio::test]
async fn ten_an_import_line_sets_the_referentiels_fields_and_a_line_without_them_keeps_them() {
    let ligne = |coordonnees: &str| {
        format!(
            r#"{{"type":"partenaire","caisse":"{CAISSE}","numero_tiers":"CD07","nom":"Département de l'Ardèche","categorie":"conseil_departemental","siret":"73282932000074","departements":["07"],"circonscriptions":["07/NORD"]{coordonnees}}}"#
        ) + "\n"
    };
    let avec = ligne(
        r#","coordonnees":{"adresse":"Hôtel du Département, 07000 Privas","representant":"M. Vert","fonction_representant":"Président du conseil départemental","contacts":[{"nom":"Service RSA","email":"rsa@ardeche.example.fr"}]}"#,
    );
    let app = spawn_app_importing(avec).await;
    let token = app.staff_ready("cmartin", "conventions").await;
    let fiche = || async {
        app.get_with("/api/v1/caisse/partenaires/CD07", &token)
            .await
            .json::<Value>()
            .await
            .unwrap()
    };
    let lue = fiche().await;
    assert_eq!(lue["representant"], "M. Vert");
    assert_eq!(lue["adresse"], "Hôtel du Département, 07000 Privas");
    assert_eq!(
        lue["contacts"],
        json!(["Service RSA ; rsa@ardeche.example.fr ; "])
    );

    // A later import of the line without the object changes the name and keeps the rest.
    let sans = ligne("").replace("Département de l'Ardèche", "Département de l'Ardèche (07)");
    app.import(sans).await.unwrap();
    let relue = fiche().await;
    assert_eq!(relue["nom"], "Département de l'Ardèche (07)");
    assert_eq!(relue["representant"], "M. Vert", "kept");
}
