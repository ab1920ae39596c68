//! Identifiers that come from the caisse's information system, each parsed once at the edge.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{champ} : {raison}")]
pub struct IdError {
    pub champ: &'static str,
    pub raison: String,
}

fn err(champ: &'static str, raison: impl Into<String>) -> IdError {
    IdError {
        champ,
        raison: raison.into(),
    }
}

/// Declares a string identifier made of `[A-Za-z0-9._-]`, 1 to `max` characters.
macro_rules! code_id {
    ($(#[$doc:meta])* $name:ident, $champ:literal, $max:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn parse(input: &str) -> Result<Self, IdError> {
                let s = input.trim();
                if s.is_empty() {
                    return Err(err($champ, "ne doit pas être vide"));
                }
                if s.chars().count() > $max {
                    return Err(err($champ, format!("ne doit pas dépasser {} caractères", $max)));
                }
                if let Some(c) = s.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))) {
                    return Err(err($champ, format!("caractère non autorisé « {c} »")));
                }
                Ok(Self(s.to_owned()))
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                $name::parse(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}

code_id!(
    /// The code of a caisse, e.g. `MSA-ADL` or `CAF-59`.
    CaisseCode, "caisse", 32
);
code_id!(
    /// The number of a partner in the caisse's référentiel des tiers.
    NumeroTiers, "numero_tiers", 32
);
code_id!(
    /// The number of a convention, unique within its caisse.
    NumeroConvention, "numero", 64
);
code_id!(
    /// The numéro allocataire of a dossier, unique within its caisse.
    Matricule, "matricule", 20
);
code_id!(
    /// A circonscription (territorial unit of a conseil départemental's social action) within its
    /// département, as the caisse codes it: `NICE-EST`, `C03` (CO-3).
    CodeCirconscription, "circonscription", 32
);
code_id!(
    /// A user's login identifier, unique within its caisse (identifiers may differ per caisse: 000:4-7).
    Identifiant, "identifiant", 64
);

/// The scheme of a caisse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Regime {
    #[serde(rename = "CAF")]
    Caf,
    #[serde(rename = "MSA")]
    Msa,
}

impl Regime {
    pub fn as_str(self) -> &'static str {
        match self {
            Regime::Caf => "CAF",
            Regime::Msa => "MSA",
        }
    }
    pub fn parse(s: &str) -> Option<Regime> {
        match s {
            "CAF" => Some(Regime::Caf),
            "MSA" => Some(Regime::Msa),
            _ => None,
        }
    }
}

/// A French département code: `01`–`95` (without `20`), `2A`, `2B`, or an overseas `971`–`976`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct CodeDepartement(String);

impl CodeDepartement {
    pub fn parse(input: &str) -> Result<Self, IdError> {
        let s = input.trim().to_ascii_uppercase();
        let ok = match s.len() {
            2 if s == "2A" || s == "2B" => true,
            2 => s
                .parse::<u8>()
                .map(|n| (1..=95).contains(&n) && n != 20)
                .unwrap_or(false),
            3 => s
                .parse::<u16>()
                .map(|n| (971..=976).contains(&n))
                .unwrap_or(false),
            _ => false,
        };
        if ok {
            Ok(CodeDepartement(s))
        } else {
            Err(err(
                "departement",
                format!("« {} » n'est pas un code de département", input.trim()),
            ))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CodeDepartement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for CodeDepartement {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        CodeDepartement::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn departements() {
        for ok in ["01", "2A", "2b", "59", "95", "971", "976"] {
            assert!(CodeDepartement::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["", "00", "20", "96", "970", "977", "1", "ABC"] {
            assert!(CodeDepartement::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn codes_refuse_empty_long_and_odd_characters() {
        assert!(Matricule::parse("").is_err());
        assert!(Matricule::parse("123456789012345678901").is_err());
        assert_eq!(Matricule::parse(" 0012345 ").unwrap().as_str(), "0012345");
        let e = Identifiant::parse("jean dupont").unwrap_err();
        assert_eq!(e.champ, "identifiant");
        assert!(e.raison.contains('«'));
    }

    proptest! {
        #[test]
        fn matricule_roundtrips(s in "[A-Za-z0-9._-]{1,20}") {
            let m = Matricule::parse(&s).unwrap();
            prop_assert_eq!(m.as_str(), s.as_str());
        }
        #[test]
        fn parsers_never_panic(s in ".{0,80}") {
            let _ = Matricule::parse(&s);
            let _ = CodeDepartement::parse(&s);
            let _ = Identifiant::parse(&s);
        }
    }
}
