//! The caisse staff's second factor (issue "security", part 5): one TOTP secret per staff member, pending
//! until a first code confirms it, and the caisse's choice to require it. The step of the last accepted
//! code is kept so that no code opens two sessions; moving it forward is atomic, so two requests racing
//! with the same code cannot both pass.

use crate::personnel::PersonnelId;
use crate::{CaisseId, StoreError};
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

#[async_trait]
pub trait SecondFactors {
    async fn second_factor(&self, personnel: PersonnelId) -> Result<Option<SecondFactor>, StoreError>;

    /// Records a new pending secret, replacing a pending one. Returns false, changing nothing, when an
    /// active one exists: replacing it needs an admin (a stolen session must not move the factor).
    async fn enrol_second_factor(&self, personnel: PersonnelId, secret: &[u8]) -> Result<bool, StoreError>;

    /// Activates the pending secret with the step of the code that confirmed it. False when none is pending.
    async fn activate_second_factor(&self, personnel: PersonnelId, step: i64) -> Result<bool, StoreError>;

    /// Spends a step: true, and the step kept, only if it is later than the last one spent.
    async fn spend_totp_step(&self, personnel: PersonnelId, step: i64) -> Result<bool, StoreError>;

    /// An admin removes a staff member's factor (lost phone); he enrols again at his next login.
    async fn remove_second_factor(&self, personnel: PersonnelId) -> Result<bool, StoreError>;

    /// Whether the caisse requires a second factor of its staff.
    async fn second_factor_required(&self, caisse: CaisseId) -> Result<bool, StoreError>;

    async fn set_second_factor_required(&self, caisse: CaisseId, required: bool) -> Result<(), StoreError>;
}
