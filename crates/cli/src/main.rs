//! `partage`: the partner extranet of a caisse. One module per subcommand.

mod config;
mod connexion;
mod conventions;
mod demo;
mod demo_data;
mod deverrouiller;
mod habilitations;
mod import;
mod migrate;
mod partenaires;
mod personnels;
mod serve;
mod tick;
mod traces;

use clap::{Parser, Subcommand};

/// mimalloc rather than glibc's allocator: under load the server spent ~8 % of its time in glibc's malloc
/// and free (arena locks, consolidation), for many small short-lived allocations per request (bench/README).
#[global_allocator]
static ALLOCATEUR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Debug, Parser)]
#[command(
    name = "partage",
    version,
    about = "L'extranet partenaires d'une caisse (CAF ou MSA)"
)]
struct Cli {
    /// Base de données : sqlite://CHEMIN ou postgres://… (par défaut, partage.sqlite dans le dossier courant).
    #[arg(long, env = "PARTAGE_DATABASE_URL", default_value = config::DEFAULT_DATABASE_URL, global = true)]
    database_url: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Sert l'extranet (HTTPS par défaut).
    Serve(serve::ServeArgs),
    /// Crée ou met à jour le schéma de la base.
    Migrate,
    /// Importe un fichier JSON Lines (docs/import.md) ; « - » lit l'entrée standard.
    Import(import::ImportArgs),
    /// Génère des données de démonstration, les importe, affiche les identifiants, puis sert.
    Demo(demo::DemoArgs),
    /// Déverrouille un compte bloqué après trop d'échecs de connexion (trace au nom de l'agent).
    Deverrouiller(deverrouiller::DeverrouillerArgs),
    /// Applique les échéances des conventions (reconductions, fins) dues aujourd'hui, désactive les agents
    /// inactifs, analyse les abus d'hier et purge les traces passées leur durée de conservation.
    Tick(tick::TickArgs),
    /// Le personnel de la caisse.
    Personnels {
        #[command(subcommand)]
        command: personnels::PersonnelsCommand,
    },
    /// Le référentiel des tiers d'une caisse (lecture).
    Partenaires {
        #[command(subcommand)]
        command: partenaires::PartenairesCommand,
    },
    /// Les conventions d'une caisse et leurs échéances (lecture).
    Conventions {
        #[command(subcommand)]
        command: conventions::ConventionsCommand,
    },
    /// Les demandes d'habilitation, traitées au nom d'un membre du personnel (rôle habilitation).
    Habilitations(habilitations::HabilitationsArgs),
    /// Les traces.
    Traces {
        #[command(subcommand)]
        command: traces::TracesCommand,
    },
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(args) => serve::run(&cli.database_url, args).await,
        Command::Migrate => migrate::run(&cli.database_url).await,
        Command::Import(args) => import::run(&cli.database_url, args).await,
        Command::Demo(args) => demo::run(&cli.database_url, args).await,
        Command::Deverrouiller(args) => deverrouiller::run(&cli.database_url, args).await,
        Command::Tick(args) => tick::run(&cli.database_url, args).await,
        Command::Personnels { command } => personnels::run(&cli.database_url, command).await,
        Command::Partenaires { command } => partenaires::run(&cli.database_url, command).await,
        Command::Conventions { command } => conventions::run(&cli.database_url, command).await,
        Command::Habilitations(args) => habilitations::run(&cli.database_url, args).await,
        Command::Traces { command } => traces::run(&cli.database_url, command).await,
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("partage : {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
