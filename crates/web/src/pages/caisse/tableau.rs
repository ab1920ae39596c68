//! The staff's work list (`/caisse/tableau`): what waits for each of the member's roles.

use super::demandes::Ligne;
use super::{page_ou_erreur, NavCaisse, StaffPage};
use crate::extract::Source;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use partage_domain::personnel::Role;

#[derive(Template)]
#[template(path = "caisse/tableau.html")]
struct Tableau {
    nav: NavCaisse,
    demandes: Vec<Ligne>,
    /// Role `supervision`: the open alerts of the last days (SU-1).
    alertes_ouvertes: Option<usize>,
    /// Role `conventions`: the échéances coming up, soonest first.
    echeances: Vec<super::conventions::Ligne>,
    rappel_mois: u64,
}

pub(crate) async fn afficher(
    State(state): State<AppState>,
    Source(source): Source,
    StaffPage(session): StaffPage,
) -> Response {
    let resultat = async {
        let staff = &session.staff;
        let mut demandes = Vec::new();
        if staff.personnel.roles.contient(Role::Habilitation) {
            let soumises = state.app.demandes(staff, Some("soumise"), None, &source).await?;
            demandes = soumises.iter().map(Ligne::de).collect();
        } else {
            state.app.touch_personnel(staff).await?;
        }
        let alertes_ouvertes = if staff.personnel.roles.contient(Role::Supervision) {
            Some(
                super::supervision::alertes_ouvertes(&state, staff, &source)
                    .await?
                    .len(),
            )
        } else {
            None
        };
        let echeances = if staff.personnel.roles.contient(Role::Conventions) {
            let proches = state.app.echeances_proches(staff, &source).await?;
            proches.iter().map(super::conventions::ligne).collect()
        } else {
            Vec::new()
        };
        Ok(Tableau {
            nav: session.nav(),
            demandes,
            alertes_ouvertes,
            echeances,
            rappel_mois: partage_app::registre::RAPPEL_ECHEANCE_JOURS / 30,
        })
    }
    .await;
    page_ou_erreur(resultat, &session, "/caisse/tableau")
}
