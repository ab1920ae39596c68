//! The contract of the caisse's staff accounts and sessions (SPEC Actors, AU-2, AU-4).

use super::{at, import_ok, open_session, token, world, CAISSE_A, CAISSE_B, TEMPORAIRE};
use crate::double_facteur::{Exigence, Titulaire};
use crate::personnel::{NewPersonnel, PersonnelId, PersonnelRefuse};
use crate::Store;
use partage_domain::personnel::{Role, Roles};
use partage_domain::{CaisseCode, Identifiant, Regime};

pub fn nouveau(caisse: &str, identifiant: &str, roles: &str) -> NewPersonnel {
    NewPersonnel {
        caisse: CaisseCode::parse(caisse).unwrap(),
        identifiant: Identifiant::parse(identifiant).unwrap(),
        nom: "Durand".into(),
        prenom: "Alice".into(),
        email: format!("{identifiant}@caisse.example.fr"),
        roles: Roles::parse(roles).unwrap(),
        mot_de_passe_provisoire_hash: TEMPORAIRE.into(),
    }
}

async fn creer(store: &dyn Store, caisse: &str, identifiant: &str, roles: &str) -> PersonnelId {
    store
        .create_personnel(&nouveau(caisse, identifiant, roles))
        .await
        .unwrap()
        .unwrap()
}

