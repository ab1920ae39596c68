//! The verifiable trace log (SPEC TR-2, BY-2): how a stored trace becomes a leaf of the Merkle log, what a
//! signed checkpoint says, and the audit that compares the traces as they are now with the checkpoints the
//! caisse signed. docs/journal-verifiable.md describes the same bytes for an auditor.

use crate::merkle::{self, Frontier, Hash};
use crate::trace::Trace;
use chrono::{DateTime, SecondsFormat, Utc};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};

/// The first byte of every leaf encoding; a new encoding gets a new version, never a changed meaning.
pub const LEAF_VERSION: u8 = 1;

/// The first line of a checkpoint's signed text.
pub const CHECKPOINT_HEADER: &str = "partage/journal-des-traces/v1";

/// The canonical bytes of a stored trace: version, id, instant, then every field in a fixed order, each
/// tagged present (`0x01`, u32 big-endian length, UTF-8 bytes) or absent (`0x00`). Length prefixes make it
/// unambiguous; the id binds the trace to its place, so moving a trace changes its leaf.
pub fn leaf_bytes(id: i64, trace: &Trace) -> Vec<u8> {
    let mut out = Vec::with_capacity(160);
    out.push(LEAF_VERSION);
    out.extend_from_slice(&id.to_be_bytes());
    out.extend_from_slice(&trace.horodatage.timestamp_micros().to_be_bytes());
    let fields: [Option<&str>; 10] = [
        trace.caisse.as_deref(),
        trace.utilisateur.as_deref(),
        trace.partenaire.as_deref(),
        Some(trace.source.as_str()),
        Some(trace.action.code()),
        trace.bouquet.map(|b| b.code()),
        trace.rubriques.as_deref(),
        trace.matricule.as_deref(),
        trace.nir_hache.as_deref(),
        Some(trace.resultat.code()),
    ];
    for field in fields {
        match field {
            None => out.push(0),
            Some(text) => {
                out.push(1);
                // A trace field longer than 4 GiB cannot be stored; saturating keeps this total.
                let len = u32::try_from(text.len()).unwrap_or(u32::MAX);
                out.extend_from_slice(&len.to_be_bytes());
                out.extend_from_slice(text.as_bytes());
            }
        }
    }
    out
}

/// The leaf hash of a stored trace: RFC 9162 `SHA-256(0x00 ‖ leaf_bytes)`.
pub fn leaf_hash(id: i64, trace: &Trace) -> Hash {
    merkle::leaf_hash(&leaf_bytes(id, trace))
}

pub fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Exactly `N` bytes written as `2N` hex digits (either case).
pub fn from_hex<const N: usize>(text: &str) -> Option<[u8; N]> {
    let text = text.as_bytes();
    if text.len() != 2 * N {
        return None;
    }
    let mut out = [0u8; N];
    for (i, pair) in text.chunks(2).enumerate() {
        let digits = std::str::from_utf8(pair).ok()?;
        out[i] = u8::from_str_radix(digits, 16).ok()?;
    }
    Some(out)
}

/// What the caisse signs: the log had `taille` traces with this root at this instant (whole seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checkpoint {
    pub taille: u64,
    pub racine: Hash,
    pub horodatage: DateTime<Utc>,
}

impl Checkpoint {
    /// The instant is kept to the second, so that the signed text reads back the same from any store.
    pub fn new(taille: u64, racine: Hash, at: DateTime<Utc>) -> Checkpoint {
        let horodatage = DateTime::from_timestamp(at.timestamp(), 0).unwrap_or(at);
        Checkpoint {
            taille,
            racine,
            horodatage,
        }
    }

    /// The signed text: four lines, each ended by `\n`.
    pub fn signed_text(&self) -> String {
        format!(
            "{CHECKPOINT_HEADER}\n{}\n{}\n{}\n",
            self.taille,
            to_hex(&self.racine),
            self.horodatage.to_rfc3339_opts(SecondsFormat::Secs, true)
        )
    }

