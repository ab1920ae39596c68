//! Retention of traces (issue #6, part 9): past the retention period, a trace's personal content (who,
//! dossier, NIR hash, source address, rubriques or detail) is blanked, but its row, instant, caisse,
//! partner, action, bouquet and result stay, with the leaf hash it had in the verifiable log and the instant
//! of the purge. Verification uses the kept hash for such a row, and refuses one purged too young or not
//! covered by a checkpoint (`partage_domain::trace_log::check_purges`).

use crate::{StoreError, StoredTrace};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use partage_domain::merkle::Hash;
use partage_domain::trace::Trace;

/// What the purge left of a trace besides its kept columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Purge {
    pub purgee_le: DateTime<Utc>,
    /// The leaf hash of the trace as it was before the purge.
    pub feuille: Hash,
}

/// The value a purged trace's `source` (a NOT NULL column) holds.
pub const SOURCE_PURGEE: &str = "";

/// A trace as the purge leaves it: the personal fields blanked, the rest kept.
pub fn blanked(trace: &Trace) -> Trace {
    Trace {
        utilisateur: None,
        source: SOURCE_PURGEE.to_owned(),
        rubriques: None,
        matricule: None,
        nir_hache: None,
        ..trace.clone()
    }
}

#[async_trait]
pub trait TracePurge {
    /// Traces not purged yet, stamped before `avant`, with an id at most `jusqu_a_id`, in id order, at most
    /// `limit`.
    async fn traces_to_purge(
        &self,
        avant: DateTime<Utc>,
        jusqu_a_id: i64,
        limit: u32,
    ) -> Result<Vec<StoredTrace>, StoreError>;

    /// Blanks each trace (by id) keeping the given leaf hash, at `at`, in one transaction. A trace already
    /// purged (another process got there first) is left as it is. Returns how many were purged.
    async fn purge_traces(&self, feuilles: &[(i64, Hash)], at: DateTime<Utc>) -> Result<u64, StoreError>;
}

/// What one purge run did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PurgeOutcome {
    pub purgees: u64,
    /// Traces stamped before this instant were purged (if a checkpoint covered them).
    pub avant: DateTime<Utc>,
}

const PAGE: u32 = 1_000;

/// Purges every trace stamped before `avant` that a signed checkpoint covers, page by page (one transaction
/// per page). A trace no checkpoint covers yet is left for a later run: its hash would be vouched for by
/// nothing. The leaf kept is recomputed from the content as it is now, never read from the recorded leaves:
/// a trace altered before its purge stays detected.
pub async fn purge_before(
    store: &dyn crate::Store,
    avant: DateTime<Utc>,
    at: DateTime<Utc>,
) -> Result<PurgeOutcome, StoreError> {
    let mut purgees = 0;
    let Some(latest) = store.latest_checkpoint().await? else {
        return Ok(PurgeOutcome { purgees, avant });
    };
    let jusqu_a_id = latest.checkpoint.dernier_trace_id;
    loop {
        let page = store.traces_to_purge(avant, jusqu_a_id, PAGE).await?;
        if page.is_empty() {
            break;
        }
        let feuilles: Vec<(i64, Hash)> = page.iter().map(|t| (t.id, t.leaf_hash())).collect();
        let done = store.purge_traces(&feuilles, at).await?;
        // Rows another process purged meanwhile are not counted; the next page starts after them anyway.
        purgees += done;
    }
    Ok(PurgeOutcome { purgees, avant })
}
