//! BQ-MCP (003:8) through the API: Mon Compte Partenaire's two services, each habilitated on its own (003:5),
//! each showing its one rubrique; found as in PSU, by NIR or matricule **and** name (CO-2).

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

const AGENT_QF: &str = "lille-qf";
const AGENT_ADRESSE: &str = "lille-adresse";
const MDP_QF: &str = "provisoire-lille-qf";
const MDP_ADRESSE: &str = "provisoire-lille-adresse";

/// The city of Lille's Mon Compte Partenaire convention with the CAF du Nord, and one agent per service.
fn mcp_fixture() -> String {
    let lines = [
        json!({"type":"convention","caisse":AUTRE_CAISSE,"numero":"MCP-59-2026","partenaire":"T59","bouquets":["MCP-QF","MCP-ADRESSE"],"signee_le":"2026-01-05","formalite_cnil_le":"2026-01-06"}),
        json!({"type":"utilisateur","caisse":AUTRE_CAISSE,"identifiant":AGENT_QF,"partenaire":"T59","civilite":"Mme","nom":"LEFEBVRE","prenom":"Julie","email":"j.lefebvre@lille.example.fr","habilitations":[{"convention":"MCP-59-2026","bouquet":"MCP-QF"}],"mot_de_passe_provisoire":MDP_QF}),
        json!({"type":"utilisateur","caisse":AUTRE_CAISSE,"identifiant":AGENT_ADRESSE,"partenaire":"T59","civilite":"M.","nom":"DUBOIS","prenom":"Marc","email":"m.dubois@lille.example.fr","habilitations":[{"convention":"MCP-59-2026","bouquet":"MCP-ADRESSE"}],"mot_de_passe_provisoire":MDP_ADRESSE}),
    ];
    lines.iter().map(|l| format!("{l}\n")).collect()
}

async fn spawn_mcp_app() -> TestApp {
    spawn_app_importing(mcp_fixture()).await
}

/// A CAF du Nord agent, logged in, temporary password replaced.
async fn pret(app: &TestApp, identifiant: &str, provisoire: &str) -> String {
    let res = app.login(AUTRE_CAISSE, identifiant, provisoire).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let token = res.json::<Value>().await.unwrap()["jeton"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        app.change_password(&token, provisoire, NOUVEAU_MDP)
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    token
}

async fn mcp(app: &TestApp, service: &str, token: &str, body: Value) -> reqwest::Response {
    app.post_json(
        &format!("/api/v1/consultations/mcp/{service}"),
        Some(token),
        &body,
    )
    .await
}

fn cles(body: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = body.as_object().unwrap().keys().map(String::as_str).collect();
    k.sort_unstable();
    k
}

#[tokio::test]
async fn bq_mcp_qf_service_shows_the_qf_and_nothing_else() {
    let app = spawn_mcp_app().await;
    let token = pret(&app, AGENT_QF, MDP_QF).await;
    let res = mcp(
        &app,
        "qf",
        &token,
        json!({"nir": nir_autre_caisse(), "nom": "nord"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        cles(&body),
        ["allocataires", "matricule", "periodes", "quotient_familial"]
    );
    assert_eq!(body["quotient_familial"]["valeur"], 450);
    assert_eq!(body["quotient_familial"]["fournisseur"], "CNAF");
    assert_eq!(body["allocataires"][0]["nom_naissance"], "NORD");

    let traces = app.traces().await;
    let last = &traces.last().unwrap().trace;
    assert_eq!(last.bouquet.map(|b| b.code()), Some("MCP-QF"));
    assert_eq!(last.rubriques.as_deref(), Some("montant_qf"));
    assert_eq!(last.matricule.as_deref(), Some("5900789"));
}

#[tokio::test]
async fn bq_mcp_each_service_is_habilitated_on_its_own() {
    let app = spawn_mcp_app().await;
    let qf = pret(&app, AGENT_QF, MDP_QF).await;
    let adresse = pret(&app, AGENT_ADRESSE, MDP_ADRESSE).await;
    let recherche = json!({"matricule": "5900789", "nom": "NORD"});

    let (status, body) = problem(mcp(&app, "adresse", &qf, recherche.clone()).await).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("non_habilite"))
    );
    let (status, body) = problem(mcp(&app, "qf", &adresse, recherche.clone()).await).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("non_habilite"))
    );

    let res = mcp(&app, "adresse", &adresse, recherche).await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        cles(&body),
        ["adresse", "allocataires", "matricule"],
        "no QF in the address service"
    );
    // Neither service opens the QF bouquet.
    let res = app.consult(&qf, json!({"nir": nir_autre_caisse()})).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn co_2_mcp_needs_the_nir_or_matricule_and_the_name() {
    let app = spawn_mcp_app().await;
    let token = pret(&app, AGENT_QF, MDP_QF).await;
    let (status, body) = problem(mcp(&app, "qf", &token, json!({"nir": nir_autre_caisse()})).await).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("recherche_incomplete"))
    );
    let (status, body) = problem(
        mcp(
            &app,
            "qf",
            &token,
            json!({"nir": nir_autre_caisse(), "nom": "MARTIN"}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("dossier_introuvable"))
    );
    // Another caisse's family reads exactly like nobody (TEN-1).
    let (status, body) =
        problem(mcp(&app, "qf", &token, json!({"nir": nir_martin(), "nom": "MARTIN"})).await).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("dossier_introuvable"))
    );
    let resultats: Vec<String> = app
        .traces()
        .await
        .iter()
        .filter(|t| t.trace.bouquet.map(|b| b.code()) == Some("MCP-QF"))
        .map(|t| t.trace.resultat.code().to_owned())
        .collect();
    assert_eq!(
        resultats,
        ["requete_invalide", "nom_discordant", "dossier_introuvable"]
    );
}

