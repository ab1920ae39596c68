//! The PSU barème as a page (`/caisse/baremes-psu`, issue #5, role `conventions`): the caisse's periods, and
//! a form to add one, its refusals beside the fields, and on each period without end a form to close it (the
//! yearly change of barème).

use super::supervision::ErreursChamps;
use super::{erreur, page_ou_erreur, NavCaisse, StaffPage, StaffSession};
use crate::api::caisse_baremes::taux;
use crate::extract::Source;
use crate::pages::{rendre, PageForm};
use crate::AppState;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use partage_app::baremes::SaisieBareme;
use partage_app::AppError;
use partage_domain::bareme::{BaremePsu, TypeAccueil};
use serde::Deserialize;

const RETOUR: &str = "/caisse/baremes-psu";

struct Ligne {
    /// `AAAA-MM-JJ`, for the closing form.
    debut_iso: String,
    /// Whether the period has no end yet: the page offers to close it.
    ouverte: bool,
    debut: String,
    fin: String,
    plancher: String,
    plafond: String,
    collectif: String,
    familial: String,
}

/// The form's fields: name, label, help, value, error.
struct Champ {
    nom: &'static str,
    libelle: &'static str,
    aide: &'static str,
    valeur: String,
    erreur: Option<String>,
}

#[derive(Template)]
#[template(path = "caisse/baremes.html")]
struct PageBaremes {
    nav: NavCaisse,
    lignes: Vec<Ligne>,
    champs: Vec<Champ>,
    erreurs: ErreursChamps,
    /// What was just done: `ajout`, `cloture`.
    avis: &'static str,
    /// A refused closing, in French.
    refus_cloture: Option<String>,
}

const CHAMPS: [(&str, &str, &str); 6] = [
    ("debut", "Premier jour (AAAA-MM-JJ)", ""),
    (
        "fin",
        "Dernier jour (AAAA-MM-JJ)",
        "Laisser vide pour une période sans fin.",
    ),
    (
        "plancher_mensuel",
        "Plancher des ressources mensuelles (euros)",
        "Par exemple 801.00.",
    ),
    (
        "plafond_mensuel",
        "Plafond des ressources mensuelles (euros)",
        "Par exemple 7000.00.",
    ),
    (
        "collectif",
        "Taux d'effort, accueil collectif",
        "En pourcentage, pour 1, 2, 3… enfants à charge, séparés par des espaces : 0.0619 0.0516 0.0413.",
    ),
    (
        "familial",
        "Taux d'effort, accueil familial, parental ou micro-crèche",
        "Même écriture : 0.0516 0.0413 0.0310.",
    ),
];

fn ligne(b: &BaremePsu) -> Ligne {
    let colonne = |a| b.taux(a).iter().map(taux).collect::<Vec<_>>().join(" ");
    Ligne {
        debut_iso: b.debut().to_string(),
        ouverte: b.fin().is_none(),
        debut: b.debut().format("%d/%m/%Y").to_string(),
        fin: b
            .fin()
            .map_or_else(|| "sans fin".to_owned(), |f| f.format("%d/%m/%Y").to_string()),
        plancher: b.plancher_mensuel().libelle(),
        plafond: b.plafond_mensuel().libelle(),
        collectif: colonne(TypeAccueil::Collectif),
        familial: colonne(TypeAccueil::Familial),
    }
}

fn construire(
    session: &StaffSession,
    baremes: &[BaremePsu],
    saisis: &[(String, String)],
    erreurs: ErreursChamps,
    avis: &'static str,
) -> PageBaremes {
    let champs = CHAMPS
        .iter()
        .map(|(nom, libelle, aide)| Champ {
            nom,
            libelle,
            aide,
            valeur: valeur(saisis, nom).to_owned(),
            erreur: erreurs.de(nom).map(str::to_owned),
        })
        .collect();
    PageBaremes {
        nav: session.nav(),
        lignes: baremes.iter().map(ligne).collect(),
        champs,
        erreurs,
        avis,
        refus_cloture: None,
    }
}

fn valeur<'a>(saisis: &'a [(String, String)], nom: &str) -> &'a str {
    saisis
        .iter()
        .find(|(c, _)| c == nom)
        .map(|(_, v)| v.as_str())
        .unwrap_or_default()
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
    let avis = match query.as_ref().map(|Query(a)| a.fait.as_str()) {
        Ok("ajout") => "ajout",
        Ok("cloture") => "cloture",
        _ => "",
    };
    let resultat = state
        .app
        .baremes_psu_caisse(&session.staff, &source)
        .await
        .map(|b| construire(&session, &b, &[], ErreursChamps::default(), avis));
    page_ou_erreur(resultat, &session, RETOUR)
}

pub(crate) async fn ajouter(
    State(state): State<AppState>,
    Source(source): Source,
    StaffPage(session): StaffPage,
    PageForm(saisis): PageForm<Vec<(String, String)>>,
) -> Response {
    let taux = |nom: &str| {
        valeur(&saisis, nom)
            .split([' ', ';', '\t'])
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let saisie = SaisieBareme {
        debut: valeur(&saisis, "debut").to_owned(),
        fin: valeur(&saisis, "fin").to_owned(),
        plancher_mensuel: valeur(&saisis, "plancher_mensuel").to_owned(),
        plafond_mensuel: valeur(&saisis, "plafond_mensuel").to_owned(),
        collectif: taux("collectif"),
        familial: taux("familial"),
    };
    let refus = match state
        .app
        .ajouter_bareme_psu(&session.staff, &saisie, &source)
        .await
    {
        Ok(_) => return Redirect::to(&format!("{RETOUR}?fait=ajout")).into_response(),
        Err(AppError::BaremeRefuse(m)) => m,
        Err(e) => return erreur(e, Some(session.nav()), RETOUR),
    };
    let champs: Vec<(&str, &'static str)> = CHAMPS.iter().map(|(n, _, _)| (*n, *n)).collect();
    let erreurs = ErreursChamps::depuis(&refus, &champs);
    match state.app.baremes_psu_caisse(&session.staff, &source).await {
        Ok(b) => rendre(
            StatusCode::UNPROCESSABLE_ENTITY,
            &construire(&session, &b, &saisis, erreurs, ""),
        ),
        Err(e) => erreur(e, Some(session.nav()), RETOUR),
    }
}

/// The closing form of one period: its first day, and the last day typed.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct SaisieCloture {
    #[serde(default)]
    debut: String,
    #[serde(default)]
    fin: String,
}

pub(crate) async fn clore(
    State(state): State<AppState>,
    Source(source): Source,
    StaffPage(session): StaffPage,
    PageForm(saisie): PageForm<SaisieCloture>,
) -> Response {
    let refus = match state
        .app
        .clore_bareme_psu(&session.staff, &saisie.debut, &saisie.fin, &source)
        .await
    {
        Ok(_) => return Redirect::to(&format!("{RETOUR}?fait=cloture")).into_response(),
        Err(AppError::BaremeRefuse(m) | AppError::Introuvable(m)) => m,
        Err(e) => return erreur(e, Some(session.nav()), RETOUR),
    };
    match state.app.baremes_psu_caisse(&session.staff, &source).await {
        Ok(b) => {
            let mut page = construire(&session, &b, &[], ErreursChamps::default(), "");
            page.refus_cloture = Some(refus);
            rendre(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => erreur(e, Some(session.nav()), RETOUR),
    }
}