pub async fn actors_staff_accounts_hold_several_roles_within_their_caisse(store: &dyn Store) {
    import_ok(store, world()).await;
    let id = creer(store, CAISSE_A, "adurand", "conventions,admin").await;
    // Same identifier in another caisse: another person (TEN-1).
    creer(store, CAISSE_B, "adurand", "supervision").await;
    assert_eq!(
        store
            .create_personnel(&nouveau(CAISSE_A, "adurand", "supervision"))
            .await
            .unwrap(),
        Err(PersonnelRefuse::IdentifiantPris)
    );
    assert_eq!(
        store
            .create_personnel(&nouveau("CAF-00", "adurand", "admin"))
            .await
            .unwrap(),
        Err(PersonnelRefuse::CaisseInconnue)
    );
    let login = store
        .personnel_login(
            &CaisseCode::parse(CAISSE_A).unwrap(),
            &Identifiant::parse("adurand").unwrap(),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(login.personnel.id, id);
    assert_eq!(login.password_hash, TEMPORAIRE);
    assert_eq!(login.personnel.regime, Regime::Msa);
    assert!(login.personnel.roles.contient(Role::Admin));
    assert!(login.personnel.roles.contient(Role::Conventions));
    assert!(!login.personnel.roles.contient(Role::Supervision));
    assert!(login.personnel.must_change_password && login.personnel.active);
    // A partner agent's identifier is not a staff account, and the other way round.
    assert!(store
        .personnel_login(
            &CaisseCode::parse(CAISSE_A).unwrap(),
            &Identifiant::parse("jdupont").unwrap()
        )
        .await
        .unwrap()
        .is_none());
    assert!(store
        .find_login(
            &CaisseCode::parse(CAISSE_A).unwrap(),
            &Identifiant::parse("adurand").unwrap()
        )
        .await
        .unwrap()
        .is_none());
    let liste = store.personnels(login.personnel.caisse_id).await.unwrap();
    assert_eq!(liste.len(), 1, "only the caisse's own staff");
    assert_eq!(liste[0], login.personnel);
}

pub async fn actors_staff_and_partner_sessions_never_answer_for_each_other(store: &dyn Store) {
    import_ok(store, world()).await;
    let id = creer(store, CAISSE_A, "adurand", "admin").await;
    let staff = token("personnel");
    store.create_personnel_session(&staff, id, at(0)).await.unwrap();
    let agent = super::user(store, CAISSE_A, "jdupont").await;
    let partner = open_session(store, agent.user, "agent", at(0)).await;

    let s = store.personnel_session(&staff).await.unwrap().unwrap();
    assert_eq!(s.personnel.id, id);
    assert_eq!((s.created_at, s.last_seen_at), (at(0), at(0)));
    assert!(store.session(&staff).await.unwrap().is_none());
    assert!(store.personnel_session(&partner).await.unwrap().is_none());

    store.touch_personnel_session(&staff, at(60)).await.unwrap();
    store.touch_personnel_session(&staff, at(30)).await.unwrap();
    let s = store.personnel_session(&staff).await.unwrap().unwrap();
    assert_eq!(s.last_seen_at, at(60), "activity only moves forward");

    // AU-2: a new password ends every other session of the staff member.
    let other = token("personnel2");
    store.create_personnel_session(&other, id, at(70)).await.unwrap();
    store
        .change_personnel_password(id, "$argon2id$nouveau", &staff)
        .await
        .unwrap();
    assert!(store.personnel_session(&other).await.unwrap().is_none());
    let s = store.personnel_session(&staff).await.unwrap().unwrap();
    assert!(!s.personnel.must_change_password);
    assert!(
        store.session(&partner).await.unwrap().is_some(),
        "the partner's session is not touched"
    );

    store.end_personnel_session(&staff).await.unwrap();
    assert!(store.personnel_session(&staff).await.unwrap().is_none());
}

pub async fn au_4_staff_reauthentication_is_kept_per_session(store: &dyn Store) {
    import_ok(store, world()).await;
    let id = creer(store, CAISSE_A, "adurand", "admin").await;
    let first = token("premiere");
    let second = token("seconde");
    store.create_personnel_session(&first, id, at(0)).await.unwrap();
    store.create_personnel_session(&second, id, at(10)).await.unwrap();
    // Until he types his password again, a session counts from its login.
    let s = store.personnel_session(&first).await.unwrap().unwrap();
    assert_eq!(s.authentifie_le, at(0));

    store
        .reauthenticate_personnel_session(&first, at(900))
        .await
        .unwrap();
    let s = store.personnel_session(&first).await.unwrap().unwrap();
    assert_eq!(s.authentifie_le, at(900));
    assert_eq!(s.created_at, at(0), "the session itself is the same");
    let other = store.personnel_session(&second).await.unwrap().unwrap();
    assert_eq!(other.authentifie_le, at(10), "only that session is refreshed");
}

pub async fn au_1_staff_second_factor_is_pending_until_confirmed_and_each_step_is_spent_once(
    store: &dyn Store,
) {
    import_ok(store, world()).await;
    let id = Titulaire::Personnel(creer(store, CAISSE_A, "adurand", "admin").await);
    let other = Titulaire::Personnel(creer(store, CAISSE_A, "bmartin", "admin").await);
    // A partner user's factor is his own, apart from any staff member's, even with the same row id.
    let agent = Titulaire::Utilisateur(super::user(store, CAISSE_A, "jdupont").await.user);
    assert_eq!(store.second_factor(id).await.unwrap(), None);

    assert!(store.enrol_second_factor(id, &[1; 20]).await.unwrap());
    // A new enrolment replaces a pending secret.
    assert!(store.enrol_second_factor(id, &[2; 20]).await.unwrap());
    let pending = store.second_factor(id).await.unwrap().unwrap();
    assert_eq!(
        (pending.secret, pending.active, pending.last_step),
        (vec![2; 20], false, None)
    );
    assert!(
        !store.spend_totp_step(id, 10).await.unwrap(),
        "no code counts before activation"
    );

    assert!(store.activate_second_factor(id, 100).await.unwrap());
    assert!(
        !store.activate_second_factor(id, 101).await.unwrap(),
        "already active"
    );
    // An active factor is never replaced by the member himself.
    assert!(!store.enrol_second_factor(id, &[3; 20]).await.unwrap());
    let active = store.second_factor(id).await.unwrap().unwrap();
    assert_eq!(
        (active.secret, active.active, active.last_step),
        (vec![2; 20], true, Some(100))
    );

    assert!(
        !store.spend_totp_step(id, 100).await.unwrap(),
        "the confirming code is spent"
    );
    assert!(!store.spend_totp_step(id, 99).await.unwrap());
    assert!(store.spend_totp_step(id, 101).await.unwrap());
    assert!(!store.spend_totp_step(id, 101).await.unwrap());
    assert_eq!(store.second_factor(other).await.unwrap(), None, "only his own");
    assert_eq!(store.second_factor(agent).await.unwrap(), None);
    assert!(store.enrol_second_factor(agent, &[9; 20]).await.unwrap());
    assert!(store.activate_second_factor(agent, 5).await.unwrap());
    assert!(store.spend_totp_step(agent, 6).await.unwrap());
    assert_eq!(
        store.second_factor(id).await.unwrap().unwrap().secret,
        vec![2; 20]
    );

    assert!(store.remove_second_factor(id).await.unwrap());
    assert_eq!(store.second_factor(id).await.unwrap(), None);
    assert!(!store.remove_second_factor(id).await.unwrap());

    let caisse = store
        .personnel_login(
            &CaisseCode::parse(CAISSE_A).unwrap(),
            &Identifiant::parse("adurand").unwrap(),
        )
        .await
        .unwrap()
        .unwrap()
        .personnel
        .caisse_id;
    assert!(!store
        .second_factor_required(caisse, Exigence::Personnel)
        .await
        .unwrap());
    store
        .set_second_factor_required(caisse, Exigence::Personnel, true)
        .await
        .unwrap();
    assert!(store
        .second_factor_required(caisse, Exigence::Personnel)
        .await
        .unwrap());
    assert!(
        !store
            .second_factor_required(caisse, Exigence::AdministrateursPartenaires)
            .await
            .unwrap(),
        "each requirement on its own"
    );
    store
        .set_second_factor_required(caisse, Exigence::AdministrateursPartenaires, true)
        .await
        .unwrap();
    // Re-importing the caisse keeps its choices.
    import_ok(store, world()).await;
    assert!(store
        .second_factor_required(caisse, Exigence::Personnel)
        .await
        .unwrap());
    assert!(store
        .second_factor_required(caisse, Exigence::AdministrateursPartenaires)
        .await
        .unwrap());
}

pub async fn hb_8_the_last_login_is_kept_and_a_dormant_agent_is_deactivated_with_his_sessions(
    store: &dyn Store,
) {
    import_ok(store, world()).await;
    let jd = super::user(store, CAISSE_A, "jdupont").await;
    let session = open_session(store, jd.user, "ancienne", at(0)).await;
    let limite = at(60);

    let dormants = store.dormants(limite).await.unwrap();
    let jd_dormant = dormants.iter().find(|d| d.user == jd.user).unwrap();
    assert_eq!(
        jd_dormant.derniere_connexion,
        Some(at(0)),
        "kept from the session opened"
    );
    assert_eq!(
        (jd_dormant.caisse.as_str(), jd_dormant.identifiant.as_str()),
        (CAISSE_A, "jdupont")
    );
    // A later login moves him out of the list.
    open_session(store, jd.user, "recente", at(120)).await;
    assert!(store
        .dormants(limite)
        .await
        .unwrap()
        .iter()
        .all(|d| d.user != jd.user));

    assert!(store.deactivate_user(jd.user).await.unwrap());
    assert!(
        store.session(&session).await.unwrap().is_none(),
        "his sessions end with him"
    );
    assert!(!super::user(store, CAISSE_A, "jdupont").await.active);
    assert!(!store.deactivate_user(jd.user).await.unwrap(), "once");
    assert!(store
        .dormants(at(10_000_000))
        .await
        .unwrap()
        .iter()
        .all(|d| d.user != jd.user));
}
