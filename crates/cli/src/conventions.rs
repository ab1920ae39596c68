//! `partage conventions`: a caisse's conventions, read-only, for the caisse's IT to script. One convention
//! per line, fields separated by tabs: numéro, N° tiers, partenaire, bouquets, état, prochaine échéance, ce
//! qui s'y passera. `echeances` keeps those due within four months, soonest first.

use partage_app::registre::{a_l_echeance, ConventionInscrite};
use std::process::ExitCode;

#[derive(Debug, clap::Subcommand)]
pub enum ConventionsCommand {
    /// Liste les conventions d'une caisse, d'un état donné si --etat (en_vigueur, attente_cnil…).
    Lister {
        /// Code de la caisse, par exemple MSA-ADL.
        #[arg(long)]
        caisse: String,
        #[arg(long)]
        etat: Option<String>,
    },
    /// Affiche une convention.
    Afficher {
        #[arg(long)]
        caisse: String,
        #[arg(long)]
        numero: String,
    },
    /// Les conventions dont l'échéance tombe dans les quatre mois, la plus proche d'abord.
    Echeances {
        #[arg(long)]
        caisse: String,
    },
}

fn ligne(c: &ConventionInscrite) -> String {
    let bouquets: Vec<&str> = c.convention.bouquets.iter().map(|b| b.code()).collect();
    [
        c.convention.numero.to_string(),
        c.convention.partenaire.to_string(),
        c.nom_partenaire.clone(),
        bouquets.join(","),
        c.cycle.etat.code().to_owned(),
        c.prochaine_echeance.map(|d| d.to_string()).unwrap_or_default(),
        a_l_echeance(&c.cycle).to_owned(),
    ]
    .join("\t")
}

#[allow(clippy::print_stdout)] // The list is the command's output.
pub async fn run(database_url: &str, command: ConventionsCommand) -> anyhow::Result<ExitCode> {
    let app = crate::config::open_app(database_url, partage_app::Settings::default()).await?;
    let (caisse, etat, echeances, numero) = match &command {
        ConventionsCommand::Lister { caisse, etat } => (caisse, etat.as_deref(), false, None),
        ConventionsCommand::Afficher { caisse, numero } => (caisse, None, false, Some(numero.trim())),
        ConventionsCommand::Echeances { caisse } => (caisse, None, true, None),
    };
    let liste = match app
        .conventions_en_ligne_de_commande(caisse, etat, echeances)
        .await
    {
        Ok(liste) => liste,
        Err(e) => {
            eprintln!("partage : {e} ({})", e.code());
            return Ok(ExitCode::FAILURE);
        }
    };
    let choisies: Vec<_> = liste
        .iter()
        .filter(|c| numero.is_none_or(|n| c.convention.numero.as_str() == n))
        .collect();
    if let (Some(n), true) = (numero, choisies.is_empty()) {
        eprintln!("partage : aucune convention n° {n} dans la caisse {caisse} (introuvable)");
        return Ok(ExitCode::FAILURE);
    }
    for c in choisies {
        println!("{}", ligne(c));
    }
    Ok(ExitCode::SUCCESS)
}
