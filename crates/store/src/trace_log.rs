//! The verifiable trace log's storage (TR-2, BY-2): the leaf hash of each trace, recorded when a checkpoint
//! covers it, and the signed checkpoints. Both tables are append-only, like the traces.

use crate::StoreError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use ed25519_dalek::{SigningKey, VerifyingKey};
use partage_domain::merkle::{self, Frontier, Hash};
use partage_domain::trace_log::{
    audit, check_purges, AuditSummary, Checkpoint, Finding, Leaf, PurgedLeaf, SignedCheckpoint,
};

/// The leaf of one trace at its position in the log (0 for the first trace).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeafRecord {
    pub position: u64,
    pub trace_id: i64,
    pub hash: Hash,
}

/// A checkpoint to store, with what the next checkpoint starts from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCheckpoint {
    pub signed: SignedCheckpoint,
    /// The id of the last trace the checkpoint covers (0 for an empty log).
    pub dernier_trace_id: i64,
    /// The right edge of the tree of `signed.checkpoint.taille` leaves.
    pub frontiere: Frontier,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckpointRecord {
    pub id: i64,
    pub checkpoint: NewCheckpoint,
}

#[async_trait]
pub trait TraceLog {
    /// Records the leaves of the traces a new checkpoint covers, and the checkpoint, in one transaction.
    /// `leaves` must start at the position the log has reached (the previous checkpoint's size) and be
    /// consecutive: anything else (a concurrent checkpoint got there first) is refused and nothing is written.
    async fn append_checkpoint(
        &self,
        leaves: &[LeafRecord],
        checkpoint: &NewCheckpoint,
    ) -> Result<i64, StoreError>;

    /// The most recent checkpoint.
    async fn latest_checkpoint(&self) -> Result<Option<CheckpointRecord>, StoreError>;

    /// Every checkpoint, in the order they were made.
    async fn checkpoints(&self) -> Result<Vec<CheckpointRecord>, StoreError>;

    /// Recorded leaves from `from` (inclusive) in position order, at most `limit`.
    async fn leaves(&self, from: u64, limit: u32) -> Result<Vec<LeafRecord>, StoreError>;

    /// The recorded leaf of a trace, if a checkpoint covers it.
    async fn leaf_of_trace(&self, trace_id: i64) -> Result<Option<LeafRecord>, StoreError>;
}

/// Checks that leaves start at `reached` and are consecutive; the backends call it inside their transaction.
pub fn check_consecutive(reached: u64, leaves: &[LeafRecord]) -> Result<(), StoreError> {
    for (i, leaf) in leaves.iter().enumerate() {
        if leaf.position != reached + i as u64 {
            return Err(StoreError::Backend(format!(
                "le journal des traces a atteint la position {reached} : feuille {} refusée (un autre point \
                 de contrôle a été fait entre-temps)",
                leaf.position
            )));
        }
    }
    Ok(())
}

/// A frontier read back from a stored checkpoint: 32-byte nodes laid end to end.
fn frontier_from_bytes(taille: u64, bytes: &[u8]) -> Result<Frontier, StoreError> {
    if !bytes.len().is_multiple_of(32) {
        return Err(StoreError::Corrupt(format!(
            "points_de_controle.frontiere : {} octets, pas un multiple de 32",
            bytes.len()
        )));
    }
    let nodes = bytes
        .chunks(32)
        .map(|c| {
            let mut h = [0u8; 32];
            h.copy_from_slice(c);
            h
        })
        .collect();
    Frontier::from_parts(taille, nodes).ok_or_else(|| {
        StoreError::Corrupt(format!(
            "points_de_controle.frontiere : nombre de nœuds incohérent avec la taille {taille}"
        ))
    })
}

pub fn frontier_bytes(frontier: &Frontier) -> Vec<u8> {
    frontier.nodes().concat()
}

/// A stored 32-byte hash.
fn hash_from_bytes(column: &str, bytes: &[u8]) -> Result<Hash, StoreError> {
    <Hash>::try_from(bytes)
        .map_err(|_| StoreError::Corrupt(format!("{column} : {} octets au lieu de 32", bytes.len())))
}

/// A stored 64-byte signature.
fn signature_from_bytes(bytes: &[u8]) -> Result<[u8; 64], StoreError> {
    <[u8; 64]>::try_from(bytes).map_err(|_| {
        StoreError::Corrupt(format!(
            "points_de_controle.signature : {} octets au lieu de 64",
            bytes.len()
        ))
    })
}

