//! The verifiable trace log's use cases (TR-2, BY-2): sign checkpoints, audit the log, give proofs. The
//! mechanics are `partage_store::trace_log`'s; here, the caisse's key and the clock.
//!
//! The signing key lives in a file outside the database (see [`load_or_create_key`]): whoever can rewrite
//! the database must not be able to re-sign it.

use crate::personnel::Staff;
use crate::{App, AppError};
use ed25519_dalek::{SigningKey, VerifyingKey};
use partage_domain::personnel::Role;
use partage_domain::trace::{Action, Resultat};
use partage_domain::trace_log::{from_hex, to_hex, AuditSummary, Finding, SignedCheckpoint};
use partage_store::trace_log::{
    audit_log_with_retention, extend_log, prove_consistency_to, prove_inclusion_in, ConsistencyProof,
    InclusionProof, ProofRefused, MAX_LEAVES_PER_CHECKPOINT,
};
use rand::RngCore;
use std::path::Path;
use std::sync::Arc;

/// The caisse's checkpoint signing key.
#[derive(Clone)]
pub struct LogKey(Arc<SigningKey>);

impl std::fmt::Debug for LogKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "LogKey(public {})", to_hex(self.0.verifying_key().as_bytes()))
    }
}

impl LogKey {
    pub fn new(key: SigningKey) -> LogKey {
        LogKey(Arc::new(key))
    }

    pub fn public(&self) -> VerifyingKey {
        self.0.verifying_key()
    }
}

/// Reads the key file, or creates it readable by its owner only (0600) on first need. The file holds the
/// 32-byte secret as 64 hex digits.
pub fn load_or_create_key(path: &Path) -> Result<LogKey, AppError> {
    let fail =
        |what: &str, e: &dyn std::fmt::Display| AppError::Interne(format!("{what} {} : {e}", path.display()));
    match std::fs::read_to_string(path) {
        Ok(text) => from_hex::<32>(text.trim())
            .map(|seed| LogKey::new(SigningKey::from_bytes(&seed)))
            .ok_or_else(|| {
                fail(
                    "clé du journal illisible dans",
                    &"64 chiffres hexadécimaux attendus",
                )
            }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut seed = [0u8; 32];
            rand::rngs::OsRng.fill_bytes(&mut seed);
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(|e| fail("création du dossier de", &e))?;
            }
            write_private(path, format!("{}\n", to_hex(&seed)).as_bytes())
                .map_err(|e| fail("écriture de la clé du journal", &e))?;
            tracing::warn!(path = %path.display(), "clé de signature du journal des traces créée : sauvegardez-la hors de la base");
            Ok(LogKey::new(SigningKey::from_bytes(&seed)))
        }
        Err(e) => Err(fail("lecture de la clé du journal", &e)),
    }
}

/// Reads an existing key file; never creates one (an audit with a new key would prove nothing).
pub fn load_key(path: &Path) -> Result<LogKey, AppError> {
    if !path.exists() {
        return Err(AppError::RequeteInvalide(format!(
            "clé du journal introuvable : {} (donnez --cle-publique, ou le dossier de données du serveur)",
            path.display()
        )));
    }
    load_or_create_key(path)
}

/// A public key given as 64 hex digits.
pub fn parse_public_key(text: &str) -> Result<VerifyingKey, AppError> {
    from_hex::<32>(text.trim())
        .and_then(|bytes| VerifyingKey::from_bytes(&bytes).ok())
        .ok_or_else(|| {
            AppError::RequeteInvalide("clé publique invalide : 64 chiffres hexadécimaux attendus".into())
        })
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    // create_new: never overwrite a key that appeared meanwhile.
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(bytes)
}

impl From<ProofRefused> for AppError {
    fn from(e: ProofRefused) -> Self {
        match e {
            // A size beyond the checkpoint is the asker's mistake, not a missing proof.
            ProofRefused::BadSize { .. } => AppError::RequeteInvalide(e.to_string()),
            _ => AppError::PreuveIndisponible(e.to_string()),
        }
    }
}

