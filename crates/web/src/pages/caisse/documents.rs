//! The printable documents of an habilitation (SPEC HB-1, HB-3, HB-5): the request filled in as the annex
//! form of the convention prints it, and the notification of habilitation the agent receives (identifier,
//! caisse code, bouquet, profile). The notification never carries the password: it travels apart, by the
//! sealed letter printed from the grant's answer page, the one time it is shown.

use super::demandes::Fiche;
use super::{page_ou_erreur, StaffPage};
use crate::extract::Source;
use crate::pages::date_heure;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use partage_app::habilitations::DemandeEnregistree;
use partage_app::AppError;
use partage_domain::demande::{EtatDemande, NatureDemande};

#[derive(Template)]
#[template(path = "caisse/imprime_demande.html")]
struct FormulaireImprime {
    d: Fiche,
    caisse: String,
}

#[derive(Template)]
#[template(path = "caisse/imprime_notification.html")]
struct Notification {
    d: Fiche,
    caisse: String,
    identifiant: String,
    /// When the caisse carried the request out.
    le: String,
}

/// The request `id` of the staff member's caisse, read through the same use case as its page (traced).
async fn lire(
    state: &AppState,
    page: &StaffPage,
    id: &str,
    source: &str,
) -> Result<DemandeEnregistree, AppError> {
    let id = super::demandes::numero(id)?;
    state.app.demande_detail(&page.0.staff, id, source).await
}

pub(crate) async fn formulaire(
    State(state): State<AppState>,
    Source(source): Source,
    page: StaffPage,
    Path(id): Path<String>,
) -> Response {
    let resultat = lire(&state, &page, &id, &source)
        .await
        .map(|d| FormulaireImprime {
            d: Fiche::de(&d),
            caisse: page.0.staff.personnel.caisse.as_str().to_owned(),
        });
    page_ou_erreur(resultat, &page.0, "/caisse/demandes")
}

/// HB-3: only a request the caisse has carried out gives an agent his access (an access or a
/// modification; a suppression ends it).
pub(crate) async fn notification(
    State(state): State<AppState>,
    Source(source): Source,
    page: StaffPage,
    Path(id): Path<String>,
) -> Response {
    let resultat = lire(&state, &page, &id, &source).await.and_then(|d| {
        let faite = d
            .demande
            .historique()
            .iter()
            .rev()
            .find(|e| e.etat == EtatDemande::Faite);
        match (&d.utilisateur, faite, d.demande.nature()) {
            (Some(u), Some(etape), NatureDemande::Acces | NatureDemande::Modification) => Ok(Notification {
                identifiant: u.as_str().to_owned(),
                le: date_heure(etape.le),
                caisse: page.0.staff.personnel.caisse.as_str().to_owned(),
                d: Fiche::de(&d),
            }),
            _ => Err(AppError::Introuvable(format!(
                "la demande n° {} n'a pas de notification d'habilitation : seule une demande d'accès ou de \
                 modification faite par la caisse en a une",
                d.id.0
            ))),
        }
    });
    page_ou_erreur(resultat, &page.0, &format!("/caisse/demandes/{id}"))
}
