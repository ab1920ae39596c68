//! `partage traces …`

use partage_app::Settings;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Subcommand)]
pub enum TracesCommand {
    /// Écrit toutes les traces en JSON Lines, dans l'ordre où elles ont été enregistrées.
    Export {
        /// Fichier de sortie (par défaut la sortie standard).
        #[arg(long, short)]
        sortie: Option<PathBuf>,
    },
}

pub async fn run(database_url: &str, command: TracesCommand) -> anyhow::Result<ExitCode> {
    let app = crate::config::open_app(database_url, Settings::default()).await?;
    match command {
        TracesCommand::Export { sortie } => {
            let mut out: Box<dyn Write + Send> = match &sortie {
                Some(path) => Box::new(std::io::BufWriter::new(std::fs::File::create(path)?)),
                None => Box::new(std::io::BufWriter::new(std::io::stdout())),
            };
            let count = app
                .export_traces(&mut out)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            out.flush()?;
            eprintln!("partage : {count} trace(s) exportée(s)");
        }
    }
    Ok(ExitCode::SUCCESS)
}
