//! What the PSU bouquet reads of a dossier beyond its coordinates (BQ-PSU, 001:3, 004:3): the family
//! situation, the children for whom AEEH is paid, the number of dependent children, and the annual resources
//! of the reference year by validity period. And how a PSU search recognises the allocataire by name (CO-2).

use crate::euros::Euros;
use crate::Dossier;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

/// The allocataire's family situation as the caisse records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Situation {
    Celibataire,
    Marie,
    Pacse,
    VieMaritale,
    Separe,
    Divorce,
    Veuf,
}

impl Situation {
    pub const ALL: [Situation; 7] = [
        Situation::Celibataire,
        Situation::Marie,
        Situation::Pacse,
        Situation::VieMaritale,
        Situation::Separe,
        Situation::Divorce,
        Situation::Veuf,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Situation::Celibataire => "celibataire",
            Situation::Marie => "marie",
            Situation::Pacse => "pacse",
            Situation::VieMaritale => "vie_maritale",
            Situation::Separe => "separe",
            Situation::Divorce => "divorce",
            Situation::Veuf => "veuf",
        }
    }

    pub fn parse(code: &str) -> Option<Situation> {
        Situation::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn libelle(self) -> &'static str {
        match self {
            Situation::Celibataire => "Célibataire",
            Situation::Marie => "Marié(e)",
            Situation::Pacse => "Pacsé(e)",
            Situation::VieMaritale => "Vie maritale",
            Situation::Separe => "Séparé(e)",
            Situation::Divorce => "Divorcé(e)",
            Situation::Veuf => "Veuf ou veuve",
        }
    }
}

/// The "Situation familiale" rubrique's data, apart from the children themselves (kept in
/// `Dossier::enfants`). Every field is optional: dossiers imported before it existed have none.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Famille {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub situation: Option<Situation>,
    /// As the caisse counts them for family benefits; may differ from the children listed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enfants_a_charge: Option<u8>,
    /// Indexes into `Dossier::enfants` of the children for whom AEEH (allocation d'éducation de l'enfant
    /// handicapé) is paid. Kept apart from `Personne` so no other bouquet ever carries it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub enfants_aeeh: Vec<usize>,
}

impl Famille {
    pub fn is_empty(&self) -> bool {
        *self == Famille::default()
    }
}

/// Annual resources (hors prestations familiales) of the reference year (N-2), valid from `debut` to `fin`
/// inclusive (CO-6: shown by validity period).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeriodeRessources {
    #[serde(with = "crate::date_iso")]
    pub debut: NaiveDate,
    #[serde(with = "crate::date_iso")]
    pub fin: NaiveDate,
    pub annee_reference: i32,
    pub montant_annuel: Euros,
}

/// A name as a PSU search compares it (CO-2): accents, case, hyphens, apostrophes and extra spaces do not
/// count, so « Le Gall-Hervé » finds LE GALL HERVE. Ligatures are spelt out (Œ → OE).
pub fn nom_compare(nom: &str) -> String {
    let mut out = String::with_capacity(nom.len());
    for c in nom.nfd() {
        if unicode_normalization::char::is_combining_mark(c) {
            continue;
        }
        match c {
            'œ' | 'Œ' => out.push_str("OE"),
            'æ' | 'Æ' => out.push_str("AE"),
            'ß' => out.push_str("SS"),
            c if c.is_alphanumeric() => out.extend(c.to_uppercase()),
            // Hyphens, apostrophes, dots and any space: word separators.
            _ => out.push(' '),
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl Dossier {
    /// CO-2: the name typed is the birth name or the usage name of one of the allocataires (never of a
    /// child: the search names the allocataire).
    pub fn nom_correspond(&self, nom: &str) -> bool {
        let cherche = nom_compare(nom);
        if cherche.is_empty() {
            return false;
        }
        self.allocataires.iter().any(|p| {
            nom_compare(&p.nom_naissance) == cherche
                || p.nom_usage.as_deref().is_some_and(|u| nom_compare(u) == cherche)
        })
    }

    /// CO-6: the resources valid on the first day of the given month.
    pub fn ressources_du_mois(&self, annee: i32, mois: u32) -> Option<&PeriodeRessources> {
        let jour = NaiveDate::from_ymd_opt(annee, mois, 1)?;
        self.ressources.iter().find(|p| p.debut <= jour && jour <= p.fin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Adresse, CodeDepartement, Matricule, Personne};
    use proptest::prelude::*;

    fn personne(nom: &str, usage: Option<&str>) -> Personne {
        Personne {
            nom_naissance: nom.into(),
            nom_usage: usage.map(str::to_owned),
            prenoms: "Anne".into(),
            date_naissance: None,
            sexe: None,
        }
    }

    fn dossier() -> Dossier {
        Dossier::new(
            Matricule::parse("1").unwrap(),
            CodeDepartement::parse("29").unwrap(),
            vec![
                personne("LE GALL-HERVÉ", None),
                personne("KERBRAT", Some("LE GALL")),
            ],
            vec![personne("PETIT", None)],
            Adresse::default(),
            vec![],
            false,
        )
        .unwrap()
    }

    #[test]
    fn co_2_name_compared_without_case_accents_hyphens_or_spaces() {
        let d = dossier();
        for nom in [
            "le gall-hervé",
            "Le Gall Herve",
            "  LE   GALL  -  HERVE ",
            "le'gall herve",
        ] {
            assert!(d.nom_correspond(nom), "{nom}");
        }
        assert_eq!(nom_compare("Cœur-de-Lion"), "COEUR DE LION");
    }

    #[test]
    fn co_2_birth_or_usage_name_of_an_allocataire_only() {
        let d = dossier();
        assert!(d.nom_correspond("kerbrat"), "birth name");
        assert!(d.nom_correspond("Le Gall"), "usage name");
        assert!(
            !d.nom_correspond("PETIT"),
            "a child's name is not the allocataire's"
        );
        assert!(!d.nom_correspond("LE GAL"), "no approximate match");
        assert!(!d.nom_correspond(" - "), "nothing left to compare");
    }

    proptest! {
        #[test]
        fn co_2_comparison_form_is_idempotent_and_ignores_case(s in "[a-zA-Z0-9àâäçéèêëîïôöùûüÿœæÀÉÈÇŒ' .-]{0,30}") {
            let once = nom_compare(&s);
            prop_assert_eq!(nom_compare(&once), once.clone());
            prop_assert_eq!(nom_compare(&s.to_lowercase()), nom_compare(&s.to_uppercase()));
        }
    }
}
