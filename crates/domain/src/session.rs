//! Session lifetime rules (SPEC AU-4): an idle time-out and an absolute limit.

use chrono::{DateTime, Duration, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    /// No input for this long ends the session (30 minutes in 002:7).
    pub inactivite: Duration,
    /// No session outlives this, active or not.
    pub duree_max: Duration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        SessionPolicy {
            inactivite: Duration::minutes(30),
            duree_max: Duration::hours(12),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EtatSession {
    Active,
    /// Ended by the idle time-out.
    Expiree,
    /// Ended by the absolute limit.
    DureeMaxAtteinte,
}

impl SessionPolicy {
    pub fn etat(
        &self,
        creee: DateTime<Utc>,
        derniere_activite: DateTime<Utc>,
        maintenant: DateTime<Utc>,
    ) -> EtatSession {
        if maintenant - creee >= self.duree_max {
            EtatSession::DureeMaxAtteinte
        } else if maintenant - derniere_activite >= self.inactivite {
            EtatSession::Expiree
        } else {
            EtatSession::Active
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn au_4_idle_timeout_is_exactly_the_delay() {
        let p = SessionPolicy::default();
        let t0 = DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap();
        let almost = t0 + Duration::minutes(30) - Duration::milliseconds(1);
        assert_eq!(p.etat(t0, t0, almost), EtatSession::Active);
        assert_eq!(p.etat(t0, t0, t0 + Duration::minutes(30)), EtatSession::Expiree);
    }

    #[test]
    fn au_4_absolute_limit_even_when_active() {
        let p = SessionPolicy::default();
        let t0 = DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap();
        let now = t0 + Duration::hours(12);
        assert_eq!(
            p.etat(t0, now - Duration::seconds(1), now),
            EtatSession::DureeMaxAtteinte
        );
    }
}
