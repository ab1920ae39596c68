//! Lock-out after failed logins (OWASP ASVS 5 §6.3, SPEC AU-1): a progressive delay per account, a lock
//! after too many failures, and a limit per source address. Pure rules: the counters live in the store (so
//! every server of a deployment shares them) and the instant is a parameter.
//!
//! Counters are keyed by what was TYPED (space, caisse, identifier), not by an account row: an unknown
//! identifier is counted exactly like a known one, so neither the delay nor the lock tells an attacker
//! whether an account exists.

use chrono::{DateTime, Duration, Utc};
use std::fmt;

/// Where a login is typed: partners' agents and caisse staff log in through separate entrances, and each
/// has its own counters even for the same caisse and identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Espace {
    Partenaire,
    Personnel,
}

impl Espace {
    pub fn code(self) -> &'static str {
        match self {
            Espace::Partenaire => "partenaire",
            Espace::Personnel => "personnel",
        }
    }
}

/// The longest caisse and identifier text kept in a key: longer input is cut, as in traces.
const MAX_CHAMP: usize = 64;

/// What failures are counted under: one account as typed, or one source address.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct CleConnexion(String);

impl CleConnexion {
    /// The key of an account as typed at the login form. The caisse's length is part of the key, so no
    /// choice of caisse and identifier text can reach another pair's counter.
    pub fn compte(espace: Espace, caisse: &str, identifiant: &str) -> CleConnexion {
        let caisse = clean(caisse);
        let identifiant = clean(identifiant);
        CleConnexion(format!(
            "{}:{}:{caisse}:{identifiant}",
            espace.code(),
            caisse.chars().count()
        ))
    }

    /// The key of a source address (its text as the web layer gives it).
    pub fn source(adresse: &str) -> CleConnexion {
        CleConnexion(format!("adresse:{}", clean(adresse)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for CleConnexion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CleConnexion({:?})", self.0)
    }
}

fn clean(s: &str) -> String {
    s.trim()
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_CHAMP)
        .collect()
}

/// The failures counted under one key, as the store keeps them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Echecs {
    /// Failures in the current run: a failure more than [`Politique::fenetre`] after the previous one
    /// starts a new run at 1.
    pub nombre: u32,
    pub dernier: DateTime<Utc>,
    /// Set by the failure that reached [`Politique::seuil_compte`]; only an unlock clears it.
    pub verrouille_le: Option<DateTime<Utc>>,
}

/// What may happen with an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// The password may be checked.
    Autorisee,
    /// Too soon after the last failure: refused without checking the password; retry after this delay.
    Attendre(Duration),
    /// The account is locked until a caisse agent unlocks it. The password is still checked (same work,
    /// same answer as a wrong password), but even the right one does not open a session.
    Verrouille,
}

/// The lock-out settings. Defaults: four free failures (typing errors), then a delay doubling from one
/// second up to thirty; the hundredth failure of a run locks the account; a source address with a hundred
/// failures in a run waits an hour after its last one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Politique {
    pub echecs_gratuits: u32,
    pub delai_max: Duration,
    /// ASVS 6.3.x / NIST 800-63B: at most 100 failures, then locked. With the 30-second delay, 100 failures
    /// take about 47 minutes: the lock is reached within the hour.
    pub seuil_compte: u32,
    pub seuil_source: u32,
    /// A run of failures ends after this long without one; so at most `seuil_compte` failures fall in any
    /// hour before the lock.
    pub fenetre: Duration,
}

impl Default for Politique {
    fn default() -> Self {
        Politique {
            echecs_gratuits: 4,
            delai_max: Duration::seconds(30),
            seuil_compte: 100,
            seuil_source: 100,
            fenetre: Duration::hours(1),
        }
    }
}

impl Politique {
    /// The delay owed after `nombre` failures in a run: none for the free ones, then 1 s, 2 s, 4 s… capped.
    pub fn delai(&self, nombre: u32) -> Duration {
        if nombre <= self.echecs_gratuits {
            return Duration::zero();
        }
        let exposant = (nombre - self.echecs_gratuits - 1).min(20);
        Duration::seconds(1i64 << exposant).min(self.delai_max)
    }

    fn en_cours(&self, echecs: &Echecs, now: DateTime<Utc>) -> bool {
        now - echecs.dernier < self.fenetre
    }

    /// May this account (as typed) try a password now?
    pub fn compte(&self, echecs: Option<&Echecs>, now: DateTime<Utc>) -> Decision {
        let Some(e) = echecs else {
            return Decision::Autorisee;
        };
        if e.verrouille_le.is_some() {
            return Decision::Verrouille;
        }
        if !self.en_cours(e, now) {
            return Decision::Autorisee;
        }
        let reste = e.dernier + self.delai(e.nombre) - now;
        if reste > Duration::zero() {
            Decision::Attendre(reste)
        } else {
            Decision::Autorisee
        }
    }

