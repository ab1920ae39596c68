//! TR-1: every connection, connection attempt and action is traced; no secret is ever in clear in a trace.

use crate::helpers::*;
use chrono::Duration;
use reqwest::StatusCode;
use serde_json::json;

fn codes(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, r)| ((*a).to_owned(), (*r).to_owned()))
        .collect()
}

#[tokio::test]
async fn tr_1_every_login_attempt_and_consultation_is_traced() {
    let app = spawn_app().await;
    app.login("CAF-99", AGENT, "x").await;
    app.login(CAISSE, "inconnu", "x").await;
    app.login(CAISSE, AGENT, "mauvais mot de passe").await;
    let token = app.token(AGENT, AGENT_MDP_PROVISOIRE).await;
    app.consult(&token, json!({"nir": nir_martin()})).await;
    app.change_password(&token, AGENT_MDP_PROVISOIRE, "court").await;
    app.change_password(&token, AGENT_MDP_PROVISOIRE, NOUVEAU_MDP)
        .await;
    for nir in [
        nir_martin(),
        "185".to_owned(),
        nir_inconnu(),
        nir_hors_competence(),
        nir_autre_caisse(),
        nir_opposition(),
    ] {
        app.consult(&token, json!({"nir": nir})).await;
    }
    app.consult(&token, json!({"nir": nir_martin(), "annee": 2026}))
        .await;
    app.http
        .delete(app.url("/api/v1/session"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let token = app.token(AGENT, NOUVEAU_MDP).await;
    app.clock.advance(Duration::minutes(31));
    app.consult(&token, json!({"nir": nir_martin()})).await;

    assert_eq!(
        app.trace_codes().await,
        codes(&[
            ("connexion", "echec_identifiant_inconnu"),
            ("connexion", "echec_identifiant_inconnu"),
            ("connexion", "echec_mot_de_passe"),
            ("connexion", "succes"),
            ("consultation", "changement_mot_de_passe_requis"),
            ("changement_mot_de_passe", "mot_de_passe_refuse"),
            ("changement_mot_de_passe", "succes"),
            ("consultation", "succes"),
            ("consultation", "nir_invalide"),
            ("consultation", "dossier_introuvable"),
            ("consultation", "hors_perimetre"),
            ("consultation", "dossier_introuvable"),
            ("consultation", "opposition"),
            ("consultation", "requete_invalide"),
            ("deconnexion", "succes"),
            ("connexion", "succes"),
            ("expiration_session", "succes"),
        ])
    );
    let traces = app.traces().await;
    for t in &traces {
        assert_eq!(t.trace.source, "127.0.0.1", "from where");
    }
    let ok = &traces[7].trace;
    assert_eq!(ok.utilisateur.as_deref(), Some(AGENT));
    assert_eq!(ok.caisse.as_deref(), Some(CAISSE));
    assert_eq!(ok.partenaire.as_deref(), Some("T07"));
    assert_eq!(ok.matricule.as_deref(), Some(MATRICULE_MARTIN), "which dossier");
    assert_eq!(
        ok.rubriques.as_deref(),
        Some("coordonnees_dossier,montant_qf"),
        "which rubriques"
    );
    assert_eq!(ok.horodatage, t0());
    assert!(
        traces[9].trace.nir_hache.is_some(),
        "a NIR that found nothing is kept, hashed"
    );
    assert_eq!(traces[12].trace.matricule.as_deref(), Some(MATRICULE_OPPOSITION));
    assert_eq!(
        traces[0].trace.caisse.as_deref(),
        Some("CAF-99"),
        "attempts record what was typed"
    );
}

#[tokio::test]
async fn tr_1_no_password_token_or_nir_in_clear_in_any_trace() {
    let app = spawn_app().await;
    let browser = app.browser();
    app.login(CAISSE, AGENT, "mot-de-passe-errone").await;
    let first = app.token(AGENT, AGENT_MDP_PROVISOIRE).await;
    app.change_password(&first, "actuel-errone-123", NOUVEAU_MDP)
        .await;
    app.change_password(&first, AGENT_MDP_PROVISOIRE, NOUVEAU_MDP)
        .await;
    let token = app.token(AGENT, NOUVEAU_MDP).await;
    let nirs = [
        nir_martin(),
        nir_claire(),
        nir_inconnu(),
        nir_hors_competence(),
        nir_autre_caisse(),
        nir_opposition(),
    ];
    for nir in &nirs {
        let res = app.consult(&token, json!({"nir": nir})).await;
        assert_ne!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }
    let wrong_key = format!("{}00", &nir_martin()[..13]);
    app.consult(&token, json!({"nir": wrong_key})).await;
    crate::pages::login_page(&app, &browser, AGENT, NOUVEAU_MDP).await;
    crate::pages::search_page(&app, &browser, &nir_martin()).await;

    let all = serde_json::to_string(
        &app.traces()
            .await
            .into_iter()
            .map(|t| t.trace)
            .collect::<Vec<_>>(),
    )
    .unwrap();
    let mut secrets: Vec<String> = vec![
        AGENT_MDP_PROVISOIRE.into(),
        NOUVEAU_MDP.into(),
        "mot-de-passe-errone".into(),
        "actuel-errone-123".into(),
        first.clone(),
        token.clone(),
        wrong_key.clone(),
        wrong_key[..13].to_owned(),
    ];
    for nir in &nirs {
        secrets.push(nir.clone());
        // The 13 digits alone, and the NIR as typed with spaces, would identify the person just as well.
        secrets.push(nir[..13].to_owned());
    }
    for secret in &secrets {
        assert!(
            !all.contains(secret.as_str()),
            "« {secret} » en clair dans les traces"
        );
    }
    assert!(
        all.contains("\"nir_hache\":\""),
        "hashes are kept for NIRs that found nothing"
    );
}

/// `partage traces export`: every trace, in order, one JSON object a line, with its id and nothing secret.
#[tokio::test]
async fn tr_1_traces_export_writes_every_trace_in_order_as_json_lines() {
    let app = spawn_app().await;
    app.login(CAISSE, AGENT, "mauvais mot de passe").await;
    let token = app.agent_ready().await;
    app.consult(&token, json!({"nir": nir_martin()})).await;
    app.consult(&token, json!({"nir": nir_inconnu()})).await;
    let stored = app.traces().await;

    let exporter = partage_app::App::new(
        app.store.clone(),
        std::sync::Arc::new(app.clock.clone()),
        partage_app::Settings::default(),
    )
    .await
    .unwrap();
    let mut out: Vec<u8> = Vec::new();
    let count = exporter.export_traces(&mut out).await.unwrap();
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();

    assert_eq!(count as usize, stored.len());
    assert_eq!(lines.len(), stored.len());
    let ids: Vec<i64> = lines.iter().map(|l| l["id"].as_i64().unwrap()).collect();
    assert_eq!(
        ids,
        stored.iter().map(|t| t.id).collect::<Vec<_>>(),
        "in the order recorded"
    );
    assert_eq!(lines[0]["action"], "connexion");
    assert_eq!(lines[0]["resultat"], "echec_mot_de_passe");
    let last = lines.last().unwrap();
    assert_eq!(last["resultat"], "dossier_introuvable");
    assert_eq!(
        last["nir_hache"].as_str().map(str::len),
        Some(64),
        "a NIR that found nothing, hashed"
    );
    for secret in [
        token.as_str(),
        nir_martin().as_str(),
        nir_inconnu().as_str(),
        "mauvais mot de passe",
    ] {
        assert!(!text.contains(secret), "the export holds no secret in clear");
    }
}
