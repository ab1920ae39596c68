//! The PSU family fee (beyond the conventions' text): the hourly fee a family pays a crèche is its monthly
//! resources, held between a floor and a ceiling, times a taux d'effort that depends on the number of
//! dependent children and the type of accueil. The barème is data the caisse keeps up to date, each with its
//! effective dates, never constants in code.
//!
//! Arithmetic is exact: amounts in cents, rates in millionths, products in `u128`; the fee is rounded once,
//! to the cent, half up (0,645 € → 0,65 €), from the annual resources divided by twelve without an
//! intermediate rounding.

use crate::euros::Euros;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The type of accueil, which picks the column of the barème.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TypeAccueil {
    Collectif,
    /// Accueil familial, parental, or micro-crèche: one column in the barème.
    Familial,
}

/// A taux d'effort, in millionths (0,0619 % is 619). Written as a percentage with at most four decimals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct TauxEffort(u32);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BaremeError {
    #[error("« {0} » n'est pas un taux d'effort : un pourcentage strictement positif, inférieur à 1, avec au plus quatre décimales (par exemple 0.0619)")]
    TauxInvalide(String),
    #[error("le plancher mensuel ({plancher}) est au-dessus du plafond ({plafond})")]
    PlancherAuDessusDuPlafond { plancher: String, plafond: String },
    #[error("la colonne {0} du barème n'a aucun taux d'effort")]
    ColonneVide(&'static str),
    #[error("le barème commençant le {0} finit avant de commencer")]
    FinAvantDebut(NaiveDate),
    #[error("les barèmes commençant le {0} et le {1} se chevauchent")]
    Chevauchement(NaiveDate, NaiveDate),
}

impl TauxEffort {
    pub fn parse(input: &str) -> Result<TauxEffort, BaremeError> {
        let bad = || BaremeError::TauxInvalide(input.to_owned());
        let s = input.trim();
        let (entiers, decimales) = s.split_once(['.', ',']).ok_or_else(bad)?;
        let chiffres = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
        if entiers != "0" || !chiffres(decimales) || decimales.len() > 4 {
            return Err(bad());
        }
        // Percent with four decimals = millionths.
        let padded = format!("{decimales:0<4}");
        let millioniemes: u32 = padded.parse().map_err(|_| bad())?;
        if millioniemes == 0 {
            return Err(bad());
        }
        Ok(TauxEffort(millioniemes))
    }

    pub fn millioniemes(self) -> u32 {
        self.0
    }

    /// A rate read back from storage, checked as `parse` checks a typed one.
    pub fn from_millioniemes(millioniemes: u32) -> Result<TauxEffort, BaremeError> {
        if millioniemes == 0 || millioniemes > 9_999 {
            return Err(BaremeError::TauxInvalide(millioniemes.to_string()));
        }
        Ok(TauxEffort(millioniemes))
    }
}

/// As a percentage: `0,0619 %`.
impl fmt::Display for TauxEffort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "0,{:04} %", self.0)
    }
}

/// One barème, in force from `debut` to `fin` inclusive (open-ended when `fin` is `None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaremePsu {
    debut: NaiveDate,
    fin: Option<NaiveDate>,
    plancher_mensuel: Euros,
    plafond_mensuel: Euros,
    /// Rate for 1, 2, 3… dependent children; the last one applies to any larger family.
    collectif: Vec<TauxEffort>,
    familial: Vec<TauxEffort>,
}

/// What the fee was computed from, shown beside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TarifHoraire {
    /// Annual resources / 12, held between the floor and the ceiling, to the cent.
    pub ressources_mensuelles_retenues: Euros,
    pub plancher_applique: bool,
    pub plafond_applique: bool,
    /// Dependent children counted, one more with an AEEH child.
    pub enfants_retenus: u8,
    pub taux: TauxEffort,
    pub tarif: Euros,
}

impl BaremePsu {
    pub fn new(
        debut: NaiveDate,
        fin: Option<NaiveDate>,
        plancher_mensuel: Euros,
        plafond_mensuel: Euros,
        collectif: Vec<TauxEffort>,
        familial: Vec<TauxEffort>,
    ) -> Result<BaremePsu, BaremeError> {
        if fin.is_some_and(|fin| fin < debut) {
            return Err(BaremeError::FinAvantDebut(debut));
        }
        if plancher_mensuel > plafond_mensuel {
            return Err(BaremeError::PlancherAuDessusDuPlafond {
                plancher: plancher_mensuel.libelle(),
                plafond: plafond_mensuel.libelle(),
            });
        }
        if collectif.is_empty() {
            return Err(BaremeError::ColonneVide("collectif"));
        }
        if familial.is_empty() {
            return Err(BaremeError::ColonneVide("familial"));
        }
        Ok(BaremePsu {
            debut,
            fin,
            plancher_mensuel,
            plafond_mensuel,
            collectif,
            familial,
        })
    }

    /// The same period ending on `fin` (its last day), for the yearly change of barème: the caisse ends
    /// the period in force before adding the next. Refused when `fin` is before the first day.
    pub fn clore(&self, fin: NaiveDate) -> Result<BaremePsu, BaremeError> {
        if fin < self.debut {
            return Err(BaremeError::FinAvantDebut(self.debut));
        }
        Ok(BaremePsu {
            fin: Some(fin),
            ..self.clone()
        })
    }

