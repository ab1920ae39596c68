//! A convention's versions and avenants in the back office (SPEC CV-7): the history of versions, and the
//! recording of an avenant signed by both parties (role `conventions`), traced like every staff act.

use crate::conventions::cycle_de;
use crate::personnel::Staff;
use crate::{App, AppError};
use partage_domain::avenants::{Avenant, Contenu, SousTraitant, Violation};
use partage_domain::cycle::Etat;
use partage_domain::personnel::Role;
use partage_domain::trace::Resultat;
pub use partage_store::avenants::{SousTraitantRecord, VersionRecord, ViolationRecord};
use partage_store::cycles::ConventionCycle;
use partage_store::habilitations::ConventionDuPartenaire;

/// Version 1 before any avenant: the convention as imported.
fn version_initiale(c: &ConventionCycle, live: Option<&ConventionDuPartenaire>) -> VersionRecord {
    VersionRecord {
        numero: 1,
        contenu: Contenu {
            bouquets: c.bouquets.clone(),
            departements: live.map_or_else(Vec::new, |l| {
                l.departements.iter().map(ToString::to_string).collect()
            }),
            plafond_habilitations: live.and_then(|l| l.plafond),
            gestion: live.and_then(|l| l.gestion).map(|g| g.code().to_owned()),
            annexes: Vec::new(),
        }
        .normalise(),
        signe_partenaire_le: c.acces.signee_le,
        signe_caisse_le: c.acces.signee_le,
        effet_le: c.acces.signee_le,
        reference: "convention initiale (import)".into(),
        par: "import".into(),
        horodatage: c.acces.signee_le.and_time(chrono::NaiveTime::MIN).and_utc(),
    }
}

impl App {
    /// Traces a staff act's outcome (success or refusal) and passes it on.
    async fn tracer_issue<T>(
        &self,
        staff: &Staff,
        outcome: Result<T, AppError>,
        source: &str,
    ) -> Result<T, AppError> {
        let resultat = match &outcome {
            Ok(_) => Resultat::Succes,
            Err(AppError::ReauthentificationRequise { .. }) => Resultat::ReauthentificationRequise,
            Err(_) => Resultat::Refuse,
        };
        self.tracer_gestion(staff, resultat, source).await?;
        outcome
    }

    pub(crate) async fn versions_de(&self, c: &ConventionCycle) -> Result<Vec<VersionRecord>, AppError> {
        let stored = self.store.versions(c.id).await?;
        if !stored.is_empty() {
            return Ok(stored);
        }
        let detail = self
            .store
            .convention_du_partenaire(c.caisse_id, &c.partenaire, &c.numero)
            .await?
            .ok();
        Ok(vec![version_initiale(c, detail.as_ref())])
    }

    /// The versions of a convention of the staff member's caisse, oldest first (role `conventions`).
    pub async fn versions_convention(
        &self,
        staff: &Staff,
        numero: &str,
        source: &str,
    ) -> Result<Vec<VersionRecord>, AppError> {
        self.exiger(staff, Role::Conventions, source).await?;
        let c = self.convention_de_la_caisse(staff, numero).await?;
        self.touch_personnel(staff).await?;
        self.versions_de(&c).await
    }

    /// Records an avenant as the convention's next version (role `conventions`). Refused, writing nothing,
    /// on an ended convention, when a signature is missing or in the future, when it changes nothing (a test
    /// or experiment period needs no avenant), when its cap exceeds the maximum, when it changes the gestion
    /// mode without a fresh password (AU-4, as the direct change), or when another avenant was recorded
    /// meanwhile, or when it lists a département that is not the caisse's (TEN-3). The new version's
    /// bouquets, départements (which narrow the perimeter, CV-7), cap and gestion mode apply to the live
    /// convention at once.
    /// Returns the versions.
    pub async fn enregistrer_avenant(
        &self,
        staff: &Staff,
        numero: &str,
        avenant: Avenant,
        source: &str,
    ) -> Result<Vec<VersionRecord>, AppError> {
        self.exiger(staff, Role::Conventions, source).await?;
        let outcome = self.ecrire_avenant(staff, numero, avenant).await;
        self.tracer_issue(staff, outcome, source).await
    }

