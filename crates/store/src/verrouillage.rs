//! Failed-login counters (AU-1, lock-out): kept in the store so that every server of a deployment counts the
//! same failures. The rules (delays, thresholds) are the domain's `verrouillage::Politique`; the store only
//! applies a failure atomically, so two servers counting at once never lose one.

use crate::StoreError;
use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use partage_domain::verrouillage::{CleConnexion, Echecs};

#[async_trait]
pub trait LoginThrottle {
    /// The failures counted under a key, if any.
    async fn login_failures(&self, key: &CleConnexion) -> Result<Option<Echecs>, StoreError>;

    /// Counts one failure at `at`, in one atomic statement: a failure more than `run_gap` after the previous
    /// one starts a new run at 1; the failure that brings the run to `lock_at` (when given) locks the key
    /// until [`clear_login_failures`](LoginThrottle::clear_login_failures). A lock is never lifted here.
    async fn record_login_failure(
        &self,
        key: &CleConnexion,
        at: DateTime<Utc>,
        run_gap: Duration,
        lock_at: Option<u32>,
    ) -> Result<Echecs, StoreError>;

    /// Forgets the failures of a key (after a successful login, or a caisse agent's unlock), handing back
    /// what was counted.
    async fn clear_login_failures(&self, key: &CleConnexion) -> Result<Option<Echecs>, StoreError>;
}
