//! SPEC Actors: the caisse's staff on their own entrance, with roles, apart from the partners' agents.

use crate::helpers::*;
use partage_domain::personnel::Roles;
use partage_domain::{CaisseCode, Identifiant};
use partage_store::personnel::NewPersonnel;
use reqwest::StatusCode;
use serde_json::{json, Value};

pub const STAFF_MDP_PROVISOIRE: &str = "provisoire-personnel";

impl TestApp {
    /// A staff account of [`CAISSE`] with [`STAFF_MDP_PROVISOIRE`], as the command line would create it.
    pub async fn create_staff(&self, identifiant: &str, roles: &str) {
        let hash = partage_app::secrets::hash_password_blocking(STAFF_MDP_PROVISOIRE).unwrap();
        self.store
            .create_personnel(&NewPersonnel {
                caisse: CaisseCode::parse(CAISSE).unwrap(),
                identifiant: Identifiant::parse(identifiant).unwrap(),
                nom: "MOREAU".into(),
                prenom: "Lucie".into(),
                email: format!("{identifiant}@msa.example.fr"),
                roles: Roles::parse(roles).unwrap(),
                mot_de_passe_provisoire_hash: hash,
            })
            .await
            .unwrap()
            .unwrap();
    }

    pub async fn staff_login(
        &self,
        caisse: &str,
        identifiant: &str,
        mot_de_passe: &str,
    ) -> reqwest::Response {
        self.post_json(
            "/api/v1/caisse/session",
            None,
            &json!({"caisse": caisse, "identifiant": identifiant, "mot_de_passe": mot_de_passe}),
        )
        .await
    }

    pub async fn staff_change_password(&self, token: &str, actuel: &str, nouveau: &str) -> reqwest::Response {
        self.http
            .put(self.url("/api/v1/caisse/session/mot-de-passe"))
            .bearer_auth(token)
            .json(&json!({"actuel": actuel, "nouveau": nouveau}))
            .send()
            .await
            .unwrap()
    }

    /// A staff member with these roles, logged in, temporary password replaced: ready to work.
    pub async fn staff_ready(&self, identifiant: &str, roles: &str) -> String {
        self.create_staff(identifiant, roles).await;
        let res = self.staff_login(CAISSE, identifiant, STAFF_MDP_PROVISOIRE).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let token = res.json::<Value>().await.unwrap()["jeton"]
            .as_str()
            .unwrap()
            .to_owned();
        let res = self
            .staff_change_password(&token, STAFF_MDP_PROVISOIRE, NOUVEAU_MDP)
            .await;
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        token
    }

    pub async fn get_with(&self, path: &str, token: &str) -> reqwest::Response {
        self.http
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }
}

