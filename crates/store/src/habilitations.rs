//! Habilitation requests and what granting them does (SPEC HB-1 to HB-7, HB-10): the request with its whole
//! history, the partner user it creates, changes or removes, the cap of each convention, the reset of lost
//! credentials and the directory of extranautes.
//!
//! Every write that changes a request is a compare-and-swap on its revision (the number of steps of its
//! history), in one transaction with its effect: two caisse agents acting on one request at once cannot
//! both succeed, and a grant is never half-applied. The cap is counted inside the grant's write
//! transaction, so two concurrent grants cannot both take the last slot.

use crate::{CaisseId, StoreError, UserId};
use async_trait::async_trait;
use partage_domain::demande::{AgentDemande, Demande, EtatDemande};
use partage_domain::habilitation::{Administrateur, Gestion};
use partage_domain::{Bouquet, CodeDepartement, Convention, Identifiant, NumeroConvention, NumeroTiers};
use std::fmt;

/// A request's row id, the number the API shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DemandeId(pub i64);

/// Why the partner or convention a request names was not found in the caisse. A convention of another
/// partner is not found either: a request cannot borrow another partner's convention.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CibleInconnue {
    Partenaire,
    Convention,
}

/// A convention of a partner, with its cap and how many habilitations it carries now (HB-7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConventionDuPartenaire {
    pub convention: Convention,
    /// `None`: no cap.
    pub plafond: Option<u32>,
    pub habilitations: u32,
    /// CV-12: the mode the caisse chose; `None`, its régime's default.
    pub gestion: Option<Gestion>,
    /// TEN-3, CV-7: the départements the convention narrows its access to; empty: not narrowed.
    pub departements: Vec<partage_domain::CodeDepartement>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NouvelleDemande {
    pub caisse: CaisseId,
    pub partenaire: NumeroTiers,
    pub convention: NumeroConvention,
    pub bouquet: Bouquet,
    /// The agent a modification or suppression is about; `None` for an access request.
    pub utilisateur: Option<Identifiant>,
    /// The caisse agent who recorded the partner's signed form.
    pub saisie_par: String,
    pub demande: Demande,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemandeEnregistree {
    pub id: DemandeId,
    pub partenaire: NumeroTiers,
    pub convention: NumeroConvention,
    pub bouquet: Bouquet,
    /// The agent concerned: named by the request, or produced by the grant of an access request.
    pub utilisateur: Option<Identifiant>,
    pub saisie_par: String,
    pub demande: Demande,
    /// The number of steps of the history: what a write must find to apply.
    pub revision: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FiltreDemandes {
    pub etat: Option<EtatDemande>,
    pub partenaire: Option<NumeroTiers>,
}

/// What carrying out a granted request changes, besides the request itself.
#[derive(Clone, PartialEq, Eq)]
pub enum Effet {
    /// A new partner user with the habilitation; his identifier is made from his names, unique in the
    /// caisse, and he must change the temporary password at first login (AU-2).
    Acces {
        agent: AgentDemande,
        profil: Option<String>,
        /// argon2id PHC string of the temporary password.
        mot_de_passe_provisoire_hash: String,
    },
    /// The agent's fields and his profile on this habilitation.
    Modification {
        agent: AgentDemande,
        profil: Option<String>,
    },
    /// The habilitation goes; the user is deactivated when he has none left, and every session of his
    /// ends at once.
    Suppression,
    /// HB-9: the habilitation stays held (it still counts toward the cap, HB-7) but grants nothing until
    /// reactivated: the perimeter skips it at once. The agent's sessions go on (other habilitations may
    /// remain); a consultation through this one is refused as if he had none.
    Suspension,
    /// HB-9: a suspended habilitation grants again.
    Reactivation,
}

impl fmt::Debug for Effet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Effet::Acces { agent, profil, .. } => f
                .debug_struct("Acces")
                .field("agent", agent)
                .field("profil", profil)
                .finish_non_exhaustive(),
            Effet::Modification { agent, profil } => f
                .debug_struct("Modification")
                .field("agent", agent)
                .field("profil", profil)
                .finish(),
            Effet::Suppression => f.write_str("Suppression"),
            Effet::Suspension => f.write_str("Suspension"),
            Effet::Reactivation => f.write_str("Reactivation"),
        }
    }
}

/// What a grant did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Accord {
    Cree(Identifiant),
    Modifie(Identifiant),
    Supprime {
        identifiant: Identifiant,
        /// No habilitation left: the user can no longer log in.
        desactive: bool,
        sessions_fermees: u64,
    },
    /// HB-9: the habilitation is suspended, or active again.
    Suspendu(Identifiant),
    Reactive(Identifiant),
}

impl Accord {
    /// The agent the act created or concerned.
    pub fn identifiant(&self) -> &Identifiant {
        match self {
            Accord::Cree(i) | Accord::Modifie(i) | Accord::Suspendu(i) | Accord::Reactive(i) => i,
            Accord::Supprime { identifiant, .. } => identifiant,
        }
    }
}