/// A checkpoint size asked for: a whole number of traces, at least 1 (an empty log proves nothing).
pub fn parse_taille(champ: &str, text: &str) -> Result<u64, AppError> {
    text.trim().parse::<u64>().ok().filter(|n| *n > 0).ok_or_else(|| {
        AppError::RequeteInvalide(format!(
            "{champ} : un nombre entier de traces, au moins 1 (reçu « {} »)",
            crate::auth::bounded(text, 20)
        ))
    })
}

impl App {
    /// The application that signs checkpoints with this key.
    pub fn with_log_key(mut self, key: LogKey) -> App {
        self.log_key = Some(key);
        self
    }

    pub fn log_public_key(&self) -> Option<VerifyingKey> {
        self.log_key.as_ref().map(LogKey::public)
    }

    fn log_key(&self) -> Result<&LogKey, AppError> {
        self.log_key
            .as_ref()
            .ok_or_else(|| AppError::Interne("aucune clé de signature du journal configurée".into()))
    }

    /// Signs checkpoints until every trace is covered, at the clock's time; returns the last one. A schedule
    /// (`on_demand` false) signs nothing when no trace arrived since the last checkpoint.
    pub async fn checkpoint(&self, on_demand: bool) -> Result<Option<SignedCheckpoint>, AppError> {
        let key = self.log_key()?;
        let mut last = None;
        loop {
            let now = self.clock.now();
            let made = extend_log(self.store.as_ref(), &key.0, now, on_demand && last.is_none()).await?;
            let Some(record) = made else { break };
            let covered = record.checkpoint.signed;
            let previous = last.replace(covered);
            let added =
                covered.checkpoint.taille - previous.map_or(0, |p: SignedCheckpoint| p.checkpoint.taille);
            // A checkpoint that took fewer than the most it may means the log is caught up.
            if added < MAX_LEAVES_PER_CHECKPOINT as u64 {
                break;
            }
        }
        Ok(last)
    }

    /// The latest signed checkpoint, if any.
    pub async fn latest_checkpoint(&self) -> Result<Option<SignedCheckpoint>, AppError> {
        Ok(self.store.latest_checkpoint().await?.map(|r| r.checkpoint.signed))
    }

    /// Checks the whole log against every stored checkpoint and, if given, one published earlier. Traces
    /// the retention purge blanked count by their kept leaf hash; one blanked before the end of the
    /// retention period (at the clock's time), or that no checkpoint covers, is refused and named.
    pub async fn verify_log(
        &self,
        key: &VerifyingKey,
        published: Option<&SignedCheckpoint>,
    ) -> Result<Result<AuditSummary, Finding>, AppError> {
        let limite = self.settings.retention.limite(self.clock.now());
        Ok(audit_log_with_retention(self.store.as_ref(), key, published, limite).await?)
    }

    /// The inclusion proof of a trace in the signed checkpoint of `taille` traces (the latest if `None`).
    pub async fn inclusion_proof(
        &self,
        trace_id: i64,
        taille: Option<u64>,
    ) -> Result<InclusionProof, AppError> {
        Ok(prove_inclusion_in(self.store.as_ref(), trace_id, taille).await??)
    }

    /// The consistency proof from `old_size` traces to the checkpoint of `new_size` (the latest if `None`).
    pub async fn consistency_proof(
        &self,
        old_size: u64,
        new_size: Option<u64>,
    ) -> Result<ConsistencyProof, AppError> {
        if new_size == Some(0) {
            return Err(AppError::RequeteInvalide(
                "jusqu_a : un nombre entier de traces, au moins 1".into(),
            ));
        }
        Ok(prove_consistency_to(self.store.as_ref(), old_size, new_size).await??)
    }

