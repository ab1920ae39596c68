//! The RSACG bouquet (BQ-RSA, CO-3, CO-6; 002:3, 002:7): a conseil départemental's agent reads the RSA
//! dossiers of his circonscriptions, and nothing else. Its five rubriques: Famille, Droits, RSA, Ressources,
//! Adresse; no QF, no PSU resources.
//!
//! The dossier is found by a NIR of one of its people or by its matricule; the allocataire's name is not
//! asked. Convention 002 sets no name rule (unlike 001:4-5 for PSU, CO-2), and an RSACG agent reaches only
//! the RSA dossiers of his own circonscriptions (CO-3): a NIR typed by mistake outside them finds nothing,
//! whatever the name would have been. Every refusal beyond the gate answers exactly like a dossier that does
//! not exist (another circonscription, a dossier without RSA right), and the trace keeps the true reason.

use crate::consult::RechercheNominative;
use crate::{Agent, App, AppError};
use chrono::NaiveDate;
use partage_domain::dossier::{Adresse, Personne};
use partage_domain::famille::Situation;
use partage_domain::rsa::{AdresseAnterieure, DeclarationTrimestrielle, EtatRsa, Prestation};
use partage_domain::{Bouquet, Dossier, Euros};
use serde::Serialize;

/// An RSACG search: the NIR or the matricule (never both), and the month to show (CO-6). `nom` is never
/// read (the API refuses it as an unknown field).
pub type RsacgQuery<'a> = RechercheNominative<'a>;

/// The RSACG bouquet's answer: its five rubriques and nothing else.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RsacgView {
    pub matricule: String,
    /// The month the periods are read for (CO-6).
    pub annee: i32,
    pub mois: u32,
    pub famille: FamilleRsa,
    pub droits: DroitsRsa,
    pub rsa: DroitRsaView,
    pub ressources: RessourcesRsa,
    pub adresse: AdresseRsa,
}

/// Famille: the household's members and situation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FamilleRsa {
    pub situation: Option<Situation>,
    pub libelle: Option<&'static str>,
    pub enfants_a_charge: Option<u8>,
    pub allocataires: Vec<Personne>,
    pub enfants: Vec<Personne>,
}

/// Droits: the benefits paid in the chosen month, and every benefit with its period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DroitsRsa {
    pub du_mois: Vec<Prestation>,
    pub periodes: Vec<Prestation>,
}

/// RSA: the state of the right.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DroitRsaView {
    pub etat: EtatRsa,
    pub libelle: &'static str,
    pub ouvert_le: NaiveDate,
    pub montant_mensuel: Euros,
    pub majoration: bool,
    pub motif_suspension: Option<String>,
}

/// Ressources: the declaration of the chosen month's quarter, and every declaration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RessourcesRsa {
    pub trimestre_du_mois: Option<DeclarationTrimestrielle>,
    pub declarations: Vec<DeclarationTrimestrielle>,
}

/// Adresse: the current address, and the previous ones, most recent first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AdresseRsa {
    pub actuelle: Adresse,
    pub anterieures: Vec<AdresseAnterieure>,
}

impl RsacgView {
    /// `None` for a dossier without RSA right, which the perimeter never lets through (BQ-RSA).
    fn new(dossier: Dossier, annee: i32, mois: u32) -> Option<RsacgView> {
        let rsa = dossier.rsa;
        let droit = rsa.droit.clone()?;
        let famille = dossier.famille;
        Some(RsacgView {
            matricule: dossier.matricule.to_string(),
            annee,
            mois,
            famille: FamilleRsa {
                situation: famille.situation,
                libelle: famille.situation.map(Situation::libelle),
                enfants_a_charge: famille.enfants_a_charge,
                allocataires: dossier.allocataires,
                enfants: dossier.enfants,
            },
            droits: DroitsRsa {
                du_mois: rsa.prestations_du_mois(annee, mois),
                periodes: rsa.prestations.clone(),
            },
            rsa: DroitRsaView {
                etat: droit.etat,
                libelle: droit.etat.libelle(),
                ouvert_le: droit.ouvert_le,
                montant_mensuel: droit.montant_mensuel,
                majoration: droit.majoration,
                motif_suspension: droit.motif_suspension,
            },
            ressources: RessourcesRsa {
                trimestre_du_mois: rsa.declaration_du_mois(annee, mois).cloned(),
                declarations: rsa.declarations,
            },
            adresse: AdresseRsa {
                actuelle: dossier.adresse,
                anterieures: rsa.adresses_anterieures,
            },
        })
    }
}

impl App {
    /// BQ-RSA, CO-3: an RSA dossier of the agent's circonscriptions, its five rubriques for the chosen month.
    pub async fn consult_rsacg(
        &self,
        agent: &Agent,
        query: RsacgQuery<'_>,
        source: &str,
    ) -> Result<RsacgView, AppError> {
        let (dossier, annee, mois) = self.trouver(agent, Bouquet::Rsacg, &query, false, source).await?;
        let view = RsacgView::new(dossier, annee, mois).ok_or(AppError::DossierIntrouvable)?;
        self.trace_succes(agent, Bouquet::Rsacg, &view.matricule, source)
            .await?;
        Ok(view)
    }
}
