//! The SIRET of a partner establishment: 14 digits passing the Luhn check.
//! (La Poste's establishments, SIREN 356000000, use a digit-sum rule instead; they are accepted too.)

use std::fmt;

#[derive(Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct Siret(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SiretError {
    #[error("le SIRET doit comporter 14 chiffres, il en comporte {0}")]
    Longueur(usize),
    #[error("le SIRET ne doit contenir que des chiffres")]
    Caractere,
    #[error("le SIRET n'est pas valide (clé de contrôle de Luhn incorrecte)")]
    Luhn,
}

impl Siret {
    pub fn parse(input: &str) -> Result<Siret, SiretError> {
        let compact: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        if !compact.chars().all(|c| c.is_ascii_digit()) {
            return Err(SiretError::Caractere);
        }
        if compact.len() != 14 {
            return Err(SiretError::Longueur(compact.chars().count()));
        }
        let la_poste = compact.starts_with("356000000");
        let valid = if la_poste {
            compact
                .bytes()
                .map(|b| u32::from(b - b'0'))
                .sum::<u32>()
                .is_multiple_of(5)
        } else {
            luhn_valid(&compact)
        };
        if !valid {
            return Err(SiretError::Luhn);
        }
        Ok(Siret(compact))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Luhn over ASCII digits: every second digit from the right is doubled.
pub fn luhn_valid(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let d2 = d * 2;
                if d2 > 9 {
                    d2 - 9
                } else {
                    d2
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

impl fmt::Debug for Siret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Siret({})", self.0)
    }
}

impl fmt::Display for Siret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Appends the Luhn check digit to 13 digits.
    fn complete(d13: &str) -> String {
        (0..10)
            .map(|c| format!("{d13}{c}"))
            .find(|s| luhn_valid(s))
            .unwrap()
    }

    #[test]
    fn accepts_a_real_siret() {
        // A real establishment SIRET, typed with spaces.
        assert_eq!(
            Siret::parse("732 829 320 00074").unwrap().as_str(),
            "73282932000074"
        );
    }

    #[test]
    fn refuses_with_reason() {
        assert_eq!(Siret::parse("1200270160001"), Err(SiretError::Longueur(13)));
        assert_eq!(Siret::parse("1200270160001A"), Err(SiretError::Caractere));
        assert_eq!(Siret::parse("73282932000075"), Err(SiretError::Luhn));
    }

    proptest! {
        #[test]
        fn luhn_completed_numbers_parse(d in "[0-9]{13}") {
            prop_assume!(!d.starts_with("356000000"));
            let s = complete(&d);
            prop_assert!(Siret::parse(&s).is_ok());
        }

        #[test]
        fn one_changed_digit_is_refused(d in "[0-9]{13}", pos in 0usize..14, delta in 1u8..10) {
            prop_assume!(!d.starts_with("356000000"));
            let mut bytes = complete(&d).into_bytes();
            bytes[pos] = b'0' + (bytes[pos] - b'0' + delta) % 10;
            let s = String::from_utf8(bytes).unwrap();
            prop_assume!(!s.starts_with("356000000"));
            prop_assert_eq!(Siret::parse(&s), Err(SiretError::Luhn));
        }

        #[test]
        fn never_panics(s in ".{0,30}") { let _ = Siret::parse(&s); }
    }
}
