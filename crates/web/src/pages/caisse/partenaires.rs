//! The référentiel des tiers as pages (SPEC TEN): the list with its search, a partner's fiche with its
//! conventions, and the creation and edit forms, which come back with each error beside its field (422)
//! when the fiche is refused.

use super::{erreur, page_ou_erreur, NavCaisse, StaffPage, StaffSession};
use crate::extract::Source;
use crate::pages::{rendre, PageForm};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use partage_app::partenaires::PartenaireDetail;
use partage_app::AppError;
use partage_domain::partenaire::{Categorie, ChampRefuse, Contact, Fiche, Saisie};
use serde::Deserialize;

/// One line of the list.
#[derive(Debug)]
struct Ligne {
    numero_tiers: String,
    nom: String,
    categorie: String,
    siret: String,
    departements: String,
}

fn ligne(f: &Fiche) -> Ligne {
    Ligne {
        numero_tiers: f.numero_tiers.to_string(),
        nom: f.nom.clone(),
        categorie: Categorie::libelle_de(&f.categorie),
        siret: f.siret.to_string(),
        departements: joindre(&f.departements, ", "),
    }
}

fn joindre<T: ToString>(items: &[T], sep: &str) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(sep)
}

#[derive(Template)]
#[template(path = "caisse/partenaires.html")]
struct Liste {
    nav: NavCaisse,
    recherche: String,
    partenaires: Vec<Ligne>,
    peut_ecrire: bool,
}

#[derive(Deserialize)]
pub(crate) struct Recherche {
    #[serde(default)]
    recherche: String,
}

pub(crate) async fn lister(
    State(state): State<AppState>,
    Source(source): Source,
    StaffPage(session): StaffPage,
    Query(q): Query<Recherche>,
) -> Response {
    let resultat = state
        .app
        .partenaires(&session.staff, &q.recherche, &source)
        .await
        .map(|liste| Liste {
            nav: session.nav(),
            recherche: q.recherche.clone(),
            partenaires: liste.iter().map(ligne).collect(),
            peut_ecrire: session.nav().conventions,
        });
    page_ou_erreur(resultat, &session, "/caisse/partenaires")
}

/// A convention of the partner, as its fiche lists it.
#[derive(Debug)]
struct ConventionLigne {
    numero: String,
    bouquets: String,
    etat: &'static str,
}

#[derive(Template)]
#[template(path = "caisse/partenaire.html")]
struct Detail {
    nav: NavCaisse,
    p: Ligne,
    f: Fiche,
    circonscriptions: String,
    conventions: Vec<ConventionLigne>,
    peut_ecrire: bool,
    enregistre: bool,
}

#[derive(Deserialize)]
pub(crate) struct Avis {
    #[serde(default)]
    enregistre: Option<String>,
}

pub(crate) async fn detail(
    State(state): State<AppState>,
    Source(source): Source,
    StaffPage(session): StaffPage,
    Path(tiers): Path<String>,
    Query(avis): Query<Avis>,
) -> Response {
    let resultat = state
        .app
        .partenaire_detail(&session.staff, &tiers, &source)
        .await
        .map(|PartenaireDetail { fiche, conventions }| Detail {
            nav: session.nav(),
            p: ligne(&fiche),
            circonscriptions: joindre(&fiche.circonscriptions, ", "),
            conventions: conventions
                .iter()
                .map(|(c, cycle)| ConventionLigne {
                    numero: c.numero.to_string(),
                    bouquets: c.bouquets.iter().map(|b| b.code()).collect::<Vec<_>>().join(", "),
                    etat: cycle.etat.nom(),
                })
                .collect(),
            f: fiche,
            peut_ecrire: session.nav().conventions,
            enregistre: avis.enregistre.is_some(),
        });
    page_ou_erreur(resultat, &session, "/caisse/partenaires")
}

/// One field of the form, with its value and its error.
#[derive(Debug)]
struct Champ {
    nom: &'static str,
    libelle: &'static str,
    aide: &'static str,
    valeur: String,
    multiligne: bool,
    obligatoire: bool,
    erreur: Option<String>,
}

