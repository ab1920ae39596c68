//! The caisse's register of conventions as the back office shows it (SPEC CV): the list with each state
//! and next échéance, one convention's whole file, and the échéances coming up for the work list.

use crate::conventions::{cycle_de, ConventionDetail};
use crate::personnel::Staff;
use crate::{App, AppError};
use chrono::{Days, NaiveDate};
use partage_domain::cycle::{Cycle, Etat};
use partage_domain::gestion::{actes_possibles, prochaine_echeance, ActePossible};
use partage_domain::partenaire::Fiche;
use partage_domain::personnel::Role;
use partage_store::avenants::{SousTraitantRecord, VersionRecord, ViolationRecord};
use partage_store::cycles::ConventionCycle;
use partage_store::CaisseId;
use std::collections::HashMap;

/// How far ahead the work list shows échéances (issue 3: « e.g. 4 months before »).
pub const RAPPEL_ECHEANCE_JOURS: u64 = 122;

/// One convention of the register.
#[derive(Debug, Clone)]
pub struct ConventionInscrite {
    pub convention: ConventionCycle,
    pub nom_partenaire: String,
    pub cycle: Cycle,
    /// The next day time alone changes it (renewal, end).
    pub prochaine_echeance: Option<NaiveDate>,
}

/// One convention's whole file.
#[derive(Debug, Clone)]
pub struct DossierConvention {
    pub detail: ConventionDetail,
    pub nom_partenaire: String,
    pub versions: Vec<VersionRecord>,
    pub sous_traitants: Vec<SousTraitantRecord>,
    pub violations: Vec<ViolationRecord>,
    /// HB-7: the cap (`None`: none) and the habilitations the convention carries.
    pub plafond: Option<u32>,
    pub habilitations: u32,
    /// TEN-3, CV-7: the départements the convention narrows its access to, as in force; empty: not
    /// narrowed (the partner's competence).
    pub departements: Vec<partage_domain::CodeDepartement>,
    /// What the staff may record today.
    pub actes: Vec<ActePossible>,
}

impl App {
    async fn noms_partenaires(&self, caisse: CaisseId) -> Result<HashMap<String, String>, AppError> {
        Ok(self
            .store
            .partenaires(caisse, "")
            .await?
            .into_iter()
            .map(|f| (f.numero_tiers.to_string(), f.nom))
            .collect())
    }

    /// The caisse's conventions (role `conventions`), those in state `etat` (a state code) if given.
    pub async fn registre_conventions(
        &self,
        staff: &Staff,
        etat: Option<&str>,
        source: &str,
    ) -> Result<Vec<ConventionInscrite>, AppError> {
        self.exiger(staff, Role::Conventions, source).await?;
        let liste = self.inscrire(staff.personnel.caisse_id, etat).await?;
        self.touch_personnel(staff).await?;
        Ok(liste)
    }

    async fn inscrire(
        &self,
        caisse: CaisseId,
        etat: Option<&str>,
    ) -> Result<Vec<ConventionInscrite>, AppError> {
        let aujourdhui = self.clock.today();
        let noms = self.noms_partenaires(caisse).await?;
        let etat = etat.map(str::trim).filter(|e| !e.is_empty());
        Ok(self
            .store
            .conventions_de_la_caisse(caisse)
            .await?
            .into_iter()
            .map(|convention| {
                let cycle = cycle_de(&convention, aujourdhui);
                ConventionInscrite {
                    nom_partenaire: noms
                        .get(convention.partenaire.as_str())
                        .cloned()
                        .unwrap_or_default(),
                    prochaine_echeance: prochaine_echeance(&cycle),
                    convention,
                    cycle,
                }
            })
            .filter(|c| etat.is_none_or(|e| c.cycle.etat.code() == e))
            .collect())
    }

    /// The conventions whose next échéance falls within [`RAPPEL_ECHEANCE_JOURS`], soonest first (role
    /// `conventions`).
    pub async fn echeances_proches(
        &self,
        staff: &Staff,
        source: &str,
    ) -> Result<Vec<ConventionInscrite>, AppError> {
        let liste = self.registre_conventions(staff, None, source).await?;
        Ok(self.proches(liste))
    }

