//! The consultation rate of one user (issue "security", part 3): at most `par_seconde` consultations a
//! second on average, with bursts of up to `rafale` at once. A user who goes faster is answered
//! `trop_de_requetes` with the delay to wait; the refused attempt is traced like any other.
//!
//! The rule is the generic cell rate algorithm (GCRA, ITU-T I.371): one instant per user — the theoretical
//! arrival time of his next request — instead of a counter and a window, so there is no window edge at which
//! twice the rate gets through. Pure: the instant is a parameter.

use chrono::{DateTime, Duration, Utc};

/// How fast one user may consult. Both values are at least 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Politique {
    pub par_seconde: u32,
    pub rafale: u32,
}

impl Default for Politique {
    /// 20 a second: far above what a person at a counter does, low enough to stop a script walking NIRs.
    fn default() -> Self {
        Politique {
            par_seconde: 20,
            rafale: 20,
        }
    }
}

impl Politique {
    /// The time one consultation "costs".
    fn intervalle(self) -> Duration {
        Duration::nanoseconds(1_000_000_000 / i64::from(self.par_seconde.max(1)))
    }

    /// How far ahead of now the theoretical arrival time may run: the burst, less the one being served.
    fn tolerance(self) -> Duration {
        self.intervalle() * i32::try_from(self.rafale.max(1) - 1).unwrap_or(i32::MAX)
    }

    /// Serves or refuses one consultation at `maintenant`, given the user's state (`None` for a user not
    /// seen lately), and returns his new state with the verdict. A refusal leaves the state as it was, so
    /// hammering does not push the user's wait further away.
    pub fn prendre(self, etat: Option<Seau>, maintenant: DateTime<Utc>) -> (Seau, Verdict) {
        let intervalle = self.intervalle();
        let tolerance = self.tolerance();
        let prochain = etat.map_or(maintenant, |s| s.prochain.max(maintenant));
        let avance = prochain - maintenant;
        if avance > tolerance {
            let attente = avance - tolerance;
            return (
                Seau { prochain },
                Verdict::Refuse {
                    limite: self.rafale.max(1),
                    reessayer_dans_s: secondes_entamees(attente),
                },
            );
        }
        (
            Seau {
                prochain: prochain + intervalle,
            },
            self.servi(prochain + intervalle, maintenant),
        )
    }

    /// What the headers say after a consultation was served, without taking one: the consultations left
    /// and when the full burst is back.
    pub fn apercu(self, etat: Option<Seau>, maintenant: DateTime<Utc>) -> Verdict {
        self.servi(
            etat.map_or(maintenant, |s| s.prochain.max(maintenant)),
            maintenant,
        )
    }

    fn servi(self, prochain: DateTime<Utc>, maintenant: DateTime<Utc>) -> Verdict {
        let intervalle = self.intervalle();
        let marge = self.tolerance() + intervalle - (prochain - maintenant);
        let restantes = marge.num_nanoseconds().unwrap_or(0) / intervalle.num_nanoseconds().unwrap_or(1);
        Verdict::Servi {
            limite: self.rafale.max(1),
            restantes: u32::try_from(restantes.max(0)).unwrap_or(0),
            pleine_dans_s: if prochain > maintenant {
                secondes_entamees(prochain - maintenant)
            } else {
                0
            },
        }
    }
}

/// One user's state: the theoretical arrival time of his next consultation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seau {
    prochain: DateTime<Utc>,
}

impl Seau {
    /// Past this instant the user is back to a full burst, and his state can be forgotten.
    pub fn oubliable_apres(self) -> DateTime<Utc> {
        self.prochain
    }
}

/// The answer to one consultation, with what the `RateLimit-*` headers tell the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Servi {
        limite: u32,
        /// Consultations the user may still make at once.
        restantes: u32,
        /// Seconds until the full burst is available again.
        pleine_dans_s: u64,
    },
    Refuse {
        limite: u32,
        /// Seconds to wait before the next consultation is served (at least 1).
        reessayer_dans_s: u64,
    },
}

