//! The JSON API for partner software (BY-3), described by [`openapi::document`]. Clients authenticate as
//! their named user (AU-5) with the Bearer token that `POST /api/v1/session` hands back.

mod caisse;
pub(crate) mod caisse_abus;
mod caisse_avenants;
pub(crate) mod caisse_baremes;
pub(crate) mod caisse_bilan;
pub(crate) mod caisse_conventions;
mod caisse_double_facteur;
pub(crate) mod caisse_habilitations;
mod caisse_partenaires;
mod caisse_plages;
pub(crate) mod caisse_supervision;
mod consultation;
mod gestion_deleguee;
mod journal;
mod mcp;
pub mod openapi;
mod openapi_caisse;
mod openapi_habilitations;
mod openapi_partenaires;
mod openapi_rsacg;
mod psu;
mod quota;
mod rsacg;
mod session;

use crate::AppState;
use axum::routing::{get, post, put};
use axum::Router;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/session", post(session::ouvrir).delete(session::fermer))
        .route("/api/v1/session/mot-de-passe", put(session::changer_mot_de_passe))
        .route("/api/v1/consultations/qf", post(consultation::qf))
        .route("/api/v1/consultations/psu", post(psu::psu))
        .route("/api/v1/consultations/rsa", post(rsacg::rsacg))
        .route("/api/v1/consultations/mcp/qf", post(mcp::qf))
        .route("/api/v1/consultations/mcp/adresse", post(mcp::adresse))
        .route("/api/v1/journal/point-de-controle", get(journal::dernier))
        .route("/api/v1/journal/preuves/inclusion", get(journal::inclusion))
        .route("/api/v1/journal/preuves/coherence", get(journal::coherence))
        .route("/api/openapi.json", get(openapi::servir))
        .merge(caisse::routes())
        .merge(caisse_conventions::routes())
        .merge(caisse_avenants::routes())
        .merge(caisse_double_facteur::routes())
        .merge(caisse_supervision::routes())
        .merge(caisse_abus::routes())
        .merge(caisse_bilan::routes())
        .merge(caisse_habilitations::routes())
        .merge(caisse_partenaires::routes())
        .merge(caisse_plages::routes())
        .merge(caisse_baremes::routes())
        .merge(gestion_deleguee::routes())
}
