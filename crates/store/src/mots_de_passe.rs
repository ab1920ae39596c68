//! What the password policy needs from the store (AU-1): the user's own words (a password must not rest on
//! them), the hashes of his previous passwords (no reuse of the last five), and a way to force a change (a
//! password that became listed as common). Previous hashes are kept by the database itself, by a trigger on
//! every change of `password_hash`, so no path that changes a password can forget them.

use crate::{StoreError, UserId};
use async_trait::async_trait;

#[async_trait]
pub trait PasswordPolicyStore {
    /// Identifier, name, first name, email, partner's name, caisse's code and name; empty for an unknown user.
    async fn password_context(&self, user: UserId) -> Result<Vec<String>, StoreError>;

    /// The hashes of the user's previous passwords, newest first, at most `limit` (the store keeps five).
    async fn previous_password_hashes(&self, user: UserId, limit: u32) -> Result<Vec<String>, StoreError>;

    /// The user must change his password before anything else (AU-2), in every session he holds.
    async fn require_password_change(&self, user: UserId) -> Result<(), StoreError>;
}
