//! HB-8 (002:4): an agent with no login for nine full months may be deactivated. The store lists the active
//! agents whose last login — or, for one who never logged in, the creation of his account — is older than
//! a limit, and deactivates one, ending his sessions with it.

use crate::{StoreError, UserId};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// An active agent without a recent login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dormant {
    pub user: UserId,
    pub caisse: String,
    pub identifiant: String,
    pub partenaire: String,
    pub derniere_connexion: Option<DateTime<Utc>>,
    pub cree_le: DateTime<Utc>,
}

#[async_trait]
pub trait Dormants {
    /// Active agents whose last login (or creation, if they never logged in) is at or before `limite`.
    async fn dormants(&self, limite: DateTime<Utc>) -> Result<Vec<Dormant>, StoreError>;

    /// Deactivates the agent and ends his sessions, in one transaction. False when he was no longer active.
    async fn deactivate_user(&self, user: UserId) -> Result<bool, StoreError>;
}
