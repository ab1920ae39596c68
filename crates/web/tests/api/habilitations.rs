//! SPEC HB: habilitation requests recorded and processed by a habilitated caisse agent, grants, the cap,
//! profiles, lost credentials and the directory of extranautes.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// Claire Martin's access to QF through the convention of the commune of Privas, signed by the mayor.
pub(crate) fn formulaire() -> Value {
    json!({
        "nature": "acces",
        "partenaire": "T07",
        "convention": "QF-07-2025",
        "bouquet": "QF",
        "civilite": "Mme",
        "nom": "Martin",
        "prenom": "Claire",
        "service": "Restauration scolaire",
        "adresse_service": "Place de l'Hôtel de Ville, 07000 Privas",
        "fonction": "Agent d'accueil",
        "email": "claire.martin@privas.example.fr",
        "signataire": "Michel Valla",
        "fonction_signataire": "Maire",
        "signee_le": "2026-02-27"
    })
}

pub(crate) fn avec(mut v: Value, champs: Value) -> Value {
    if let (Some(o), Value::Object(c)) = (v.as_object_mut(), champs) {
        for (k, val) in c {
            if val.is_null() {
                o.remove(&k);
            } else {
                o.insert(k, val);
            }
        }
    }
    v
}

impl TestApp {
    pub(crate) async fn hab(&self) -> String {
        self.staff_ready("hab", "habilitation,conventions").await
    }

    async fn demande(&self, token: &str, body: &Value) -> reqwest::Response {
        self.post_json("/api/v1/caisse/demandes", Some(token), body).await
    }

    /// Records the form and returns the request's JSON.
    pub(crate) async fn demande_ok(&self, token: &str, body: &Value) -> Value {
        let res = self.demande(token, body).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        res.json().await.unwrap()
    }

    async fn acte(&self, token: &str, id: &Value, acte: &str, body: &Value) -> reqwest::Response {
        self.post_json(&format!("/api/v1/caisse/demandes/{id}/{acte}"), Some(token), body)
            .await
    }

    async fn liste(&self, token: &str, query: &str) -> Vec<Value> {
        let res = self
            .get_with(&format!("/api/v1/caisse/demandes{query}"), token)
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        res.json().await.unwrap()
    }

    pub(crate) async fn plafond(&self, token: &str, numero: &str, plafond: Value) -> reqwest::Response {
        self.http
            .put(self.url(&format!("/api/v1/caisse/conventions/{numero}/plafond")))
            .bearer_auth(token)
            .json(&json!({ "plafond": plafond }))
            .send()
            .await
            .unwrap()
    }

    /// Records and grants an access request, credentials for a sealed letter; the grant's answer.
    pub(crate) async fn accorder_acces(&self, token: &str, body: &Value) -> reqwest::Response {
        let d = self.demande_ok(token, body).await;
        self.acte(token, &d["id"], "accorder", &json!({"remise": "pli"}))
            .await
    }

    /// Every trace, as one text: to look for what must never be there.
    async fn traces_text(&self) -> String {
        serde_json::to_string(
            &self
                .traces()
                .await
                .into_iter()
                .map(|t| t.trace)
                .collect::<Vec<_>>(),
        )
        .unwrap()
    }
}

