//! BQ-MCP (003:8): the two services of Mon Compte Partenaire, each at its own address and habilitated on its
//! own. The search is PSU's (NIR or matricule, and the allocataire's name, in the body only).

use super::psu::RecherchePsu;
use super::quota::AvecQuota;
use crate::error::ApiError;
use crate::extract::{Agent, JsonBody, Source};
use crate::AppState;
use axum::extract::State;
use axum::Json;
use partage_app::mcp::{McpAdresseView, McpQfView};

pub(crate) async fn qf(
    State(state): State<AppState>,
    Source(source): Source,
    Agent(agent): Agent,
    JsonBody(body): JsonBody<RecherchePsu>,
) -> Result<AvecQuota<Json<McpQfView>>, ApiError> {
    let view = state.app.consult_mcp_qf(&agent, body.query(), &source).await?;
    Ok(AvecQuota(state.app.quota_consultations(&agent), Json(view)))
}

pub(crate) async fn adresse(
    State(state): State<AppState>,
    Source(source): Source,
    Agent(agent): Agent,
    JsonBody(body): JsonBody<RecherchePsu>,
) -> Result<AvecQuota<Json<McpAdresseView>>, ApiError> {
    let view = state
        .app
        .consult_mcp_adresse(&agent, body.query(), &source)
        .await?;
    Ok(AvecQuota(state.app.quota_consultations(&agent), Json(view)))
}
