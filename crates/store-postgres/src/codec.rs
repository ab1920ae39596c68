//! Reading rows back into domain values. Every value goes through the domain's parsers again: a
//! hand-edited row surfaces as `StoreError::Corrupt`, not as a value that breaks an invariant further on.

use crate::error::corrupt;
use chrono::NaiveDate;
use partage_domain::{Bouquet, CodeDepartement, Convention, NumeroConvention};
use partage_store::StoreError;

// Codes and JSON read back the same way in both backends: the parsers are `partage_store`'s. Only how this
// database stores lists and dates is decided here.
pub(crate) use partage_store::codec::{
    parse_action, parse_bouquet, parse_json, parse_regime, parse_resultat,
};

pub(crate) fn parse_departements(column: &str, codes: &[String]) -> Result<Vec<CodeDepartement>, StoreError> {
    codes
        .iter()
        .map(|c| CodeDepartement::parse(c).map_err(|e| corrupt(column, e)))
        .collect()
}

pub(crate) fn parse_bouquets(column: &str, codes: &[String]) -> Result<Vec<Bouquet>, StoreError> {
    codes.iter().map(|c| parse_bouquet(column, c)).collect()
}

/// The columns of a `conventions` row, as read.
pub(crate) struct ConventionRow {
    pub numero: String,
    pub bouquets: Vec<String>,
    pub signee_le: NaiveDate,
    pub formalite_cnil_le: Option<NaiveDate>,
    pub fin_le: Option<NaiveDate>,
}

impl ConventionRow {
    /// Rebuilt through `Convention::new`, so a row breaking the convention's invariants is refused.
    pub(crate) fn into_convention(self) -> Result<Convention, StoreError> {
        let numero = NumeroConvention::parse(&self.numero).map_err(|e| corrupt("conventions.numero", e))?;
        let bouquets = parse_bouquets("conventions.bouquets", &self.bouquets)?;
        Convention::new(
            numero,
            bouquets,
            self.signee_le,
            self.formalite_cnil_le,
            self.fin_le,
        )
        .map_err(|e| corrupt("conventions", e))
    }
}