#[tokio::test]
async fn hb_1_a_signed_request_moves_through_its_states_with_who_when_and_why() {
    let app = spawn_app().await;
    let hab = app.hab().await;
    // Without the signature the form stays a draft.
    let brouillon = app
        .demande_ok(
            &hab,
            &avec(
                formulaire(),
                json!({"signataire": null, "fonction_signataire": null, "signee_le": null}),
            ),
        )
        .await;
    assert_eq!(brouillon["etat"], "brouillon");
    assert_eq!(brouillon["saisie_par"], "hab");
    assert_eq!(brouillon["agent"]["service"], "Restauration scolaire");
    let id = &brouillon["id"];
    // Accepting a draft is not a step of its life: 409, nothing written.
    let (status, body) = problem(app.acte(&hab, id, "accorder", &json!({})).await).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("etat_incompatible"))
    );

    let signature =
        json!({"signataire": "Michel Valla", "fonction_signataire": "Maire", "signee_le": "2026-03-01"});
    let res = app.acte(&hab, id, "soumettre", &signature).await;
    assert_eq!(res.status(), StatusCode::OK);
    let (status, body) = problem(app.acte(&hab, id, "a-completer", &json!({"motif": "  "})).await).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("motif_requis"))
    );
    let res = app
        .acte(&hab, id, "a-completer", &json!({"motif": "Préciser le service"}))
        .await;
    assert_eq!(res.json::<Value>().await.unwrap()["etat"], "a_completer");
    let corrige = avec(
        signature.clone(),
        json!({"nom": "Martin", "prenom": "Claire", "email": "claire.martin@privas.example.fr",
               "service": "Affaires scolaires"}),
    );
    let res = app.acte(&hab, id, "soumettre", &corrige).await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .acte(&hab, id, "refuser", &json!({"motif": "Agent inconnu du service"}))
        .await;
    let refusee: Value = res.json().await.unwrap();
    assert_eq!(refusee["etat"], "refusee");
    assert_eq!(refusee["faite"], false);
    assert_eq!(refusee["agent"]["service"], "Affaires scolaires");

    // A closed request moves no more; the refusal wrote nothing.
    let (status, body) = problem(app.acte(&hab, id, "accorder", &json!({})).await).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("etat_incompatible"))
    );
    let detail: Value = app
        .get_with(&format!("/api/v1/caisse/demandes/{id}"), &hab)
        .await
        .json()
        .await
        .unwrap();
    let etats: Vec<_> = detail["historique"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["etat"].as_str().unwrap())
        .collect();
    assert_eq!(
        etats,
        ["brouillon", "soumise", "a_completer", "soumise", "refusee"]
    );
    let etapes = detail["historique"].as_array().unwrap();
    assert_eq!(
        etapes[0]["par"],
        json!({"cote": "partenaire", "identifiant": "T07"})
    );
    assert_eq!(etapes[2]["par"], json!({"cote": "caisse", "identifiant": "hab"}));
    assert_eq!(etapes[2]["motif"], "Préciser le service");
    assert_eq!(etapes[4]["le"], "2026-03-02T09:00:00Z");
    assert_eq!(detail["signature"]["signataire"], "Michel Valla");

    // Lists by state and partner.
    app.demande_ok(&hab, &formulaire()).await;
    assert_eq!(app.liste(&hab, "").await.len(), 2);
    assert_eq!(app.liste(&hab, "?etat=refusee").await.len(), 1);
    assert_eq!(app.liste(&hab, "?etat=soumise&partenaire=T07").await.len(), 1);
    assert!(app.liste(&hab, "?partenaire=T07B").await.is_empty());
    let (status, body) = problem(app.get_with("/api/v1/caisse/demandes?etat=perdue", &hab).await).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("requete_invalide"))
    );
    let (status, body) = problem(app.get_with("/api/v1/caisse/demandes/999", &hab).await).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("demande_inconnue"))
    );
    let (status, body) = problem(app.get_with("/api/v1/caisse/demandes/douze", &hab).await).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("requete_invalide"))
    );
}

