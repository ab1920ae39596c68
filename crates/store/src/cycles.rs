//! A convention's lifecycle as persisted (SPEC CV-2 to CV-8): its state, a revision number, and every
//! transition with who made it, when, and the document behind it.
//!
//! Every write is a compare-and-swap on the revision, in one transaction with the history row (whose key
//! is the convention and the new revision) and the access dates the perimeter reads: two servers applying
//! the same transition at once (the scheduler of each `partage serve`, two ticks) cannot both succeed, and a
//! transition is never half-written.

use crate::{CaisseId, StoreError};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use partage_domain::cycle::Cycle;
use partage_domain::gestion::{Acces, Document};
use partage_domain::habilitation::Gestion;
use partage_domain::{Bouquet, CaisseCode, NumeroConvention, NumeroTiers, Regime};

/// A convention's row id. Only meaningful within one store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConventionId(pub i64);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConventionCycle {
    pub id: ConventionId,
    pub caisse_id: CaisseId,
    pub caisse: CaisseCode,
    pub regime: Regime,
    pub numero: NumeroConvention,
    pub partenaire: NumeroTiers,
    pub bouquets: Vec<Bouquet>,
    pub acces: Acces,
    /// `None`: imported with its dates only, no transition recorded yet.
    pub cycle: Option<Cycle>,
    /// 0 before the first transition.
    pub revision: i64,
}

/// One recorded transition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransitionRecord {
    /// The act's code (`signer`, `denoncer`…), or `avancer` for what time alone did.
    pub acte: String,
    /// The state after the transition.
    pub cycle: Cycle,
    /// The staff member's identifiant; `None` when the scheduler applied it.
    pub par: Option<String>,
    pub horodatage: DateTime<Utc>,
    /// The day the rules applied it for (the act's date, or the day the scheduler ran for).
    pub date_effet: NaiveDate,
    pub document: Option<Document>,
}

/// A convention created in draft by the staff (issue 3, part 3): nothing signed yet, so no access.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NouvelleConvention {
    pub numero: NumeroConvention,
    pub partenaire: NumeroTiers,
    pub bouquets: Vec<Bouquet>,
    pub plafond_habilitations: Option<u32>,
    /// `centralisee` or `deleguee`; `None`: the default of the caisse (CV-12).
    pub gestion: Option<Gestion>,
    /// Stands in for the signature date until both parties sign (the column is required); no access
    /// opens from it, as there is no CNIL formality date.
    pub creee_le: NaiveDate,
}

/// Why a draft could not be created; nothing was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreationRefusee {
    PartenaireInconnu,
    NumeroPris,
}

#[async_trait]
pub trait ConventionCycles {
    /// Creates the convention with its recorded cycle (revision 1, `transition.cycle`) and its first history
    /// row, in one transaction; `Ok(Err(..))`, nothing written, for a partner unknown in the caisse or a
    /// number the caisse already uses.
    async fn create_convention(
        &self,
        caisse: CaisseId,
        nouvelle: &NouvelleConvention,
        transition: &TransitionRecord,
    ) -> Result<Result<ConventionId, CreationRefusee>, StoreError>;

    async fn convention_cycle(
        &self,
        caisse: CaisseId,
        numero: &NumeroConvention,
    ) -> Result<Option<ConventionCycle>, StoreError>;

    /// Conventions with a recorded cycle whose next date-driven change is due by `jour`, every caisse.
    async fn cycles_dus(&self, jour: NaiveDate) -> Result<Vec<ConventionCycle>, StoreError>;

    /// Writes the new state, its history row and the access dates, if the convention is still at
    /// `revision`; `false` (nothing written) if someone else moved it first.
    async fn record_transition(
        &self,
        convention: ConventionId,
        revision: i64,
        acces: &Acces,
        prochaine_echeance: Option<NaiveDate>,
        transition: &TransitionRecord,
    ) -> Result<bool, StoreError>;

    /// The history, oldest first.
    async fn transitions(&self, convention: ConventionId) -> Result<Vec<TransitionRecord>, StoreError>;

    /// CV-8, issue #3 part 6: partner agents holding a session opened before one of their conventions
    /// ended (its `fin_le` at or before `jour`; opened before that day's midnight UTC, which is after the
    /// midnight in Paris that ended it) and no habilitation left on a convention that has not ended. Their
    /// sessions reach nothing any more; the caller ends them.
    async fn sessions_apres_fin(&self, jour: NaiveDate) -> Result<Vec<SessionsApresFin>, StoreError>;
}

/// An agent whose sessions outlived the conventions that opened his access.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionsApresFin {
    pub user: crate::UserId,
    pub caisse: String,
    pub identifiant: String,
    pub partenaire: String,
}

/// The query of [`ConventionCycles::sessions_apres_fin`], the same for both backends but for the day's
/// placeholder and how a date becomes that day's midnight UTC.
pub fn sessions_apres_fin_sql(jour: &str, minuit_utc: impl Fn(&str) -> String) -> String {
    let fin = minuit_utc("c.fin_le");
    format!(
        "SELECT DISTINCT u.id, ca.code, u.identifiant, p.numero_tiers
         FROM sessions s
         JOIN utilisateurs u ON u.id = s.utilisateur_id
         JOIN partenaires p ON p.id = u.partenaire_id
         JOIN caisses ca ON ca.id = p.caisse_id
         WHERE EXISTS (
                 SELECT 1 FROM habilitations h JOIN conventions c ON c.id = h.convention_id
                 WHERE h.utilisateur_id = u.id AND c.fin_le IS NOT NULL AND c.fin_le <= {jour}
                   AND s.created_at < {fin})
           AND NOT EXISTS (
                 SELECT 1 FROM habilitations h JOIN conventions c ON c.id = h.convention_id
                 WHERE h.utilisateur_id = u.id AND (c.fin_le IS NULL OR c.fin_le > {jour}))
         ORDER BY u.id"
    )
}

/// Builds a [`ConventionCycle`] from what both backends read, re-checking every value.
#[allow(clippy::too_many_arguments)]
pub fn convention_cycle(
    id: i64,
    caisse_id: i64,
    caisse: &str,
    regime: &str,
    partenaire: &str,
    convention: partage_domain::Convention,
    cycle: Option<&str>,
    revision: Option<i64>,
) -> Result<ConventionCycle, StoreError> {
    Ok(ConventionCycle {
        id: ConventionId(id),
        caisse_id: CaisseId(caisse_id),
        caisse: CaisseCode::parse(caisse).map_err(|e| crate::codec::corrupt("caisses.code", e))?,
        regime: crate::codec::parse_regime(regime)?,
        partenaire: crate::codec::numero_tiers(partenaire)?,
        acces: Acces {
            signee_le: convention.signee_le,
            formalite_cnil_le: convention.formalite_cnil_le,
            fin_le: convention.fin_le,
        },
        numero: convention.numero,
        bouquets: convention.bouquets,
        cycle: cycle
            .map(|c| crate::codec::parse_json("convention_cycles.cycle", c))
            .transpose()?,
        revision: revision.unwrap_or(0),
    })
}
