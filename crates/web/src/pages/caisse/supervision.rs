//! The supervision hub (`/caisse/supervision`, role `supervision`): links to every supervision page, with
//! the open alerts and the suspensions in force counted, and the helpers those pages share.

use super::{page_ou_erreur, NavCaisse, StaffPage};
use crate::extract::Source;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use chrono::Duration;
use partage_app::abus::{AlerteRecord, JOURS_MAX};
use partage_app::personnel::Staff;
use partage_app::AppError;
use std::collections::BTreeMap;

#[derive(Template)]
#[template(path = "caisse/supervision.html")]
struct Hub {
    nav: NavCaisse,
    alertes_ouvertes: usize,
    suspensions_en_cours: usize,
    jours: i64,
}

/// The open alerts of the last [`JOURS_MAX`] days, the longest period one alert list covers (SU-1).
pub(crate) async fn alertes_ouvertes(
    state: &AppState,
    staff: &Staff,
    source: &str,
) -> Result<Vec<AlerteRecord>, AppError> {
    let aujourdhui = state.app.clock().now().date_naive();
    let du = (aujourdhui - Duration::days(JOURS_MAX - 1)).to_string();
    let au = aujourdhui.to_string();
    state
        .app
        .alertes_abus(staff, Some(&du), Some(&au), false, source)
        .await
}

pub(crate) async fn afficher(
    State(state): State<AppState>,
    Source(source): Source,
    StaffPage(session): StaffPage,
) -> Response {
    let resultat = async {
        let staff = &session.staff;
        let suspensions = state.app.suspensions(staff, &source).await?;
        let alertes = alertes_ouvertes(&state, staff, &source).await?;
        Ok(Hub {
            nav: session.nav(),
            alertes_ouvertes: alertes.len(),
            suspensions_en_cours: suspensions.iter().filter(|s| s.en_cours).count(),
            jours: JOURS_MAX,
        })
    }
    .await;
    page_ou_erreur(resultat, &session, "/caisse/supervision")
}

/// A use case's refusal of bad input, spread beside the form's fields: each part of the message (`champ :
/// raison`, parts joined by ` ; `) goes, as its reason, to the field `champs` names for its prefix; what
/// names no field is kept whole for the summary at the top of the form.
#[derive(Debug, Default)]
pub(crate) struct ErreursChamps {
    par_champ: BTreeMap<&'static str, String>,
    pub generales: Vec<String>,
}

impl ErreursChamps {
    pub(crate) fn depuis(message: &str, champs: &[(&str, &'static str)]) -> ErreursChamps {
        let mut out = ErreursChamps::default();
        for partie in message.split(" ; ").map(str::trim).filter(|p| !p.is_empty()) {
            let (prefixe, raison) = partie.split_once(" : ").unwrap_or(("", partie));
            match champs.iter().find(|(p, _)| *p == prefixe.trim()) {
                Some((_, champ)) => {
                    // Beside its field, the reason needs no field name.
                    let texte = super::super::phrase(raison.trim());
                    out.par_champ
                        .entry(champ)
                        .and_modify(|t| {
                            t.push(' ');
                            t.push_str(&texte);
                        })
                        .or_insert(texte);
                }
                None => out.generales.push(super::super::phrase(partie)),
            }
        }
        out
    }

    /// The error beside `champ`, if any.
    pub(crate) fn de(&self, champ: &str) -> Option<&str> {
        self.par_champ.get(champ).map(String::as_str)
    }

    pub(crate) fn est_vide(&self) -> bool {
        self.par_champ.is_empty() && self.generales.is_empty()
    }

    /// Every error, in the order of the form's fields, with the id of its field (for the summary's links).
    pub(crate) fn toutes(&self) -> Vec<(&'static str, &str)> {
        self.par_champ.iter().map(|(c, t)| (*c, t.as_str())).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_part_of_a_refusal_goes_beside_its_field() {
        let e = ErreursChamps::depuis(
            "du : « x » n'est pas une date AAAA-MM-JJ ; numero_tiers : ne doit pas être vide ; autre chose",
            &[("du", "du"), ("numero_tiers", "partenaire")],
        );
        assert_eq!(e.de("du"), Some("« x » n'est pas une date AAAA-MM-JJ."));
        assert_eq!(e.de("partenaire"), Some("Ne doit pas être vide."));
        assert_eq!(e.de("au"), None);
        assert_eq!(e.generales, ["Autre chose."]);
        assert!(!e.est_vide());
    }
}
