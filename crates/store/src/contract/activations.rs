//! The contract of activation links (SPEC HB-3, HB-6), on every backend.

use super::{at, caisse_id, import_ok, token, user, world, CAISSE_A, CAISSE_B, TEMPORAIRE};
use crate::activations::NouvelleActivation;
use crate::Store;
use partage_domain::Identifiant;

const JOUR: i64 = 24 * 3600;

fn lien(nom: &str, cree: i64) -> NouvelleActivation {
    NouvelleActivation {
        token_hash: token(nom),
        cree_le: at(cree),
        expire_le: at(cree + JOUR),
    }
}

pub async fn hb_3_an_activation_link_sets_the_password_once(store: &dyn Store) {
    import_ok(store, world()).await;
    let a = caisse_id(store, CAISSE_A).await;
    let jd = user(store, CAISSE_A, "jdupont").await;
    let id = Identifiant::parse("jdupont").unwrap();
    let dest = store
        .creer_activation(a, &id, &lien("l1", 0))
        .await
        .unwrap()
        .expect("jdupont existe");
    assert_eq!(dest.user, jd.user);
    assert_eq!(dest.email, "jdupont@example.fr");
    assert_eq!(dest.identifiant, id);
    let valide = store.activation(&token("l1"), at(10)).await.unwrap().unwrap();
    assert_eq!(valide.user, jd.user);
    assert_eq!(valide.caisse_id, a);
    assert_eq!(valide.caisse.as_str(), CAISSE_A);
    assert_eq!(
        store
            .activer(&token("l1"), at(20), "$argon2id$active")
            .await
            .unwrap(),
        Some(jd.user)
    );
    let login = user(store, CAISSE_A, "jdupont").await;
    assert_eq!(login.password_hash, "$argon2id$active");
    assert!(!login.must_change_password);
    // Used: good no more, and a second use changes nothing.
    assert!(store.activation(&token("l1"), at(30)).await.unwrap().is_none());
    assert_eq!(
        store
            .activer(&token("l1"), at(30), "$argon2id$encore")
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        user(store, CAISSE_A, "jdupont").await.password_hash,
        "$argon2id$active"
    );
    // An unknown link, an unknown user.
    assert_eq!(
        store.activer(&token("inconnu"), at(30), "$x").await.unwrap(),
        None
    );
    assert!(store
        .creer_activation(a, &Identifiant::parse("inconnu").unwrap(), &lien("l2", 0))
        .await
        .unwrap()
        .is_none());
    assert!(store.activation(&token("l2"), at(1)).await.unwrap().is_none());
    // The other caisse's jdupont is another person, untouched.
    assert_eq!(user(store, CAISSE_B, "jdupont").await.password_hash, TEMPORAIRE);
}

pub async fn hb_3_an_activation_link_expires_after_24_hours(store: &dyn Store) {
    import_ok(store, world()).await;
    let a = caisse_id(store, CAISSE_A).await;
    let id = Identifiant::parse("jdupont").unwrap();
    store
        .creer_activation(a, &id, &lien("l1", 0))
        .await
        .unwrap()
        .unwrap();
    assert!(store
        .activation(&token("l1"), at(JOUR - 1))
        .await
        .unwrap()
        .is_some());
    assert!(store.activation(&token("l1"), at(JOUR)).await.unwrap().is_none());
    assert_eq!(
        store
            .activer(&token("l1"), at(JOUR + 1), "$argon2id$tard")
            .await
            .unwrap(),
        None
    );
    assert_eq!(user(store, CAISSE_A, "jdupont").await.password_hash, TEMPORAIRE);
}

pub async fn hb_6_a_new_link_or_a_reset_supersedes_the_unused_links(store: &dyn Store) {
    import_ok(store, world()).await;
    let a = caisse_id(store, CAISSE_A).await;
    let jd = user(store, CAISSE_A, "jdupont").await;
    let pm = Identifiant::parse("pmartin").unwrap();
    let id = Identifiant::parse("jdupont").unwrap();
    store
        .creer_activation(a, &id, &lien("l1", 0))
        .await
        .unwrap()
        .unwrap();
    store
        .creer_activation(a, &pm, &lien("p1", 0))
        .await
        .unwrap()
        .unwrap();
    store
        .creer_activation(a, &id, &lien("l2", 5))
        .await
        .unwrap()
        .unwrap();
    assert!(store.activation(&token("l1"), at(10)).await.unwrap().is_none());
    assert_eq!(
        store
            .activation(&token("l2"), at(10))
            .await
            .unwrap()
            .map(|v| v.user),
        Some(jd.user)
    );
    assert!(
        store.activation(&token("p1"), at(10)).await.unwrap().is_some(),
        "another user's link stays good"
    );
    store
        .reinitialiser_mot_de_passe(a, &id, "$argon2id$reinit")
        .await
        .unwrap()
        .unwrap();
    assert!(store.activation(&token("l2"), at(10)).await.unwrap().is_none());
    assert_eq!(store.activer(&token("l2"), at(10), "$x").await.unwrap(), None);
    assert_eq!(
        user(store, CAISSE_A, "jdupont").await.password_hash,
        "$argon2id$reinit"
    );
    assert!(store.activation(&token("p1"), at(10)).await.unwrap().is_some());
}