/// A position or size as the databases store it (a signed 64-bit integer).
pub fn to_column(p: u64) -> Result<i64, StoreError> {
    i64::try_from(p).map_err(|_| StoreError::Backend(format!("position {p} hors des bornes")))
}

fn unsigned(column: &str, v: i64) -> Result<u64, StoreError> {
    u64::try_from(v).map_err(|_| StoreError::Corrupt(format!("{column} : {v} négatif")))
}

/// A `traces_feuilles` row, as either database gives it back.
pub fn leaf_from_columns(position: i64, trace_id: i64, feuille: &[u8]) -> Result<LeafRecord, StoreError> {
    Ok(LeafRecord {
        position: unsigned("traces_feuilles.position", position)?,
        trace_id,
        hash: hash_from_bytes("traces_feuilles.feuille", feuille)?,
    })
}

/// The columns of a `points_de_controle` row, as either database gives them back.
#[derive(Debug)]
pub struct CheckpointColumns {
    pub id: i64,
    pub taille: i64,
    pub racine: Vec<u8>,
    pub horodatage: chrono::DateTime<chrono::Utc>,
    pub signature: Vec<u8>,
    pub dernier_trace_id: i64,
    pub frontiere: Vec<u8>,
}

impl CheckpointColumns {
    pub fn into_record(self) -> Result<CheckpointRecord, StoreError> {
        let taille = unsigned("points_de_controle.taille", self.taille)?;
        Ok(CheckpointRecord {
            id: self.id,
            checkpoint: NewCheckpoint {
                signed: SignedCheckpoint {
                    checkpoint: partage_domain::trace_log::Checkpoint {
                        taille,
                        racine: hash_from_bytes("points_de_controle.racine", &self.racine)?,
                        horodatage: self.horodatage,
                    },
                    signature: signature_from_bytes(&self.signature)?,
                },
                dernier_trace_id: self.dernier_trace_id,
                frontiere: frontier_from_bytes(taille, &self.frontiere)?,
            },
        })
    }
}

/// How many leaves the log has reached: positions are consecutive from 0, so the largest one plus one.
pub fn reached(count: i64) -> Result<u64, StoreError> {
    unsigned("traces_feuilles", count)
}

// ---------------------------------------------------------------------------------------------------------
// The log's mechanics over any store: checkpoints, audit, proofs. Here rather than in the application so
// that the contract suite runs them, tampering included, on every backend.
// ---------------------------------------------------------------------------------------------------------

/// The most new traces one checkpoint covers: bounds its transaction and memory. A log behind by more is
/// caught up by successive checkpoints.
pub const MAX_LEAVES_PER_CHECKPOINT: usize = 100_000;

const PAGE: u32 = 5_000;

/// Signs a checkpoint covering the traces appended since the last one (at most
/// [`MAX_LEAVES_PER_CHECKPOINT`] of them), hashing only those. `None` when nothing was appended and
/// `even_if_unchanged` is false (a schedule has nothing to publish).
///
/// Refuses to sign if the last checkpoint is not signed by this key or its stored frontier does not give
/// its signed root: signing on top of a tampered log would vouch for it.
pub async fn extend_log(
    store: &dyn crate::Store,
    key: &SigningKey,
    now: DateTime<Utc>,
    even_if_unchanged: bool,
) -> Result<Option<CheckpointRecord>, StoreError> {
    let latest = store.latest_checkpoint().await?;
    let (mut frontier, mut last_id) = match &latest {
        Some(record) => {
            let c = &record.checkpoint;
            if !c.signed.is_signed_by(&key.verifying_key()) {
                return Err(StoreError::Corrupt(format!(
                    "le point de contrôle n° {} n'est pas signé par cette clé : journal ou clé remplacés \
                     (lancez `partage traces verify`)",
                    record.id
                )));
            }
            if c.frontiere.root() != c.signed.checkpoint.racine {
                return Err(StoreError::Corrupt(format!(
                    "la frontière du point de contrôle n° {} ne donne plus sa racine signée \
                     (lancez `partage traces verify`)",
                    record.id
                )));
            }
            (c.frontiere.clone(), c.dernier_trace_id)
        }
        None => (Frontier::default(), i64::MIN),
    };
    let mut leaves: Vec<LeafRecord> = Vec::new();
    while leaves.len() < MAX_LEAVES_PER_CHECKPOINT {
        let room = u32::try_from(MAX_LEAVES_PER_CHECKPOINT - leaves.len()).unwrap_or(PAGE);
        let page = store.traces_after(last_id, PAGE.min(room)).await?;
        if page.is_empty() {
            break;
        }
        for stored in page {
            let hash = stored.leaf_hash();
            leaves.push(LeafRecord {
                position: frontier.size(),
                trace_id: stored.id,
                hash,
            });
            frontier.push(hash);
            last_id = stored.id;
        }
    }
    if leaves.is_empty() && latest.is_some() && !even_if_unchanged {
        return Ok(None);
    }
    let signed = Checkpoint::new(frontier.size(), frontier.root(), now).sign(key);
    let checkpoint = NewCheckpoint {
        signed,
        dernier_trace_id: last_id.max(0),
        frontiere: frontier,
    };
    let id = store.append_checkpoint(&leaves, &checkpoint).await?;
    Ok(Some(CheckpointRecord { id, checkpoint }))
}

