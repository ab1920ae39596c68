//! BY-2: the latest signed checkpoint of the trace log is published for anyone to check.

use crate::helpers::*;
use ed25519_dalek::SigningKey;
use partage_domain::trace_log::{PublishedCheckpoint, SignedCheckpoint};
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
