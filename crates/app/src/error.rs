//! The errors a use case answers, each with a stable code for programs and a French message for people.
//! The web layer maps them to statuses; nothing here says how they are shown.

use partage_store::{ImportError, LineError, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    RequeteInvalide(String),
    #[error("NIR invalide : {0}")]
    NirInvalide(String),
    /// Unknown caisse, unknown identifier, wrong password, disabled account, unknown token: one answer.
    #[error("identifiant ou mot de passe incorrect, ou session inconnue")]
    NonAuthentifie,
    #[error("votre session a expiré après une période d'inactivité : veuillez vous reconnecter")]
    SessionExpiree,
    #[error("vous devez remplacer votre mot de passe provisoire avant toute autre action")]
    ChangementMotDePasseRequis,
    #[error("mot de passe refusé : {0}")]
    MotDePasseRefuse(String),
    /// Too many attempts too close together (login failures of an account or a source address, or
    /// consultations of a user): retry after this many seconds.
    #[error("trop de tentatives rapprochées : réessayez dans {secondes} seconde(s)")]
    TropDeRequetes { secondes: u64 },
    #[error("vous n'êtes pas habilité à ce service")]
    NonHabilite,
    #[error("ce dossier fait l'objet d'une opposition à la consultation par les partenaires")]
    Opposition,
    #[error("aucun dossier ne correspond à votre recherche")]
    DossierIntrouvable,
    /// CO-2: a PSU search names the dossier (NIR or matricule) and the allocataire; one alone finds nothing.
    #[error("la recherche demande le NIR (ou le matricule) et le nom de l'allocataire : l'un sans l'autre ne trouve aucun dossier")]
    RechercheIncomplete,
    /// 001:4-3: the matricule search of the caisse's own dossiers; a member of another caisse needs a
    /// convention with that caisse.
    #[error("aucun dossier de votre caisse ne correspond à ce matricule et à ce nom ; pour un adhérent d'une autre caisse, une convention avec cette caisse est nécessaire")]
    MatriculeIntrouvable,
    /// A staff member without the role the act needs (SPEC Actors).
    #[error("cette action est réservée au rôle « {} » ({})", .0.code(), .0.libelle())]
    RoleRequis(partage_domain::personnel::Role),
    /// A sensitive staff act (grant, suspension, lifting, removal, staff creation) needs the password typed
    /// within the last minutes (AU-4).
    #[error("cette action sensible demande de confirmer votre mot de passe (saisi il y a plus de {minutes} minutes) : confirmez-le, puis recommencez")]
    ReauthentificationRequise { minutes: i64 },
    /// The password typed to confirm a sensitive act is wrong.
    #[error("mot de passe incorrect : votre identité n'est pas confirmée")]
    ReauthentificationRefusee,
    /// The caisse requires a second factor of its staff and this member has none active yet.
    #[error("votre caisse exige un second facteur : associez d'abord une application d'authentification à votre compte")]
    DoubleFacteurRequis,
    /// The one-time code does not confirm the pending second factor.
    #[error("code incorrect ou expiré : saisissez le code que votre application affiche maintenant")]
    CodeTotpRefuse,
    /// CO-7: the bouquet is closed at this hour; it reopens in `secondes`.
    #[error("le service « {service} » est ouvert {plage} (heure de Paris), 7 jours sur 7 : il est fermé maintenant et rouvrira à {rouvre}")]
    ServiceFerme {
        service: &'static str,
        plage: String,
        rouvre: String,
        secondes: u64,
    },
    /// CO-7: an opening window the conventions do not allow (narrower than 5 h–23 h) or unreadable; nothing
    /// was written.
    #[error("{0}")]
    PlageInvalide(String),
    /// A PSU barème period refused by its rules (floor above ceiling, overlapping periods, unreadable
    /// field), each fault as `champ : raison`; nothing was written.
    #[error("{0}")]
    BaremeRefuse(String),
    #[error("{0}")]
    DejaExistant(String),
    #[error("{0}")]
    Introuvable(String),
    /// The convention's rules refuse this transition now; nothing was written.
    #[error("{0}")]
    TransitionRefusee(String),
    /// CV-7: an avenant its rules refuse (a signature missing or in the future, nothing changed).
    #[error("{0}")]
    AvenantRefuse(String),
    #[error("import refusé : {} ligne(s) en erreur, aucune donnée n'a été modifiée", .0.len())]
    ImportRefuse(Vec<LineError>),
    /// An inclusion or consistency proof that the log cannot give (TR-2).
    #[error("preuve indisponible : {0}")]
    PreuveIndisponible(String),
    /// SU-2: the right password, but the user or his partner is suspended by the caisse.
    #[error("votre compte est suspendu par la caisse{0} : contactez votre caisse")]
    CompteSuspendu(String),
    /// An habilitation request or grant refused by its rules (HB-1 to HB-7); nothing was written.
    #[error(transparent)]
    Habilitation(crate::habilitations::RefusHabilitation),
    /// A partner's fiche refused (SPEC TEN, 002 art. 1), every field at fault with its reason; nothing was
    /// written.
    #[error("fiche du partenaire refusée : {}", .0.iter().map(|e| format!("{} : {}", e.champ, e.message)).collect::<Vec<_>>().join(" ; "))]
    FicheRefusee(Vec<partage_domain::partenaire::ChampRefuse>),
    /// HB-3, HB-6: an unknown, used, superseded or expired activation link: one answer for all four.
    #[error(transparent)]
    LienInvalide(#[from] partage_domain::activation::LienInvalide),
    /// HB-3: the link is good but its agent was deactivated or suspended since it was sent.
    #[error("ce compte est désactivé ou suspendu : le lien d'activation ne peut pas servir. Contactez votre caisse")]
    AgentDesactive,
    /// A failure of partage itself; the cause is logged, never shown.
    #[error("erreur interne : veuillez réessayer ou contacter votre caisse")]
    Interne(String),
}

impl AppError {
    pub fn code(&self) -> &'static str {
        match self {
            AppError::RequeteInvalide(_) => "requete_invalide",
            AppError::NirInvalide(_) => "nir_invalide",
            AppError::NonAuthentifie => "non_authentifie",
            AppError::SessionExpiree => "session_expiree",
            AppError::ChangementMotDePasseRequis => "changement_mot_de_passe_requis",
            AppError::MotDePasseRefuse(_) => "mot_de_passe_refuse",
            AppError::TropDeRequetes { .. } => "trop_de_requetes",
            AppError::NonHabilite => "non_habilite",
            AppError::Opposition => "opposition",
            AppError::DossierIntrouvable => "dossier_introuvable",
            AppError::RechercheIncomplete => "recherche_incomplete",
            AppError::MatriculeIntrouvable => "matricule_introuvable",
            AppError::ImportRefuse(_) => "import_refuse",
            AppError::RoleRequis(_) => "role_requis",
            AppError::ReauthentificationRequise { .. } => "reauthentification_requise",
            AppError::ReauthentificationRefusee => "reauthentification_refusee",
            AppError::DoubleFacteurRequis => "double_facteur_requis",
            AppError::CodeTotpRefuse => "code_totp_refuse",
            AppError::ServiceFerme { .. } => "service_ferme",
            AppError::PlageInvalide(_) => "plage_invalide",
            AppError::BaremeRefuse(_) => "bareme_refuse",
            AppError::DejaExistant(_) => "deja_existant",
            AppError::Introuvable(_) => "introuvable",
            AppError::TransitionRefusee(_) => "transition_refusee",
            AppError::AvenantRefuse(_) => "avenant_refuse",
            AppError::PreuveIndisponible(_) => "preuve_indisponible",
            AppError::CompteSuspendu(_) => "compte_suspendu",
            AppError::Habilitation(e) => e.code(),
            AppError::FicheRefusee(_) => "fiche_refusee",
            AppError::LienInvalide(_) => "lien_invalide",
            AppError::AgentDesactive => "agent_desactive",
            AppError::Interne(_) => "erreur_interne",
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        AppError::Interne(e.to_string())
    }
}

impl From<crate::journal::JournalError> for AppError {
    fn from(e: crate::journal::JournalError) -> Self {
        AppError::Interne(e.to_string())
    }
}

impl From<ImportError> for AppError {
    fn from(e: ImportError) -> Self {
        match e {
            ImportError::Refused(lines) => AppError::ImportRefuse(lines),
            ImportError::Store(e) => e.into(),
        }
    }
}
