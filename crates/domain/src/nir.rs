//! The NIR (numéro d'inscription au répertoire), the French social-security number.
//!
//! 13 characters (sex, year, month, département — `2A`/`2B` for Corsica —, commune, order number) followed by
//! a two-digit key: `97 - (number mod 97)`, where Corsica's `2A` counts as `19` and `2B` as `18`.

use std::fmt;

/// A NIR whose structure and key have been checked. Holding one means it is valid.
///
/// `Debug` masks all but the département so a NIR never lands whole in a log line by accident.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Nir(String);

/// Why a NIR was refused. The `Display` text is shown to users, in French.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NirError {
    #[error("le NIR est vide")]
    Vide,
    #[error("le NIR doit comporter 15 caractères (13 plus la clé de 2 chiffres), il en comporte {0}")]
    Longueur(usize),
    #[error("le NIR contient un caractère non autorisé : « {0} »")]
    Caractere(char),
    #[error("le premier chiffre du NIR (sexe) doit être 1, 2, 3, 4, 7 ou 8")]
    Sexe,
    #[error("le mois de naissance du NIR n'est pas valide")]
    Mois,
    #[error("le département de naissance du NIR n'est pas valide")]
    Departement,
    #[error("la clé du NIR ne correspond pas au numéro (clé attendue : {attendue:02})")]
    Cle { attendue: u8 },
}

impl Nir {
    /// Parses a NIR typed by a person: spaces, dots and dashes between digits are accepted and dropped,
    /// letters of Corsica's départements may be lower case.
    pub fn parse(input: &str) -> Result<Nir, NirError> {
        let mut compact = String::with_capacity(15);
        for c in input.chars() {
            match c {
                ' ' | '\u{a0}' | '.' | '-' => {}
                '0'..='9' => compact.push(c),
                'a' | 'b' | 'A' | 'B' => compact.push(c.to_ascii_uppercase()),
                other => return Err(NirError::Caractere(other)),
            }
        }
        if compact.is_empty() {
            return Err(NirError::Vide);
        }
        let len = compact.chars().count();
        if len != 15 {
            return Err(NirError::Longueur(len));
        }
        let bytes = compact.as_bytes();
        // Letters are allowed only as Corsica's département, positions 6-7: "2A" or "2B".
        for (i, b) in bytes.iter().enumerate() {
            if b.is_ascii_alphabetic() && !(i == 6 && bytes[5] == b'2') {
                return Err(NirError::Caractere(*b as char));
            }
        }
        if !matches!(bytes[0], b'1' | b'2' | b'3' | b'4' | b'7' | b'8') {
            return Err(NirError::Sexe);
        }
        let month = (bytes[3] - b'0') * 10 + (bytes[4] - b'0');
        // 01-12, 20 and 30-42 (unknown month), 50+ (provisional registrations) are all issued by INSEE.
        if month == 0 || (13..=19).contains(&month) || (21..=29).contains(&month) {
            return Err(NirError::Mois);
        }
        let dept = &compact[5..7];
        if dept == "00" || dept == "20" {
            return Err(NirError::Departement);
        }
        let number: u64 = compact[..13]
            .replace("2A", "19")
            .replace("2B", "18")
            .parse()
            .map_err(|_| NirError::Departement)?;
        let attendue = (97 - number % 97) as u8;
        let cle: u8 = compact[13..].parse().map_err(|_| NirError::Cle { attendue })?;
        if cle != attendue {
            return Err(NirError::Cle { attendue });
        }
        Ok(Nir(compact))
    }

    /// The 15 characters, without spaces.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key two digits that a valid 13-character number must end with.
    pub fn key_for(number13: &str) -> Option<u8> {
        let n: u64 = number13.replace("2A", "19").replace("2B", "18").parse().ok()?;
        Some((97 - n % 97) as u8)
    }
}

impl fmt::Debug for Nir {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Nir(*****{}********)", &self.0[5..7])
    }
}

impl std::str::FromStr for Nir {
    type Err = NirError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Nir::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn with_key(number13: &str) -> String {
        format!("{number13}{:02}", Nir::key_for(number13).unwrap())
    }

    #[test]
    fn accepts_a_valid_nir_with_spaces() {
        let nir = Nir::parse("1 85 05 78 006 084 91").unwrap();
        assert_eq!(nir.as_str(), "185057800608491");
    }

    #[test]
    fn accepts_corsica() {
        let a = with_key("185052A006084");
        assert_eq!(Nir::parse(&a).unwrap().as_str(), a);
        let b = with_key("285052B006084");
        assert_eq!(Nir::parse(&b.to_lowercase()).unwrap().as_str(), b);
        // 2A counts as 19 in the key: the same number with 19 has the same key.
        assert_eq!(Nir::key_for("1850519006084"), Nir::key_for("185052A006084"));
    }

    #[test]
    fn refuses_with_a_precise_reason() {
        assert_eq!(Nir::parse(""), Err(NirError::Vide));
        assert_eq!(Nir::parse("18505780060849"), Err(NirError::Longueur(14)));
        assert_eq!(Nir::parse("1850578006084X1"), Err(NirError::Caractere('X')));
        assert_eq!(Nir::parse("1850A7800608491"), Err(NirError::Caractere('A')));
        assert_eq!(Nir::parse(&with_key("5850578006084")), Err(NirError::Sexe));
        assert_eq!(Nir::parse(&with_key("1851378006084")), Err(NirError::Mois));
        assert_eq!(Nir::parse(&with_key("1850500006084")), Err(NirError::Departement));
        assert_eq!(Nir::parse("185057800608492"), Err(NirError::Cle { attendue: 91 }));
    }

    #[test]
    fn debug_masks_the_number() {
        let nir = Nir::parse("185057800608491").unwrap();
        let shown = format!("{nir:?}");
        assert!(!shown.contains("185057800608491"));
        assert!(!shown.contains("0608"));
    }

    proptest! {
        #[test]
        fn every_well_formed_number_with_its_key_parses(
            sex in prop::sample::select(vec!['1', '2']),
            year in 0u32..100, month in 1u32..13, dept in 1u32..96, rest in 0u32..1_000_000,
        ) {
            prop_assume!(dept != 20);
            let number = format!("{sex}{year:02}{month:02}{dept:02}{rest:06}");
            let nir = with_key(&number);
            let parsed = Nir::parse(&nir).unwrap();
            prop_assert_eq!(parsed.as_str(), nir.as_str());
        }

        #[test]
        fn any_wrong_key_is_refused(number in "[12][0-9]{2}(0[1-9]|1[0-2])[0-9]{8}", delta in 1u8..97) {
            prop_assume!(&number[5..7] != "00" && &number[5..7] != "20");
            let good = Nir::key_for(&number).unwrap();
            let bad = (good + delta - 1) % 97 + 1;
            prop_assume!(bad != good);
            let refused = Nir::parse(&format!("{number}{bad:02}")).is_err();
            prop_assert!(refused);
        }

        #[test]
        fn never_panics_on_any_input(s in ".{0,40}") {
            let _ = Nir::parse(&s);
        }
    }
}
