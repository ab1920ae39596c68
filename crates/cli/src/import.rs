//! `partage import FICHIER`: loads a caisse's data; all of it or nothing.

use partage_app::{AppError, Settings};
use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// Fichier JSON Lines, ou « - » pour l'entrée standard.
    fichier: PathBuf,
}

pub async fn run(database_url: &str, args: ImportArgs) -> anyhow::Result<ExitCode> {
    let app = crate::config::open_app(database_url, Settings::default()).await?;
    let input: Box<dyn BufRead + Send> = if args.fichier.as_os_str() == "-" {
        Box::new(std::io::BufReader::new(std::io::stdin()))
    } else {
        let file = std::fs::File::open(&args.fichier)
            .map_err(|e| anyhow::anyhow!("impossible d'ouvrir {} : {e}", args.fichier.display()))?;
        Box::new(std::io::BufReader::with_capacity(1 << 20, file))
    };
    import(&app, input).await
}

/// Imports and reports in French on standard error; the exit code says whether anything was written.
pub async fn import(app: &partage_app::App, input: Box<dyn BufRead + Send>) -> anyhow::Result<ExitCode> {
    let started = std::time::Instant::now();
    match app.import_jsonl(input).await {
        Ok(report) => {
            let n = report.enregistrements;
            eprintln!(
                "partage : {} ligne(s) importée(s) en {:.1} s — {} caisse(s), {} partenaire(s), {} convention(s), {} utilisateur(s), {} dossier(s), {} période(s) de barème PSU",
                report.lignes,
                started.elapsed().as_secs_f64(),
                n.caisses,
                n.partenaires,
                n.conventions,
                n.utilisateurs,
                n.dossiers,
                n.baremes_psu
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(AppError::ImportRefuse(lines)) => {
            eprintln!(
                "partage : import refusé, aucune donnée n'a été modifiée. {} erreur(s) :",
                lines.len()
            );
            for l in &lines {
                eprintln!("  ligne {}, champ {} : {}", l.ligne, l.champ, l.raison);
            }
            Ok(ExitCode::from(2))
        }
        Err(e) => Err(anyhow::anyhow!("{e}")),
    }
}
