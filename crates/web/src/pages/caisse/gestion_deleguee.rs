//! The audit of delegated management as a page (`/caisse/gestion-deleguee`, SPEC SU-3, role
//! `supervision`): every grant, change and removal made by the partners' administrators over a period
//! (the last 31 days unless chosen), refused ones included, optionally for one partner, with the agent's
//! habilitation before and after each act; the same list as CSV (`/caisse/gestion-deleguee/export`).

use super::supervision::ErreursChamps;
use super::{erreur, NavCaisse, StaffPage};
use crate::extract::Source;
use crate::pages::{date_heure, rendre};
use crate::AppState;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Duration;
use partage_app::AppError;
use partage_domain::habilitation::NatureActe;
use serde::Deserialize;

/// The period shown when none is chosen.
const JOURS_PAR_DEFAUT: i64 = 31;

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Periode {
    #[serde(default)]
    partenaire: String,
    #[serde(default)]
    du: String,
    #[serde(default)]
    au: String,
}

struct LigneActe {
    numero: i64,
    quand: String,
    administrateur: String,
    partenaire: String,
    nature: &'static str,
    convention: String,
    bouquet: String,
    agent: String,
    /// The agent's habilitation before and after the act, as "statut : actif ; profil : …" (SU-3).
    avant: String,
    apres: String,
    resultat: &'static str,
}

/// An habilitation's state in one cell: "—" when there was none (before an access, after a removal, or an act
/// traced before the states were recorded).
fn etat(e: Option<&partage_app::audit::EtatHabilitation>) -> String {
    match e {
        None => "—".to_owned(),
        Some(e) => e
            .champs()
            .into_iter()
            .map(|(nom, valeur)| format!("{nom} : {valeur}"))
            .collect::<Vec<_>>()
            .join(" ; "),
    }
}

#[derive(Template)]
#[template(path = "caisse/gestion_deleguee.html")]
struct PageActes {
    nav: NavCaisse,
    p: Periode,
    erreurs: ErreursChamps,
    actes: Option<Vec<LigneActe>>,
}

impl PageActes {
    fn erreur(&self, champ: &str) -> Option<&str> {
        self.erreurs.de(champ)
    }
}

fn nature(n: NatureActe) -> &'static str {
    match n {
        NatureActe::Acces => "Accès accordé",
        NatureActe::Modification => "Modification",
        NatureActe::Suppression => "Suppression",
        NatureActe::Suspension => "Suspension",
        NatureActe::Reactivation => "Réactivation",
    }
}

/// The period asked, or the last [`JOURS_PAR_DEFAUT`] days.
fn periode(state: &AppState, query: Result<Query<Periode>, QueryRejection>) -> Periode {
    let mut p = query.map(|Query(p)| p).unwrap_or_default();
    if p.du.trim().is_empty() && p.au.trim().is_empty() {
        let aujourdhui = state.app.clock().now().date_naive();
        p.du = (aujourdhui - Duration::days(JOURS_PAR_DEFAUT - 1)).to_string();
        p.au = aujourdhui.to_string();
    }
    p
}

async fn actes(
    state: &AppState,
    session: &super::StaffSession,
    p: &Periode,
    source: &str,
) -> Result<Vec<partage_app::audit::ActeDelegueAudite>, AppError> {
    state
        .app
        .actes_delegues(
            &session.staff,
            Some(p.partenaire.as_str()),
            Some(p.du.as_str()),
            Some(p.au.as_str()),
            source,
        )
        .await
}

/// The same acts as a CSV file (the API's columns); a period the page would refuse shows the page's error.
pub(crate) async fn exporter(
    State(state): State<AppState>,
    Source(source): Source,
    StaffPage(session): StaffPage,
    query: Result<Query<Periode>, QueryRejection>,
) -> Response {
    let p = periode(&state, query);
    match actes(&state, &session, &p, &source).await {
        Ok(liste) => crate::api::caisse_abus::actes_csv(&liste, session.staff.personnel.caisse.as_str()),
        Err(e) => erreur(e, Some(session.nav()), "/caisse/gestion-deleguee"),
    }
}

pub(crate) async fn afficher(
    State(state): State<AppState>,
    Source(source): Source,
    StaffPage(session): StaffPage,
    query: Result<Query<Periode>, QueryRejection>,
) -> Response {
    let p = periode(&state, query);
    let outcome = actes(&state, &session, &p, &source).await;
    let (status, erreurs, actes) = match outcome {
        Ok(liste) => (
            StatusCode::OK,
            ErreursChamps::default(),
            Some(
                liste
                    .into_iter()
                    .map(|a| LigneActe {
                        numero: a.numero_trace,
                        quand: date_heure(a.horodatage),
                        administrateur: a.administrateur,
                        partenaire: a.partenaire,
                        nature: nature(a.acte.nature),
                        convention: a.acte.convention,
                        bouquet: a.acte.bouquet,
                        avant: etat(a.acte.avant.as_ref()),
                        apres: etat(a.acte.apres.as_ref()),
                        agent: a.acte.agent.unwrap_or_default(),
                        resultat: a.resultat.code(),
                    })
                    .collect(),
            ),
        ),
        Err(AppError::RequeteInvalide(m)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            ErreursChamps::depuis(
                &m,
                &[
                    ("du", "du"),
                    ("au", "au"),
                    ("période", "au"),
                    ("numero_tiers", "partenaire"),
                ],
            ),
            None,
        ),
        Err(e) => return erreur(e, Some(session.nav()), "/caisse/gestion-deleguee"),
    };
    rendre(
        status,
        &PageActes {
            nav: session.nav(),
            p,
            erreurs,
            actes,
        },
    )
}
