//! The contract of abuse detection (SPEC SU-1, CO-5): rules, alerts, surveillances.

use super::{at, caisse_id, import_ok, world, CAISSE_B};
use crate::abus::{ClotureRefusee, FinRefusee, ReglesEnregistrees, SurveillanceRefusee};
use crate::supervision::Acte;
use crate::Store;
use chrono::NaiveDate;
use partage_domain::abus::{Constat, Regle, ReglesAbus};
use partage_domain::Identifiant;

fn jour(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2027, 1, d).unwrap()
}

fn constat(regle: Regle, d: u32, u: &str) -> Constat {
    Constat {
        regle,
        jour: jour(d),
        utilisateur: Some(u.into()),
        partenaire: Some("T-001".into()),
        matricule: None,
        compte: 12,
        seuil: 10,
    }
}

fn acte(n: i64, motif: &str) -> Acte {
    Acte {
        par: "superviseur".into(),
        le: at(n),
        motif: motif.into(),
    }
}

pub async fn su_1_the_caisse_sets_its_rules(store: &dyn Store) {
    import_ok(store, world()).await;
    let a = caisse_id(store, super::CAISSE_A).await;
    let b = caisse_id(store, CAISSE_B).await;
    assert_eq!(store.regles_abus(a).await.unwrap(), None);
    let codes: Vec<_> = store.caisses_a_analyser().await.unwrap();
    assert_eq!(codes.len(), 2);
    assert!(codes.contains(&(a, partage_domain::CaisseCode::parse(super::CAISSE_A).unwrap())));
    assert!(codes.contains(&(b, partage_domain::CaisseCode::parse(CAISSE_B).unwrap())));
    let r = ReglesEnregistrees {
        regles: ReglesAbus {
            facteur_volume: 3,
            nuit_debut: 20,
            ..ReglesAbus::default()
        },
        par: "superviseur".into(),
        le: at(1),
    };
    store.save_regles_abus(a, &r).await.unwrap();
    assert_eq!(store.regles_abus(a).await.unwrap(), Some(r.clone()));
    let r2 = ReglesEnregistrees {
        regles: ReglesAbus::default(),
        par: "autre".into(),
        le: at(2),
    };
    store.save_regles_abus(a, &r2).await.unwrap();
    assert_eq!(store.regles_abus(a).await.unwrap(), Some(r2));
    assert_eq!(store.regles_abus(b).await.unwrap(), None);
}

pub async fn su_1_alerts_are_raised_once_per_rule_day_and_subject(store: &dyn Store) {
    import_ok(store, world()).await;
    let a = caisse_id(store, super::CAISSE_A).await;
    let b = caisse_id(store, CAISSE_B).await;
    let mut partage = constat(Regle::DossierPartage, 2, "x");
    partage.utilisateur = None;
    partage.partenaire = None;
    partage.matricule = Some("0000001".into());
    let constats = vec![
        constat(Regle::Nuit, 1, "jdupont"),
        constat(Regle::Nuit, 2, "jdupont"),
        constat(Regle::Enumeration, 2, "jdupont"),
        partage.clone(),
    ];
    assert_eq!(store.record_alertes(a, &constats, at(10)).await.unwrap(), 4);
    // The same findings again, and one new: only the new one is recorded.
    let mut again = constats.clone();
    again.push(constat(Regle::Nuit, 2, "pmartin"));
    assert_eq!(store.record_alertes(a, &again, at(11)).await.unwrap(), 1);
    // Another caisse has its own alerts.
    assert_eq!(store.record_alertes(b, &constats[..1], at(11)).await.unwrap(), 1);

    let all = store.alertes(a, jour(1), jour(31), false).await.unwrap();
    assert_eq!(all.len(), 5);
    assert_eq!(all[0].constat.jour, jour(2), "newest day first");
    let p = all
        .iter()
        .find(|x| x.constat.regle == Regle::DossierPartage)
        .unwrap();
    assert_eq!(p.constat, partage);
    assert_eq!(p.detectee_le, at(10));
    assert_eq!(store.alertes(a, jour(1), jour(1), false).await.unwrap().len(), 1);

    // Closing: once, with its comment; a closed alert is not raised again.
    let id = all[0].id;
    let closed = store
        .close_alerte(a, id, &acte(20, "vérifié"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(closed.close, Some(acte(20, "vérifié")));
    assert_eq!(
        store.close_alerte(a, id, &acte(21, "encore")).await.unwrap(),
        Err(ClotureRefusee::DejaClose)
    );
    assert_eq!(
        store
            .close_alerte(b, id, &acte(21, "autre caisse"))
            .await
            .unwrap(),
        Err(ClotureRefusee::Inconnue)
    );
    assert_eq!(store.record_alertes(a, &again, at(30)).await.unwrap(), 0);
    let ouvertes = store.alertes(a, jour(1), jour(31), true).await.unwrap();
    assert_eq!(ouvertes.len(), 4);
    assert!(ouvertes.iter().all(|x| x.id != id && x.close.is_none()));
}

pub async fn su_1_surveillance_is_kept_as_a_history(store: &dyn Store) {
    import_ok(store, world()).await;
    let a = caisse_id(store, super::CAISSE_A).await;
    let b = caisse_id(store, CAISSE_B).await;
    let jdupont = Identifiant::parse("jdupont").unwrap();
    store
        .record_alertes(a, &[constat(Regle::Nuit, 1, "jdupont")], at(1))
        .await
        .unwrap();
    let alerte = store.alertes(a, jour(1), jour(1), false).await.unwrap()[0].id;

    let s = store
        .start_surveillance(a, &jdupont, Some(alerte), &acte(2, "nuit"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (s.utilisateur.as_str(), s.alerte, s.fin.is_none()),
        ("jdupont", Some(alerte), true)
    );
    assert_eq!(
        store
            .start_surveillance(a, &jdupont, None, &acte(3, "deux fois"))
            .await
            .unwrap(),
        Err(SurveillanceRefusee::DejaSurveille)
    );
    assert_eq!(
        store
            .start_surveillance(a, &Identifiant::parse("inconnu").unwrap(), None, &acte(3, "x"))
            .await
            .unwrap(),
        Err(SurveillanceRefusee::CibleInconnue)
    );
    assert_eq!(
        store
            .start_surveillance(b, &jdupont, Some(alerte), &acte(3, "x"))
            .await
            .unwrap(),
        Err(SurveillanceRefusee::AlerteInconnue),
        "an alert of another caisse"
    );
    assert_eq!(
        store.end_surveillance(b, s.id, &acte(4, "x")).await.unwrap(),
        Err(FinRefusee::Inconnue)
    );
    let ended = store
        .end_surveillance(a, s.id, &acte(4, "levée"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ended.fin, Some(acte(4, "levée")));
    assert_eq!(
        store.end_surveillance(a, s.id, &acte(5, "x")).await.unwrap(),
        Err(FinRefusee::DejaFinie)
    );
    // Once ended, he may be put under surveillance again; the history keeps both, newest first.
    let again = store
        .start_surveillance(a, &jdupont, None, &acte(6, "rechute"))
        .await
        .unwrap()
        .unwrap();
    let history = store.surveillances(a).await.unwrap();
    assert_eq!(history.iter().map(|s| s.id).collect::<Vec<_>>(), [again.id, s.id]);
    assert_eq!(history[1], ended);
    assert!(store.surveillances(b).await.unwrap().is_empty());
}