#[derive(Template)]
#[template(path = "caisse/partenaire_formulaire.html")]
struct Formulaire {
    nav: NavCaisse,
    titre: String,
    action: String,
    /// On creation only: the N° tiers is the partner's key and never changes afterwards.
    numero_tiers: Option<Champ>,
    categorie: String,
    erreur_categorie: Option<String>,
    categories: Vec<(&'static str, &'static str)>,
    champs: Vec<Champ>,
    erreurs: Vec<ChampRefuse>,
}

impl Formulaire {
    fn pour(
        session: &StaffSession,
        saisie: &Saisie,
        creation: bool,
        erreurs: Vec<ChampRefuse>,
    ) -> Formulaire {
        let erreur = |nom: &str| {
            let messages: Vec<_> = erreurs
                .iter()
                .filter(|e| e.champ == nom)
                .map(|e| e.message.clone())
                .collect();
            (!messages.is_empty()).then(|| messages.join(" ; "))
        };
        let champ = |nom, libelle, aide, valeur: String, multiligne, obligatoire| Champ {
            nom,
            libelle,
            aide,
            valeur,
            multiligne,
            obligatoire,
            erreur: erreur(nom),
        };
        let lignes = |l: &[String]| l.join("\n");
        let champs =
            vec![
            champ("nom", "Raison sociale", "", saisie.nom.clone(), false, true),
            champ("siret", "SIRET", "14 chiffres.", saisie.siret.clone(), false, true),
            champ("adresse", "Adresse", "", saisie.adresse.clone(), true, true),
            champ("representant", "Représentant légal", "", saisie.representant.clone(), false, true),
            champ(
                "fonction_representant",
                "Fonction du représentant",
                "Par exemple : maire, président.",
                saisie.fonction_representant.clone(),
                false,
                true,
            ),
            champ(
                "contacts",
                "Contacts",
                "Un contact par ligne : nom ; courriel ; téléphone.",
                saisie.contacts.iter().map(Contact::ligne).collect::<Vec<_>>().join("\n"),
                true,
                false,
            ),
            champ(
                "departements",
                "Champ de compétence (départements de la caisse)",
                "Codes séparés par des espaces ou des virgules, par exemple : 07 26.",
                saisie.departements.join(" "),
                false,
                true,
            ),
            champ(
                "circonscriptions",
                "Circonscriptions (conseil départemental, RSA)",
                "Une par ligne, sous la forme DÉPARTEMENT/CODE, par exemple 07/NORD.",
                lignes(&saisie.circonscriptions),
                true,
                false,
            ),
            champ(
                "structures",
                "Structures gérées (gestionnaire de plusieurs structures)",
                "Une structure par ligne.",
                lignes(&saisie.structures),
                true,
                false,
            ),
            champ(
                "document_delegation",
                "Document de délégation (association ayant reçu délégation)",
                "Référence de l'acte de délégation, obligatoire pour une association ayant reçu délégation \
                 (convention 002, article 1).",
                saisie.document_delegation.clone(),
                false,
                false,
            ),
        ];
        let numero_tiers = creation.then(|| {
            champ(
                "numero_tiers",
                "N° tiers",
                "Il ne pourra plus être modifié.",
                saisie.numero_tiers.clone(),
                false,
                true,
            )
        });
        let (titre, action) = if creation {
            ("Nouveau partenaire".to_owned(), "/caisse/partenaires".to_owned())
        } else {
            (
                format!("Modifier le partenaire n° {}", saisie.numero_tiers),
                format!("/caisse/partenaires/{}/modifier", saisie.numero_tiers),
            )
        };
        Formulaire {
            nav: session.nav(),
            titre,
            action,
            numero_tiers,
            categorie: Categorie::parse(&saisie.categorie)
                .map(|c| c.code())
                .unwrap_or_default()
                .to_owned(),
            erreur_categorie: erreur("categorie"),
            categories: Categorie::TOUTES
                .iter()
                .map(|c| (c.code(), c.libelle()))
                .collect(),
            champs,
            erreurs,
        }
    }
}

/// The form as posted: lists come as lines (or, for départements, words).
#[derive(Deserialize)]
pub(crate) struct FicheSaisie {
    #[serde(default)]
    numero_tiers: String,
    #[serde(default)]
    nom: String,
    #[serde(default)]
    categorie: String,
    #[serde(default)]
    siret: String,
    #[serde(default)]
    adresse: String,
    #[serde(default)]
    representant: String,
    #[serde(default)]
    fonction_representant: String,
    #[serde(default)]
    contacts: String,
    #[serde(default)]
    departements: String,
    #[serde(default)]
    circonscriptions: String,
    #[serde(default)]
    structures: String,
    #[serde(default)]
    document_delegation: String,
}

