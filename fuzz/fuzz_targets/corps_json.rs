//! Every JSON body of the API, through the real router on a real (temporary SQLite) store: the bytes are
//! sent as the body of each route that reads one, authenticated as an agent or a staff member ready to
//! work, so the body readers — not the authentication in front of them — meet the input. Any bytes get a
//! 4xx or a 2xx, never a 5xx and never a panic.
#![no_main]

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use libfuzzer_sys::fuzz_target;
use partage_app::{App, Settings, SystemClock};
use serde_json::{json, Value};
use std::sync::{Arc, OnceLock};
use tower::ServiceExt;

struct Banc {
    runtime: tokio::runtime::Runtime,
    router: Router,
    agent: String,
    staff: String,
    _dir: tempfile::TempDir,
}

const MDP: &str = "une phrase de passe pour le banc de fuzzing";

fn fixture() -> String {
    let lines = [
        json!({"type":"caisse","code":"MSA-F","nom":"MSA Fuzz","regime":"MSA","departements":["07"]}),
        json!({"type":"partenaire","caisse":"MSA-F","numero_tiers":"T07","nom":"Commune","categorie":"collectivite_territoriale","siret":"21070007100017","departements":["07"]}),
        json!({"type":"convention","caisse":"MSA-F","numero":"C-1","partenaire":"T07","bouquets":["QF","PSU"],"signee_le":"2025-01-10","formalite_cnil_le":"2025-01-20"}),
        json!({"type":"utilisateur","caisse":"MSA-F","identifiant":"agent","partenaire":"T07","civilite":"Mme","nom":"DURAND","prenom":"Anne","email":"a@example.fr","habilitations":[{"convention":"C-1","bouquet":"QF"},{"convention":"C-1","bouquet":"PSU"}],"mot_de_passe_provisoire":"provisoire-agent"}),
    ];
    lines.iter().map(|l| format!("{l}\n")).collect()
}

async fn envoyer(router: &Router, method: Method, path: &str, token: Option<&str>, body: Vec<u8>) -> (StatusCode, Value) {
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let res = router.clone().oneshot(req.body(Body::from(body)).unwrap()).await.unwrap();
    let status = res.status();
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX).await.unwrap();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

async fn pret(router: &Router, entree: &str, identifiant: &str, provisoire: &str) -> String {
    let login = json!({"caisse":"MSA-F","identifiant":identifiant,"mot_de_passe":provisoire});
    let (status, body) = envoyer(router, Method::POST, entree, None, login.to_string().into_bytes()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let token = body["jeton"].as_str().unwrap().to_owned();
    let change = json!({"actuel": provisoire, "nouveau": MDP});
    let (status, _) = envoyer(
        router,
        Method::PUT,
        &format!("{entree}/mot-de-passe"),
        Some(&token),
        change.to_string().into_bytes(),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    token
}

fn banc() -> &'static Banc {
    static BANC: OnceLock<Banc> = OnceLock::new();
    BANC.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("fuzz.sqlite").display());
        let (router, agent, staff) = runtime.block_on(async {
            let store = partage_store_sqlite::SqliteStore::connect(&url).await.unwrap();
            store.migrate().await.unwrap();
            let settings = Settings {
                consultations: partage_domain::debit::Politique { par_seconde: 1_000_000, rafale: 1_000_000 },
                ..Settings::default()
            };
            let app = App::new(Arc::new(store), Arc::new(SystemClock), settings).await.unwrap();
            app.import_jsonl(Box::new(std::io::Cursor::new(fixture().into_bytes()))).await.unwrap();
            let nouveau = partage_app::personnel::NouveauPersonnel {
                identifiant: "staff".into(),
                nom: "MOREAU".into(),
                prenom: "Lucie".into(),
                email: "staff@example.fr".into(),
                roles: "admin,habilitation,conventions,supervision".into(),
            };
            let provisoire = app.creer_personnel_en_ligne_de_commande("MSA-F", &nouveau).await.unwrap();
            let config = partage_web::WebConfig { secure_cookies: false, ..partage_web::WebConfig::default() };
            let router = partage_web::router(app, config);
            let agent = pret(&router, "/api/v1/session", "agent", "provisoire-agent").await;
            let staff = pret(&router, "/api/v1/caisse/session", "staff", secrecy::ExposeSecret::expose_secret(&provisoire)).await;
            (router, agent, staff)
        });
        Banc { runtime, router, agent, staff, _dir: dir }
    })
}

fuzz_target!(|data: &[u8]| {
    let banc = banc();
    // Routes whose body is read before anything is changed or whose change is harmless to repeat; the
    // ones that end the session or change its password would leave the rest of the run unauthenticated.
    let routes: [(Method, &str, Option<&str>); 6] = [
        (Method::POST, "/api/v1/session", None),
        (Method::POST, "/api/v1/consultations/qf", Some(&banc.agent)),
        (Method::POST, "/api/v1/consultations/psu", Some(&banc.agent)),
        (Method::POST, "/api/v1/caisse/session", None),
        (Method::POST, "/api/v1/caisse/personnels", Some(&banc.staff)),
        (Method::POST, "/api/v1/caisse/conventions/C-1/actes", Some(&banc.staff)),
    ];
    banc.runtime.block_on(async {
        for (method, path, token) in routes {
            let (status, body) = envoyer(&banc.router, method, path, token, data.to_vec()).await;
            assert!(!status.is_server_error(), "{path} : {status} {body}");
            if status.is_client_error() {
                assert!(body["code"].is_string(), "{path} : {status} sans code stable : {body}");
            }
        }
    });
});
