//! The contract of a convention's persisted lifecycle (SPEC CV-2 to CV-8): state, history and access move
//! together, once.

use super::{at, caisse_id, d, import_ok, user, world, CAISSE_A};
use crate::cycles::{CreationRefusee, NouvelleConvention, TransitionRecord};
use crate::Store;
use partage_domain::cycle::{Cycle, Etat, Modele, MotifFin};
use partage_domain::gestion::{Acces, Document};
use partage_domain::habilitation::Gestion;
use partage_domain::{Bouquet, NumeroConvention, NumeroTiers};

fn transition(acte: &str, etat: Etat, par: Option<&str>) -> TransitionRecord {
    TransitionRecord {
        acte: acte.into(),
        cycle: Cycle {
            modele: Modele::MSA,
            etat,
        },
        par: par.map(str::to_owned),
        horodatage: at(0),
        date_effet: d("2026-02-01"),
        document: Some(Document {
            reference: "LRAR 1A 234 567 8901 2".into(),
            recu_le: d("2026-02-01"),
        }),
    }
}

pub async fn cv_8_a_transition_moves_state_history_and_access_together(store: &dyn Store) {
    import_ok(store, world()).await;
    let caisse = caisse_id(store, CAISSE_A).await;
    let numero = NumeroConvention::parse("C-1").unwrap();
    let imported = store.convention_cycle(caisse, &numero).await.unwrap().unwrap();
    assert_eq!((imported.cycle, imported.revision), (None, 0));
    assert_eq!(imported.acces.formalite_cnil_le, Some(d("2026-01-15")));
    assert_eq!(imported.partenaire.as_str(), "T-001");

    let fin = Etat::FinProgrammee {
        echeance: d("2027-01-10"),
        effet_le: d("2026-03-03"),
        motif: MotifFin::Inexecution,
    };
    let acces = Acces {
        fin_le: Some(d("2026-03-03")),
        ..imported.acces
    };
    let t = transition("mettre_en_demeure", fin, Some("adurand"));
    assert!(store
        .record_transition(imported.id, 0, &acces, Some(d("2026-03-03")), &t)
        .await
        .unwrap());
    let now = store.convention_cycle(caisse, &numero).await.unwrap().unwrap();
    assert_eq!(now.revision, 1);
    assert_eq!(now.cycle, Some(t.cycle));
    assert_eq!(now.acces, acces);
    // The perimeter reads the same access dates: the partner's access ends on that day (CV-8).
    let agent = user(store, CAISSE_A, "jdupont").await;
    let p = store.perimetre(agent.user).await.unwrap();
    assert_eq!(p.habilitations[0].convention.fin_le, Some(d("2026-03-03")));
    assert!(p.habilitations[0].convention.en_vigueur(d("2026-03-02")));
    assert!(!p.habilitations[0].convention.en_vigueur(d("2026-03-03")));

    // A writer that read revision 0 is too late: nothing written.
    let stale = transition("denoncer", Etat::Brouillon, None);
    assert!(!store
        .record_transition(imported.id, 0, &imported.acces, None, &stale)
        .await
        .unwrap());
    assert_eq!(store.transitions(now.id).await.unwrap(), vec![t]);
    assert_eq!(
        store
            .convention_cycle(caisse, &numero)
            .await
            .unwrap()
            .unwrap()
            .acces,
        acces
    );

    assert!(store.cycles_dus(d("2026-03-02")).await.unwrap().is_empty());
    let dus = store.cycles_dus(d("2026-03-03")).await.unwrap();
    assert_eq!(dus.len(), 1);
    assert_eq!(dus[0].id, now.id);
}

