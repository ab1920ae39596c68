//! Every instant partage reasons about comes from a `Clock`, so sessions, conventions and habilitations can
//! be tested at any moment without waiting. `chrono::Utc::now` is banned elsewhere by clippy.toml.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use partage_domain::plage::decalage_france;
use std::fmt::Debug;
use std::sync::{Arc, Mutex};

pub trait Clock: Send + Sync + Debug + 'static {
    fn now(&self) -> DateTime<Utc>;

    /// The calendar day in metropolitan France, where conventions' dates are signed and apply: a day starts
    /// at midnight Paris time, summer and winter (UTC+2 or +1), so a convention ending on a day stops giving
    /// access at 00:00 that day, not an hour later in summer (CV-8).
    fn today(&self) -> NaiveDate {
        let now = self.now();
        (now + decalage_france(now)).date_naive()
    }
}

#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)] // The one place the real time is read.
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that only moves when told to, for tests and simulations.
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<Mutex<DateTime<Utc>>>);

impl ManualClock {
    pub fn at(start: DateTime<Utc>) -> ManualClock {
        ManualClock(Arc::new(Mutex::new(start)))
    }

    pub fn advance(&self, by: Duration) {
        let mut now = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        *now += by;
    }

    pub fn set(&self, to: DateTime<Utc>) {
        *self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = to;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jour_a(instant: &str) -> NaiveDate {
        ManualClock::at(instant.parse().unwrap()).today()
    }

    #[test]
    fn cv_8_the_day_turns_at_midnight_paris_time_in_winter_and_in_summer() {
        // Winter (UTC+1): midnight in Paris is 23:00 UTC the day before.
        assert_eq!(jour_a("2026-01-14T22:59:59Z"), "2026-01-14".parse().unwrap());
        assert_eq!(jour_a("2026-01-14T23:00:01Z"), "2026-01-15".parse().unwrap());
        // Summer (UTC+2): midnight in Paris is 22:00 UTC the day before, not 23:00.
        assert_eq!(jour_a("2026-03-31T21:59:59Z"), "2026-03-31".parse().unwrap());
        assert_eq!(jour_a("2026-03-31T22:00:01Z"), "2026-04-01".parse().unwrap());
    }
}
