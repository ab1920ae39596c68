//! Opening hours of a bouquet (SPEC CO-7; 000:5, 001:5: "assurer une ouverture du service de 5 h à 23 h,
//! 7 jours sur 7"). The conventions set a minimum: a service may be open longer (partage is open all day by
//! default), never shorter than 5 h–23 h, French time. Outside its window a bouquet says so plainly, with
//! the time it reopens. Pure: the instant is a parameter, and French time is computed here (CET/CEST, the
//! European summer-time rule: from the last Sunday of March to the last Sunday of October, 01:00 UTC).

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use std::fmt;

/// The daily window of a bouquet, in French local time: open from `ouverture` (included) to `fermeture`
/// (excluded). Always contains 5 h–23 h.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plage {
    ouverture: NaiveTime,
    fermeture: NaiveTime,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlageError {
    #[error("plage illisible « {0} » : attendu HH:MM-HH:MM, par exemple 05:00-23:00")]
    Illisible(String),
    #[error("les conventions imposent une ouverture d'au moins 5 h à 23 h : la plage doit commencer au plus tard à 05:00 et finir au plus tôt à 23:00")]
    TropCourte,
}

/// A closed bouquet: when it reopens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fermeture {
    pub plage: Plage,
    pub rouvre_le: DateTime<Utc>,
}

impl Plage {
    pub fn new(ouverture: NaiveTime, fermeture: NaiveTime) -> Result<Plage, PlageError> {
        let minimum_ouverture = NaiveTime::from_hms_opt(5, 0, 0);
        let minimum_fermeture = NaiveTime::from_hms_opt(23, 0, 0);
        match (minimum_ouverture, minimum_fermeture) {
            (Some(o), Some(f)) if ouverture <= o && fermeture >= f => Ok(Plage { ouverture, fermeture }),
            _ => Err(PlageError::TropCourte),
        }
    }

    /// `HH:MM-HH:MM`, as in a setting.
    pub fn parse(texte: &str) -> Result<Plage, PlageError> {
        let illisible = || PlageError::Illisible(texte.chars().take(32).collect());
        let (o, f) = texte.trim().split_once('-').ok_or_else(illisible)?;
        let heure = |s: &str| NaiveTime::parse_from_str(s.trim(), "%H:%M").map_err(|_| illisible());
        Plage::new(heure(o)?, heure(f)?)
    }

    /// When the service opens each day, French time.
    pub fn ouverture(self) -> NaiveTime {
        self.ouverture
    }

    /// When the service closes each day (excluded), French time.
    pub fn fermeture(self) -> NaiveTime {
        self.fermeture
    }

    /// The window as a setting reads it, `HH:MM-HH:MM`: the inverse of [`Plage::parse`].
    pub fn texte(self) -> String {
        format!(
            "{}-{}",
            self.ouverture.format("%H:%M"),
            self.fermeture.format("%H:%M")
        )
    }

    /// Open at `instant`, or closed until when.
    pub fn verifier(self, instant: DateTime<Utc>) -> Result<(), Fermeture> {
        let local = instant + decalage_france(instant);
        let heure = local.time();
        if heure >= self.ouverture && heure < self.fermeture {
            return Ok(());
        }
        // Closed: it reopens at the next `ouverture`, today if before it, tomorrow otherwise.
        let jour = if heure < self.ouverture {
            local.date_naive()
        } else {
            local.date_naive() + Duration::days(1)
        };
        Err(Fermeture {
            plage: self,
            rouvre_le: instant_francais(jour, self.ouverture),
        })
    }
}

impl fmt::Display for Plage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "de {} à {}",
            heure_lisible(self.ouverture),
            heure_lisible(self.fermeture)
        )
    }
}

/// "5 h", "22 h 30".
pub fn heure_lisible(t: NaiveTime) -> String {
    use chrono::Timelike;
    match t.minute() {
        0 => format!("{} h", t.hour()),
        m => format!("{} h {m:02}", t.hour()),
    }
}

