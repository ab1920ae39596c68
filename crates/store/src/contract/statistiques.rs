//! The contract of TR-4's daily statistics (`crate::statistiques`): a day is built once, whoever builds it
//! and however often, with the counts the traces give; the catch-up finds every day left; the counts keep
//! their agent once the traces are purged.

use super::{at, convention, import_ok, numbered, trace, world, CAISSE_A, CAISSE_B};
use crate::statistiques::debut_du_jour;
use crate::supervision::LigneStatistique;
use crate::{ConventionRecord, ImportRecord};
use crate::{JournalBatch, Store};
use chrono::{Days, NaiveDate};
use partage_domain::trace::{Action, Resultat, Trace};
use partage_domain::{Bouquet, CaisseCode, Convention, NumeroConvention, NumeroTiers};

/// The day `k` days after the one of `at(0)`.
fn jour(k: u64) -> NaiveDate {
    at(0).date_naive().checked_add_days(Days::new(k)).unwrap()
}

fn caisse(code: &str) -> CaisseCode {
    CaisseCode::parse(code).unwrap()
}

const JOUR: i64 = 86_400;

/// A trace of the day `k`, `n` seconds after `at(0)`'s time of day.
fn ligne(
    k: i64,
    n: i64,
    caisse: &str,
    partenaire: &str,
    utilisateur: &str,
    bouquet: Option<Bouquet>,
    resultat: Resultat,
) -> Trace {
    Trace {
        caisse: Some(caisse.into()),
        partenaire: Some(partenaire.into()),
        utilisateur: Some(utilisateur.into()),
        action: if bouquet.is_some() {
            Action::Consultation
        } else {
            Action::Connexion
        },
        bouquet,
        ..trace(k * JOUR + n, resultat)
    }
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

/// A day of use in both caisses, and one trace of the next day.
fn journee(k: i64) -> Vec<Trace> {
    let qf = Some(Bouquet::Qf);
    vec![
        ligne(k, 1, CAISSE_A, "T-001", "jdupont", qf, Resultat::Succes),
        ligne(k, 2, CAISSE_A, "T-001", "jdupont", qf, Resultat::Succes),
        ligne(
            k,
            3,
            CAISSE_A,
            "T-001",
            "jdupont",
            Some(Bouquet::Psu),
            Resultat::DossierIntrouvable,
        ),
        ligne(
            k,
            4,
            CAISSE_A,
            "T-001",
            "jdupont",
            None,
            Resultat::EchecMotDePasse,
        ),
        ligne(k, 5, CAISSE_A, "T-002", "pmartin", qf, Resultat::Opposition),
        ligne(k, 6, CAISSE_A, "T-002", "pmartin", qf, Resultat::NonHabilite),
        ligne(k, 7, CAISSE_B, "T-001", "jdupont", qf, Resultat::Succes),
        // Not counted: a successful login.
        ligne(k, 8, CAISSE_A, "T-001", "jdupont", None, Resultat::Succes),
    ]
}

fn attendu(
    partenaire: &str,
    convention: Option<&str>,
    bouquet: Option<Bouquet>,
    utilisateur: Option<&str>,
    counts: [i64; 6],
) -> LigneStatistique {
    LigneStatistique {
        partenaire: Some(partenaire.into()),
        partenaire_nom: Some(format!("CCAS {partenaire}")),
        convention: convention.map(Into::into),
        bouquet,
        utilisateur: utilisateur.map(Into::into),
        consultations: counts[0],
        trouves: counts[1],
        introuvables: counts[2],
        oppositions: counts[3],
        refus: counts[4],
        echecs_connexion: counts[5],
    }
}

fn triees(mut lignes: Vec<LigneStatistique>) -> Vec<LigneStatistique> {
    // NULLs sort first in SQLite and last in PostgreSQL.
    lignes.sort_by(|a, b| {
        (&a.partenaire, a.bouquet, &a.utilisateur).cmp(&(&b.partenaire, b.bouquet, &b.utilisateur))
    });
    lignes
}

/// The caisse's counts of `[jour(du), jour(avant))` from the traces.
async fn en_direct(store: &dyn Store, code: &str, du: u64, avant: u64) -> Vec<LigneStatistique> {
    triees(
        store
            .statistics(&caisse(code), debut_du_jour(jour(du)), debut_du_jour(jour(avant)))
            .await
            .unwrap(),
    )
}

async fn construites(store: &dyn Store, code: &str, du: u64, avant: u64) -> Vec<LigneStatistique> {
    triees(
        store
            .statistiques_construites(&caisse(code), jour(du), jour(avant))
            .await
            .unwrap(),
    )
}

pub async fn tr_4_a_day_built_twice_counts_once_per_convention(store: &dyn Store) {
    import_ok(store, world()).await;
    // T-002 of caisse A gets a second convention carrying QF: which one its agent used is unknown.
    import_ok(
        store,
        numbered(vec![convention(CAISSE_A, "T-002", "C-3", &[Bouquet::Qf])]),
    )
    .await;
    let mut traces = journee(0);
    traces.extend(journee(1));
    journal(store, traces).await;
    let live = en_direct(store, CAISSE_A, 0, 1).await;

    assert!(store.construire_jour(jour(0), at(2 * JOUR)).await.unwrap());
    assert!(
        !store.construire_jour(jour(0), at(2 * JOUR)).await.unwrap(),
        "built once"
    );
    let qf = Some(Bouquet::Qf);
    let built = construites(store, CAISSE_A, 0, 1).await;
    assert_eq!(
        built,
        [
            attendu("T-001", None, None, Some("jdupont"), [0, 0, 0, 0, 0, 1]),
            attendu("T-001", Some("C-1"), qf, Some("jdupont"), [2, 2, 0, 0, 0, 0]),
            attendu(
                "T-001",
                Some("C-1"),
                Some(Bouquet::Psu),
                Some("jdupont"),
                [1, 0, 1, 0, 0, 0]
            ),
            attendu("T-002", None, qf, Some("pmartin"), [2, 0, 0, 1, 1, 0]),
        ]
    );
    assert_eq!(built, live, "the same counts as the traces give");
    assert_eq!(
        construites(store, CAISSE_B, 0, 1).await,
        [attendu(
            "T-001",
            Some("C-1"),
            qf,
            Some("jdupont"),
            [1, 1, 0, 0, 0, 0]
        )],
        "every caisse is built with the day, each with its own conventions"
    );
    assert!(
        construites(store, CAISSE_A, 1, 2).await.is_empty(),
        "the next day is not built"
    );
    assert_eq!(store.jours_construits(jour(0), jour(2)).await.unwrap(), [jour(0)]);
}

pub async fn tr_4_two_concurrent_builds_of_a_day_count_it_once(store: &dyn Store) {
    import_ok(store, world()).await;
    let mut traces = Vec::new();
    for _ in 0..20 {
        traces.extend(journee(0));
    }
    journal(store, traces).await;
    let live = en_direct(store, CAISSE_A, 0, 1).await;
    let (a, b) = tokio::join!(
        store.construire_jour(jour(0), at(JOUR)),
        store.construire_jour(jour(0), at(JOUR))
    );
    assert_eq!(
        u8::from(a.unwrap()) + u8::from(b.unwrap()),
        1,
        "one builder builds the day"
    );
    let built = construites(store, CAISSE_A, 0, 1).await;
    assert_eq!(built, live);
    assert_eq!(built.iter().map(|l| l.consultations).sum::<i64>(), 5 * 20);
}

pub async fn tr_4_the_catch_up_builds_every_day_left_since_the_first_trace(store: &dyn Store) {
    import_ok(store, world()).await;
    assert!(
        store.jours_a_construire(jour(5)).await.unwrap().is_empty(),
        "nothing to build without traces"
    );
    let mut traces = journee(0);
    traces.extend(journee(2));
    journal(store, traces).await;
    assert_eq!(
        store.jours_a_construire(jour(3)).await.unwrap(),
        [jour(0), jour(1), jour(2), jour(3)]
    );
    // A day without traces is built all the same, as nothing.
    assert!(store.construire_jour(jour(1), at(3 * JOUR)).await.unwrap());
    assert_eq!(
        store.jours_a_construire(jour(3)).await.unwrap(),
        [jour(0), jour(2), jour(3)]
    );
    assert_eq!(store.jours_construits(jour(0), jour(4)).await.unwrap(), [jour(1)]);
    for k in [0, 2, 3] {
        assert!(store.construire_jour(jour(k), at(4 * JOUR)).await.unwrap());
    }
    assert!(store.jours_a_construire(jour(3)).await.unwrap().is_empty());
    assert_eq!(store.jours_a_construire(jour(4)).await.unwrap(), [jour(4)]);
    assert_eq!(
        store.jours_construits(jour(0), jour(4)).await.unwrap(),
        [jour(0), jour(1), jour(2), jour(3)]
    );
    // Days add up line by line.
    let built = construites(store, CAISSE_A, 0, 4).await;
    assert_eq!(built, en_direct(store, CAISSE_A, 0, 4).await);
    assert_eq!(
        built[1],
        attendu(
            "T-001",
            Some("C-1"),
            Some(Bouquet::Qf),
            Some("jdupont"),
            [4, 4, 0, 0, 0, 0]
        )
    );
}

pub async fn tr_4_a_built_day_keeps_its_agents_once_its_traces_are_purged(store: &dyn Store) {
    import_ok(store, world()).await;
    journal(store, journee(0)).await;
    assert!(store.construire_jour(jour(0), at(JOUR)).await.unwrap());
    let before = construites(store, CAISSE_A, 0, 1).await;
    let feuilles: Vec<_> = store
        .traces_after(0, 100)
        .await
        .unwrap()
        .iter()
        .map(|t| (t.id, t.leaf_hash()))
        .collect();
    assert_eq!(store.purge_traces(&feuilles, at(1200 * JOUR)).await.unwrap(), 8);
    let live = en_direct(store, CAISSE_A, 0, 1).await;
    assert!(live.iter().all(|l| l.utilisateur.is_none()), "{live:#?}");
    let after = construites(store, CAISSE_A, 0, 1).await;
    assert_eq!(after, before);
    assert!(after.iter().all(|l| l.utilisateur.is_some()));
}

/// A convention of T-002 in caisse A carrying QF, with its dates.
fn convention_datee(
    numero: &str,
    signee: NaiveDate,
    cnil: Option<NaiveDate>,
    fin: Option<NaiveDate>,
) -> ImportRecord {
    ImportRecord::Convention(ConventionRecord {
        caisse: caisse(CAISSE_A),
        partenaire: NumeroTiers::parse("T-002").unwrap(),
        convention: Convention::new(
            NumeroConvention::parse(numero).unwrap(),
            vec![Bouquet::Qf],
            signee,
            cnil,
            fin,
        )
        .unwrap(),
        plafond_habilitations: None,
        gestion: None,
        departements: None,
    })
}

pub async fn tr_4_a_day_is_counted_on_the_convention_in_force_that_day(store: &dyn Store) {
    import_ok(store, world()).await;
    let signee = jour(0).checked_sub_days(Days::new(10)).unwrap();
    import_ok(
        store,
        numbered(vec![
            // C-2 (in force since 2026) ends on day 1: day 0 is its last day in force.
            convention_datee(
                "C-2",
                "2026-01-10".parse().unwrap(),
                "2026-01-15".parse().ok(),
                Some(jour(1)),
            ),
            // C-4, signed before, is in force from day 1 (its CNIL formality).
            convention_datee("C-4", signee, Some(jour(1)), None),
            // A draft of the next one: signed, no formality, so never in force.
            convention_datee("C-5", signee, None, None),
        ]),
    )
    .await;
    let qf = Some(Bouquet::Qf);
    let mut traces = Vec::new();
    for k in 0..3 {
        traces.push(ligne(k, 1, CAISSE_A, "T-002", "pmartin", qf, Resultat::Succes));
        traces.push(ligne(
            k,
            2,
            CAISSE_A,
            "T-002",
            "pmartin",
            qf,
            Resultat::DossierIntrouvable,
        ));
    }
    journal(store, traces).await;
    let live = en_direct(store, CAISSE_A, 0, 3).await;
    for k in 0..3 {
        assert!(store.construire_jour(jour(k), at(3 * JOUR)).await.unwrap());
    }
    let ligne_de = |convention: &str, n: i64| {
        attendu(
            "T-002",
            Some(convention),
            qf,
            Some("pmartin"),
            [2 * n, n, n, 0, 0, 0],
        )
    };
    assert_eq!(
        construites(store, CAISSE_A, 0, 1).await,
        [ligne_de("C-2", 1)],
        "the day before the switch: the old convention, the draft beside it steals nothing"
    );
    assert_eq!(
        construites(store, CAISSE_A, 1, 2).await,
        [ligne_de("C-4", 1)],
        "the day of the switch: the new one"
    );
    assert_eq!(construites(store, CAISSE_A, 2, 3).await, [ligne_de("C-4", 1)]);
    let built = construites(store, CAISSE_A, 0, 3).await;
    let mut attendues = vec![ligne_de("C-2", 1), ligne_de("C-4", 2)];
    attendues.sort_by(|a, b| a.convention.cmp(&b.convention));
    let mut par_convention = built.clone();
    par_convention.sort_by(|a, b| a.convention.cmp(&b.convention));
    assert_eq!(par_convention, attendues, "three days: one line per convention");
    let mut live = live;
    live.sort_by(|a, b| a.convention.cmp(&b.convention));
    assert_eq!(live, attendues, "the traces give the same lines, day by day");
}
