//! A convention between one caisse and one partner (SPEC CV-1, CV-2). Only "in force or not" lives here for
//! now; the full lifecycle (renewal, denunciation, mise en demeure…) builds on these dates.

use crate::{Bouquet, NumeroConvention};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Convention {
    pub numero: NumeroConvention,
    pub bouquets: Vec<Bouquet>,
    /// Signed by both parties on this date.
    pub signee_le: NaiveDate,
    /// The CNIL formality was transmitted or completed on this date; `None`: not yet, so no access (CV-2).
    pub formalite_cnil_le: Option<NaiveDate>,
    /// First day on which the convention no longer applies; `None`: open-ended (tacit renewals).
    pub fin_le: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConventionError {
    #[error("une convention ouvre au moins un bouquet")]
    SansBouquet,
    #[error("la date de fin ({fin}) doit suivre la date de signature ({signee})")]
    FinAvantSignature { signee: NaiveDate, fin: NaiveDate },
    #[error("la formalité CNIL ({cnil}) ne peut pas suivre la fin de la convention ({fin})")]
    CnilApresFin { cnil: NaiveDate, fin: NaiveDate },
}

impl Convention {
    pub fn new(
        numero: NumeroConvention,
        mut bouquets: Vec<Bouquet>,
        signee_le: NaiveDate,
        formalite_cnil_le: Option<NaiveDate>,
        fin_le: Option<NaiveDate>,
    ) -> Result<Convention, ConventionError> {
        bouquets.sort();
        bouquets.dedup();
        if bouquets.is_empty() {
            return Err(ConventionError::SansBouquet);
        }
        if let Some(fin) = fin_le {
            if fin <= signee_le {
                return Err(ConventionError::FinAvantSignature {
                    signee: signee_le,
                    fin,
                });
            }
            if let Some(cnil) = formalite_cnil_le.filter(|c| *c >= fin) {
                return Err(ConventionError::CnilApresFin { cnil, fin });
            }
        }
        Ok(Convention {
            numero,
            bouquets,
            signee_le,
            formalite_cnil_le,
            fin_le,
        })
    }

    /// CV-2: in force from signature, once the CNIL formality is done, until its end date (exclusive).
    pub fn en_vigueur(&self, jour: NaiveDate) -> bool {
        let debut = match self.formalite_cnil_le {
            Some(cnil) => cnil.max(self.signee_le),
            None => return false,
        };
        jour >= debut && self.fin_le.is_none_or(|fin| jour < fin)
    }

    pub fn ouvre(&self, bouquet: Bouquet) -> bool {
        self.bouquets.contains(&bouquet)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn conv(cnil: Option<&str>, fin: Option<&str>) -> Convention {
        Convention::new(
            NumeroConvention::parse("C-1").unwrap(),
            vec![Bouquet::Qf],
            d("2026-01-10"),
            cnil.map(d),
            fin.map(d),
        )
        .unwrap()
    }

    #[test]
    fn cv_2_no_access_before_cnil_formality() {
        let c = conv(None, None);
        assert!(!c.en_vigueur(d("2026-06-01")));
        let c = conv(Some("2026-02-01"), None);
        assert!(!c.en_vigueur(d("2026-01-31")));
        assert!(c.en_vigueur(d("2026-02-01")));
        // Formality before signature: in force from the signature.
        let c = conv(Some("2025-12-01"), None);
        assert!(!c.en_vigueur(d("2026-01-09")));
        assert!(c.en_vigueur(d("2026-01-10")));
    }

    #[test]
    fn cv_8_no_access_from_the_end_date() {
        let c = conv(Some("2026-01-10"), Some("2027-01-10"));
        assert!(c.en_vigueur(d("2027-01-09")));
        assert!(!c.en_vigueur(d("2027-01-10")));
    }

    #[test]
    fn cv_1_refuses_incoherent_conventions() {
        let n = NumeroConvention::parse("C-2").unwrap();
        assert_eq!(
            Convention::new(n.clone(), vec![], d("2026-01-01"), None, None),
            Err(ConventionError::SansBouquet)
        );
        assert!(matches!(
            Convention::new(
                n.clone(),
                vec![Bouquet::Qf],
                d("2026-01-01"),
                None,
                Some(d("2025-01-01"))
            ),
            Err(ConventionError::FinAvantSignature { .. })
        ));
        assert!(matches!(
            Convention::new(
                n,
                vec![Bouquet::Qf],
                d("2026-01-01"),
                Some(d("2027-02-01")),
                Some(d("2027-01-01"))
            ),
            Err(ConventionError::CnilApresFin { .. })
        ));
    }
}
