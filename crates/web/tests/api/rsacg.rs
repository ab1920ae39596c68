//! BQ-RSA, CO-3, CO-6, OP-1 through the API: `POST /api/v1/consultations/rsa`.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// A social worker of the conseil départemental, habilitated to RSACG on the PRIVAS circonscription only.
pub const CD: &str = "cd07";
pub const CD_MDP: &str = "provisoire-cd07";
pub const MATRICULE_PRIVAS: &str = "R-PRIVAS";
pub const MATRICULE_AUBENAS: &str = "R-AUBENAS";

/// RSA dossier in PRIVAS, the agent's circonscription.
pub fn nir_privas() -> String {
    nir("1800707186101")
}
/// RSA dossier in AUBENAS: a circonscription of the partner, not of the agent.
pub fn nir_aubenas() -> String {
    nir("1810707186102")
}
/// A dossier in PRIVAS without RSA right.
pub fn nir_sans_rsa() -> String {
    nir("1820707186103")
}
/// An RSA dossier in PRIVAS under opposition.
pub fn nir_rsa_oppose() -> String {
    nir("1830707186104")
}

pub fn rsacg_fixture() -> String {
    let personne = |nir: String, nom: &str| json!({"nir": nir, "nom_naissance": nom, "prenoms": "Alex"});
    let droit =
        json!({"etat":"ouvert","ouvert_le":"2025-06-01","montant_mensuel":"635.71","majoration":false});
    let lines = [
        json!({"type":"partenaire","caisse":CAISSE,"numero_tiers":"T07CD","nom":"Département de l'Ardèche","categorie":"conseil_departemental","siret":"21070007100041","departements":["07","26"],"circonscriptions":["07/PRIVAS","07/AUBENAS","26/VALENCE"]}),
        json!({"type":"convention","caisse":CAISSE,"numero":"RSA-07-2026","partenaire":"T07CD","bouquets":["RSACG"],"signee_le":"2026-01-05","formalite_cnil_le":"2026-01-06"}),
        json!({"type":"utilisateur","caisse":CAISSE,"identifiant":CD,"partenaire":"T07CD","civilite":"Mme","nom":"ROUX","prenom":"Sophie","email":"sophie.roux@ardeche.example.fr","habilitations":[{"convention":"RSA-07-2026","bouquet":"RSACG","profil":"1","circonscriptions":["07/PRIVAS"]}],"mot_de_passe_provisoire":CD_MDP}),
        json!({"type":"dossier","caisse":CAISSE,"matricule":MATRICULE_PRIVAS,"departement":"07","circonscription":"PRIVAS",
            "allocataires":[{"nir":nir_privas(),"nom_naissance":"BLANC","nom_usage":null,"prenoms":"Julie","date_naissance":"1990-04-02","sexe":"F"}],
            "enfants":[{"nom_naissance":"BLANC","prenoms":"Tom","date_naissance":"2020-01-15","sexe":"M"}],
            "adresse":{"numero_libelle_voie":"5 RUE DU PONT","code_postal_ville":"07000 PRIVAS"},
            "quotients_familiaux":[{"debut":"2026-01-01","fin":"2026-12-31","valeur":321}],
            "ressources":[{"debut":"2026-01-01","fin":"2026-12-31","annee_reference":2024,"montant_annuel":"9876.54"}],
            "situation_familiale":"celibataire","enfants_a_charge":1,
            "droit_rsa":{"etat":"ouvert","ouvert_le":"2025-06-01","montant_mensuel":"817.48","majoration":true},
            "droits":[
                {"prestation":"ALF","debut":"2026-02-01","fin":null,"montant_mensuel":"312.60"},
                {"prestation":"PAJE","debut":"2020-02-01","fin":"2023-01-31","montant_mensuel":"184.81"}],
            "declarations_trimestrielles":[
                {"annee":2025,"trimestre":4,"montant":"300.00","declaree_le":"2026-01-05"},
                {"annee":2026,"trimestre":1,"montant":"420.00","declaree_le":null}],
            "adresses_anterieures":[{"jusqu_au":"2025-05-31","numero_libelle_voie":"2 PLACE DE LA GARE","code_postal_ville":"07200 AUBENAS"}]}),
        json!({"type":"dossier","caisse":CAISSE,"matricule":MATRICULE_AUBENAS,"departement":"07","circonscription":"AUBENAS",
            "allocataires":[personne(nir_aubenas(), "VERT")],"droit_rsa":droit}),
        json!({"type":"dossier","caisse":CAISSE,"matricule":"R-SANS","departement":"07","circonscription":"PRIVAS",
            "allocataires":[personne(nir_sans_rsa(), "GRIS")]}),
        json!({"type":"dossier","caisse":CAISSE,"matricule":"R-OPP","departement":"07","circonscription":"PRIVAS",
            "allocataires":[personne(nir_rsa_oppose(), "NOIR")],"droit_rsa":droit,"opposition":true}),
    ];
    lines.iter().map(|l| format!("{l}\n")).collect()
}