    /// The inclusion proof of a trace of the staff's caisse, for the caisse's supervision (role
    /// `supervision`), published as the CLI prints it. A trace of another caisse is answered as unknown.
    /// The request is traced, refused or not.
    pub async fn preuve_inclusion(
        &self,
        staff: &Staff,
        trace_id: i64,
        taille: Option<u64>,
        source: &str,
    ) -> Result<PublishedInclusion, AppError> {
        self.exiger(staff, Role::Supervision, source).await?;
        let outcome = self.inclusion_de_la_caisse(staff, trace_id, taille).await;
        let resultat = match &outcome {
            Ok(_) => Resultat::Succes,
            Err(AppError::RequeteInvalide(_)) => Resultat::RequeteInvalide,
            Err(_) => Resultat::Refuse,
        };
        let detail = match taille {
            Some(n) => format!("preuve_inclusion={trace_id};taille={n}"),
            None => format!("preuve_inclusion={trace_id}"),
        };
        let trace = self.trace_supervision(staff, Action::RequeteTraces, resultat, detail, source);
        self.enregistrer(staff, trace).await?;
        outcome
    }

    async fn inclusion_de_la_caisse(
        &self,
        staff: &Staff,
        trace_id: i64,
        taille: Option<u64>,
    ) -> Result<PublishedInclusion, AppError> {
        if taille == Some(0) {
            return Err(AppError::RequeteInvalide(
                "taille : un nombre entier de traces, au moins 1".into(),
            ));
        }
        let de_la_caisse = match trace_id.checked_sub(1) {
            Some(before) => self
                .store
                .traces_after(before, 1)
                .await?
                .first()
                .is_some_and(|s| {
                    s.id == trace_id && s.trace.caisse.as_deref() == Some(staff.personnel.caisse.as_str())
                }),
            None => false,
        };
        if !de_la_caisse {
            return Err(ProofRefused::NotCovered(trace_id).into());
        }
        Ok(PublishedInclusion::from(
            &self.inclusion_proof(trace_id, taille).await?,
        ))
    }

    /// The consistency proof published as the CLI prints it. Public, like the checkpoints.
    pub async fn preuve_coherence(
        &self,
        depuis: u64,
        jusqu_a: Option<u64>,
    ) -> Result<PublishedConsistency, AppError> {
        Ok(PublishedConsistency::from(
            &self.consistency_proof(depuis, jusqu_a).await?,
        ))
    }
}

/// Where `partage serve` keeps the key, under its data directory.
pub fn key_path(data_dir: &Path) -> std::path::PathBuf {
    data_dir.join("journal").join("cle-ed25519.hex")
}

/// An inclusion proof as published (CLI, API): hex everywhere, the signed checkpoint it is relative to.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PublishedInclusion {
    pub trace: i64,
    pub position: u64,
    pub feuille: String,
    pub chemin: Vec<String>,
    pub point_de_controle: partage_domain::trace_log::PublishedCheckpoint,
}

impl From<&InclusionProof> for PublishedInclusion {
    fn from(p: &InclusionProof) -> Self {
        PublishedInclusion {
            trace: p.leaf.trace_id,
            position: p.leaf.position,
            feuille: to_hex(&p.leaf.hash),
            chemin: p.path.iter().map(|h| to_hex(h)).collect(),
            point_de_controle: p.checkpoint.checkpoint.signed.published(),
        }
    }
}

/// A consistency proof as published: from a log of `depuis` traces to the signed checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PublishedConsistency {
    pub depuis: u64,
    pub chemin: Vec<String>,
    pub point_de_controle: partage_domain::trace_log::PublishedCheckpoint,
}

impl From<&ConsistencyProof> for PublishedConsistency {
    fn from(p: &ConsistencyProof) -> Self {
        PublishedConsistency {
            depuis: p.old_size,
            chemin: p.path.iter().map(|h| to_hex(h)).collect(),
            point_de_controle: p.checkpoint.checkpoint.signed.published(),
        }
    }
}
