//! BY-2: the latest signed checkpoint of the trace log is published for anyone to check; proofs over the API.

use crate::helpers::*;
use ed25519_dalek::SigningKey;
use partage_app::trace_log::{PublishedConsistency, PublishedInclusion};
use partage_domain::merkle::{verify_consistency, verify_inclusion};
use partage_domain::trace_log::{from_hex, leaf_hash, PublishedCheckpoint, SignedCheckpoint};
use reqwest::StatusCode;

async fn point_de_controle(app: &TestApp) -> reqwest::Response {
    app.browser()
        .get(app.url("/api/v1/journal/point-de-controle"))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn by_2_the_latest_signed_checkpoint_is_published_without_an_account() {
    let app = spawn_app().await;
    let res = point_de_controle(&app).await;
    let (status, body) = problem(res).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["code"], "preuve_indisponible");

    // Some traces, then a checkpoint signed by the caisse's key (as `partage serve` does on its schedule).
    app.login(CAISSE, AGENT, "pas le bon mot de passe").await;
    app.login(CAISSE, AGENT, AGENT_MDP_PROVISOIRE).await;
    let key = SigningKey::from_bytes(&[7; 32]);
    let made = partage_store::trace_log::extend_log(app.store.as_ref(), &key, t0(), true)
        .await
        .unwrap()
        .unwrap();

    let res = point_de_controle(&app).await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: serde_json::Value = res.json().await.unwrap();
    let published: PublishedCheckpoint = serde_json::from_value(body["point_de_controle"].clone()).unwrap();
    assert_eq!(published.taille, app.traces().await.len() as u64);
    let signed = SignedCheckpoint::try_from(published).unwrap();
    assert_eq!(signed, made.checkpoint.signed);
    assert!(signed.is_signed_by(&key.verifying_key()));
    assert!(!signed.is_signed_by(&SigningKey::from_bytes(&[8; 32]).verifying_key()));
}

