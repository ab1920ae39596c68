//! Mon Compte Partenaire (BQ-MCP, CO-2, CO-6, OP-1) for a person: one search block — NIR or matricule, and
//! the allocataire's name — and one button per service, the QF for children's and young people's
//! activities or the family's address; each answer shows that service's rubrique only. A POST: neither
//! NIR nor name appears in a URL.

use super::qf::{
    adresse_lignes, afficher_recherche, choix_periode, date, mois_libelle, periode_du_formulaire,
    refus_recherche, Choix, PageDeRecherche,
};
use super::session::PageAgent;
use super::PageForm;
use super::{rendre, Nav};
use crate::extract::Source;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use partage_app::mcp::McpQuery;
use partage_app::AppError;
use partage_domain::dossier::Personne;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "mcp.html")]
struct PageMcp {
    nav: Nav,
    nir: String,
    matricule: String,
    nom: String,
    mois: Vec<Choix>,
    annees: Vec<Choix>,
    erreur: Option<String>,
    message: Option<String>,
    resultat: Option<Resultat>,
}

struct Resultat {
    matricule: String,
    /// Nom de naissance, nom d'usage, prénoms.
    allocataires: Vec<[String; 3]>,
    /// The QF service's rubrique, or the address service's: never both.
    rubrique: Rubrique,
}

enum Rubrique {
    Qf {
        mois_libelle: String,
        valeur: Option<String>,
        /// Du, au, QF.
        periodes: Vec<[String; 3]>,
    },
    Adresse {
        adresse: Vec<String>,
    },
}

fn allocataires(personnes: Vec<Personne>) -> Vec<[String; 3]> {
    personnes
        .into_iter()
        .map(|p| [p.nom_naissance, p.nom_usage.unwrap_or_default(), p.prenoms])
        .collect()
}

impl PageDeRecherche for PageMcp {
    fn vide(nav: Nav, aujourdhui: NaiveDate, annee: i32, mois: u32) -> PageMcp {
        let (annees, mois) = choix_periode(aujourdhui, annee, mois);
        PageMcp {
            nav,
            nir: String::new(),
            matricule: String::new(),
            nom: String::new(),
            mois,
            annees,
            erreur: None,
            message: None,
            resultat: None,
        }
    }
}

pub(crate) async fn afficher(State(state): State<AppState>, PageAgent(session): PageAgent) -> Response {
    afficher_recherche::<PageMcp>(state, session).await
}

#[derive(Deserialize)]
pub(crate) struct Recherche {
    #[serde(default)]
    nir: String,
    #[serde(default)]
    matricule: String,
    #[serde(default)]
    nom: String,
    #[serde(default)]
    annee: String,
    #[serde(default)]
    mois: String,
    /// `qf` or `adresse`: the button pressed.
    #[serde(default)]
    service: String,
}

pub(crate) async fn rechercher(
    State(state): State<AppState>,
    Source(source): Source,
    PageAgent(session): PageAgent,
    PageForm(form): PageForm<Recherche>,
) -> Response {
    let today = state.app.clock().today();
    let (annee, mois, shown_year, shown_month) = periode_du_formulaire(&form.annee, &form.mois, today);
    let mut page = PageMcp::vide(session.nav(), today, shown_year, shown_month);
    let query = McpQuery {
        nir: Some(&form.nir),
        matricule: Some(&form.matricule),
        nom: Some(&form.nom),
        annee,
        mois,
    };
    let agent = &session.agent;
    let resultat = match form.service.as_str() {
        "qf" => state
            .app
            .consult_mcp_qf(agent, query, &source)
            .await
            .map(|v| Resultat {
                matricule: v.matricule,
                allocataires: allocataires(v.allocataires),
                rubrique: Rubrique::Qf {
                    mois_libelle: mois_libelle(shown_year, shown_month),
                    valeur: v.quotient_familial.map(|q| q.valeur.to_string()),
                    periodes: v
                        .periodes
                        .into_iter()
                        .map(|p| [date(p.debut), date(p.fin), p.valeur.to_string()])
                        .collect(),
                },
            }),
        "adresse" => state
            .app
            .consult_mcp_adresse(agent, query, &source)
            .await
            .map(|v| Resultat {
                matricule: v.matricule,
                allocataires: allocataires(v.allocataires),
                rubrique: Rubrique::Adresse {
                    adresse: adresse_lignes(v.adresse),
                },
            }),
        _ => Err(AppError::RequeteInvalide(
            "choisissez le service : quotient familial ou adresse".to_owned(),
        )),
    };
    let status = match resultat {
        Ok(r) => {
            page.resultat = Some(r);
            StatusCode::OK
        }
        Err(e) => match refus_recherche(e, &mut page.erreur, &mut page.message) {
            Ok((status, garder)) => {
                if garder {
                    // Kept so the user can correct them; the answer is never cached (no-store).
                    page.nir = form.nir;
                    page.matricule = form.matricule;
                    page.nom = form.nom;
                }
                status
            }
            Err(page) => return *page,
        },
    };
    rendre(status, &page)
}
