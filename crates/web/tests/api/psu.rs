//! BQ-PSU, CO-2, CO-6, OP-1 through the API: `POST /api/v1/consultations/psu`.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// Habilitated to PSU only, through a convention in force; a crèche competent for 07.
pub const CRECHE: &str = "creche07";
pub const CRECHE_MDP: &str = "provisoire-creche07";
pub const MATRICULE_PSU: &str = "0700456";

/// Yann LE GALL-HERVÉ, allocataire of the PSU dossier.
pub fn nir_legall() -> String {
    nir("1880729232011")
}
/// Maëlle KERBRAT, usage name LE GALL, second allocataire.
pub fn nir_maelle() -> String {
    nir("2900729232012")
}

/// What the PSU tests add to the shared fixture: a crèche, its PSU convention and agent, a family with
/// its situation, an AEEH child and resources by period.
pub fn psu_fixture() -> String {
    let lines = [
        json!({"type":"partenaire","caisse":CAISSE,"numero_tiers":"T07P","nom":"Crèche Les Lutins","categorie":"structure_aje","siret":"21070007100033","departements":["07"]}),
        json!({"type":"convention","caisse":CAISSE,"numero":"PSU-07-2026","partenaire":"T07P","bouquets":["PSU"],"signee_le":"2026-01-05","formalite_cnil_le":"2026-01-06"}),
        json!({"type":"utilisateur","caisse":CAISSE,"identifiant":CRECHE,"partenaire":"T07P","civilite":"Mme","nom":"RIOU","prenom":"Nolwenn","email":"direction@lutins.example.fr","habilitations":[{"convention":"PSU-07-2026","bouquet":"PSU"}],"mot_de_passe_provisoire":CRECHE_MDP}),
        json!({"type":"dossier","caisse":CAISSE,"matricule":MATRICULE_PSU,"departement":"07",
            "allocataires":[
                {"nir":nir_legall(),"nom_naissance":"LE GALL-HERVÉ","prenoms":"Yann","date_naissance":"1988-07-14","sexe":"M"},
                {"nir":nir_maelle(),"nom_naissance":"KERBRAT","nom_usage":"LE GALL","prenoms":"Maëlle","date_naissance":"1990-02-03","sexe":"F"}],
            "enfants":[
                {"nom_naissance":"LE GALL","prenoms":"Anna","date_naissance":"2024-05-20","sexe":"F"},
                {"nom_naissance":"LE GALL","prenoms":"Erwan","date_naissance":"2019-11-02","sexe":"M","aeeh":true}],
            "adresse":{"numero_libelle_voie":"3 PLACE DU MARCHÉ","code_postal_ville":"07000 PRIVAS"},
            "quotients_familiaux":[{"debut":"2026-01-01","fin":"2026-12-31","valeur":734}],
            "situation_familiale":"pacse","enfants_a_charge":2,
            "ressources":[
                {"debut":"2025-01-01","fin":"2025-12-31","annee_reference":2023,"montant_annuel":"30120.00"},
                {"debut":"2026-01-01","fin":"2026-12-31","annee_reference":2024,"montant_annuel":"32500.50"}]}),
        // The caisse's PSU barème: none before July 2025; a floor above this family's 2025 resources.
        json!({"type":"bareme_psu","caisse":CAISSE,"debut":"2025-07-01","fin":"2025-12-31","plancher_mensuel":"2600.00","plafond_mensuel":"7000.00","collectif":["0.0619","0.0516","0.0413"],"familial":["0.0516","0.0413","0.0310"]}),
        json!({"type":"bareme_psu","caisse":CAISSE,"debut":"2026-01-01","fin":null,"plancher_mensuel":"801.00","plafond_mensuel":"7000.00","collectif":["0.0619","0.0516","0.0413"],"familial":["0.0516","0.0413","0.0310"]}),
        // The opposed and out-of-competence dossiers of the shared fixture are reached by the same crèche.
    ];
    lines.iter().map(|l| format!("{l}\n")).collect()
}

/// The shared app, with the PSU fixture imported through the real import path.
pub async fn spawn_psu_app() -> TestApp {
    spawn_app_importing(psu_fixture()).await
}