/// Every trace as stored now, as a leaf, in id order, with the purged ones; or the finding that one cannot
/// be read.
async fn current_leaves(
    store: &dyn crate::Store,
) -> Result<Result<(Vec<Leaf>, Vec<PurgedLeaf>), Finding>, StoreError> {
    let mut leaves = Vec::new();
    let mut purged = Vec::new();
    // From the smallest id there can be: a row slipped in below the first trace must be seen too.
    let mut after = i64::MIN;
    let mut page_size = PAGE;
    loop {
        match store.traces_after(after, page_size).await {
            Ok(page) => {
                let Some(last) = page.last() else { break };
                after = last.id;
                for s in &page {
                    if s.purge.is_some() {
                        purged.push(PurgedLeaf {
                            trace_id: s.id,
                            position: leaves.len() as u64,
                            horodatage: s.trace.horodatage,
                        });
                    }
                    leaves.push(Leaf {
                        trace_id: s.id,
                        hash: s.leaf_hash(),
                    });
                }
                page_size = PAGE;
            }
            // A hand-edited row no longer reads as a trace: narrow down to it one row at a time.
            Err(StoreError::Corrupt(_)) if page_size > 1 => page_size = 1,
            Err(StoreError::Corrupt(cause)) => {
                return Ok(Err(Finding::Unreadable {
                    after: (after != i64::MIN).then_some(after),
                    cause,
                }))
            }
            Err(e) => return Err(e),
        }
    }
    Ok(Ok((leaves, purged)))
}

async fn recorded_leaves(store: &dyn crate::Store, up_to: u64) -> Result<Vec<LeafRecord>, StoreError> {
    let mut leaves = Vec::new();
    while (leaves.len() as u64) < up_to {
        let page = store.leaves(leaves.len() as u64, PAGE).await?;
        if page.is_empty() {
            break;
        }
        leaves.extend(page);
    }
    Ok(leaves)
}

/// Checks the whole log against every stored checkpoint, and optionally a checkpoint published earlier:
/// the outer error is the store failing, the inner one what is wrong with the log. Any purged trace is
/// refused: use [`audit_log_with_retention`] where traces are purged.
pub async fn audit_log(
    store: &dyn crate::Store,
    key: &VerifyingKey,
    published: Option<&SignedCheckpoint>,
) -> Result<Result<AuditSummary, Finding>, StoreError> {
    audit_log_with_retention(store, key, published, DateTime::<Utc>::MIN_UTC).await
}

/// [`audit_log`] over a log the retention purge went through: a purged trace counts by the leaf hash it
/// kept, and must be stamped before `limite` (now minus the retention period) and covered by a checkpoint.
pub async fn audit_log_with_retention(
    store: &dyn crate::Store,
    key: &VerifyingKey,
    published: Option<&SignedCheckpoint>,
    limite: DateTime<Utc>,
) -> Result<Result<AuditSummary, Finding>, StoreError> {
    let checkpoints: Vec<(i64, SignedCheckpoint)> = store
        .checkpoints()
        .await?
        .into_iter()
        .map(|r| (r.id, r.checkpoint.signed))
        .collect();
    let (now, purged) = match current_leaves(store).await? {
        Ok(found) => found,
        Err(finding) => return Ok(Err(finding)),
    };
    let recorded: Vec<Leaf> = recorded_leaves(store, u64::MAX)
        .await?
        .into_iter()
        .map(|l| Leaf {
            trace_id: l.trace_id,
            hash: l.hash,
        })
        .collect();
    let summary = match audit(&now, &recorded, &checkpoints, published, key) {
        Ok(summary) => summary,
        Err(finding) => return Ok(Err(finding)),
    };
    Ok(check_purges(&purged, &checkpoints, limite).map(|()| summary))
}

