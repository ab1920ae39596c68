//! The caisse's conventions as pages (SPEC CV): the register with its state filter, one convention's whole
//! file (state, history with who, when and which document, versions, sub-contractors, breaches, cap), and
//! one form for each act the rules allow today. A refused act shows its reason; nothing is written.

use super::{erreur, page_ou_erreur, NavCaisse, StaffPage};
use crate::api::caisse_conventions::ActeRecu;
use crate::extract::Source;
use crate::pages::{date_heure, PageForm};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use partage_app::registre::{ConventionInscrite, DossierConvention};
use partage_domain::cycle::{Delai, Etat, Partie};
use partage_domain::gestion::ActePossible;
use serde::Deserialize;

/// The states a convention can be in, for the filter: code and label.
const ETATS: [(&str, &str); 7] = [
    ("brouillon", "En brouillon"),
    ("signee_par_une", "Signée par une seule partie"),
    ("attente_cnil", "En attente de la formalité CNIL"),
    ("en_vigueur", "En vigueur"),
    ("fin_programmee", "Fin programmée"),
    ("suspendue", "Suspendue (force majeure)"),
    ("terminee", "Terminée"),
];

pub(crate) fn jour(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

fn jour_ou(d: Option<NaiveDate>, sinon: &str) -> String {
    d.map_or_else(|| sinon.to_owned(), jour)
}

/// One line of the register.
#[derive(Debug)]
pub(crate) struct Ligne {
    pub numero: String,
    pub partenaire: String,
    pub nom_partenaire: String,
    pub bouquets: String,
    pub etat: &'static str,
    pub echeance: String,
    pub a_l_echeance: &'static str,
}

pub(crate) fn ligne(c: &ConventionInscrite) -> Ligne {
    Ligne {
        numero: c.convention.numero.to_string(),
        partenaire: c.convention.partenaire.to_string(),
        nom_partenaire: c.nom_partenaire.clone(),
        bouquets: c
            .convention
            .bouquets
            .iter()
            .map(|b| b.code())
            .collect::<Vec<_>>()
            .join(", "),
        etat: c.cycle.etat.nom(),
        echeance: jour_ou(c.prochaine_echeance, "—"),
        a_l_echeance: partage_app::registre::a_l_echeance(&c.cycle),
    }
}

#[derive(Template)]
#[template(path = "caisse/conventions.html")]
struct Registre {
    nav: NavCaisse,
    etats: [(&'static str, &'static str); 7],
    etat: String,
    conventions: Vec<Ligne>,
}

#[derive(Deserialize)]
pub(crate) struct Filtre {
    #[serde(default)]
    etat: String,
}

pub(crate) async fn lister(
    State(state): State<AppState>,
    Source(source): Source,
    StaffPage(session): StaffPage,
    Query(filtre): Query<Filtre>,
) -> Response {
    let resultat = state
        .app
        .registre_conventions(&session.staff, Some(&filtre.etat), &source)
        .await
        .map(|liste| Registre {
            nav: session.nav(),
            etats: ETATS,
            etat: filtre.etat.clone(),
            conventions: liste.iter().map(ligne).collect(),
        });
    page_ou_erreur(resultat, &session, "/caisse/conventions")
}

/// One transition of the history.
#[derive(Debug)]
struct Transition {
    acte: String,
    etat: &'static str,
    par: String,
    le: String,
    date_effet: String,
    document: String,
}

/// One act form.
#[derive(Debug)]
struct Formulaire {
    code: &'static str,
    libelle: &'static str,
    date: &'static str,
    partie: &'static str,
    souhaitee: bool,
}

fn formulaire(a: &ActePossible) -> Formulaire {
    Formulaire {
        code: a.code,
        libelle: a.libelle,
        date: a.date,
        partie: match a.partie {
            Some(Partie::Caisse) => "caisse",
            Some(Partie::Partenaire) => "partenaire",
            None => "",
        },
        souhaitee: a.code == "resilier",
    }
}

#[derive(Template)]
#[template(path = "caisse/convention.html")]
struct Fiche {
    nav: NavCaisse,
    numero: String,
    partenaire: String,
    nom_partenaire: String,
    bouquets: String,
    etat: &'static str,
    modele: String,
    signee_le: String,
    formalite_cnil_le: String,
    fin_le: String,
    echeance: String,
    confidentialite: String,
    plafond: String,
    habilitations: u32,
    historique: Vec<Transition>,
    versions: Vec<(i64, String, String, String)>,
    sous_traitants: Vec<(String, String, String)>,
    violations: Vec<(String, String, String)>,
    actes: Vec<Formulaire>,
    aujourdhui: String,
}

fn delai(d: Delai) -> String {
    match d {
        Delai::Jours(n) => format!("{n} jours"),
        Delai::Mois(n) => format!("{n} mois"),
    }
}

fn fiche(d: DossierConvention, nav: NavCaisse, aujourdhui: NaiveDate) -> Fiche {
    let c = &d.detail.convention;
    let cycle = d.detail.cycle;
    let m = cycle.modele;
    let preavis =
        |p: Option<Delai>| p.map_or("non prévue".to_owned(), |p| format!("préavis de {}", delai(p)));
    let modele = format!(
        "périodes de {}, dénonciation {}, résiliation unilatérale {}, fin {} après une mise en demeure, \
         résiliation possible {} après une force majeure",
        delai(m.duree),
        preavis(m.preavis_denonciation),
        preavis(m.preavis_resiliation),
        delai(m.delai_mise_en_demeure),
        delai(m.delai_force_majeure),
    );
    let echeance = match cycle.etat {
        Etat::EnVigueur { echeance } | Etat::Suspendue { echeance, .. } => jour(echeance),
        Etat::FinProgrammee {
            echeance, effet_le, ..
        } => {
            format!("{} (fin programmée le {})", jour(echeance), jour(effet_le))
        }
        _ => "—".to_owned(),
    };
    Fiche {
        numero: c.numero.to_string(),
        partenaire: c.partenaire.to_string(),
        nom_partenaire: d.nom_partenaire.clone(),
        bouquets: c.bouquets.iter().map(|b| b.code()).collect::<Vec<_>>().join(", "),
        etat: cycle.etat.nom(),
        modele,
        signee_le: jour(c.acces.signee_le),
        formalite_cnil_le: jour_ou(c.acces.formalite_cnil_le, "non accomplie"),
        fin_le: jour_ou(c.acces.fin_le, "aucune"),
        echeance,
        confidentialite: jour_ou(cycle.confidentialite_jusquau(), ""),
        plafond: d.plafond.map_or("aucun".to_owned(), |p| p.to_string()),
        habilitations: d.habilitations,
        historique: d
            .detail
            .historique
            .iter()
            .rev()
            .map(|t| Transition {
                acte: t.acte.clone(),
                etat: t.cycle.etat.nom(),
                par: t.par.clone().unwrap_or_else(|| "partage (échéance)".to_owned()),
                le: date_heure(t.horodatage),
                date_effet: jour(t.date_effet),
                document: t
                    .document
                    .as_ref()
                    .map(|doc| format!("{} (reçu le {})", doc.reference, jour(doc.recu_le)))
                    .unwrap_or_default(),
            })
            .collect(),
        versions: d
            .versions
            .iter()
            .map(|v| {
                let bouquets: Vec<_> = v.contenu.bouquets.iter().map(|b| b.code()).collect();
                (
                    v.numero,
                    jour(v.effet_le),
                    bouquets.join(", "),
                    v.reference.clone(),
                )
            })
            .collect(),
        sous_traitants: d
            .sous_traitants
            .iter()
            .map(|s| {
                let s = &s.declaration;
                (s.nom.clone(), jour(s.debut_le), s.taches.clone())
            })
            .collect(),
        violations: d
            .violations
            .iter()
            .map(|v| (jour(v.notifiee_le), v.description.clone(), v.documents.join(", ")))
            .collect(),
        actes: d.actes.iter().map(formulaire).collect(),
        aujourdhui: aujourdhui.to_string(),
        nav,
    }
}

pub(crate) async fn detail(
    State(state): State<AppState>,
    Source(source): Source,
    StaffPage(session): StaffPage,
    Path(numero): Path<String>,
) -> Response {
    let aujourdhui = state.app.clock().today();
    let resultat = state
        .app
        .dossier_convention(&session.staff, &numero, &source)
        .await
        .map(|d| fiche(d, session.nav(), aujourdhui));
    page_ou_erreur(resultat, &session, "/caisse/conventions")
}

/// An act as its form posts it.
#[derive(Deserialize)]
pub(crate) struct ActeSaisi {
    #[serde(default)]
    acte: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    partie: String,
    #[serde(default)]
    souhaitee_le: String,
    #[serde(default)]
    document_reference: String,
    #[serde(default)]
    document_recu_le: String,
}

pub(crate) async fn agir(
    State(state): State<AppState>,
    Source(source): Source,
    StaffPage(session): StaffPage,
    Path(numero): Path<String>,
    PageForm(form): PageForm<ActeSaisi>,
) -> Response {
    let retour = format!("/caisse/conventions/{}", numero.trim());
    let facultatif = |s: String| (!s.trim().is_empty()).then_some(s);
    let recu = ActeRecu {
        acte: form.acte,
        date: form.date,
        partie: facultatif(form.partie),
        souhaitee_le: facultatif(form.souhaitee_le),
        reference: form.document_reference,
        recu_le: form.document_recu_le,
    };
    let resultat = match recu.lire() {
        Ok((acte, document)) => {
            state
                .app
                .agir_sur_convention(&session.staff, &numero, acte, document, &source)
                .await
        }
        Err(e) => Err(e),
    };
    match resultat {
        Ok(_) => Redirect::to(&format!("{retour}#historique")).into_response(),
        Err(e) => erreur(e, Some(session.nav()), &retour),
    }
}
