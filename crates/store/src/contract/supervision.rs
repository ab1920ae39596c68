//! The contract of supervision (SPEC TR-3, SU-2, AU-6, BY-1): trace requests, suspensions, a dossier's
//! consultations.

use super::{at, caisse_id, import_ok, nir, open_session, trace, user, world, CAISSE_A, CAISSE_B};
use crate::supervision::{
    Acte, Cible, DossierFilter, LeveeRefusee, NewSuspension, SuspensionRefusee, TraceFilter,
};
use crate::{JournalBatch, Store};
use partage_domain::trace::{Action, Resultat, Trace};
use partage_domain::{Bouquet, CaisseCode, Identifiant, Matricule, NumeroTiers};

fn caisse(code: &str) -> CaisseCode {
    CaisseCode::parse(code).unwrap()
}

async fn journal(store: &dyn Store, traces: Vec<Trace>) {
    store
        .journal(&JournalBatch {
            traces,
            session_touches: vec![],
        })
        .await
        .unwrap();
}

/// The `n`s of the traces a filter finds, read page by page.
async fn found(store: &dyn Store, filter: &TraceFilter) -> Vec<i64> {
    let mut ids = Vec::new();
    let mut after = 0;
    loop {
        let page = store.search_traces(filter, after, 2).await.unwrap();
        assert!(page.len() <= 2);
        let Some(last) = page.last() else { break };
        after = last.id;
        ids.extend(
            page.iter()
                .map(|s| s.trace.horodatage.timestamp() - at(0).timestamp()),
        );
    }
    ids
}

pub async fn tr_3_trace_requests_filter_page_and_stay_within_the_caisse(store: &dyn Store) {
    // trace(n): agent{n}; partner T-001 for even n; matricule 0001 when n % 3 == 1, NIR hash when n % 3 == 2;
    // a connexion for n = 0, QF consultations after.
    let mut traces: Vec<Trace> = (0..9)
        .map(|n| {
            trace(
                n,
                if n == 4 {
                    Resultat::NonHabilite
                } else {
                    Resultat::Succes
                },
            )
        })
        .collect();
    // The same user, partner and matricule in the other caisse: never seen from caisse A (TEN-1).
    traces.extend((100..103).map(|n| Trace {
        caisse: Some(CAISSE_B.into()),
        utilisateur: Some("agent1".into()),
        ..trace(n, Resultat::Succes)
    }));
    traces[3].bouquet = Some(Bouquet::Psu);
    journal(store, traces).await;

    let all = TraceFilter::caisse(caisse(CAISSE_A));
    assert_eq!(found(store, &all).await, (0..9).collect::<Vec<_>>());
    let by = |f: &dyn Fn(&mut TraceFilter)| {
        let mut filter = all.clone();
        f(&mut filter);
        filter
    };
    assert_eq!(
        found(store, &by(&|f| f.utilisateur = Some("agent1".into()))).await,
        [1]
    );
    assert_eq!(
        found(
            store,
            &by(&|f| f.partenaire = Some(NumeroTiers::parse("T-001").unwrap()))
        )
        .await,
        [0, 2, 4, 6, 8]
    );
    let matricule = DossierFilter {
        matricule: Some("0001".into()),
        nir_hache: None,
    };
    assert_eq!(
        found(store, &by(&|f| f.dossier = Some(matricule.clone()))).await,
        [1, 4, 7]
    );
    // A dossier by NIR: the traces naming its matricule, and those of the NIR's hash when it found nothing.
    let either = DossierFilter {
        matricule: Some("0001".into()),
        nir_hache: Some(nir(5).0),
    };
    assert_eq!(
        found(store, &by(&|f| f.dossier = Some(either.clone()))).await,
        [1, 4, 5, 7]
    );
    let hash_only = DossierFilter {
        matricule: None,
        nir_hache: Some(nir(8).0),
    };
    assert_eq!(
        found(store, &by(&|f| f.dossier = Some(hash_only.clone()))).await,
        [8]
    );
    assert_eq!(found(store, &by(&|f| f.bouquet = Some(Bouquet::Psu))).await, [3]);
    assert_eq!(
        found(store, &by(&|f| f.resultat = Some(Resultat::NonHabilite))).await,
        [4]
    );
    assert_eq!(
        found(store, &by(&|f| f.action = Some(Action::Connexion))).await,
        [0]
    );
    assert_eq!(
        found(
            store,
            &by(&|f| {
                f.du = Some(at(2));
                f.avant = Some(at(5));
            })
        )
        .await,
        [2, 3, 4]
    );
    assert_eq!(
        found(
            store,
            &by(&|f| {
                f.partenaire = Some(NumeroTiers::parse("T-001").unwrap());
                f.resultat = Some(Resultat::Succes);
                f.du = Some(at(1));
            })
        )
        .await,
        [2, 6, 8]
    );
    let first = store.search_traces(&all, 0, 3).await.unwrap();
    assert_eq!(first.len(), 3);
    let next = store.search_traces(&all, first[2].id, 100).await.unwrap();
    assert_eq!(next.len(), 6);
    let mut third = trace(3, Resultat::Succes);
    third.bouquet = Some(Bouquet::Psu);
    assert_eq!(next[0].trace, third);
    assert!(store.search_traces(&all, 0, 0).await.unwrap().is_empty());
    let other = TraceFilter::caisse(caisse(CAISSE_B));
    assert_eq!(found(store, &other).await, [100, 101, 102]);
}