/// The shared app, with the RSACG fixture imported through the real import path.
pub async fn spawn_rsacg_app() -> TestApp {
    spawn_app_importing(rsacg_fixture()).await
}

/// `cd07`, logged in, temporary password replaced.
pub async fn cd_ready(app: &TestApp) -> String {
    app.ready(CD, CD_MDP).await
}

async fn rsacg(app: &TestApp, token: &str, body: Value) -> reqwest::Response {
    app.post_json("/api/v1/consultations/rsa", Some(token), &body)
        .await
}

#[tokio::test]
async fn bq_rsa_shows_its_five_rubriques_for_the_chosen_month() {
    let app = spawn_rsacg_app().await;
    let token = cd_ready(&app).await;
    // t0 is 2 March 2026: the first quarter, ALF paid since February.
    let res = rsacg(&app, &token, json!({"nir": nir_privas()})).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let body: Value = res.json().await.unwrap();
    let alf = json!({"prestation": "ALF", "debut": "2026-02-01", "fin": null, "montant_mensuel": "312.60"});
    let paje = json!({"prestation": "PAJE", "debut": "2020-02-01", "fin": "2023-01-31", "montant_mensuel": "184.81"});
    let t1 = json!({"annee": 2026, "trimestre": 1, "montant": "420.00", "declaree_le": null});
    let t4 = json!({"annee": 2025, "trimestre": 4, "montant": "300.00", "declaree_le": "2026-01-05"});
    let ligne = |voie: &str, ville: &str| {
        json!({
            "destinataire": null, "complement_information": null, "complement_information_geographique": null,
            "numero_libelle_voie": voie, "lieu_dit": null, "code_postal_ville": ville, "pays": null
        })
    };
    assert_eq!(
        body,
        json!({
            "matricule": MATRICULE_PRIVAS,
            "annee": 2026,
            "mois": 3,
            "famille": {
                "situation": "celibataire", "libelle": "Célibataire", "enfants_a_charge": 1,
                "allocataires": [{"nom_naissance": "BLANC", "nom_usage": null, "prenoms": "Julie", "date_naissance": "1990-04-02", "sexe": "F"}],
                "enfants": [{"nom_naissance": "BLANC", "nom_usage": null, "prenoms": "Tom", "date_naissance": "2020-01-15", "sexe": "M"}]
            },
            "droits": {"du_mois": [alf.clone()], "periodes": [paje, alf]},
            "rsa": {
                "etat": "ouvert", "libelle": "Droit ouvert", "ouvert_le": "2025-06-01", "montant_mensuel": "817.48",
                "majoration": true, "motif_suspension": null
            },
            "ressources": {"trimestre_du_mois": t1.clone(), "declarations": [t4, t1]},
            "adresse": {
                "actuelle": ligne("5 RUE DU PONT", "07000 PRIVAS"),
                "anterieures": [{"jusqu_au": "2025-05-31", "adresse": ligne("2 PLACE DE LA GARE", "07200 AUBENAS")}]
            }
        })
    );
    // No QF, no PSU resources: data minimisation.
    let text = body.to_string();
    assert!(!text.contains("321") && !text.contains("9876"), "{text}");
    // CO-6: another month, another quarter and other benefits.
    let body: Value = rsacg(
        &app,
        &token,
        json!({"matricule": MATRICULE_PRIVAS, "annee": 2022, "mois": 6}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(body["droits"]["du_mois"][0]["prestation"], "PAJE");
    assert_eq!(body["ressources"]["trimestre_du_mois"], Value::Null);
}

#[tokio::test]
async fn bq_rsa_consultation_traced_with_its_rubriques() {
    let app = spawn_rsacg_app().await;
    let token = cd_ready(&app).await;
    assert_eq!(
        rsacg(&app, &token, json!({"nir": nir_privas()})).await.status(),
        StatusCode::OK
    );
    let traces = app.traces().await;
    let last = &traces.last().unwrap().trace;
    assert_eq!(last.resultat.code(), "succes");
    assert_eq!(last.bouquet.map(|b| b.code()), Some("RSACG"));
    assert_eq!(last.matricule.as_deref(), Some(MATRICULE_PRIVAS));
    assert_eq!(
        last.rubriques.as_deref(),
        Some("famille,droits,rsa,ressources,adresse")
    );
}

#[tokio::test]
async fn co_3_another_circonscription_reads_like_nobody_and_the_trace_keeps_the_truth() {
    let app = spawn_rsacg_app().await;
    let token = cd_ready(&app).await;
    let unknown = answer(rsacg(&app, &token, json!({"nir": nir_inconnu()})).await).await;
    assert_eq!(unknown.0, StatusCode::NOT_FOUND);
    let outside = answer(rsacg(&app, &token, json!({"nir": nir_aubenas()})).await).await;
    assert_eq!(outside, unknown);
    let last = app.traces().await.last().unwrap().trace.clone();
    assert_eq!(last.resultat.code(), "hors_circonscription");
    assert_eq!(last.matricule.as_deref(), Some(MATRICULE_AUBENAS));
    // By matricule too.
    let unknown = answer(rsacg(&app, &token, json!({"matricule": "R-NULLE-PART"})).await).await;
    assert_eq!(unknown.0, StatusCode::NOT_FOUND);
    let outside = answer(rsacg(&app, &token, json!({"matricule": MATRICULE_AUBENAS})).await).await;
    assert_eq!(outside, unknown);
    // Outside the partner's competence: the same answer.
    let hors = answer(rsacg(&app, &token, json!({"nir": nir_hors_competence()})).await).await;
    assert_eq!(hors.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn co_3_a_dossier_without_rsa_right_reads_like_nobody_and_the_trace_keeps_the_truth() {
    let app = spawn_rsacg_app().await;
    let token = cd_ready(&app).await;
    let unknown = answer(rsacg(&app, &token, json!({"nir": nir_inconnu()})).await).await;
    for nir in [nir_sans_rsa(), nir_martin()] {
        let sans = answer(rsacg(&app, &token, json!({"nir": nir})).await).await;
        assert_eq!(sans, unknown);
        let last = app.traces().await.last().unwrap().trace.clone();
        assert_eq!(last.resultat.code(), "sans_droit_rsa");
    }
    // Not even an opposition shows through a bouquet the dossier is not in.
    let opposed = answer(rsacg(&app, &token, json!({"nir": nir_opposition()})).await).await;
    assert_eq!(opposed, unknown);
}

#[tokio::test]
async fn op_1_an_opposed_rsa_dossier_of_the_circonscription_shows_the_opposition_only() {
    let app = spawn_rsacg_app().await;
    let token = cd_ready(&app).await;
    let (status, body) = problem(rsacg(&app, &token, json!({"nir": nir_rsa_oppose()})).await).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("opposition"))
    );
    assert!(!body.to_string().contains("NOIR"));
}

#[tokio::test]
async fn bq_rsa_search_by_nir_or_matricule_without_name_and_only_with_an_rsacg_habilitation() {
    let app = spawn_rsacg_app().await;
    let token = cd_ready(&app).await;
    for (query, code) in [
        (json!({}), "recherche_incomplete"),
        (json!({"nir": " "}), "recherche_incomplete"),
        (
            json!({"nir": nir_privas(), "matricule": MATRICULE_PRIVAS}),
            "requete_invalide",
        ),
        (json!({"nir": "123"}), "nir_invalide"),
        (json!({"nir": nir_privas(), "mois": 3}), "requete_invalide"),
        // No name in this bouquet's search: an unknown field, like any other.
        (json!({"nir": nir_privas(), "nom": "BLANC"}), "requete_invalide"),
    ] {
        let (status, body) = problem(rsacg(&app, &token, query.clone()).await).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some(code)),
            "{query}"
        );
    }
    // A QF agent is not habilitated to RSACG, and the RSACG agent not to QF.
    let qf_agent = app.agent_ready().await;
    let (status, body) = problem(rsacg(&app, &qf_agent, json!({"nir": nir_privas()})).await).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("non_habilite"))
    );
    let (status, body) = problem(app.consult(&token, json!({"nir": nir_privas()})).await).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("non_habilite"))
    );
}

