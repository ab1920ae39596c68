//! Monthly statistics as a page (`/caisse/statistiques`, SPEC TR-4, role `supervision`): a month, or a
//! period of months, grouped by partner, convention, bouquet or agent, as a table of every counter and a
//! bar chart of the consultations drawn here in SVG (no script, no outside file; each bar has its
//! `<title>`, the table beside it says the same). The CSV export is the API's, over the same months.

use super::supervision::ErreursChamps;
use super::{erreur, NavCaisse, StaffPage, StaffSession};
use crate::api::caisse_supervision::reponse_statistiques_csv;
use crate::extract::Source;
use crate::pages::rendre;
use crate::AppState;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{Months, NaiveDate};
use partage_app::supervision::{LigneStatistique, Statistiques};
use partage_app::AppError;
use serde::Deserialize;
use std::collections::BTreeMap;

const RETOUR: &str = "/caisse/statistiques";
/// The longest period one page adds up.
const MOIS_MAX: u32 = 12;
/// The chart's geometry, in SVG user units.
const LARGEUR: u32 = 640;
const MARGE_LIBELLE: u32 = 220;
const HAUTEUR_BARRE: u32 = 22;
const ECART: u32 = 8;

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Choix {
    #[serde(default)]
    mois: String,
    /// The last month of a period; empty: `mois` alone.
    #[serde(default)]
    jusqua: String,
    #[serde(default)]
    regroupement: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Regroupement {
    Partenaire,
    Convention,
    Bouquet,
    Agent,
}

impl Regroupement {
    const TOUS: [Regroupement; 4] = [
        Regroupement::Partenaire,
        Regroupement::Convention,
        Regroupement::Bouquet,
        Regroupement::Agent,
    ];

    fn code(self) -> &'static str {
        match self {
            Regroupement::Partenaire => "partenaire",
            Regroupement::Convention => "convention",
            Regroupement::Bouquet => "bouquet",
            Regroupement::Agent => "agent",
        }
    }

    fn libelle(self) -> &'static str {
        match self {
            Regroupement::Partenaire => "Partenaire",
            Regroupement::Convention => "Convention",
            Regroupement::Bouquet => "Bouquet",
            Regroupement::Agent => "Agent",
        }
    }

    fn cle(self, l: &LigneStatistique) -> String {
        match self {
            Regroupement::Partenaire => match (&l.partenaire, &l.partenaire_nom) {
                (Some(t), Some(n)) => format!("{t} — {n}"),
                (Some(t), None) => t.clone(),
                (None, _) => "Sans partenaire".to_owned(),
            },
            // A convention is numbered within its caisse only: the partner says whose it is.
            Regroupement::Convention => match (&l.convention, &l.partenaire) {
                (Some(c), Some(t)) => format!("{c} ({t})"),
                (Some(c), None) => c.clone(),
                (None, _) if l.bouquet.is_none() => "Connexions (sans convention)".to_owned(),
                (None, _) => "Convention indéterminée".to_owned(),
            },
            Regroupement::Bouquet => l
                .bouquet
                .map_or("Connexions (sans bouquet)".to_owned(), |b| b.libelle().to_owned()),
            Regroupement::Agent => l.utilisateur.clone().unwrap_or_else(|| "Inconnu".to_owned()),
        }
    }
}

/// Adds the counters of `l` to `total`'s.
fn additionner(total: &mut LigneStatistique, l: &LigneStatistique) {
    total.consultations += l.consultations;
    total.trouves += l.trouves;
    total.introuvables += l.introuvables;
    total.oppositions += l.oppositions;
    total.refus += l.refus;
    total.echecs_connexion += l.echecs_connexion;
}

/// One group's counters.
#[derive(Debug, Clone, Default)]
struct Compteurs {
    libelle: String,
    n: LigneStatistique,
}

/// One bar of the chart, placed.
struct Barre {
    libelle: String,
    valeur: i64,
    y: u32,
    y_texte: u32,
    largeur: u32,
}

struct Resultat {
    periode: String,
    regroupement: &'static str,
    lignes: Vec<Compteurs>,
    totaux: Compteurs,
    barres: Vec<Barre>,
    hauteur: u32,
    export: String,
}

#[derive(Template)]
#[template(path = "caisse/statistiques.html")]
struct PageStatistiques {
    nav: NavCaisse,
    choix: Choix,
    regroupements: Vec<(&'static str, &'static str, bool)>,
    erreurs: ErreursChamps,
    resultat: Option<Resultat>,
    largeur: u32,
    marge: u32,
}