#[tokio::test]
async fn actors_staff_log_in_on_their_own_entrance_and_change_the_temporary_password_first() {
    let app = spawn_app().await;
    app.create_staff("lmoreau", "admin").await;
    let res = app.staff_login(CAISSE, "lmoreau", STAFF_MDP_PROVISOIRE).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["changement_mot_de_passe_requis"], true);
    assert_eq!(body["expiration_inactivite_s"], 1800);
    let token = body["jeton"].as_str().unwrap();

    let (status, p) = problem(app.get_with("/api/v1/caisse/personnels", token).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(p["code"], "changement_mot_de_passe_requis");

    let (status, p) = problem(
        app.staff_change_password(token, STAFF_MDP_PROVISOIRE, "court")
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(p["code"], "mot_de_passe_refuse");
    let res = app
        .staff_change_password(token, STAFF_MDP_PROVISOIRE, NOUVEAU_MDP)
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = app.get_with("/api/v1/caisse/personnels", token).await;
    assert_eq!(res.status(), StatusCode::OK);
    let liste: Value = res.json().await.unwrap();
    assert_eq!(liste[0]["identifiant"], "lmoreau");
    assert_eq!(liste[0]["roles"], json!(["admin"]));
    assert_eq!(liste[0]["changement_mot_de_passe_requis"], false);

    // Every failure reads the same, as on the partners' entrance.
    let wrong = answer(app.staff_login(CAISSE, "lmoreau", "mauvais mot de passe").await).await;
    let unknown = answer(app.staff_login(CAISSE, "inconnu", NOUVEAU_MDP).await).await;
    assert_eq!(wrong.0, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong, unknown);
    let codes = app.trace_codes().await;
    for expected in [
        ("connexion_personnel", "succes"),
        ("changement_mot_de_passe_personnel", "mot_de_passe_refuse"),
        ("changement_mot_de_passe_personnel", "succes"),
        ("connexion_personnel", "echec_mot_de_passe"),
        ("connexion_personnel", "echec_identifiant_inconnu"),
    ] {
        assert!(
            codes.contains(&(expected.0.into(), expected.1.into())),
            "{expected:?} in {codes:?}"
        );
    }

    let res = app
        .http
        .delete(app.url("/api/v1/caisse/session"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let (status, _) = problem(app.get_with("/api/v1/caisse/personnels", token).await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn actors_a_staff_session_never_consults_a_dossier_through_a_partner_bouquet() {
    let app = spawn_app().await;
    let staff = app
        .staff_ready("lmoreau", "admin,habilitation,conventions,supervision")
        .await;
    let reference = answer(app.consult("jeton-invente", json!({"nir": nir_martin()})).await).await;
    let with_staff = answer(app.consult(&staff, json!({"nir": nir_martin()})).await).await;
    assert_eq!(with_staff.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        with_staff, reference,
        "a staff token is unknown to the partners' API"
    );
    // A staff member's credentials do not open a partner session either.
    let (status, p) = problem(app.login(CAISSE, "lmoreau", NOUVEAU_MDP).await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(p["code"], "non_authentifie");
    assert!(!app
        .trace_codes()
        .await
        .contains(&("consultation".into(), "succes".into())));
}

#[tokio::test]
async fn actors_a_partner_session_never_reaches_the_back_office() {
    let app = spawn_app().await;
    let agent = app.agent_ready().await;
    let (status, p) = problem(app.get_with("/api/v1/caisse/personnels", &agent).await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(p["code"], "non_authentifie");
    let (status, _) = problem(app.staff_login(CAISSE, AGENT, NOUVEAU_MDP).await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn actors_every_staff_act_checks_its_role_and_a_refusal_is_traced() {
    let app = spawn_app().await;
    let gestionnaire = app.staff_ready("cgestion", "conventions").await;
    let nouveau = json!({"identifiant": "nsup", "nom": "NOEL", "prenom": "Sam", "email": "sam@msa.example.fr",
                         "roles": ["supervision"]});
    let (status, p) = problem(
        app.post_json("/api/v1/caisse/personnels", Some(&gestionnaire), &nouveau)
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(p["code"], "role_requis");
    assert!(p["detail"].as_str().unwrap().contains("admin"), "{p}");
    assert!(app
        .trace_codes()
        .await
        .contains(&("gestion".into(), "role_requis".into())));

    let admin = app.staff_ready("adm", "admin").await;
    let res = app
        .post_json("/api/v1/caisse/personnels", Some(&admin), &nouveau)
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let cree: Value = res.json().await.unwrap();
    let provisoire = cree["mot_de_passe_provisoire"].as_str().unwrap();
    let res = app.staff_login(CAISSE, "nsup", provisoire).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(
        res.json::<Value>().await.unwrap()["changement_mot_de_passe_requis"],
        true
    );

    // Bad input: every reason at once, and nothing created.
    let (status, p) = problem(
        app.post_json(
            "/api/v1/caisse/personnels",
            Some(&admin),
            &json!({"identifiant": "a b", "nom": "", "prenom": "X", "email": "pas-une-adresse",
                    "roles": ["directeur"]}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(p["code"], "requete_invalide");
    let detail = p["detail"].as_str().unwrap();
    for reason in ["identifiant", "nom", "email", "directeur"] {
        assert!(detail.contains(reason), "{reason} in {detail}");
    }
    let (status, p) = problem(
        app.post_json("/api/v1/caisse/personnels", Some(&admin), &nouveau)
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(p["code"], "deja_existant");
    let liste: Value = app
        .get_with("/api/v1/caisse/personnels", &admin)
        .await
        .json()
        .await
        .unwrap();
    let ids: Vec<&str> = liste
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["identifiant"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["adm", "cgestion", "nsup"]);
}

#[tokio::test]
async fn au_4_a_staff_session_ends_after_the_idle_delay() {
    let app = spawn_app().await;
    let token = app.staff_ready("adm", "admin").await;
    app.clock.advance(chrono::Duration::minutes(29));
    assert_eq!(
        app.get_with("/api/v1/caisse/personnels", &token).await.status(),
        StatusCode::OK
    );
    app.clock.advance(chrono::Duration::minutes(30));
    let (status, p) = problem(app.get_with("/api/v1/caisse/personnels", &token).await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(p["code"], "session_expiree");
    assert!(app
        .trace_codes()
        .await
        .contains(&("expiration_session_personnel".into(), "succes".into())));
}