    pub fn sign(self, key: &SigningKey) -> SignedCheckpoint {
        let signature = key.sign(self.signed_text().as_bytes()).to_bytes();
        SignedCheckpoint {
            checkpoint: self,
            signature,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignedCheckpoint {
    pub checkpoint: Checkpoint,
    pub signature: [u8; 64],
}

/// A checkpoint as published (`partage traces checkpoint`, the API): JSON any auditor can read.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PublishedCheckpoint {
    pub version: u8,
    pub taille: u64,
    pub racine: String,
    pub horodatage: String,
    pub signature: String,
}

impl SignedCheckpoint {
    pub fn is_signed_by(&self, key: &VerifyingKey) -> bool {
        let signature = Signature::from_bytes(&self.signature);
        key.verify(self.checkpoint.signed_text().as_bytes(), &signature)
            .is_ok()
    }

    pub fn published(&self) -> PublishedCheckpoint {
        PublishedCheckpoint {
            version: 1,
            taille: self.checkpoint.taille,
            racine: to_hex(&self.checkpoint.racine),
            horodatage: self
                .checkpoint
                .horodatage
                .to_rfc3339_opts(SecondsFormat::Secs, true),
            signature: to_hex(&self.signature),
        }
    }
}

impl TryFrom<PublishedCheckpoint> for SignedCheckpoint {
    type Error = String;

    fn try_from(p: PublishedCheckpoint) -> Result<SignedCheckpoint, String> {
        if p.version != 1 {
            return Err(format!("version de point de contrôle inconnue : {}", p.version));
        }
        let racine =
            from_hex::<32>(&p.racine).ok_or("racine illisible : 64 chiffres hexadécimaux attendus")?;
        let signature =
            from_hex::<64>(&p.signature).ok_or("signature illisible : 128 chiffres hexadécimaux attendus")?;
        let horodatage = DateTime::parse_from_rfc3339(&p.horodatage)
            .map_err(|e| format!("horodatage illisible « {} » : {e}", p.horodatage))?
            .with_timezone(&Utc);
        Ok(SignedCheckpoint {
            checkpoint: Checkpoint {
                taille: p.taille,
                racine,
                horodatage,
            },
            signature,
        })
    }
}

/// One leaf of the log: the trace it stands for and its hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Leaf {
    pub trace_id: i64,
    pub hash: Hash,
}

/// Which checkpoint a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckpointRef {
    /// A checkpoint stored in the database, by its id.
    Stored(i64),
    /// The checkpoint file given to the audit.
    Published,
}

impl std::fmt::Display for CheckpointRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CheckpointRef::Stored(id) => write!(f, "le point de contrôle n° {id}"),
            CheckpointRef::Published => f.write_str("le point de contrôle publié"),
        }
    }
}

/// The first thing wrong with the log. The trace named is the first, in log order, that fails.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Finding {
    #[error("{0} porte une signature invalide (clé différente ou point de contrôle modifié)")]
    Signature(CheckpointRef),
    #[error("{0} compte moins de traces que le précédent : le journal aurait rétréci")]
    Shrank(CheckpointRef),
    #[error(
        "trace n° {trace} (position {position}) modifiée, remplacée ou déplacée : elle ne correspond plus à \
         son empreinte signée"
    )]
    Altered { trace: i64, position: u64 },
    #[error("trace n° {trace} (position {position}) supprimée : elle manque au journal")]
    Deleted { trace: i64, position: u64 },
    #[error("trace n° {trace} (position {position}) insérée : elle n'était pas dans le journal signé")]
    Inserted { trace: i64, position: u64 },
    #[error(
        "trace illisible, modifiée à la main : la première après la trace n° {} ({cause})",
        after.map_or("0".to_owned(), |t| t.to_string())
    )]
    Unreadable { after: Option<i64>, cause: String },
    #[error(
        "{checkpoint} ne correspond plus aux traces, et les empreintes enregistrées ont elles aussi été \
         modifiées : l'altération se situe entre les positions {from} et {to}, à partir de la trace n° {}",
        first_trace.map_or("(aucune)".to_owned(), |t| t.to_string())
    )]
    Unlocated {
        checkpoint: CheckpointRef,
        from: u64,
        to: u64,
        first_trace: Option<i64>,
    },
    #[error(
        "trace n° {trace} (position {position}) vidée de son contenu avant la fin de sa durée de conservation \
         : effacement fait à la main, pas par la purge"
    )]
    PurgedTooEarly { trace: i64, position: u64 },
    #[error(
        "trace n° {trace} (position {position}) vidée de son contenu sans qu'un point de contrôle ne la couvre \
         : effacement fait à la main, pas par la purge"
    )]
    PurgedUncovered { trace: i64, position: u64 },
}

