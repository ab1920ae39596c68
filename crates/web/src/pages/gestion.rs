//! Gestion déléguée as a page (SPEC HB-9, CV-12): the partner's gestionnaire principal or suppléant lists
//! his own organisation's habilitations and creates, modifies, suspends, reactivates or deletes them (a
//! button per row for the last three), through the same use case as
//! `/api/v1/gestion/habilitations`. The partner is his session's, never the form's; every refusal (another
//! organisation's convention, centralised management, the cap…) is shown in French, nothing changed.

use super::caisse::{facultatif, AgentSaisi};
use super::session::PageAgent;
use super::{depuis_erreur, phrase, rendre, Nav, PageForm};
use crate::api::caisse_habilitations::nature_acte;
use crate::error::ApiError;
use crate::extract::Source;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use partage_app::habilitations::{ActeDelegue, Extranaute};
use partage_app::AppError;
use partage_domain::Bouquet;
use secrecy::ExposeSecret;
use serde::Deserialize;

/// One habilitation of the organisation.
#[derive(Debug)]
struct Ligne {
    bouquet: &'static str,
    bouquet_libelle: &'static str,
    agent: Extranaute,
}

/// The act as the page's fields carry it, kept to be corrected after a refusal.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Saisie {
    #[serde(default)]
    nature: String,
    #[serde(default)]
    convention: String,
    #[serde(default)]
    bouquet: String,
    #[serde(default)]
    utilisateur: String,
    #[serde(flatten)]
    agent: AgentSaisi,
}

impl Saisie {
    fn acte(&self) -> Result<ActeDelegue, AppError> {
        let nature = nature_acte(&self.nature)?;
        // A suppression names the agent only; the other acts carry his details.
        let a = &self.agent;
        let agent = match !a.nom.trim().is_empty() || !a.email.trim().is_empty() {
            true => Some(a.agent().map_err(AppError::RequeteInvalide)?),
            false => None,
        };
        Ok(ActeDelegue {
            nature,
            convention: self.convention.clone(),
            bouquet: self.bouquet.clone(),
            utilisateur: facultatif(&self.utilisateur),
            agent,
        })
    }
}

#[derive(Template)]
#[template(path = "gestion.html")]
struct Gestion {
    nav: Nav,
    lignes: Vec<Ligne>,
    bouquets: Vec<(&'static str, &'static str)>,
    f: Saisie,
    refus: Option<String>,
}

async fn charger(
    state: &AppState,
    page: &PageAgent,
    source: &str,
    f: Saisie,
    refus: Option<String>,
) -> Result<Gestion, AppError> {
    let liste = state
        .app
        .habilitations_de_l_organisme(&page.0.agent, source)
        .await?;
    Ok(Gestion {
        nav: page.0.nav(),
        lignes: liste
            .into_iter()
            .map(|(b, agent)| Ligne {
                bouquet: b.code(),
                bouquet_libelle: b.libelle(),
                agent,
            })
            .collect(),
        bouquets: [Bouquet::Qf, Bouquet::Psu, Bouquet::Rsacg, Bouquet::McpQf]
            .iter()
            .map(|b| (b.code(), b.libelle()))
            .collect(),
        f,
        refus,
    })
}

pub(crate) async fn afficher(
    State(state): State<AppState>,
    Source(source): Source,
    page: PageAgent,
) -> Response {
    let saisie = Saisie {
        nature: "acces".to_owned(),
        ..Saisie::default()
    };
    match charger(&state, &page, &source, saisie, None).await {
        Ok(g) => rendre(StatusCode::OK, &g),
        Err(e) => depuis_erreur(e),
    }
}

#[derive(Template)]
#[template(path = "gestion_identifiants.html")]
struct Identifiants<'a> {
    nav: Nav,
    identifiant: &'a str,
    mot_de_passe: &'a str,
}

pub(crate) async fn agir(
    State(state): State<AppState>,
    Source(source): Source,
    page: PageAgent,
    PageForm(saisie): PageForm<Saisie>,
) -> Response {
    let outcome = match saisie.acte() {
        Ok(acte) => state.app.gerer_habilitation(&page.0.agent, acte, &source).await,
        Err(e) => Err(e),
    };
    match outcome {
        Ok((identifiant, Some(provisoire))) => {
            let mut response = rendre(
                StatusCode::CREATED,
                &Identifiants {
                    nav: page.0.nav(),
                    identifiant: identifiant.as_str(),
                    mot_de_passe: provisoire.expose_secret(),
                },
            );
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Ok((_, None)) => Redirect::to("/gestion").into_response(),
        Err(e @ (AppError::Habilitation(_) | AppError::RequeteInvalide(_))) => {
            let message = phrase(&e.to_string());
            let status = ApiError::App(e).classement().status;
            match charger(&state, &page, &source, saisie, Some(message)).await {
                Ok(g) => rendre(status, &g),
                Err(e) => depuis_erreur(e),
            }
        }
        Err(e) => depuis_erreur(e),
    }
}
