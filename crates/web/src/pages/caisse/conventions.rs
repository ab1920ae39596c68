//! The caisse's conventions as pages (SPEC CV): the register with its state filter, one convention's whole
//! file (state, history with who, when and which document, versions, sub-contractors, breaches, cap), and
//! one form for each act the rules allow today. A refused act shows its reason; nothing is written.

use super::{erreur, page_ou_erreur, NavCaisse, StaffPage};
use crate::api::caisse_conventions::{ActeRecu, AttestationRecue};
use crate::extract::Source;
use crate::pages::{date_heure, PageForm};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use partage_app::conventions::ConventionACreer;
use partage_app::registre::{ConventionInscrite, DossierConvention};
use partage_app::AppError;
use partage_domain::cycle::{Delai, Etat, Partie};
use partage_domain::gestion::ActePossible;
use partage_domain::Bouquet;
use serde::Deserialize;
use std::collections::HashMap;

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
    bouquets: Vec<&'static str>,
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
            bouquets: Bouquet::ALL.iter().map(|b| b.code()).collect(),
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
    /// TEN-3, CV-7: the départements its version in force narrows it to, or that it narrows nothing.
    departements: String,
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
    /// CV-8: ended, so the partner's attestation of return or destruction is expected.
    termine: bool,
    /// Its nature, date, document and who recorded it.
    attestation: Option<(&'static str, String, String, String)>,
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
        departements: if d.departements.is_empty() {
            "ceux du partenaire (la convention n'en restreint aucun)".to_owned()
        } else {
            d.departements
                .iter()
                .map(|d| d.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        },
        etat: cycle.etat.nom(),
        modele,
        signee_le: match cycle.etat {
            Etat::Brouillon | Etat::SigneeParUne { .. } => "pas encore".to_owned(),
            _ => jour(c.acces.signee_le),
        },
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
        termine: matches!(cycle.etat, Etat::Terminee { .. }),
        attestation: d.detail.attestation.as_ref().map(|a| {
            (
                a.attestation.nature.libelle(),
                jour(a.attestation.attestee_le),
                a.attestation.reference.clone(),
                a.par.clone(),
            )
        }),
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

/// CV-8: the partner's attestation as its form posts it.
#[derive(Deserialize)]
pub(crate) struct AttestationSaisie {
    #[serde(default)]
    nature: String,
    #[serde(default)]
    attestee_le: String,
    #[serde(default)]
    reference: String,
}

pub(crate) async fn attester(
    State(state): State<AppState>,
    Source(source): Source,
    StaffPage(session): StaffPage,
    Path(numero): Path<String>,
    PageForm(form): PageForm<AttestationSaisie>,
) -> Response {
    let retour = format!("/caisse/conventions/{}", numero.trim());
    let recue = AttestationRecue {
        nature: form.nature,
        attestee_le: form.attestee_le,
        reference: form.reference,
    };
    let resultat = match recue.lire() {
        Ok(attestation) => {
            state
                .app
                .enregistrer_attestation(&session.staff, &numero, attestation, &source)
                .await
        }
        Err(e) => Err(e),
    };
    match resultat {
        Ok(_) => Redirect::to(&format!("{retour}#attestation-titre")).into_response(),
        Err(e) => erreur(e, Some(session.nav()), &retour),
    }
}

/// Issue 3, part 3: a convention created in draft from the register's form; refused with the reason, nothing
/// written. The form sends one checkbox `bouquet_<code>` per bouquet.
pub(crate) async fn creer(
    State(state): State<AppState>,
    Source(source): Source,
    StaffPage(session): StaffPage,
    PageForm(form): PageForm<HashMap<String, String>>,
) -> Response {
    let champ = |nom: &str| form.get(nom).cloned().unwrap_or_default();
    let resultat = match champ("plafond_habilitations").trim() {
        "" => Ok(None),
        p => p.parse::<u32>().map(Some).map_err(|_| {
            AppError::RequeteInvalide(format!(
                "plafond d'habilitations : « {} » n'est pas un nombre entier positif",
                p.chars().take(20).collect::<String>()
            ))
        }),
    };
    let resultat = match resultat {
        Ok(plafond) => {
            let convention = ConventionACreer {
                numero: champ("numero"),
                partenaire: champ("partenaire"),
                bouquets: Bouquet::ALL
                    .into_iter()
                    .filter(|b| form.contains_key(&format!("bouquet_{}", b.code())))
                    .collect(),
                plafond_habilitations: plafond,
                gestion: Some(champ("gestion")).filter(|g| !g.trim().is_empty()),
            };
            state
                .app
                .creer_convention(&session.staff, &convention, &source)
                .await
        }
        Err(e) => Err(e),
    };
    match resultat {
        Ok(d) => Redirect::to(&format!("/caisse/conventions/{}", d.convention.numero)).into_response(),
        Err(e) => erreur(e, Some(session.nav()), "/caisse/conventions"),
    }
}
