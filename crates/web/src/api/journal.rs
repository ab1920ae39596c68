//! The published face of the verifiable trace log (BY-2): the latest signed checkpoint and the key that
//! signed it, consistency proofs (public), inclusion proofs (the caisse's supervision). Public on purpose: a checkpoint holds a size, a root hash, a time and a signature — nothing
//! about anyone — and an auditor must be able to fetch it without an account of the caisse.

use super::caisse::StaffBearer;
use super::caisse_supervision::parametres;
use crate::error::ApiError;
use crate::extract::Source;
use crate::AppState;
use axum::extract::{RawQuery, State};
use axum::Json;
use partage_app::trace_log::{parse_taille, PublishedConsistency, PublishedInclusion};
use partage_app::AppError;
use partage_domain::trace_log::{to_hex, PublishedCheckpoint};
use serde::Serialize;

#[derive(Debug, Serialize)]
pub(crate) struct PointDeControle {
    /// Hex Ed25519 public key of this server's signing key, when it has one. Auditors should hold the
    /// caisse's key from another channel and compare.
    cle_publique: Option<String>,
    point_de_controle: PublishedCheckpoint,
}

pub(crate) async fn dernier(State(state): State<AppState>) -> Result<Json<PointDeControle>, ApiError> {
    let Some(signed) = state.app.latest_checkpoint().await? else {
        return Err(ApiError::App(AppError::PreuveIndisponible(
            "aucun point de contrôle n'a encore été signé".into(),
        )));
    };
    let cle_publique = state.app.log_public_key().map(|k| to_hex(k.as_bytes()));
    Ok(Json(PointDeControle {
        cle_publique,
        point_de_controle: signed.published(),
    }))
}

/// `GET /api/v1/journal/preuves/inclusion?trace=ID[&taille=N]`: the inclusion proof of a trace of the
/// caisse in the latest signed checkpoint, or the one of `taille` traces. Role `supervision` only: a leaf
/// hash and the trace's existence are facts about someone's activity (docs/journal-verifiable.md).
pub(crate) async fn inclusion(
    State(state): State<AppState>,
    Source(source): Source,
    StaffBearer(staff): StaffBearer,
    RawQuery(query): RawQuery,
) -> Result<Json<PublishedInclusion>, ApiError> {
    let mut p = parametres(query.as_deref(), &["trace", "taille"])?;
    let trace = p
        .remove("trace")
        .ok_or_else(|| AppError::RequeteInvalide("trace : obligatoire (numéro de la trace)".into()))?;
    let trace = trace
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| {
            AppError::RequeteInvalide("trace : le numéro d'une trace, un entier positif".into())
        })?;
    let taille = p
        .remove("taille")
        .map(|t| parse_taille("taille", &t))
        .transpose()?;
    Ok(Json(
        state.app.preuve_inclusion(&staff, trace, taille, &source).await?,
    ))
}