impl PageStatistiques {
    fn erreur(&self, champ: &str) -> Option<&str> {
        self.erreurs.de(champ)
    }
}

/// The groups, most consultations first, and their chart.
fn resultat(stats: &Statistiques, regroupement: Regroupement, export: String, periode: String) -> Resultat {
    let mut groupes: BTreeMap<String, Compteurs> = BTreeMap::new();
    let mut totaux = Compteurs {
        libelle: "Total".to_owned(),
        ..Compteurs::default()
    };
    for l in &stats.lignes {
        let cle = regroupement.cle(l);
        let groupe = groupes.entry(cle.clone()).or_insert_with(|| Compteurs {
            libelle: cle,
            ..Compteurs::default()
        });
        additionner(&mut groupe.n, l);
        additionner(&mut totaux.n, l);
    }
    let mut lignes: Vec<Compteurs> = groupes.into_values().collect();
    lignes.sort_by(|a, b| {
        b.n.consultations
            .cmp(&a.n.consultations)
            .then(a.libelle.cmp(&b.libelle))
    });
    let max = lignes.iter().map(|l| l.n.consultations).max().unwrap_or(0).max(1);
    let place = i64::from(LARGEUR - MARGE_LIBELLE - 60);
    let barres: Vec<Barre> = lignes
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let y = u32::try_from(i)
                .unwrap_or(u32::MAX / 64)
                .saturating_mul(HAUTEUR_BARRE + ECART);
            Barre {
                libelle: l.libelle.clone(),
                valeur: l.n.consultations,
                y,
                y_texte: y + HAUTEUR_BARRE * 3 / 4,
                largeur: u32::try_from(l.n.consultations.max(0) * place / max).unwrap_or(0),
            }
        })
        .collect();
    let hauteur = u32::try_from(barres.len()).unwrap_or(0).max(1) * (HAUTEUR_BARRE + ECART);
    Resultat {
        periode,
        regroupement: regroupement.libelle(),
        lignes,
        totaux,
        barres,
        hauteur,
        export,
    }
}

fn mois_de(texte: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(&format!("{}-01", texte.trim()), "%Y-%m-%d").ok()
}

/// The statistics of `mois` to `jusqua` (inclusive), added up line by line: one use case call per month,
/// each traced. The months' lines keep their partner, convention, bouquet and agent.
async fn periode(
    state: &AppState,
    source: &str,
    session: &StaffSession,
    choix: &Choix,
) -> Result<Statistiques, AppError> {
    let premier = state
        .app
        .statistiques(&session.staff, &choix.mois, source)
        .await?;
    if choix.jusqua.trim().is_empty() || choix.jusqua.trim() == premier.mois {
        return Ok(premier);
    }
    let debut = mois_de(&premier.mois)
        .ok_or_else(|| AppError::RequeteInvalide(format!("mois : « {} » illisible", premier.mois)))?;
    let fin = mois_de(&choix.jusqua)
        .ok_or_else(|| AppError::RequeteInvalide("jusqua : le dernier mois s'écrit AAAA-MM".to_owned()))?;
    if fin < debut {
        return Err(AppError::RequeteInvalide(
            "jusqua : le dernier mois n'est pas avant le premier".to_owned(),
        ));
    }
    if debut
        .checked_add_months(Months::new(MOIS_MAX))
        .is_none_or(|limite| fin >= limite)
    {
        return Err(AppError::RequeteInvalide(format!(
            "jusqua : {MOIS_MAX} mois au plus"
        )));
    }
    // A line's partner, bouquet, agent and convention.
    type Cle = (Option<String>, Option<String>, Option<String>, Option<String>);
    let mut lignes: BTreeMap<Cle, LigneStatistique> = BTreeMap::new();
    let mut ajouter = |stats: Statistiques| {
        for l in stats.lignes {
            let cle = (
                l.partenaire.clone(),
                l.bouquet.map(|b| b.code().to_owned()),
                l.utilisateur.clone(),
                l.convention.clone(),
            );
            match lignes.get_mut(&cle) {
                Some(t) => additionner(t, &l),
                None => {
                    lignes.insert(cle, l);
                }
            }
        }
    };
    ajouter(premier);
    let mut m = debut;
    while let Some(suivant) = m.checked_add_months(Months::new(1)).filter(|s| *s <= fin) {
        let texte = suivant.format("%Y-%m").to_string();
        ajouter(state.app.statistiques(&session.staff, &texte, source).await?);
        m = suivant;
    }
    Ok(Statistiques {
        mois: format!("{}_{}", debut.format("%Y-%m"), fin.format("%Y-%m")),
        lignes: lignes.into_values().collect(),
    })
}