/// Why a grant wrote nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccordRefuse {
    /// HB-7: the convention already carries its cap.
    PlafondAtteint(u32),
    /// The request names no user of this partner.
    UtilisateurInconnu,
    /// The user holds no habilitation on this convention and bouquet to change or remove.
    HabilitationAbsente,
    /// Someone else moved the request first.
    Concurrence,
    /// HB-9: a delegated administrator's act names a partner or convention that is not his.
    Cible(CibleInconnue),
    /// HB-9: an administrator's habilitations are the caisse's to change, never another administrator's.
    Administrateur,
    /// HB-9: suspending an habilitation already suspended.
    DejaSuspendue,
    /// HB-9: reactivating an habilitation that is not suspended.
    NonSuspendue,
}

/// What designating an administrator did (HB-9).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Designation {
    Faite,
    /// The caisse has no such user.
    UtilisateurInconnu,
    /// Another user of the same partner already holds this role.
    RoleDejaTenu(Identifiant),
}

/// One habilitated agent in the directory of extranautes (HB-2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extranaute {
    pub partenaire: NumeroTiers,
    pub nom_partenaire: String,
    pub departements: Vec<CodeDepartement>,
    pub convention: NumeroConvention,
    pub identifiant: Identifiant,
    pub civilite: String,
    pub nom: String,
    pub prenom: String,
    pub email: String,
    pub service: Option<String>,
    pub fonction: Option<String>,
    pub profil: Option<String>,
    pub actif: bool,
    /// HB-9: held but suspended by the partner's administrator: it grants nothing until reactivated.
    pub suspendue: bool,
}

#[async_trait]
pub trait Habilitations {
    /// The convention `numero` of partner `partenaire` in the caisse, with its cap and count.
    async fn convention_du_partenaire(
        &self,
        caisse: CaisseId,
        partenaire: &NumeroTiers,
        numero: &NumeroConvention,
    ) -> Result<Result<ConventionDuPartenaire, CibleInconnue>, StoreError>;

    async fn create_demande(
        &self,
        demande: &NouvelleDemande,
    ) -> Result<Result<DemandeId, CibleInconnue>, StoreError>;

    /// A request of the caisse; another caisse's is not found (TEN-1).
    async fn demande(
        &self,
        caisse: CaisseId,
        id: DemandeId,
    ) -> Result<Option<DemandeEnregistree>, StoreError>;

    /// The caisse's requests, newest first.
    async fn demandes(
        &self,
        caisse: CaisseId,
        filtre: &FiltreDemandes,
    ) -> Result<Vec<DemandeEnregistree>, StoreError>;

    /// Writes the request's new state and history if it is still at `revision`; `false`, nothing
    /// written, if someone else moved it first.
    async fn record_demande(
        &self,
        caisse: CaisseId,
        id: DemandeId,
        revision: i64,
        demande: &Demande,
    ) -> Result<bool, StoreError>;

    /// Writes the granted and done request and applies its effect, in one transaction, if the request is
    /// still at `revision` and the effect is possible; otherwise writes nothing and says why.
    async fn accorder_demande(
        &self,
        caisse: CaisseId,
        id: DemandeId,
        revision: i64,
        demande: &Demande,
        effet: &Effet,
    ) -> Result<Result<Accord, AccordRefuse>, StoreError>;

    /// Sets or removes a convention's cap (HB-7); `false` if the caisse has no such convention.
    async fn set_plafond(
        &self,
        caisse: CaisseId,
        numero: &NumeroConvention,
        plafond: Option<u32>,
    ) -> Result<bool, StoreError>;

    /// HB-6: replaces the password hash at once, requires a change at next login and ends every session
    /// of the user, in one transaction. `None` if the caisse has no such user; otherwise how many
    /// sessions ended, and his partner.
    async fn reinitialiser_mot_de_passe(
        &self,
        caisse: CaisseId,
        identifiant: &Identifiant,
        mot_de_passe_provisoire_hash: &str,
    ) -> Result<Option<(u64, NumeroTiers)>, StoreError>;

    /// HB-9: an habilitation created, changed or removed directly by the partner's administrator, in one
    /// transaction, on `partenaire`'s convention; an administrator's own habilitations are refused.
    async fn appliquer_habilitation(
        &self,
        caisse: CaisseId,
        partenaire: &NumeroTiers,
        numero: &NumeroConvention,
        bouquet: Bouquet,
        utilisateur: Option<&Identifiant>,
        effet: &Effet,
    ) -> Result<Result<Accord, AccordRefuse>, StoreError>;

    /// CV-12: sets the convention's mode (`None`: the régime's default); `false` if the caisse has none such.
    async fn set_gestion(
        &self,
        caisse: CaisseId,
        numero: &NumeroConvention,
        gestion: Option<Gestion>,
    ) -> Result<bool, StoreError>;

    /// HB-9: makes a partner user his organisation's administrator, or an agent again (`None`). A partner has
    /// one gestionnaire principal and one suppléant (003:9.1): the role held by another of its users is
    /// refused, naming him, and nothing changes.
    async fn set_administrateur(
        &self,
        caisse: CaisseId,
        identifiant: &Identifiant,
        role: Option<Administrateur>,
    ) -> Result<Designation, StoreError>;

