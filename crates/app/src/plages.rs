//! CO-7 in the back office: a caisse sets the opening window of each of its bouquets (000:5, 001:5: "au
//! moins de 5 h à 23 h, 7 jours sur 7"). A bouquet it set nothing for keeps the deployment's default
//! (`PARTAGE_PLAGES`), or is open all day when the deployment sets none.
//!
//! Role `admin`: the window is a setting of the caisse's service (the role that "manages staff and
//! settings"), not an act on one partner's convention, which is what role `conventions` does. Changing it
//! is a sensitive act (a fresh password) because closing a bouquet earlier, within the minimum, stops every
//! partner of the caisse from consulting. Every change is traced, refused or not; a refused one writes
//! nothing.

use crate::personnel::Staff;
use crate::{App, AppError};
use chrono::{DateTime, Utc};
use partage_domain::personnel::Role;
use partage_domain::plage::Plage;
use partage_domain::trace::Action;
use partage_domain::Bouquet;
use partage_store::plages::PlageCaisse;
use partage_store::CaisseId;
use std::collections::HashMap;
use std::sync::{PoisonError, RwLock};

/// Where a bouquet's window comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origine {
    /// Set by the caisse.
    Caisse,
    /// The deployment's default window.
    Defaut,
    /// No window anywhere: open all day.
    Aucune,
}

impl Origine {
    pub fn code(self) -> &'static str {
        match self {
            Origine::Caisse => "caisse",
            Origine::Defaut => "defaut",
            Origine::Aucune => "aucune",
        }
    }
}

/// The window a bouquet has for the caisse, and where it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlageVue {
    pub bouquet: Bouquet,
    /// None: open all day.
    pub plage: Option<Plage>,
    pub origine: Origine,
    /// Who set the caisse's window, and when.
    pub modifiee: Option<(String, DateTime<Utc>)>,
}

/// How long a server keeps a caisse's window before reading it again: another server's change reaches this
/// one within this delay; this server's own changes at once.
const PLAGE_EN_CACHE: chrono::Duration = chrono::Duration::seconds(60);

/// The caisse windows read lately, so that a consultation does not read the store for them each time: the
/// window (or its absence) per caisse and bouquet, with when it was read (the app's clock).
#[derive(Debug, Default)]
pub(crate) struct PlagesEnCache {
    lues: RwLock<HashMap<(CaisseId, Bouquet), Lue>>,
}

/// A caisse's window for a bouquet (none: it set none), and when it was read.
type Lue = (Option<Plage>, DateTime<Utc>);

impl PlagesEnCache {
    fn lire(&self, cle: (CaisseId, Bouquet), maintenant: DateTime<Utc>) -> Option<Option<Plage>> {
        // A poisoned lock only means a writer panicked mid-insert: the map itself is still whole.
        let lues = self.lues.read().unwrap_or_else(PoisonError::into_inner);
        lues.get(&cle)
            .filter(|(_, le)| maintenant - *le < PLAGE_EN_CACHE && *le <= maintenant)
            .map(|(p, _)| *p)
    }

    fn garder(&self, cle: (CaisseId, Bouquet), plage: Option<Plage>, maintenant: DateTime<Utc>) {
        let mut lues = self.lues.write().unwrap_or_else(PoisonError::into_inner);
        lues.insert(cle, (plage, maintenant));
    }

    fn oublier(&self, caisse: CaisseId) {
        let mut lues = self.lues.write().unwrap_or_else(PoisonError::into_inner);
        lues.retain(|(c, _), _| *c != caisse);
    }
}

impl App {
    /// The deployment's window for this bouquet, if it sets one.
    fn plage_par_defaut(&self, bouquet: Bouquet) -> Option<Plage> {
        self.settings
            .plages
            .iter()
            .find(|(b, _)| *b == bouquet)
            .map(|(_, p)| *p)
    }

    /// The window that applies to a consultation of `bouquet` by a partner of `caisse`: the caisse's, or the
    /// default.
    pub(crate) async fn plage_applicable(
        &self,
        caisse: partage_store::CaisseId,
        bouquet: Bouquet,
    ) -> Result<Option<Plage>, AppError> {
        let maintenant = self.clock.now();
        let propre = match self.plages_en_cache.lire((caisse, bouquet), maintenant) {
            Some(propre) => propre,
            None => {
                let propre = self.store.plage_caisse(caisse, bouquet).await?;
                self.plages_en_cache.garder((caisse, bouquet), propre, maintenant);
                propre
            }
        };
        Ok(propre.or_else(|| self.plage_par_defaut(bouquet)))
    }

