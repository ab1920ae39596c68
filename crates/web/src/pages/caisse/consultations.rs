//! The report of a dossier's consultations (`/caisse/dossiers/consultations`, SPEC BY-1, role
//! `supervision`): found by matricule, or by NIR (typed in a POST body only, never in an address), it lists
//! the partners that consulted the dossier, when and through which bouquet, never the agents' names, under
//! a heading the family can read. The page prints as it is: the form and the menu do not.

use super::supervision::ErreursChamps;
use super::{erreur, NavCaisse, StaffPage, StaffSession};
use crate::extract::Source;
use crate::pages::{date_heure, rendre, PageForm};
use crate::AppState;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use partage_app::AppError;
use serde::Deserialize;

const RETOUR: &str = "/caisse/dossiers/consultations";

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Dossier {
    #[serde(default)]
    matricule: String,
    #[serde(default)]
    nir: String,
}

struct LigneConsultation {
    quand: String,
    partenaire: String,
    bouquet: String,
}

struct Releve {
    matricule: String,
    caisse: String,
    etabli_le: String,
    lignes: Vec<LigneConsultation>,
}

#[derive(Template)]
#[template(path = "caisse/consultations.html")]
struct PageReleve {
    nav: NavCaisse,
    matricule: String,
    nir: String,
    erreurs: ErreursChamps,
    releve: Option<Releve>,
}

impl PageReleve {
    fn erreur(&self, champ: &str) -> Option<&str> {
        self.erreurs.de(champ)
    }
}

async fn repondre(state: &AppState, source: &str, session: &StaffSession, d: Dossier) -> Response {
    let staff = &session.staff;
    let par_nir = !d.nir.trim().is_empty();
    let outcome = if par_nir {
        state
            .app
            .releve_consultations_par_nir(staff, &d.nir, source)
            .await
    } else {
        state
            .app
            .releve_consultations(staff, &d.matricule, source)
            .await
            .map(|liste| (d.matricule.trim().to_owned(), liste))
    };
    let champ = if par_nir { "nir" } else { "matricule" };
    let (status, erreurs) = match outcome {
        Ok((matricule, liste)) => {
            let page = PageReleve {
                nav: session.nav(),
                matricule: String::new(),
                nir: String::new(),
                erreurs: ErreursChamps::default(),
                releve: Some(Releve {
                    matricule,
                    caisse: staff.personnel.caisse.to_string(),
                    etabli_le: date_heure(state.app.clock().now()),
                    lignes: liste
                        .into_iter()
                        .map(|c| LigneConsultation {
                            quand: date_heure(c.horodatage),
                            partenaire: match c.partenaire_nom {
                                Some(nom) => format!("{nom} (n° {})", c.partenaire),
                                None => format!("Partenaire n° {}", c.partenaire),
                            },
                            bouquet: c.bouquet.map(|b| b.libelle().to_owned()).unwrap_or_default(),
                        })
                        .collect(),
                }),
            };
            return rendre(StatusCode::OK, &page);
        }
        Err(AppError::DossierIntrouvable) => (
            StatusCode::NOT_FOUND,
            ErreursChamps::depuis(
                &format!("{champ} : aucun dossier de votre caisse ne correspond"),
                &[(champ, if par_nir { "nir" } else { "matricule" })],
            ),
        ),
        Err(AppError::RequeteInvalide(m)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            ErreursChamps::depuis(&m, &[("matricule", "matricule")]),
        ),
        Err(AppError::NirInvalide(m)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            ErreursChamps::depuis(&format!("nir : {m}"), &[("nir", "nir")]),
        ),
        Err(e) => return erreur(e, Some(session.nav()), RETOUR),
    };
    let page = PageReleve {
        nav: session.nav(),
        matricule: d.matricule,
        nir: d.nir,
        erreurs,
        releve: None,
    };
    rendre(status, &page)
}

pub(crate) async fn afficher(
    State(state): State<AppState>,
    Source(source): Source,
    StaffPage(session): StaffPage,
    query: Result<Query<Dossier>, QueryRejection>,
) -> Response {
    let d = query.map(|Query(d)| d).unwrap_or_default();
    if d.matricule.trim().is_empty() {
        if let Err(e) = state.app.touch_personnel(&session.staff).await {
            return erreur(e, None, "/caisse/supervision");
        }
        let page = PageReleve {
            nav: session.nav(),
            matricule: String::new(),
            nir: String::new(),
            erreurs: ErreursChamps::default(),
            releve: None,
        };
        return rendre(StatusCode::OK, &page);
    }
    // A NIR in an address is never read: only the form's body carries one.
    let d = Dossier {
        nir: String::new(),
        ..d
    };
    repondre(&state, &source, &session, d).await
}

/// The form: a matricule goes to the report's address (to print or keep); a NIR is answered here.
pub(crate) async fn rechercher(
    State(state): State<AppState>,
    Source(source): Source,
    StaffPage(session): StaffPage,
    PageForm(d): PageForm<Dossier>,
) -> Response {
    match (d.matricule.trim().is_empty(), d.nir.trim().is_empty()) {
        (false, false) => {
            let page = PageReleve {
                nav: session.nav(),
                erreurs: ErreursChamps::depuis(
                    "matricule : le matricule ou le NIR, pas les deux",
                    &[("matricule", "matricule")],
                ),
                matricule: d.matricule,
                nir: d.nir,
                releve: None,
            };
            rendre(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        (false, true) => {
            let q = serde_urlencoded::to_string([("matricule", d.matricule.trim())]).unwrap_or_default();
            Redirect::to(&format!("{RETOUR}?{q}")).into_response()
        }
        _ => repondre(&state, &source, &session, d).await,
    }
}
