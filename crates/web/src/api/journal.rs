//! The published face of the verifiable trace log (BY-2): the latest signed checkpoint and the key that
//! signed it. Public on purpose: a checkpoint holds a size, a root hash, a time and a signature — nothing
//! about anyone — and an auditor must be able to fetch it without an account of the caisse.

use crate::error::ApiError;
use crate::AppState;
use axum::extract::State;
use axum::Json;
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
