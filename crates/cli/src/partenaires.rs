//! `partage partenaires`: the référentiel des tiers of a caisse, read-only, for the caisse's IT to script.
//! One partner per line, fields separated by tabs; `afficher` prints one fiche, one field per line.

use partage_domain::partenaire::{Categorie, Contact, Fiche};
use std::process::ExitCode;

#[derive(Debug, clap::Subcommand)]
pub enum PartenairesCommand {
    /// Liste les partenaires d'une caisse : N° tiers, nom, catégorie, SIRET, départements.
    Lister {
        /// Code de la caisse, par exemple MSA-ADL.
        #[arg(long)]
        caisse: String,
        /// Partie du nom ou du N° tiers.
        #[arg(long, default_value = "")]
        recherche: String,
    },
    /// Affiche la fiche d'un partenaire.
    Afficher {
        #[arg(long)]
        caisse: String,
        /// N° tiers du partenaire.
        #[arg(long)]
        tiers: String,
    },
}

fn joindre<T: ToString>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

fn fiche(f: &Fiche) -> Vec<(&'static str, String)> {
    let c = &f.coordonnees;
    vec![
        ("numero_tiers", f.numero_tiers.to_string()),
        ("nom", f.nom.clone()),
        ("categorie", Categorie::libelle_de(&f.categorie)),
        ("siret", f.siret.to_string()),
        ("adresse", c.adresse.replace('\n', ", ")),
        ("representant", c.representant.clone()),
        ("fonction_representant", c.fonction_representant.clone()),
        (
            "contacts",
            c.contacts
                .iter()
                .map(Contact::ligne)
                .collect::<Vec<_>>()
                .join(" | "),
        ),
        ("departements", joindre(&f.departements)),
        ("circonscriptions", joindre(&f.circonscriptions)),
        ("structures", c.structures.join(" | ")),
        (
            "document_delegation",
            c.document_delegation.clone().unwrap_or_default(),
        ),
    ]
}

#[allow(clippy::print_stdout)] // The list is the command's output.
pub async fn run(database_url: &str, command: PartenairesCommand) -> anyhow::Result<ExitCode> {
    let app = crate::config::open_app(database_url, partage_app::Settings::default()).await?;
    let (caisse, recherche, tiers) = match &command {
        PartenairesCommand::Lister { caisse, recherche } => (caisse, recherche.as_str(), None),
        PartenairesCommand::Afficher { caisse, tiers } => (caisse, tiers.as_str(), Some(tiers.trim())),
    };
    let liste = match app.partenaires_en_ligne_de_commande(caisse, recherche).await {
        Ok(liste) => liste,
        Err(e) => {
            eprintln!("partage : {e} ({})", e.code());
            return Ok(ExitCode::FAILURE);
        }
    };
    match tiers {
        None => {
            for f in &liste {
                let champs = fiche(f);
                let colonnes: Vec<&str> = [0, 1, 2, 3, 8].iter().map(|&i| champs[i].1.as_str()).collect();
                println!("{}", colonnes.join("\t"));
            }
        }
        Some(tiers) => {
            let Some(f) = liste.iter().find(|f| f.numero_tiers.as_str() == tiers) else {
                eprintln!("partage : aucun partenaire n° {tiers} dans la caisse {caisse} (introuvable)");
                return Ok(ExitCode::FAILURE);
            };
            for (champ, valeur) in fiche(f) {
                println!("{champ}\t{valeur}");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