/// `creche07`, logged in, temporary password replaced.
pub async fn creche_ready(app: &TestApp) -> String {
    app.ready(CRECHE, CRECHE_MDP).await
}

async fn psu(app: &TestApp, token: &str, body: Value) -> reqwest::Response {
    app.post_json("/api/v1/consultations/psu", Some(token), &body)
        .await
}

#[tokio::test]
async fn bq_psu_shows_its_three_rubriques_for_the_chosen_month() {
    let app = spawn_psu_app().await;
    let token = creche_ready(&app).await;
    let res = psu(&app, &token, json!({"nir": nir_legall(), "nom": "Le Gall-Hervé"})).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        body,
        json!({
            "matricule": MATRICULE_PSU,
            "allocataires": [
                {"nom_naissance": "LE GALL-HERVÉ", "nom_usage": null, "prenoms": "Yann", "date_naissance": "1988-07-14", "sexe": "M"},
                {"nom_naissance": "KERBRAT", "nom_usage": "LE GALL", "prenoms": "Maëlle", "date_naissance": "1990-02-03", "sexe": "F"}
            ],
            "adresse": {
                "destinataire": null, "complement_information": null, "complement_information_geographique": null,
                "numero_libelle_voie": "3 PLACE DU MARCHÉ", "lieu_dit": null, "code_postal_ville": "07000 PRIVAS",
                "pays": null
            },
            "situation_familiale": {
                "situation": "pacse", "libelle": "Pacsé(e)", "enfants_a_charge": 2,
                "enfants": [
                    {"nom_naissance": "LE GALL", "nom_usage": null, "prenoms": "Anna", "date_naissance": "2024-05-20", "aeeh": false},
                    {"nom_naissance": "LE GALL", "nom_usage": null, "prenoms": "Erwan", "date_naissance": "2019-11-02", "aeeh": true}
                ]
            },
            "ressources": {"annee": 2026, "mois": 3, "annee_reference": 2024, "montant_annuel": "32500.50",
                "debut": "2026-01-01", "fin": "2026-12-31"},
            "periodes": [
                {"debut": "2025-01-01", "fin": "2025-12-31", "annee_reference": 2023, "montant_annuel": "30120.00"},
                {"debut": "2026-01-01", "fin": "2026-12-31", "annee_reference": 2024, "montant_annuel": "32500.50"}
            ],
            // Worked by hand: 32 500,50 / 12 = 2 708,375 € a month; two dependent children and an AEEH child
            // count as three: collectif 2 708,375 × 0,0413 % = 1,1185… → 1,12 €; familial × 0,0310 % =
            // 0,8396… → 0,84 €.
            "tarif_horaire": {
                "statut": "calcule", "message": null,
                "calcul": {
                    "bareme_debut": "2026-01-01", "bareme_fin": null,
                    "plancher_mensuel": "801.00", "plafond_mensuel": "7000.00",
                    "ressources_annuelles": "32500.50", "ressources_mensuelles_retenues": "2708.38",
                    "plancher_applique": false, "plafond_applique": false,
                    "enfants_a_charge": 2, "aeeh": true, "enfants_retenus": 3,
                    "collectif": {"taux_effort": "0,0413 %", "tarif": "1.12"},
                    "familial": {"taux_effort": "0,0310 %", "tarif": "0.84"}
                }
            }
        })
    );
}

