//! The bilan annuel of a convention as a page (`/caisse/conventions/{numero}/bilan?annee=AAAA`, SPEC SU-4,
//! CV-10, role `conventions` or `supervision`): habilitations held and their movements, use per month and
//! bouquet, alerts, suspensions; it prints as it is. `&format=csv` gives the API's CSV of the same bilan.

use super::abus::libelle_regle;
use super::supervision::ErreursChamps;
use super::{erreur, NavCaisse, StaffPage};
use crate::api::caisse_bilan::reponse_bilan_csv;
use crate::extract::Source;
use crate::pages::{date_heure, rendre};
use crate::AppState;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use partage_app::bilan::{Bilan, Mouvements};
use partage_app::supervision::Cible;
use partage_app::AppError;
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Demande {
    #[serde(default)]
    annee: String,
    #[serde(default)]
    format: String,
}

struct LigneUsage {
    mois: String,
    bouquet: String,
    compteurs: [i64; 5],
}

struct LigneMouvements {
    par: &'static str,
    accordees: u32,
    modifiees: u32,
    supprimees: u32,
}

struct LigneSuspension {
    cible: String,
    le: String,
    fin: String,
    motif: String,
    levee: String,
}

struct VueBilan {
    annee: i32,
    convention: String,
    partenaire: String,
    bouquets: String,
    plafond: String,
    actives: u32,
    mouvements: Vec<LigneMouvements>,
    usage: Vec<LigneUsage>,
    totaux: [i64; 5],
    alertes: Vec<(&'static str, i64)>,
    suspensions: Vec<LigneSuspension>,
}

#[derive(Template)]
#[template(path = "caisse/bilan.html")]
struct PageBilan {
    nav: NavCaisse,
    numero: String,
    annee: String,
    erreurs: ErreursChamps,
    bilan: Option<VueBilan>,
    csv: String,
}

const MOIS: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];

fn mouvements(par: &'static str, m: &Mouvements) -> LigneMouvements {
    LigneMouvements {
        par,
        accordees: m.accordees,
        modifiees: m.modifiees,
        supprimees: m.supprimees,
    }
}

fn vue(b: &Bilan) -> VueBilan {
    let mut totaux = [0i64; 5];
    let usage = b
        .usage
        .iter()
        .map(|u| {
            let compteurs = [u.consultations, u.trouves, u.introuvables, u.oppositions, u.refus];
            for (t, n) in totaux.iter_mut().zip(compteurs) {
                *t += n;
            }
            LigneUsage {
                mois: usize::try_from(u.mois)
                    .ok()
                    .and_then(|m| MOIS.get(m.wrapping_sub(1)))
                    .map_or(u.mois.to_string(), |m| (*m).to_owned()),
                bouquet: u.bouquet.map(|b| b.libelle().to_owned()).unwrap_or_default(),
                compteurs,
            }
        })
        .collect();
    VueBilan {
        annee: b.annee,
        convention: b.convention.to_string(),
        partenaire: match &b.partenaire_nom {
            Some(nom) => format!("{nom} (n° tiers {})", b.partenaire),
            None => format!("n° tiers {}", b.partenaire),
        },
        bouquets: b
            .bouquets
            .iter()
            .map(|b| b.libelle())
            .collect::<Vec<_>>()
            .join(", "),
        plafond: b.plafond.map_or("aucun".to_owned(), |p| p.to_string()),
        actives: b.habilitations_actives,
        mouvements: vec![
            mouvements("la caisse", &b.par_la_caisse),
            mouvements("l'administrateur du partenaire", &b.par_le_partenaire),
        ],
        usage,
        totaux,
        alertes: b.alertes.iter().map(|(r, n)| (libelle_regle(*r), *n)).collect(),
        suspensions: b
            .suspensions
            .iter()
            .map(|s| LigneSuspension {
                cible: match &s.cible {
                    Cible::Utilisateur(i) => format!("Utilisateur {i}"),
                    Cible::Partenaire(t) => format!("Partenaire {t}"),
                },
                le: date_heure(s.acte.le),
                fin: s.jusqu_au.map_or("Définitive".to_owned(), date_heure),
                motif: s.acte.motif.clone(),
                levee: s.levee.as_ref().map(|l| date_heure(l.le)).unwrap_or_default(),
            })
            .collect(),
    }
}

pub(crate) async fn afficher(
    State(state): State<AppState>,
    Source(source): Source,
    StaffPage(session): StaffPage,
    Path(numero): Path<String>,
    query: Result<Query<Demande>, QueryRejection>,
) -> Response {
    let d = query.map(|Query(d)| d).unwrap_or_default();
    let retour = "/caisse/supervision";
    let mut page = PageBilan {
        nav: session.nav(),
        csv: serde_urlencoded::to_string([("annee", d.annee.trim()), ("format", "csv")]).unwrap_or_default(),
        numero,
        annee: d.annee,
        erreurs: ErreursChamps::default(),
        bilan: None,
    };
    if page.annee.trim().is_empty() {
        if let Err(e) = state.app.touch_personnel(&session.staff).await {
            return erreur(e, None, retour);
        }
        return rendre(StatusCode::OK, &page);
    }
    match state
        .app
        .bilan_annuel(&session.staff, &page.numero, Some(&page.annee), &source)
        .await
    {
        Ok(b) if d.format == "csv" => reponse_bilan_csv(&b),
        Ok(b) => {
            page.bilan = Some(vue(&b));
            rendre(StatusCode::OK, &page)
        }
        Err(AppError::RequeteInvalide(m)) => {
            page.erreurs = ErreursChamps::depuis(&m, &[("annee", "annee")]);
            rendre(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => erreur(e, Some(session.nav()), retour),
    }
}
