//! `spawn_app()`: a fresh store loaded through the real import path, an `App` on a `ManualClock`, and the
//! router served on 127.0.0.1:0.

use chrono::{DateTime, Utc};
use partage_app::messagerie::Memoire;
use partage_app::{App, ManualClock, Settings};
use partage_domain::Nir;
use partage_store::{Store, StoredTrace};
use partage_web::{router, WebConfig};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::sync::Arc;

pub const CAISSE: &str = "MSA-ADL";
pub const AUTRE_CAISSE: &str = "CAF-59";
/// Habilitated to QF through a convention in force; partner competent for 07 and 26.
pub const AGENT: &str = "agent07";
pub const AGENT_MDP_PROVISOIRE: &str = "provisoire-agent07";
/// Habilitated to QF through a convention whose CNIL formality was never done: not in force.
pub const AGENT_HV: &str = "agent-hv";
pub const AGENT_HV_MDP: &str = "provisoire-agent-hv";
/// No habilitation at all.
pub const AGENT_SANS: &str = "agent-sans";
pub const AGENT_SANS_MDP: &str = "provisoire-agent-sans";
pub const NOUVEAU_MDP: &str = "une phrase de passe bien longue";

/// Monday 2 March 2026, 09:00 UTC: inside the January–June 2026 QF period.
pub fn t0() -> DateTime<Utc> {
    "2026-03-02T09:00:00Z".parse().unwrap()
}

/// A valid NIR from its 13 first characters.
pub fn nir(number13: &str) -> String {
    format!("{number13}{:02}", Nir::key_for(number13).unwrap())
}

/// Jean MARTIN, allocataire of the dossier in 07.
pub fn nir_martin() -> String {
    nir("1850507186001")
}
/// Claire MARTIN, second allocataire of the same dossier.
pub fn nir_claire() -> String {
    nir("2870642218002")
}
/// A dossier of the same caisse, in 42: outside the partner's competence.
pub fn nir_hors_competence() -> String {
    nir("1790342218003")
}
/// A dossier of the other caisse.
pub fn nir_autre_caisse() -> String {
    nir("2900159350004")
}
/// A dossier in 07 under opposition.
pub fn nir_opposition() -> String {
    nir("1820707186005")
}
/// A valid NIR nobody has.
pub fn nir_inconnu() -> String {
    nir("1830707186006")
}

pub const MATRICULE_MARTIN: &str = "0700123";
pub const MATRICULE_OPPOSITION: &str = "0700999";
pub const NOM_OPPOSITION: &str = "OPPOSANT";

