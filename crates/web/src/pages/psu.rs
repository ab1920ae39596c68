//! The PSU bouquet (BQ-PSU, CO-2, CO-6, OP-1): a search block by NIR, or by matricule (001:4-3), always with
//! the allocataire's name, and a period selector; then the three rubriques "Coordonnées du dossier",
//! "Situation familiale" and "Ressources hors prestations familiales", and the family's hourly fee from the
//! caisse's barème with what it was computed from. The search is a POST: neither NIR nor name appears in a
//! URL.

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
use partage_app::psu::{PsuQuery, PsuView, TarifPsu};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "psu.html")]
struct PagePsu {
    nav: Nav,
    nir: String,
    matricule: String,
    nom: String,
    mois: Vec<Choix>,
    annees: Vec<Choix>,
    /// A refusal of the search itself (missing name, invalid NIR or matricule, period), shown at the top.
    erreur: Option<String>,
    /// The one sentence that answers a search that shows no dossier.
    message: Option<String>,
    resultat: Option<Resultat>,
}

struct Resultat {
    matricule: String,
    allocataires: Vec<[String; 4]>,
    adresse: Vec<String>,
    situation: String,
    enfants_a_charge: String,
    /// Prénoms, nom, date de naissance, AEEH.
    enfants: Vec<[String; 4]>,
    mois_libelle: String,
    ressources_du_mois: Option<String>,
    /// Du, au, année de référence, montant annuel.
    periodes: Vec<[String; 4]>,
    /// Why no fee is shown, when none is.
    tarif_message: Option<String>,
    /// Type d'accueil, taux d'effort, tarif horaire.
    tarifs: Vec<[String; 3]>,
    /// What the fee was computed from: label, value.
    elements_du_tarif: Vec<[String; 2]>,
}

type Tarifs = (Option<String>, Vec<[String; 3]>, Vec<[String; 2]>);

fn tarifs(t: TarifPsu) -> Tarifs {
    let Some(c) = t.calcul else {
        return (t.message.map(str::to_owned), Vec::new(), Vec::new());
    };
    let oui_non = |b: bool| if b { "oui" } else { "non" }.to_owned();
    let periode = match c.bareme_fin {
        Some(fin) => format!("du {} au {}", date(c.bareme_debut), date(fin)),
        None => format!("depuis le {}", date(c.bareme_debut)),
    };
    let enfants = match c.enfants_a_charge {
        Some(n) => n.to_string(),
        None => "non communiqué par la caisse".to_owned(),
    };
    let tarifs = vec![
        [
            "Accueil collectif".to_owned(),
            c.collectif.taux_effort,
            c.collectif.tarif.libelle(),
        ],
        [
            "Accueil familial, parental ou micro-crèche".to_owned(),
            c.familial.taux_effort,
            c.familial.tarif.libelle(),
        ],
    ];
    let elements = vec![
        ["Barème PSU de la caisse".to_owned(), periode],
        [
            "Ressources annuelles".to_owned(),
            c.ressources_annuelles.libelle(),
        ],
        [
            "Ressources mensuelles retenues".to_owned(),
            c.ressources_mensuelles_retenues.libelle(),
        ],
        [
            "Plancher mensuel (appliqué)".to_owned(),
            format!(
                "{} ({})",
                c.plancher_mensuel.libelle(),
                oui_non(c.plancher_applique)
            ),
        ],
        [
            "Plafond mensuel (appliqué)".to_owned(),
            format!(
                "{} ({})",
                c.plafond_mensuel.libelle(),
                oui_non(c.plafond_applique)
            ),
        ],
        ["Enfants à charge".to_owned(), enfants],
        ["Enfant bénéficiaire de l'AEEH".to_owned(), oui_non(c.aeeh)],
        [
            "Enfants retenus pour le taux d'effort".to_owned(),
            c.enfants_retenus.to_string(),
        ],
    ];
    (None, tarifs, elements)
}

fn resultat(view: PsuView, annee: i32, mois: u32) -> Resultat {
    let a = view.adresse;
    let sf = view.situation_familiale;
    let (tarif_message, tarifs, elements_du_tarif) = tarifs(view.tarif_horaire);
    let jour = |d: Option<NaiveDate>| d.map(date).unwrap_or_default();
    Resultat {
        matricule: view.matricule,
        allocataires: view
            .allocataires
            .into_iter()
            .map(|p| {
                [
                    p.nom_naissance,
                    p.nom_usage.unwrap_or_default(),
                    p.prenoms,
                    jour(p.date_naissance),
                ]
            })
            .collect(),
        adresse: adresse_lignes(a),
        situation: sf.libelle.unwrap_or("Non communiquée par la caisse").to_owned(),
        enfants_a_charge: sf
            .enfants_a_charge
            .map(|n| n.to_string())
            .unwrap_or_else(|| "Non communiqué par la caisse".to_owned()),
        enfants: sf
            .enfants
            .into_iter()
            .map(|e| {
                let nom = match e.nom_usage {
                    Some(u) => format!("{} ({u})", e.nom_naissance),
                    None => e.nom_naissance,
                };
                let aeeh = if e.aeeh { "Oui" } else { "Non" };
                [e.prenoms, nom, jour(e.date_naissance), aeeh.to_owned()]
            })
            .collect(),
        mois_libelle: mois_libelle(annee, mois),
        ressources_du_mois: view.ressources.map(|r| {
            format!(
                "{} (ressources {}, valables du {} au {})",
                r.montant_annuel.libelle(),
                r.annee_reference,
                date(r.debut),
                date(r.fin)
            )
        }),
        periodes: view
            .periodes
            .into_iter()
            .map(|p| {
                [
                    date(p.debut),
                    date(p.fin),
                    p.annee_reference.to_string(),
                    p.montant_annuel.libelle(),
                ]
            })
            .collect(),
        tarif_message,
        tarifs,
        elements_du_tarif,
    }
}

impl PageDeRecherche for PagePsu {
    fn vide(nav: Nav, aujourdhui: NaiveDate, annee: i32, mois: u32) -> PagePsu {
        let (annees, mois) = choix_periode(aujourdhui, annee, mois);
        PagePsu {
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
    afficher_recherche::<PagePsu>(state, session).await
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
}

pub(crate) async fn rechercher(
    State(state): State<AppState>,
    Source(source): Source,
    PageAgent(session): PageAgent,
    PageForm(form): PageForm<Recherche>,
) -> Response {
    let today = state.app.clock().today();
    let (annee, mois, shown_year, shown_month) = periode_du_formulaire(&form.annee, &form.mois, today);
    let mut page = PagePsu::vide(session.nav(), today, shown_year, shown_month);
    let query = PsuQuery {
        nir: Some(&form.nir),
        matricule: Some(&form.matricule),
        nom: Some(&form.nom),
        annee,
        mois,
    };
    let status = match state.app.consult_psu(&session.agent, query, &source).await {
        Ok(view) => {
            page.resultat = Some(resultat(view, shown_year, shown_month));
            StatusCode::OK
        }
        // CO-2, CO-4: a wrong name, or a dossier outside the perimeter, reads exactly like nobody's NIR.
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
