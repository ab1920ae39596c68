//! Every instant partage reasons about comes from a `Clock`, so sessions, conventions and habilitations can
//! be tested at any moment without waiting. `chrono::Utc::now` is banned elsewhere by clippy.toml.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use std::fmt::Debug;
use std::sync::{Arc, Mutex};

pub trait Clock: Send + Sync + Debug + 'static {
    fn now(&self) -> DateTime<Utc>;

    /// The calendar day in France, where conventions' dates are signed and apply.
    fn today(&self) -> NaiveDate {
        // Metropolitan France is UTC+1 or +2; a day boundary at 23:00 UTC is off by at most one hour in
        // summer, on the safe side (access ends no later than midnight Paris time).
        (self.now() + Duration::hours(1)).date_naive()
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
