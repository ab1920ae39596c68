//! `partage deverrouiller`: a caisse agent lifts the lock-out of an account (AU-1). Until the caisse's own
//! back-office exists, this command is how it is done; the trace names the agent.

use partage_app::Settings;
use partage_domain::verrouillage::Espace;
use std::process::ExitCode;

#[derive(Debug, Clone, clap::Args)]
pub struct DeverrouillerArgs {
    /// Code de la caisse du compte (par exemple MSA-ADL).
    #[arg(long)]
    pub caisse: String,
    /// Identifiant de connexion du compte.
    #[arg(long)]
    pub identifiant: String,
    /// Compte du personnel de la caisse (par défaut : agent d'un partenaire).
    #[arg(long)]
    pub personnel: bool,
    /// Nom de l'agent de la caisse qui déverrouille, inscrit dans la trace.
    #[arg(long)]
    pub agent: String,
}

pub async fn run(database_url: &str, args: DeverrouillerArgs) -> anyhow::Result<ExitCode> {
    let app = crate::config::open_app(database_url, Settings::default()).await?;
    let espace = if args.personnel {
        Espace::Personnel
    } else {
        Espace::Partenaire
    };
    let par = format!("cli:{}", args.agent.trim());
    let avant = app
        .deverrouiller(espace, &args.caisse, &args.identifiant, &par)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    match avant {
        Some(e) if e.verrouille_le.is_some() => eprintln!(
            "partage : compte {} de la caisse {} déverrouillé ({} échec(s) de connexion effacé(s))",
            args.identifiant, args.caisse, e.nombre
        ),
        Some(e) => eprintln!(
            "partage : le compte {} de la caisse {} n'était pas verrouillé ; {} échec(s) récent(s) effacé(s)",
            args.identifiant, args.caisse, e.nombre
        ),
        None => eprintln!(
            "partage : aucun échec de connexion enregistré pour le compte {} de la caisse {}",
            args.identifiant, args.caisse
        ),
    }
    Ok(ExitCode::SUCCESS)
}