    async fn ecrire_avenant(
        &self,
        staff: &Staff,
        numero: &str,
        avenant: Avenant,
    ) -> Result<Vec<VersionRecord>, AppError> {
        let c = self.convention_de_la_caisse(staff, numero).await?;
        if let Etat::Terminee { le, .. } = cycle_de(&c, self.clock.today()).etat {
            return Err(AppError::AvenantRefuse(format!(
                "la convention a pris fin le {le} : un avenant ne peut plus la modifier"
            )));
        }
        let premiere = self.store.versions(c.id).await?.is_empty();
        let mut versions = self.versions_de(&c).await?;
        let Some(en_vigueur) = versions.last() else {
            return Err(AppError::Interne("une convention sans version".into()));
        };
        let departements_caisse = self.store.departements_caisse(c.caisse_id).await?;
        let contenu = avenant
            .verifier(&en_vigueur.contenu, self.clock.today())
            .and_then(|contenu| contenu.departements_de_la_caisse(&departements_caisse))
            .map_err(AppError::AvenantRefuse)?;
        // Changing the gestion mode is as sensitive through an avenant as directly (CV-12, AU-4).
        if contenu.gestion != en_vigueur.contenu.clone().normalise().gestion {
            self.exiger_fraicheur(staff)?;
        }
        let suivante = VersionRecord {
            numero: en_vigueur.numero + 1,
            contenu,
            signe_partenaire_le: avenant.signe_partenaire_le,
            signe_caisse_le: avenant.signe_caisse_le,
            effet_le: avenant.effet_le(),
            reference: avenant.reference.trim().to_owned(),
            par: staff.personnel.identifiant.to_string(),
            horodatage: self.clock.now(),
        };
        let a_ecrire = if premiere {
            vec![en_vigueur.clone(), suivante.clone()]
        } else {
            vec![suivante.clone()]
        };
        if !self.store.record_versions(c.id, &a_ecrire).await? {
            return Err(AppError::TransitionRefusee(
                "un autre avenant vient d'être enregistré sur cette convention : rechargez-la et recommencez"
                    .into(),
            ));
        }
        versions.push(suivante);
        Ok(versions)
    }

    /// CV-11: a convention's data-breach notifications, oldest notified first (role `conventions`).
    pub async fn violations_convention(
        &self,
        staff: &Staff,
        numero: &str,
        source: &str,
    ) -> Result<Vec<ViolationRecord>, AppError> {
        self.exiger(staff, Role::Conventions, source).await?;
        let c = self.convention_de_la_caisse(staff, numero).await?;
        self.touch_personnel(staff).await?;
        Ok(self.store.violations(c.id).await?)
    }

    /// CV-11: records a data-breach notification from the partner, with its documents (role `conventions`).
    /// Refused, writing nothing, with a date in the future, no description or no document. Returns the
    /// convention's notifications.
    pub async fn enregistrer_violation(
        &self,
        staff: &Staff,
        numero: &str,
        violation: Violation,
        source: &str,
    ) -> Result<Vec<ViolationRecord>, AppError> {
        self.exiger(staff, Role::Conventions, source).await?;
        let outcome = self.ecrire_violation(staff, numero, violation).await;
        self.tracer_issue(staff, outcome, source).await
    }

    async fn ecrire_violation(
        &self,
        staff: &Staff,
        numero: &str,
        violation: Violation,
    ) -> Result<Vec<ViolationRecord>, AppError> {
        let c = self.convention_de_la_caisse(staff, numero).await?;
        let v = violation
            .verifier(self.clock.today())
            .map_err(AppError::RequeteInvalide)?;
        let record = ViolationRecord {
            notifiee_le: v.notifiee_le,
            description: v.description,
            documents: v.documents,
            par: staff.personnel.identifiant.to_string(),
            horodatage: self.clock.now(),
        };
        self.store.record_violation(c.id, &record).await?;
        Ok(self.store.violations(c.id).await?)
    }

    /// CV-9: the sub-contractors declared on a convention, oldest declared first (role `conventions`).
    pub async fn sous_traitants_convention(
        &self,
        staff: &Staff,
        numero: &str,
        source: &str,
    ) -> Result<Vec<SousTraitantRecord>, AppError> {
        self.exiger(staff, Role::Conventions, source).await?;
        let c = self.convention_de_la_caisse(staff, numero).await?;
        self.touch_personnel(staff).await?;
        Ok(self.store.sous_traitants(c.id).await?)
    }

    /// CV-9: records a sub-contractor the partner declared (role `conventions`). Refused, writing nothing,
    /// when declared less than six months before its start, in the future, or with a field missing.
    /// Returns the convention's sub-contractors.
    pub async fn declarer_sous_traitant(
        &self,
        staff: &Staff,
        numero: &str,
        declaration: SousTraitant,
        source: &str,
    ) -> Result<Vec<SousTraitantRecord>, AppError> {
        self.exiger(staff, Role::Conventions, source).await?;
        let outcome = self.ecrire_sous_traitant(staff, numero, declaration).await;
        self.tracer_issue(staff, outcome, source).await
    }

    async fn ecrire_sous_traitant(
        &self,
        staff: &Staff,
        numero: &str,
        declaration: SousTraitant,
    ) -> Result<Vec<SousTraitantRecord>, AppError> {
        let c = self.convention_de_la_caisse(staff, numero).await?;
        let declaration = declaration
            .verifier(self.clock.today())
            .map_err(AppError::RequeteInvalide)?;
        let record = SousTraitantRecord {
            declaration,
            par: staff.personnel.identifiant.to_string(),
            horodatage: self.clock.now(),
        };
        self.store.record_sous_traitant(c.id, &record).await?;
        Ok(self.store.sous_traitants(c.id).await?)
    }
}
