//! How long traces are kept (issue #6, part 9): a number of months, 36 by default (API Particulier's rule
//! for partners), never under 12. Past it, the scheduler purges a trace's personal content and keeps its
//! place and leaf hash in the verifiable log (docs/journal-verifiable.md, « La purge »).

use chrono::{DateTime, Months, Utc};

pub const MOIS_PAR_DEFAUT: u32 = 36;
pub const MOIS_MINIMUM: u32 = 12;
/// More than a century is surely a typing mistake.
pub const MOIS_MAXIMUM: u32 = 1200;

/// The retention period of traces, in whole months.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    mois: u32,
}

impl Default for Retention {
    fn default() -> Self {
        Retention {
            mois: MOIS_PAR_DEFAUT,
        }
    }
}

impl Retention {
    pub fn mois(mois: u32) -> Result<Retention, String> {
        if mois < MOIS_MINIMUM {
            return Err(format!(
                "durée de conservation des traces trop courte : {mois} mois, au moins {MOIS_MINIMUM} mois"
            ));
        }
        if mois > MOIS_MAXIMUM {
            return Err(format!(
                "durée de conservation des traces trop longue : {mois} mois, au plus {MOIS_MAXIMUM} mois"
            ));
        }
        Ok(Retention { mois })
    }

    /// The setting as written (`PARTAGE_RETENTION_TRACES_MOIS`).
    pub fn parse(text: &str) -> Result<Retention, String> {
        let mois = text.trim().parse::<u32>().map_err(|_| {
            format!(
                "durée de conservation des traces illisible « {text} » : un nombre entier de mois attendu"
            )
        })?;
        Retention::mois(mois)
    }

    pub fn nombre_de_mois(self) -> u32 {
        self.mois
    }

    /// The instant before which a trace has outlived the period, `now` being now: the same day of the month
    /// `mois` months earlier (the last day of a shorter month).
    pub fn limite(self, now: DateTime<Utc>) -> DateTime<Utc> {
        now.checked_sub_months(Months::new(self.mois))
            .unwrap_or(DateTime::<Utc>::MIN_UTC)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retention_defaults_to_36_months_and_refuses_under_12_in_french() {
        assert_eq!(Retention::default().nombre_de_mois(), 36);
        assert_eq!(Retention::parse(" 12 ").unwrap().nombre_de_mois(), 12);
        let short = Retention::parse("11").unwrap_err();
        assert!(short.contains("au moins 12 mois"), "{short}");
        assert!(Retention::parse("trois ans").unwrap_err().contains("illisible"));
        assert!(Retention::parse("-3").is_err());
        assert!(Retention::mois(5000).unwrap_err().contains("trop longue"));
    }

    #[test]
    fn limit_is_the_same_day_months_earlier() {
        let now = DateTime::parse_from_rfc3339("2026-12-05T23:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let limite = Retention::default().limite(now);
        assert_eq!(limite.to_rfc3339(), "2023-12-05T23:00:00+00:00");
        let end_of_month = DateTime::parse_from_rfc3339("2026-05-31T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            Retention::mois(15).unwrap().limite(end_of_month).to_rfc3339(),
            "2025-02-28T10:00:00+00:00"
        );
    }
}
