//! `partage personnels`: the caisse's staff accounts. `creer` makes the first admin of a caisse (afterwards
//! an admin creates the others in the back office); the temporary password is printed once.

use partage_app::personnel::NouveauPersonnel;
use secrecy::ExposeSecret;
use std::process::ExitCode;

#[derive(Debug, clap::Subcommand)]
pub enum PersonnelsCommand {
    /// Crée un compte du personnel de la caisse et affiche son mot de passe provisoire (une seule fois).
    Creer {
        /// Code de la caisse, par exemple MSA-ADL.
        #[arg(long)]
        caisse: String,
        #[arg(long)]
        identifiant: String,
        /// Rôles séparés par des virgules : admin, habilitation, conventions, supervision.
        #[arg(long)]
        roles: String,
        #[arg(long)]
        nom: String,
        #[arg(long)]
        prenom: String,
        #[arg(long)]
        email: String,
    },
}

#[allow(clippy::print_stdout)] // The temporary password is the command's output.
pub async fn run(database_url: &str, command: PersonnelsCommand) -> anyhow::Result<ExitCode> {
    let app = crate::config::open_app(database_url, partage_app::Settings::default()).await?;
    match command {
        PersonnelsCommand::Creer {
            caisse,
            identifiant,
            roles,
            nom,
            prenom,
            email,
        } => {
            let nouveau = NouveauPersonnel {
                identifiant,
                nom,
                prenom,
                email,
                roles,
            };
            match app.creer_personnel_en_ligne_de_commande(&caisse, &nouveau).await {
                Ok(provisoire) => {
                    println!(
                        "Compte « {} » créé dans la caisse {caisse}. Mot de passe provisoire (affiché une seule \
                         fois, à changer à la première connexion sur /caisse) : {}",
                        nouveau.identifiant.trim(),
                        provisoire.expose_secret()
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    eprintln!("partage : {e} ({})", e.code());
                    Ok(ExitCode::FAILURE)
                }
            }
        }
    }
}