#[tokio::test]
async fn by_3_rsacg_answers_match_the_documented_schema() {
    use crate::openapi::{check, schema};
    let doc = partage_web::api::openapi::document();
    let app = spawn_rsacg_app().await;
    let token = cd_ready(&app).await;
    for query in [
        json!({"nir": nir_privas()}),
        json!({"matricule": MATRICULE_PRIVAS, "annee": 2030, "mois": 1}),
    ] {
        let body: Value = rsacg(&app, &token, query).await.json().await.unwrap();
        check(&doc, &schema("ConsultationRsacg"), &body, "rsacg").unwrap();
    }
    for query in [
        json!({}),
        json!({"nir": nir_aubenas()}),
        json!({"nir": nir_rsa_oppose()}),
    ] {
        let (status, body) = problem(rsacg(&app, &token, query).await).await;
        check(&doc, &schema("Probleme"), &body, "probleme").unwrap();
        let documented = doc["paths"]["/api/v1/consultations/rsa"]["post"]["responses"][status.as_str()]
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
async fn bq_rsa_page_shows_the_five_rubriques_and_nobody_outside_the_circonscription() {
    use crate::pages::csrf_from;
    let app = spawn_rsacg_app().await;
    cd_ready(&app).await;
    let browser = app.browser();
    let csrf = csrf_from(&app, &browser, "/").await;
    let login = browser
        .post(app.url("/connexion"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("caisse", CAISSE),
            ("identifiant", CD),
            ("mot_de_passe", NOUVEAU_MDP),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), StatusCode::SEE_OTHER);
    let page = browser.get(app.url("/rsacg")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    assert!(
        page.contains(r#"<li><a href="/rsacg">"#),
        "linked from the header: {page}"
    );
    let chercher = |nir: String| {
        let browser = browser.clone();
        let app = &app;
        async move {
            let csrf = csrf_from(app, &browser, "/rsacg").await;
            let res = browser
                .post(app.url("/rsacg"))
                .form(&[
                    ("csrf", csrf.as_str()),
                    ("nir", nir.as_str()),
                    ("matricule", ""),
                    ("annee", "2026"),
                    ("mois", "3"),
                ])
                .send()
                .await
                .unwrap();
            (res.status(), res.text().await.unwrap())
        }
    };
    let (status, html) = chercher(nir_privas()).await;
    assert_eq!(status, StatusCode::OK);
    for titre in ["Famille", "Droits", "RSA", "Ressources", "Adresse"] {
        assert!(
            html.contains(&format!(r#"-titre">{titre}</h2>"#)),
            "{titre}: {html}"
        );
    }
    assert!(html.contains("Droit ouvert") && html.contains("817,48"), "{html}");
    assert!(html.contains("1er trimestre 2026"), "{html}");
    assert!(!html.contains("9\u{202f}876"), "no PSU resources");
    let (status, outside) = chercher(nir_aubenas()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, unknown) = chercher(nir_inconnu()).await;
    let message = |html: &str| {
        html.split("<main")
            .nth(1)
            .map(|m| m.replace(char::is_numeric, ""))
    };
    assert_eq!(message(&outside), message(&unknown));
}
