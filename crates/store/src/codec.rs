//! Reading stored codes back into domain values, the same way in every backend: a hand-edited row surfaces
//! as `StoreError::Corrupt` with the same words whichever database holds it. How a backend stores a list or
//! a date stays its own (see each backend's `codec`).

use crate::{CaisseId, LoginRecord, StoreError, UserId};
use partage_domain::trace::{Action, Resultat};
use partage_domain::{Bouquet, Identifiant, NumeroTiers, Regime};
use serde::de::DeserializeOwned;

/// A row that exists but does not hold a valid domain value.
pub fn corrupt(what: &str, detail: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what} : {detail}"))
}

pub fn parse_json<T: DeserializeOwned>(column: &str, text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| corrupt(column, e))
}

pub fn identifiant(text: &str) -> Result<Identifiant, StoreError> {
    Identifiant::parse(text).map_err(|e| corrupt("utilisateurs.identifiant", e))
}

pub fn numero_tiers(text: &str) -> Result<NumeroTiers, StoreError> {
    NumeroTiers::parse(text).map_err(|e| corrupt("partenaires.numero_tiers", e))
}

/// A user's login as both backends select it: id, caisse id, identifiant, numéro tiers, password hash,
/// must change password, active.
pub type LoginRow = (i64, i64, String, String, String, bool, bool);

pub fn login_record(row: LoginRow) -> Result<LoginRecord, StoreError> {
    let (user, caisse_id, ident, tiers, password_hash, must_change_password, active) = row;
    Ok(LoginRecord {
        user: UserId(user),
        caisse_id: CaisseId(caisse_id),
        identifiant: identifiant(&ident)?,
        partenaire: numero_tiers(&tiers)?,
        password_hash,
        must_change_password,
        active,
    })
}

/// CO-3: circonscriptions stored as `DÉPARTEMENT/CODE` strings.
pub fn parse_circonscriptions(
    column: &str,
    codes: &[String],
) -> Result<Vec<partage_domain::rsa::Circonscription>, StoreError> {
    codes
        .iter()
        .map(|c| partage_domain::rsa::Circonscription::parse(c).map_err(|e| corrupt(column, e)))
        .collect()
}

pub fn parse_regime(text: &str) -> Result<Regime, StoreError> {
    Regime::parse(text).ok_or_else(|| corrupt("caisses.regime", format!("« {text} »")))
}

pub fn parse_bouquet(column: &str, text: &str) -> Result<Bouquet, StoreError> {
    Bouquet::parse(text).ok_or_else(|| corrupt(column, format!("« {text} »")))
}

/// The domain gives codes but no parser for these enums; their serde names are the same codes.
fn parse_code<T: DeserializeOwned>(column: &str, text: &str) -> Result<T, StoreError> {
    serde_json::from_value(serde_json::Value::String(text.to_owned()))
        .map_err(|_| corrupt(column, format!("code inconnu « {text} »")))
}

pub fn parse_action(text: &str) -> Result<Action, StoreError> {
    parse_code("traces.action", text)
}

pub fn parse_resultat(text: &str) -> Result<Resultat, StoreError> {
    parse_code("traces.resultat", text)
}
