//! `partage conventions`: a caisse's conventions, for the caisse's IT to script. One convention per line,
//! fields separated by tabs: numéro, N° tiers, partenaire, bouquets, état, prochaine échéance, ce qui s'y
//! passera. `afficher` adds an eighth: the départements the convention narrows its access to, separated by
//! commas (empty when it narrows none: the partner's). `echeances` keeps those due within four months,
//! soonest first. `creer` makes a draft for a
//! partner of the référentiel; `attester` records the partner's attestation of return or destruction of
//! the data of an ended convention (CV-8). Both log in the staff member named by `--personnel` (role
//! `conventions`), act as him through the back office's use cases and log him out ([`crate::connexion`]).

use crate::connexion::{en_tant_que, PersonnelArgs, SOURCE};
use partage_app::conventions::ConventionACreer;
use partage_app::registre::{a_l_echeance, ConventionInscrite};
use partage_domain::avenants::{Attestation, NatureAttestation};
use partage_domain::Bouquet;
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
    /// Crée une convention en brouillon pour un partenaire du référentiel ; les actes (signatures, formalité
    /// CNIL) se font ensuite au back office ou par l'API.
    Creer {
        #[arg(long)]
        caisse: String,
        #[arg(long)]
        numero: String,
        /// N° tiers du partenaire.
        #[arg(long)]
        partenaire: String,
        /// Bouquets séparés par des virgules : QF, PSU, RSACG, MCP-QF, MCP-ADRESSE.
        #[arg(long)]
        bouquets: String,
        /// Plafond d'habilitations (aucun si absent).
        #[arg(long)]
        plafond: Option<u32>,
        /// centralisee ou deleguee (le mode par défaut de la caisse si absent).
        #[arg(long)]
        gestion: Option<String>,
        /// Le membre du personnel (rôle conventions) qui la crée.
        #[command(flatten)]
        personnel: PersonnelArgs,
    },
    /// Enregistre l'attestation de restitution ou de destruction des données d'une convention terminée.
    Attester {
        #[arg(long)]
        caisse: String,
        #[arg(long)]
        numero: String,
        /// restitution ou destruction.
        #[arg(long)]
        nature: String,
        /// Date de l'attestation du partenaire (AAAA-MM-JJ).
        #[arg(long)]
        le: String,
        /// Référence du document reçu.
        #[arg(long)]
        reference: String,
        /// Le membre du personnel (rôle conventions) qui l'enregistre.
        #[command(flatten)]
        personnel: PersonnelArgs,
    },
}

async fn creer(
    app: &partage_app::App,
    caisse: &str,
    personnel: &PersonnelArgs,
    convention: ConventionACreer,
) -> anyhow::Result<ExitCode> {
    en_tant_que(app, caisse, personnel, |staff| async move {
        let detail = app.creer_convention(&staff, &convention, SOURCE).await?;
        Ok(vec![format!(
            "Convention n° {} créée en brouillon dans la caisse {}.",
            detail.convention.numero, detail.convention.caisse
        )])
    })
    .await
}

/// `QF,PSU` as bouquets; the unknown codes otherwise.
fn bouquets(liste: &str) -> Result<Vec<Bouquet>, String> {
    let mut bouquets = Vec::new();
    let mut inconnus = Vec::new();
    for code in liste.split(',').map(str::trim).filter(|c| !c.is_empty()) {
        match Bouquet::parse(code) {
            Some(b) => bouquets.push(b),
            None => inconnus.push(code.chars().take(20).collect::<String>()),
        }
    }
    if inconnus.is_empty() {
        Ok(bouquets)
    } else {
        Err(format!("bouquet(s) inconnu(s) : {}", inconnus.join(", ")))
    }
}

async fn attester(
    app: &partage_app::App,
    caisse: &str,
    numero: &str,
    nature: &str,
    le: &str,
    reference: &str,
    personnel: &PersonnelArgs,
) -> anyhow::Result<ExitCode> {
    let Some(nature) = NatureAttestation::parse(nature) else {
        eprintln!(
            "partage : la nature de l'attestation est « restitution » ou « destruction » (requete_invalide)"
        );
        return Ok(ExitCode::FAILURE);
    };
    let Ok(attestee_le) = chrono::NaiveDate::parse_from_str(le.trim(), "%Y-%m-%d") else {
        eprintln!(
            "partage : --le : « {} » n'est pas une date AAAA-MM-JJ (requete_invalide)",
            le.trim()
        );
        return Ok(ExitCode::FAILURE);
    };
    let attestation = Attestation {
        nature,
        attestee_le,
        reference: reference.to_owned(),
    };
    en_tant_que(app, caisse, personnel, |staff| async move {
        app.enregistrer_attestation(&staff, numero, attestation, SOURCE)
            .await?;
        Ok(vec![format!(
            "Attestation de {} enregistrée sur la convention n° {}.",
            nature.libelle(),
            numero.trim()
        )])
    })
    .await
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
        ConventionsCommand::Creer {
            caisse,
            numero,
            partenaire,
            bouquets: liste,
            plafond,
            gestion,
            personnel,
        } => {
            let bouquets = match bouquets(liste) {
                Ok(b) => b,
                Err(e) => {
                    eprintln!("partage : {e} (requete_invalide)");
                    return Ok(ExitCode::FAILURE);
                }
            };
            let convention = ConventionACreer {
                numero: numero.clone(),
                partenaire: partenaire.clone(),
                bouquets,
                plafond_habilitations: *plafond,
                gestion: gestion.clone(),
            };
            return creer(&app, caisse, personnel, convention).await;
        }
        ConventionsCommand::Attester {
            caisse,
            numero,
            nature,
            le,
            reference,
            personnel,
        } => return attester(&app, caisse, numero, nature, le, reference, personnel).await,
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
        if numero.is_some() {
            // `afficher`: one convention, with the départements it narrows its access to.
            let departements = match app.departements_en_ligne_de_commande(&c.convention).await {
                Ok(d) => d.iter().map(|d| d.as_str()).collect::<Vec<_>>().join(","),
                Err(e) => {
                    eprintln!("partage : {e} ({})", e.code());
                    return Ok(ExitCode::FAILURE);
                }
            };
            println!("{}\t{departements}", ligne(c));
        } else {
            println!("{}", ligne(c));
        }
    }
    Ok(ExitCode::SUCCESS)
}
