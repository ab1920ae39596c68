//! The référentiel des tiers in the back office (SPEC TEN): staff with role `conventions` or `habilitation`
//! read it, staff with role `conventions` keep it. Every write is traced, refused or not, and a refused fiche
//! writes nothing.

use crate::conventions::cycle_de;
use crate::personnel::Staff;
use crate::{App, AppError};
use partage_domain::cycle::Cycle;
use partage_domain::partenaire::{Fiche, Saisie};
use partage_domain::personnel::Role;
use partage_domain::trace::Action;
use partage_domain::NumeroTiers;
use partage_store::cycles::ConventionCycle;

/// A partner's fiche and its conventions, as the staff see it.
#[derive(Debug, Clone)]
pub struct PartenaireDetail {
    pub fiche: Fiche,
    /// Its conventions with the caisse, each with its current state.
    pub conventions: Vec<(ConventionCycle, Cycle)>,
}

impl App {
    /// OP-2: the fiche of the agent's own partner, to fill the model letter he gives families with his
    /// partner's name and address. None when the référentiel has lost the partner (his session would not
    /// have opened).
    pub async fn partenaire_de_l_agent(&self, agent: &crate::Agent) -> Result<Option<Fiche>, AppError> {
        let s = &agent.session;
        Ok(self.store.partenaire(s.caisse_id, &s.partenaire).await?)
    }

    /// Reading the référentiel needs role `conventions` or `habilitation` (the latter grants on it).
    async fn exiger_lecture_tiers(&self, staff: &Staff, source: &str) -> Result<(), AppError> {
        let role = if staff.personnel.roles.contient(Role::Habilitation) {
            Role::Habilitation
        } else {
            Role::Conventions
        };
        self.exiger(staff, role, source).await
    }

    /// The caisse's partners whose name or N° tiers contains `recherche`.
    pub async fn partenaires(
        &self,
        staff: &Staff,
        recherche: &str,
        source: &str,
    ) -> Result<Vec<Fiche>, AppError> {
        self.exiger_lecture_tiers(staff, source).await?;
        let recherche: String = recherche.trim().chars().take(100).collect();
        let liste = self
            .store
            .partenaires(staff.personnel.caisse_id, &recherche)
            .await?;
        self.touch_personnel(staff).await?;
        Ok(liste)
    }

    /// One partner of the caisse with its conventions.
    pub async fn partenaire_detail(
        &self,
        staff: &Staff,
        tiers: &str,
        source: &str,
    ) -> Result<PartenaireDetail, AppError> {
        self.exiger_lecture_tiers(staff, source).await?;
        let fiche = self.fiche_de_la_caisse(staff, tiers).await?;
        let aujourdhui = self.clock.today();
        let conventions = self
            .store
            .conventions_de_la_caisse(staff.personnel.caisse_id)
            .await?
            .into_iter()
            .filter(|c| c.partenaire == fiche.numero_tiers)
            .map(|c| {
                let cycle = cycle_de(&c, aujourdhui);
                (c, cycle)
            })
            .collect();
        self.touch_personnel(staff).await?;
        Ok(PartenaireDetail { fiche, conventions })
    }

    async fn fiche_de_la_caisse(&self, staff: &Staff, tiers: &str) -> Result<Fiche, AppError> {
        let introuvable =
            || AppError::Introuvable(format!("aucun partenaire n° {} dans votre caisse", tiers.trim()));
        let tiers = NumeroTiers::parse(tiers.trim()).map_err(|_| introuvable())?;
        self.store
            .partenaire(staff.personnel.caisse_id, &tiers)
            .await?
            .ok_or_else(introuvable)
    }

    /// Adds a partner to the référentiel (role `conventions`).
    pub async fn creer_partenaire(
        &self,
        staff: &Staff,
        saisie: &Saisie,
        source: &str,
    ) -> Result<Fiche, AppError> {
        self.ecrire_partenaire(staff, saisie, true, source).await
    }

    /// Replaces the fiche of the partner `saisie.numero_tiers` (role `conventions`); the number itself does not
    /// change.
    pub async fn modifier_partenaire(
        &self,
        staff: &Staff,
        saisie: &Saisie,
        source: &str,
    ) -> Result<Fiche, AppError> {
        self.ecrire_partenaire(staff, saisie, false, source).await
    }

    async fn ecrire_partenaire(
        &self,
        staff: &Staff,
        saisie: &Saisie,
        creation: bool,
        source: &str,
    ) -> Result<Fiche, AppError> {
        self.exiger(staff, Role::Conventions, source).await?;
        let outcome = self.enregistrer_fiche(staff, saisie, creation).await;
        let detail = format!(
            "partenaire={};acte={}",
            saisie
                .numero_tiers
                .trim()
                .chars()
                .take(40)
                .collect::<String>()
                .replace([';', '='], "_"),
            if creation { "creation" } else { "modification" }
        );
        let partenaire = outcome.as_ref().ok().map(|f| f.numero_tiers.to_string());
        self.tracer_acte(staff, Action::Gestion, &outcome, detail, partenaire, source)
            .await?;
        outcome
    }

    async fn enregistrer_fiche(
        &self,
        staff: &Staff,
        saisie: &Saisie,
        creation: bool,
    ) -> Result<Fiche, AppError> {
        let caisse = staff.personnel.caisse_id;
        let departements = self.store.departements_caisse(caisse).await?;
        let fiche = saisie.valider(&departements).map_err(AppError::FicheRefusee)?;
        if creation {
            if !self.store.creer_partenaire(caisse, &fiche).await? {
                return Err(AppError::DejaExistant(format!(
                    "le partenaire n° {} existe déjà dans votre caisse",
                    fiche.numero_tiers
                )));
            }
        } else if !self.store.modifier_partenaire(caisse, &fiche).await? {
            return Err(AppError::Introuvable(format!(
                "aucun partenaire n° {} dans votre caisse",
                fiche.numero_tiers
            )));
        }
        Ok(fiche)
    }
}