/// Why a proof cannot be given, in words for the person who asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofRefused {
    #[error("aucun point de contrôle n'a encore été publié")]
    NoCheckpoint,
    #[error("la trace n° {0} n'existe pas ou n'est pas encore couverte par un point de contrôle")]
    NotCovered(i64),
    #[error("taille {asked} impossible : le point de contrôle couvre {latest} trace(s)")]
    BadSize { asked: u64, latest: u64 },
    #[error("aucun point de contrôle signé ne couvre exactement {0} trace(s)")]
    UnknownCheckpoint(u64),
}

/// Proof that a trace is in the log whose signed checkpoint is `checkpoint`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InclusionProof {
    pub leaf: LeafRecord,
    pub path: Vec<Hash>,
    pub checkpoint: CheckpointRecord,
}

/// Proof that the log of `old_size` traces is a prefix of the log of the signed checkpoint `checkpoint`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsistencyProof {
    pub old_size: u64,
    pub path: Vec<Hash>,
    pub checkpoint: CheckpointRecord,
}

/// The signed checkpoint of exactly `taille` traces (the latest when `None`), and the recorded leaf hashes
/// it covers.
async fn checkpoint_with_hashes(
    store: &dyn crate::Store,
    taille: Option<u64>,
) -> Result<Result<(CheckpointRecord, Vec<Hash>), ProofRefused>, StoreError> {
    let found = match taille {
        None => store.latest_checkpoint().await?.ok_or(ProofRefused::NoCheckpoint),
        Some(n) => store
            .checkpoints()
            .await?
            .into_iter()
            .find(|c| c.checkpoint.signed.checkpoint.taille == n)
            .ok_or(ProofRefused::UnknownCheckpoint(n)),
    };
    let checkpoint = match found {
        Ok(c) => c,
        Err(refused) => return Ok(Err(refused)),
    };
    let size = checkpoint.checkpoint.signed.checkpoint.taille;
    let mut hashes: Vec<Hash> = recorded_leaves(store, size)
        .await?
        .into_iter()
        .map(|l| l.hash)
        .collect();
    hashes.truncate(usize::try_from(size).unwrap_or(usize::MAX));
    Ok(Ok((checkpoint, hashes)))
}

/// The inclusion proof of a trace in the latest checkpoint. Reads the checkpoint's recorded leaves: O(n).
pub async fn prove_inclusion(
    store: &dyn crate::Store,
    trace_id: i64,
) -> Result<Result<InclusionProof, ProofRefused>, StoreError> {
    prove_inclusion_in(store, trace_id, None).await
}

/// The inclusion proof of a trace in the signed checkpoint of `taille` traces (the latest when `None`).
pub async fn prove_inclusion_in(
    store: &dyn crate::Store,
    trace_id: i64,
    taille: Option<u64>,
) -> Result<Result<InclusionProof, ProofRefused>, StoreError> {
    let Some(leaf) = store.leaf_of_trace(trace_id).await? else {
        return Ok(Err(ProofRefused::NotCovered(trace_id)));
    };
    let (checkpoint, hashes) = match checkpoint_with_hashes(store, taille).await? {
        Ok(found) => found,
        Err(refused) => return Ok(Err(refused)),
    };
    let path = usize::try_from(leaf.position)
        .ok()
        .and_then(|p| merkle::inclusion_proof(p, &hashes));
    Ok(path
        .map(|path| InclusionProof {
            leaf,
            path,
            checkpoint,
        })
        .ok_or(ProofRefused::NotCovered(trace_id)))
}

/// The consistency proof from a log of `old_size` traces to the latest checkpoint. O(n) like inclusion.
pub async fn prove_consistency(
    store: &dyn crate::Store,
    old_size: u64,
) -> Result<Result<ConsistencyProof, ProofRefused>, StoreError> {
    prove_consistency_to(store, old_size, None).await
}

/// The consistency proof from a log of `old_size` traces to the signed checkpoint of `new_size` traces
/// (the latest when `None`).
pub async fn prove_consistency_to(
    store: &dyn crate::Store,
    old_size: u64,
    new_size: Option<u64>,
) -> Result<Result<ConsistencyProof, ProofRefused>, StoreError> {
    let (checkpoint, hashes) = match checkpoint_with_hashes(store, new_size).await? {
        Ok(found) => found,
        Err(refused) => return Ok(Err(refused)),
    };
    let latest = checkpoint.checkpoint.signed.checkpoint.taille;
    let path = usize::try_from(old_size)
        .ok()
        .and_then(|m| merkle::consistency_proof(m, &hashes));
    Ok(path
        .map(|path| ConsistencyProof {
            old_size,
            path,
            checkpoint,
        })
        .ok_or(ProofRefused::BadSize {
            asked: old_size,
            latest,
        }))
}
