//! How domain values are written to and read back from SQLite's few types. Reading back re-checks every
//! value through the domain's parsers: a hand-edited row surfaces as `StoreError::Corrupt`, not as a value
//! that breaks an invariant further on.

use crate::error::corrupt;
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use partage_domain::{Bouquet, CodeDepartement, Convention, NumeroConvention};
use partage_store::StoreError;

// Codes and JSON read back the same way in both backends: the parsers are `partage_store`'s. Only how this
// database stores lists and dates is decided here.
pub(crate) use partage_store::codec::{
    parse_action, parse_bouquet, parse_json, parse_regime, parse_resultat,
};

/// UTC with exactly six fractional digits: fixed width, so text order is time order (sessions compare
/// `last_seen_at` with `max()`), and the same precision as PostgreSQL's `timestamptz`, so both stores give
/// back the same instant.
pub(crate) fn instant(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

pub(crate) fn parse_instant(column: &str, text: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| corrupt(column, format!("« {text} » ({e})")))
}

pub(crate) fn date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

pub(crate) fn parse_date(column: &str, text: &str) -> Result<NaiveDate, StoreError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|e| corrupt(column, format!("« {text} » ({e})")))
}

/// A list stored as a JSON array of codes.
pub(crate) fn json_list<T: AsRef<str>>(items: impl IntoIterator<Item = T>) -> String {
    let codes: Vec<String> = items.into_iter().map(|i| i.as_ref().to_owned()).collect();
    serde_json::Value::from(codes).to_string()
}

pub(crate) fn parse_departements(column: &str, text: &str) -> Result<Vec<CodeDepartement>, StoreError> {
    parse_json(column, text)
}

/// The columns of a `conventions` row, as read.
pub(crate) struct ConventionRow {
    pub numero: String,
    pub bouquets: String,
    pub signee_le: String,
    pub formalite_cnil_le: Option<String>,
    pub fin_le: Option<String>,
}

impl ConventionRow {
    /// Rebuilt through `Convention::new`, so a row breaking the convention's invariants is refused.
    pub(crate) fn into_convention(self) -> Result<Convention, StoreError> {
        let numero = NumeroConvention::parse(&self.numero).map_err(|e| corrupt("conventions.numero", e))?;
        let bouquets: Vec<Bouquet> = parse_json("conventions.bouquets", &self.bouquets)?;
        let signee_le = parse_date("conventions.signee_le", &self.signee_le)?;
        let cnil = self
            .formalite_cnil_le
            .as_deref()
            .map(|d| parse_date("conventions.formalite_cnil_le", d))
            .transpose()?;
        let fin = self
            .fin_le
            .as_deref()
            .map(|d| parse_date("conventions.fin_le", d))
            .transpose()?;
        Convention::new(numero, bouquets, signee_le, cnil, fin).map_err(|e| corrupt("conventions", e))
    }
}