    pub fn debut(&self) -> NaiveDate {
        self.debut
    }

    pub fn fin(&self) -> Option<NaiveDate> {
        self.fin
    }

    pub fn plancher_mensuel(&self) -> Euros {
        self.plancher_mensuel
    }

    pub fn plafond_mensuel(&self) -> Euros {
        self.plafond_mensuel
    }

    /// The rates of a column, for 1, 2, 3… dependent children.
    pub fn taux(&self, accueil: TypeAccueil) -> &[TauxEffort] {
        match accueil {
            TypeAccueil::Collectif => &self.collectif,
            TypeAccueil::Familial => &self.familial,
        }
    }

    pub fn en_vigueur(&self, jour: NaiveDate) -> bool {
        self.debut <= jour && self.fin.is_none_or(|fin| jour <= fin)
    }

    /// The hourly fee. A family counts at least one child (the one in care); a child for whom AEEH is paid
    /// moves the family to the rate of one more child (Cnaf: "le taux d'effort immédiatement inférieur"),
    /// once, however many such children it has.
    pub fn tarif_horaire(
        &self,
        ressources_annuelles: Euros,
        enfants_a_charge: u8,
        aeeh: bool,
        accueil: TypeAccueil,
    ) -> TarifHoraire {
        let enfants_retenus = enfants_a_charge.max(1).saturating_add(u8::from(aeeh));
        let colonne = self.taux(accueil);
        let rang = usize::from(enfants_retenus - 1).min(colonne.len() - 1);
        // `new` refuses an empty column, so `rang` is always within it.
        let taux = colonne.get(rang).copied().unwrap_or(TauxEffort(0));
        let annuel = u128::from(ressources_annuelles.centimes());
        let plancher = u128::from(self.plancher_mensuel.centimes()) * 12;
        let plafond = u128::from(self.plafond_mensuel.centimes()) * 12;
        let retenu = annuel.clamp(plancher, plafond);
        // round(x / d) half up, on non-negative integers.
        let arrondi = |x: u128, d: u128| (2 * x + d) / (2 * d);
        let tarif = arrondi(retenu * u128::from(taux.0), 12 * 1_000_000);
        let mensuel = arrondi(retenu, 12);
        TarifHoraire {
            ressources_mensuelles_retenues: Euros::from_centimes(u64::try_from(mensuel).unwrap_or(u64::MAX)),
            plancher_applique: annuel < plancher,
            plafond_applique: annuel > plafond,
            enfants_retenus,
            taux,
            tarif: Euros::from_centimes(u64::try_from(tarif).unwrap_or(u64::MAX)),
        }
    }
}

/// The barèmes of a caisse, sorted, refused when two are in force on the same day.
pub fn verifier_baremes(mut baremes: Vec<BaremePsu>) -> Result<Vec<BaremePsu>, BaremeError> {
    baremes.sort_by_key(|b| b.debut);
    for w in baremes.windows(2) {
        if w[0].fin.is_none_or(|fin| w[1].debut <= fin) {
            return Err(BaremeError::Chevauchement(w[0].debut, w[1].debut));
        }
    }
    Ok(baremes)
}

