//! The caisse's staff accounts, for its admins: the list, a new account (its temporary password shown
//! once, to hand over), and whom the caisse requires the second factor of. Creating an account and
//! changing the requirement are sensitive acts: without a password typed within ten minutes, the page asks
//! for it and comes back here.

use super::demandes::{remettre, IdentifiantsRemis};
use super::{erreur, page_ou_erreur, NavCaisse, StaffPage, StaffSession};
use crate::extract::Source;
use crate::pages::{phrase, rendre, PageForm};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use partage_app::personnel::{NouveauPersonnel, Personnel};
use partage_app::AppError;
use partage_domain::personnel::Role;
use secrecy::ExposeSecret;
use serde::Deserialize;

const RETOUR: &str = "/caisse/personnels";

/// The roles as the form's boxes show them.
const ROLES: [(Role, &str); 4] = [
    (Role::Admin, "Administration (personnel et réglages)"),
    (Role::Habilitation, "Habilitations (demandes, extranautes)"),
    (Role::Conventions, "Conventions"),
    (Role::Supervision, "Supervision (traces, statistiques)"),
];

/// The new account's fields as typed, kept to be corrected.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Saisie {
    #[serde(default)]
    identifiant: String,
    #[serde(default)]
    nom: String,
    #[serde(default)]
    prenom: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    role_admin: Option<String>,
    #[serde(default)]
    role_habilitation: Option<String>,
    #[serde(default)]
    role_conventions: Option<String>,
    #[serde(default)]
    role_supervision: Option<String>,
}

impl Saisie {
    fn coche(&self, role: Role) -> bool {
        match role {
            Role::Admin => self.role_admin.is_some(),
            Role::Habilitation => self.role_habilitation.is_some(),
            Role::Conventions => self.role_conventions.is_some(),
            Role::Supervision => self.role_supervision.is_some(),
        }
    }

    fn nouveau(&self) -> NouveauPersonnel {
        NouveauPersonnel {
            identifiant: self.identifiant.clone(),
            nom: self.nom.clone(),
            prenom: self.prenom.clone(),
            email: self.email.clone(),
            roles: ROLES
                .iter()
                .filter(|(r, _)| self.coche(*r))
                .map(|(r, _)| r.code())
                .collect::<Vec<_>>()
                .join(","),
        }
    }
}

#[derive(Template)]
#[template(path = "caisse/personnels.html")]
struct Personnels {
    nav: NavCaisse,
    personnels: Vec<Personnel>,
    exige_personnel: bool,
    exige_administrateurs: bool,
    /// The text fields: id, label, value as typed.
    champs: Vec<(&'static str, &'static str, String)>,
    roles: Vec<(&'static str, &'static str, bool)>,
    erreurs: Vec<(&'static str, String)>,
    general: Option<String>,
}

impl Personnels {
    fn erreur(&self, champ: &str) -> Option<&str> {
        self.erreurs
            .iter()
            .find(|(c, _)| *c == champ)
            .map(|(_, m)| m.as_str())
    }
}

async fn charger(
    state: &AppState,
    session: &StaffSession,
    source: &str,
    f: Saisie,
) -> Result<Personnels, AppError> {
    let personnels = state.app.personnels(&session.staff, source).await?;
    let (exige_personnel, exige_administrateurs) =
        state.app.exigences_double_facteur(&session.staff, source).await?;
    Ok(Personnels {
        nav: session.nav(),
        personnels,
        exige_personnel,
        exige_administrateurs,
        roles: ROLES
            .iter()
            .map(|(r, libelle)| (r.code(), *libelle, f.coche(*r)))
            .collect(),
        champs: vec![
            ("identifiant", "Identifiant", f.identifiant),
            ("nom", "Nom", f.nom),
            ("prenom", "Prénom", f.prenom),
            ("email", "Adresse électronique", f.email),
        ],
        erreurs: Vec::new(),
        general: None,
    })
}

pub(crate) async fn afficher(
    State(state): State<AppState>,
    Source(source): Source,
    StaffPage(session): StaffPage,
) -> Response {
    let resultat = charger(&state, &session, &source, Saisie::default()).await;
    page_ou_erreur(resultat, &session, RETOUR)
}

/// The field each of the use case's reasons is about ("nom : ne doit pas être vide ; email : …").
fn par_champ(message: &str) -> Vec<(&'static str, String)> {
    message
        .split(" ; ")
        .map(|raison| {
            let champ = match raison.split_once(" : ").map(|(c, _)| c.trim()) {
                Some("identifiant") => "identifiant",
                Some("nom") => "nom",
                Some("prénom") => "prenom",
                Some("email") => "email",
                Some("rôles") => "roles",
                _ => "identifiant",
            };
            (champ, phrase(raison))
        })
        .collect()
}

pub(crate) async fn creer(
    State(state): State<AppState>,
    Source(source): Source,
    StaffPage(session): StaffPage,
    PageForm(saisie): PageForm<Saisie>,
) -> Response {
    let nouveau = saisie.nouveau();
    match state.app.creer_personnel(&session.staff, &nouveau, &source).await {
        Ok(provisoire) => remettre(&IdentifiantsRemis {
            nav: session.nav(),
            titre: "Compte du personnel créé",
            objet: "Identifiants du nouveau membre du personnel — à lui remettre en main propre",
            identifiant: nouveau.identifiant.trim(),
            mot_de_passe: provisoire.expose_secret(),
            caisse: session.staff.personnel.caisse.as_str(),
            demande: None,
            retour: RETOUR,
        }),
        Err(e @ (AppError::RequeteInvalide(_) | AppError::DejaExistant(_))) => {
            let (erreurs, general) = match &e {
                AppError::RequeteInvalide(m) => (par_champ(m), None),
                e => (vec![("identifiant", phrase(&e.to_string()))], None),
            };
            match charger(&state, &session, &source, saisie).await {
                Ok(mut page) => {
                    page.erreurs = erreurs;
                    page.general = general;
                    rendre(StatusCode::UNPROCESSABLE_ENTITY, &page)
                }
                Err(e) => erreur(e, Some(session.nav()), RETOUR),
            }
        }
        Err(e) => erreur(e, Some(session.nav()), RETOUR),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct Exigence {
    #[serde(default)]
    personnel: Option<String>,
    #[serde(default)]
    administrateurs_partenaires: Option<String>,
}

pub(crate) async fn double_facteur(
    State(state): State<AppState>,
    Source(source): Source,
    StaffPage(session): StaffPage,
    PageForm(form): PageForm<Exigence>,
) -> Response {
    match state
        .app
        .exiger_double_facteur(
            &session.staff,
            form.personnel.is_some(),
            form.administrateurs_partenaires.is_some(),
            &source,
        )
        .await
    {
        Ok(()) => Redirect::to(RETOUR).into_response(),
        Err(e) => erreur(e, Some(session.nav()), RETOUR),
    }
}
