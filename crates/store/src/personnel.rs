//! The caisse's staff (SPEC Actors): their accounts and their sessions, kept apart from the partners' agents
//! and their sessions. A staff token is unknown to the partners' session lookup and the other way round, so
//! a staff member can never consult a dossier through a partner bouquet, and an agent never reaches the
//! back office.

use crate::{CaisseId, StoreError, TokenHash};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use partage_domain::personnel::Roles;
use partage_domain::{CaisseCode, Identifiant, Regime};
use std::fmt;

/// A staff member's row id. Only meaningful within one store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PersonnelId(pub i64);

#[derive(Clone, PartialEq, Eq)]
pub struct NewPersonnel {
    pub caisse: CaisseCode,
    pub identifiant: Identifiant,
    pub nom: String,
    pub prenom: String,
    pub email: String,
    pub roles: Roles,
    /// argon2id PHC string of the temporary password.
    pub mot_de_passe_provisoire_hash: String,
}

impl fmt::Debug for NewPersonnel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewPersonnel")
            .field("caisse", &self.caisse)
            .field("identifiant", &self.identifiant)
            .field("roles", &self.roles)
            .finish_non_exhaustive()
    }
}

/// Why a staff account was not created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonnelRefuse {
    CaisseInconnue,
    IdentifiantPris,
}

/// Who a staff member is, as every back-office request needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Personnel {
    pub id: PersonnelId,
    pub caisse_id: CaisseId,
    pub caisse: CaisseCode,
    pub regime: Regime,
    pub identifiant: Identifiant,
    pub nom: String,
    pub prenom: String,
    pub email: String,
    pub roles: Roles,
    pub must_change_password: bool,
    pub active: bool,
}

#[derive(Clone, PartialEq, Eq)]
pub struct PersonnelLogin {
    pub personnel: Personnel,
    pub password_hash: String,
}

impl fmt::Debug for PersonnelLogin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PersonnelLogin")
            .field("personnel", &self.personnel)
            .field("password_hash", &"<redacted>")
            .finish()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonnelSession {
    pub personnel: Personnel,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    /// When the staff member last typed his password in this session: at login, or at a re-authentication.
    pub authentifie_le: DateTime<Utc>,
}

#[async_trait]
pub trait Personnels {
    /// Creates a staff account with a temporary password to change at first login.
    async fn create_personnel(
        &self,
        personnel: &NewPersonnel,
    ) -> Result<Result<PersonnelId, PersonnelRefuse>, StoreError>;

    async fn personnel_login(
        &self,
        caisse: &CaisseCode,
        identifiant: &Identifiant,
    ) -> Result<Option<PersonnelLogin>, StoreError>;

    /// The caisse's staff, by identifiant.
    async fn personnels(&self, caisse: CaisseId) -> Result<Vec<Personnel>, StoreError>;

    async fn create_personnel_session(
        &self,
        token_hash: &TokenHash,
        personnel: PersonnelId,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    async fn personnel_session(&self, token_hash: &TokenHash)
        -> Result<Option<PersonnelSession>, StoreError>;

    /// Sets `last_seen_at` to `at` unless it is already later.
    async fn touch_personnel_session(
        &self,
        token_hash: &TokenHash,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// The staff member typed his password again in this session (before a sensitive act).
    async fn reauthenticate_personnel_session(
        &self,
        token_hash: &TokenHash,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    async fn end_personnel_session(&self, token_hash: &TokenHash) -> Result<(), StoreError>;

    /// Replaces the password and clears "must change"; ends every other session of the staff member.
    async fn change_personnel_password(
        &self,
        personnel: PersonnelId,
        new_hash: &str,
        keep_session: &TokenHash,
    ) -> Result<(), StoreError>;
}

/// A staff row as both backends select it: id, caisse id, caisse code, régime, identifiant, nom, prénom,
/// email, roles (comma-separated codes), must change password, active.
pub type PersonnelRow = (
    i64,
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    bool,
    bool,
);

/// The columns of [`PersonnelRow`], for backends to select in this order from `personnels p JOIN caisses c`.
pub const PERSONNEL_COLUMNS: &str = "p.id, c.id, c.code, c.regime, p.identifiant, p.nom, p.prenom, p.email, \
                                     p.roles, p.must_change_password, p.active";

pub fn personnel(row: PersonnelRow) -> Result<Personnel, StoreError> {
    let (id, caisse_id, code, regime, ident, nom, prenom, email, roles, must_change_password, active) = row;
    Ok(Personnel {
        id: PersonnelId(id),
        caisse_id: CaisseId(caisse_id),
        caisse: CaisseCode::parse(&code).map_err(|e| crate::codec::corrupt("caisses.code", e))?,
        regime: crate::codec::parse_regime(&regime)?,
        identifiant: Identifiant::parse(&ident)
            .map_err(|e| crate::codec::corrupt("personnels.identifiant", e))?,
        nom,
        prenom,
        email,
        roles: Roles::parse(&roles).map_err(|e| crate::codec::corrupt("personnels.roles", e))?,
        must_change_password,
        active,
    })
}