fn acte(par: &str, seconds: i64, motif: &str) -> Acte {
    Acte {
        par: par.into(),
        le: at(seconds),
        motif: motif.into(),
    }
}

fn suspension(store_caisse: crate::CaisseId, cible: Cible, jusqu_au: Option<i64>) -> NewSuspension {
    NewSuspension {
        caisse: store_caisse,
        cible,
        jusqu_au: jusqu_au.map(at),
        acte: acte(
            "superviseur",
            10,
            "consultations en série sans rapport avec la mission",
        ),
    }
}

pub async fn su_2_suspension_ends_sessions_at_once_and_holds_until_its_end_or_lifting(store: &dyn Store) {
    import_ok(store, world()).await;
    let a = caisse_id(store, CAISSE_A).await;
    let jd = user(store, CAISSE_A, "jdupont").await;
    let pm = user(store, CAISSE_A, "pmartin").await;
    let first = open_session(store, jd.user, "premiere", at(0)).await;
    let second = open_session(store, jd.user, "seconde", at(1)).await;
    let other = open_session(store, pm.user, "autre", at(2)).await;
    assert_eq!(store.suspension_en_cours(jd.user, at(5)).await.unwrap(), None);

    let cible = Cible::Utilisateur(Identifiant::parse("jdupont").unwrap());
    let done = store
        .suspend(&suspension(a, cible.clone(), Some(100)))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(done.sessions_terminees, 2);
    assert!(store.session(&first).await.unwrap().is_none());
    assert!(store.session(&second).await.unwrap().is_none());
    assert!(store.session(&other).await.unwrap().is_some());

    let current = store.suspension_en_cours(jd.user, at(99)).await.unwrap().unwrap();
    assert_eq!(current.id, done.id);
    assert_eq!(current.cible, cible);
    assert_eq!(current.jusqu_au, Some(at(100)));
    assert_eq!(
        current.acte,
        acte(
            "superviseur",
            10,
            "consultations en série sans rapport avec la mission"
        )
    );
    assert_eq!(current.levee, None);
    // A temporary suspension ends by itself at its date.
    assert_eq!(store.suspension_en_cours(jd.user, at(100)).await.unwrap(), None);
    assert_eq!(store.suspension_en_cours(pm.user, at(50)).await.unwrap(), None);

    // Definitive, until lifted.
    let definitive = store
        .suspend(&suspension(a, cible.clone(), None))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(definitive.sessions_terminees, 0);
    assert!(store
        .suspension_en_cours(jd.user, at(1_000_000))
        .await
        .unwrap()
        .is_some());
    let b = caisse_id(store, CAISSE_B).await;
    assert_eq!(
        store
            .lift_suspension(b, definitive.id, &acte("x", 20, "autre caisse"))
            .await
            .unwrap(),
        Err(LeveeRefusee::Inconnue),
        "TEN-1: another caisse cannot lift it"
    );
    let lifted = store
        .lift_suspension(a, definitive.id, &acte("chef", 20, "doute levé"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(lifted.levee, Some(acte("chef", 20, "doute levé")));
    assert_eq!(
        store
            .suspension_en_cours(jd.user, at(50))
            .await
            .unwrap()
            .map(|s| s.id),
        Some(done.id)
    );
    assert_eq!(store.suspension_en_cours(jd.user, at(200)).await.unwrap(), None);
    assert_eq!(
        store
            .lift_suspension(a, definitive.id, &acte("chef", 30, "encore"))
            .await
            .unwrap(),
        Err(LeveeRefusee::DejaLevee)
    );
    assert_eq!(
        store
            .lift_suspension(a, i64::MAX, &acte("chef", 30, "?"))
            .await
            .unwrap(),
        Err(LeveeRefusee::Inconnue)
    );

    let history = store.suspensions(a).await.unwrap();
    assert_eq!(
        history.iter().map(|s| s.id).collect::<Vec<_>>(),
        [definitive.id, done.id],
        "newest first"
    );
    assert!(store.suspensions(b).await.unwrap().is_empty());
}

pub async fn su_2_partner_suspension_covers_every_user_of_the_partner(store: &dyn Store) {
    import_ok(store, world()).await;
    let a = caisse_id(store, CAISSE_A).await;
    let jd = user(store, CAISSE_A, "jdupont").await;
    let pm = user(store, CAISSE_A, "pmartin").await;
    let jd_b = user(store, CAISSE_B, "jdupont").await;
    let s1 = open_session(store, jd.user, "jd", at(0)).await;
    let s2 = open_session(store, pm.user, "pm", at(0)).await;
    let s3 = open_session(store, jd_b.user, "jdb", at(0)).await;

    let cible = Cible::Partenaire(NumeroTiers::parse("T-001").unwrap());
    let done = store.suspend(&suspension(a, cible, None)).await.unwrap().unwrap();
    assert_eq!(done.sessions_terminees, 1);
    assert!(store.session(&s1).await.unwrap().is_none());
    assert!(store.session(&s2).await.unwrap().is_some());
    assert!(
        store.session(&s3).await.unwrap().is_some(),
        "TEN-2: the same N° tiers in another caisse is another partner"
    );
    assert!(store
        .suspension_en_cours(jd.user, at(50))
        .await
        .unwrap()
        .is_some());
    assert!(store
        .suspension_en_cours(pm.user, at(50))
        .await
        .unwrap()
        .is_none());
    assert!(store
        .suspension_en_cours(jd_b.user, at(50))
        .await
        .unwrap()
        .is_none());

    for unknown in [
        Cible::Partenaire(NumeroTiers::parse("T-404").unwrap()),
        Cible::Utilisateur(Identifiant::parse("personne").unwrap()),
    ] {
        assert_eq!(
            store.suspend(&suspension(a, unknown, None)).await.unwrap(),
            Err(SuspensionRefusee::CibleInconnue)
        );
    }
    assert_eq!(
        store.suspensions(a).await.unwrap().len(),
        1,
        "a refusal writes nothing"
    );
}

pub async fn by_1_consultations_of_a_dossier_name_the_partners_when_and_through_which_bouquet(
    store: &dyn Store,
) {
    import_ok(store, world()).await;
    let consultation = |n: i64, caisse: &str, partenaire: &str, bouquet: Bouquet, resultat: Resultat| Trace {
        caisse: Some(caisse.into()),
        partenaire: Some(partenaire.into()),
        bouquet: Some(bouquet),
        matricule: Some("0001".into()),
        nir_hache: None,
        action: Action::Consultation,
        ..trace(n, resultat)
    };
    journal(
        store,
        vec![
            consultation(1, CAISSE_A, "T-001", Bouquet::Qf, Resultat::Succes),
            // Refused: nothing was shown, so nothing to report.
            consultation(2, CAISSE_A, "T-002", Bouquet::Qf, Resultat::HorsPerimetre),
            consultation(3, CAISSE_B, "T-001", Bouquet::Qf, Resultat::Succes),
            consultation(4, CAISSE_A, "T-002", Bouquet::Psu, Resultat::Succes),
            // A partner since removed from the référentiel: still reported, by its number.
            consultation(5, CAISSE_A, "T-999", Bouquet::Qf, Resultat::Succes),
        ],
    )
    .await;
    let found = store
        .consultations_of_dossier(&caisse(CAISSE_A), &Matricule::parse("0001").unwrap())
        .await
        .unwrap();
    let seen: Vec<_> = found
        .iter()
        .map(|c| {
            (
                c.horodatage,
                c.partenaire.as_str(),
                c.partenaire_nom.as_deref(),
                c.bouquet,
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (at(1), "T-001", Some("CCAS T-001"), Some(Bouquet::Qf)),
            (at(4), "T-002", Some("CCAS T-002"), Some(Bouquet::Psu)),
            (at(5), "T-999", None, Some(Bouquet::Qf)),
        ]
    );
    assert!(store
        .consultations_of_dossier(&caisse(CAISSE_A), &Matricule::parse("0002").unwrap())
        .await
        .unwrap()
        .is_empty());
}

pub async fn tr_4_monthly_statistics_count_per_partner_bouquet_and_agent(store: &dyn Store) {
    import_ok(store, world()).await;
    let line = |n: i64,
                caisse: &str,
                partenaire: Option<&str>,
                utilisateur: &str,
                action: Action,
                bouquet: Option<Bouquet>,
                resultat: Resultat| Trace {
        caisse: Some(caisse.into()),
        partenaire: partenaire.map(Into::into),
        utilisateur: Some(utilisateur.into()),
        action,
        bouquet,
        ..trace(n, resultat)
    };
    let qf = Some(Bouquet::Qf);
    let c = Action::Consultation;
    journal(
        store,
        vec![
            line(1, CAISSE_A, Some("T-001"), "jdupont", c, qf, Resultat::Succes),
            line(2, CAISSE_A, Some("T-001"), "jdupont", c, qf, Resultat::Succes),
            line(
                3,
                CAISSE_A,
                Some("T-001"),
                "jdupont",
                c,
                qf,
                Resultat::DossierIntrouvable,
            ),
            line(4, CAISSE_A, Some("T-001"), "jdupont", c, qf, Resultat::Opposition),
            line(
                5,
                CAISSE_A,
                Some("T-001"),
                "jdupont",
                c,
                qf,
                Resultat::HorsPerimetre,
            ),
            line(
                6,
                CAISSE_A,
                Some("T-001"),
                "jdupont",
                c,
                Some(Bouquet::Psu),
                Resultat::Succes,
            ),
            line(
                7,
                CAISSE_A,
                Some("T-002"),
                "pmartin",
                c,
                qf,
                Resultat::NonHabilite,
            ),
            line(
                8,
                CAISSE_A,
                Some("T-001"),
                "jdupont",
                Action::Connexion,
                None,
                Resultat::EchecMotDePasse,
            ),
            // Not counted: a successful login, an unknown identifier, another caisse, outside the period.
            line(
                9,
                CAISSE_A,
                Some("T-001"),
                "jdupont",
                Action::Connexion,
                None,
                Resultat::Succes,
            ),
            line(
                10,
                CAISSE_A,
                None,
                "inconnu",
                Action::Connexion,
                None,
                Resultat::EchecIdentifiantInconnu,
            ),
            line(11, CAISSE_B, Some("T-001"), "jdupont", c, qf, Resultat::Succes),
            line(500, CAISSE_A, Some("T-001"), "jdupont", c, qf, Resultat::Succes),
        ],
    )
    .await;
    let lines = store.statistics(&caisse(CAISSE_A), at(0), at(100)).await.unwrap();
    // The convention is the partner's one carrying the bouquet; a failed login has none.
    let expected = |partenaire: &str, nom: &str, bouquet: Option<Bouquet>, u: &str, counts: [i64; 6]| {
        crate::supervision::LigneStatistique {
            partenaire: Some(partenaire.into()),
            partenaire_nom: Some(nom.into()),
            convention: bouquet.map(|_| if partenaire == "T-001" { "C-1" } else { "C-2" }.into()),
            bouquet,
            utilisateur: Some(u.into()),
            consultations: counts[0],
            trouves: counts[1],
            introuvables: counts[2],
            oppositions: counts[3],
            refus: counts[4],
            echecs_connexion: counts[5],
        }
    };
    let mut sorted = lines.clone();
    sorted.sort_by(|a, b| {
        (&a.partenaire, a.bouquet, &a.utilisateur).cmp(&(&b.partenaire, b.bouquet, &b.utilisateur))
    });
    assert_eq!(
        sorted,
        [
            expected("T-001", "CCAS T-001", None, "jdupont", [0, 0, 0, 0, 0, 1]),
            expected("T-001", "CCAS T-001", qf, "jdupont", [5, 2, 1, 1, 1, 0]),
            expected(
                "T-001",
                "CCAS T-001",
                Some(Bouquet::Psu),
                "jdupont",
                [1, 1, 0, 0, 0, 0]
            ),
            expected("T-002", "CCAS T-002", qf, "pmartin", [1, 0, 0, 0, 1, 0]),
        ]
    );
    assert!(store
        .statistics(&caisse(CAISSE_A), at(1000), at(2000))
        .await
        .unwrap()
        .is_empty());
}
