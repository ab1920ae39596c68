//! Supervision by the caisse (SPEC TR-3, SU-2, AU-6, BY-1): trace requests and exports, suspensions, and
//! the partners that consulted a dossier.

use crate::helpers::*;
use chrono::Duration;
use partage_domain::trace::{Action, Resultat};
use reqwest::StatusCode;
use serde_json::{json, Value};

const SUPERVISEUR: &str = "superviseur";

impl TestApp {
    async fn supervision(&self) -> String {
        self.staff_ready(SUPERVISEUR, "supervision").await
    }

    async fn traces_query(&self, token: &str, query: &[(&str, &str)]) -> reqwest::Response {
        self.http
            .get(self.url("/api/v1/caisse/traces"))
            .query(query)
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    /// `(utilisateur, action, resultat)` of the traces a request answers.
    async fn found(&self, token: &str, query: &[(&str, &str)]) -> Vec<(String, String, String)> {
        let res = self.traces_query(token, query).await;
        assert_eq!(res.status(), StatusCode::OK, "{query:?}");
        let body: Value = res.json().await.unwrap();
        body["traces"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                (
                    t["utilisateur"].as_str().unwrap_or_default().to_owned(),
                    t["action"].as_str().unwrap().to_owned(),
                    t["resultat"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }

    async fn suspend(&self, token: &str, body: Value) -> reqwest::Response {
        self.post_json("/api/v1/caisse/suspensions", Some(token), &body)
            .await
    }

    /// A suspension that must be recorded, as answered.
    async fn suspend_ok(&self, token: &str, body: Value) -> Value {
        let res = self.suspend(token, body).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        res.json().await.unwrap()
    }

    async fn suspensions_list(&self, token: &str) -> Value {
        let res = self.get_with("/api/v1/caisse/suspensions", token).await;
        assert_eq!(res.status(), StatusCode::OK);
        res.json().await.unwrap()
    }
}

fn row(u: &str, a: &str, r: &str) -> (String, String, String) {
    (u.to_owned(), a.to_owned(), r.to_owned())
}

#[tokio::test]
async fn tr_3_trace_requests_by_user_partner_dossier_bouquet_result_and_period_stay_in_the_caisse() {
    let app = spawn_app().await;
    // Another caisse's trace with the same identifier: never shown (TEN-1).
    app.login(AUTRE_CAISSE, AGENT, "x").await;
    let agent = app.agent_ready().await;
    app.consult(&agent, json!({"nir": nir_martin()})).await;
    app.consult(&agent, json!({"nir": nir_inconnu()})).await;
    app.clock.advance(Duration::days(2));
    let agent = app.token(AGENT, NOUVEAU_MDP).await;
    app.consult(&agent, json!({"nir": nir_claire()})).await;
    let hv = app.token(AGENT_HV, AGENT_HV_MDP).await;
    app.change_password(&hv, AGENT_HV_MDP, NOUVEAU_MDP).await;
    let token = app.supervision().await;

    let consultation_ok = row(AGENT, "consultation", "succes");
    assert_eq!(
        app.found(&token, &[("utilisateur", AGENT), ("action", "consultation")])
            .await,
        [
            consultation_ok.clone(),
            row(AGENT, "consultation", "dossier_introuvable"),
            consultation_ok.clone()
        ]
    );
    let all_of_agent = app.found(&token, &[("utilisateur", AGENT)]).await;
    assert_eq!(
        all_of_agent.len(),
        6,
        "deux connexions, mot de passe, trois consultations : {all_of_agent:?}"
    );
    assert_eq!(
        app.found(&token, &[("partenaire", "T07B")]).await,
        [
            row(AGENT_HV, "connexion", "succes"),
            row(AGENT_HV, "changement_mot_de_passe", "succes")
        ]
    );
    // A dossier by matricule, or by any NIR of its people: the consultations that named it.
    let martin = [consultation_ok.clone(), consultation_ok.clone()];
    let c = ("action", "consultation");
    assert_eq!(
        app.found(&token, &[("matricule", MATRICULE_MARTIN), c]).await,
        martin
    );
    assert_eq!(app.found(&token, &[("nir", &nir_martin()), c]).await, martin);
    assert_eq!(app.found(&token, &[("nir", &nir_claire()), c]).await, martin);
    // A NIR that found nothing: the trace kept its hash.
    assert_eq!(
        app.found(&token, &[("nir", &nir_inconnu()), c]).await,
        [row(AGENT, "consultation", "dossier_introuvable")]
    );
    // Supervision's own requests about the dossier (by matricule or by NIR) are among its traces too, this
    // one included: it is traced before it is answered.
    let request = row(SUPERVISEUR, "requete_traces", "succes");
    assert_eq!(
        app.found(&token, &[("matricule", MATRICULE_MARTIN)]).await,
        [
            consultation_ok.clone(),
            consultation_ok.clone(),
            request.clone(),
            request.clone(),
            request.clone(),
            request
        ]
    );
    assert_eq!(
        app.found(&token, &[("bouquet", "QF"), ("resultat", "dossier_introuvable")])
            .await,
        [row(AGENT, "consultation", "dossier_introuvable")]
    );
    // Inclusive days, UTC: 2 March only, then 4 March only.
    assert_eq!(
        app.found(
            &token,
            &[
                ("action", "consultation"),
                ("du", "2026-03-02"),
                ("au", "2026-03-02")
            ]
        )
        .await
        .len(),
        2
    );
    assert_eq!(
        app.found(
            &token,
            &[
                ("action", "consultation"),
                ("du", "2026-03-04"),
                ("au", "2026-03-04")
            ]
        )
        .await,
        [consultation_ok]
    );
    assert!(app
        .found(&token, &[("du", "2026-03-05")])
        .await
        .iter()
        .all(|(u, _, _)| u == SUPERVISEUR));

    // The request itself is traced: who, which filters, the NIR only as its hash.
    let traces = app.traces().await;
    let requests: Vec<_> = traces
        .iter()
        .filter(|t| t.trace.action == Action::RequeteTraces)
        .collect();
    assert_eq!(requests.len(), 12);
    assert!(requests
        .iter()
        .all(|t| t.trace.utilisateur.as_deref() == Some(SUPERVISEUR)
            && t.trace.caisse.as_deref() == Some(CAISSE)
            && t.trace.resultat == Resultat::Succes));
    assert_eq!(
        requests[0].trace.rubriques.as_deref(),
        Some("utilisateur=agent07;action=consultation")
    );
    let by_nir = &requests[4].trace;
    assert_eq!(
        by_nir.rubriques.as_deref(),
        Some("action=consultation;nir=<empreinte>")
    );
    assert_eq!(by_nir.nir_hache.as_ref().map(String::len), Some(64));
    assert_eq!(by_nir.matricule.as_deref(), Some(MATRICULE_MARTIN));
    for t in &traces {
        let line = serde_json::to_string(&t.trace).unwrap();
        assert!(
            !line.contains(&nir_martin()) && !line.contains(&nir_claire()),
            "NIR en clair : {line}"
        );
    }
}

#[tokio::test]
async fn tr_3_pages_follow_the_trace_id() {
    let app = spawn_app().await;
    let agent = app.agent_ready().await;
    for _ in 0..3 {
        app.consult(&agent, json!({"nir": nir_martin()})).await;
    }
    let token = app.supervision().await;
    // (trace numbers, next) of the page of agent07's traces after `apres`, two by two.
    let page = |apres: Option<i64>| {
        let app = &app;
        let token = token.clone();
        async move {
            let apres = apres.map(|n| n.to_string()).unwrap_or_default();
            let mut q = vec![("utilisateur", AGENT), ("limite", "2")];
            if !apres.is_empty() {
                q.push(("apres", &apres));
            }
            let body: Value = app.traces_query(&token, &q).await.json().await.unwrap();
            let ids: Vec<i64> = body["traces"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["numero"].as_i64().unwrap())
                .collect();
            (ids, body["suivant"].as_i64())
        }
    };
    let (first, next) = page(None).await;
    assert_eq!(first.len(), 2);
    assert_eq!(next, Some(first[1]));
    let (second, next) = page(next).await;
    assert_eq!(second.len(), 2);
    assert!(second[0] > first[1]);
    let (last, next) = page(next).await;
    assert_eq!(last.len(), 1, "connexion, mot de passe, trois consultations");
    assert_eq!(next, None);
}

#[tokio::test]
async fn tr_3_bad_filters_are_refused_with_a_code_and_a_french_message() {
    let app = spawn_app().await;
    let token = app.supervision().await;
    for (query, code, mot) in [
        (vec![("bouquet", "XYZ")], "requete_invalide", "bouquet"),
        (vec![("nir", "1850507186001")], "nir_invalide", "NIR"),
        (
            vec![("du", "2026-03-05"), ("au", "2026-03-01")],
            "requete_invalide",
            "période",
        ),
        (vec![("du", "05/03/2026")], "requete_invalide", "date"),
        (vec![("resultat", "gagne")], "requete_invalide", "resultat"),
        (vec![("action", "vol")], "requete_invalide", "action"),
        (vec![("limite", "1001")], "requete_invalide", "limite"),
        (vec![("limite", "0")], "requete_invalide", "limite"),
        (vec![("apres", "-3")], "requete_invalide", "apres"),
        (vec![("partenaire", "T 07")], "requete_invalide", "tiers"),
        (vec![("utilisatuer", AGENT)], "requete_invalide", "inconnu"),
        (
            vec![("utilisateur", AGENT), ("utilisateur", AGENT_HV)],
            "requete_invalide",
            "plusieurs",
        ),
        (
            vec![("matricule", MATRICULE_MARTIN), ("nir", "1850507186001")],
            "requete_invalide",
            "pas les deux",
        ),
        (vec![("format", "xlsx")], "requete_invalide", "format"),
    ] {
        let (status, body) = problem(app.traces_query(&token, &query).await).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query:?}");
        assert_eq!(body["code"], code, "{query:?}");
        assert!(
            body["detail"].as_str().unwrap().contains(mot),
            "{query:?}: {body}"
        );
    }
    // Refused filters are traced as such; the invalid NIR never in clear.
    let refused: Vec<_> = app
        .traces()
        .await
        .into_iter()
        .filter(|t| t.trace.action == Action::RequeteTraces)
        .map(|t| t.trace.resultat)
        .collect();
    assert!(refused.contains(&Resultat::NirInvalide));
    assert!(refused.contains(&Resultat::RequeteInvalide));
}

#[tokio::test]
async fn tr_3_only_the_supervision_role_may_request_traces() {
    let app = spawn_app().await;
    let admin = app.staff_ready("admin1", "admin,conventions").await;
    for path in [
        "/api/v1/caisse/traces",
        "/api/v1/caisse/suspensions",
        &format!("/api/v1/caisse/dossiers/{MATRICULE_MARTIN}/consultations"),
    ] {
        let (status, body) = problem(app.get_with(path, &admin).await).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        assert_eq!(body["code"], "role_requis");
    }
    let (status, body) = problem(
        app.suspend(&admin, json!({"utilisateur": AGENT, "motif": "essai"}))
            .await,
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("role_requis"))
    );
    // A partner agent's token is unknown to the back office.
    let agent = app.agent_ready().await;
    let res = app.get_with("/api/v1/caisse/traces", &agent).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn tr_3_csv_and_json_lines_exports_with_quoting_and_a_file_name() {
    let app = spawn_app().await;
    // What was typed at the login form is traced as typed: a comma, quotes, a leading `=`.
    let typed = "dupont, \"le grand\"";
    app.login(CAISSE, typed, "x").await;
    app.login(CAISSE, "=HYPERLINK(1)", "x").await;
    let token = app.supervision().await;

    let res = app
        .traces_query(
            &token,
            &[
                ("action", "connexion"),
                ("resultat", "echec_identifiant_inconnu"),
                ("format", "csv"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    assert_eq!(
        res.headers()["content-disposition"],
        "attachment; filename=\"traces-MSA-ADL.csv\""
    );
    let csv = res.text().await.unwrap();
    let lines: Vec<&str> = csv.split("\r\n").collect();
    assert_eq!(
        lines[0],
        "numero,horodatage,caisse,utilisateur,partenaire,source,action,bouquet,rubriques,matricule,empreinte_nir,resultat"
    );
    assert_eq!(lines.len(), 4, "en-tête, deux lignes, fin : {csv}");
    assert!(
        lines[1].contains(
            ",MSA-ADL,\"dupont, \"\"le grand\"\"\",,127.0.0.1,connexion,,,,,echec_identifiant_inconnu"
        ),
        "{}",
        lines[1]
    );
    assert!(lines[2].contains(",'=HYPERLINK(1),"), "{}", lines[2]);
    assert_eq!(lines[3], "");

    let res = app
        .traces_query(&token, &[("utilisateur", typed), ("format", "jsonl")])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/x-ndjson");
    assert_eq!(
        res.headers()["content-disposition"],
        "attachment; filename=\"traces-MSA-ADL.jsonl\""
    );
    let body = res.text().await.unwrap();
    let lines: Vec<Value> = body.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["utilisateur"], typed);
    assert_eq!(lines[0]["empreinte_nir"], Value::Null);

    let exports: Vec<_> = app
        .traces()
        .await
        .into_iter()
        .filter(|t| t.trace.action == Action::RequeteTraces)
        .filter_map(|t| t.trace.rubriques)
        .collect();
    assert_eq!(
        exports,
        [
            "resultat=echec_identifiant_inconnu;action=connexion;export=csv".to_owned(),
            format!("utilisateur={typed};export=jsonl")
        ]
    );
}

#[tokio::test]
async fn su_2_suspension_ends_the_live_session_at_once_and_refuses_login_after_the_password() {
    let app = spawn_app().await;
    let agent = app.agent_ready().await;
    assert_eq!(
        app.consult(&agent, json!({"nir": nir_martin()})).await.status(),
        StatusCode::OK
    );
    let token = app.supervision().await;

    let res = app
        .suspend(
            &token,
            json!({"utilisateur": AGENT, "motif": "consultations sans rapport avec la mission"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let s: Value = res.json().await.unwrap();
    assert_eq!(s["utilisateur"], AGENT);
    assert_eq!(s["partenaire"], Value::Null);
    assert_eq!(s["jusqu_au"], Value::Null);
    assert_eq!(s["par"], SUPERVISEUR);
    assert_eq!(s["en_cours"], true);
    assert_eq!(s["sessions_terminees"], 1);

    // The very next consultation with the old token: no session any more.
    let (status, body) = problem(app.consult(&agent, json!({"nir": nir_martin()})).await).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("non_authentifie"))
    );

    // The right password: told he is suspended. A wrong one: the uniform answer, as for anyone.
    let (status, body) = problem(app.login(CAISSE, AGENT, NOUVEAU_MDP).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["code"], "compte_suspendu");
    assert!(body["detail"].as_str().unwrap().contains("suspendu"));
    let wrong = answer(app.login(CAISSE, AGENT, "pas le bon mot de passe").await).await;
    let unknown = answer(app.login(CAISSE, "personne", "pas le bon mot de passe").await).await;
    assert_eq!(wrong, unknown);
    assert_eq!(wrong.0, StatusCode::UNAUTHORIZED);

    let codes = app.trace_codes().await;
    assert!(codes.contains(&("suspension".to_owned(), "succes".to_owned())));
    assert!(codes.contains(&("connexion".to_owned(), "compte_suspendu".to_owned())));
    let suspension = app
        .traces()
        .await
        .into_iter()
        .find(|t| t.trace.action == Action::Suspension)
        .unwrap();
    assert_eq!(
        suspension.trace.rubriques.unwrap(),
        format!(
            "suspension={};utilisateur={AGENT};jusqu_au=definitive;sessions_terminees=1",
            s["id"]
        )
    );
}

#[tokio::test]
async fn au_6_temporary_suspension_ends_by_itself_at_its_date() {
    let app = spawn_app().await;
    app.agent_ready().await;
    let token = app.supervision().await;
    let fin = (t0() + Duration::minutes(20)).to_rfc3339();
    let res = app
        .suspend(
            &token,
            json!({"utilisateur": AGENT, "jusqu_au": fin, "motif": "vérification en cours"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let (status, body) = problem(app.login(CAISSE, AGENT, NOUVEAU_MDP).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("jusqu'au 02/03/2026 à 09:20"),
        "{body}"
    );

    app.clock.advance(Duration::minutes(19));
    assert_eq!(
        app.login(CAISSE, AGENT, NOUVEAU_MDP).await.status(),
        StatusCode::FORBIDDEN
    );
    app.clock.advance(Duration::minutes(1));
    assert_eq!(
        app.login(CAISSE, AGENT, NOUVEAU_MDP).await.status(),
        StatusCode::CREATED
    );
    let list = app.suspensions_list(&token).await;
    assert_eq!(list[0]["en_cours"], false);
    assert_eq!(list[0]["levee"], Value::Null);
}

#[tokio::test]
async fn su_2_lifting_restores_login_and_is_traced() {
    let app = spawn_app().await;
    app.agent_ready().await;
    let token = app.supervision().await;
    let s = app
        .suspend_ok(&token, json!({"utilisateur": AGENT, "motif": "doute"}))
        .await;
    let levee = format!("/api/v1/caisse/suspensions/{}/levee", s["id"]);
    let (status, body) = problem(app.post_json(&levee, Some(&token), &json!({})).await).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("requete_invalide"))
    );

    app.clock.advance(Duration::minutes(5));
    let res = app
        .post_json(&levee, Some(&token), &json!({"motif": "doute levé après appel"}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let lifted: Value = res.json().await.unwrap();
    assert_eq!(lifted["en_cours"], false);
    assert_eq!(lifted["levee"]["par"], SUPERVISEUR);
    assert_eq!(lifted["levee"]["motif"], "doute levé après appel");
    assert_eq!(
        app.login(CAISSE, AGENT, NOUVEAU_MDP).await.status(),
        StatusCode::CREATED
    );

    let (status, body) = problem(
        app.post_json(&levee, Some(&token), &json!({"motif": "encore"}))
            .await,
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("transition_refusee"))
    );
    let (status, body) = problem(
        app.post_json(
            "/api/v1/caisse/suspensions/999999/levee",
            Some(&token),
            &json!({"motif": "?"}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("introuvable"))
    );

    let list = app.suspensions_list(&token).await;
    assert_eq!(
        list.as_array().unwrap().len(),
        1,
        "the history keeps the lifted suspension"
    );
    assert_eq!(list[0]["motif"], "doute");
    assert_eq!(list[0]["levee"]["motif"], "doute levé après appel");
    let levees: Vec<_> = app
        .traces()
        .await
        .into_iter()
        .filter(|t| t.trace.action == Action::LeveeSuspension)
        .map(|t| t.trace.resultat)
        .collect();
    // The body without a motif was refused before reaching the use case.
    assert_eq!(levees, [Resultat::Succes, Resultat::Refuse, Resultat::Refuse]);
}

#[tokio::test]
async fn au_6_partner_suspension_covers_every_user_of_the_partner() {
    let app = spawn_app().await;
    let agent = app.agent_ready().await;
    let sans = app.token(AGENT_SANS, AGENT_SANS_MDP).await;
    let hv = app.token(AGENT_HV, AGENT_HV_MDP).await;
    let token = app.supervision().await;
    let s = app
        .suspend_ok(
            &token,
            json!({"partenaire": "T07", "motif": "convention dénoncée pour abus"}),
        )
        .await;
    assert_eq!(s["partenaire"], "T07");
    assert_eq!(s["sessions_terminees"], 2);
    for t in [&agent, &sans] {
        assert_eq!(
            app.consult(t, json!({"nir": nir_martin()})).await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    // Another partner's agent keeps his session.
    assert_ne!(
        app.consult(&hv, json!({"nir": nir_martin()})).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let (status, body) = problem(app.login(CAISSE, AGENT_SANS, AGENT_SANS_MDP).await).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("compte_suspendu"))
    );
    assert_eq!(
        app.login(CAISSE, AGENT_HV, AGENT_HV_MDP).await.status(),
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn su_2_bad_suspensions_are_refused_and_write_nothing() {
    let app = spawn_app().await;
    let token = app.supervision().await;
    let passe = (t0() - Duration::minutes(1)).to_rfc3339();
    for (body, status, code) in [
        (json!({"motif": "?"}), StatusCode::BAD_REQUEST, "requete_invalide"),
        (
            json!({"utilisateur": AGENT, "partenaire": "T07", "motif": "?"}),
            StatusCode::BAD_REQUEST,
            "requete_invalide",
        ),
        (
            json!({"utilisateur": AGENT}),
            StatusCode::BAD_REQUEST,
            "requete_invalide",
        ),
        (
            json!({"utilisateur": AGENT, "motif": "  "}),
            StatusCode::BAD_REQUEST,
            "requete_invalide",
        ),
        (
            json!({"utilisateur": AGENT, "motif": "?", "jusqu_au": passe}),
            StatusCode::BAD_REQUEST,
            "requete_invalide",
        ),
        (
            json!({"utilisateur": AGENT, "motif": "?", "jusqu_au": "demain"}),
            StatusCode::BAD_REQUEST,
            "requete_invalide",
        ),
        (
            json!({"utilisateur": "inconnu", "motif": "?"}),
            StatusCode::NOT_FOUND,
            "introuvable",
        ),
        (
            json!({"partenaire": "T59", "motif": "autre caisse"}),
            StatusCode::NOT_FOUND,
            "introuvable",
        ),
    ] {
        let (s, b) = problem(app.suspend(&token, body.clone()).await).await;
        assert_eq!((s, b["code"].as_str()), (status, Some(code)), "{body}");
    }
    let list = app.suspensions_list(&token).await;
    assert_eq!(list, json!([]));
    assert_eq!(
        app.login(CAISSE, AGENT, AGENT_MDP_PROVISOIRE).await.status(),
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn by_1_the_partners_that_consulted_a_dossier_when_and_through_which_bouquet() {
    let app = spawn_app().await;
    let agent = app.agent_ready().await;
    app.consult(&agent, json!({"nir": nir_martin()})).await;
    app.clock.advance(Duration::minutes(10));
    app.consult(&agent, json!({"nir": nir_claire(), "annee": 2025, "mois": 9}))
        .await;
    // Refused consultations showed nothing: not reported.
    app.consult(&agent, json!({"nir": nir_opposition()})).await;
    let token = app.supervision().await;

    let res = app
        .get_with(
            &format!("/api/v1/caisse/dossiers/{MATRICULE_MARTIN}/consultations"),
            &token,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["matricule"], MATRICULE_MARTIN);
    let partner = json!({"numero_tiers": "T07", "nom": "Commune de Privas"});
    assert_eq!(
        body["consultations"],
        json!([
            {"horodatage": "2026-03-02T09:00:00Z", "partenaire": partner, "bouquet": "QF", "bouquet_libelle": "Consultation du Quotient Familial"},
            {"horodatage": "2026-03-02T09:10:00Z", "partenaire": partner, "bouquet": "QF", "bouquet_libelle": "Consultation du Quotient Familial"},
        ])
    );
    assert!(!body.to_string().contains(AGENT), "the partner, never the agent");

    let res = app
        .get_with(
            &format!("/api/v1/caisse/dossiers/{MATRICULE_OPPOSITION}/consultations"),
            &token,
        )
        .await;
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["consultations"], json!([]));
    // Another caisse's dossier is unknown here (TEN-1).
    for m in ["5900789", "0000000"] {
        let (status, body) = problem(
            app.get_with(&format!("/api/v1/caisse/dossiers/{m}/consultations"), &token)
                .await,
        )
        .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::NOT_FOUND, Some("dossier_introuvable"))
        );
    }
    let releves: Vec<_> = app
        .traces()
        .await
        .into_iter()
        .filter(|t| t.trace.action == Action::ReleveConsultations)
        .map(|t| (t.trace.matricule, t.trace.resultat))
        .collect();
    assert_eq!(
        releves,
        [
            (Some(MATRICULE_MARTIN.to_owned()), Resultat::Succes),
            (Some(MATRICULE_OPPOSITION.to_owned()), Resultat::Succes),
            (Some("5900789".to_owned()), Resultat::DossierIntrouvable),
            (Some("0000000".to_owned()), Resultat::DossierIntrouvable),
        ]
    );
}

#[tokio::test]
async fn tr_3_supervision_answers_match_the_documented_schemas() {
    use crate::openapi::{check, schema};
    let doc = partage_web::api::openapi::document();
    let app = spawn_app().await;
    let agent = app.agent_ready().await;
    app.consult(&agent, json!({"nir": nir_martin()})).await;
    let token = app.supervision().await;
    let page: Value = app
        .traces_query(&token, &[("limite", "3")])
        .await
        .json()
        .await
        .unwrap();
    check(&doc, &schema("PageTraces"), &page, "page").unwrap();
    let s = app
        .suspend_ok(
            &token,
            json!({"utilisateur": AGENT, "motif": "essai", "jusqu_au": "2026-04-01T00:00:00Z"}),
        )
        .await;
    check(&doc, &schema("Suspension"), &s, "suspension").unwrap();
    let levee = format!("/api/v1/caisse/suspensions/{}/levee", s["id"]);
    let lifted: Value = app
        .post_json(&levee, Some(&token), &json!({"motif": "fin"}))
        .await
        .json()
        .await
        .unwrap();
    check(&doc, &schema("Suspension"), &lifted, "levee").unwrap();
    let releve: Value = app
        .get_with(
            &format!("/api/v1/caisse/dossiers/{MATRICULE_MARTIN}/consultations"),
            &token,
        )
        .await
        .json()
        .await
        .unwrap();
    check(&doc, &schema("ReleveConsultations"), &releve, "releve").unwrap();
    // The suspended agent's refusal is documented on the login path.
    app.suspend(&token, json!({"utilisateur": AGENT, "motif": "essai"}))
        .await;
    let res = app.login(CAISSE, AGENT, NOUVEAU_MDP).await;
    let body: Value = res.json().await.unwrap();
    let described = doc["paths"]["/api/v1/session"]["post"]["responses"]["403"]["description"]
        .as_str()
        .unwrap();
    assert!(described.contains(&format!("`{}`", body["code"].as_str().unwrap())));
}

#[tokio::test]
async fn tr_4_monthly_statistics_per_partner_bouquet_and_agent_from_the_traces() {
    use crate::openapi::{check, schema};
    let app = spawn_app().await;
    let agent = app.agent_ready().await;
    app.consult(&agent, json!({"nir": nir_martin()})).await;
    app.consult(&agent, json!({"nir": nir_inconnu()})).await;
    app.consult(&agent, json!({"nir": nir_opposition()})).await;
    app.consult(&agent, json!({"nir": nir_hors_competence()})).await;
    app.login(CAISSE, AGENT_HV, "pas le bon").await;
    let token = app.supervision().await;

    let res = app
        .get_with("/api/v1/caisse/statistiques?mois=2026-03", &token)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    check(
        &partage_web::api::openapi::document(),
        &schema("Statistiques"),
        &body,
        "stats",
    )
    .unwrap();
    assert_eq!(body["mois"], "2026-03");
    assert_eq!(
        body["lignes"],
        json!([
            {"partenaire": {"numero_tiers": "T07", "nom": "Commune de Privas"}, "convention": "QF-07-2025", "bouquet": "QF", "utilisateur": AGENT,
             "consultations": 4, "dossiers_trouves": 1, "dossiers_introuvables": 1, "oppositions": 1, "refus": 1, "echecs_connexion": 0},
            {"partenaire": {"numero_tiers": "T07B", "nom": "CCAS d'Annonay"}, "convention": null, "bouquet": null, "utilisateur": AGENT_HV,
             "consultations": 0, "dossiers_trouves": 0, "dossiers_introuvables": 0, "oppositions": 0, "refus": 0, "echecs_connexion": 1},
        ])
    );
    assert_eq!(body["totaux"]["consultations"], 4);
    assert_eq!(body["totaux"]["echecs_connexion"], 1);

    let res = app
        .get_with("/api/v1/caisse/statistiques?mois=2026-03&format=csv", &token)
        .await;
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    assert_eq!(
        res.headers()["content-disposition"],
        "attachment; filename=\"statistiques-MSA-ADL-2026-03.csv\""
    );
    assert_eq!(
        res.text().await.unwrap(),
        "partenaire,nom_partenaire,convention,bouquet,utilisateur,consultations,dossiers_trouves,dossiers_introuvables,oppositions,refus,echecs_connexion\r\n\
         T07,Commune de Privas,QF-07-2025,QF,agent07,4,1,1,1,1,0\r\n\
         T07B,CCAS d'Annonay,,,agent-hv,0,0,0,0,0,1\r\n"
    );
    let empty: Value = app
        .get_with("/api/v1/caisse/statistiques?mois=2026-04", &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(empty["lignes"], json!([]));
    for q in [
        "",
        "?mois=2026-13",
        "?mois=mars",
        "?mois=2026-03&format=pdf",
        "?mois=2026-03&agent=x",
    ] {
        let (status, body) = problem(
            app.get_with(&format!("/api/v1/caisse/statistiques{q}"), &token)
                .await,
        )
        .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("requete_invalide")),
            "{q}"
        );
    }
    let admin = app.staff_ready("admin1", "admin").await;
    let (status, _) = problem(
        app.get_with("/api/v1/caisse/statistiques?mois=2026-03", &admin)
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let stats: Vec<_> = app
        .traces()
        .await
        .into_iter()
        .filter(|t| {
            t.trace
                .rubriques
                .as_deref()
                .is_some_and(|r| r.starts_with("statistiques="))
        })
        .collect();
    assert_eq!(stats.len(), 3);
}

#[tokio::test]
async fn su_2_suspending_or_lifting_needs_a_login_of_less_than_ten_minutes() {
    let app = spawn_app().await;
    let token = app.supervision().await;
    let s = app
        .suspend_ok(&token, json!({"utilisateur": AGENT, "motif": "doute"}))
        .await;
    app.clock.advance(Duration::minutes(11));
    // Reading stays possible, and keeps the session alive.
    assert_eq!(
        app.get_with("/api/v1/caisse/suspensions", &token).await.status(),
        StatusCode::OK
    );
    let (status, body) = problem(
        app.suspend(&token, json!({"partenaire": "T07", "motif": "abus"}))
            .await,
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("reauthentification_requise"))
    );
    let levee = format!("/api/v1/caisse/suspensions/{}/levee", s["id"]);
    let (status, body) = problem(
        app.post_json(&levee, Some(&token), &json!({"motif": "fin"}))
            .await,
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("reauthentification_requise"))
    );
    let list = app.suspensions_list(&token).await;
    assert_eq!(list.as_array().unwrap().len(), 1, "nothing written");
    assert_eq!(list[0]["levee"], Value::Null);

    let res = app.staff_login(CAISSE, SUPERVISEUR, NOUVEAU_MDP).await;
    let fresh = res.json::<Value>().await.unwrap()["jeton"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        app.post_json(&levee, Some(&fresh), &json!({"motif": "fin"}))
            .await
            .status(),
        StatusCode::OK
    );
    let refusals = app
        .traces()
        .await
        .into_iter()
        .filter(|t| t.trace.resultat.code() == "reauthentification_requise")
        .count();
    assert_eq!(refusals, 2);
}
