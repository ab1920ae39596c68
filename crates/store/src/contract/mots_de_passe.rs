//! Contract of what the password policy needs from the store (AU-1), on every backend.

use super::{at, import_ok, open_session, user, world, CAISSE_A};
use crate::Store;

pub async fn au_1_previous_password_hashes_are_kept_five_newest_first(store: &dyn Store) {
    import_ok(store, world()).await;
    let jd = user(store, CAISSE_A, "jdupont").await;
    let pm = user(store, CAISSE_A, "pmartin").await;
    let session = open_session(store, jd.user, "courante", at(0)).await;
    assert!(store
        .previous_password_hashes(jd.user, 5)
        .await
        .unwrap()
        .is_empty());
    for n in 1..=7 {
        store
            .change_password(jd.user, &format!("$argon2id$h{n}"), &session)
            .await
            .unwrap();
    }
    let kept = store.previous_password_hashes(jd.user, 10).await.unwrap();
    assert_eq!(
        kept,
        [
            "$argon2id$h6",
            "$argon2id$h5",
            "$argon2id$h4",
            "$argon2id$h3",
            "$argon2id$h2"
        ]
    );
    assert_eq!(
        store.previous_password_hashes(jd.user, 2).await.unwrap(),
        ["$argon2id$h6", "$argon2id$h5"]
    );
    assert!(
        store
            .previous_password_hashes(pm.user, 5)
            .await
            .unwrap()
            .is_empty(),
        "another user's history is his own"
    );
    // Re-importing the user, which keeps his password, adds nothing to it.
    import_ok(store, world()).await;
    assert_eq!(store.previous_password_hashes(jd.user, 10).await.unwrap(), kept);
}

pub async fn au_1_password_context_holds_the_users_own_words(store: &dyn Store) {
    import_ok(store, world()).await;
    let jd = user(store, CAISSE_A, "jdupont").await;
    let context = store.password_context(jd.user).await.unwrap();
    for word in [
        "jdupont",
        "Dupont",
        "Jeanne",
        "jdupont@example.fr",
        "CCAS T-001",
        CAISSE_A,
        "Caisse MSA-ADL",
    ] {
        assert!(context.iter().any(|c| c == word), "{word} in {context:?}");
    }
    assert!(store
        .password_context(crate::UserId(-1))
        .await
        .unwrap()
        .is_empty());
}

pub async fn au_1_a_password_change_can_be_required_again(store: &dyn Store) {
    import_ok(store, world()).await;
    let jd = user(store, CAISSE_A, "jdupont").await;
    let session = open_session(store, jd.user, "courante", at(0)).await;
    store
        .change_password(jd.user, "$argon2id$choisi", &session)
        .await
        .unwrap();
    assert!(!user(store, CAISSE_A, "jdupont").await.must_change_password);
    store.require_password_change(jd.user).await.unwrap();
    assert!(user(store, CAISSE_A, "jdupont").await.must_change_password);
    assert!(
        store
            .session(&session)
            .await
            .unwrap()
            .unwrap()
            .must_change_password
    );
}