/// Whole seconds, rounded up: a client told "0" would retry at once.
fn secondes_entamees(d: Duration) -> u64 {
    let ms = d.num_milliseconds().max(0);
    u64::try_from((ms + 999) / 1000).unwrap_or(u64::MAX).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).single().unwrap()
    }

    fn rafale(p: Politique, etat: Option<Seau>, at: DateTime<Utc>, n: u32) -> (Option<Seau>, Vec<Verdict>) {
        let mut etat = etat;
        let mut verdicts = Vec::new();
        for _ in 0..n {
            let (s, v) = p.prendre(etat, at);
            etat = Some(s);
            verdicts.push(v);
        }
        (etat, verdicts)
    }

    #[test]
    fn a_full_burst_is_served_then_the_next_is_refused_with_a_delay() {
        let p = Politique {
            par_seconde: 20,
            rafale: 20,
        };
        let (etat, verdicts) = rafale(p, None, t0(), 21);
        for (i, v) in verdicts[..20].iter().enumerate() {
            let Verdict::Servi {
                restantes, limite, ..
            } = *v
            else {
                panic!("consultation {i} refusée: {v:?}");
            };
            assert_eq!(limite, 20);
            assert_eq!(restantes, 19 - i as u32);
        }
        assert_eq!(
            verdicts[20],
            Verdict::Refuse {
                limite: 20,
                reessayer_dans_s: 1
            }
        );
        // One interval (50 ms) later, exactly one more is served.
        let later = t0() + Duration::milliseconds(50);
        let (etat, v) = rafale(p, etat, later, 2);
        assert!(matches!(v[0], Verdict::Servi { restantes: 0, .. }));
        assert!(matches!(v[1], Verdict::Refuse { .. }));
        // After a full second the whole burst is back.
        let (_, v) = rafale(p, etat, later + Duration::seconds(1), 20);
        assert!(v.iter().all(|v| matches!(v, Verdict::Servi { .. })));
    }

    #[test]
    fn refusals_do_not_push_the_wait_further() {
        let p = Politique {
            par_seconde: 1,
            rafale: 2,
        };
        let (etat, _) = rafale(p, None, t0(), 2);
        let (etat, v) = rafale(p, etat, t0(), 1000);
        assert!(v.iter().all(|v| matches!(
            v,
            Verdict::Refuse {
                reessayer_dans_s: 1,
                ..
            }
        )));
        let (_, v) = rafale(p, etat, t0() + Duration::seconds(1), 1);
        assert!(matches!(v[0], Verdict::Servi { .. }));
    }

    #[test]
    fn a_slow_rate_tells_how_long_to_wait() {
        let p = Politique {
            par_seconde: 1,
            rafale: 1,
        };
        let (etat, v) = rafale(p, None, t0(), 1);
        assert_eq!(
            v[0],
            Verdict::Servi {
                limite: 1,
                restantes: 0,
                pleine_dans_s: 1
            }
        );
        let (_, v) = rafale(p, etat, t0() + Duration::milliseconds(200), 1);
        assert_eq!(
            v[0],
            Verdict::Refuse {
                limite: 1,
                reessayer_dans_s: 1
            }
        );
    }

    #[test]
    fn the_preview_takes_nothing() {
        let p = Politique {
            par_seconde: 10,
            rafale: 5,
        };
        assert_eq!(
            p.apercu(None, t0()),
            Verdict::Servi {
                limite: 5,
                restantes: 5,
                pleine_dans_s: 0
            }
        );
        let (etat, _) = rafale(p, None, t0(), 2);
        for _ in 0..3 {
            assert_eq!(
                p.apercu(etat, t0()),
                Verdict::Servi {
                    limite: 5,
                    restantes: 3,
                    pleine_dans_s: 1
                }
            );
        }
    }

    proptest! {
        /// Over any pattern of requests, no more than `rafale + par_seconde × elapsed` are ever served.
        #[test]
        fn never_more_than_the_burst_plus_the_rate(
            par_seconde in 1u32..50,
            rafale_max in 1u32..50,
            gaps_ms in proptest::collection::vec(0i64..200, 1..400),
        ) {
            let p = Politique { par_seconde, rafale: rafale_max };
            let mut etat = None;
            let mut at = t0();
            let mut servies = 0u64;
            for gap in gaps_ms {
                at += Duration::milliseconds(gap);
                let (s, v) = p.prendre(etat, at);
                etat = Some(s);
                if matches!(v, Verdict::Servi { .. }) {
                    servies += 1;
                }
                let elapsed_ms = (at - t0()).num_milliseconds() as u64;
                let permis = u64::from(rafale_max) + u64::from(par_seconde) * elapsed_ms / 1000 + 1;
                prop_assert!(servies <= permis, "{servies} servies, {permis} permises");
            }
        }
    }
}
