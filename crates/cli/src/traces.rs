//! `partage traces …`

use anyhow::{bail, Context};
use partage_app::trace_log::{key_path, load_key, load_or_create_key, parse_public_key, PublishedInclusion};
use partage_app::Settings;
use partage_domain::trace_log::{to_hex, PublishedCheckpoint, SignedCheckpoint};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct DataDir {
    /// Dossier de données du serveur, où est conservée la clé de signature du journal.
    #[arg(long, env = "PARTAGE_DATA_DIR", default_value = "partage-data")]
    data_dir: PathBuf,
}

#[derive(Debug, clap::Subcommand)]
pub enum TracesCommand {
    /// Écrit toutes les traces en JSON Lines, dans l'ordre où elles ont été enregistrées.
    Export {
        /// Fichier de sortie (par défaut la sortie standard).
        #[arg(long, short)]
        sortie: Option<PathBuf>,
    },
    /// Signe un point de contrôle du journal des traces et l'écrit en JSON (docs/journal-verifiable.md).
    Checkpoint {
        /// Fichier où écrire le point de contrôle (par défaut la sortie standard).
        #[arg(long, short)]
        sortie: Option<PathBuf>,
        #[command(flatten)]
        data: DataDir,
    },
    /// Vérifie tout le journal contre chaque point de contrôle signé ; nomme la première trace en défaut.
    Verify {
        /// Un point de contrôle publié auparavant (JSON), à confronter au journal d'aujourd'hui.
        #[arg(long)]
        checkpoint: Option<PathBuf>,
        /// Clé publique de la caisse (64 chiffres hexadécimaux) ; par défaut, celle du dossier de données.
        #[arg(long)]
        cle_publique: Option<String>,
        #[command(flatten)]
        data: DataDir,
        /// Une trace purgée plus jeune que cette durée est une trace effacée à la main.
        #[command(flatten)]
        retention: crate::config::RetentionArgs,
    },
    /// Preuve d'inclusion d'une trace dans le dernier point de contrôle, ou celui de --taille traces (JSON).
    PreuveInclusion {
        /// Numéro (id) de la trace.
        #[arg(long)]
        trace: i64,
        /// Taille d'un point de contrôle signé (par défaut le dernier).
        #[arg(long)]
        taille: Option<u64>,
    },
    /// Preuve de cohérence entre un journal de TAILLE traces et le dernier point de contrôle, ou celui de
    /// --jusqu-a traces (JSON).
    PreuveCoherence {
        /// Taille d'un point de contrôle publié auparavant.
        #[arg(long)]
        depuis: u64,
        /// Taille d'un point de contrôle signé plus récent (par défaut le dernier).
        #[arg(long)]
        jusqu_a: Option<u64>,
    },
    /// Affiche la clé publique qui vérifie les points de contrôle (la crée au premier besoin).
    ClePublique {
        #[command(flatten)]
        data: DataDir,
    },
}

fn output(path: Option<&Path>) -> anyhow::Result<Box<dyn Write + Send>> {
    Ok(match path {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path).with_context(|| format!("création de {}", path.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout())),
    })
}

fn print_json(value: &impl serde::Serialize) -> anyhow::Result<()> {
    let mut out = output(None)?;
    serde_json::to_writer_pretty(&mut out, value)?;
    out.write_all(b"\n")?;
    out.flush()?;
    Ok(())
}

fn read_checkpoint(path: &Path) -> anyhow::Result<SignedCheckpoint> {
    let text = std::fs::read_to_string(path).with_context(|| format!("lecture de {}", path.display()))?;
    let published: PublishedCheckpoint = serde_json::from_str(&text)
        .with_context(|| format!("{} n'est pas un point de contrôle JSON", path.display()))?;
    SignedCheckpoint::try_from(published).map_err(|e| anyhow::anyhow!("{} : {e}", path.display()))
}

pub async fn run(database_url: &str, command: TracesCommand) -> anyhow::Result<ExitCode> {
    let settings = match &command {
        TracesCommand::Verify { retention, .. } => Settings {
            retention: retention.retention,
            ..Settings::default()
        },
        _ => Settings::default(),
    };
    let app = crate::config::open_app(database_url, settings).await?;
    let app_err = |e: partage_app::AppError| anyhow::anyhow!("{e}");
    match command {
        TracesCommand::Export { sortie } => {
            let mut out = output(sortie.as_deref())?;
            let count = app.export_traces(&mut out).await.map_err(app_err)?;
            out.flush()?;
            eprintln!("partage : {count} trace(s) exportée(s)");
        }
        TracesCommand::Checkpoint { sortie, data } => {
            let key = load_or_create_key(&key_path(&data.data_dir)).map_err(app_err)?;
            let app = app.with_log_key(key);
            let Some(signed) = app.checkpoint(true).await.map_err(app_err)? else {
                bail!("aucun point de contrôle n'a pu être signé");
            };
            let mut out = output(sortie.as_deref())?;
            serde_json::to_writer(&mut out, &signed.published())?;
            out.write_all(b"\n")?;
            out.flush()?;
            eprintln!(
                "partage : point de contrôle signé, {} trace(s) couverte(s)",
                signed.checkpoint.taille
            );
        }
        TracesCommand::Verify {
            checkpoint,
            cle_publique,
            data,
            retention: _,
        } => {
            let key = match cle_publique {
                Some(hex) => parse_public_key(&hex).map_err(app_err)?,
                None => load_key(&key_path(&data.data_dir)).map_err(app_err)?.public(),
            };
            let published = checkpoint.as_deref().map(read_checkpoint).transpose()?;
            match app.verify_log(&key, published.as_ref()).await.map_err(app_err)? {
                Ok(summary) => {
                    eprintln!(
                        "partage : journal intègre — {} trace(s), {} point(s) de contrôle vérifié(s){}, \
                         {} trace(s) couverte(s) par une signature, {} postérieure(s) au dernier point de contrôle",
                        summary.traces,
                        summary.checkpoints,
                        if published.is_some() { " plus le point de contrôle publié" } else { "" },
                        summary.covered,
                        summary.traces.saturating_sub(summary.covered)
                    );
                }
                Err(finding) => {
                    eprintln!("partage : JOURNAL ALTÉRÉ — {finding}");
                    return Ok(ExitCode::from(2));
                }
            }
        }
        TracesCommand::PreuveInclusion { trace, taille } => {
            let proof = app.inclusion_proof(trace, taille).await.map_err(app_err)?;
            print_json(&PublishedInclusion::from(&proof))?;
        }
        TracesCommand::PreuveCoherence { depuis, jusqu_a } => {
            print_json(&app.preuve_coherence(depuis, jusqu_a).await.map_err(app_err)?)?;
        }
        TracesCommand::ClePublique { data } => {
            let key = load_or_create_key(&key_path(&data.data_dir)).map_err(app_err)?;
            let mut out = output(None)?;
            writeln!(out, "{}", to_hex(key.public().as_bytes()))?;
            out.flush()?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