#[tokio::test]
async fn bq_psu_fee_floor_applied_and_no_bareme_or_resources_said_plainly() {
    let app = spawn_psu_app().await;
    let token = creche_ready(&app).await;
    let q = |annee: i32, mois: u32| json!({"nir": nir_legall(), "nom": "LE GALL-HERVÉ", "annee": annee, "mois": mois});
    // September 2025: 30 120 / 12 = 2 510 € a month, under the floor of 2 600 €: 2 600 × 0,0413 % = 1,0738 →
    // 1,07 €; familial 2 600 × 0,0310 % = 0,806 → 0,81 €.
    let body: Value = psu(&app, &token, q(2025, 9)).await.json().await.unwrap();
    let calcul = &body["tarif_horaire"]["calcul"];
    assert_eq!(body["tarif_horaire"]["statut"], "calcule");
    assert_eq!(calcul["bareme_debut"], "2025-07-01");
    assert_eq!(calcul["ressources_mensuelles_retenues"], "2600.00");
    assert_eq!(
        (
            calcul["plancher_applique"].as_bool(),
            calcul["plafond_applique"].as_bool()
        ),
        (Some(true), Some(false))
    );
    assert_eq!(calcul["collectif"]["tarif"], "1.07");
    assert_eq!(calcul["familial"]["tarif"], "0.81");
    // March 2025: resources are known but no barème is in force.
    let body: Value = psu(&app, &token, q(2025, 3)).await.json().await.unwrap();
    assert_eq!(body["tarif_horaire"]["statut"], "sans_bareme");
    assert_eq!(body["tarif_horaire"]["calcul"], Value::Null);
    assert!(body["tarif_horaire"]["message"]
        .as_str()
        .unwrap()
        .contains("Aucun barème PSU"));
    assert_eq!(body["ressources"]["montant_annuel"], "30120.00");
    // January 2027: a barème but no resources.
    let body: Value = psu(&app, &token, q(2027, 1)).await.json().await.unwrap();
    assert_eq!(body["tarif_horaire"]["statut"], "sans_ressources");
    assert_eq!(body["tarif_horaire"]["calcul"], Value::Null);
}

#[tokio::test]
async fn by_3_psu_answers_match_the_documented_schema() {
    use crate::openapi::{check, schema};
    let doc = partage_web::api::openapi::document();
    let app = spawn_psu_app().await;
    let token = creche_ready(&app).await;
    for query in [
        json!({"nir": nir_legall(), "nom": "LE GALL-HERVÉ"}),
        json!({"matricule": MATRICULE_PSU, "nom": "KERBRAT", "annee": 2030, "mois": 1}),
    ] {
        let body: Value = psu(&app, &token, query).await.json().await.unwrap();
        check(&doc, &schema("ConsultationPsu"), &body, "psu").unwrap();
    }
    for query in [json!({"nom": "X"}), json!({"matricule": "0799999", "nom": "X"})] {
        let (status, body) = problem(psu(&app, &token, query).await).await;
        check(&doc, &schema("Probleme"), &body, "probleme").unwrap();
        let documented = doc["paths"]["/api/v1/consultations/psu"]["post"]["responses"][status.as_str()]
            ["description"]
            .as_str()
            .unwrap();
        assert!(
            documented.contains(body["code"].as_str().unwrap()),
            "{documented}"
        );
    }
}

