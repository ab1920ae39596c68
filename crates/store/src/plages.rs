//! CO-7: the opening window a caisse set for one of its bouquets. A bouquet the caisse set nothing for keeps
//! the deployment's default (`PARTAGE_PLAGES`). Stored as minutes after midnight, French time; the tables
//! refuse a window narrower than 5 h–23 h themselves, so no path can store one.

use crate::{CaisseId, StoreError};
use async_trait::async_trait;
use chrono::{DateTime, NaiveTime, Timelike, Utc};
use partage_domain::plage::Plage;
use partage_domain::Bouquet;

/// A caisse's window for one bouquet, with who set it and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlageCaisse {
    pub bouquet: Bouquet,
    pub plage: Plage,
    /// The staff member's identifiant.
    pub par: String,
    pub le: DateTime<Utc>,
}

#[async_trait]
pub trait Plages {
    /// The windows the caisse set, in the order of [`Bouquet::ALL`].
    async fn plages_caisse(&self, caisse: CaisseId) -> Result<Vec<PlageCaisse>, StoreError>;

    /// The window the caisse set for this bouquet, if any: read before every consultation.
    async fn plage_caisse(&self, caisse: CaisseId, bouquet: Bouquet) -> Result<Option<Plage>, StoreError>;

    /// Sets (or replaces) the caisse's window for `p.bouquet`.
    async fn definir_plage(&self, caisse: CaisseId, p: &PlageCaisse) -> Result<(), StoreError>;

    /// Forgets the caisse's window for this bouquet, which goes back to the default; false if none was set.
    async fn retirer_plage(&self, caisse: CaisseId, bouquet: Bouquet) -> Result<bool, StoreError>;
}

/// Minutes after midnight, the stored form of a time of day.
pub fn minutes(t: NaiveTime) -> i32 {
    // At most 1439: always fits.
    i32::try_from(t.hour() * 60 + t.minute()).unwrap_or(0)
}

/// A stored window read back, checked again.
pub fn decode(bouquet: &str, ouverture: i64, fermeture: i64) -> Result<(Bouquet, Plage), StoreError> {
    let corrupt = || StoreError::Corrupt(format!("plage {bouquet} {ouverture}-{fermeture}"));
    let b = Bouquet::parse(bouquet).ok_or_else(corrupt)?;
    let heure = |m: i64| {
        let m = u32::try_from(m).ok()?;
        NaiveTime::from_hms_opt(m / 60, m % 60, 0)
    };
    let plage = Plage::new(
        heure(ouverture).ok_or_else(corrupt)?,
        heure(fermeture).ok_or_else(corrupt)?,
    )
    .map_err(|_| corrupt())?;
    Ok((b, plage))
}

/// Sorts as [`Bouquet::ALL`] lists them.
pub fn trier(plages: &mut [PlageCaisse]) {
    plages.sort_by_key(|p| Bouquet::ALL.iter().position(|b| *b == p.bouquet));
}
