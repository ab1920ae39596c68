//! The QF bouquet (BQ-QF, CO-1, CO-6, OP-1): a NIR search block with a period selector, then the two
//! rubriques "Coordonnées du dossier" and "Montant du QF". The search is a POST: the NIR never appears in a
//! URL, so neither in the browser's history nor in any access log.

use super::session::PageAgent;
use super::PageForm;
use super::{depuis_erreur, phrase, rendre, Nav};
use crate::extract::Source;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{Datelike, NaiveDate};
use partage_app::consult::{QfQuery, QfView};
use partage_app::AppError;
use partage_domain::{Personne, Sexe};
use serde::Deserialize;

pub(super) const MOIS: [&str; 12] = [
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

/// How many past years the period selector offers.
const ANNEES_PASSEES: i32 = 10;

#[derive(Template)]
#[template(path = "qf.html")]
struct PageQf {
    nav: Nav,
    nir: String,
    mois: Vec<Choix>,
    annees: Vec<Choix>,
    erreur_nir: Option<String>,
    erreur_periode: Option<String>,
    /// The one sentence that answers a search that shows no dossier.
    message: Option<String>,
    resultat: Option<Resultat>,
}

pub(super) struct Choix {
    pub valeur: String,
    pub libelle: String,
    pub choisi: bool,
}

struct Resultat {
    matricule: String,
    allocataires: Vec<PersonneVue>,
    enfants: Vec<PersonneVue>,
    adresse: Vec<String>,
    mois_libelle: String,
    qf_du_mois: Option<String>,
    periodes: Vec<PeriodeVue>,
}

struct PersonneVue {
    nom_naissance: String,
    nom_usage: String,
    prenoms: String,
    date_naissance: String,
    sexe: &'static str,
}

struct PeriodeVue {
    du: String,
    au: String,
    montant: String,
}

pub(super) fn date(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

fn euros(valeur: u32) -> String {
    format!("{valeur} €")
}

/// The address's lines that the caisse filled in, in the order of the norm.
pub(super) fn adresse_lignes(a: partage_domain::Adresse) -> Vec<String> {
    [
        a.destinataire,
        a.complement_information,
        a.complement_information_geographique,
        a.numero_libelle_voie,
        a.lieu_dit,
        a.code_postal_ville,
        a.pays,
    ]
    .into_iter()
    .flatten()
    .collect()
}

pub(super) fn mois_libelle(annee: i32, mois: u32) -> String {
    let nom = MOIS.get((mois as usize).wrapping_sub(1)).copied().unwrap_or("?");
    format!("{nom} {annee}")
}

fn personne(p: Personne) -> PersonneVue {
    PersonneVue {
        nom_naissance: p.nom_naissance,
        nom_usage: p.nom_usage.unwrap_or_default(),
        prenoms: p.prenoms,
        date_naissance: p.date_naissance.map(date).unwrap_or_default(),
        sexe: match p.sexe {
            Some(Sexe::Masculin) => "Masculin",
            Some(Sexe::Feminin) => "Féminin",
            None => "",
        },
    }
}

fn resultat(view: QfView, annee: i32, mois: u32) -> Resultat {
    let a = view.adresse;
    Resultat {
        matricule: view.matricule,
        allocataires: view.allocataires.into_iter().map(personne).collect(),
        enfants: view.enfants.into_iter().map(personne).collect(),
        adresse: adresse_lignes(a),
        mois_libelle: mois_libelle(annee, mois),
        qf_du_mois: view.quotient_familial.map(|q| euros(q.valeur)),
        periodes: view
            .periodes
            .into_iter()
            .map(|p| PeriodeVue {
                du: date(p.debut),
                au: date(p.fin),
                montant: euros(p.valeur),
            })
            .collect(),
    }
}

/// The period selector's choices (CO-6): years from ten years back to next year, and the twelve months.
pub(super) fn choix_periode(aujourdhui: NaiveDate, annee: i32, mois: u32) -> (Vec<Choix>, Vec<Choix>) {
    let annees = (aujourdhui.year() - ANNEES_PASSEES..=aujourdhui.year() + 1)
        .rev()
        .map(|a| Choix {
            valeur: a.to_string(),
            libelle: a.to_string(),
            choisi: a == annee,
        })
        .collect();
    let mois = (1..=12u32)
        .map(|m| Choix {
            valeur: m.to_string(),
            libelle: MOIS.get(m as usize - 1).copied().unwrap_or_default().to_owned(),
            choisi: m == mois,
        })
        .collect();
    (annees, mois)
}

impl PageQf {
    /// An empty search block, on the chosen month.
    fn new(nav: Nav, aujourdhui: NaiveDate, annee: i32, mois: u32) -> PageQf {
        let (annees, mois) = choix_periode(aujourdhui, annee, mois);
        PageQf {
            nav,
            nir: String::new(),
            mois,
            annees,
            erreur_nir: None,
            erreur_periode: None,
            message: None,
            resultat: None,
        }
    }
}

/// A bouquet's search page (QF, PSU, Mon Compte Partenaire, RSACG), with an empty search block.
pub(super) trait PageDeRecherche: Template {
    fn vide(nav: Nav, aujourdhui: NaiveDate, annee: i32, mois: u32) -> Self;
}

/// Shows a bouquet's empty search page on the current month; the visit keeps the session alive.
pub(super) async fn afficher_recherche<P: PageDeRecherche>(
    state: AppState,
    session: super::session::PageSession,
) -> Response {
    if let Err(e) = state.app.touch(&session.agent).await {
        return depuis_erreur(e);
    }
    let today = state.app.clock().today();
    rendre(
        StatusCode::OK,
        &P::vide(session.nav(), today, today.year(), today.month()),
    )
}

impl PageDeRecherche for PageQf {
    fn vide(nav: Nav, aujourdhui: NaiveDate, annee: i32, mois: u32) -> PageQf {
        PageQf::new(nav, aujourdhui, annee, mois)
    }
}

pub(crate) async fn afficher(State(state): State<AppState>, PageAgent(session): PageAgent) -> Response {
    afficher_recherche::<PageQf>(state, session).await
}

#[derive(Deserialize)]
pub(crate) struct Recherche {
    #[serde(default)]
    nir: String,
    #[serde(default)]
    annee: String,
    #[serde(default)]
    mois: String,
}

/// The period a search form asks for: the year and month handed to the use case (a value that is not a
/// number at all gets the same refusal as a month out of range), and the month the selects show again.
pub(super) fn periode_du_formulaire(
    annee: &str,
    mois: &str,
    aujourdhui: NaiveDate,
) -> (Option<i32>, Option<u32>, i32, u32) {
    let (annee, mois) = match (nombre::<i32>(annee), nombre::<u32>(mois)) {
        (Ok(a), Ok(m)) => (a, m),
        _ => (Some(0), Some(0)),
    };
    let affiche = (
        annee.unwrap_or(aujourdhui.year()),
        mois.unwrap_or(aujourdhui.month()),
    );
    (annee, mois, affiche.0, affiche.1)
}

/// How the pages of the bouquets found by NIR or matricule (PSU, Mon Compte Partenaire, RSACG) answer a
/// refused search: the search to correct (400, its sentence in `erreur`, and `true`: show the fields again),
/// nobody (404) or an opposition or no habilitation (403), one sentence in `message`. Outside the perimeter,
/// a wrong name or another circonscription read exactly like nobody's NIR. `Err`: the common error page.
pub(super) fn refus_recherche(
    e: AppError,
    erreur: &mut Option<String>,
    message: &mut Option<String>,
) -> Result<(StatusCode, bool), Box<Response>> {
    let status = match e {
        AppError::NirInvalide(_) | AppError::RequeteInvalide(_) | AppError::RechercheIncomplete => {
            *erreur = Some(phrase(&e.to_string()));
            return Ok((StatusCode::BAD_REQUEST, true));
        }
        AppError::DossierIntrouvable | AppError::MatriculeIntrouvable => StatusCode::NOT_FOUND,
        AppError::Opposition | AppError::NonHabilite => StatusCode::FORBIDDEN,
        e => return Err(Box::new(depuis_erreur(e))),
    };
    *message = Some(phrase(&e.to_string()));
    Ok((status, false))
}

/// A select's value: empty means "not chosen"; anything else must be a number, or the period is refused by
/// the use case like any other invalid period.
pub(super) fn nombre<T: std::str::FromStr>(s: &str) -> Result<Option<T>, ()> {
    let s = s.trim();
    if s.is_empty() {
        Ok(None)
    } else {
        s.parse().map(Some).map_err(|_| ())
    }
}

pub(crate) async fn rechercher(
    State(state): State<AppState>,
    Source(source): Source,
    PageAgent(session): PageAgent,
    PageForm(form): PageForm<Recherche>,
) -> Response {
    let today = state.app.clock().today();
    let (annee, mois, shown_year, shown_month) = periode_du_formulaire(&form.annee, &form.mois, today);
    let mut page = PageQf::new(session.nav(), today, shown_year, shown_month);
    let query = QfQuery {
        nir: &form.nir,
        annee,
        mois,
    };
    let status = match state.app.consult_qf(&session.agent, query, &source).await {
        Ok(view) => {
            let (a, m) = view
                .quotient_familial
                .as_ref()
                .map(|q| (q.annee, q.mois))
                .unwrap_or((shown_year, shown_month));
            page.resultat = Some(resultat(view, a, m));
            StatusCode::OK
        }
        Err(e @ AppError::NirInvalide(_)) => {
            // Kept in the field so the user can correct it; the answer is never cached (no-store).
            page.nir = form.nir;
            page.erreur_nir = Some(phrase(&e.to_string()));
            StatusCode::BAD_REQUEST
        }
        Err(e @ AppError::RequeteInvalide(_)) => {
            page.nir = form.nir;
            page.erreur_periode = Some(phrase(&e.to_string()));
            StatusCode::BAD_REQUEST
        }
        // CO-4: outside the perimeter reads exactly like a NIR nobody has.
        Err(AppError::DossierIntrouvable) => {
            page.message = Some("Aucun dossier ne correspond à votre recherche.".to_owned());
            StatusCode::NOT_FOUND
        }
        // OP-1: the existence of the opposition, and nothing else.
        Err(e @ (AppError::Opposition | AppError::NonHabilite)) => {
            page.message = Some(phrase(&e.to_string()));
            StatusCode::FORBIDDEN
        }
        Err(e) => return depuis_erreur(e),
    };
    rendre(status, &page)
}