#[tokio::test]
async fn bq_psu_answer_carries_no_qf_and_qf_is_not_opened_by_psu() {
    let app = spawn_psu_app().await;
    let token = creche_ready(&app).await;
    let body: Value = psu(&app, &token, json!({"nir": nir_legall(), "nom": "LE GALL HERVE"}))
        .await
        .json()
        .await
        .unwrap();
    let text = body.to_string();
    assert!(!text.contains("734"), "the dossier's QF must not leak: {text}");
    assert!(!text.contains("quotient"), "{text}");
    // The PSU habilitation opens PSU only.
    let (status, problem) = problem(app.consult(&token, json!({"nir": nir_legall()})).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(problem["code"], "non_habilite");
    // And a QF habilitation does not open PSU.
    let qf_agent = app.agent_ready().await;
    let res = psu(&app, &qf_agent, json!({"nir": nir_martin(), "nom": "MARTIN"})).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn co_2_nir_and_name_must_both_match_birth_or_usage_name() {
    let app = spawn_psu_app().await;
    let token = creche_ready(&app).await;
    for (nir, nom) in [
        (nir_legall(), "le gall-hervé"),
        (nir_legall(), "  LE   GALL HERVE "),
        // The other allocataire's usage name finds the same dossier, from either NIR.
        (nir_maelle(), "Le Gall"),
        (nir_legall(), "kerbrat"),
    ] {
        let res = psu(&app, &token, json!({"nir": nir, "nom": nom})).await;
        assert_eq!(res.status(), StatusCode::OK, "{nom}");
    }
}

#[tokio::test]
async fn co_2_a_nir_with_a_wrong_name_answers_exactly_like_an_unknown_nir() {
    let app = spawn_psu_app().await;
    let token = creche_ready(&app).await;
    let unknown = answer(psu(&app, &token, json!({"nir": nir_inconnu(), "nom": "DUPONT"})).await).await;
    assert_eq!(unknown.0, StatusCode::NOT_FOUND);
    let body: Value = serde_json::from_str(&unknown.3).unwrap();
    assert_eq!(body["code"], "dossier_introuvable");
    for nom in ["DUPONT", "LE GAL", "Anna", "LE GALL HERVE Yann"] {
        let wrong = answer(psu(&app, &token, json!({"nir": nir_legall(), "nom": nom})).await).await;
        assert_eq!(wrong, unknown, "{nom}");
    }
    // A wrong name on an opposed dossier does not reveal the opposition either.
    let opposed = answer(psu(&app, &token, json!({"nir": nir_opposition(), "nom": "DUPONT"})).await).await;
    assert_eq!(opposed, unknown);
    // Supervision sees what happened (CO-5): the name did not match this dossier.
    let traces = app.traces().await;
    let last = &traces.last().unwrap().trace;
    assert_eq!(last.resultat.code(), "nom_discordant");
    assert_eq!(last.matricule.as_deref(), Some(MATRICULE_OPPOSITION));
}

#[tokio::test]
async fn co_2_nir_alone_or_name_alone_finds_nothing_and_says_so() {
    let app = spawn_psu_app().await;
    let token = creche_ready(&app).await;
    for query in [
        json!({"nir": nir_legall()}),
        json!({"nir": nir_legall(), "nom": "  "}),
        json!({"nom": "LE GALL-HERVÉ"}),
        json!({"nir": "", "nom": "LE GALL-HERVÉ"}),
        json!({}),
    ] {
        let (status, body) = problem(psu(&app, &token, query.clone()).await).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(body["code"], "recherche_incomplete");
        assert_eq!(
            body["detail"],
            "la recherche demande le NIR (ou le matricule) et le nom de l'allocataire : l'un sans l'autre ne trouve aucun dossier"
        );
        assert!(!body.to_string().contains("LE GALL"), "nothing of the dossier");
    }
    let (status, body) = problem(
        psu(
            &app,
            &token,
            json!({"nir": nir_legall(), "matricule": MATRICULE_PSU, "nom": "LE GALL"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["code"], "requete_invalide");
    assert!(body["detail"].as_str().unwrap().contains("pas les deux"));
}

#[tokio::test]
async fn bq_psu_matricule_search_block_with_the_name() {
    let app = spawn_psu_app().await;
    let token = creche_ready(&app).await;
    let body: Value = psu(
        &app,
        &token,
        json!({"matricule": MATRICULE_PSU, "nom": "Kerbrat"}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(body["matricule"], MATRICULE_PSU);
    // Unknown here, another caisse's, outside the crèche's départements, or a wrong name: one answer.
    let unknown = answer(psu(&app, &token, json!({"matricule": "0799999", "nom": "KERBRAT"})).await).await;
    assert_eq!(unknown.0, StatusCode::NOT_FOUND);
    let body: Value = serde_json::from_str(&unknown.3).unwrap();
    assert_eq!(body["code"], "matricule_introuvable");
    assert!(body["detail"].as_str().unwrap().contains("autre caisse"));
    for (matricule, nom) in [
        ("5900789", "NORD"),
        ("4200456", "LOIRE"),
        (MATRICULE_PSU, "DUPONT"),
    ] {
        let got = answer(psu(&app, &token, json!({"matricule": matricule, "nom": nom})).await).await;
        assert_eq!(got, unknown, "{matricule}");
    }
    let (status, body) = problem(psu(&app, &token, json!({"matricule": "07 00", "nom": "A"})).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["code"], "requete_invalide");
    assert!(body["detail"].as_str().unwrap().starts_with("matricule invalide"));
}

#[tokio::test]
async fn co_6_psu_resources_of_the_chosen_period() {
    let app = spawn_psu_app().await;
    let token = creche_ready(&app).await;
    let q = |annee: i32, mois: u32| json!({"nir": nir_legall(), "nom": "LE GALL-HERVÉ", "annee": annee, "mois": mois});
    let body: Value = psu(&app, &token, q(2025, 6)).await.json().await.unwrap();
    assert_eq!(body["ressources"]["annee_reference"], 2023);
    assert_eq!(body["ressources"]["montant_annuel"], "30120.00");
    let body: Value = psu(&app, &token, q(2027, 1)).await.json().await.unwrap();
    assert_eq!(body["ressources"], Value::Null);
    assert_eq!(body["periodes"].as_array().unwrap().len(), 2);
    let (status, body) = problem(
        psu(
            &app,
            &token,
            json!({"nir": nir_legall(), "nom": "LE GALL", "mois": 2}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["code"], "requete_invalide");
}

#[tokio::test]
async fn op_1_psu_opposition_shows_only_its_existence() {
    let app = spawn_psu_app().await;
    let token = creche_ready(&app).await;
    let (status, body) = problem(
        psu(
            &app,
            &token,
            json!({"nir": nir_opposition(), "nom": NOM_OPPOSITION}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["code"], "opposition");
    assert!(!body.to_string().contains(MATRICULE_OPPOSITION));
}

#[tokio::test]
async fn bq_psu_consultation_traced_with_its_rubriques() {
    let app = spawn_psu_app().await;
    let token = creche_ready(&app).await;
    psu(&app, &token, json!({"nir": nir_legall(), "nom": "LE GALL-HERVÉ"})).await;
    psu(&app, &token, json!({"nir": nir_legall()})).await;
    let traces = app.traces().await;
    let consultations: Vec<_> = traces
        .iter()
        .map(|t| &t.trace)
        .filter(|t| t.action.code() == "consultation")
        .collect();
    assert_eq!(consultations.len(), 2);
    let ok = consultations[0];
    assert_eq!(ok.bouquet.map(|b| b.code()), Some("PSU"));
    assert_eq!(ok.resultat.code(), "succes");
    assert_eq!(ok.matricule.as_deref(), Some(MATRICULE_PSU));
    assert_eq!(
        ok.rubriques.as_deref(),
        Some("coordonnees_dossier,situation_familiale,ressources_hors_prestations")
    );
    assert_eq!(consultations[1].resultat.code(), "requete_invalide");
    assert_eq!(consultations[1].matricule, None);
}

/// A browser signed in as the crèche's agent, password already changed.
async fn creche_browser(app: &TestApp) -> reqwest::Client {
    creche_ready(app).await;
    let browser = app.browser();
    let res = crate::pages::login_page(app, &browser, CRECHE, NOUVEAU_MDP).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    browser
}

async fn psu_page(app: &TestApp, browser: &reqwest::Client, fields: &[(&str, &str)]) -> (StatusCode, String) {
    let csrf = crate::pages::csrf_from(app, browser, "/psu").await;
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    let res = browser.post(app.url("/psu")).form(&form).send().await.unwrap();
    (res.status(), res.text().await.unwrap())
}

#[tokio::test]
async fn bq_psu_page_shows_the_three_rubriques_and_nothing_else() {
    let app = spawn_psu_app().await;
    let browser = creche_browser(&app).await;
    let nir = nir_legall();
    let (status, html) = psu_page(
        &app,
        &browser,
        &[
            ("nir", nir.as_str()),
            ("matricule", ""),
            ("nom", "le gall hervé"),
            ("annee", "2025"),
            ("mois", "6"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    for expected in [
        "<h2 id=\"coordonnees-titre\">Coordonnées du dossier</h2>",
        "<h2 id=\"situation-titre\">Situation familiale</h2>",
        "<h2 id=\"ressources-titre\">Ressources hors prestations familiales</h2>",
        "Pacsé(e)",
        "<td>Erwan</td><td>LE GALL</td><td>02/11/2019</td><td>Oui</td>",
        "Ressources annuelles retenues pour juin 2025 : <strong>30\u{202f}120,00 € (ressources 2023",
        "3 PLACE DU MARCHÉ",
    ] {
        assert!(html.contains(expected), "{expected}");
    }
    assert!(!html.contains("Montant du QF"));
    assert!(!html.contains("734"), "no QF on a PSU page");
    assert!(!html.contains(&nir), "the NIR is not echoed back");
}

#[tokio::test]
async fn bq_psu_fee_page_shows_the_fee_with_its_inputs_or_says_why_not() {
    let app = spawn_psu_app().await;
    let browser = creche_browser(&app).await;
    let nir = nir_legall();
    let page = |annee: &'static str, mois: &'static str| {
        let nir = nir.clone();
        let (app, browser) = (&app, &browser);
        async move {
            let fields = [
                ("nir", nir.as_str()),
                ("matricule", ""),
                ("nom", "LE GALL-HERVÉ"),
                ("annee", annee),
                ("mois", mois),
            ];
            psu_page(app, browser, &fields).await
        }
    };
    let (status, html) = page("2025", "9").await;
    assert_eq!(status, StatusCode::OK);
    for expected in [
        "<h2 id=\"tarif-titre\">Tarif horaire de la famille (barème PSU)</h2>",
        "<td>Accueil collectif</td><td>0,0413 %</td><td class=\"nombre\">1,07 €</td>",
        "<td>Accueil familial, parental ou micro-crèche</td><td>0,0310 %</td><td class=\"nombre\">0,81 €</td>",
        "<dt>Barème PSU de la caisse</dt><dd>du 01/07/2025 au 31/12/2025</dd>",
        "<dt>Plancher mensuel (appliqué)</dt><dd>2\u{202f}600,00 € (oui)</dd>",
        "<dt>Enfant bénéficiaire de l&#39;AEEH</dt><dd>oui</dd>",
        "<dt>Enfants retenus pour le taux d&#39;effort</dt><dd>3</dd>",
    ] {
        assert!(html.contains(expected), "{expected}\n{html}");
    }
    let (_, html) = page("2025", "3").await;
    assert!(html.contains("Aucun barème PSU de la caisse n&#39;est en vigueur ce mois-ci"));
    assert!(!html.contains("Accueil collectif"));
}

#[tokio::test]
async fn co_2_page_says_what_is_missing_and_answers_a_wrong_name_like_nobody() {
    let app = spawn_psu_app().await;
    let browser = creche_browser(&app).await;
    let nir = nir_legall();
    let fields = |nom: &'static str| {
        vec![
            ("nir", nir.clone()),
            ("matricule", String::new()),
            ("nom", nom.to_owned()),
            ("annee", String::new()),
            ("mois", String::new()),
        ]
    };
    let (status, html) = psu_page_owned(&app, &browser, fields("")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        html.contains("La recherche demande le NIR (ou le matricule) et le nom de l"),
        "{html}"
    );
    assert!(
        html.contains(&format!("value=\"{nir}\"")),
        "the NIR is kept to correct the search"
    );
    let (status, html) = psu_page_owned(&app, &browser, fields("DUPONT")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("Aucun dossier ne correspond à votre recherche."));
    assert!(!html.contains("LE GALL"));
}

async fn psu_page_owned(
    app: &TestApp,
    browser: &reqwest::Client,
    fields: Vec<(&'static str, String)>,
) -> (StatusCode, String) {
    let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    psu_page(app, browser, &refs).await
}

#[tokio::test]
async fn au_2_psu_waits_for_the_temporary_password_to_be_changed() {
    let app = spawn_psu_app().await;
    let token = app.token(CRECHE, CRECHE_MDP).await;
    // Even an incomplete search: nothing but the password change comes first.
    for query in [
        json!({"nir": nir_legall(), "nom": "LE GALL"}),
        json!({"nom": "LE GALL"}),
    ] {
        let (status, body) = problem(psu(&app, &token, query).await).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(body["code"], "changement_mot_de_passe_requis");
    }
}