#[tokio::test]
async fn by_3_mcp_answers_match_the_documented_schemas() {
    use crate::openapi::{check, schema};
    let doc = partage_web::api::openapi::document();
    let app = spawn_mcp_app().await;
    let qf = pret(&app, AGENT_QF, MDP_QF).await;
    let adresse = pret(&app, AGENT_ADRESSE, MDP_ADRESSE).await;
    let recherche = json!({"matricule": "5900789", "nom": "NORD", "annee": 2026, "mois": 3});
    let body: Value = mcp(&app, "qf", &qf, recherche.clone())
        .await
        .json()
        .await
        .unwrap();
    check(&doc, &schema("ConsultationMcpQf"), &body, "mcp qf").unwrap();
    let body: Value = mcp(&app, "adresse", &adresse, recherche)
        .await
        .json()
        .await
        .unwrap();
    check(&doc, &schema("ConsultationMcpAdresse"), &body, "mcp adresse").unwrap();
}

#[tokio::test]
async fn bq_mcp_page_shows_the_chosen_service_only() {
    use crate::pages::csrf_from;
    let app = spawn_mcp_app().await;
    pret(&app, AGENT_QF, MDP_QF).await;
    let browser = app.browser();
    let csrf = csrf_from(&app, &browser, "/").await;
    let login = browser
        .post(app.url("/connexion"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("caisse", AUTRE_CAISSE),
            ("identifiant", AGENT_QF),
            ("mot_de_passe", NOUVEAU_MDP),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), StatusCode::SEE_OTHER);
    let chercher = |service: &'static str, nom: &'static str| {
        let browser = browser.clone();
        let app = &app;
        async move {
            let csrf = csrf_from(app, &browser, "/mon-compte-partenaire").await;
            let res = browser
                .post(app.url("/mon-compte-partenaire"))
                .form(&[
                    ("csrf", csrf.as_str()),
                    ("nir", nir_autre_caisse().as_str()),
                    ("nom", nom),
                    ("annee", "2026"),
                    ("mois", "3"),
                    ("service", service),
                ])
                .send()
                .await
                .unwrap();
            (res.status(), res.text().await.unwrap())
        }
    };
    let (status, html) = chercher("qf", "Nord").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Quotient familial de mars 2026 : <strong>450</strong>"),
        "{html}"
    );
    assert!(!html.contains("<address>"), "no address in the QF service");

    let (status, html) = chercher("adresse", "Nord").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(html.contains("pas habilité"), "{html}");

    let (status, html) = chercher("qf", "").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("le NIR (ou le matricule) et le nom"), "{html}");
}
