//! The PSU bouquet (BQ-PSU, CO-2, CO-6; 001:3-4, 004:3-4): a dossier found by its NIR, or by its matricule
//! (001:4-3), always together with the allocataire's name; then its three rubriques, "Coordonnées du
//! dossier", "Situation familiale" and "Ressources hors prestations familiales", for the chosen month.

use crate::consult::RechercheNominative;
use crate::{Agent, App, AppError};
use chrono::NaiveDate;
use partage_domain::dossier::{Adresse, Personne};
use partage_domain::famille::{PeriodeRessources, Situation};
use partage_domain::{Bouquet, Dossier, Euros};
use serde::Serialize;

/// A PSU search as typed by the user: the NIR or the matricule, and the name.
pub type PsuQuery<'a> = RechercheNominative<'a>;

/// The PSU bouquet's answer: its rubriques and nothing else (no QF, no RSA data).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PsuView {
    /// Coordonnées du dossier.
    pub matricule: String,
    pub allocataires: Vec<Personne>,
    pub adresse: Adresse,
    pub situation_familiale: SituationFamiliale,
    /// Ressources hors prestations familiales of the chosen month; `None` when none is valid then.
    pub ressources: Option<RessourcesDuMois>,
    /// Every validity period (CO-6).
    pub periodes: Vec<PeriodeRessources>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SituationFamiliale {
    pub situation: Option<Situation>,
    pub libelle: Option<&'static str>,
    pub enfants_a_charge: Option<u8>,
    pub enfants: Vec<EnfantPsu>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnfantPsu {
    pub nom_naissance: String,
    pub nom_usage: Option<String>,
    pub prenoms: String,
    pub date_naissance: Option<NaiveDate>,
    /// AEEH is paid for this child.
    pub aeeh: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RessourcesDuMois {
    pub annee: i32,
    pub mois: u32,
    pub annee_reference: i32,
    pub montant_annuel: Euros,
    pub debut: NaiveDate,
    pub fin: NaiveDate,
}

impl PsuView {
    fn new(dossier: Dossier, annee: i32, mois: u32) -> PsuView {
        let ressources = dossier.ressources_du_mois(annee, mois).map(|p| RessourcesDuMois {
            annee,
            mois,
            annee_reference: p.annee_reference,
            montant_annuel: p.montant_annuel,
            debut: p.debut,
            fin: p.fin,
        });
        let famille = dossier.famille;
        let enfants = dossier
            .enfants
            .into_iter()
            .enumerate()
            .map(|(i, p)| EnfantPsu {
                nom_naissance: p.nom_naissance,
                nom_usage: p.nom_usage,
                prenoms: p.prenoms,
                date_naissance: p.date_naissance,
                aeeh: famille.enfants_aeeh.contains(&i),
            })
            .collect();
        PsuView {
            matricule: dossier.matricule.to_string(),
            allocataires: dossier.allocataires,
            adresse: dossier.adresse,
            situation_familiale: SituationFamiliale {
                situation: famille.situation,
                libelle: famille.situation.map(Situation::libelle),
                enfants_a_charge: famille.enfants_a_charge,
                enfants,
            },
            ressources,
            periodes: dossier.ressources,
        }
    }
}

impl App {
    /// CO-2: the dossier is found only when the NIR (or the matricule) and the allocataire's name both
    /// match; either alone finds nothing, and the user is told what is missing.
    pub async fn consult_psu(
        &self,
        agent: &Agent,
        query: PsuQuery<'_>,
        source: &str,
    ) -> Result<PsuView, AppError> {
        let (dossier, annee, mois) = self.trouver_par_nom(agent, Bouquet::Psu, &query, source).await?;
        let view = PsuView::new(dossier, annee, mois);
        self.trace_succes(agent, Bouquet::Psu, &view.matricule, source)
            .await?;
        Ok(view)
    }
}
