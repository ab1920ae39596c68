//! The RSACG bouquet (BQ-RSA, CO-3, CO-6, OP-1): a search block by NIR or matricule and a period selector;
//! then the five rubriques Famille, Droits, RSA, Ressources, Adresse. The search is a POST: no NIR appears
//! in a URL.

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
use partage_app::rsacg::{RsacgQuery, RsacgView};
use partage_domain::rsa::{DeclarationTrimestrielle, Prestation};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "rsacg.html")]
struct PageRsacg {
    nav: Nav,
    nir: String,
    matricule: String,
    mois: Vec<Choix>,
    annees: Vec<Choix>,
    erreur: Option<String>,
    message: Option<String>,
    resultat: Option<Resultat>,
}

struct Resultat {
    matricule: String,
    mois_libelle: String,
    situation: String,
    enfants_a_charge: String,
    /// Rôle, nom, prénoms, date de naissance.
    membres: Vec<[String; 4]>,
    /// Prestation, du, au, montant mensuel.
    droits_du_mois: Vec<[String; 4]>,
    droits: Vec<[String; 4]>,
    etat: String,
    ouvert_le: String,
    montant_mensuel: String,
    majoration: &'static str,
    motif_suspension: Option<String>,
    trimestre_du_mois: Option<String>,
    /// Trimestre, montant, déclarée le.
    declarations: Vec<[String; 3]>,
    adresse: Vec<String>,
    /// Jusqu'au, adresse sur une ligne.
    anterieures: Vec<[String; 2]>,
}

fn prestation(p: Prestation) -> [String; 4] {
    [
        p.prestation,
        date(p.debut),
        p.fin.map(date).unwrap_or_else(|| "en cours".to_owned()),
        p.montant_mensuel.libelle(),
    ]
}

fn trimestre(d: &DeclarationTrimestrielle) -> String {
    let rang = if d.trimestre == 1 {
        "1er".to_owned()
    } else {
        format!("{}e", d.trimestre)
    };
    format!("{rang} trimestre {}", d.annee)
}

fn resultat(view: RsacgView) -> Resultat {
    let jour = |d: Option<NaiveDate>| d.map(date).unwrap_or_default();
    let f = view.famille;
    let membres = f
        .allocataires
        .into_iter()
        .map(|p| ("Allocataire", p))
        .chain(f.enfants.into_iter().map(|p| ("Enfant", p)))
        .map(|(role, p)| {
            let nom = match p.nom_usage {
                Some(u) => format!("{} ({u})", p.nom_naissance),
                None => p.nom_naissance,
            };
            [role.to_owned(), nom, p.prenoms, jour(p.date_naissance)]
        })
        .collect();
    let rsa = view.rsa;
    Resultat {
        matricule: view.matricule,
        mois_libelle: mois_libelle(view.annee, view.mois),
        situation: f.libelle.unwrap_or("Non communiquée par la caisse").to_owned(),
        enfants_a_charge: f
            .enfants_a_charge
            .map(|n| n.to_string())
            .unwrap_or_else(|| "Non communiqué par la caisse".to_owned()),
        membres,
        droits_du_mois: view.droits.du_mois.into_iter().map(prestation).collect(),
        droits: view.droits.periodes.into_iter().map(prestation).collect(),
        etat: rsa.libelle.to_owned(),
        ouvert_le: date(rsa.ouvert_le),
        montant_mensuel: rsa.montant_mensuel.libelle(),
        majoration: if rsa.majoration { "Oui" } else { "Non" },
        motif_suspension: rsa.motif_suspension,
        trimestre_du_mois: view
            .ressources
            .trimestre_du_mois
            .map(|d| format!("{} : {}", trimestre(&d), d.montant.libelle())),
        declarations: view
            .ressources
            .declarations
            .iter()
            .map(|d| [trimestre(d), d.montant.libelle(), jour(d.declaree_le)])
            .collect(),
        adresse: adresse_lignes(view.adresse.actuelle),
        anterieures: view
            .adresse
            .anterieures
            .into_iter()
            .map(|a| [date(a.jusqu_au), adresse_lignes(a.adresse).join(", ")])
            .collect(),
    }
}

impl PageDeRecherche for PageRsacg {
    fn vide(nav: Nav, aujourdhui: NaiveDate, annee: i32, mois: u32) -> PageRsacg {
        let (annees, mois) = choix_periode(aujourdhui, annee, mois);
        PageRsacg {
            nav,
            nir: String::new(),
            matricule: String::new(),
            mois,
            annees,
            erreur: None,
            message: None,
            resultat: None,
        }
    }
}

pub(crate) async fn afficher(State(state): State<AppState>, PageAgent(session): PageAgent) -> Response {
    afficher_recherche::<PageRsacg>(state, session).await
}

#[derive(Deserialize)]
pub(crate) struct Recherche {
    #[serde(default)]
    nir: String,
    #[serde(default)]
    matricule: String,
    #[serde(default)]
    annee: String,
    #[serde(default)]
    mois: String,
}

pub(crate) async fn rechercher(
    State(state): State<AppState>,
    Source(source): Source,
    PageAgent(session): PageAgent,
    PageForm(form): PageForm<Recherche>,
) -> Response {
    let today = state.app.clock().today();
    let (annee, mois, shown_year, shown_month) = periode_du_formulaire(&form.annee, &form.mois, today);
    let mut page = PageRsacg::vide(session.nav(), today, shown_year, shown_month);
    let query = RsacgQuery {
        nir: Some(&form.nir),
        matricule: Some(&form.matricule),
        nom: None,
        annee,
        mois,
    };
    // CO-3, BQ-RSA: another circonscription or a dossier without RSA right reads exactly like nobody's.
    let status = match state.app.consult_rsacg(&session.agent, query, &source).await {
        Ok(view) => {
            page.resultat = Some(resultat(view));
            StatusCode::OK
        }
        Err(e) => match refus_recherche(e, &mut page.erreur, &mut page.message) {
            Ok((status, garder)) => {
                if garder {
                    // Kept so the user can correct them; the answer is never cached (no-store).
                    page.nir = form.nir;
                    page.matricule = form.matricule;
                }
                status
            }
            Err(page) => return *page,
        },
    };
    rendre(status, &page)
}