/// The JSON Lines fixture, in the format of `partage import`.
pub fn fixture() -> String {
    let lines = vec![
        json!({"type":"caisse","code":CAISSE,"nom":"MSA Ardèche Drôme Loire","regime":"MSA","departements":["07","26","42"]}),
        json!({"type":"caisse","code":AUTRE_CAISSE,"nom":"CAF du Nord","regime":"CAF","departements":["59"]}),
        json!({"type":"partenaire","caisse":CAISSE,"numero_tiers":"T07","nom":"Commune de Privas","categorie":"collectivite_territoriale","siret":"21070007100017","departements":["07","26"]}),
        json!({"type":"partenaire","caisse":CAISSE,"numero_tiers":"T07B","nom":"CCAS d'Annonay","categorie":"ccas","siret":"21070007100025","departements":["07"]}),
        json!({"type":"partenaire","caisse":AUTRE_CAISSE,"numero_tiers":"T59","nom":"Commune de Lille","categorie":"collectivite_territoriale","siret":"21590007100030","departements":["59"]}),
        json!({"type":"convention","caisse":CAISSE,"numero":"QF-07-2025","partenaire":"T07","bouquets":["QF"],"signee_le":"2025-01-10","formalite_cnil_le":"2025-01-20"}),
        json!({"type":"convention","caisse":CAISSE,"numero":"QF-07B-2026","partenaire":"T07B","bouquets":["QF"],"signee_le":"2026-01-05","formalite_cnil_le":null}),
        json!({"type":"convention","caisse":AUTRE_CAISSE,"numero":"QF-59-2025","partenaire":"T59","bouquets":["QF"],"signee_le":"2025-01-10","formalite_cnil_le":"2025-01-20"}),
        json!({"type":"utilisateur","caisse":CAISSE,"identifiant":AGENT,"partenaire":"T07","civilite":"Mme","nom":"DURAND","prenom":"Anne","email":"anne.durand@privas.example.fr","habilitations":[{"convention":"QF-07-2025","bouquet":"QF"}],"mot_de_passe_provisoire":AGENT_MDP_PROVISOIRE}),
        json!({"type":"utilisateur","caisse":CAISSE,"identifiant":AGENT_HV,"partenaire":"T07B","civilite":"M.","nom":"PETIT","prenom":"Marc","email":"marc.petit@annonay.example.fr","habilitations":[{"convention":"QF-07B-2026","bouquet":"QF"}],"mot_de_passe_provisoire":AGENT_HV_MDP}),
        json!({"type":"utilisateur","caisse":CAISSE,"identifiant":AGENT_SANS,"partenaire":"T07","civilite":"M.","nom":"LEROY","prenom":"Paul","email":"paul.leroy@privas.example.fr","habilitations":[],"mot_de_passe_provisoire":AGENT_SANS_MDP}),
        json!({"type":"dossier","caisse":CAISSE,"matricule":MATRICULE_MARTIN,"departement":"07",
            "allocataires":[
                {"nir":nir_martin(),"nom_naissance":"MARTIN","nom_usage":null,"prenoms":"Jean Pierre","date_naissance":"1985-05-02","sexe":"M"},
                {"nir":nir_claire(),"nom_naissance":"BERNARD","nom_usage":"MARTIN","prenoms":"Claire","date_naissance":"1987-06-11","sexe":"F"}],
            "enfants":[{"nom_naissance":"MARTIN","prenoms":"Léo","date_naissance":"2018-09-30","sexe":"M"}],
            "adresse":{"numero_libelle_voie":"12 RUE DES ÉCOLES","code_postal_ville":"07000 PRIVAS","pays":"FRANCE"},
            "quotients_familiaux":[
                {"debut":"2025-07-01","fin":"2025-12-31","valeur":590},
                {"debut":"2026-01-01","fin":"2026-06-30","valeur":612}],
            "opposition":false}),
        json!({"type":"dossier","caisse":CAISSE,"matricule":"4200456","departement":"42",
            "allocataires":[{"nir":nir_hors_competence(),"nom_naissance":"LOIRE","prenoms":"Hugo"}],
            "quotients_familiaux":[{"debut":"2026-01-01","fin":"2026-12-31","valeur":700}]}),
        json!({"type":"dossier","caisse":AUTRE_CAISSE,"matricule":"5900789","departement":"59",
            "allocataires":[{"nir":nir_autre_caisse(),"nom_naissance":"NORD","prenoms":"Lina"}],
            "quotients_familiaux":[{"debut":"2026-01-01","fin":"2026-12-31","valeur":450}]}),
        json!({"type":"dossier","caisse":CAISSE,"matricule":MATRICULE_OPPOSITION,"departement":"07",
            "allocataires":[{"nir":nir_opposition(),"nom_naissance":NOM_OPPOSITION,"prenoms":"Rose"}],
            "quotients_familiaux":[{"debut":"2026-01-01","fin":"2026-12-31","valeur":800}],
            "opposition":true}),
    ];
    lines.iter().map(|l| format!("{l}\n")).collect()
}

/// What keeps a backend alive for the length of a test (a temporary directory, a schema to drop).
pub struct BackendGuard {
    _inner: Box<dyn std::any::Any + Send>,
}

/// A fresh, migrated store: SQLite in a temporary file, or PostgreSQL when `PARTAGE_TEST_BACKEND=postgres`.
pub async fn backend() -> (Arc<dyn Store>, BackendGuard) {
    match std::env::var("PARTAGE_TEST_BACKEND").as_deref() {
        Ok("postgres") => postgres_backend().await,
        Ok("sqlite") | Err(_) => {
            let dir = tempfile::tempdir().unwrap();
            let url = format!("sqlite://{}", dir.path().join("partage.db").display());
            let store = partage_store_sqlite::SqliteStore::connect(&url).await.unwrap();
            store.migrate().await.unwrap();
            (
                Arc::new(store),
                BackendGuard {
                    _inner: Box::new(dir),
                },
            )
        }
        Ok(other) => panic!("PARTAGE_TEST_BACKEND={other} : attendu sqlite ou postgres"),
    }
}

/// A fresh schema on the test server (`PARTAGE_TEST_POSTGRES_URL`), dropped with the guard.
async fn postgres_backend() -> (Arc<dyn Store>, BackendGuard) {
    let schema = partage_store_postgres::testing::TestSchema::create()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    (
        schema.store(),
        BackendGuard {
            _inner: Box::new(schema),
        },
    )
}

pub struct TestApp {
    pub base: String,
    pub clock: ManualClock,
    pub store: Arc<dyn Store>,
    /// No cookies, no redirects followed: every answer is seen as sent.
    pub http: reqwest::Client,
    /// Every mail the application sent (activation links), oldest first.
    pub courriels: Memoire,
    _backend: BackendGuard,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(WebConfig {
        secure_cookies: false,
        max_body_bytes: 64 * 1024,
        ..WebConfig::default()
    })
    .await
}

/// The shared app, with a bouquet's own fixture imported on top through the real import path.
pub async fn spawn_app_importing(fixture: String) -> TestApp {
    let app = spawn_app().await;
    app.import(fixture).await.unwrap();
    app
}

