//! `partage habilitations`: the habilitation requests of a caisse, processed from a script by a named staff
//! member with the role `habilitation`, logged in and out around the act ([`crate::connexion`]), traced
//! under his name like the back office.

use crate::config::CourrielArgs;
use crate::connexion::{en_tant_que, PersonnelArgs, SOURCE};
use partage_app::habilitations::{DemandeEnregistree, Identifiants, Remis, Remise};
use secrecy::ExposeSecret;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct HabilitationsArgs {
    /// Code de la caisse, par exemple MSA-ADL.
    #[arg(long)]
    pub caisse: String,
    /// Le membre du personnel (rôle habilitation) au nom duquel agir.
    #[command(flatten)]
    pub personnel: PersonnelArgs,
    /// Dossier de données (boîte d'envoi par défaut : <dossier>/outbox).
    #[arg(long, env = "PARTAGE_DATA_DIR", default_value = "partage-data")]
    pub data_dir: PathBuf,
    #[command(flatten)]
    pub courriel: CourrielArgs,
    #[command(subcommand)]
    pub command: HabilitationsCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum HabilitationsCommand {
    /// Liste les demandes : numéro, état, nature, partenaire, convention, bouquet, agent.
    Lister {
        /// brouillon, soumise, a_completer, accordee, refusee ou faite.
        #[arg(long)]
        etat: Option<String>,
        /// N° tiers du partenaire.
        #[arg(long)]
        partenaire: Option<String>,
    },
    /// Accorde une demande soumise et l'exécute.
    Accorder {
        /// Numéro de la demande.
        id: i64,
        /// lien : lien d'activation par courriel (défaut) ; pli : mot de passe provisoire affiché une fois.
        #[arg(long, default_value = "lien", value_parser = remise)]
        remise: Remise,
    },
    /// Identifiants perdus ou volés (HB-6) : l'ancien mot de passe cesse aussitôt, les sessions ferment.
    Reinitialiser {
        /// Identifiant de l'agent.
        identifiant: String,
        #[arg(long, default_value = "lien", value_parser = remise)]
        remise: Remise,
    },
}

fn remise(texte: &str) -> Result<Remise, String> {
    Remise::parse(texte).map_err(|e| e.to_string())
}

fn ligne(d: &DemandeEnregistree) -> String {
    [
        d.id.0.to_string(),
        partage_app::habilitations::etat_code(d.demande.etat()).to_owned(),
        partage_store::habilitations::nature_code(&d.demande).to_owned(),
        d.partenaire.to_string(),
        d.convention.to_string(),
        d.bouquet.code().to_owned(),
        format!("{} {}", d.demande.agent().prenom, d.demande.agent().nom),
    ]
    .join("\t")
}

fn remis(i: &Identifiants) -> String {
    match &i.remis {
        Remis::Lien { courriel_masque } => {
            format!(
                "Identifiant {} : lien d'activation envoyé à {courriel_masque}.",
                i.identifiant
            )
        }
        Remis::Pli {
            mot_de_passe_provisoire,
        } => format!(
            "Identifiant {} : mot de passe provisoire (affiché une seule fois, pour le pli scellé) : {}",
            i.identifiant,
            mot_de_passe_provisoire.expose_secret()
        ),
    }
}

pub async fn run(database_url: &str, args: HabilitationsArgs) -> anyhow::Result<ExitCode> {
    let settings = partage_app::Settings {
        courriel: args
            .courriel
            .courriel(partage_app::Courriel::default().url_publique),
        ..partage_app::Settings::default()
    };
    let app = crate::config::open_app(database_url, settings)
        .await?
        .avec_messagerie(args.courriel.messagerie(&args.data_dir)?);
    let (app, command) = (&app, &args.command);
    en_tant_que(app, &args.caisse, &args.personnel, |staff| async move {
        match command {
            HabilitationsCommand::Lister { etat, partenaire } => app
                .demandes(&staff, etat.as_deref(), partenaire.as_deref(), SOURCE)
                .await
                .map(|liste| liste.iter().map(ligne).collect::<Vec<_>>()),
            HabilitationsCommand::Accorder { id, remise } => {
                app.accorder_demande(&staff, *id, *remise, SOURCE).await.map(|a| {
                    let mut sortie = vec![format!(
                        "Demande {} : {}.",
                        id,
                        partage_app::habilitations::etat_code(a.demande.demande.etat())
                    )];
                    sortie.extend(a.identifiants.as_ref().map(remis));
                    sortie
                })
            }
            HabilitationsCommand::Reinitialiser { identifiant, remise } => app
                .reinitialiser_identifiants(&staff, identifiant, *remise, SOURCE)
                .await
                .map(|i| vec![remis(&i)]),
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, clap::Parser)]
    struct Essai {
        #[command(flatten)]
        args: HabilitationsArgs,
    }

    fn parse(ligne: &[&str]) -> Result<HabilitationsArgs, clap::Error> {
        let mut tout = vec!["partage", "--caisse", "MSA-ADL", "--personnel", "lmoreau"];
        tout.extend_from_slice(ligne);
        Essai::try_parse_from(tout).map(|e| e.args)
    }

    #[test]
    fn hb_3_the_delivery_is_a_link_unless_a_sealed_letter_is_asked() {
        let a = parse(&["accorder", "12"]).unwrap();
        assert!(matches!(
            a.command,
            HabilitationsCommand::Accorder {
                id: 12,
                remise: Remise::Lien
            }
        ));
        let a = parse(&["accorder", "12", "--remise", "pli"]).unwrap();
        assert!(matches!(
            a.command,
            HabilitationsCommand::Accorder {
                remise: Remise::Pli,
                ..
            }
        ));
        let a = parse(&["reinitialiser", "cmartin", "--remise", "lien"]).unwrap();
        assert!(
            matches!(a.command, HabilitationsCommand::Reinitialiser { ref identifiant, remise: Remise::Lien } if identifiant == "cmartin")
        );
        let e = parse(&["accorder", "12", "--remise", "pigeon"])
            .unwrap_err()
            .to_string();
        assert!(e.contains("remise « pigeon » inconnue"), "{e}");
        assert!(parse(&["lister", "--etat", "soumise"]).is_ok());
        assert!(parse(&["accorder"]).is_err(), "the request's number is required");
    }
}