/// A trace whose personal content the retention purge blanked: its place in the log and its instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PurgedLeaf {
    pub trace_id: i64,
    pub position: u64,
    pub horodatage: DateTime<Utc>,
}

/// How much later than the retention limit the last checkpoint before a purged trace may have been signed:
/// a trace stamped just before a checkpoint can be committed just after it.
pub const PURGE_TOLERANCE_HOURS: i64 = 24;

/// Checks the purged traces of a log that [`audit`] accepted (so every checkpoint is genuine). The purge only
/// blanks traces a checkpoint covers and older than `limite` (now minus the retention period); anything
/// else was blanked by hand. A purged trace's own instant could be back-dated along with the blanking, so
/// the signed instants are checked too: the checkpoint signed just before the trace joined the log must be
/// older than the limit (within [`PURGE_TOLERANCE_HOURS`]).
pub fn check_purges(
    purged: &[PurgedLeaf],
    checkpoints: &[(i64, SignedCheckpoint)],
    limite: DateTime<Utc>,
) -> Result<(), Finding> {
    let mut signed: Vec<&Checkpoint> = checkpoints.iter().map(|(_, c)| &c.checkpoint).collect();
    signed.sort_by_key(|c| (c.taille, c.horodatage));
    let covered = signed.last().map_or(0, |c| c.taille);
    let tolerance = chrono::Duration::hours(PURGE_TOLERANCE_HOURS);
    for leaf in purged {
        if leaf.position >= covered {
            return Err(Finding::PurgedUncovered {
                trace: leaf.trace_id,
                position: leaf.position,
            });
        }
        // The last checkpoint that did not hold the trace yet: the trace joined the log after it.
        let before = signed
            .iter()
            .filter(|c| c.taille <= leaf.position)
            .map(|c| c.horodatage)
            .max();
        let signed_too_late = before.is_some_and(|at| at >= limite + tolerance);
        if leaf.horodatage >= limite || signed_too_late {
            return Err(Finding::PurgedTooEarly {
                trace: leaf.trace_id,
                position: leaf.position,
            });
        }
    }
    Ok(())
}

/// What a successful audit checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuditSummary {
    pub traces: u64,
    pub checkpoints: usize,
    /// The size of the largest checkpoint: traces beyond it are not covered by a signature yet.
    pub covered: u64,
}

/// The roots of the first `size` leaves for each of `sizes` (ascending), `None` where there are fewer leaves.
fn roots_at(leaves: &[Leaf], sizes: &[u64]) -> Vec<Option<Hash>> {
    let mut frontier = Frontier::default();
    let mut leaves = leaves.iter();
    sizes
        .iter()
        .map(|&size| {
            while frontier.size() < size {
                frontier.push(leaves.next()?.hash);
            }
            Some(frontier.root())
        })
        .collect()
}