pub async fn cv_3_concurrent_writers_of_one_revision_apply_it_once(store: &dyn Store) {
    import_ok(store, world()).await;
    let caisse = caisse_id(store, CAISSE_A).await;
    let numero = NumeroConvention::parse("C-1").unwrap();
    let c = store.convention_cycle(caisse, &numero).await.unwrap().unwrap();
    let en_vigueur = |echeance: &str| Etat::EnVigueur {
        echeance: d(echeance),
    };
    let first = transition("formalite_cnil", en_vigueur("2027-01-10"), Some("adurand"));
    assert!(store
        .record_transition(c.id, 0, &c.acces, Some(d("2027-01-10")), &first)
        .await
        .unwrap());
    // Four servers' schedulers renew it at the same time, all having read revision 1.
    let renewal = transition("avancer", en_vigueur("2028-01-10"), None);
    let write = || store.record_transition(c.id, 1, &c.acces, Some(d("2028-01-10")), &renewal);
    let (a, b, e, f) = tokio::join!(write(), write(), write(), write());
    let applied = [a.unwrap(), b.unwrap(), e.unwrap(), f.unwrap()];
    assert_eq!(applied.iter().filter(|x| **x).count(), 1, "{applied:?}");
    assert_eq!(store.transitions(c.id).await.unwrap(), vec![first, renewal]);
    assert_eq!(
        store
            .convention_cycle(caisse, &numero)
            .await
            .unwrap()
            .unwrap()
            .revision,
        2
    );
}

pub async fn cv_2_a_draft_is_created_once_with_its_cycle_and_no_access(store: &dyn Store) {
    import_ok(store, world()).await;
    let caisse = caisse_id(store, CAISSE_A).await;
    let nouvelle = |numero: &str, tiers: &str| NouvelleConvention {
        numero: NumeroConvention::parse(numero).unwrap(),
        partenaire: NumeroTiers::parse(tiers).unwrap(),
        bouquets: vec![Bouquet::Psu, Bouquet::Qf],
        plafond_habilitations: Some(4),
        gestion: Some(Gestion::Centralisee),
        creee_le: d("2026-03-01"),
    };
    let mut creation = transition("creer", Etat::Brouillon, Some("adurand"));
    creation.document = None;

    // A partner of another caisse, a number already used: nothing written.
    assert_eq!(
        store
            .create_convention(caisse, &nouvelle("C-9", "T-404"), &creation)
            .await
            .unwrap(),
        Err(CreationRefusee::PartenaireInconnu)
    );
    assert_eq!(
        store
            .create_convention(caisse, &nouvelle("C-2", "T-001"), &creation)
            .await
            .unwrap(),
        Err(CreationRefusee::NumeroPris)
    );
    let c9 = NumeroConvention::parse("C-9").unwrap();
    assert_eq!(store.convention_cycle(caisse, &c9).await.unwrap(), None);

    let id = store
        .create_convention(caisse, &nouvelle("C-9", "T-001"), &creation)
        .await
        .unwrap()
        .unwrap();
    let c = store.convention_cycle(caisse, &c9).await.unwrap().unwrap();
    assert_eq!(c.id, id);
    assert_eq!(c.partenaire.as_str(), "T-001");
    assert_eq!(c.bouquets, vec![Bouquet::Qf, Bouquet::Psu]);
    assert_eq!(c.cycle, Some(creation.cycle));
    assert_eq!(c.revision, 1);
    assert_eq!(c.acces.formalite_cnil_le, None, "no access from a draft");
    assert_eq!(c.acces.fin_le, None);
    assert_eq!(store.transitions(id).await.unwrap(), vec![creation.clone()]);
    let live = store
        .convention_du_partenaire(caisse, &c.partenaire, &c9)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(live.plafond, Some(4));
    assert_eq!(live.gestion, Some(Gestion::Centralisee));
    // Not due for the scheduler, and the next act moves it from revision 1.
    assert!(store
        .cycles_dus(d("2030-01-01"))
        .await
        .unwrap()
        .iter()
        .all(|x| x.id != id));
    let signee = transition(
        "signer",
        Etat::SigneeParUne {
            partie: partage_domain::cycle::Partie::Partenaire,
            le: d("2026-03-02"),
        },
        Some("adurand"),
    );
    assert!(store
        .record_transition(id, 1, &c.acces, None, &signee)
        .await
        .unwrap());
    assert_eq!(store.transitions(id).await.unwrap().len(), 2);
}