    /// HB-9: whether the user is his organisation's administrator.
    async fn administrateur(&self, user: UserId) -> Result<Option<Administrateur>, StoreError>;

    /// HB-2: the caisse's agents habilitated to `bouquet`, by partner then identifiant.
    async fn extranautes(&self, caisse: CaisseId, bouquet: Bouquet) -> Result<Vec<Extranaute>, StoreError>;
}

/// The longest run of taken identifiers tried before giving up (`cmartin`, `cmartin2` … `cmartin999`).
pub const RANGS_IDENTIFIANT: u32 = 999;

/// The first identifier made from the agent's names that `pris` does not hold.
pub fn identifiant_libre(agent: &AgentDemande, pris: &[String]) -> Result<Identifiant, StoreError> {
    (1..=RANGS_IDENTIFIANT)
        .filter_map(|rang| partage_domain::habilitation::identifiant_propose(&agent.prenom, &agent.nom, rang))
        .find(|id| !pris.iter().any(|p| p == id.as_str()))
        .ok_or_else(|| StoreError::Backend("aucun identifiant libre pour cet agent".into()))
}

/// The columns both backends select for a request, in this order, from `demandes_habilitation d JOIN
/// partenaires p JOIN conventions c`.
pub const DEMANDE_COLUMNS: &str =
    "d.id, p.numero_tiers, c.numero, d.bouquet, d.utilisateur, d.saisie_par, d.demande, d.revision";

pub type DemandeRow = (i64, String, String, String, Option<String>, String, String, i64);

pub fn demande_enregistree(row: DemandeRow) -> Result<DemandeEnregistree, StoreError> {
    let (id, tiers, numero, bouquet, utilisateur, saisie_par, demande, revision) = row;
    Ok(DemandeEnregistree {
        id: DemandeId(id),
        partenaire: crate::codec::numero_tiers(&tiers)?,
        convention: NumeroConvention::parse(&numero)
            .map_err(|e| crate::codec::corrupt("conventions.numero", e))?,
        bouquet: crate::codec::parse_bouquet("demandes_habilitation.bouquet", &bouquet)?,
        utilisateur: utilisateur
            .as_deref()
            .map(crate::codec::identifiant)
            .transpose()?,
        saisie_par,
        demande: crate::codec::parse_json("demandes_habilitation.demande", &demande)?,
        revision,
    })
}

/// The state code stored beside the request, so lists filter without reading every history.
pub fn etat_code(etat: EtatDemande) -> &'static str {
    match etat {
        EtatDemande::Brouillon => "brouillon",
        EtatDemande::Soumise => "soumise",
        EtatDemande::ACompleter => "a_completer",
        EtatDemande::Accordee => "accordee",
        EtatDemande::Refusee => "refusee",
        EtatDemande::Faite => "faite",
    }
}

/// Serialises a request for its JSON column.
pub fn demande_json(demande: &Demande) -> Result<String, StoreError> {
    serde_json::to_string(demande).map_err(|e| StoreError::Backend(format!("demande illisible : {e}")))
}

/// The nature's code stored beside the request.
pub fn nature_code(demande: &Demande) -> &'static str {
    match demande.nature() {
        partage_domain::demande::NatureDemande::Acces => "acces",
        partage_domain::demande::NatureDemande::Modification => "modification",
        partage_domain::demande::NatureDemande::Suppression => "suppression",
    }
}

/// An extranaute row as both backends select it, départements apart (each backend stores that list its
/// own way): numéro tiers, partner's name, départements, convention, identifiant, civilité, nom, prénom,
/// email, service, fonction, profil, active, habilitation suspended.
pub type ExtranauteRow<D> = (
    String,
    String,
    D,
    String,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    bool,
    bool,
);

pub fn extranaute<D>(
    row: ExtranauteRow<D>,
    departements: Vec<CodeDepartement>,
) -> Result<Extranaute, StoreError> {
    let (
        tiers,
        nom_partenaire,
        _,
        numero,
        ident,
        civilite,
        nom,
        prenom,
        email,
        service,
        fonction,
        profil,
        actif,
        suspendue,
    ) = row;
    Ok(Extranaute {
        partenaire: crate::codec::numero_tiers(&tiers)?,
        nom_partenaire,
        departements,
        convention: NumeroConvention::parse(&numero)
            .map_err(|e| crate::codec::corrupt("conventions.numero", e))?,
        identifiant: crate::codec::identifiant(&ident)?,
        civilite,
        nom,
        prenom,
        email,
        service,
        fonction,
        profil,
        actif,
        suspendue,
    })
}

pub fn parse_gestion(code: Option<&str>) -> Result<Option<Gestion>, StoreError> {
    code.map(|c| Gestion::parse(c).ok_or_else(|| crate::codec::corrupt("conventions.gestion", c)))
        .transpose()
}

pub fn parse_administrateur(code: Option<&str>) -> Result<Option<Administrateur>, StoreError> {
    code.map(|c| {
        Administrateur::parse(c).ok_or_else(|| crate::codec::corrupt("utilisateurs.administrateur", c))
    })
    .transpose()
}