/// The parameters of a proof request.
type Query = Vec<(&'static str, String)>;

/// The hashes of a published proof, read back.
fn hashes(v: &[String]) -> Vec<[u8; 32]> {
    v.iter().map(|h| from_hex::<32>(h).unwrap()).collect()
}

async fn checkpoint_now(app: &TestApp, key: &SigningKey) -> u64 {
    partage_store::trace_log::extend_log(app.store.as_ref(), key, t0(), true)
        .await
        .unwrap()
        .unwrap()
        .checkpoint
        .signed
        .checkpoint
        .taille
}

#[tokio::test]
async fn by_2_inclusion_proofs_over_the_api_verify_for_the_supervision_only() {
    let app = spawn_app().await;
    let supervision = app.staff_ready("superviseur", "supervision").await;
    let admin = app.staff_ready("administrateur", "admin").await;
    app.login(CAISSE, AGENT, "pas le bon mot de passe").await;
    app.login(AUTRE_CAISSE, AGENT, "pas le bon mot de passe").await;
    let key = SigningKey::from_bytes(&[7; 32]);
    let first_size = checkpoint_now(&app, &key).await;
    app.login(CAISSE, AGENT, AGENT_MDP_PROVISOIRE).await;
    let latest_size = checkpoint_now(&app, &key).await;
    assert!(latest_size > first_size);

    let traces = app.traces().await;
    let ours = traces
        .iter()
        .find(|t| t.trace.caisse.as_deref() == Some(CAISSE) && t.trace.utilisateur.as_deref() == Some(AGENT))
        .unwrap();
    let query = |token: &str, q: Query| {
        app.http
            .get(app.url("/api/v1/journal/preuves/inclusion"))
            .query(&q)
            .bearer_auth(token.to_owned())
            .send()
    };

    // In the latest checkpoint, and in the earlier one asked by its size: each verifies with the domain's
    // verifier against the signed root, and fails for another leaf.
    for taille in [None, Some(first_size)] {
        let mut q = vec![("trace", ours.id.to_string())];
        q.extend(taille.map(|n| ("taille", n.to_string())));
        let res = query(&supervision, q).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let proof: PublishedInclusion = res.json().await.unwrap();
        assert_eq!(proof.trace, ours.id);
        let signed = SignedCheckpoint::try_from(proof.point_de_controle.clone()).unwrap();
        assert!(signed.is_signed_by(&key.verifying_key()));
        assert_eq!(signed.checkpoint.taille, taille.unwrap_or(latest_size));
        let leaf = from_hex::<32>(&proof.feuille).unwrap();
        assert_eq!(leaf, leaf_hash(ours.id, &ours.trace));
        let path = hashes(&proof.chemin);
        let size = signed.checkpoint.taille;
        let root = signed.checkpoint.racine;
        assert!(verify_inclusion(proof.position, size, &leaf, &path, &root));
        let other = traces.iter().find(|t| t.id != ours.id).unwrap();
        let wrong = leaf_hash(other.id, &other.trace);
        assert!(!verify_inclusion(proof.position, size, &wrong, &path, &root));
        let mut flipped = leaf;
        flipped[0] ^= 1;
        assert!(!verify_inclusion(proof.position, size, &flipped, &path, &root));
    }

    // Bad input: clear French errors with stable codes.
    // The success requests above were traced after the latest checkpoint: not covered yet.
    let newest = app.traces().await.last().unwrap().id;
    let other_caisse = traces
        .iter()
        .find(|t| t.trace.caisse.as_deref() != Some(CAISSE))
        .map(|t| t.id);
    let mut cases: Vec<(Query, StatusCode, &str)> = vec![
        (vec![], StatusCode::BAD_REQUEST, "requete_invalide"),
        (
            vec![("trace", "abc".into())],
            StatusCode::BAD_REQUEST,
            "requete_invalide",
        ),
        (
            vec![("trace", ours.id.to_string()), ("taille", "0".into())],
            StatusCode::BAD_REQUEST,
            "requete_invalide",
        ),
        (
            vec![("trace", ours.id.to_string()), ("taille", "x".into())],
            StatusCode::BAD_REQUEST,
            "requete_invalide",
        ),
        (
            vec![("trace", ours.id.to_string()), ("rang", "1".into())],
            StatusCode::BAD_REQUEST,
            "requete_invalide",
        ),
        (
            vec![("trace", "999999".into())],
            StatusCode::NOT_FOUND,
            "preuve_indisponible",
        ),
        (
            vec![("trace", newest.to_string())],
            StatusCode::NOT_FOUND,
            "preuve_indisponible",
        ),
        (
            vec![
                ("trace", ours.id.to_string()),
                ("taille", (latest_size + 1).to_string()),
            ],
            StatusCode::NOT_FOUND,
            "preuve_indisponible",
        ),
    ];
    cases.extend(other_caisse.map(|id| {
        (
            vec![("trace", id.to_string())],
            StatusCode::NOT_FOUND,
            "preuve_indisponible",
        )
    }));
    for (q, status, code) in cases {
        let (got, body) = problem(query(&supervision, q.clone()).await.unwrap()).await;
        assert_eq!((got, body["code"].as_str().unwrap()), (status, code), "{q:?}");
    }

    // Only the supervision; without a token, nothing; every request is traced.
    let (status, body) = problem(query(&admin, vec![("trace", ours.id.to_string())]).await.unwrap()).await;
    assert_eq!(
        (status, body["code"].as_str().unwrap()),
        (StatusCode::FORBIDDEN, "role_requis")
    );
    let res = app
        .browser()
        .get(app.url(&format!("/api/v1/journal/preuves/inclusion?trace={}", ours.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let asked = app
        .traces()
        .await
        .into_iter()
        .filter(|t| {
            t.trace.utilisateur.as_deref() == Some("superviseur")
                && t.trace
                    .rubriques
                    .as_deref()
                    .is_some_and(|r| r.starts_with("preuve_inclusion="))
        })
        .count();
    // The two proofs given and the refusals the application saw (the malformed ones stop at the door).
    assert_eq!(asked, 2 + 3 + usize::from(other_caisse.is_some()));
}

#[tokio::test]
async fn by_2_consistency_proofs_over_the_api_verify_and_refuse_bad_sizes() {
    let app = spawn_app().await;
    let coherence = |q: &str| {
        app.browser()
            .get(app.url(&format!("/api/v1/journal/preuves/coherence?{q}")))
            .send()
    };
    let (status, body) = problem(coherence("depuis=1").await.unwrap()).await;
    assert_eq!(
        (status, body["code"].as_str().unwrap()),
        (StatusCode::NOT_FOUND, "preuve_indisponible")
    );

    let key = SigningKey::from_bytes(&[7; 32]);
    app.login(CAISSE, AGENT, "pas le bon mot de passe").await;
    app.login(CAISSE, AGENT, "pas le bon mot de passe").await;
    app.login(CAISSE, AGENT, "pas le bon mot de passe").await;
    let old = checkpoint_now(&app, &key).await;
    app.login(CAISSE, AGENT, AGENT_MDP_PROVISOIRE).await;
    let middle = checkpoint_now(&app, &key).await;
    app.login(CAISSE, AGENT, "pas le bon mot de passe").await;
    let latest = checkpoint_now(&app, &key).await;
    let checkpoints: Vec<SignedCheckpoint> = app
        .store
        .checkpoints()
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.checkpoint.signed)
        .collect();
    let root_at = |n: u64| {
        checkpoints
            .iter()
            .find(|c| c.checkpoint.taille == n)
            .unwrap()
            .checkpoint
            .racine
    };

    for (q, from, to) in [
        (format!("depuis={old}"), old, latest),
        (format!("depuis={old}&jusqu_a={middle}"), old, middle),
        (format!("depuis={middle}"), middle, latest),
    ] {
        let res = coherence(&q).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{q}");
        let proof: PublishedConsistency = res.json().await.unwrap();
        assert_eq!(proof.depuis, from);
        let signed = SignedCheckpoint::try_from(proof.point_de_controle.clone()).unwrap();
        assert!(signed.is_signed_by(&key.verifying_key()));
        assert_eq!(signed.checkpoint.taille, to);
        let path = hashes(&proof.chemin);
        assert!(
            verify_consistency(from, to, &root_at(from), &signed.checkpoint.racine, &path),
            "{q}"
        );
        // Against another old root, or a truncated proof, it fails.
        assert!(
            !verify_consistency(from, to, &root_at(to), &signed.checkpoint.racine, &path),
            "{q}"
        );
        assert!(
            !verify_consistency(from, to, &root_at(from), &signed.checkpoint.racine, &path[1..]),
            "{q}"
        );
    }

    for (q, status, code) in [
        ("", StatusCode::BAD_REQUEST, "requete_invalide"),
        ("depuis=0", StatusCode::BAD_REQUEST, "requete_invalide"),
        ("depuis=-1", StatusCode::BAD_REQUEST, "requete_invalide"),
        ("depuis=deux", StatusCode::BAD_REQUEST, "requete_invalide"),
        ("depuis=1&jusqu_a=0", StatusCode::BAD_REQUEST, "requete_invalide"),
        ("depuis=1&depuis=2", StatusCode::BAD_REQUEST, "requete_invalide"),
        (
            &format!("depuis={}", latest + 1),
            StatusCode::BAD_REQUEST,
            "requete_invalide",
        ),
        (
            &format!("depuis={latest}&jusqu_a={middle}"),
            StatusCode::BAD_REQUEST,
            "requete_invalide",
        ),
        (
            &format!("depuis=1&jusqu_a={}", latest + 5),
            StatusCode::NOT_FOUND,
            "preuve_indisponible",
        ),
    ] {
        let (got, body) = problem(coherence(q).await.unwrap()).await;
        assert_eq!((got, body["code"].as_str().unwrap()), (status, code), "{q}");
        assert!(body["detail"].as_str().is_some_and(|d| !d.is_empty()), "{q}");
    }
}
