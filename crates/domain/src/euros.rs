//! Amounts of money, held exactly as whole cents: resources, floors and ceilings, fees. Never a float, so
//! that a fee computed by partage is the one computed by hand.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A non-negative amount in euros, stored as cents. Read and written as a decimal string with two decimals
/// (`"32500.00"`), so no JSON reader turns it into a float on the way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Euros(u64);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("« {0} » n'est pas un montant en euros : chiffres, puis au plus deux décimales après un point ou une virgule (par exemple 32500.00)")]
pub struct EurosError(pub String);

/// No amount the caisse handles comes near this (a billion euros); it keeps every product of the fee
/// computation far from overflow.
const MAX_CENTIMES: u64 = 100_000_000_000;

impl Euros {
    pub const fn from_centimes(centimes: u64) -> Euros {
        Euros(centimes)
    }

    pub fn centimes(self) -> u64 {
        self.0
    }

    /// `1234`, `1234.5`, `1234.56` or `1234,56`; no sign, no thousands separator, at most two decimals.
    pub fn parse(input: &str) -> Result<Euros, EurosError> {
        let s = input.trim();
        let bad = || EurosError(input.to_owned());
        let (entiers, decimales) = match s.split_once(['.', ',']) {
            Some((e, d)) => (e, d),
            None => (s, ""),
        };
        let chiffres = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
        if entiers.is_empty() || !chiffres(entiers) || !chiffres(decimales) || decimales.len() > 2 {
            return Err(bad());
        }
        if s.contains(['.', ',']) && decimales.is_empty() {
            return Err(bad());
        }
        let euros: u64 = entiers.parse().map_err(|_| bad())?;
        let cents: u64 = match decimales.len() {
            0 => 0,
            1 => decimales.parse::<u64>().map_err(|_| bad())? * 10,
            _ => decimales.parse().map_err(|_| bad())?,
        };
        let total = euros
            .checked_mul(100)
            .and_then(|c| c.checked_add(cents))
            .ok_or_else(bad)?;
        if total > MAX_CENTIMES {
            return Err(bad());
        }
        Ok(Euros(total))
    }

    /// The amount as people read it in French: `32 500,00 €`.
    pub fn libelle(self) -> String {
        let entiers = (self.0 / 100).to_string();
        let mut groupes = String::new();
        for (i, c) in entiers.chars().enumerate() {
            if i > 0 && (entiers.len() - i).is_multiple_of(3) {
                groupes.push('\u{202f}');
            }
            groupes.push(c);
        }
        format!("{groupes},{:02} €", self.0 % 100)
    }
}

/// The machine form: `32500.00`.
impl fmt::Display for Euros {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

impl Serialize for Euros {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Euros {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Euros::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_decimal_strings_exactly() {
        assert_eq!(Euros::parse("32500").unwrap().centimes(), 3_250_000);
        assert_eq!(Euros::parse("801.5").unwrap().centimes(), 80_150);
        assert_eq!(Euros::parse(" 0,07 ").unwrap().centimes(), 7);
        for bad in [
            "",
            "-1",
            "1.234",
            "1 000",
            "1e3",
            "1.",
            ".5",
            "abc",
            "99999999999999999999",
        ] {
            assert!(Euros::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn reads_in_french() {
        assert_eq!(Euros::from_centimes(3_250_000).libelle(), "32\u{202f}500,00 €");
        assert_eq!(Euros::from_centimes(192).libelle(), "1,92 €");
        assert_eq!(
            Euros::from_centimes(100_000_000).libelle(),
            "1\u{202f}000\u{202f}000,00 €"
        );
    }

    proptest! {
        #[test]
        fn display_then_parse_is_identity(c in 0u64..=MAX_CENTIMES) {
            let e = Euros::from_centimes(c);
            prop_assert_eq!(Euros::parse(&e.to_string()), Ok(e));
            let json = serde_json::to_string(&e).unwrap();
            prop_assert_eq!(serde_json::from_str::<Euros>(&json).unwrap(), e);
        }

        #[test]
        fn any_text_parses_or_is_refused_without_panic(s in "\\PC{0,20}") {
            let _ = Euros::parse(&s);
        }
    }
}