/// Checks the log as it is now against every signed checkpoint, and names the first trace that fails.
///
/// - `traces`: the leaves recomputed from the traces as stored now, in id order;
/// - `stored`: the leaf hashes recorded when each checkpoint was made, by position. Not trusted by
///   themselves: they only serve to name the trace once a signed root has shown they are genuine;
/// - `checkpoints`: every stored checkpoint, in the order they were made;
/// - `published`: optionally, a checkpoint published earlier, from a file.
pub fn audit(
    traces: &[Leaf],
    stored: &[Leaf],
    checkpoints: &[(i64, SignedCheckpoint)],
    published: Option<&SignedCheckpoint>,
    key: &VerifyingKey,
) -> Result<AuditSummary, Finding> {
    let mut all: Vec<(CheckpointRef, &SignedCheckpoint)> = checkpoints
        .iter()
        .map(|(id, c)| (CheckpointRef::Stored(*id), c))
        .collect();
    let mut previous = 0;
    for (at, c) in &all {
        if !c.is_signed_by(key) {
            return Err(Finding::Signature(*at));
        }
        if c.checkpoint.taille < previous {
            return Err(Finding::Shrank(*at));
        }
        previous = c.checkpoint.taille;
    }
    if let Some(p) = published {
        if !p.is_signed_by(key) {
            return Err(Finding::Signature(CheckpointRef::Published));
        }
        all.push((CheckpointRef::Published, p));
    }
    all.sort_by_key(|(_, c)| c.checkpoint.taille);
    let sizes: Vec<u64> = all.iter().map(|(_, c)| c.checkpoint.taille).collect();
    let now = roots_at(traces, &sizes);
    let recorded = roots_at(stored, &sizes);
    let mut last_good = 0;
    for (i, (at, c)) in all.iter().enumerate() {
        let size = c.checkpoint.taille;
        if now[i] == Some(c.checkpoint.racine) {
            last_good = size;
            continue;
        }
        if recorded[i] != Some(c.checkpoint.racine) {
            return Err(Finding::Unlocated {
                checkpoint: *at,
                from: last_good,
                to: size,
                first_trace: usize::try_from(last_good)
                    .ok()
                    .and_then(|p| traces.get(p))
                    .map(|l| l.trace_id),
            });
        }
        // The recorded leaves are the signed ones: the first that differs names the trace.
        let signed = &stored[..usize::try_from(size).unwrap_or(stored.len())];
        return Err(locate(traces, signed));
    }
    Ok(AuditSummary {
        traces: traces.len() as u64,
        checkpoints: checkpoints.len(),
        covered: checkpoints
            .iter()
            .map(|(_, c)| c.checkpoint.taille)
            .max()
            .unwrap_or(0),
    })
}