    async fn vues_plages(&self, staff: &Staff) -> Result<Vec<PlageVue>, AppError> {
        let propres = self.store.plages_caisse(staff.personnel.caisse_id).await?;
        Ok(Bouquet::ALL
            .into_iter()
            .map(|bouquet| match propres.iter().find(|p| p.bouquet == bouquet) {
                Some(p) => PlageVue {
                    bouquet,
                    plage: Some(p.plage),
                    origine: Origine::Caisse,
                    modifiee: Some((p.par.clone(), p.le)),
                },
                None => {
                    let plage = self.plage_par_defaut(bouquet);
                    PlageVue {
                        bouquet,
                        plage,
                        origine: if plage.is_some() {
                            Origine::Defaut
                        } else {
                            Origine::Aucune
                        },
                        modifiee: None,
                    }
                }
            })
            .collect())
    }

    /// CO-7: the window of every bouquet for the caisse (role `admin`).
    pub async fn plages_ouverture(&self, staff: &Staff, source: &str) -> Result<Vec<PlageVue>, AppError> {
        self.exiger(staff, Role::Admin, source).await?;
        let vues = self.vues_plages(staff).await?;
        self.touch_personnel(staff).await?;
        Ok(vues)
    }

    /// CO-7: sets the caisse's window for `bouquet` (a code: `QF`, `PSU`…) to `plage` (`HH:MM-HH:MM`, French
    /// time), which must contain 5 h–23 h (role `admin`, sensitive act). Returns every bouquet's window.
    pub async fn definir_plage_ouverture(
        &self,
        staff: &Staff,
        bouquet: &str,
        plage: &str,
        source: &str,
    ) -> Result<Vec<PlageVue>, AppError> {
        self.exiger_acte_sensible(staff, Role::Admin, source).await?;
        let outcome = self.enregistrer_plage(staff, bouquet, plage).await;
        let detail = format!(
            "plage_ouverture=definition;bouquet={};plage={}",
            nettoye(bouquet),
            nettoye(plage)
        );
        self.tracer_acte(staff, Action::Gestion, &outcome, detail, None, source)
            .await?;
        outcome
    }

    async fn enregistrer_plage(
        &self,
        staff: &Staff,
        bouquet: &str,
        plage: &str,
    ) -> Result<Vec<PlageVue>, AppError> {
        let bouquet = bouquet_saisi(bouquet)?;
        let plage = Plage::parse(plage).map_err(|e| AppError::PlageInvalide(e.to_string()))?;
        let p = PlageCaisse {
            bouquet,
            plage,
            par: staff.personnel.identifiant.to_string(),
            le: self.clock.now(),
        };
        self.store.definir_plage(staff.personnel.caisse_id, &p).await?;
        self.plages_en_cache.oublier(staff.personnel.caisse_id);
        self.vues_plages(staff).await
    }

    /// CO-7: forgets the caisse's window for `bouquet`, which goes back to the default (role `admin`,
    /// sensitive act).
    pub async fn retirer_plage_ouverture(
        &self,
        staff: &Staff,
        bouquet: &str,
        source: &str,
    ) -> Result<Vec<PlageVue>, AppError> {
        self.exiger_acte_sensible(staff, Role::Admin, source).await?;
        let outcome: Result<Vec<PlageVue>, AppError> = async {
            let b = bouquet_saisi(bouquet)?;
            if !self.store.retirer_plage(staff.personnel.caisse_id, b).await? {
                return Err(AppError::Introuvable(format!(
                    "votre caisse n'a pas fixé de plage d'ouverture pour le service « {} »",
                    b.libelle()
                )));
            }
            self.plages_en_cache.oublier(staff.personnel.caisse_id);
            self.vues_plages(staff).await
        }
        .await;
        let detail = format!("plage_ouverture=retrait;bouquet={}", nettoye(bouquet));
        self.tracer_acte(staff, Action::Gestion, &outcome, detail, None, source)
            .await?;
        outcome
    }
}

fn bouquet_saisi(code: &str) -> Result<Bouquet, AppError> {
    Bouquet::parse(code.trim()).ok_or_else(|| {
        AppError::RequeteInvalide(format!(
            "bouquet : « {} » inconnu ; les bouquets sont {}",
            code.trim().chars().take(20).collect::<String>(),
            Bouquet::ALL.map(Bouquet::code).join(", ")
        ))
    })
}

/// Typed text as it may go into a trace's summary.
fn nettoye(texte: &str) -> String {
    texte
        .trim()
        .chars()
        .take(32)
        .collect::<String>()
        .replace([';', '='], "_")
}
