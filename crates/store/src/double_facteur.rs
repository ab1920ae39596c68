//! The second factor (issue "security", part 5): one TOTP secret per staff member or partner user, pending
//! until a first code confirms it, and the caisse's choice to require it of its staff and of its partners'
//! administrators. The step of the last accepted
//! code is kept so that no code opens two sessions; moving it forward is atomic, so two requests racing
//! with the same code cannot both pass.

use crate::personnel::PersonnelId;
use crate::{CaisseId, StoreError, UserId};
use async_trait::async_trait;
use std::fmt;

#[derive(Clone, PartialEq, Eq)]
pub struct SecondFactor {
    /// The shared secret (20 bytes).
    pub secret: Vec<u8>,
    /// Confirmed by a first code: from then on every login needs a code.
    pub active: bool,
    /// The step of the last code accepted, if any.
    pub last_step: Option<i64>,
}

impl fmt::Debug for SecondFactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecondFactor")
            .field("secret", &"<secret>")
            .field("active", &self.active)
            .field("last_step", &self.last_step)
            .finish()
    }
}

/// Whose factor: a caisse staff member's or a partner user's (kept in separate tables, as their accounts are).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Titulaire {
    Personnel(PersonnelId),
    Utilisateur(UserId),
}

impl Titulaire {
    /// The table, its key column and the key. Constants only: safe to put in SQL text.
    pub fn table(self) -> (&'static str, &'static str, i64) {
        match self {
            Titulaire::Personnel(p) => ("double_facteur_personnels", "personnel_id", p.0),
            Titulaire::Utilisateur(u) => ("double_facteur_utilisateurs", "utilisateur_id", u.0),
        }
    }
}

/// Of whom a caisse may require a second factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exigence {
    /// Its own staff.
    Personnel,
    /// Its partners' administrators (gestion déléguée, HB-9).
    AdministrateursPartenaires,
}

impl Exigence {
    /// The column of `caisses` that holds the choice. A constant: safe to put in SQL text.
    pub fn colonne(self) -> &'static str {
        match self {
            Exigence::Personnel => "double_facteur_personnel",
            Exigence::AdministrateursPartenaires => "double_facteur_administrateurs",
        }
    }
}

#[async_trait]
pub trait SecondFactors {
    async fn second_factor(&self, titulaire: Titulaire) -> Result<Option<SecondFactor>, StoreError>;

    /// Records a new pending secret, replacing a pending one. Returns false, changing nothing, when an
    /// active one exists: replacing it needs an admin (a stolen session must not move the factor).
    async fn enrol_second_factor(&self, titulaire: Titulaire, secret: &[u8]) -> Result<bool, StoreError>;

    /// Activates the pending secret with the step of the code that confirmed it. False when none is pending.
    async fn activate_second_factor(&self, titulaire: Titulaire, step: i64) -> Result<bool, StoreError>;

    /// Spends a step: true, and the step kept, only if it is later than the last one spent.
    async fn spend_totp_step(&self, titulaire: Titulaire, step: i64) -> Result<bool, StoreError>;

    /// The caisse removes a factor (lost phone); its holder enrols again.
    async fn remove_second_factor(&self, titulaire: Titulaire) -> Result<bool, StoreError>;

    /// Whether the caisse requires a second factor of its staff, or of its partners' administrators.
    async fn second_factor_required(&self, caisse: CaisseId, de: Exigence) -> Result<bool, StoreError>;

    async fn set_second_factor_required(
        &self,
        caisse: CaisseId,
        de: Exigence,
        required: bool,
    ) -> Result<(), StoreError>;
}