    fn proches(&self, liste: Vec<ConventionInscrite>) -> Vec<ConventionInscrite> {
        let limite = self.clock.today() + Days::new(RAPPEL_ECHEANCE_JOURS);
        let mut liste: Vec<_> = liste
            .into_iter()
            .filter(|c| c.prochaine_echeance.is_some_and(|e| e <= limite))
            .collect();
        liste.sort_by_key(|c| c.prochaine_echeance);
        liste
    }

    /// A convention's whole file (role `conventions`).
    pub async fn dossier_convention(
        &self,
        staff: &Staff,
        numero: &str,
        source: &str,
    ) -> Result<DossierConvention, AppError> {
        let detail = self.convention_detail(staff, numero, source).await?;
        let c = &detail.convention;
        let versions = self.versions_de(c).await?;
        let sous_traitants = self.store.sous_traitants(c.id).await?;
        let violations = self.store.violations(c.id).await?;
        let (plafond, habilitations, departements) = match self
            .store
            .convention_du_partenaire(c.caisse_id, &c.partenaire, &c.numero)
            .await?
        {
            Ok(d) => (d.plafond, d.habilitations, d.departements),
            Err(_) => (None, 0, Vec::new()),
        };
        let nom_partenaire = self
            .noms_partenaires(c.caisse_id)
            .await?
            .remove(c.partenaire.as_str())
            .unwrap_or_default();
        Ok(DossierConvention {
            actes: actes_possibles(&detail.cycle, self.clock.today()),
            detail,
            nom_partenaire,
            versions,
            sous_traitants,
            violations,
            plafond,
            habilitations,
            departements,
        })
    }
}

/// The same registers for `partage partenaires …` and `partage conventions …`: whoever runs the command
/// holds the database already, so no role is asked; the caisse is named by its code.
impl App {
    pub(crate) async fn caisse_de_code(&self, code: &str) -> Result<CaisseId, AppError> {
        self.store
            .caisses_a_analyser()
            .await?
            .into_iter()
            .find(|(_, c)| c.as_str() == code.trim())
            .map(|(id, _)| id)
            .ok_or_else(|| AppError::Introuvable(format!("aucune caisse de code « {} »", code.trim())))
    }

    pub async fn partenaires_en_ligne_de_commande(
        &self,
        caisse: &str,
        recherche: &str,
    ) -> Result<Vec<Fiche>, AppError> {
        let caisse = self.caisse_de_code(caisse).await?;
        Ok(self.store.partenaires(caisse, recherche.trim()).await?)
    }

    pub async fn conventions_en_ligne_de_commande(
        &self,
        caisse: &str,
        etat: Option<&str>,
        echeances_seulement: bool,
    ) -> Result<Vec<ConventionInscrite>, AppError> {
        let caisse = self.caisse_de_code(caisse).await?;
        let liste = self.inscrire(caisse, etat).await?;
        Ok(if echeances_seulement {
            self.proches(liste)
        } else {
            liste
        })
    }

    /// TEN-3, CV-7: the départements a convention of the register narrows its access to, as in force;
    /// empty when it narrows none (the partner's competence), as on the convention's page.
    pub async fn departements_en_ligne_de_commande(
        &self,
        convention: &ConventionCycle,
    ) -> Result<Vec<partage_domain::CodeDepartement>, AppError> {
        Ok(self
            .store
            .convention_du_partenaire(convention.caisse_id, &convention.partenaire, &convention.numero)
            .await?
            .map(|d| d.departements)
            .unwrap_or_default())
    }
}

/// What happens at the échéance, in French, for the work list.
pub fn a_l_echeance(cycle: &Cycle) -> &'static str {
    match cycle.etat {
        Etat::EnVigueur { .. } => "reconduction tacite pour un an, sauf dénonciation",
        Etat::FinProgrammee {
            echeance, effet_le, ..
        } if effet_le <= echeance => "fin de la convention : tous les accès qu'elle ouvre prennent fin",
        Etat::FinProgrammee { .. } => "reconduction jusqu'à la fin déjà programmée",
        _ => "",
    }
}