/// The last Sunday of a month, at 01:00 UTC: when European summer time starts (March) or ends (October).
fn dernier_dimanche_1h_utc(annee: i32, mois: u32) -> Option<DateTime<Utc>> {
    let premier_suivant = if mois == 12 {
        NaiveDate::from_ymd_opt(annee + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(annee, mois + 1, 1)?
    };
    let mut jour = premier_suivant - Duration::days(1);
    while jour.weekday() != Weekday::Sun {
        jour -= Duration::days(1);
    }
    Some(Utc.from_utc_datetime(&jour.and_hms_opt(1, 0, 0)?))
}

/// French local time minus UTC at `instant`: one hour in winter, two in summer.
pub fn decalage_france(instant: DateTime<Utc>) -> Duration {
    let annee = instant.year();
    match (
        dernier_dimanche_1h_utc(annee, 3),
        dernier_dimanche_1h_utc(annee, 10),
    ) {
        (Some(debut), Some(fin)) if instant >= debut && instant < fin => Duration::hours(2),
        _ => Duration::hours(1),
    }
}

/// The UTC instant of a French local date and time (a time skipped by the spring change is read as summer
/// time; none of the opening times is near 2 h anyway).
fn instant_francais(jour: NaiveDate, heure: NaiveTime) -> DateTime<Utc> {
    let naif = Utc.from_utc_datetime(&jour.and_time(heure));
    // Try winter time first, then check it is consistent with the rule at that instant.
    let hiver = naif - Duration::hours(1);
    if decalage_france(hiver) == Duration::hours(1) {
        hiver
    } else {
        naif - Duration::hours(2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).single().unwrap()
    }

    fn cinq_23() -> Plage {
        Plage::parse("05:00-23:00").unwrap()
    }

    #[test]
    fn co_7_french_time_follows_the_european_summer_rule() {
        // 2026: summer time from Sunday 29 March 01:00 UTC to Sunday 25 October 01:00 UTC.
        assert_eq!(decalage_france(utc(2026, 3, 29, 0, 59)), Duration::hours(1));
        assert_eq!(decalage_france(utc(2026, 3, 29, 1, 0)), Duration::hours(2));
        assert_eq!(decalage_france(utc(2026, 10, 25, 0, 59)), Duration::hours(2));
        assert_eq!(decalage_france(utc(2026, 10, 25, 1, 0)), Duration::hours(1));
        assert_eq!(decalage_france(utc(2026, 1, 15, 12, 0)), Duration::hours(1));
        assert_eq!(decalage_france(utc(2027, 3, 28, 1, 0)), Duration::hours(2));
    }

    #[test]
    fn co_7_open_from_5_to_23_french_time_and_says_when_it_reopens() {
        let p = cinq_23();
        // Winter: 5 h in Paris is 04:00 UTC; 23 h is 22:00 UTC.
        assert!(p.verifier(utc(2026, 1, 15, 3, 59)).is_err());
        assert!(p.verifier(utc(2026, 1, 15, 4, 0)).is_ok());
        assert!(p.verifier(utc(2026, 1, 15, 21, 59)).is_ok());
        let f = p.verifier(utc(2026, 1, 15, 22, 0)).unwrap_err();
        assert_eq!(f.rouvre_le, utc(2026, 1, 16, 4, 0), "tomorrow at 5 h");
        let f = p.verifier(utc(2026, 1, 16, 2, 0)).unwrap_err();
        assert_eq!(f.rouvre_le, utc(2026, 1, 16, 4, 0), "this morning at 5 h");
        // Summer: one hour earlier in UTC.
        assert!(p.verifier(utc(2026, 7, 14, 3, 0)).is_ok());
        assert!(p.verifier(utc(2026, 7, 14, 21, 0)).is_err());
        assert_eq!(p.to_string(), "de 5 h à 23 h");
    }

    #[test]
    fn co_7_a_window_shorter_than_5_to_23_or_unreadable_is_refused() {
        assert_eq!(Plage::parse("06:00-23:00"), Err(PlageError::TropCourte));
        assert_eq!(Plage::parse("05:00-22:30"), Err(PlageError::TropCourte));
        assert!(Plage::parse("04:30-23:59").is_ok());
        assert!(matches!(Plage::parse("5h-23h"), Err(PlageError::Illisible(_))));
        assert!(matches!(Plage::parse(""), Err(PlageError::Illisible(_))));
        assert_eq!(Plage::parse(" 04:30 - 23:59 ").unwrap().texte(), "04:30-23:59");
        assert_eq!(
            heure_lisible(NaiveTime::from_hms_opt(22, 30, 0).unwrap()),
            "22 h 30"
        );
    }

    proptest::proptest! {
        /// Any `HH:MM-HH:MM` is accepted exactly when it contains 5 h–23 h, and reads back as typed.
        #[test]
        fn co_7_a_window_is_accepted_iff_it_contains_5_to_23(o in 0u32..1440, f in 0u32..1440) {
            let texte = format!("{:02}:{:02}-{:02}:{:02}", o / 60, o % 60, f / 60, f % 60);
            match Plage::parse(&texte) {
                Ok(p) => {
                    proptest::prop_assert!(o <= 300 && f >= 1380);
                    proptest::prop_assert_eq!(p.texte(), texte);
                }
                Err(e) => {
                    proptest::prop_assert!(o > 300 || f < 1380);
                    proptest::prop_assert_eq!(e, PlageError::TropCourte);
                }
            }
        }
    }
}
