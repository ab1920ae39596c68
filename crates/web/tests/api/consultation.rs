//! CO-1, CO-4, CO-6, OP-1 through the API.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

fn spaced(nir: &str) -> String {
    format!(
        "{} {} {} {} {} {} {}",
        &nir[0..1],
        &nir[1..3],
        &nir[3..5],
        &nir[5..7],
        &nir[7..10],
        &nir[10..13],
        &nir[13..15]
    )
}

#[tokio::test]
async fn co_1_qf_found_by_nir() {
    let app = spawn_app().await;
    let token = app.agent_ready().await;
    let res = app.consult(&token, json!({"nir": spaced(&nir_martin())})).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        body,
        json!({
            "matricule": MATRICULE_MARTIN,
            "allocataires": [
                {"nom_naissance": "MARTIN", "nom_usage": null, "prenoms": "Jean Pierre", "date_naissance": "1985-05-02", "sexe": "M"},
                {"nom_naissance": "BERNARD", "nom_usage": "MARTIN", "prenoms": "Claire", "date_naissance": "1987-06-11", "sexe": "F"}
            ],
            "enfants": [
                {"nom_naissance": "MARTIN", "nom_usage": null, "prenoms": "Léo", "date_naissance": "2018-09-30", "sexe": "M"}
            ],
            "adresse": {
                "destinataire": null, "complement_information": null, "complement_information_geographique": null,
                "numero_libelle_voie": "12 RUE DES ÉCOLES", "lieu_dit": null, "code_postal_ville": "07000 PRIVAS",
                "pays": "FRANCE"
            },
            "quotient_familial": {"fournisseur": "MSA", "valeur": 612, "annee": 2026, "mois": 3},
            "periodes": [
                {"debut": "2025-07-01", "fin": "2025-12-31", "valeur": 590},
                {"debut": "2026-01-01", "fin": "2026-06-30", "valeur": 612}
            ]
        })
    );
    assert!(!body.to_string().contains(&nir_martin()), "no NIR in the answer");
}

