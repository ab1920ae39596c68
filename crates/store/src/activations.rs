//! Activation links (SPEC HB-3, HB-6): the store keeps only the SHA-256 of a link's secret, with its user,
//! when it was issued, until when it is good and when it was used. A new link of a user supersedes his
//! earlier unused ones, and so does a reset of his credentials; using a link sets the user's password in the
//! same transaction that marks it used, so a link opens at most one password change.

use crate::{CaisseId, StoreError, TokenHash, UserId};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use partage_domain::{CaisseCode, Identifiant};

/// A link to record: the hash of its secret and its validity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NouvelleActivation {
    pub token_hash: TokenHash,
    pub cree_le: DateTime<Utc>,
    pub expire_le: DateTime<Utc>,
}

/// Whom a link was made for: what the message to him needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destinataire {
    pub user: UserId,
    pub identifiant: Identifiant,
    pub civilite: String,
    pub nom: String,
    pub prenom: String,
    pub email: String,
}

/// A link that is still good: its user, with his caisse so that his login can be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivationValide {
    pub user: UserId,
    pub caisse_id: CaisseId,
    pub caisse: CaisseCode,
    pub identifiant: Identifiant,
}

#[async_trait]
pub trait Activations {
    /// Records a link for the user `identifiant` of the caisse, deleting his earlier unused links. `None`,
    /// and nothing written, for an unknown user.
    async fn creer_activation(
        &self,
        caisse: CaisseId,
        identifiant: &Identifiant,
        activation: &NouvelleActivation,
    ) -> Result<Option<Destinataire>, StoreError>;

    /// The link's user if the link exists, is unused and is not expired at `maintenant`. Reads only.
    async fn activation(
        &self,
        token_hash: &TokenHash,
        maintenant: DateTime<Utc>,
    ) -> Result<Option<ActivationValide>, StoreError>;

    /// Uses the link: in one transaction, marks it used if it exists, is unused and not expired, and then
    /// sets the user's password (no longer temporary). Returns the user, or `None` with nothing changed.
    async fn activer(
        &self,
        token_hash: &TokenHash,
        maintenant: DateTime<Utc>,
        password_hash: &str,
    ) -> Result<Option<UserId>, StoreError>;
}
