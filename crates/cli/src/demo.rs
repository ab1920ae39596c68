//! `partage demo`: a deterministic synthetic data set, imported through the real import path, then served.

use crate::demo_data::{write_demo, DemoParams};
use crate::serve::ServeArgs;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Nombre de dossiers par caisse.
    #[arg(long, default_value_t = 2_000)]
    dossiers: usize,
    /// Graine du générateur : la même graine donne les mêmes données.
    #[arg(long, default_value_t = 2026)]
    graine: u64,
    /// Écrit le fichier JSON Lines ici au lieu de l'importer (pour l'examiner, ou pour le banc d'essai).
    #[arg(long)]
    ecrire: Option<PathBuf>,
    /// Importe sans démarrer le serveur.
    #[arg(long)]
    sans_serveur: bool,
    #[command(flatten)]
    serve: ServeArgs,
}

pub async fn run(database_url: &str, args: DemoArgs) -> anyhow::Result<ExitCode> {
    let params = DemoParams {
        dossiers_par_caisse: args.dossiers,
        seed: args.graine,
    };
    if let Some(path) = &args.ecrire {
        let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
        let set = write_demo(&params, &mut out)?;
        out.flush()?;
        print_set(&set);
        return Ok(ExitCode::SUCCESS);
    }
    let mut jsonl = Vec::with_capacity(args.dossiers * 2 * 900);
    let set = write_demo(&params, &mut jsonl)?;
    let app = crate::config::open_app(database_url, args.serve.settings()).await?;
    let code = crate::import::import(&app, Box::new(std::io::Cursor::new(jsonl))).await?;
    if code != ExitCode::SUCCESS {
        return Ok(code);
    }
    print_set(&set);
    print_staff(&app, &set).await?;
    if args.sans_serveur {
        return Ok(ExitCode::SUCCESS);
    }
    let scheme = if args.serve.http { "http" } else { "https" };
    eprintln!(
        "\nOuvrez {scheme}://{}/ (certificat auto-signé : acceptez l'exception du navigateur).",
        args.serve.listen
    );
    crate::serve::serve(app, &args.serve).await?;
    Ok(ExitCode::SUCCESS)
}

#[allow(clippy::print_stdout)] // The demo's logins are its output.
fn print_set(set: &crate::demo_data::DemoSet) {
    println!("Identifiants de démonstration (mot de passe provisoire, à changer à la première connexion) :");
    for l in &set.logins {
        println!(
            "  caisse {:<8} identifiant {:<24} mot de passe {:<24} {}",
            l.caisse, l.identifiant, l.mot_de_passe, l.description
        );
    }
    println!("NIR à essayer :");
    for n in &set.exemples {
        println!(
            "  caisse {:<8} NIR {}  matricule {:<8} {}",
            n.caisse, n.nir, n.matricule, n.description
        );
    }
}

/// One staff account per caisse of the demo, holding every role, to try the back office: its pages at
/// `/caisse`, its API under `/api/v1/caisse`.
/// Created once: a re-run keeps the password already chosen.
#[allow(clippy::print_stdout)] // The demo's logins are its output.
async fn print_staff(app: &partage_app::App, set: &crate::demo_data::DemoSet) -> anyhow::Result<()> {
    use secrecy::ExposeSecret;
    let mut caisses: Vec<&str> = set.logins.iter().map(|l| l.caisse.as_str()).collect();
    caisses.sort_unstable();
    caisses.dedup();
    println!(
        "Personnel des caisses (espace de la caisse : /caisse ; API : /api/v1/caisse/session ; tous les rôles) :"
    );
    for caisse in caisses {
        let nouveau = partage_app::personnel::NouveauPersonnel {
            identifiant: "direction".into(),
            nom: "Démonstration".into(),
            prenom: "Direction".into(),
            email: "direction@caisse.example.fr".into(),
            roles: "admin,habilitation,conventions,supervision".into(),
        };
        match app.creer_personnel_en_ligne_de_commande(caisse, &nouveau).await {
            Ok(provisoire) => println!(
                "  caisse {caisse:<8} identifiant direction               mot de passe {}",
                provisoire.expose_secret()
            ),
            Err(partage_app::AppError::DejaExistant(_)) => println!(
                "  caisse {caisse:<8} identifiant direction               (déjà créé : mot de passe conservé)"
            ),
            Err(e) => return Err(anyhow::anyhow!("{e}")),
        }
    }
    Ok(())
}