#[tokio::test]
async fn hb_1_no_self_registration_and_bad_forms_are_refused_writing_nothing() {
    let app = spawn_app().await;
    let hab = app.hab().await;
    // A partner's agent is not the caisse: his token is unknown here.
    let agent = app.agent_ready().await;
    let (status, _) = problem(app.demande(&agent, &formulaire()).await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // Caisse staff without the role.
    let superviseur = app.staff_ready("sup", "supervision").await;
    let (status, body) = problem(app.demande(&superviseur, &formulaire()).await).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("role_requis"))
    );
    let (status, _) = problem(app.get_with("/api/v1/caisse/demandes", &superviseur).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    for (modif, statut, code) in [
        (
            json!({"partenaire": "T99"}),
            StatusCode::NOT_FOUND,
            "partenaire_inconnu",
        ),
        // Another caisse's partner is unknown here (TEN-1).
        (
            json!({"partenaire": "T59", "convention": "QF-59-2025"}),
            StatusCode::NOT_FOUND,
            "partenaire_inconnu",
        ),
        // Another partner's convention.
        (
            json!({"convention": "QF-07B-2026"}),
            StatusCode::NOT_FOUND,
            "convention_inconnue",
        ),
        (
            json!({"bouquet": "PSU"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "bouquet_non_ouvert",
        ),
        (
            json!({"nom": "  "}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "champ_obligatoire",
        ),
        (
            json!({"email": "claire.martin"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "email_invalide",
        ),
        (
            json!({"signataire": " "}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "signature_requise",
        ),
        (
            json!({"signee_le": "2026-03-03"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "signature_posterieure",
        ),
        (
            json!({"nature": "modification"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "utilisateur_requis",
        ),
        (
            json!({"nature": "inscription"}),
            StatusCode::BAD_REQUEST,
            "requete_invalide",
        ),
        (json!({"nom": null}), StatusCode::BAD_REQUEST, "requete_invalide"),
        (
            json!({"nom": "Mar\u{0}tin"}),
            StatusCode::BAD_REQUEST,
            "requete_invalide",
        ),
        (
            json!({"service": "x".repeat(201)}),
            StatusCode::BAD_REQUEST,
            "requete_invalide",
        ),
    ] {
        let body = avec(formulaire(), modif.clone());
        let (status, pb) = problem(app.demande(&hab, &body).await).await;
        assert_eq!((status, pb["code"].as_str()), (statut, Some(code)), "{modif}");
    }
    assert!(app.liste(&hab, "").await.is_empty(), "nothing written");
    // Every refused act is traced for the caisse.
    let refus = app
        .trace_codes()
        .await
        .into_iter()
        .filter(|(a, r)| a == "gestion" && (r == "refuse" || r == "role_requis"))
        .count();
    assert!(refus >= 13, "{refus}");
}

#[tokio::test]
async fn hb_3_a_grant_gives_the_credentials_once_and_the_agent_changes_them_before_consulting_qf() {
    let app = spawn_app().await;
    let hab = app.hab().await;
    let res = app.accorder_acces(&hab, &formulaire()).await;
    assert_eq!(res.status(), StatusCode::OK);
    let accord: Value = res.json().await.unwrap();
    assert_eq!(accord["demande"]["etat"], "faite");
    assert_eq!(accord["demande"]["faite"], true);
    assert_eq!(accord["demande"]["utilisateur"], "cmartin");
    let identifiant = accord["identifiants"]["identifiant"].as_str().unwrap().to_owned();
    let provisoire = accord["identifiants"]["mot_de_passe_provisoire"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(identifiant, "cmartin");
    assert!(provisoire.len() >= 16);
    let etats: Vec<_> = accord["demande"]["historique"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["etat"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(etats, ["brouillon", "soumise", "accordee", "faite"]);

    // Never shown again, never traced.
    let id = &accord["demande"]["id"];
    let detail = app
        .get_with(&format!("/api/v1/caisse/demandes/{id}"), &hab)
        .await
        .text()
        .await
        .unwrap();
    assert!(!detail.contains(&provisoire));
    let (status, body) = problem(app.acte(&hab, id, "accorder", &json!({})).await).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("etat_incompatible"))
    );
    assert!(!body.to_string().contains(&provisoire));

    // AU-2: the new agent logs in, must change the password before anything else, then consults QF.
    let token = app.token(&identifiant, &provisoire).await;
    let (status, body) = problem(app.consult(&token, json!({"nir": nir_martin()})).await).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("changement_mot_de_passe_requis"))
    );
    let res = app.change_password(&token, &provisoire, NOUVEAU_MDP).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = app.consult(&token, json!({"nir": nir_martin()})).await;
    assert_eq!(res.status(), StatusCode::OK);

    let traces = app.traces_text().await;
    assert!(
        !traces.contains(&provisoire),
        "the temporary password is in no trace"
    );
    assert!(!traces.contains(NOUVEAU_MDP));
    let gestion = app
        .traces()
        .await
        .into_iter()
        .filter(|t| t.trace.action.code() == "gestion" && t.trace.partenaire.as_deref() == Some("T07"))
        .count();
    assert!(gestion >= 2, "recording and granting are traced with the partner");

    // The next Claire Martin of the caisse gets another identifier.
    let res = app
        .accorder_acces(
            &hab,
            &avec(formulaire(), json!({"email": "c.martin@privas.example.fr"})),
        )
        .await;
    let accord: Value = res.json().await.unwrap();
    assert_eq!(accord["identifiants"]["identifiant"], "cmartin2");
}

#[tokio::test]
async fn hb_5_suppression_removes_the_habilitation_deactivates_the_agent_and_ends_his_sessions() {
    let app = spawn_app().await;
    let hab = app.hab().await;
    let token = app.agent_ready().await;
    let suppression = avec(
        formulaire(),
        json!({"nature": "suppression", "utilisateur": AGENT, "nom": "DURAND", "prenom": "Anne",
               "email": "anne.durand@privas.example.fr"}),
    );
    // Naming an agent of another partner finds no one: 404, nothing written.
    let autre = app
        .accorder_acces(&hab, &avec(suppression.clone(), json!({"utilisateur": AGENT_HV})))
        .await;
    let (status, body) = problem(autre).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("utilisateur_inconnu"))
    );
    assert_eq!(app.liste(&hab, "?etat=soumise").await.len(), 1);

    let res = app.accorder_acces(&hab, &suppression).await;
    assert_eq!(res.status(), StatusCode::OK);
    let accord: Value = res.json().await.unwrap();
    assert_eq!(accord["demande"]["etat"], "faite");
    assert_eq!(accord["identifiants"], Value::Null);
    // At once: the open session ends and the agent can no longer log in.
    let (status, _) = problem(app.consult(&token, json!({"nir": nir_martin()})).await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = problem(app.login(CAISSE, AGENT, NOUVEAU_MDP).await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // Nothing left to remove.
    let (status, body) = problem(app.accorder_acces(&hab, &suppression).await).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("habilitation_absente"))
    );
}

#[tokio::test]
async fn hb_5_modification_changes_the_agents_fields() {
    let app = spawn_app().await;
    let hab = app.hab().await;
    let modification = avec(
        formulaire(),
        json!({"nature": "modification", "utilisateur": AGENT, "nom": "DURAND-ROCHE", "prenom": "Anne",
               "fonction": "Responsable du périscolaire", "email": "anne.durand@privas.example.fr"}),
    );
    let res = app.accorder_acces(&hab, &modification).await;
    assert_eq!(res.status(), StatusCode::OK);
    let annuaire: Vec<Value> = app
        .get_with("/api/v1/caisse/extranautes?bouquet=QF", &hab)
        .await
        .json()
        .await
        .unwrap();
    let t07 = annuaire.iter().find(|p| p["numero_tiers"] == "T07").unwrap();
    let anne = &t07["agents"][0];
    assert_eq!(anne["identifiant"], AGENT);
    assert_eq!(anne["nom"], "DURAND-ROCHE");
    assert_eq!(anne["fonction"], "Responsable du périscolaire");
    // Her password and sessions are untouched.
    app.token(AGENT, AGENT_MDP_PROVISOIRE).await;
}

#[tokio::test]
async fn hb_7_grant_beyond_the_cap_is_refused_with_the_cap() {
    let app = spawn_app().await;
    let hab = app.hab().await;
    let superviseur = app.staff_ready("sup", "supervision").await;
    let (status, body) = problem(app.plafond(&superviseur, "QF-07-2025", json!(2)).await).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("role_requis"))
    );
    let (status, _) = problem(app.plafond(&hab, "QF-404", json!(2)).await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    for trop in [json!(100_001), json!(-1), json!("2")] {
        let (status, _) = problem(app.plafond(&hab, "QF-07-2025", trop).await).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    }
    // agent07 already holds one habilitation on it: one slot left.
    assert_eq!(
        app.plafond(&hab, "QF-07-2025", json!(2)).await.status(),
        StatusCode::NO_CONTENT
    );
    let res = app.accorder_acces(&hab, &formulaire()).await;
    assert_eq!(res.status(), StatusCode::OK, "the cap reached exactly");
    let de_trop = avec(
        formulaire(),
        json!({"prenom": "Léa", "email": "lea.martin@privas.example.fr"}),
    );
    let (status, body) = problem(app.accorder_acces(&hab, &de_trop).await).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("plafond_atteint"))
    );
    assert!(body["detail"]
        .as_str()
        .unwrap()
        .contains("plafond de 2 habilitation"));
    // Nothing written: the request is still submitted, no user.
    let soumises = app.liste(&hab, "?etat=soumise").await;
    assert_eq!(soumises.len(), 1);
    assert_eq!(soumises[0]["utilisateur"], Value::Null);
    let (status, _) = problem(app.login(CAISSE, "lmartin", "x").await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // Raised: the same request passes.
    assert_eq!(
        app.plafond(&hab, "QF-07-2025", json!(3)).await.status(),
        StatusCode::NO_CONTENT
    );
    let res = app.acte(&hab, &soumises[0]["id"], "accorder", &json!({})).await;
    assert_eq!(res.status(), StatusCode::OK);
    // No cap at all.
    assert_eq!(
        app.plafond(&hab, "QF-07-2025", Value::Null).await.status(),
        StatusCode::NO_CONTENT
    );
}

#[tokio::test]
async fn hb_4_rsacg_accepts_exactly_its_six_profiles_and_qf_none() {
    let app = crate::rsacg::spawn_rsacg_app().await;
    let hab = app.hab().await;
    let rsa = avec(
        formulaire(),
        json!({"partenaire": "T07CD", "convention": "RSA-07-2026", "bouquet": "RSACG",
               "circonscriptions": ["07/AUBENAS"]}),
    );
    for (profil, code) in [
        (json!("7"), "profil_inconnu"),
        (json!("travailleur social"), "profil_inconnu"),
        (Value::Null, "profil_inconnu"),
    ] {
        let (status, body) = problem(
            app.demande(&hab, &avec(rsa.clone(), json!({"profil": profil})))
                .await,
        )
        .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some(code))
        );
    }
    let (status, body) = problem(
        app.demande(&hab, &avec(formulaire(), json!({"profil": "1"})))
            .await,
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("profil_inconnu")),
        "QF has no profile"
    );
    assert!(app.liste(&hab, "").await.is_empty());
    for profil in ["1", "2", "3", "4", "5", "6"] {
        let d = app
            .demande_ok(&hab, &avec(rsa.clone(), json!({"profil": profil})))
            .await;
        assert_eq!(d["agent"]["profil"], profil);
    }
    let res = app
        .accorder_acces(&hab, &avec(rsa, json!({"profil": "3", "prenom": "Sophie"})))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let annuaire: Vec<Value> = app
        .get_with("/api/v1/caisse/extranautes?bouquet=RSACG&departement=07", &hab)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(annuaire.len(), 1);
    let agent = annuaire[0]["agents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["identifiant"] == "smartin")
        .unwrap();
    assert_eq!(agent["profil"], "3");
}

#[tokio::test]
async fn co_3_an_rsacg_grant_names_the_agents_circonscriptions_and_he_reaches_only_them() {
    use crate::rsacg::{nir_aubenas, nir_privas};
    let app = crate::rsacg::spawn_rsacg_app().await;
    let hab = app.hab().await;
    let rsa = avec(
        formulaire(),
        json!({"partenaire": "T07CD", "convention": "RSA-07-2026", "bouquet": "RSACG", "profil": "1"}),
    );
    // None, one the partner lacks, one badly written, and circonscriptions on a bouquet without them.
    for (champs, status, code) in [
        (
            json!({}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "circonscription_requise",
        ),
        (
            json!({"circonscriptions": ["07/AUBENAS", "83/TOULON"]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "circonscription_hors_partenaire",
        ),
        (
            json!({"circonscriptions": ["AUBENAS"]}),
            StatusCode::BAD_REQUEST,
            "requete_invalide",
        ),
    ] {
        let (s, body) = problem(app.demande(&hab, &avec(rsa.clone(), champs)).await).await;
        assert_eq!((s, body["code"].as_str()), (status, Some(code)), "{body}");
    }
    let qf = avec(formulaire(), json!({"circonscriptions": ["07/AUBENAS"]}));
    let (s, body) = problem(app.demande(&hab, &qf).await).await;
    assert_eq!(
        (s, body["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("circonscription_hors_bouquet")
        )
    );
    assert!(body["detail"].as_str().unwrap().contains("RSACG"), "{body}");
    assert!(app.liste(&hab, "").await.is_empty(), "nothing recorded");

    let res = app
        .accorder_acces(&hab, &avec(rsa, json!({"circonscriptions": ["07/AUBENAS"]})))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let accord: Value = res.json().await.unwrap();
    assert_eq!(
        accord["demande"]["agent"]["circonscriptions"],
        json!(["07/AUBENAS"])
    );
    let identifiant = accord["identifiants"]["identifiant"].as_str().unwrap();
    let provisoire = accord["identifiants"]["mot_de_passe_provisoire"]
        .as_str()
        .unwrap();
    let token = app.ready(identifiant, provisoire).await;
    let consulter = |nir: String| {
        let (app, token) = (&app, &token);
        async move {
            app.post_json("/api/v1/consultations/rsa", Some(token), &json!({"nir": nir}))
                .await
                .status()
        }
    };
    assert_eq!(consulter(nir_aubenas()).await, StatusCode::OK);
    assert_eq!(consulter(nir_privas()).await, StatusCode::NOT_FOUND);
    let last = app.traces().await.last().unwrap().trace.clone();
    assert_eq!(last.resultat.code(), "hors_circonscription");
}

#[tokio::test]
async fn hb_6_lost_credentials_the_old_password_and_every_session_end_at_once() {
    let app = spawn_app().await;
    let hab = app.hab().await;
    let ancienne = app.agent_ready().await;
    let autre = app.token(AGENT, NOUVEAU_MDP).await;
    let superviseur = app.staff_ready("sup", "supervision").await;
    let url = format!("/api/v1/caisse/utilisateurs/{AGENT}/reinitialisation");
    let (status, body) = problem(app.post_json(&url, Some(&superviseur), &json!({})).await).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("role_requis"))
    );
    let (status, body) = problem(
        app.post_json(
            "/api/v1/caisse/utilisateurs/personne/reinitialisation",
            Some(&hab),
            &json!({}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("utilisateur_inconnu"))
    );

    let res = app.post_json(&url, Some(&hab), &json!({"remise": "pli"})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let nouveaux: Value = res.json().await.unwrap();
    assert_eq!(nouveaux["identifiant"], AGENT);
    let provisoire = nouveaux["mot_de_passe_provisoire"].as_str().unwrap().to_owned();
    for token in [&ancienne, &autre] {
        let (status, _) = problem(app.consult(token, json!({"nir": nir_martin()})).await).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, _) = problem(app.login(CAISSE, AGENT, NOUVEAU_MDP).await).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the old password no longer works"
    );
    let res = app.login(CAISSE, AGENT, &provisoire).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let session: Value = res.json().await.unwrap();
    assert_eq!(session["changement_mot_de_passe_requis"], true);
    assert!(!app.traces_text().await.contains(&provisoire));
    // Traced for the caisse, with the agent's partner.
    let reinit = app
        .traces()
        .await
        .into_iter()
        .rev()
        .find(|t| t.trace.action.code() == "gestion" && t.trace.utilisateur.as_deref() == Some("hab"));
    let reinit = reinit.unwrap().trace;
    assert_eq!(
        (reinit.partenaire.as_deref(), reinit.resultat.code()),
        (Some("T07"), "succes")
    );
}

#[tokio::test]
async fn hb_2_the_directory_of_extranautes_by_bouquet_and_departement() {
    let app = spawn_app().await;
    let hab = app.hab().await;
    let annuaire: Vec<Value> = app
        .get_with("/api/v1/caisse/extranautes?bouquet=QF", &hab)
        .await
        .json()
        .await
        .unwrap();
    let partenaires: Vec<_> = annuaire
        .iter()
        .map(|p| p["numero_tiers"].as_str().unwrap())
        .collect();
    // The caisse's own partners only (TEN-1): not the CAF's T59.
    assert_eq!(partenaires, ["T07", "T07B"]);
    assert_eq!(annuaire[0]["nom"], "Commune de Privas");
    assert_eq!(annuaire[0]["departements"], json!(["07", "26"]));
    assert_eq!(
        annuaire[0]["agents"].as_array().unwrap().len(),
        1,
        "agent-sans has no habilitation"
    );
    assert_eq!(annuaire[0]["agents"][0]["identifiant"], AGENT);
    let dans_26: Vec<Value> = app
        .get_with("/api/v1/caisse/extranautes?bouquet=QF&departement=26", &hab)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(dans_26.len(), 1);
    assert!(app
        .get_with("/api/v1/caisse/extranautes?bouquet=PSU", &hab)
        .await
        .json::<Vec<Value>>()
        .await
        .unwrap()
        .is_empty());
    let (status, _) = problem(app.get_with("/api/v1/caisse/extranautes", &hab).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let superviseur = app.staff_ready("sup", "supervision").await;
    let (status, _) = problem(
        app.get_with("/api/v1/caisse/extranautes?bouquet=QF", &superviseur)
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn hb_every_refusal_code_is_in_the_api_document() {
    let app = spawn_app().await;
    let doc: Value = app
        .http
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let codes = &doc["components"]["schemas"]["Probleme"]["properties"]["code"]["enum"];
    for code in partage_app::habilitations::RefusHabilitation::CODES {
        assert!(codes.as_array().unwrap().iter().any(|c| c == code), "{code}");
    }
}

impl TestApp {
    async fn put_json(&self, path: &str, token: &str, body: &Value) -> reqwest::Response {
        self.http
            .put(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub(crate) async fn gestion(&self, token: &str, numero: &str, gestion: Value) -> StatusCode {
        self.put_json(
            &format!("/api/v1/caisse/conventions/{numero}/gestion"),
            token,
            &json!({ "gestion": gestion }),
        )
        .await
        .status()
    }

    pub(crate) async fn administrateur(&self, token: &str, identifiant: &str, role: Value) -> StatusCode {
        self.put_json(
            &format!("/api/v1/caisse/utilisateurs/{identifiant}/administrateur"),
            token,
            &json!({ "administrateur": role }),
        )
        .await
        .status()
    }

    /// HB-9, CV-12: the caisse makes `AGENT` the commune's gestionnaire principal and delegates the
    /// commune's convention to him. The habilitation agent's token.
    pub(crate) async fn deleguer_la_commune(&self) -> String {
        let hab = self.hab().await;
        assert_eq!(
            self.administrateur(&hab, AGENT, json!("principal")).await,
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            self.gestion(&hab, "QF-07-2025", json!("deleguee")).await,
            StatusCode::NO_CONTENT
        );
        hab
    }

    pub(crate) async fn gerer(&self, token: &str, body: &Value) -> reqwest::Response {
        self.post_json("/api/v1/gestion/habilitations", Some(token), body)
            .await
    }
}

/// Claire Martin's access on the commune's convention, as its administrator types it.
pub(crate) fn acte_delegue() -> Value {
    json!({
        "nature": "acces", "convention": "QF-07-2025", "bouquet": "QF",
        "civilite": "Mme", "nom": "Martin", "prenom": "Claire", "fonction": "Agent d'accueil",
        "email": "claire.martin@privas.example.fr"
    })
}

#[tokio::test]
async fn cv_12_an_empty_body_resets_neither_the_conventions_mode_nor_the_administrator() {
    let app = spawn_app().await;
    let hab = app.deleguer_la_commune().await;
    // `null` means "the default" or "none": a body without the field must not mean it by accident.
    for path in [
        "/api/v1/caisse/conventions/QF-07-2025/gestion".to_owned(),
        format!("/api/v1/caisse/utilisateurs/{AGENT}/administrateur"),
    ] {
        let (status, body) = problem(app.put_json(&path, &hab, &json!({})).await).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("requete_invalide")),
            "{path}"
        );
        assert!(body["detail"].as_str().unwrap().contains("obligatoire"), "{body}");
    }
    // Still delegated, and he still its principal: he manages his organisation's habilitations.
    let admin = app.agent_ready().await;
    assert_eq!(
        app.gerer(&admin, &acte_delegue()).await.status(),
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn hb_9_a_partner_has_one_gestionnaire_principal_and_one_suppleant() {
    let app = spawn_app().await;
    let hab = app.hab().await;
    assert_eq!(
        app.administrateur(&hab, AGENT, json!("principal")).await,
        StatusCode::NO_CONTENT
    );
    // Another agent of the same partner cannot be a second principal: refused, naming the holder.
    let (status, body) = problem(
        app.put_json(
            &format!("/api/v1/caisse/utilisateurs/{AGENT_SANS}/administrateur"),
            &hab,
            &json!({ "administrateur": "principal" }),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("role_deja_tenu"))
    );
    assert!(body["detail"].as_str().unwrap().contains(AGENT), "{body}");
    // He may be the suppléant, and the principal once the role is given up.
    assert_eq!(
        app.administrateur(&hab, AGENT_SANS, json!("suppleant")).await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.administrateur(&hab, AGENT, json!(null)).await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.administrateur(&hab, AGENT_SANS, json!("principal")).await,
        StatusCode::NO_CONTENT
    );
}

#[tokio::test]
async fn hb_9_a_delegated_administrator_manages_his_own_organisations_habilitations() {
    let app = spawn_app().await;
    let hab = app.hab().await;
    assert_eq!(
        app.administrateur(&hab, AGENT, json!("principal")).await,
        StatusCode::NO_CONTENT
    );
    let admin = app.agent_ready().await;
    // CV-12: an MSA convention is centralised unless the caisse delegates it.
    let (status, body) = problem(app.gerer(&admin, &acte_delegue()).await).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("gestion_centralisee"))
    );
    assert_eq!(
        app.gestion(&hab, "QF-07-2025", json!("deleguee")).await,
        StatusCode::NO_CONTENT
    );

    let res = app.gerer(&admin, &acte_delegue()).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let cree: Value = res.json().await.unwrap();
    assert_eq!(cree["identifiant"], "cmartin");
    let provisoire = cree["mot_de_passe_provisoire"].as_str().unwrap().to_owned();
    let token = app.token("cmartin", &provisoire).await;
    assert_eq!(
        app.change_password(&token, &provisoire, NOUVEAU_MDP)
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.consult(&token, json!({"nir": nir_martin()})).await.status(),
        StatusCode::OK
    );

    let modification = avec(
        acte_delegue(),
        json!({"nature": "modification", "utilisateur": "cmartin", "fonction": "Responsable"}),
    );
    let res = app.gerer(&admin, &modification).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.json::<Value>().await.unwrap()["mot_de_passe_provisoire"],
        Value::Null
    );
    let suppression = json!({"nature": "suppression", "convention": "QF-07-2025", "bouquet": "QF",
                             "utilisateur": "cmartin"});
    assert_eq!(app.gerer(&admin, &suppression).await.status(), StatusCode::OK);
    let (status, _) = problem(app.consult(&token, json!({"nir": nir_martin()})).await).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "her session ended with her last habilitation"
    );

    // The caisse sees every delegated act, under the administrator's name and partner (SU-3)…
    let delegues: Vec<_> = app
        .traces()
        .await
        .into_iter()
        .filter(|t| t.trace.action.code() == "gestion" && t.trace.utilisateur.as_deref() == Some(AGENT))
        .map(|t| (t.trace.partenaire.clone(), t.trace.resultat.code()))
        .collect();
    assert_eq!(delegues.len(), 4);
    assert!(delegues.iter().all(|(p, _)| p.as_deref() == Some("T07")));
    assert_eq!(delegues.iter().filter(|(_, r)| *r == "succes").count(), 3);
    assert!(!app.traces_text().await.contains(&provisoire));
    // …and takes the delegation back.
    assert_eq!(
        app.gestion(&hab, "QF-07-2025", json!("centralisee")).await,
        StatusCode::NO_CONTENT
    );
    let (status, body) = problem(app.gerer(&admin, &acte_delegue()).await).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("gestion_centralisee"))
    );
}

#[tokio::test]
async fn hb_9_a_delegated_administrator_cannot_act_outside_his_organisation() {
    let app = spawn_app().await;
    let hab = app.hab().await;
    for numero in ["QF-07-2025", "QF-07B-2026"] {
        assert_eq!(
            app.gestion(&hab, numero, json!("deleguee")).await,
            StatusCode::NO_CONTENT
        );
    }
    let superviseur = app.staff_ready("sup", "supervision").await;
    assert_eq!(
        app.gestion(&superviseur, "QF-07-2025", json!(null)).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.administrateur(&superviseur, AGENT, json!("principal")).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.administrateur(&hab, "personne", json!("principal")).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.gestion(&hab, "QF-404", json!("deleguee")).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.administrateur(&hab, AGENT, json!("roi")).await,
        StatusCode::BAD_REQUEST
    );

    // Not an administrator: an agent like the others.
    let agent = app.agent_ready().await;
    let (status, body) = problem(app.gerer(&agent, &acte_delegue()).await).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("administrateur_requis"))
    );
    assert_eq!(
        app.administrateur(&hab, AGENT, json!("principal")).await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.administrateur(&hab, AGENT_SANS, json!("suppleant")).await,
        StatusCode::NO_CONTENT
    );
    let admin = agent;

    for (body, statut, code) in [
        // Another organisation's convention is not found for his.
        (
            avec(acte_delegue(), json!({"convention": "QF-07B-2026"})),
            StatusCode::NOT_FOUND,
            "convention_inconnue",
        ),
        // Another organisation's agent neither.
        (
            json!({"nature": "suppression", "convention": "QF-07-2025", "bouquet": "QF", "utilisateur": AGENT_HV}),
            StatusCode::NOT_FOUND,
            "utilisateur_inconnu",
        ),
        // Administrators' rights are the caisse's: not his own, not the suppléant's.
        (
            json!({"nature": "suppression", "convention": "QF-07-2025", "bouquet": "QF", "utilisateur": AGENT}),
            StatusCode::FORBIDDEN,
            "administrateur_protege",
        ),
        (
            avec(
                acte_delegue(),
                json!({"nature": "modification", "utilisateur": AGENT_SANS}),
            ),
            StatusCode::FORBIDDEN,
            "administrateur_protege",
        ),
        (
            avec(acte_delegue(), json!({"profil": "1"})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "profil_inconnu",
        ),
        (
            avec(acte_delegue(), json!({"nature": "partage"})),
            StatusCode::BAD_REQUEST,
            "requete_invalide",
        ),
        (
            avec(acte_delegue(), json!({"partenaire": "T07B"})),
            StatusCode::BAD_REQUEST,
            "requete_invalide",
        ),
    ] {
        let (status, pb) = problem(app.gerer(&admin, &body).await).await;
        assert_eq!((status, pb["code"].as_str()), (statut, Some(code)), "{body}");
    }
    // A staff token is unknown on the partners' side.
    let (status, _) = problem(app.gerer(&hab, &acte_delegue()).await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // Nothing changed: the other partner's agent still logs in, the administrator still consults.
    assert_eq!(
        app.login(CAISSE, AGENT_HV, AGENT_HV_MDP).await.status(),
        StatusCode::CREATED
    );
    assert_eq!(
        app.consult(&admin, json!({"nir": nir_martin()})).await.status(),
        StatusCode::OK
    );
    let annuaire: Vec<Value> = app
        .get_with("/api/v1/caisse/extranautes?bouquet=QF", &hab)
        .await
        .json()
        .await
        .unwrap();
    let agents: usize = annuaire
        .iter()
        .map(|p| p["agents"].as_array().unwrap().len())
        .sum();
    assert_eq!(agents, 2);
}

#[tokio::test]
async fn au_4_granting_needs_a_password_typed_within_ten_minutes() {
    let app = spawn_app().await;
    let hab = app.hab().await;
    let d = app.demande_ok(&hab, &formulaire()).await;
    app.clock.advance(chrono::Duration::minutes(11));
    let (status, body) = problem(app.acte(&hab, &d["id"], "accorder", &json!({})).await).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("reauthentification_requise"))
    );
    // Nothing was granted: the request waits, and no agent was created.
    let detail: Value = app
        .get_with(&format!("/api/v1/caisse/demandes/{}", d["id"]), &hab)
        .await
        .json()
        .await
        .unwrap();
    assert_ne!(detail["etat"], "faite");
    let cmartin = partage_domain::Identifiant::parse("cmartin").unwrap();
    let caisse = partage_domain::CaisseCode::parse(CAISSE).unwrap();
    assert!(app.store.find_login(&caisse, &cmartin).await.unwrap().is_none());
    let res = app
        .post_json(
            "/api/v1/caisse/session/reauthentification",
            Some(&hab),
            &json!({ "mot_de_passe": NOUVEAU_MDP }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = app.acte(&hab, &d["id"], "accorder", &json!({})).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(app.store.find_login(&caisse, &cmartin).await.unwrap().is_some());
}

#[tokio::test]
async fn hb_9_an_administrator_needs_the_second_factor_when_the_caisse_requires_it() {
    let app = spawn_app().await;
    app.deleguer_la_commune().await;
    let admin_caisse = app.staff_ready("adm", "admin").await;
    let res = app
        .put_json(
            "/api/v1/caisse/double-facteur",
            &admin_caisse,
            &json!({ "personnel": false, "administrateurs_partenaires": true }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);

    let admin = app.agent_ready().await;
    let (status, body) = problem(app.gerer(&admin, &acte_delegue()).await).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("double_facteur_requis"))
    );
    // Consulting is not an administrator's act: it needs no factor.
    assert_eq!(
        app.consult(&admin, json!({"nir": nir_martin()})).await.status(),
        StatusCode::OK
    );

    app.totp_actif_agent(&admin, AGENT).await;
    assert_eq!(
        app.gerer(&admin, &acte_delegue()).await.status(),
        StatusCode::CREATED
    );
}