    /// May this source address try a login now? A source is never locked for good (a whole office behind
    /// one address would be): it waits until its run of failures ends.
    pub fn source(&self, echecs: Option<&Echecs>, now: DateTime<Utc>) -> Decision {
        match echecs {
            Some(e) if e.nombre >= self.seuil_source && self.en_cours(e, now) => {
                Decision::Attendre(e.dernier + self.fenetre - now)
            }
            _ => Decision::Autorisee,
        }
    }
}

/// Seconds to announce in `Retry-After`: whole, rounded up, at least one.
pub fn secondes_arrondies(d: Duration) -> u64 {
    let ms = d.num_milliseconds().max(0);
    u64::try_from((ms + 999) / 1000).unwrap_or(1).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn t(s: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_790_000_000 + s, 0).unwrap()
    }

    #[test]
    fn au_1_delay_doubles_after_the_free_failures_up_to_its_cap() {
        let p = Politique::default();
        let delais: Vec<i64> = (1..=12).map(|n| p.delai(n).num_seconds()).collect();
        assert_eq!(delais, [0, 0, 0, 0, 1, 2, 4, 8, 16, 30, 30, 30]);
        assert_eq!(p.delai(u32::MAX), Duration::seconds(30));
    }

    #[test]
    fn au_1_account_waits_its_delay_then_may_try_again() {
        let p = Politique::default();
        let e = Echecs {
            nombre: 6,
            dernier: t(0),
            verrouille_le: None,
        };
        assert_eq!(p.compte(Some(&e), t(1)), Decision::Attendre(Duration::seconds(1)));
        assert_eq!(p.compte(Some(&e), t(2)), Decision::Autorisee);
        assert_eq!(p.compte(None, t(0)), Decision::Autorisee);
    }

    #[test]
    fn au_1_locked_account_stays_locked_whatever_the_time() {
        let p = Politique::default();
        let e = Echecs {
            nombre: 100,
            dernier: t(0),
            verrouille_le: Some(t(0)),
        };
        assert_eq!(p.compte(Some(&e), t(0)), Decision::Verrouille);
        assert_eq!(p.compte(Some(&e), t(86_400 * 365)), Decision::Verrouille);
    }

    #[test]
    fn au_1_the_lock_is_reached_within_the_hour_despite_the_delays() {
        let p = Politique::default();
        let total: i64 = (1..p.seuil_compte).map(|n| p.delai(n).num_seconds()).sum();
        assert!(total < 3600, "100 failures take {total} s");
    }

    #[test]
    fn au_1_source_waits_an_hour_after_its_hundredth_failure() {
        let p = Politique::default();
        let e = Echecs {
            nombre: 100,
            dernier: t(0),
            verrouille_le: None,
        };
        assert_eq!(
            p.source(Some(&e), t(600)),
            Decision::Attendre(Duration::seconds(3000))
        );
        assert_eq!(p.source(Some(&e), t(3600)), Decision::Autorisee);
        let moins = Echecs { nombre: 99, ..e };
        assert_eq!(p.source(Some(&moins), t(1)), Decision::Autorisee);
    }

    #[test]
    fn au_1_keys_separate_spaces_and_cannot_collide() {
        let a = CleConnexion::compte(Espace::Partenaire, "CAF-59", "jdupont");
        let b = CleConnexion::compte(Espace::Personnel, "CAF-59", "jdupont");
        assert_ne!(a, b);
        assert_eq!(
            a,
            CleConnexion::compte(Espace::Partenaire, " CAF-59 ", "jdupont\n")
        );
        assert_ne!(
            CleConnexion::compte(Espace::Partenaire, "a:b", "c"),
            CleConnexion::compte(Espace::Partenaire, "a", "b:c")
        );
    }

    #[test]
    fn retry_after_is_rounded_up() {
        assert_eq!(secondes_arrondies(Duration::milliseconds(1)), 1);
        assert_eq!(secondes_arrondies(Duration::milliseconds(1001)), 2);
        assert_eq!(secondes_arrondies(Duration::zero()), 1);
    }

    proptest! {
        #[test]
        fn au_1_keys_are_bounded_and_distinct_pairs_stay_distinct(
            c1 in "[a-zA-Z0-9:-]{1,20}", i1 in "[a-zA-Z0-9:-]{1,20}",
            c2 in "[a-zA-Z0-9:-]{1,20}", i2 in "[a-zA-Z0-9:-]{1,20}",
        ) {
            let k1 = CleConnexion::compte(Espace::Partenaire, &c1, &i1);
            let k2 = CleConnexion::compte(Espace::Partenaire, &c2, &i2);
            prop_assert_eq!(k1 == k2, c1 == c2 && i1 == i2);
        }

        #[test]
        fn au_1_key_length_is_bounded(c in ".{0,500}", i in ".{0,500}") {
            let k = CleConnexion::compte(Espace::Personnel, &c, &i);
            prop_assert!(k.as_str().chars().count() <= 10 + 4 + 2 * MAX_CHAMP);
        }
    }
}