fn lignes(texte: &str) -> Vec<String> {
    texte
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

impl FicheSaisie {
    fn saisie(self) -> Saisie {
        Saisie {
            contacts: lignes(&self.contacts)
                .iter()
                .map(|l| Contact::depuis_ligne(l))
                .collect(),
            departements: self
                .departements
                .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
                .filter(|d| !d.is_empty())
                .map(str::to_owned)
                .collect(),
            circonscriptions: lignes(&self.circonscriptions),
            structures: lignes(&self.structures),
            numero_tiers: self.numero_tiers,
            nom: self.nom,
            categorie: self.categorie,
            siret: self.siret,
            adresse: self.adresse,
            representant: self.representant,
            fonction_representant: self.fonction_representant,
            document_delegation: self.document_delegation,
        }
    }
}

pub(crate) async fn nouveau(State(state): State<AppState>, StaffPage(session): StaffPage) -> Response {
    if !session.nav().conventions {
        return erreur(
            AppError::RoleRequis(partage_domain::personnel::Role::Conventions),
            Some(session.nav()),
            "/caisse/partenaires",
        );
    }
    if let Err(e) = state.app.touch_personnel(&session.staff).await {
        return erreur(e, Some(session.nav()), "/caisse/partenaires");
    }
    rendre(
        StatusCode::OK,
        &Formulaire::pour(&session, &Saisie::default(), true, Vec::new()),
    )
}

pub(crate) async fn creer(
    State(state): State<AppState>,
    Source(source): Source,
    StaffPage(session): StaffPage,
    PageForm(form): PageForm<FicheSaisie>,
) -> Response {
    let saisie = form.saisie();
    let resultat = state.app.creer_partenaire(&session.staff, &saisie, &source).await;
    apres_ecriture(resultat, &session, &saisie, true)
}

pub(crate) async fn modification(
    State(state): State<AppState>,
    Source(source): Source,
    StaffPage(session): StaffPage,
    Path(tiers): Path<String>,
) -> Response {
    let retour = format!("/caisse/partenaires/{tiers}");
    if !session.nav().conventions {
        return erreur(
            AppError::RoleRequis(partage_domain::personnel::Role::Conventions),
            Some(session.nav()),
            &retour,
        );
    }
    match state.app.partenaire_detail(&session.staff, &tiers, &source).await {
        Ok(d) => rendre(
            StatusCode::OK,
            &Formulaire::pour(&session, &d.fiche.saisie(), false, Vec::new()),
        ),
        Err(e) => erreur(e, Some(session.nav()), &retour),
    }
}

pub(crate) async fn modifier(
    State(state): State<AppState>,
    Source(source): Source,
    StaffPage(session): StaffPage,
    Path(tiers): Path<String>,
    PageForm(form): PageForm<FicheSaisie>,
) -> Response {
    let mut saisie = form.saisie();
    saisie.numero_tiers = tiers;
    let resultat = state
        .app
        .modifier_partenaire(&session.staff, &saisie, &source)
        .await;
    apres_ecriture(resultat, &session, &saisie, false)
}

/// The fiche once written, or the form again with the errors beside their fields.
fn apres_ecriture(
    resultat: Result<Fiche, AppError>,
    session: &StaffSession,
    saisie: &Saisie,
    creation: bool,
) -> Response {
    match resultat {
        Ok(f) => {
            Redirect::to(&format!("/caisse/partenaires/{}?enregistre=1", f.numero_tiers)).into_response()
        }
        Err(AppError::FicheRefusee(erreurs)) => rendre(
            StatusCode::UNPROCESSABLE_ENTITY,
            &Formulaire::pour(session, saisie, creation, erreurs),
        ),
        Err(AppError::DejaExistant(message)) if creation => rendre(
            StatusCode::CONFLICT,
            &Formulaire::pour(
                session,
                saisie,
                creation,
                vec![ChampRefuse {
                    champ: "numero_tiers",
                    message,
                }],
            ),
        ),
        Err(e) => erreur(e, Some(session.nav()), "/caisse/partenaires"),
    }
}
