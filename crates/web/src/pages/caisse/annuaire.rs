//! The directory of extranautes (SPEC HB-2), by bouquet and, for RSACG, by département, and a partner
//! agent's lost or stolen credentials (HB-6): the old password stops working and every session of the
//! agent ends at once; the new temporary password is shown once, for the sealed letter.

use super::demandes::{remis, ChoixRemise};
use super::{erreur, page_ou_erreur, NavCaisse, StaffPage, StaffSession};
use crate::extract::Source;
use crate::pages::{rendre, PageForm};
use crate::AppState;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use partage_app::habilitations::Extranaute;
use partage_domain::{Bouquet, Identifiant};
use serde::Deserialize;

/// One partner of the directory with his agents, in the store's order.
#[derive(Debug)]
struct Partenaire {
    tiers: String,
    nom: String,
    departements: String,
    agents: Vec<Extranaute>,
}

#[derive(Template)]
#[template(path = "caisse/extranautes.html")]
struct Annuaire {
    nav: NavCaisse,
    bouquets: Vec<(&'static str, &'static str)>,
    bouquet: String,
    departement: String,
    /// None until a bouquet is chosen.
    partenaires: Option<Vec<Partenaire>>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Filtre {
    #[serde(default)]
    bouquet: String,
    #[serde(default)]
    departement: String,
}

fn par_partenaire(liste: Vec<Extranaute>) -> Vec<Partenaire> {
    let mut partenaires: Vec<Partenaire> = Vec::new();
    for e in liste {
        match partenaires.last_mut() {
            Some(p) if p.tiers == e.partenaire.as_str() => p.agents.push(e),
            _ => partenaires.push(Partenaire {
                tiers: e.partenaire.as_str().to_owned(),
                nom: e.nom_partenaire.clone(),
                departements: e
                    .departements
                    .iter()
                    .map(|d| d.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                agents: vec![e],
            }),
        }
    }
    partenaires
}

pub(crate) async fn extranautes(
    State(state): State<AppState>,
    Source(source): Source,
    StaffPage(session): StaffPage,
    query: Result<Query<Filtre>, QueryRejection>,
) -> Response {
    let filtre = query.map(|Query(f)| f).unwrap_or_default();
    let resultat = async {
        let bouquet = filtre.bouquet.trim();
        let departement = Some(filtre.departement.trim()).filter(|d| !d.is_empty());
        let partenaires = if bouquet.is_empty() {
            state.app.touch_personnel(&session.staff).await?;
            None
        } else {
            let liste = state
                .app
                .extranautes(&session.staff, bouquet, departement, &source)
                .await?;
            Some(par_partenaire(liste))
        };
        Ok(Annuaire {
            nav: session.nav(),
            bouquets: Bouquet::ALL.iter().map(|b| (b.code(), b.libelle())).collect(),
            bouquet: bouquet.to_owned(),
            departement: departement.unwrap_or_default().to_owned(),
            partenaires,
        })
    }
    .await;
    page_ou_erreur(resultat, &session, "/caisse/extranautes")
}

#[derive(Template)]
#[template(path = "caisse/utilisateur.html")]
struct Utilisateur<'a> {
    nav: NavCaisse,
    identifiant: &'a str,
}

/// An identifier from the path, or the page refusing it as the use case would.
fn identifiant(brut: &str, session: &StaffSession) -> Result<Identifiant, Box<Response>> {
    Identifiant::parse(brut).map_err(|e| {
        Box::new(erreur(
            partage_app::AppError::RequeteInvalide(e.to_string()),
            Some(session.nav()),
            "/caisse/extranautes",
        ))
    })
}

/// HB-6: the agent's page, with what the reset does before the staff member asks for it.
pub(crate) async fn utilisateur(
    State(state): State<AppState>,
    StaffPage(session): StaffPage,
    Path(brut): Path<String>,
) -> Response {
    let i = match identifiant(&brut, &session) {
        Ok(i) => i,
        Err(page) => return *page,
    };
    if let Err(e) = state.app.touch_personnel(&session.staff).await {
        return erreur(e, None, "/caisse/extranautes");
    }
    rendre(
        StatusCode::OK,
        &Utilisateur {
            nav: session.nav(),
            identifiant: i.as_str(),
        },
    )
}

/// HB-6, a sensitive act: without a password typed within ten minutes, the page asks for it and comes back
/// to the agent's page.
pub(crate) async fn reinitialiser(
    State(state): State<AppState>,
    Source(source): Source,
    StaffPage(session): StaffPage,
    Path(brut): Path<String>,
    PageForm(choix): PageForm<ChoixRemise>,
) -> Response {
    let i = match identifiant(&brut, &session) {
        Ok(i) => i,
        Err(page) => return *page,
    };
    let retour = format!("/caisse/utilisateurs/{}", i.as_str());
    let outcome = match choix.remise() {
        Ok(remise) => {
            state
                .app
                .reinitialiser_identifiants(&session.staff, i.as_str(), remise, &source)
                .await
        }
        Err(e) => Err(e),
    };
    match outcome {
        Ok(nouveaux) => remis(
            &session,
            "Identifiants réinitialisés",
            &nouveaux,
            None,
            "/caisse/extranautes",
        ),
        Err(e) => erreur(e, Some(session.nav()), &retour),
    }
}