pub async fn spawn_app_with(config: WebConfig) -> TestApp {
    spawn_app_settings(config, Settings::default()).await
}

pub async fn spawn_app_settings(config: WebConfig, settings: Settings) -> TestApp {
    let (store, guard) = backend().await;
    let clock = ManualClock::at(t0());
    let courriels = Memoire::new();
    let app = App::new(store.clone(), Arc::new(clock.clone()), settings)
        .await
        .unwrap()
        .avec_messagerie(Arc::new(courriels.clone()));
    app.import_jsonl(Box::new(std::io::Cursor::new(fixture().into_bytes())))
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let service = router(app, config).into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, service).await });
    TestApp {
        base: format!("http://{addr}"),
        clock,
        store,
        courriels,
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        _backend: guard,
    }
}

impl TestApp {
    /// Imports `texte` on top of the app's data, through the real import path.
    pub async fn import(&self, texte: String) -> Result<(), partage_app::AppError> {
        let importer = App::new(
            self.store.clone(),
            Arc::new(self.clock.clone()),
            Settings::default(),
        )
        .await
        .unwrap();
        importer
            .import_jsonl(Box::new(std::io::Cursor::new(texte.into_bytes())))
            .await
            .map(|_| ())
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A browser: keeps cookies, does not follow redirects (so tests see each one).
    pub fn browser(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    pub async fn post_json(&self, path: &str, token: Option<&str>, body: &Value) -> reqwest::Response {
        let mut req = self.http.post(self.url(path)).json(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().await.unwrap()
    }

    pub async fn login(&self, caisse: &str, identifiant: &str, mot_de_passe: &str) -> reqwest::Response {
        self.post_json(
            "/api/v1/session",
            None,
            &json!({"caisse": caisse, "identifiant": identifiant, "mot_de_passe": mot_de_passe}),
        )
        .await
    }

    /// Logs in with the temporary password and returns the token.
    pub async fn token(&self, identifiant: &str, mot_de_passe: &str) -> String {
        let res = self.login(CAISSE, identifiant, mot_de_passe).await;
        assert_eq!(res.status(), StatusCode::CREATED, "connexion de {identifiant}");
        let body: Value = res.json().await.unwrap();
        body["jeton"].as_str().unwrap().to_owned()
    }

    pub async fn change_password(&self, token: &str, actuel: &str, nouveau: &str) -> reqwest::Response {
        self.http
            .put(self.url("/api/v1/session/mot-de-passe"))
            .bearer_auth(token)
            .json(&json!({"actuel": actuel, "nouveau": nouveau}))
            .send()
            .await
            .unwrap()
    }

    /// `agent07`, logged in, his temporary password replaced by [`NOUVEAU_MDP`]: ready to consult.
    pub async fn agent_ready(&self) -> String {
        self.ready(AGENT, AGENT_MDP_PROVISOIRE).await
    }

    /// A user of [`CAISSE`], logged in, his temporary password replaced by [`NOUVEAU_MDP`].
    pub async fn ready(&self, identifiant: &str, provisoire: &str) -> String {
        let token = self.token(identifiant, provisoire).await;
        let res = self.change_password(&token, provisoire, NOUVEAU_MDP).await;
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        token
    }

    pub async fn consult(&self, token: &str, body: Value) -> reqwest::Response {
        self.post_json("/api/v1/consultations/qf", Some(token), &body)
            .await
    }

    pub async fn traces(&self) -> Vec<StoredTrace> {
        self.store.traces_after(0, 100_000).await.unwrap()
    }

    /// (action, résultat) codes of every trace, in order.
    pub async fn trace_codes(&self) -> Vec<(String, String)> {
        self.traces()
            .await
            .into_iter()
            .map(|t| {
                (
                    t.trace.action.code().to_owned(),
                    t.trace.resultat.code().to_owned(),
                )
            })
            .collect()
    }
}

/// Status, content type and body of an answer: what must be identical between answers that must not be
/// told apart.
pub async fn answer(res: reqwest::Response) -> (StatusCode, String, Option<String>, String) {
    let status = res.status();
    let ct = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let www = res
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_owned());
    (status, ct, www, res.text().await.unwrap())
}

/// The problem document of an error answer, after checking its media type.
pub async fn problem(res: reqwest::Response) -> (StatusCode, Value) {
    let status = res.status();
    assert_eq!(
        res.headers().get("content-type").unwrap(),
        "application/problem+json",
        "{status}"
    );
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["status"], status.as_u16());
    assert_eq!(
        body["type"],
        format!("urn:partage:probleme:{}", body["code"].as_str().unwrap())
    );
    (status, body)
}

/// The value of the hidden CSRF field of a page.
pub fn csrf_of(html: &str) -> String {
    let marker = r#"name="csrf" value=""#;
    let start = html.find(marker).expect("champ csrf") + marker.len();
    let end = html[start..].find('"').unwrap() + start;
    html[start..end].to_owned()
}
