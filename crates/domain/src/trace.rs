//! What a trace records (SPEC TR-1): who, when, from where, which dossier, which rubrique, result.

use crate::Bouquet;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Connexion,
    ChangementMotDePasse,
    Deconnexion,
    ExpirationSession,
    Consultation,
    /// A caisse agent lifted a lock-out (AU-1).
    Deverrouillage,
    /// The caisse's staff, on their own entrance (back office).
    ConnexionPersonnel,
    DeconnexionPersonnel,
    ChangementMotDePassePersonnel,
    ExpirationSessionPersonnel,
    /// A back-office act: creating staff, a convention's transition…
    Gestion,
    /// A staff member typed his password again before a sensitive act (AU-4).
    ReauthentificationPersonnel,
    /// A staff member's second factor: enrolled, confirmed, required by the caisse, removed by an admin.
    DoubleFacteur,
    /// HB-8: an agent deactivated after nine full months without a login.
    DesactivationInactivite,
    /// Supervision acts (TR-3, SU-2, BY-1): `rubriques` holds what was asked or done, summarised (filters,
    /// target, suspension number), never a NIR in clear; `matricule`/`nir_hache` the dossier asked about.
    RequeteTraces,
    Suspension,
    LeveeSuspension,
    ReleveConsultations,
    /// HB-3, HB-6: an agent set his password with an activation link (the link itself is never traced).
    Activation,
    /// Retention (issue #6, part 9): a run of the purge of traces past the retention period; `rubriques`
    /// says how many and up to which instant.
    PurgeTraces,
}

/// The outcome, with a stable code shared with the API's error codes where one exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Resultat {
    Succes,
    /// Wrong password or unknown identifier: the trace says which, the user is never told.
    EchecIdentifiantInconnu,
    EchecMotDePasse,
    EchecCompteInactif,
    MotDePasseRefuse,
    RequeteInvalide,
    NirInvalide,
    NonHabilite,
    DossierIntrouvable,
    Opposition,
    HorsPerimetre,
    /// CO-2: a PSU search whose name is not the allocataire's; the user is told "not found", the trace
    /// keeps the truth for supervision (CO-5).
    NomDiscordant,
    ConventionHorsVigueur,
    ChangementMotDePasseRequis,
    /// Attempt on a locked account: answered like a wrong password, whatever the password.
    EchecCompteVerrouille,
    /// Refused before any check: too soon after the last failures of the account or of the source.
    TropDeTentatives,
    /// The failure that locked the account.
    Verrouillage,
    /// A staff member without the role the act needs.
    RoleRequis,
    /// A back-office act refused by the rules (illegal transition, bad input).
    Refuse,
    /// A consultation past the user's rate (security, part 3): refused before any lookup, traced all the same.
    TropDeRequetes,
    /// A sensitive staff act without a password typed in the last minutes (AU-4).
    ReauthentificationRequise,
    /// Right password, missing or wrong one-time code: answered like a wrong password.
    EchecCodeTotp,
    /// A staff member without the second factor his caisse requires.
    DoubleFacteurRequis,
    /// SU-2: right password, but the user or his partner is suspended.
    CompteSuspendu,
    /// CO-7: a consultation outside the bouquet's opening hours.
    HorsPlage,
    /// CO-3: an RSA dossier outside the agent's circonscriptions; the user is told "not found".
    HorsCirconscription,
    /// BQ-RSA: an RSACG search that found a dossier without RSA right; the user is told "not found".
    SansDroitRsa,
    /// An unknown, used, superseded or expired activation link.
    LienInvalide,
}

impl Action {
    pub fn code(self) -> &'static str {
        match self {
            Action::Connexion => "connexion",
            Action::ChangementMotDePasse => "changement_mot_de_passe",
            Action::Deconnexion => "deconnexion",
            Action::ExpirationSession => "expiration_session",
            Action::Consultation => "consultation",
            Action::Deverrouillage => "deverrouillage",
            Action::ConnexionPersonnel => "connexion_personnel",
            Action::DeconnexionPersonnel => "deconnexion_personnel",
            Action::ChangementMotDePassePersonnel => "changement_mot_de_passe_personnel",
            Action::ExpirationSessionPersonnel => "expiration_session_personnel",
            Action::Gestion => "gestion",
            Action::ReauthentificationPersonnel => "reauthentification_personnel",
            Action::DoubleFacteur => "double_facteur",
            Action::DesactivationInactivite => "desactivation_inactivite",
            Action::RequeteTraces => "requete_traces",
            Action::Suspension => "suspension",
            Action::LeveeSuspension => "levee_suspension",
            Action::ReleveConsultations => "releve_consultations",
            Action::Activation => "activation",
            Action::PurgeTraces => "purge_traces",
        }
    }
}

impl Resultat {
    pub fn code(self) -> &'static str {
        match self {
            Resultat::Succes => "succes",
            Resultat::EchecIdentifiantInconnu => "echec_identifiant_inconnu",
            Resultat::EchecMotDePasse => "echec_mot_de_passe",
            Resultat::EchecCompteInactif => "echec_compte_inactif",
            Resultat::MotDePasseRefuse => "mot_de_passe_refuse",
            Resultat::RequeteInvalide => "requete_invalide",
            Resultat::NirInvalide => "nir_invalide",
            Resultat::NonHabilite => "non_habilite",
            Resultat::DossierIntrouvable => "dossier_introuvable",
            Resultat::Opposition => "opposition",
            Resultat::HorsPerimetre => "hors_perimetre",
            Resultat::NomDiscordant => "nom_discordant",
            Resultat::ConventionHorsVigueur => "convention_hors_vigueur",
            Resultat::ChangementMotDePasseRequis => "changement_mot_de_passe_requis",
            Resultat::EchecCompteVerrouille => "echec_compte_verrouille",
            Resultat::TropDeTentatives => "trop_de_tentatives",
            Resultat::Verrouillage => "verrouillage",
            Resultat::RoleRequis => "role_requis",
            Resultat::Refuse => "refuse",
            Resultat::TropDeRequetes => "trop_de_requetes",
            Resultat::ReauthentificationRequise => "reauthentification_requise",
            Resultat::EchecCodeTotp => "echec_code_totp",
            Resultat::DoubleFacteurRequis => "double_facteur_requis",
            Resultat::CompteSuspendu => "compte_suspendu",
            Resultat::HorsPlage => "hors_plage",
            Resultat::HorsCirconscription => "hors_circonscription",
            Resultat::SansDroitRsa => "sans_droit_rsa",
            Resultat::LienInvalide => "lien_invalide",
        }
    }
}

/// One trace, as the application hands it to the store. Never holds a password, a session token or a NIR
/// in clear: a NIR that found nothing is recorded as its keyed hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trace {
    pub horodatage: DateTime<Utc>,
    pub caisse: Option<String>,
    /// The identifier as typed for a failed login (bounded in length), the user's identifier otherwise.
    pub utilisateur: Option<String>,
    pub partenaire: Option<String>,
    pub source: String,
    pub action: Action,
    pub bouquet: Option<Bouquet>,
    /// Rubrique codes shown, comma separated.
    pub rubriques: Option<String>,
    pub matricule: Option<String>,
    pub nir_hache: Option<String>,
    pub resultat: Resultat,
}