#[tokio::test]
async fn co_1_any_person_of_the_dossier_finds_it() {
    let app = spawn_app().await;
    let token = app.agent_ready().await;
    let body: Value = app
        .consult(&token, json!({"nir": nir_claire()}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["matricule"], MATRICULE_MARTIN);
}

#[tokio::test]
async fn co_6_the_user_chooses_the_month() {
    let app = spawn_app().await;
    let token = app.agent_ready().await;
    let body: Value = app
        .consult(&token, json!({"nir": nir_martin(), "annee": 2025, "mois": 10}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        body["quotient_familial"],
        json!({"fournisseur": "MSA", "valeur": 590, "annee": 2025, "mois": 10})
    );
    // A month without a QF: null, and every period still listed.
    let res = app
        .consult(&token, json!({"nir": nir_martin(), "annee": 2026, "mois": 9}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["quotient_familial"], Value::Null);
    assert_eq!(body["periodes"].as_array().unwrap().len(), 2);
    // Explicit nulls are "not chosen": the current month.
    let body: Value = app
        .consult(&token, json!({"nir": nir_martin(), "annee": null, "mois": null}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["quotient_familial"]["mois"], 3);
}

#[tokio::test]
async fn co_6_an_incomplete_or_impossible_period_is_refused() {
    let app = spawn_app().await;
    let token = app.agent_ready().await;
    for (query, reason) in [
        (json!({"nir": nir_martin(), "annee": 2026}), "indiquez les deux"),
        (json!({"nir": nir_martin(), "mois": 4}), "indiquez les deux"),
        (
            json!({"nir": nir_martin(), "annee": 2026, "mois": 13}),
            "entre 1 et 12",
        ),
    ] {
        let (status, body) = problem(app.consult(&token, query).await).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["code"], "requete_invalide");
        assert!(body["detail"].as_str().unwrap().contains(reason), "{body}");
    }
}

#[tokio::test]
async fn co_1_invalid_nir_answers_the_precise_reason() {
    let app = spawn_app().await;
    let token = app.agent_ready().await;
    let good = nir_martin();
    let wrong_key = format!(
        "{}{:02}",
        &good[..13],
        (good[13..].parse::<u8>().unwrap() % 97) + 1
    );
    let cases = [
        (
            wrong_key,
            format!(
                "la clé du NIR ne correspond pas au numéro (clé attendue : {})",
                &good[13..]
            ),
        ),
        (good[..14].to_owned(), "15 caractères".to_owned()),
        ("".to_owned(), "le NIR est vide".to_owned()),
        ("1850507186001X1".to_owned(), "caractère non autorisé".to_owned()),
    ];
    for (nir, reason) in cases {
        let (status, body) = problem(app.consult(&token, json!({"nir": nir})).await).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["code"], "nir_invalide");
        let detail = body["detail"].as_str().unwrap();
        assert!(detail.starts_with("NIR invalide : "), "{detail}");
        assert!(detail.contains(&reason), "{detail} ∌ {reason}");
    }
}

#[tokio::test]
async fn co_4_dossier_of_another_departement_answers_like_not_found() {
    let app = spawn_app().await;
    let token = app.agent_ready().await;
    let unknown = answer(app.consult(&token, json!({"nir": nir_inconnu()})).await).await;
    assert_eq!(unknown.0, StatusCode::NOT_FOUND);
    let body: Value = serde_json::from_str(&unknown.3).unwrap();
    assert_eq!(body["code"], "dossier_introuvable");
    assert_eq!(body["detail"], "aucun dossier ne correspond à votre recherche");
    let other_departement = answer(app.consult(&token, json!({"nir": nir_hors_competence()})).await).await;
    assert_eq!(other_departement, unknown);
}

#[tokio::test]
async fn co_4_dossier_of_another_caisse_answers_like_not_found() {
    let app = spawn_app().await;
    let token = app.agent_ready().await;
    let unknown = answer(app.consult(&token, json!({"nir": nir_inconnu()})).await).await;
    let other_caisse = answer(app.consult(&token, json!({"nir": nir_autre_caisse()})).await).await;
    assert_eq!(other_caisse, unknown);
}

#[tokio::test]
async fn co_4_convention_not_in_force_answers_like_not_found() {
    let app = spawn_app().await;
    let reference = {
        let token = app.agent_ready().await;
        answer(app.consult(&token, json!({"nir": nir_inconnu()})).await).await
    };
    let token = app.token(AGENT_HV, AGENT_HV_MDP).await;
    app.change_password(&token, AGENT_HV_MDP, NOUVEAU_MDP).await;
    for nir in [nir_martin(), nir_inconnu()] {
        let got = answer(app.consult(&token, json!({"nir": nir})).await).await;
        assert_eq!(got, reference);
    }
}

#[tokio::test]
async fn co_4_user_without_habilitation_is_refused() {
    let app = spawn_app().await;
    let token = app.token(AGENT_SANS, AGENT_SANS_MDP).await;
    app.change_password(&token, AGENT_SANS_MDP, NOUVEAU_MDP).await;
    let (status, body) = problem(app.consult(&token, json!({"nir": nir_martin()})).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["code"], "non_habilite");
    assert!(!body.to_string().contains("MARTIN"));
}

#[tokio::test]
async fn op_1_opposition_shows_only_its_existence() {
    let app = spawn_app().await;
    let token = app.agent_ready().await;
    let res = app.consult(&token, json!({"nir": nir_opposition()})).await;
    let (status, body) = problem(res).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["code"], "opposition");
    assert_eq!(
        body["detail"],
        "ce dossier fait l'objet d'une opposition à la consultation par les partenaires"
    );
    let text = body.to_string();
    for personal in [NOM_OPPOSITION, "Rose", MATRICULE_OPPOSITION, "800", "07"] {
        assert!(!text.contains(personal), "{personal} in {text}");
    }
    let mut keys: Vec<&String> = body.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, ["code", "detail", "status", "title", "type"]);
}
