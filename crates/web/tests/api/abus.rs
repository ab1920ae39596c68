//! Abuse detection (SPEC SU-1, CO-5): the caisse's rules, alerts raised from real consultations, closing
//! them, and surveillance.

use crate::helpers::*;
use crate::openapi::{check, schema};
use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{json, Value};

impl TestApp {
    /// A fresh login of a staff member made by `staff_ready`.
    async fn token_staff(&self, identifiant: &str) -> String {
        let res = self.staff_login(CAISSE, identifiant, NOUVEAU_MDP).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        res.json::<Value>().await.unwrap()["jeton"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    async fn put_regles(&self, token: &str, body: &Value) -> reqwest::Response {
        self.http
            .put(self.url("/api/v1/caisse/abus/regles"))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    async fn analyse(&self, token: &str, du: &str, au: &str) -> reqwest::Response {
        self.http
            .post(self.url("/api/v1/caisse/abus/analyse"))
            .query(&[("du", du), ("au", au)])
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    async fn analyse_ok(&self, token: &str, du: &str, au: &str) -> Value {
        let res = self.analyse(token, du, au).await;
        assert_eq!(res.status(), StatusCode::OK);
        res.json().await.unwrap()
    }

    async fn alertes(&self, token: &str, query: &str) -> Value {
        let res = self
            .get_with(&format!("/api/v1/caisse/abus/alertes?{query}"), token)
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        res.json().await.unwrap()
    }
}

/// `(regle, utilisateur or matricule, compte)` of each alert, sorted.
fn resume(alertes: &Value) -> Vec<(String, String, i64)> {
    let mut v: Vec<_> = alertes
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["regle"].as_str().unwrap().to_owned(),
                a["utilisateur"]
                    .as_str()
                    .or(a["matricule"].as_str())
                    .unwrap()
                    .to_owned(),
                a["compte"].as_i64().unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

fn r(regle: &str, sujet: &str, compte: i64) -> (String, String, i64) {
    (regle.to_owned(), sujet.to_owned(), compte)
}

#[tokio::test]
async fn su_1_rules_default_then_set_by_supervision_as_a_sensitive_act() {
    let app = spawn_app().await;
    let sup = app.staff_ready("superviseur", "supervision").await;
    let res = app.get_with("/api/v1/caisse/abus/regles", &sup).await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["par_defaut"], true);
    let doc = partage_web::api::openapi::document();
    check(&doc, &schema("ReglesAbus"), &body, "regles").unwrap();
    assert_eq!(body["facteur_volume"], 5);

    let res = app
        .put_regles(&sup, &json!({"facteur_volume": 3, "nuit_debut": 20}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        (
            &body["facteur_volume"],
            &body["nuit_debut"],
            &body["nuit_fin"],
            &body["par_defaut"]
        ),
        (&json!(3), &json!(20), &json!(5), &json!(false)),
        "what is not given keeps its value"
    );
    assert_eq!(body["modifiees_par"], "superviseur");

    // A bad threshold is refused with its reason, and nothing is written.
    let (status, body) = problem(
        app.put_regles(&sup, &json!({"facteur_volume": 0, "nuit_fin": 20}))
            .await,
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("requete_invalide"))
    );
    let now: Value = app
        .get_with("/api/v1/caisse/abus/regles", &sup)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!((&now["facteur_volume"], &now["nuit_fin"]), (&json!(3), &json!(5)));

    // Eleven minutes after the password was typed, changing the rules needs it again.
    app.clock.advance(Duration::minutes(11));
    let (status, body) = problem(app.put_regles(&sup, &json!({"facteur_volume": 9})).await).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("reauthentification_requise"))
    );

    // Other roles may not see them.
    let admin = app.staff_ready("admin2", "admin").await;
    for path in [
        "/api/v1/caisse/abus/regles",
        "/api/v1/caisse/abus/alertes?du=2026-03-01&au=2026-03-02",
        "/api/v1/caisse/abus/surveillances",
    ] {
        let (status, body) = problem(app.get_with(path, &admin).await).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::FORBIDDEN, Some("role_requis")),
            "{path}"
        );
    }
    let (status, _) = problem(app.analyse(&admin, "2026-03-02", "2026-03-02").await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn su_1_co_5_analysis_of_real_consultations_raises_each_alert_once() {
    let app = spawn_app().await;
    let sup = app.staff_ready("superviseur", "supervision").await;
    let res = app
        .put_regles(
            &sup,
            &json!({"seuil_introuvables": 3, "seuil_agents_par_dossier": 2}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);

    // 09:00: three NIRs that find nothing, one dossier outside the partner's départements, one found.
    let agent = app.agent_ready().await;
    for _ in 0..3 {
        app.consult(&agent, json!({"nir": nir_inconnu()})).await;
    }
    app.consult(&agent, json!({"nir": nir_hors_competence()})).await;
    app.consult(&agent, json!({"nir": nir_martin()})).await;
    // 23:00 the same day: a night consultation.
    app.clock.advance(Duration::hours(14));
    let agent = app.token(AGENT, NOUVEAU_MDP).await;
    let res = app.consult(&agent, json!({"nir": nir_martin()})).await;
    assert_eq!(res.status(), StatusCode::OK);

    app.clock.advance(Duration::hours(2));
    let sup = app.token_staff("superviseur").await;
    let a = app.analyse_ok(&sup, "2026-03-02", "2026-03-02").await;
    assert_eq!(
        (&a["consultations"], &a["nouvelles_alertes"]),
        (&json!(6), &json!(3))
    );
    let alertes = app.alertes(&sup, "du=2026-03-02&au=2026-03-02").await;
    assert_eq!(
        resume(&alertes),
        [
            r("enumeration", AGENT, 3),
            r("hors_perimetre", AGENT, 1),
            r("nuit", AGENT, 1),
        ],
        "one agent on one dossier is no shared dossier; six consultations are no volume"
    );
    let enumeration = alertes
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["regle"] == "enumeration")
        .unwrap();
    assert_eq!(
        (
            &enumeration["partenaire"],
            &enumeration["seuil"],
            &enumeration["jour"]
        ),
        (&json!("T07"), &json!(3), &json!("2026-03-02"))
    );

    // Idempotent: the same period again raises nothing new.
    let again = app.analyse_ok(&sup, "2026-03-01", "2026-03-03").await;
    assert_eq!(
        (&again["constats"], &again["nouvelles_alertes"]),
        (&json!(3), &json!(0))
    );
    assert_eq!(
        app.alertes(&sup, "du=2026-03-01&au=2026-03-31")
            .await
            .as_array()
            .unwrap()
            .len(),
        3
    );

    // A period in the future, backwards or too long is refused.
    for (du, au) in [
        ("2026-03-02", "2026-03-09"),
        ("2026-03-02", "2026-03-01"),
        ("2025-01-01", "2026-03-01"),
    ] {
        let (status, body) = problem(app.analyse(&sup, du, au).await).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("requete_invalide")),
            "{du} {au}"
        );
    }

