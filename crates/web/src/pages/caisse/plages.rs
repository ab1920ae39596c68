//! The opening windows as a page (`/caisse/plages`, SPEC CO-7, role `admin`): each bouquet's window for the
//! caisse and where it comes from; set one (a sensitive act), or go back to the deployment's default.

use super::{erreur, page_ou_erreur, NavCaisse, StaffPage, StaffSession};
use crate::extract::Source;
use crate::pages::{date_heure, phrase, rendre, PageForm};
use crate::AppState;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use partage_app::plages::{Origine, PlageVue};
use partage_app::AppError;
use serde::Deserialize;

const RETOUR: &str = "/caisse/plages";

struct Ligne {
    code: &'static str,
    service: &'static str,
    plage: String,
    origine: &'static str,
    propre: bool,
    /// What the field shows: the window in force, or what was typed when refused.
    valeur: String,
    erreur: Option<String>,
}

#[derive(Template)]
#[template(path = "caisse/plages.html")]
struct PagePlages {
    nav: NavCaisse,
    lignes: Vec<Ligne>,
    avis: Option<&'static str>,
}

fn lignes(vues: &[PlageVue], refus: Option<(&str, &str, String)>) -> Vec<Ligne> {
    vues.iter()
        .map(|v| {
            let code = v.bouquet.code();
            let refus_ici = refus.as_ref().filter(|(b, _, _)| *b == code);
            let plage = v
                .plage
                .map_or_else(|| "Toute la journée".to_owned(), |p| format!("Ouvert {p}"));
            Ligne {
                code,
                service: v.bouquet.libelle(),
                plage: match &v.modifiee {
                    Some((par, le)) => format!("{plage} (par {par}, le {})", date_heure(*le)),
                    None => plage,
                },
                origine: match v.origine {
                    Origine::Caisse => "fixée par la caisse",
                    Origine::Defaut => "plage par défaut du service",
                    Origine::Aucune => "aucune plage fixée : ouvert en permanence",
                },
                propre: v.origine == Origine::Caisse,
                valeur: match refus_ici {
                    Some((_, saisie, _)) => (*saisie).to_owned(),
                    None => v.plage.map(|p| p.texte()).unwrap_or_default(),
                },
                erreur: refus_ici.map(|(_, _, e)| e.clone()),
            }
        })
        .collect()
}

#[derive(Debug, Deserialize)]
pub(crate) struct Avis {
    #[serde(default)]
    fait: String,
}

pub(crate) async fn afficher(
    State(state): State<AppState>,
    Source(source): Source,
    StaffPage(session): StaffPage,
    query: Result<Query<Avis>, QueryRejection>,
) -> Response {
    let fait = query.map(|Query(a)| a.fait).unwrap_or_default();
    let avis = match fait.as_str() {
        "plage" => Some("Plage d'ouverture enregistrée ; elle s'applique dès la prochaine consultation."),
        "retrait" => Some("Le service a repris la plage par défaut."),
        _ => None,
    };
    let resultat = state
        .app
        .plages_ouverture(&session.staff, &source)
        .await
        .map(|vues| PagePlages {
            nav: session.nav(),
            lignes: lignes(&vues, None),
            avis,
        });
    page_ou_erreur(resultat, &session, RETOUR)
}

#[derive(Debug, Deserialize)]
pub(crate) struct Saisie {
    #[serde(default)]
    plage: String,
}

pub(crate) async fn definir(
    State(state): State<AppState>,
    Source(source): Source,
    StaffPage(session): StaffPage,
    Path(bouquet): Path<String>,
    PageForm(saisie): PageForm<Saisie>,
) -> Response {
    let refus = match state
        .app
        .definir_plage_ouverture(&session.staff, &bouquet, &saisie.plage, &source)
        .await
    {
        Ok(_) => return Redirect::to(&format!("{RETOUR}?fait=plage")).into_response(),
        Err(AppError::PlageInvalide(m) | AppError::RequeteInvalide(m)) => phrase(&m),
        Err(e) => return erreur(e, Some(session.nav()), RETOUR),
    };
    refusee(&state, &source, &session, &bouquet, &saisie.plage, refus).await
}

async fn refusee(
    state: &AppState,
    source: &str,
    session: &StaffSession,
    bouquet: &str,
    saisie: &str,
    refus: String,
) -> Response {
    match state.app.plages_ouverture(&session.staff, source).await {
        Ok(vues) => rendre(
            StatusCode::UNPROCESSABLE_ENTITY,
            &PagePlages {
                nav: session.nav(),
                lignes: lignes(&vues, Some((bouquet, saisie, refus))),
                avis: None,
            },
        ),
        Err(e) => erreur(e, Some(session.nav()), RETOUR),
    }
}

pub(crate) async fn retirer(
    State(state): State<AppState>,
    Source(source): Source,
    StaffPage(session): StaffPage,
    Path(bouquet): Path<String>,
) -> Response {
    match state
        .app
        .retirer_plage_ouverture(&session.staff, &bouquet, &source)
        .await
    {
        Ok(_) => Redirect::to(&format!("{RETOUR}?fait=retrait")).into_response(),
        Err(e) => erreur(e, Some(session.nav()), RETOUR),
    }
}