/// `GET /api/v1/journal/preuves/coherence?depuis=N[&jusqu_a=M]`: proof that the log of `depuis` traces is a
/// prefix of the latest signed checkpoint, or of the one of `jusqu_a` traces. Public, like the checkpoints:
/// an auditor holding an earlier checkpoint checks the log still extends it, without an account.
pub(crate) async fn coherence(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Json<PublishedConsistency>, ApiError> {
    let mut p = parametres(query.as_deref(), &["depuis", "jusqu_a"])?;
    let depuis = p.remove("depuis").ok_or_else(|| {
        AppError::RequeteInvalide("depuis : obligatoire (taille d'un point de contrôle)".into())
    })?;
    let depuis = parse_taille("depuis", &depuis)?;
    let jusqu_a = p
        .remove("jusqu_a")
        .map(|t| parse_taille("jusqu_a", &t))
        .transpose()?;
    Ok(Json(state.app.preuve_coherence(depuis, jusqu_a).await?))
}

/// The proof routes in the OpenAPI document.
pub(crate) fn documenter(doc: &mut serde_json::Value) {
    use super::openapi::{probleme, reponses};
    use super::openapi_caisse::{ajouter, erreurs_personnel, json_de, schema};
    use serde_json::json;
    let taille = |nom: &str, requis: bool, description: &str| {
        json!({ "name": nom, "in": "query", "required": requis, "description": description,
            "schema": { "type": "integer", "minimum": 1 } })
    };
    let hash = json!({ "type": "string", "pattern": "^[0-9a-f]{64}$" });
    let mal_ecrit = "Paramètre absent, inconnu, répété, ou qui n'est pas un nombre entier d'au moins 1.";
    let mut erreurs_inclusion = erreurs_personnel("supervision");
    erreurs_inclusion.push(("400", probleme(mal_ecrit, &["requete_invalide"])));
    erreurs_inclusion.push((
        "404",
        probleme(
            "Trace inconnue, d'une autre caisse, pas encore couverte par le point de contrôle, ou aucun point \
             de contrôle signé de cette taille.",
            &["preuve_indisponible"],
        ),
    ));
    ajouter(
        doc,
        "paths",
        json!({
            "/api/v1/journal/preuves/inclusion": {
                "get": {
                    "operationId": "preuveInclusion",
                    "summary": "Preuve d'inclusion d'une trace de la caisse dans le journal (BY-2, rôle supervision)",
                    "description": "Le chemin d'audit RFC 9162 de la feuille de la trace jusqu'à la racine du dernier \
                        point de contrôle signé, ou de celui de `taille` traces. Mêmes champs que `partage traces \
                        preuve-inclusion` ; vérification décrite dans docs/journal-verifiable.md. Tracé.",
                    "tags": ["caisse"],
                    "parameters": [
                        { "name": "trace", "in": "query", "required": true, "description": "Numéro de la trace.",
                          "schema": { "type": "integer", "minimum": 1 } },
                        taille("taille", false, "Taille d'un point de contrôle signé ; par défaut le dernier.")
                    ],
                    "responses": reponses(
                        ("200", json_de("La preuve, et le point de contrôle signé auquel elle se rapporte.", "PreuveInclusion")),
                        erreurs_inclusion
                    )
                }
            },
            "/api/v1/journal/preuves/coherence": {
                "get": {
                    "operationId": "preuveCoherence",
                    "summary": "Preuve de cohérence entre deux tailles du journal des traces (BY-2)",
                    "description": "Public, comme les points de contrôle : montre que le journal de `depuis` traces \
                        est un préfixe de celui du dernier point de contrôle signé, ou de celui de `jusqu_a` \
                        traces (RFC 9162 §2.1.4). Mêmes champs que `partage traces preuve-coherence`.",
                    "security": [],
                    "parameters": [
                        taille("depuis", true, "Taille d'un point de contrôle conservé auparavant."),
                        taille("jusqu_a", false, "Taille d'un point de contrôle signé plus récent ; par défaut le dernier.")
                    ],
                    "responses": reponses(
                        ("200", json_de("La preuve, et le point de contrôle signé auquel elle mène.", "PreuveCoherence")),
                        vec![
                            ("400", probleme(&format!("{mal_ecrit} Ou `depuis` plus grand que le point de contrôle."), &["requete_invalide"])),
                            ("404", probleme("Aucun point de contrôle signé, ou aucun de la taille `jusqu_a`.", &["preuve_indisponible"]))
                        ]
                    )
                }
            }
        }),
    );
    if let Some(schemas) = doc["components"]["schemas"].as_object_mut() {
        let point = schema("PointDeControle");
        schemas.insert(
            "PointDeControle".into(),
            json!({
                "type": "object",
                "required": ["version", "taille", "racine", "horodatage", "signature"],
                "additionalProperties": false,
                "properties": {
                    "version": { "type": "integer", "const": 1 },
                    "taille": { "type": "integer", "minimum": 0 },
                    "racine": hash,
                    "horodatage": { "type": "string", "format": "date-time" },
                    "signature": { "type": "string", "pattern": "^[0-9a-f]{128}$" }
                }
            }),
        );
        schemas.insert(
            "PreuveInclusion".into(),
            json!({
                "type": "object",
                "required": ["trace", "position", "feuille", "chemin", "point_de_controle"],
                "additionalProperties": false,
                "properties": {
                    "trace": { "type": "integer" },
                    "position": { "type": "integer", "minimum": 0, "description": "Rang de la feuille, 0 pour la première." },
                    "feuille": hash,
                    "chemin": { "type": "array", "items": hash },
                    "point_de_controle": point
                }
            }),
        );
        schemas.insert(
            "PreuveCoherence".into(),
            json!({
                "type": "object",
                "required": ["depuis", "chemin", "point_de_controle"],
                "additionalProperties": false,
                "properties": {
                    "depuis": { "type": "integer", "minimum": 1 },
                    "chemin": { "type": "array", "items": hash },
                    "point_de_controle": point
                }
            }),
        );
    }
}
