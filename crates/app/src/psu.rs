//! The PSU bouquet (BQ-PSU, CO-2, CO-6; 001:3-4, 004:3-4): a dossier found by its NIR, or by its matricule
//! (001:4-3), always together with the allocataire's name; then its three rubriques, "Coordonnées du
//! dossier", "Situation familiale" and "Ressources hors prestations familiales", for the chosen month; and
//! the hourly family fee the caisse's barème gives for that month, with what it was computed from.

use crate::consult::RechercheNominative;
use crate::{Agent, App, AppError};
use chrono::NaiveDate;
use partage_domain::bareme::{bareme_du_jour, BaremePsu, TypeAccueil};
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
    /// The hourly family fee of the chosen month, or why there is none.
    pub tarif_horaire: TarifPsu,
}

/// The PSU family fee of the month for both types of accueil, with its inputs; `calcul` is `None` when it
/// cannot be computed, and `message` then says why, in French.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TarifPsu {
    pub statut: StatutTarif,
    pub message: Option<&'static str>,
    pub calcul: Option<CalculTarif>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StatutTarif {
    Calcule,
    SansBareme,
    SansRessources,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CalculTarif {
    /// The barème period in force on the first day of the month.
    pub bareme_debut: NaiveDate,
    pub bareme_fin: Option<NaiveDate>,
    pub plancher_mensuel: Euros,
    pub plafond_mensuel: Euros,
    pub ressources_annuelles: Euros,
    /// Annual resources / 12, held between the floor and the ceiling.
    pub ressources_mensuelles_retenues: Euros,
    pub plancher_applique: bool,
    pub plafond_applique: bool,
    pub enfants_a_charge: Option<u8>,
    /// A child of the family receives AEEH: the rate of one more child applies.
    pub aeeh: bool,
    pub enfants_retenus: u8,
    pub collectif: TarifAccueil,
    /// Accueil familial, parental or micro-crèche.
    pub familial: TarifAccueil,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TarifAccueil {
    /// The taux d'effort as a percentage, `0,0619 %`.
    pub taux_effort: String,
    pub tarif: Euros,
}

impl TarifPsu {
    fn new(
        baremes: &[BaremePsu],
        ressources: Option<&RessourcesDuMois>,
        famille: &SituationFamiliale,
    ) -> TarifPsu {
        let refus = |statut, message| TarifPsu {
            statut,
            message: Some(message),
            calcul: None,
        };
        let Some(r) = ressources else {
            return refus(
                StatutTarif::SansRessources,
                "Aucune ressource n'est connue pour ce mois : le tarif horaire ne peut pas être calculé.",
            );
        };
        let jour = NaiveDate::from_ymd_opt(r.annee, r.mois, 1).unwrap_or(r.debut);
        let Some(b) = bareme_du_jour(baremes, jour) else {
            return refus(
                StatutTarif::SansBareme,
                "Aucun barème PSU de la caisse n'est en vigueur ce mois-ci : le tarif horaire ne peut pas être calculé.",
            );
        };
        let aeeh = famille.enfants.iter().any(|e| e.aeeh);
        let enfants = famille.enfants_a_charge.unwrap_or(0);
        let calcul = |accueil| b.tarif_horaire(r.montant_annuel, enfants, aeeh, accueil);
        let (c, f) = (calcul(TypeAccueil::Collectif), calcul(TypeAccueil::Familial));
        TarifPsu {
            statut: StatutTarif::Calcule,
            message: None,
            calcul: Some(CalculTarif {
                bareme_debut: b.debut(),
                bareme_fin: b.fin(),
                plancher_mensuel: b.plancher_mensuel(),
                plafond_mensuel: b.plafond_mensuel(),
                ressources_annuelles: r.montant_annuel,
                ressources_mensuelles_retenues: c.ressources_mensuelles_retenues,
                plancher_applique: c.plancher_applique,
                plafond_applique: c.plafond_applique,
                enfants_a_charge: famille.enfants_a_charge,
                aeeh,
                enfants_retenus: c.enfants_retenus,
                collectif: TarifAccueil {
                    taux_effort: c.taux.to_string(),
                    tarif: c.tarif,
                },
                familial: TarifAccueil {
                    taux_effort: f.taux.to_string(),
                    tarif: f.tarif,
                },
            }),
        }
    }
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
    fn new(dossier: Dossier, annee: i32, mois: u32, baremes: &[BaremePsu]) -> PsuView {
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
        let situation_familiale = SituationFamiliale {
            situation: famille.situation,
            libelle: famille.situation.map(Situation::libelle),
            enfants_a_charge: famille.enfants_a_charge,
            enfants,
        };
        PsuView {
            matricule: dossier.matricule.to_string(),
            allocataires: dossier.allocataires,
            adresse: dossier.adresse,
            tarif_horaire: TarifPsu::new(baremes, ressources.as_ref(), &situation_familiale),
            situation_familiale,
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
        let baremes = self.store.baremes_psu(agent.session.caisse_id).await?;
        let view = PsuView::new(dossier, annee, mois, &baremes);
        self.trace_succes(agent, Bouquet::Psu, &view.matricule, source)
            .await?;
        Ok(view)
    }
}