    // Every analysis and reading is traced under the supervisor's name.
    let traced: Vec<String> = app
        .traces()
        .await
        .into_iter()
        .filter(|t| t.trace.utilisateur.as_deref() == Some("superviseur"))
        .filter_map(|t| t.trace.rubriques)
        .collect();
    assert!(traced
        .iter()
        .any(|d| d == "abus_analyse=2026-03-02..2026-03-02;constats=3;nouvelles_alertes=3"));
    assert!(traced.iter().any(|d| d.starts_with("abus_regles=modification;")));
    assert!(traced.iter().any(|d| d == "abus_alertes=2026-03-02..2026-03-02"));
}

#[tokio::test]
async fn su_1_alerts_are_closed_with_a_comment_and_lead_to_surveillance() {
    let app = spawn_app().await;
    app.staff_ready("superviseur", "supervision").await;
    let agent = app.agent_ready().await;
    app.consult(&agent, json!({"nir": nir_hors_competence()})).await;
    app.clock.advance(Duration::hours(1));
    let sup = app.token_staff("superviseur").await;
    app.analyse_ok(&sup, "2026-03-02", "2026-03-02").await;
    let alertes = app.alertes(&sup, "du=2026-03-02&au=2026-03-02").await;
    let id = alertes[0]["id"].as_i64().unwrap();
    assert_eq!(alertes[0]["regle"], "hors_perimetre");

    // Surveillance from the alert, then the agent's every day of consultations is listed.
    let res = app
        .post_json(
            "/api/v1/caisse/abus/surveillances",
            Some(&sup),
            &json!({"utilisateur": AGENT, "alerte": id, "motif": "hors périmètre"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let s: Value = res.json().await.unwrap();
    assert_eq!(
        (&s["utilisateur"], &s["alerte"], &s["en_cours"]),
        (&json!(AGENT), &json!(id), &json!(true))
    );
    let (status, body) = problem(
        app.post_json(
            "/api/v1/caisse/abus/surveillances",
            Some(&sup),
            &json!({"utilisateur": AGENT, "motif": "encore"}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("transition_refusee"))
    );

    let (status, body) = problem(
        app.post_json(
            &format!("/api/v1/caisse/abus/alertes/{id}/cloture"),
            Some(&sup),
            &json!({"commentaire": "  "}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("requete_invalide"))
    );
    let res = app
        .post_json(
            &format!("/api/v1/caisse/abus/alertes/{id}/cloture"),
            Some(&sup),
            &json!({"commentaire": "agent mis sous surveillance"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let closed: Value = res.json().await.unwrap();
    assert_eq!(closed["cloture"]["motif"], "agent mis sous surveillance");
    let (status, _) = problem(
        app.post_json(
            &format!("/api/v1/caisse/abus/alertes/{id}/cloture"),
            Some(&sup),
            &json!({"commentaire": "deux fois"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(app.alertes(&sup, "du=2026-03-02&au=2026-03-02").await, json!([]));
    assert_eq!(
        app.alertes(&sup, "du=2026-03-02&au=2026-03-02&toutes=true")
            .await
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // The next day, an ordinary consultation of the agent under surveillance is flagged.
    app.clock.advance(Duration::days(1));
    let agent = app.token(AGENT, NOUVEAU_MDP).await;
    app.consult(&agent, json!({"nir": nir_martin()})).await;
    let sup = app.token_staff("superviseur").await;
    app.analyse_ok(&sup, "2026-03-03", "2026-03-03").await;
    let flagged = app.alertes(&sup, "du=2026-03-03&au=2026-03-03").await;
    assert_eq!(resume(&flagged), [r("surveillance", AGENT, 1)]);
    let doc = partage_web::api::openapi::document();
    check(&doc, &schema("AlerteAbus"), &flagged[0], "alerte").unwrap();
    check(&doc, &schema("AlerteAbus"), &closed, "alerte close").unwrap();
    check(&doc, &schema("Surveillance"), &s, "surveillance").unwrap();

    // Lifting ends it; the history keeps it.
    let res = app
        .post_json(
            &format!("/api/v1/caisse/abus/surveillances/{}/levee", s["id"]),
            Some(&sup),
            &json!({"motif": "rien d'anormal"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let list: Value = app
        .get_with("/api/v1/caisse/abus/surveillances", &sup)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(
        (&list[0]["en_cours"], &list[0]["fin"]["motif"]),
        (&json!(false), &json!("rien d'anormal"))
    );
    app.clock.advance(Duration::days(1));
    let agent = app.token(AGENT, NOUVEAU_MDP).await;
    app.consult(&agent, json!({"nir": nir_martin()})).await;
    let sup = app.token_staff("superviseur").await;
    app.analyse_ok(&sup, "2026-03-04", "2026-03-04").await;
    assert_eq!(app.alertes(&sup, "du=2026-03-04&au=2026-03-04").await, json!([]));
}

#[tokio::test]
async fn su_3_the_caisse_audits_every_act_of_the_partners_administrators() {
    use crate::habilitations::{acte_delegue, avec};
    let app = spawn_app().await;
    app.deleguer_la_commune().await;
    let admin = app.agent_ready().await;
    assert_eq!(
        app.gerer(&admin, &acte_delegue()).await.status(),
        StatusCode::CREATED
    );
    let modification = avec(
        acte_delegue(),
        json!({"nature": "modification", "utilisateur": "cmartin", "fonction": "Responsable"}),
    );
    assert_eq!(app.gerer(&admin, &modification).await.status(), StatusCode::OK);
    app.clock.advance(Duration::days(1));
    let admin = app.token(AGENT, NOUVEAU_MDP).await;
    let suppression = json!({"nature": "suppression", "convention": "QF-07-2025", "bouquet": "QF",
                             "utilisateur": "cmartin"});
    assert_eq!(app.gerer(&admin, &suppression).await.status(), StatusCode::OK);
    // Refused (another convention than his own): listed too.
    let refus = avec(acte_delegue(), json!({"convention": "QF-07B-2026"}));
    assert!(app.gerer(&admin, &refus).await.status().is_client_error());

    app.staff_ready("superviseur", "supervision").await;
    let sup = app.token_staff("superviseur").await;
    let res = app
        .get_with(
            "/api/v1/caisse/gestion-deleguee/actes?partenaire=T07&du=2026-03-01&au=2026-03-31",
            &sup,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let actes: Value = res.json().await.unwrap();
    let vus: Vec<(&str, &str, &str, &str, &str)> = actes
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["administrateur"].as_str().unwrap(),
                a["nature"].as_str().unwrap(),
                a["convention"].as_str().unwrap(),
                a["agent"].as_str().unwrap_or("-"),
                a["resultat"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        vus,
        [
            (AGENT, "acces", "QF-07-2025", "cmartin", "succes"),
            (AGENT, "modification", "QF-07-2025", "cmartin", "succes"),
            (AGENT, "suppression", "QF-07-2025", "cmartin", "succes"),
            (AGENT, "acces", "QF-07B-2026", "-", "refuse"),
        ],
        "the caisse's own habilitation acts are not delegated acts"
    );
    assert_eq!(actes[2]["horodatage"], "2026-03-03T09:00:00Z");
    let doc = partage_web::api::openapi::document();
    check(&doc, &schema("ActeDelegueAudite"), &actes[0], "acte").unwrap();

    // A period, another partner, the CSV export.
    let un_jour: Value = app
        .get_with(
            "/api/v1/caisse/gestion-deleguee/actes?du=2026-03-02&au=2026-03-02",
            &sup,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(un_jour.as_array().unwrap().len(), 2);
    let autre: Value = app
        .get_with(
            "/api/v1/caisse/gestion-deleguee/actes?partenaire=T07B&du=2026-03-01&au=2026-03-31",
            &sup,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(autre, json!([]));
    let res = app
        .get_with(
            "/api/v1/caisse/gestion-deleguee/actes?partenaire=T07&du=2026-03-01&au=2026-03-31&format=csv",
            &sup,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("gestion-deleguee-"));
    let csv = res.text().await.unwrap();
    let lignes: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lignes[0],
        "numero_trace,horodatage,administrateur,partenaire,nature,convention,bouquet,agent,resultat,avant,apres"
    );
    assert_eq!(lignes.len(), 5);
    assert!(
        lignes[3].contains(",agent07,T07,suppression,QF-07-2025,QF,cmartin,succes,statut=actif;"),
        "{}",
        lignes[3]
    );

    // Role supervision only; a bad period is refused.
    let conventions = app.staff_ready("conv", "conventions").await;
    let (status, body) = problem(
        app.get_with(
            "/api/v1/caisse/gestion-deleguee/actes?du=2026-03-01&au=2026-03-31",
            &conventions,
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("role_requis"))
    );
    let (status, _) = problem(
        app.get_with(
            "/api/v1/caisse/gestion-deleguee/actes?du=2025-01-01&au=2026-03-31",
            &sup,
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn su_4_cv_10_the_bilan_annuel_is_produced_from_the_data() {
    use crate::habilitations::{acte_delegue, avec};
    let app = spawn_app().await;
    let hab = app.hab().await;
    assert_eq!(
        app.plafond(&hab, "QF-07-2025", json!(5)).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.administrateur(&hab, AGENT, json!("principal")).await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.gestion(&hab, "QF-07-2025", json!("deleguee")).await,
        StatusCode::NO_CONTENT
    );
    // March: the administrator opens an access and changes it; the agent consults.
    let admin = app.agent_ready().await;
    assert_eq!(
        app.gerer(&admin, &acte_delegue()).await.status(),
        StatusCode::CREATED
    );
    let modification = avec(
        acte_delegue(),
        json!({"nature": "modification", "utilisateur": "cmartin", "fonction": "Responsable"}),
    );
    assert_eq!(app.gerer(&admin, &modification).await.status(), StatusCode::OK);
    app.consult(&admin, json!({"nir": nir_martin()})).await;
    app.consult(&admin, json!({"nir": nir_inconnu()})).await;
    app.consult(&admin, json!({"nir": nir_hors_competence()})).await;
    // April: one more consultation, found.
    app.clock.advance(Duration::days(31));
    let agent = app.token(AGENT, NOUVEAU_MDP).await;
    app.consult(&agent, json!({"nir": nir_martin()})).await;

    // Supervision analyses March and suspends the agent.
    app.staff_ready("superviseur", "supervision").await;
    let sup = app.token_staff("superviseur").await;
    app.analyse_ok(&sup, "2026-03-01", "2026-03-31").await;
    let res = app
        .post_json(
            "/api/v1/caisse/suspensions",
            Some(&sup),
            &json!({"utilisateur": AGENT, "motif": "hors périmètre"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);

    let res = app
        .get_with("/api/v1/caisse/conventions/QF-07-2025/bilan?annee=2026", &sup)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let b: Value = res.json().await.unwrap();
    let doc = partage_web::api::openapi::document();
    check(&doc, &schema("BilanAnnuel"), &b, "bilan").unwrap();
    assert_eq!(
        (&b["annee"], &b["convention"], &b["partenaire"]["numero_tiers"]),
        (&json!(2026), &json!("QF-07-2025"), &json!("T07"))
    );
    assert_eq!(
        b["habilitations"],
        json!({
            "plafond": 5,
            "actives": 2,
            "par_la_caisse": {"accordees": 0, "modifiees": 0, "supprimees": 0},
            "par_le_partenaire": {"accordees": 1, "modifiees": 1, "supprimees": 0}
        })
    );
    assert_eq!(
        b["usage"],
        json!([
            {"mois": 3, "bouquet": "QF", "consultations": 3, "dossiers_trouves": 1, "dossiers_introuvables": 1,
             "oppositions": 0, "refus": 1},
            {"mois": 4, "bouquet": "QF", "consultations": 1, "dossiers_trouves": 1, "dossiers_introuvables": 0,
             "oppositions": 0, "refus": 0}
        ])
    );
    assert_eq!(b["totaux"]["consultations"], 4);
    assert_eq!(b["alertes"], json!({"hors_perimetre": 1}));
    assert_eq!(b["suspensions"].as_array().unwrap().len(), 1);
    assert_eq!(b["suspensions"][0]["utilisateur"], AGENT);

    // Another year is empty but for what holds now; the CSV gives one figure a line.
    let autre: Value = app
        .get_with("/api/v1/caisse/conventions/QF-07-2025/bilan?annee=2025", &sup)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!((&autre["usage"], &autre["suspensions"]), (&json!([]), &json!([])));
    assert_eq!(autre["habilitations"]["par_le_partenaire"]["accordees"], 0);
    let res = app
        .get_with(
            "/api/v1/caisse/conventions/QF-07-2025/bilan?annee=2026&format=csv",
            &sup,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("bilan-QF-07-2025-2026.csv"));
    let csv = res.text().await.unwrap();
    assert!(csv.starts_with("section,mois,bouquet,indicateur,valeur\r\n"));
    for ligne in [
        "habilitations,,,plafond,5",
        "habilitations,,,accordees_par_partenaire,1",
        "usage,3,QF,consultations,3",
        "usage,4,QF,dossiers_trouves,1",
        "alertes,,,hors_perimetre,1",
        "suspensions,,,nombre,1",
    ] {
        assert!(csv.lines().any(|l| l == ligne), "{ligne} in {csv}");
    }

    // Role conventions may read it too; others may not; bad year, unknown convention.
    let conv = app.staff_ready("conv", "conventions").await;
    let res = app
        .get_with("/api/v1/caisse/conventions/QF-07-2025/bilan?annee=2026", &conv)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let admin = app.staff_ready("admin2", "admin").await;
    let (status, body) = problem(
        app.get_with("/api/v1/caisse/conventions/QF-07-2025/bilan?annee=2026", &admin)
            .await,
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("role_requis"))
    );
    for annee in ["2030", "deux", ""] {
        let (status, _) = problem(
            app.get_with(
                &format!("/api/v1/caisse/conventions/QF-07-2025/bilan?annee={annee}"),
                &sup,
            )
            .await,
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{annee}");
    }
    let (status, _) = problem(
        app.get_with("/api/v1/caisse/conventions/QF-59-2025/bilan?annee=2026", &sup)
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another caisse's convention");
}

#[tokio::test]
async fn su_1_the_daily_analysis_covers_yesterday_of_every_caisse_once() {
    let app = spawn_app().await;
    let agent = app.agent_ready().await;
    app.consult(&agent, json!({"nir": nir_hors_competence()})).await;
    // What `partage tick` and the scheduler of `partage serve` run, on the same store and clock.
    let planificateur = partage_app::App::new(
        app.store.clone(),
        std::sync::Arc::new(app.clock.clone()),
        partage_app::Settings::default(),
    )
    .await
    .unwrap();
    assert_eq!(
        planificateur.analyse_quotidienne().await.unwrap(),
        0,
        "today is not analysed yet"
    );
    app.clock.advance(Duration::days(1));
    assert_eq!(planificateur.analyse_quotidienne().await.unwrap(), 1);
    assert_eq!(
        planificateur.analyse_quotidienne().await.unwrap(),
        0,
        "idempotent"
    );
    app.staff_ready("superviseur", "supervision").await;
    let sup = app.token_staff("superviseur").await;
    let alertes = app.alertes(&sup, "du=2026-03-02&au=2026-03-02").await;
    assert_eq!(resume(&alertes), [r("hors_perimetre", AGENT, 1)]);
    let traced = app
        .traces()
        .await
        .into_iter()
        .filter(|t| t.trace.source == "planificateur" && t.trace.caisse.as_deref() == Some(CAISSE))
        .filter_map(|t| t.trace.rubriques)
        .collect::<Vec<_>>();
    assert!(traced.contains(&"abus_analyse=2026-03-02..2026-03-02;constats=1;nouvelles_alertes=1".to_owned()));
}

#[tokio::test]
async fn su_1_volume_above_the_agents_own_usual_fires_from_real_consultations() {
    let app = spawn_app().await;
    let sup = app.staff_ready("superviseur", "supervision").await;
    let res = app
        .put_regles(&sup, &json!({"facteur_volume": 2, "volume_minimum": 3}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    // Day one: four consultations, but no history and no peer to compare with: nothing abnormal.
    let agent = app.agent_ready().await;
    for _ in 0..4 {
        app.consult(&agent, json!({"nir": nir_martin()})).await;
    }
    // Day two: four again, against a usual of one a day (four over 28 days, rounded up): abnormal.
    app.clock.advance(Duration::days(1));
    let agent = app.token(AGENT, NOUVEAU_MDP).await;
    for _ in 0..4 {
        app.consult(&agent, json!({"nir": nir_martin()})).await;
    }
    app.clock.advance(Duration::days(1));
    let sup = app.token_staff("superviseur").await;
    app.analyse_ok(&sup, "2026-03-02", "2026-03-03").await;
    let alertes = app.alertes(&sup, "du=2026-03-02&au=2026-03-03").await;
    assert_eq!(resume(&alertes), [r("volume_anormal", AGENT, 4)]);
    assert_eq!(
        (&alertes[0]["jour"], &alertes[0]["seuil"]),
        (&json!("2026-03-03"), &json!(3))
    );
}

#[tokio::test]
async fn su_3_each_delegated_act_shows_the_habilitation_before_and_after() {
    use crate::habilitations::{acte_delegue, avec};
    let app = spawn_app().await;
    app.deleguer_la_commune().await;
    let admin = app.agent_ready().await;
    assert_eq!(
        app.gerer(&admin, &acte_delegue()).await.status(),
        StatusCode::CREATED
    );
    let modification = avec(
        acte_delegue(),
        json!({"nature": "modification", "utilisateur": "cmartin", "fonction": "Responsable",
               "service": "Petite enfance"}),
    );
    assert_eq!(app.gerer(&admin, &modification).await.status(), StatusCode::OK);
    let suppression = json!({"nature": "suppression", "convention": "QF-07-2025", "bouquet": "QF",
                             "utilisateur": "cmartin"});
    assert_eq!(app.gerer(&admin, &suppression).await.status(), StatusCode::OK);
    // Removing her again is refused: nothing changed, and the audit says so.
    assert!(app.gerer(&admin, &suppression).await.status().is_client_error());

    app.staff_ready("superviseur", "supervision").await;
    let sup = app.token_staff("superviseur").await;
    let url = "/api/v1/caisse/gestion-deleguee/actes?partenaire=T07&du=2026-03-01&au=2026-03-31";
    let actes: Value = app.get_with(url, &sup).await.json().await.unwrap();
    let etats: Vec<(&str, &Value, &Value)> = actes
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["nature"].as_str().unwrap(), &a["avant"], &a["apres"]))
        .collect();
    let accueil = json!({"statut": "actif", "habilitation": "active", "profil": null, "service": null,
                         "fonction": "Agent d'accueil"});
    let responsable = json!({"statut": "actif", "habilitation": "active", "profil": null,
                             "service": "Petite enfance", "fonction": "Responsable"});
    assert_eq!(
        etats,
        [
            ("acces", &Value::Null, &accueil),
            ("modification", &accueil, &responsable),
            ("suppression", &responsable, &Value::Null),
            ("suppression", &Value::Null, &Value::Null),
        ]
    );
    let doc = partage_web::api::openapi::document();
    for a in actes.as_array().unwrap() {
        check(&doc, &schema("ActeDelegueAudite"), a, "acte").unwrap();
    }
    // The CSV carries both states too.
    let csv = app
        .get_with(&format!("{url}&format=csv"), &sup)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        csv.lines().next().unwrap().ends_with(",resultat,avant,apres"),
        "{csv}"
    );
    assert!(
        csv.contains(
            ",succes,statut=actif;habilitation=active;fonction=Agent d'accueil,\
             statut=actif;habilitation=active;service=Petite enfance;fonction=Responsable"
        ),
        "{csv}"
    );
}