/// The first difference between the traces now and the signed leaves, which differ somewhere.
fn locate(traces: &[Leaf], signed: &[Leaf]) -> Finding {
    for (position, expected) in signed.iter().enumerate() {
        let position_u64 = position as u64;
        match traces.get(position) {
            None => {
                return Finding::Deleted {
                    trace: expected.trace_id,
                    position: position_u64,
                }
            }
            Some(found) if found == expected => {}
            Some(found) if found.trace_id == expected.trace_id => {
                return Finding::Altered {
                    trace: found.trace_id,
                    position: position_u64,
                }
            }
            Some(found) if found.trace_id > expected.trace_id => {
                return Finding::Deleted {
                    trace: expected.trace_id,
                    position: position_u64,
                }
            }
            Some(found) => {
                return Finding::Inserted {
                    trace: found.trace_id,
                    position: position_u64,
                }
            }
        }
    }
    // Equal leaves give equal roots: reaching here means the caller's roots were not of these leaves.
    Finding::Unlocated {
        checkpoint: CheckpointRef::Published,
        from: 0,
        to: signed.len() as u64,
        first_trace: traces.first().map(|l| l.trace_id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::{Action, Resultat};
    use proptest::prelude::*;

    fn trace(n: i64) -> Trace {
        Trace {
            horodatage: DateTime::from_timestamp(1_800_000_000 + n, 123_456_000).unwrap(),
            caisse: Some("MSA-ADL".into()),
            utilisateur: Some(format!("agent{n}")),
            partenaire: Some("T0001".into()),
            source: "192.0.2.1".into(),
            action: Action::Consultation,
            bouquet: None,
            rubriques: Some("R01,R02".into()),
            matricule: Some(format!("{n:07}")),
            nir_hache: None,
            resultat: Resultat::Succes,
        }
    }

    fn key() -> SigningKey {
        SigningKey::from_bytes(&[7u8; 32])
    }

    /// A log of `n` traces with ids 1..=n, and checkpoints signed at the given sizes.
    fn log(n: i64, sizes: &[u64]) -> (Vec<Leaf>, Vec<(i64, SignedCheckpoint)>) {
        let leaves: Vec<Leaf> = (1..=n)
            .map(|id| Leaf {
                trace_id: id,
                hash: leaf_hash(id, &trace(id)),
            })
            .collect();
        let hashes: Vec<Hash> = leaves.iter().map(|l| l.hash).collect();
        let at = DateTime::from_timestamp(1_900_000_000, 0).unwrap();
        let checkpoints = sizes
            .iter()
            .enumerate()
            .map(|(i, &s)| {
                let c = Checkpoint::new(s, merkle::root(&hashes[..s as usize]), at).sign(&key());
                (i as i64 + 1, c)
            })
            .collect();
        (leaves, checkpoints)
    }

    fn run(now: &[Leaf], stored: &[Leaf], cps: &[(i64, SignedCheckpoint)]) -> Result<AuditSummary, Finding> {
        audit(now, stored, cps, None, &key().verifying_key())
    }

    #[test]
    fn by_2_leaf_encoding_is_fixed_and_documented() {
        // The bytes of docs/journal-verifiable.md's example: an auditor's implementation must match them.
        let t = Trace {
            horodatage: DateTime::from_timestamp(1, 0).unwrap(),
            caisse: Some("C".into()),
            utilisateur: None,
            partenaire: None,
            source: "s".into(),
            action: Action::Connexion,
            bouquet: None,
            rubriques: None,
            matricule: None,
            nir_hache: None,
            resultat: Resultat::Succes,
        };
        let bytes = leaf_bytes(2, &t);
        assert_eq!(
            to_hex(&bytes),
            "01\
             0000000000000002\
             00000000000f4240\
             010000000143\
             00\
             00\
             010000000173\
             0100000009636f6e6e6578696f6e\
             00\
             00\
             00\
             00\
             0100000006737563636573"
        );
        assert_eq!(to_hex(&leaf_hash(2, &t)), to_hex(&merkle::leaf_hash(&bytes)),);
    }

    #[test]
    fn by_2_leaf_binds_the_id_and_every_field() {
        let base = trace(5);
        let h = leaf_hash(5, &base);
        assert_ne!(h, leaf_hash(6, &base), "the id is part of the leaf");
        let mut moved = base.clone();
        moved.utilisateur = Some("agent".into());
        moved.partenaire = Some("5T0001".into());
        assert_ne!(h, leaf_hash(5, &moved), "bytes moved between fields");
        let mut absent = base.clone();
        absent.rubriques = Some(String::new());
        let mut none = base.clone();
        none.rubriques = None;
        assert_ne!(leaf_hash(5, &absent), leaf_hash(5, &none), "empty is not absent");
        let mut later = base.clone();
        later.horodatage += chrono::Duration::microseconds(1);
        assert_ne!(h, leaf_hash(5, &later));
    }

    #[test]
    fn by_2_checkpoint_signature_binds_size_root_and_time() {
        let (_, cps) = log(5, &[5]);
        let signed = cps[0].1;
        let public = key().verifying_key();
        assert!(signed.is_signed_by(&public));
        let mut bigger = signed;
        bigger.checkpoint.taille += 1;
        assert!(!bigger.is_signed_by(&public));
        let mut other_root = signed;
        other_root.checkpoint.racine[31] ^= 1;
        assert!(!other_root.is_signed_by(&public));
        let mut later = signed;
        later.checkpoint.horodatage += chrono::Duration::seconds(1);
        assert!(!later.is_signed_by(&public));
        let stranger = SigningKey::from_bytes(&[8u8; 32]).verifying_key();
        assert!(!signed.is_signed_by(&stranger));
        // Published as JSON and read back, it verifies the same.
        let json = serde_json::to_string(&signed.published()).unwrap();
        let back: PublishedCheckpoint = serde_json::from_str(&json).unwrap();
        assert_eq!(SignedCheckpoint::try_from(back).unwrap(), signed);
    }

    #[test]
    fn published_checkpoint_with_bad_fields_is_refused_in_french() {
        let (_, cps) = log(3, &[3]);
        let good = cps[0].1.published();
        let mut short = good.clone();
        short.racine.pop();
        assert!(SignedCheckpoint::try_from(short).unwrap_err().contains("racine"));
        let mut sig = good.clone();
        sig.signature = "zz".repeat(64);
        assert!(SignedCheckpoint::try_from(sig).unwrap_err().contains("signature"));
        let mut version = good.clone();
        version.version = 2;
        assert!(SignedCheckpoint::try_from(version)
            .unwrap_err()
            .contains("version"));
        let mut time = good;
        time.horodatage = "hier".into();
        assert!(SignedCheckpoint::try_from(time)
            .unwrap_err()
            .contains("horodatage"));
    }

    #[test]
    fn tr_2_untouched_log_passes_with_its_counts() {
        let (leaves, cps) = log(10, &[0, 3, 3, 7, 10]);
        let summary = run(&leaves, &leaves, &cps).unwrap();
        assert_eq!(
            summary,
            AuditSummary {
                traces: 10,
                checkpoints: 5,
                covered: 10
            }
        );
        // Traces appended since the last checkpoint are fine, and counted as not covered yet.
        let (more, _) = log(12, &[]);
        assert_eq!(run(&more, &leaves, &cps).unwrap().covered, 10);
    }

    #[test]
    fn tr_2_altered_trace_is_named() {
        let (leaves, cps) = log(10, &[4, 10]);
        let mut now = leaves.clone();
        let mut t = trace(6);
        t.resultat = Resultat::NonHabilite;
        now[5].hash = leaf_hash(6, &t);
        assert_eq!(
            run(&now, &leaves, &cps),
            Err(Finding::Altered {
                trace: 6,
                position: 5
            })
        );
    }

    #[test]
    fn tr_2_deleted_trace_is_named_even_the_last() {
        let (leaves, cps) = log(10, &[10]);
        let mut now = leaves.clone();
        now.remove(2);
        assert_eq!(
            run(&now, &leaves, &cps),
            Err(Finding::Deleted {
                trace: 3,
                position: 2
            })
        );
        now = leaves.clone();
        now.pop();
        assert_eq!(
            run(&now, &leaves, &cps),
            Err(Finding::Deleted {
                trace: 10,
                position: 9
            })
        );
    }

    #[test]
    fn tr_2_inserted_and_reordered_traces_are_named() {
        let (leaves, cps) = log(10, &[10]);
        // Room made for a forged trace by renumbering the later ones: the row now holding id 4 at position 3
        // is not the signed trace 4.
        let mut now = leaves.clone();
        for l in now.iter_mut().skip(3) {
            l.trace_id += 1000;
            l.hash = leaf_hash(l.trace_id, &trace(l.trace_id - 1000));
        }
        now.insert(
            3,
            Leaf {
                trace_id: 4,
                hash: leaf_hash(4, &trace(99)),
            },
        );
        assert_eq!(
            run(&now, &leaves, &cps),
            Err(Finding::Altered {
                trace: 4,
                position: 3
            })
        );
        let mut before = leaves.clone();
        before.insert(
            0,
            Leaf {
                trace_id: 0,
                hash: leaf_hash(0, &trace(0)),
            },
        );
        assert_eq!(
            run(&before, &leaves, &cps),
            Err(Finding::Inserted {
                trace: 0,
                position: 0
            })
        );
        // Two traces exchanging their contents.
        let mut swapped = leaves.clone();
        swapped[1].hash = leaf_hash(2, &trace(8));
        swapped[7].hash = leaf_hash(8, &trace(2));
        assert_eq!(
            run(&swapped, &leaves, &cps),
            Err(Finding::Altered {
                trace: 2,
                position: 1
            })
        );
    }

    #[test]
    fn tr_2_rewritten_leaf_hashes_still_fail_with_the_range() {
        let (leaves, cps) = log(10, &[4, 10]);
        let mut now = leaves.clone();
        now[6].hash = leaf_hash(7, &trace(70));
        // The attacker rewrites the recorded leaf too: no signed root vouches for it any more.
        let stored = now.clone();
        assert_eq!(
            run(&now, &stored, &cps),
            Err(Finding::Unlocated {
                checkpoint: CheckpointRef::Stored(2),
                from: 4,
                to: 10,
                first_trace: Some(5)
            })
        );
    }

    #[test]
    fn tr_2_forged_or_shrinking_checkpoints_fail() {
        let (leaves, mut cps) = log(6, &[3, 6]);
        let forger = SigningKey::from_bytes(&[9u8; 32]);
        cps[1].1 = cps[1].1.checkpoint.sign(&forger);
        assert_eq!(
            run(&leaves, &leaves, &cps),
            Err(Finding::Signature(CheckpointRef::Stored(2)))
        );
        let (leaves, mut cps) = log(6, &[3, 6]);
        cps.swap(0, 1);
        assert_eq!(
            run(&leaves, &leaves, &cps),
            Err(Finding::Shrank(CheckpointRef::Stored(1)))
        );
    }

    #[test]
    fn by_2_published_checkpoint_is_checked_against_the_log() {
        let (leaves, cps) = log(8, &[8]);
        let public = key().verifying_key();
        let (_, earlier) = log(5, &[5]);
        assert!(audit(&leaves, &leaves, &cps, Some(&earlier[0].1), &public).is_ok());
        // A log whose first 5 traces were all rewritten, stored leaves and checkpoints with them, with the
        // key stolen: the checkpoint published before still catches it.
        let (mut rewritten, _) = log(8, &[]);
        rewritten[0].hash = leaf_hash(1, &trace(100));
        let hashes: Vec<Hash> = rewritten.iter().map(|l| l.hash).collect();
        let forged = vec![(
            1,
            Checkpoint::new(8, merkle::root(&hashes), DateTime::from_timestamp(0, 0).unwrap()).sign(&key()),
        )];
        assert_eq!(
            audit(&rewritten, &rewritten, &forged, Some(&earlier[0].1), &public),
            Err(Finding::Unlocated {
                checkpoint: CheckpointRef::Published,
                from: 0,
                to: 5,
                first_trace: Some(1)
            })
        );
        // A published checkpoint larger than the log: traces were removed at the end.
        let (_, later) = log(9, &[9]);
        assert!(matches!(
            audit(&leaves, &leaves, &cps, Some(&later[0].1), &public),
            Err(Finding::Unlocated {
                checkpoint: CheckpointRef::Published,
                from: 8,
                to: 9,
                first_trace: None
            })
        ));
    }

    fn purged(position: u64, horodatage: DateTime<Utc>) -> PurgedLeaf {
        PurgedLeaf {
            trace_id: position as i64 + 1,
            position,
            horodatage,
        }
    }

    #[test]
    fn tr_2_purged_traces_pass_only_when_old_and_covered() {
        // log() signs its checkpoints at 1_900_000_000; the traces are stamped just before.
        let (_, cps) = log(10, &[4, 10]);
        let trace_time = trace(3).horodatage;
        let limite = DateTime::from_timestamp(1_900_000_000, 0).unwrap() + chrono::Duration::days(1);
        assert_eq!(
            check_purges(&[purged(2, trace_time), purged(6, trace_time)], &cps, limite),
            Ok(())
        );
        // Younger than the limit: blanked by hand.
        assert_eq!(
            check_purges(&[purged(2, trace_time)], &cps, trace_time),
            Err(Finding::PurgedTooEarly {
                trace: 3,
                position: 2
            })
        );
        // Beyond the last checkpoint: nothing vouches for its kept hash.
        let (_, short) = log(10, &[4]);
        assert_eq!(
            check_purges(&[purged(6, trace_time)], &short, limite),
            Err(Finding::PurgedUncovered {
                trace: 7,
                position: 6
            })
        );
        // Back-dated: the trace joined the log after a checkpoint signed well within the period.
        let early = DateTime::from_timestamp(0, 0).unwrap();
        let recent = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        assert_eq!(
            check_purges(&[purged(6, early)], &cps, recent),
            Err(Finding::PurgedTooEarly {
                trace: 7,
                position: 6
            })
        );
        // The same trace before the first checkpoint has no earlier signed instant to contradict it.
        assert_eq!(check_purges(&[purged(2, early)], &cps, recent), Ok(()));
    }

    proptest! {
        #[test]
        fn hex_round_trips(bytes in any::<[u8; 32]>()) {
            prop_assert_eq!(from_hex::<32>(&to_hex(&bytes)), Some(bytes));
        }

        #[test]
        fn any_single_alteration_is_found_at_its_position(n in 1i64..40, seed in any::<u64>()) {
            let (leaves, cps) = log(n, &[n as u64]);
            let victim = (seed % n as u64) as usize;
            let mut now = leaves.clone();
            now[victim].hash[(seed % 32) as usize] ^= 1;
            prop_assert_eq!(
                run(&now, &leaves, &cps),
                Err(Finding::Altered { trace: victim as i64 + 1, position: victim as u64 })
            );
        }
    }
}
