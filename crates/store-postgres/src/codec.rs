//! Reading rows back into domain values. Every value goes through the domain's parsers again: a
//! hand-edited row surfaces as `StoreError::Corrupt`, not as a value that breaks an invariant further on.

use crate::error::corrupt;
use chrono::NaiveDate;
use partage_domain::trace::{Action, Resultat};
use partage_domain::{Bouquet, CodeDepartement, Convention, NumeroConvention, Regime};
use partage_store::StoreError;
use serde::de::DeserializeOwned;

pub(crate) fn parse_json<T: DeserializeOwned>(column: &str, text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| corrupt(column, e))
}

pub(crate) fn parse_departements(column: &str, codes: &[String]) -> Result<Vec<CodeDepartement>, StoreError> {
    codes
        .iter()
        .map(|c| CodeDepartement::parse(c).map_err(|e| corrupt(column, e)))
        .collect()
}

pub(crate) fn parse_regime(text: &str) -> Result<Regime, StoreError> {
    Regime::parse(text).ok_or_else(|| corrupt("caisses.regime", format!("« {text} »")))
}

pub(crate) fn parse_bouquet(column: &str, text: &str) -> Result<Bouquet, StoreError> {
    Bouquet::parse(text).ok_or_else(|| corrupt(column, format!("« {text} »")))
}

pub(crate) fn parse_bouquets(column: &str, codes: &[String]) -> Result<Vec<Bouquet>, StoreError> {
    codes.iter().map(|c| parse_bouquet(column, c)).collect()
}

/// The domain gives codes but no parser for these enums; their serde names are the same codes.
fn parse_code<T: DeserializeOwned>(column: &str, text: &str) -> Result<T, StoreError> {
    serde_json::from_value(serde_json::Value::String(text.to_owned()))
        .map_err(|_| corrupt(column, format!("code inconnu « {text} »")))
}

pub(crate) fn parse_action(text: &str) -> Result<Action, StoreError> {
    parse_code("traces.action", text)
}

pub(crate) fn parse_resultat(text: &str) -> Result<Resultat, StoreError> {
    parse_code("traces.resultat", text)
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