/// The barème in force on a day.
pub fn bareme_du_jour(baremes: &[BaremePsu], jour: NaiveDate) -> Option<&BaremePsu> {
    baremes.iter().find(|b| b.en_vigueur(jour))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }
    fn e(s: &str) -> Euros {
        Euros::parse(s).unwrap()
    }
    fn taux(list: &[&str]) -> Vec<TauxEffort> {
        list.iter().map(|t| TauxEffort::parse(t).unwrap()).collect()
    }

    /// The shape of the Cnaf barème (circulaire 2019-005, rates of 2022 onward; floor and ceiling of 2025):
    /// the test's figures, worked by hand below, only need to be consistent, not current.
    fn bareme_2025() -> BaremePsu {
        BaremePsu::new(
            d("2025-01-01"),
            Some(d("2025-12-31")),
            e("801.00"),
            e("7000.00"),
            taux(&[
                "0.0619", "0.0516", "0.0413", "0.0310", "0.0310", "0.0310", "0.0310", "0.0206",
            ]),
            taux(&["0.0516", "0.0413", "0.0310", "0.0310", "0.0310", "0.0206"]),
        )
        .unwrap()
    }

    #[test]
    fn bq_psu_fee_worked_examples() {
        let b = bareme_2025();
        // 32 500,50 € a year = 2 708,375 € a month; 2 children, collectif: 2 708,375 × 0,000516 = 1,3975…
        let t = b.tarif_horaire(e("32500.50"), 2, false, TypeAccueil::Collectif);
        assert_eq!(t.tarif, e("1.40"));
        assert_eq!(t.ressources_mensuelles_retenues, e("2708.38"));
        assert_eq!(
            (t.enfants_retenus, t.taux.to_string()),
            (2, "0,0516 %".to_owned())
        );
        // The same family with an AEEH child: the rate of 3 children, 2 708,375 × 0,000413 = 1,1185…
        let t = b.tarif_horaire(e("32500.50"), 2, true, TypeAccueil::Collectif);
        assert_eq!((t.enfants_retenus, t.tarif), (3, e("1.12")));
        // Familial column, 2 children: 2 708,375 × 0,000413 = 1,1185…
        let t = b.tarif_horaire(e("32500.50"), 2, false, TypeAccueil::Familial);
        assert_eq!(t.tarif, e("1.12"));
    }

    #[test]
    fn bq_psu_fee_floor_and_ceiling() {
        let b = bareme_2025();
        // 6 000 € a year = 500 € a month, under the floor: 801 × 0,000619 = 0,495819 → 0,50 €.
        let t = b.tarif_horaire(e("6000"), 1, false, TypeAccueil::Collectif);
        assert!(t.plancher_applique && !t.plafond_applique);
        assert_eq!(
            (t.ressources_mensuelles_retenues, t.tarif),
            (e("801.00"), e("0.50"))
        );
        // 120 000 € a year = 10 000 € a month, over the ceiling: 7 000 × 0,000310 = 2,17 € (4 children).
        let t = b.tarif_horaire(e("120000"), 4, false, TypeAccueil::Collectif);
        assert!(t.plafond_applique);
        assert_eq!(t.tarif, e("2.17"));
        // Nine children: the last rate of the column, 7 000 × 0,000206 = 1,442 → 1,44 €.
        assert_eq!(
            b.tarif_horaire(e("120000"), 9, false, TypeAccueil::Collectif)
                .tarif,
            e("1.44")
        );
        // No dependent child recorded: the child in care counts, the one-child rate.
        assert_eq!(
            b.tarif_horaire(e("6000"), 0, false, TypeAccueil::Collectif)
                .enfants_retenus,
            1
        );
    }

    #[test]
    fn bq_psu_fee_rounds_half_up_to_the_cent() {
        // 15 000 € a year = 1 250 € a month; × 0,000516 = 0,645 exactly → 0,65 €.
        let t = bareme_2025().tarif_horaire(e("15000"), 2, false, TypeAccueil::Collectif);
        assert_eq!(t.tarif, e("0.65"));
    }

    #[test]
    fn bq_psu_bareme_refuses_floor_above_ceiling_empty_columns_and_overlaps() {
        let make = |debut: &str, fin: Option<&str>, plancher: &str| {
            BaremePsu::new(
                d(debut),
                fin.map(d),
                e(plancher),
                e("7000"),
                taux(&["0.0619"]),
                taux(&["0.0516"]),
            )
        };
        assert!(matches!(
            make("2025-01-01", None, "7000.01"),
            Err(BaremeError::PlancherAuDessusDuPlafond { .. })
        ));
        assert!(matches!(
            make("2025-01-01", Some("2024-12-31"), "801"),
            Err(BaremeError::FinAvantDebut(_))
        ));
        assert_eq!(
            BaremePsu::new(d("2025-01-01"), None, e("1"), e("2"), vec![], taux(&["0.05"])),
            Err(BaremeError::ColonneVide("collectif"))
        );
        let open = make("2025-01-01", None, "801").unwrap();
        let next = make("2026-01-01", None, "810").unwrap();
        assert!(matches!(
            verifier_baremes(vec![next.clone(), open]),
            Err(BaremeError::Chevauchement(..))
        ));
        let closed = make("2025-01-01", Some("2025-12-31"), "801").unwrap();
        let ok = verifier_baremes(vec![next, closed]).unwrap();
        assert_eq!(ok[0].debut(), d("2025-01-01"));
        assert_eq!(
            bareme_du_jour(&ok, d("2026-03-01")).map(|b| b.debut()),
            Some(d("2026-01-01"))
        );
        assert_eq!(bareme_du_jour(&ok, d("2024-12-31")), None);
    }

    #[test]
    fn bq_psu_taux_parse() {
        assert_eq!(TauxEffort::parse("0.0619").unwrap().millioniemes(), 619);
        assert_eq!(TauxEffort::parse("0,05").unwrap().millioniemes(), 500);
        for bad in ["0", "1.5", "0.00001", "0.0000", "-0.06", "0.", "abc"] {
            assert!(TauxEffort::parse(bad).is_err(), "{bad}");
        }
    }

    proptest! {
        /// The fee never goes down when resources go up, and stays between the floor's and ceiling's fees.
        #[test]
        fn bq_psu_fee_grows_with_resources_within_floor_and_ceiling(a in 0u64..50_000_000, b in 0u64..50_000_000, n in 0u8..12, aeeh: bool) {
            let bareme = bareme_2025();
            let fee = |c| bareme.tarif_horaire(Euros::from_centimes(c), n, aeeh, TypeAccueil::Collectif).tarif;
            let (lo, hi) = (a.min(b), a.max(b));
            prop_assert!(fee(lo) <= fee(hi));
            prop_assert!(fee(0) <= fee(lo) && fee(hi) <= fee(u64::MAX / 1_000));
        }
    }
}
