//! Dates of a dossier in JSON (`YYYY-MM-DD`), read and written without chrono's general format machinery.
//!
//! Every consultation reads a dossier's stored JSON and answers in JSON: a family's dossier holds some
//! twenty dates, and chrono's parser and formatter (built for any strftime pattern) showed in the load
//! benchmark's profile. The common case — a four-digit year — is done by hand; anything else (a year past
//! 9999, a sign, a malformed text) goes to chrono, so what is accepted, refused or written is exactly what
//! chrono's own `Serialize`/`Deserialize` for [`NaiveDate`] do.
//!
//! Use with `#[serde(with = "crate::date_iso")]`, or `crate::date_iso::option` for an `Option<NaiveDate>`.

use chrono::NaiveDate;
use serde::de::{self, Visitor};
use serde::{Deserializer, Serializer};
use std::fmt;

/// `YYYY-MM-DD` for a year of four digits; `None` sends the date to chrono.
fn lire_rapide(texte: &str) -> Option<NaiveDate> {
    let b = texte.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let nombre = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |n, c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let annee = i32::try_from(nombre(0..4)?).ok()?;
    NaiveDate::from_ymd_opt(annee, nombre(5..7)?, nombre(8..10)?)
}

fn lire(texte: &str) -> Result<NaiveDate, chrono::ParseError> {
    match lire_rapide(texte) {
        Some(date) => Ok(date),
        None => texte.parse(),
    }
}

fn ecrire(date: &NaiveDate) -> Option<[u8; 10]> {
    use chrono::Datelike;
    let annee = u32::try_from(date.year()).ok().filter(|a| *a <= 9999)?;
    let chiffre = |n: u32| b'0' + u8::try_from(n % 10).unwrap_or(0);
    let (m, j) = (date.month(), date.day());
    Some([
        chiffre(annee / 1000),
        chiffre(annee / 100),
        chiffre(annee / 10),
        chiffre(annee),
        b'-',
        chiffre(m / 10),
        chiffre(m),
        b'-',
        chiffre(j / 10),
        chiffre(j),
    ])
}

pub fn serialize<S: Serializer>(date: &NaiveDate, serializer: S) -> Result<S::Ok, S::Error> {
    match ecrire(date) {
        // Only ASCII digits and dashes: always UTF-8.
        Some(octets) => serializer.serialize_str(std::str::from_utf8(&octets).unwrap_or_default()),
        None => serializer.collect_str(date),
    }
}

/// Reads the text where the deserializer holds it: no allocation.
struct Date;

impl Visitor<'_> for Date {
    type Value = NaiveDate;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("une date AAAA-MM-JJ")
    }

    fn visit_str<E: de::Error>(self, texte: &str) -> Result<NaiveDate, E> {
        lire(texte).map_err(E::custom)
    }
}

pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<NaiveDate, D::Error> {
    deserializer.deserialize_str(Date)
}

/// The same for an optional date (`null` when absent).
pub mod option {
    use super::*;

    pub fn serialize<S: Serializer>(date: &Option<NaiveDate>, serializer: S) -> Result<S::Ok, S::Error> {
        match date {
            Some(date) => super::serialize(date, serializer),
            None => serializer.serialize_none(),
        }
    }

    struct PeutEtre;

    impl<'de> Visitor<'de> for PeutEtre {
        type Value = Option<NaiveDate>;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("une date AAAA-MM-JJ ou null")
        }

        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
            super::deserialize(deserializer).map(Some)
        }
    }

    /// With `#[serde(default)]` beside it, an absent field reads as `None`, as for a plain `Option`.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<NaiveDate>, D::Error> {
        deserializer.deserialize_option(PeutEtre)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde::{Deserialize, Serialize};

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Ici {
        #[serde(with = "crate::date_iso")]
        d: NaiveDate,
        #[serde(default, with = "crate::date_iso::option")]
        o: Option<NaiveDate>,
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Chrono {
        d: NaiveDate,
        o: Option<NaiveDate>,
    }

    proptest! {
        /// Any text: accepted or refused exactly as chrono does, and to the same date.
        #[test]
        fn reads_what_chrono_reads(texte in "[-+ 0-9a-z]{0,12}|[0-9]{4}-[0-9]{2}-[0-9]{2}") {
            let json = serde_json::json!({ "d": texte, "o": texte }).to_string();
            let ici = serde_json::from_str::<Ici>(&json).ok();
            let chrono = serde_json::from_str::<Chrono>(&json).ok();
            prop_assert_eq!(ici.map(|i| (i.d, i.o)), chrono.map(|c| (c.d, c.o)));
        }

        /// Any date chrono can hold: written as chrono writes it, and read back.
        #[test]
        fn writes_what_chrono_writes(jours in -3_000_000i32..3_000_000, absente: bool) {
            let d = NaiveDate::from_num_days_from_ce_opt(jours).unwrap();
            let o = (!absente).then_some(d);
            let ici = serde_json::to_string(&Ici { d, o }).unwrap();
            prop_assert_eq!(&ici, &serde_json::to_string(&Chrono { d, o }).unwrap());
            prop_assert_eq!(serde_json::from_str::<Ici>(&ici).unwrap(), Ici { d, o });
        }
    }

    #[test]
    fn a_date_that_does_not_exist_is_refused() {
        for texte in [
            "2025-02-29",
            "2025-13-01",
            "2025-00-10",
            "2025-01-32",
            "２０２５-01-01",
        ] {
            let json = serde_json::json!({ "d": texte, "o": null }).to_string();
            assert!(serde_json::from_str::<Ici>(&json).is_err(), "{texte}");
        }
        let ok = serde_json::from_str::<Ici>(r#"{"d":"2024-02-29","o":null}"#).unwrap();
        assert_eq!(ok.d, NaiveDate::from_ymd_opt(2024, 2, 29).unwrap());
        assert_eq!(ok.o, None);
        let absente = serde_json::from_str::<Ici>(r#"{"d":"2024-02-29"}"#).unwrap();
        assert_eq!(
            absente.o, None,
            "an absent optional date is None, as for a plain Option"
        );
        assert!(serde_json::from_str::<Ici>(r#"{"d":20240229,"o":null}"#).is_err());
    }
}
