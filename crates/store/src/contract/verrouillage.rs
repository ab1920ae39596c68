//! Contract of the failed-login counters (AU-1, lock-out), on every backend.

use crate::Store;
use chrono::{DateTime, Duration, Utc};
use partage_domain::verrouillage::{CleConnexion, Echecs, Espace};

fn at(s: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_790_000_000 + s, 0).unwrap()
}

fn cle(identifiant: &str) -> CleConnexion {
    CleConnexion::compte(Espace::Partenaire, super::CAISSE_A, identifiant)
}

const RUN: Duration = Duration::hours(1);

pub async fn au_1_failures_are_counted_per_key_and_lock_at_the_threshold(store: &dyn Store) {
    let k = cle("jdupont");
    assert_eq!(store.login_failures(&k).await.unwrap(), None);
    for n in 1..=2u32 {
        let e = store
            .record_login_failure(&k, at(i64::from(n)), RUN, Some(3))
            .await
            .unwrap();
        assert_eq!(
            (e.nombre, e.dernier, e.verrouille_le),
            (n, at(i64::from(n)), None)
        );
    }
    let locked = store.record_login_failure(&k, at(3), RUN, Some(3)).await.unwrap();
    assert_eq!(
        locked,
        Echecs {
            nombre: 3,
            dernier: at(3),
            verrouille_le: Some(at(3))
        }
    );
    assert_eq!(store.login_failures(&k).await.unwrap(), Some(locked));
    // Another space, another identifier, a source address: counters of their own.
    let staff = CleConnexion::compte(Espace::Personnel, super::CAISSE_A, "jdupont");
    assert_eq!(store.login_failures(&staff).await.unwrap(), None);
    assert_eq!(store.login_failures(&cle("pmartin")).await.unwrap(), None);
    let source = CleConnexion::source("192.0.2.1");
    for n in 1..=5 {
        let e = store
            .record_login_failure(&source, at(n), RUN, None)
            .await
            .unwrap();
        assert_eq!(e.verrouille_le, None, "no threshold, no lock");
    }
}

pub async fn au_1_a_quiet_hour_starts_a_new_run_but_never_lifts_a_lock(store: &dyn Store) {
    let k = cle("jdupont");
    store.record_login_failure(&k, at(0), RUN, Some(2)).await.unwrap();
    let later = store
        .record_login_failure(&k, at(3600), RUN, Some(2))
        .await
        .unwrap();
    assert_eq!(
        (later.nombre, later.verrouille_le),
        (1, None),
        "a failure an hour later starts again"
    );
    let locked = store
        .record_login_failure(&k, at(3601), RUN, Some(2))
        .await
        .unwrap();
    assert_eq!((locked.nombre, locked.verrouille_le), (2, Some(at(3601))));
    let after = store
        .record_login_failure(&k, at(90_000), RUN, Some(2))
        .await
        .unwrap();
    assert_eq!(after.nombre, 1);
    assert_eq!(after.verrouille_le, Some(at(3601)), "only an unlock lifts a lock");
    // A failure reported late (another server, a slow request) does not move the last failure back.
    let late = store
        .record_login_failure(&k, at(89_999), RUN, Some(2))
        .await
        .unwrap();
    assert_eq!(late.dernier, at(90_000));
}

pub async fn au_1_clearing_failures_unlocks_and_hands_back_what_was_counted(store: &dyn Store) {
    let k = cle("jdupont");
    assert_eq!(store.clear_login_failures(&k).await.unwrap(), None);
    store.record_login_failure(&k, at(0), RUN, Some(1)).await.unwrap();
    let cleared = store.clear_login_failures(&k).await.unwrap().unwrap();
    assert_eq!(cleared.verrouille_le, Some(at(0)));
    assert_eq!(store.login_failures(&k).await.unwrap(), None);
    let fresh = store.record_login_failure(&k, at(1), RUN, Some(5)).await.unwrap();
    assert_eq!((fresh.nombre, fresh.verrouille_le), (1, None));
}

pub async fn au_1_concurrent_failures_are_all_counted(store: &dyn Store) {
    let k = cle("jdupont");
    let one = || store.record_login_failure(&k, at(0), RUN, Some(8));
    let all = tokio::join!(one(), one(), one(), one(), one(), one(), one(), one());
    let counts = [all.0, all.1, all.2, all.3, all.4, all.5, all.6, all.7].map(|r| r.unwrap().nombre);
    let mut sorted = counts;
    sorted.sort_unstable();
    assert_eq!(
        sorted,
        [1, 2, 3, 4, 5, 6, 7, 8],
        "each failure saw the one before it"
    );
    let e = store.login_failures(&k).await.unwrap().unwrap();
    assert_eq!((e.nombre, e.verrouille_le), (8, Some(at(0))));
}