fn regroupement(code: &str) -> Regroupement {
    Regroupement::TOUS
        .into_iter()
        .find(|r| r.code() == code)
        .unwrap_or(Regroupement::Partenaire)
}

pub(crate) async fn afficher(
    State(state): State<AppState>,
    Source(source): Source,
    StaffPage(session): StaffPage,
    query: Result<Query<Choix>, QueryRejection>,
) -> Response {
    let choix = query.map(|Query(c)| c).unwrap_or_default();
    let r = regroupement(&choix.regroupement);
    let mut page = PageStatistiques {
        nav: session.nav(),
        regroupements: Regroupement::TOUS
            .iter()
            .map(|g| (g.code(), g.libelle(), *g == r))
            .collect(),
        choix,
        erreurs: ErreursChamps::default(),
        resultat: None,
        largeur: LARGEUR,
        marge: MARGE_LIBELLE,
    };
    if page.choix.mois.trim().is_empty() {
        if let Err(e) = state.app.touch_personnel(&session.staff).await {
            return erreur(e, None, RETOUR);
        }
        return rendre(StatusCode::OK, &page);
    }
    match periode(&state, &source, &session, &page.choix).await {
        Ok(stats) => {
            let export = serde_urlencoded::to_string([
                ("mois", page.choix.mois.trim()),
                ("jusqua", page.choix.jusqua.trim()),
            ])
            .unwrap_or_default();
            let libelle = stats.mois.replace('_', " à ");
            page.resultat = Some(resultat(&stats, r, export, libelle));
            rendre(StatusCode::OK, &page)
        }
        Err(AppError::RequeteInvalide(m)) => {
            page.erreurs = ErreursChamps::depuis(&m, &[("mois", "mois"), ("jusqua", "jusqua")]);
            rendre(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => erreur(e, Some(session.nav()), RETOUR),
    }
}

/// The CSV of the same months: one line per partner, convention, bouquet and agent.
pub(crate) async fn exporter(
    State(state): State<AppState>,
    Source(source): Source,
    StaffPage(session): StaffPage,
    query: Result<Query<Choix>, QueryRejection>,
) -> Response {
    let choix = query.map(|Query(c)| c).unwrap_or_default();
    match periode(&state, &source, &session, &choix).await {
        Ok(stats) => reponse_statistiques_csv(&stats, session.staff.personnel.caisse.as_str()),
        Err(e) => erreur(e, Some(session.nav()), RETOUR),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use partage_domain::Bouquet;

    fn ligne(partenaire: &str, nom: &str, consultations: i64) -> LigneStatistique {
        LigneStatistique {
            partenaire: Some(partenaire.to_owned()),
            partenaire_nom: Some(nom.to_owned()),
            bouquet: Some(Bouquet::Qf),
            utilisateur: Some("agent".to_owned()),
            consultations,
            trouves: consultations,
            ..LigneStatistique::default()
        }
    }

    #[test]
    fn tr_4_bars_are_proportional_and_every_label_is_escaped_in_the_svg() {
        let stats = Statistiques {
            mois: "2026-03".to_owned(),
            lignes: vec![
                ligne("T01", "<script>alert(1)</script>", 2),
                ligne("T02", "Mairie \"A\" & Cie", 4),
                ligne("T02", "Mairie \"A\" & Cie", 4),
            ],
        };
        let r = resultat(
            &stats,
            Regroupement::Partenaire,
            String::new(),
            "2026-03".to_owned(),
        );
        assert_eq!(r.lignes.len(), 2, "one line per partner");
        assert_eq!(r.lignes[0].n.consultations, 8, "most consultations first");
        assert_eq!(r.totaux.n.consultations, 10);
        assert_eq!(r.barres[0].largeur, 4 * r.barres[1].largeur);
        assert!(r.barres[1].y > r.barres[0].y);
        let page = PageStatistiques {
            nav: NavCaisse::default(),
            choix: Choix::default(),
            regroupements: Vec::new(),
            erreurs: ErreursChamps::default(),
            resultat: Some(r),
            largeur: LARGEUR,
            marge: MARGE_LIBELLE,
        };
        let html = page.render().unwrap();
        assert!(!html.contains("<script>"), "{html}");
        assert!(
            html.contains("&#60;script&#62;") || html.contains("&lt;script&gt;"),
            "{html}"
        );
        assert!(!html.contains("Mairie \"A\""), "{html}");
    }
}
