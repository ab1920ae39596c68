//! The contract every backend passes: one suite, run against each store by its own test binary with
//! [`contract_tests!`](crate::contract_tests), so both stores answer the application alike.
//!
//! It lives in the library rather than under `tests/` so that each backend crate can run it; nothing in the
//! application calls it.

// Test code, compiled into the library only so that backends can share it: a failed expectation must stop
// the test with its message, as it would in a `#[test]`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod mots_de_passe;
pub mod verrouillage;
pub use mots_de_passe::*;
pub use verrouillage::*;

use crate::{
    CaisseId, CaisseRecord, ConventionRecord, DossierRecord, HabilitationRecord, ImportCounts, ImportError,
    ImportRecord, JournalBatch, LoginRecord, NewSession, NirHash, NumberedRecord, PartenaireRecord, Store,
    TokenHash, UserId, UtilisateurRecord,
};
use chrono::{DateTime, NaiveDate, Utc};
use partage_domain::dossier::{Adresse, PeriodeQf, Personne, Sexe};
use partage_domain::perimetre::Habilitation;
use partage_domain::trace::{Action, Resultat, Trace};
use partage_domain::{
    Bouquet, CaisseCode, CodeDepartement, Convention, Dossier, Identifiant, Matricule, NumeroConvention,
    NumeroTiers, Regime, Siret,
};
use std::future::Future;

pub mod retention;
pub mod trace_log;
pub use retention::{
    tr_2_retention_purges_old_covered_traces_and_the_log_still_verifies,
    tr_2_retention_without_checkpoint_purges_nothing,
};
use std::sync::Arc;
pub use trace_log::{
    by_2_checkpoints_hash_new_traces_and_prove_inclusion_and_consistency,
    by_2_no_proof_before_the_first_checkpoint, by_2_proofs_relative_to_an_earlier_signed_checkpoint,
    tr_2_checkpoint_with_another_key_is_refused, tr_2_concurrent_checkpoint_is_refused_and_writes_nothing,
};

pub mod dossiers;
pub use dossiers::bq_psu_dossier_by_matricule_with_its_family_and_resources;
pub mod rsacg;
pub use rsacg::*;
pub mod abus;
pub mod activations;
pub mod avenants;
pub use avenants::*;
pub mod baremes;
pub mod cycles;
pub mod habilitations;
pub mod partenaires;
pub mod personnel;
pub mod plages;
pub mod statistiques;
pub mod supervision;
pub use abus::*;
pub use activations::*;
pub use baremes::*;
pub use cycles::*;
pub use habilitations::*;
pub use partenaires::*;
pub use personnel::*;
pub use plages::*;
pub use statistiques::*;
pub use supervision::*;

/// A fresh, empty, migrated store for one test, and what must be undone after it.
pub trait TestStore: Send + 'static {
    fn store(&self) -> Arc<dyn Store>;
    /// Runs after the test, passed or failed (drop a schema, close pools…).
    fn cleanup(self) -> impl Future<Output = ()> + Send;
}

/// Runs one contract test on its own runtime: builds the store, runs the test, then cleans up even when the
/// test failed, and fails with the test's own message.
pub fn run<T, F, Fut>(fixture: impl Future<Output = T>, test: F)
where
    T: TestStore + Sync,
    F: FnOnce(Arc<dyn Store>) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    run_with_fixture(fixture, |fixture: Arc<T>| test(fixture.store()));
}

/// [`run`], for tests that need the fixture itself (raw access to its database).
pub fn run_with_fixture<T, F, Fut>(fixture: impl Future<Output = T>, test: F)
where
    T: TestStore + Sync,
    F: FnOnce(Arc<T>) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime tokio");
    runtime.block_on(async move {
        let fixture = Arc::new(fixture.await);
        // Spawned, so that a failing assertion comes back as a value and the cleanup still runs.
        let outcome = tokio::spawn(test(fixture.clone())).await;
        match Arc::try_unwrap(fixture) {
            Ok(fixture) => fixture.cleanup().await,
            Err(_) => eprintln!("test store still shared after the test: not cleaned up"),
        }
        if let Err(e) = outcome {
            match e.try_into_panic() {
                Ok(payload) => std::panic::resume_unwind(payload),
                Err(e) => panic!("test interrompu : {e}"),
            }
        }
    });
}

/// Expands to one `#[test]` per contract test, each on a fresh store from `$fixture`, an expression that
/// may `.await` and yields a [`TestStore`](crate::contract::TestStore):
///
/// ```ignore
/// partage_store::contract_tests!(support::fresh_store().await);
/// ```
#[macro_export]
macro_rules! contract_tests {
    ($fixture:expr) => {
        $crate::contract_tests!(@each $fixture;
            co_1_import_then_login_perimetre_and_dossier_by_nir,
            co_1_session_perimetre_and_dossier_read_together_equal_the_separate_reads,
            import_is_idempotent,
            import_of_nothing_changes_nothing,
            import_refuses_every_bad_reference_and_changes_nothing,
            import_keeps_the_last_of_repeated_records,
            import_of_thousands_of_dossiers_crosses_statement_chunks,
            reimported_dossier_replaces_its_nirs,
            au_2_reimported_user_keeps_the_password_he_chose,
            hb_5_reimported_user_habilitations_are_the_files,
            au_4_sessions_are_created_touched_forward_only_and_ended,
            au_2_change_password_ends_the_other_sessions_only,
            su_2_end_all_sessions_ends_every_session_of_that_user_only,
            tr_1_journal_appends_every_trace_in_order,
            tr_1_traces_after_pages_through_the_journal,
            nir_key_is_stable,
            ten_1_dossier_of_another_caisse_is_invisible,
            ten_2_same_identifiers_in_two_caisses_are_distinct,
            co_4_perimetre_of_an_unknown_user_is_empty,
            au_1_failures_are_counted_per_key_and_lock_at_the_threshold,
            au_1_a_quiet_hour_starts_a_new_run_but_never_lifts_a_lock,
            au_1_clearing_failures_unlocks_and_hands_back_what_was_counted,
            au_1_concurrent_failures_are_all_counted,
            bq_psu_dossier_by_matricule_with_its_family_and_resources,
            actors_staff_accounts_hold_several_roles_within_their_caisse,
            actors_staff_and_partner_sessions_never_answer_for_each_other,
            au_4_staff_reauthentication_is_kept_per_session,
            hb_8_the_last_login_is_kept_and_a_dormant_agent_is_deactivated_with_his_sessions,
            au_1_staff_second_factor_is_pending_until_confirmed_and_each_step_is_spent_once,
            by_2_checkpoints_hash_new_traces_and_prove_inclusion_and_consistency,
            by_2_proofs_relative_to_an_earlier_signed_checkpoint,
            by_2_no_proof_before_the_first_checkpoint,
            tr_2_concurrent_checkpoint_is_refused_and_writes_nothing,
            tr_2_checkpoint_with_another_key_is_refused,
            tr_2_retention_purges_old_covered_traces_and_the_log_still_verifies,
            tr_2_retention_without_checkpoint_purges_nothing,
            cv_8_a_transition_moves_state_history_and_access_together,
            cv_3_concurrent_writers_of_one_revision_apply_it_once,
            cv_7_versions_are_kept_once_and_the_last_bouquets_apply,
            ten_3_the_departements_of_the_last_version_or_the_import_narrow_the_perimeter,
            cv_11_breach_notifications_are_listed_per_convention,
            cv_9_declared_sub_contractors_are_listed_per_convention,
            cv_8_one_attestation_of_return_or_destruction_per_convention,
            cv_2_a_draft_is_created_once_with_its_cycle_and_no_access,
            au_1_previous_password_hashes_are_kept_five_newest_first,
            au_1_password_context_holds_the_users_own_words,
            au_1_a_password_change_can_be_required_again,
            tr_3_trace_requests_filter_page_and_stay_within_the_caisse,
            su_2_suspension_ends_sessions_at_once_and_holds_until_its_end_or_lifting,
            su_2_partner_suspension_covers_every_user_of_the_partner,
            by_1_consultations_of_a_dossier_name_the_partners_when_and_through_which_bouquet,
            tr_4_monthly_statistics_count_per_partner_bouquet_and_agent,
            tr_4_a_day_built_twice_counts_once_per_convention,
            tr_4_two_concurrent_builds_of_a_day_count_it_once,
            tr_4_the_catch_up_builds_every_day_left_since_the_first_trace,
            tr_4_a_built_day_keeps_its_agents_once_its_traces_are_purged,
            tr_4_a_day_is_counted_on_the_convention_in_force_that_day,
            hb_1_requests_keep_their_history_and_move_by_revision,
            hb_3_a_grant_creates_the_user_with_a_unique_identifier_once,
            hb_7_the_cap_is_counted_inside_the_grant,
            hb_5_modification_and_suppression_change_the_user_and_end_his_sessions,
            hb_6_reset_replaces_the_password_and_ends_every_session,
            hb_2_the_directory_lists_the_caisses_agents_by_bouquet,
            hb_7_the_cap_comes_with_the_import_and_a_file_without_it_keeps_it,
            cv_12_the_caisse_sets_the_mode_and_the_administrators,
            hb_9_delegated_acts_stay_within_the_partner_and_spare_administrators,
            hb_9_a_partner_has_one_gestionnaire_principal_and_one_suppleant,
            hb_9_a_suspended_habilitation_grants_nothing_until_reactivated,
            co_3_circonscriptions_of_partners_and_habilitations_reach_the_perimetre,
            co_3_an_habilitation_outside_the_partners_circonscriptions_refuses_the_file,
            su_1_the_caisse_sets_its_rules,
            su_1_alerts_are_raised_once_per_rule_day_and_subject,
            su_1_surveillance_is_kept_as_a_history,
            bq_psu_fee_bareme_is_kept_per_caisse_and_replaced_by_a_reimport,
            bq_psu_fee_a_period_added_in_the_back_office_replaces_only_what_was_read,
            ten_1_partner_fiches_are_kept_whole_within_their_caisse,
            cv_1_the_caisses_conventions_are_listed_with_their_partner,
            hb_3_an_activation_link_sets_the_password_once,
            hb_3_an_activation_link_expires_after_24_hours,
            hb_6_a_new_link_or_a_reset_supersedes_the_unused_links,
            co_7_each_caisse_keeps_its_own_window_per_bouquet,
        );
    };
    (@each $fixture:expr; $($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                $crate::contract::run(async { $fixture }, |store| async move {
                    $crate::contract::$name(&*store).await
                });
            }
        )*
    };
}

// ---------------------------------------------------------------------------------------------------------
// A small world: two caisses with the same partner number, convention number and user identifier in each
// (TEN-2), partners with different champs de compétence, dossiers with and without opposition.
// ---------------------------------------------------------------------------------------------------------

pub const CAISSE_A: &str = "MSA-ADL";
pub const CAISSE_B: &str = "CAF-59";
pub const TEMPORAIRE: &str = "$argon2id$v=19$m=19456,t=2,p=1$provisoire$c29tZWhhc2g";

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn dep(s: &str) -> CodeDepartement {
    CodeDepartement::parse(s).unwrap()
}

/// A keyed NIR hash as the application would make it: 64 lowercase hex digits.
pub fn nir(n: u64) -> NirHash {
    NirHash(format!(
        "{:016x}{:048x}",
        n.wrapping_mul(0x9e37_79b9_7f4a_7c15),
        n
    ))
}

fn numbered(records: Vec<ImportRecord>) -> Vec<NumberedRecord> {
    records
        .into_iter()
        .enumerate()
        .map(|(i, record)| NumberedRecord { ligne: i + 1, record })
        .collect()
}

pub fn caisse(code: &str, regime: Regime, departements: &[&str]) -> ImportRecord {
    ImportRecord::Caisse(CaisseRecord {
        code: CaisseCode::parse(code).unwrap(),
        nom: format!("Caisse {code}"),
        regime,
        departements: departements.iter().map(|s| dep(s)).collect(),
    })
}

pub fn partenaire(caisse: &str, tiers: &str, departements: &[&str]) -> ImportRecord {
    ImportRecord::Partenaire(PartenaireRecord {
        caisse: CaisseCode::parse(caisse).unwrap(),
        numero_tiers: NumeroTiers::parse(tiers).unwrap(),
        nom: format!("CCAS {tiers}"),
        categorie: "CCAS".into(),
        siret: Siret::parse("73282932000074").unwrap(),
        departements: departements.iter().map(|s| dep(s)).collect(),
        circonscriptions: Vec::new(),
        coordonnees: None,
    })
}

pub fn convention_of(numero: &str, bouquets: &[Bouquet]) -> Convention {
    Convention::new(
        NumeroConvention::parse(numero).unwrap(),
        bouquets.to_vec(),
        d("2026-01-10"),
        Some(d("2026-01-15")),
        None,
    )
    .unwrap()
}

pub fn convention(caisse: &str, tiers: &str, numero: &str, bouquets: &[Bouquet]) -> ImportRecord {
    ImportRecord::Convention(ConventionRecord {
        caisse: CaisseCode::parse(caisse).unwrap(),
        partenaire: NumeroTiers::parse(tiers).unwrap(),
        convention: convention_of(numero, bouquets),
        plafond_habilitations: None,
        gestion: None,
        departements: None,
    })
}

pub fn utilisateur(
    caisse: &str,
    identifiant: &str,
    tiers: &str,
    habilitations: &[(&str, Bouquet)],
) -> ImportRecord {
    ImportRecord::Utilisateur(UtilisateurRecord {
        caisse: CaisseCode::parse(caisse).unwrap(),
        identifiant: Identifiant::parse(identifiant).unwrap(),
        partenaire: NumeroTiers::parse(tiers).unwrap(),
        civilite: "Mme".into(),
        nom: "Dupont".into(),
        prenom: "Jeanne".into(),
        email: format!("{identifiant}@example.fr"),
        habilitations: habilitations
            .iter()
            .map(|(numero, bouquet)| HabilitationRecord {
                convention: NumeroConvention::parse(numero).unwrap(),
                bouquet: *bouquet,
                profil: None,
                circonscriptions: Vec::new(),
            })
            .collect(),
        mot_de_passe_provisoire_hash: TEMPORAIRE.into(),
    })
}

fn personne(nom: &str, prenoms: &str, sexe: Sexe, naissance: &str) -> Personne {
    Personne {
        nom_naissance: nom.into(),
        nom_usage: None,
        prenoms: prenoms.into(),
        date_naissance: Some(d(naissance)),
        sexe: Some(sexe),
    }
}

pub fn dossier_of(matricule: &str, departement: &str, opposition: bool, qf: u32) -> Dossier {
    Dossier::new(
        Matricule::parse(matricule).unwrap(),
        dep(departement),
        vec![personne("MARTIN", "Jeanne Marie", Sexe::Feminin, "1985-04-12")],
        vec![personne("MARTIN", "Lucas", Sexe::Masculin, "2019-09-01")],
        Adresse {
            destinataire: Some("MADAME JEANNE MARTIN".into()),
            numero_libelle_voie: Some("12 RUE DES ÉCOLES".into()),
            code_postal_ville: Some("07000 PRIVAS".into()),
            pays: Some("FRANCE".into()),
            ..Adresse::default()
        },
        vec![PeriodeQf {
            debut: d("2026-01-01"),
            fin: d("2026-12-31"),
            valeur: qf,
        }],
        opposition,
    )
    .unwrap()
}

pub fn dossier(caisse: &str, dossier: Dossier, nirs: &[u64]) -> ImportRecord {
    ImportRecord::Dossier(DossierRecord {
        caisse: CaisseCode::parse(caisse).unwrap(),
        dossier,
        nirs: nirs.iter().map(|n| nir(*n)).collect(),
    })
}

/// The world, in an order a careless export could produce: dossiers and users before the caisses they
/// belong to. NIR 1 is in dossiers of both caisses (a family that moved keeps its NIRs).
pub fn world() -> Vec<NumberedRecord> {
    numbered(vec![
        dossier(CAISSE_A, dossier_of("0001", "07", false, 580), &[1, 2]),
        dossier(CAISSE_A, dossier_of("0002", "26", true, 700), &[3]),
        dossier(CAISSE_B, dossier_of("0001", "59", false, 910), &[1, 4]),
        utilisateur(CAISSE_A, "jdupont", "T-001", &[("C-1", Bouquet::Qf)]),
        utilisateur(CAISSE_A, "pmartin", "T-002", &[("C-2", Bouquet::Qf)]),
        utilisateur(CAISSE_B, "jdupont", "T-001", &[("C-1", Bouquet::Qf)]),
        convention(CAISSE_A, "T-001", "C-1", &[Bouquet::Qf, Bouquet::Psu]),
        convention(CAISSE_A, "T-002", "C-2", &[Bouquet::Qf]),
        convention(CAISSE_B, "T-001", "C-1", &[Bouquet::Qf]),
        partenaire(CAISSE_A, "T-001", &["07"]),
        partenaire(CAISSE_A, "T-002", &["07", "26"]),
        partenaire(CAISSE_B, "T-001", &["59"]),
        caisse(CAISSE_A, Regime::Msa, &["07", "26"]),
        caisse(CAISSE_B, Regime::Caf, &["59"]),
    ])
}

const WORLD_COUNTS: ImportCounts = ImportCounts {
    caisses: 2,
    partenaires: 3,
    conventions: 3,
    utilisateurs: 3,
    dossiers: 3,
    baremes_psu: 0,
};

/// A caisse and `n` dossiers of two to four people each, every person with a NIR hash: the shape of a
/// caisse's nightly file, for tests that cross statement sizes and for import timings.
pub fn synthetic_caisse(code: &str, n: usize) -> Vec<NumberedRecord> {
    let departements = ["07", "26", "84"];
    let mut records = Vec::with_capacity(n + 1);
    records.push(caisse(code, Regime::Msa, &departements));
    for i in 0..n {
        let people = 2 + i % 3;
        let enfants = (1..people - 1)
            .map(|k| personne("MARTIN", &format!("Enfant{k}"), Sexe::Masculin, "2018-03-01"))
            .collect();
        let mut d = dossier_of(
            &format!("{i:08}"),
            departements[i % 3],
            i % 50 == 0,
            400 + (i % 900) as u32,
        );
        d.allocataires
            .push(personne("MARTIN", "Paul", Sexe::Masculin, "1983-02-02"));
        d.enfants = enfants;
        let nirs: Vec<u64> = (0..people).map(|k| synthetic_nir(i, k)).collect();
        records.push(dossier(code, d, &nirs));
    }
    numbered(records)
}

/// The NIR number of person `k` of synthetic dossier `i`.
pub fn synthetic_nir(i: usize, k: usize) -> u64 {
    1_000_000 + (i as u64) * 8 + k as u64
}

async fn login(store: &dyn Store, caisse: &str, identifiant: &str) -> Option<LoginRecord> {
    store
        .find_login(
            &CaisseCode::parse(caisse).unwrap(),
            &Identifiant::parse(identifiant).unwrap(),
        )
        .await
        .unwrap()
}

async fn user(store: &dyn Store, caisse: &str, identifiant: &str) -> LoginRecord {
    login(store, caisse, identifiant)
        .await
        .unwrap_or_else(|| panic!("{identifiant} de {caisse} devrait exister"))
}

async fn caisse_id(store: &dyn Store, caisse: &str) -> CaisseId {
    user(store, caisse, "jdupont").await.caisse_id
}

async fn import_ok(store: &dyn Store, records: Vec<NumberedRecord>) -> ImportCounts {
    match store.import(records).await {
        Ok(counts) => counts,
        Err(ImportError::Refused(lines)) => panic!("import refusé : {lines:#?}"),
        Err(ImportError::Store(e)) => panic!("import en échec : {e}"),
    }
}

fn at(seconds: i64) -> DateTime<Utc> {
    // Microseconds: the finest instant both stores keep.
    DateTime::<Utc>::from_timestamp(1_800_000_000 + seconds, 123_456_000).unwrap()
}

fn token(name: &str) -> TokenHash {
    TokenHash(format!("{name:0>64}"))
}

async fn open_session(store: &dyn Store, user: UserId, name: &str, created: DateTime<Utc>) -> TokenHash {
    let token_hash = token(name);
    store
        .create_session(&NewSession {
            token_hash: token_hash.clone(),
            user,
            created_at: created,
        })
        .await
        .unwrap();
    token_hash
}

async fn touch(store: &dyn Store, touches: &[(&TokenHash, DateTime<Utc>)]) {
    store
        .journal(&JournalBatch {
            traces: vec![],
            session_touches: touches.iter().map(|(t, at)| ((*t).clone(), *at)).collect(),
        })
        .await
        .unwrap();
}

pub fn trace(n: i64, resultat: Resultat) -> Trace {
    Trace {
        horodatage: at(n),
        caisse: Some(CAISSE_A.into()),
        utilisateur: Some(format!("agent{n}")),
        partenaire: (n % 2 == 0).then(|| "T-001".into()),
        source: "192.0.2.10".into(),
        action: if n == 0 {
            Action::Connexion
        } else {
            Action::Consultation
        },
        bouquet: (n != 0).then_some(Bouquet::Qf),
        rubriques: (n != 0).then(|| "coordonnees_dossier,montant_qf".into()),
        matricule: (n % 3 == 1).then(|| "0001".into()),
        nir_hache: (n % 3 == 2).then(|| nir(n as u64).0),
        resultat,
    }
}

// ---------------------------------------------------------------------------------------------------------
// Import.
// ---------------------------------------------------------------------------------------------------------

pub async fn co_1_import_then_login_perimetre_and_dossier_by_nir(store: &dyn Store) {
    assert_eq!(import_ok(store, world()).await, WORLD_COUNTS);

    let jd = user(store, CAISSE_A, "jdupont").await;
    assert_eq!(jd.identifiant.as_str(), "jdupont");
    assert_eq!(jd.partenaire.as_str(), "T-001");
    assert_eq!(jd.password_hash, TEMPORAIRE);
    assert!(
        jd.must_change_password,
        "AU-2: a new user must change his temporary password"
    );
    assert!(jd.active);
    assert!(login(store, CAISSE_A, "inconnu").await.is_none());
    assert!(login(store, "CAF-00", "jdupont").await.is_none());

    let p = store.perimetre(jd.user).await.unwrap();
    assert_eq!(p.departements, vec![dep("07")]);
    assert_eq!(
        p.habilitations,
        vec![Habilitation {
            bouquet: Bouquet::Qf,
            convention: convention_of("C-1", &[Bouquet::Qf, Bouquet::Psu]),
            circonscriptions: vec![],
            departements_convention: vec![],
        }]
    );
    let pm = user(store, CAISSE_A, "pmartin").await;
    let mut deps = store.perimetre(pm.user).await.unwrap().departements;
    deps.sort();
    assert_eq!(deps, vec![dep("07"), dep("26")]);

    let a = jd.caisse_id;
    let expected = dossier_of("0001", "07", false, 580);
    assert_eq!(
        store.dossier_by_nir(a, &nir(1)).await.unwrap(),
        Some(expected.clone())
    );
    assert_eq!(store.dossier_by_nir(a, &nir(2)).await.unwrap(), Some(expected));
    let opposed = store.dossier_by_nir(a, &nir(3)).await.unwrap().unwrap();
    assert!(opposed.opposition);
    assert_eq!(opposed.matricule.as_str(), "0002");
    assert_eq!(store.dossier_by_nir(a, &nir(99)).await.unwrap(), None);
}

/// The consultation's single read (one round trip on PostgreSQL) must answer exactly what the two reads
/// answer, whoever asks and whatever the NIR: found, under opposition, unknown, another caisse's; a user
/// with one habilitation, one with several départements, one unknown.
pub async fn co_1_session_perimetre_and_dossier_read_together_equal_the_separate_reads(store: &dyn Store) {
    import_ok(store, world()).await;
    let jd = user(store, CAISSE_A, "jdupont").await;
    let pm = user(store, CAISSE_A, "pmartin").await;
    let other = user(store, CAISSE_B, "jdupont").await;
    let unknown = UserId(i64::MAX);
    let mut seen_dossier = false;
    for who in [jd.user, pm.user, other.user, unknown] {
        for caisse in [jd.caisse_id, other.caisse_id] {
            for n in [1, 2, 3, 99] {
                let together = store
                    .perimetre_et_dossier_par_nir(who, caisse, &nir(n))
                    .await
                    .unwrap();
                let apart = (
                    store.perimetre(who).await.unwrap(),
                    store.dossier_by_nir(caisse, &nir(n)).await.unwrap(),
                );
                assert_eq!(together, apart, "user {who:?}, caisse {caisse:?}, NIR n° {n}");
                seen_dossier |= together.1.is_some() && !together.0.habilitations.is_empty();
            }
        }
    }
    assert!(
        seen_dossier,
        "the comparison must cover a found dossier with a perimeter"
    );
    let nobody = store
        .perimetre_et_dossier_par_nir(unknown, jd.caisse_id, &nir(1))
        .await
        .unwrap();
    assert!(nobody.0.departements.is_empty() && nobody.0.habilitations.is_empty());
    assert!(
        nobody.1.is_some(),
        "the dossier is read whoever asks; the caller judges"
    );

    // From the session's token: the session, then the same two reads with its user and caisse.
    for (who, name) in [(jd.user, "jd"), (pm.user, "pm"), (other.user, "other")] {
        let token = open_session(store, who, name, at(0)).await;
        for n in [1, 2, 3, 99] {
            let (session, perimetre, dossier) = store
                .consultation_par_nir(&token, &nir(n))
                .await
                .unwrap()
                .expect("a live session is found by its token");
            assert_eq!(Some(&session), store.session(&token).await.unwrap().as_ref());
            let apart = store
                .perimetre_et_dossier_par_nir(session.user, session.caisse_id, &nir(n))
                .await
                .unwrap();
            assert_eq!((perimetre, dossier), apart, "session {name}, NIR n° {n}");
        }
    }
    assert!(store
        .consultation_par_nir(&token("inconnu"), &nir(1))
        .await
        .unwrap()
        .is_none());
}

pub async fn import_is_idempotent(store: &dyn Store) {
    let first = import_ok(store, world()).await;
    let before = (
        user(store, CAISSE_A, "jdupont").await,
        user(store, CAISSE_B, "jdupont").await,
    );
    let perimetre = store.perimetre(before.0.user).await.unwrap();
    let dossier = store.dossier_by_nir(before.0.caisse_id, &nir(1)).await.unwrap();

    let second = import_ok(store, world()).await;
    assert_eq!(first, second);
    let after = (
        user(store, CAISSE_A, "jdupont").await,
        user(store, CAISSE_B, "jdupont").await,
    );
    assert_eq!(before, after, "same ids, same hashes, same flags");
    assert_eq!(store.perimetre(after.0.user).await.unwrap(), perimetre);
    assert_eq!(
        store.dossier_by_nir(after.0.caisse_id, &nir(1)).await.unwrap(),
        dossier
    );
    assert!(
        store.traces_after(0, 10).await.unwrap().is_empty(),
        "an import leaves no trace rows"
    );
}

pub async fn import_of_nothing_changes_nothing(store: &dyn Store) {
    assert_eq!(import_ok(store, vec![]).await, ImportCounts::default());
    import_ok(store, world()).await;
    assert_eq!(import_ok(store, vec![]).await, ImportCounts::default());
    assert!(login(store, CAISSE_A, "jdupont").await.is_some());
}

pub async fn import_refuses_every_bad_reference_and_changes_nothing(store: &dyn Store) {
    import_ok(store, world()).await;
    let a = caisse_id(store, CAISSE_A).await;
    let before = store.dossier_by_nir(a, &nir(1)).await.unwrap();

    let file = numbered(vec![
        // 1: valid, must not be applied since the file is refused.
        dossier(CAISSE_A, dossier_of("0001", "07", true, 1), &[1, 2]),
        // 2: unknown caisse.
        partenaire("MSA-XXX", "T-009", &["07"]),
        // 3: départements outside the caisse's.
        partenaire(CAISSE_A, "T-003", &["07", "59"]),
        // 4: unknown partner.
        convention(CAISSE_A, "T-404", "C-9", &[Bouquet::Qf]),
        // 5: unknown partner.
        utilisateur(CAISSE_A, "nouveau", "T-404", &[]),
        // 6: unknown convention.
        utilisateur(CAISSE_A, "agent6", "T-001", &[("C-404", Bouquet::Qf)]),
        // 7: convention of another partner.
        utilisateur(CAISSE_A, "agent7", "T-001", &[("C-2", Bouquet::Qf)]),
        // 8: convention that does not open the bouquet.
        utilisateur(CAISSE_A, "agent8", "T-002", &[("C-2", Bouquet::Psu)]),
        // 9: dossier outside the caisse's départements.
        dossier(CAISSE_A, dossier_of("0009", "59", false, 1), &[9]),
        // 10: dossier of an unknown caisse.
        dossier("CAF-00", dossier_of("0010", "07", false, 1), &[10]),
        // 11: valid new user, not applied either.
        utilisateur(CAISSE_A, "agent11", "T-001", &[("C-1", Bouquet::Psu)]),
        // 12: C-2 is a convention of caisse A, unknown to caisse B (TEN-1).
        utilisateur(CAISSE_B, "agent12", "T-001", &[("C-2", Bouquet::Qf)]),
    ]);
    let lines = match store.import(file).await {
        Err(ImportError::Refused(lines)) => lines,
        other => panic!("the file should be refused, got {other:?}"),
    };
    let got: Vec<(usize, &str)> = lines.iter().map(|l| (l.ligne, l.champ.as_str())).collect();
    assert_eq!(
        got,
        vec![
            (2, "caisse"),
            (3, "departements"),
            (4, "partenaire"),
            (5, "partenaire"),
            (6, "habilitations"),
            (7, "habilitations"),
            (8, "habilitations"),
            (9, "departement"),
            (10, "caisse"),
            (12, "habilitations"),
        ],
        "{lines:#?}"
    );
    assert!(lines.iter().all(|l| !l.raison.is_empty()));
    assert!(lines[0].raison.contains("MSA-XXX"), "{}", lines[0].raison);
    assert!(lines[1].raison.contains("59"), "{}", lines[1].raison);
    assert!(lines[7].raison.contains("59"), "{}", lines[7].raison);

    assert_eq!(
        store.dossier_by_nir(a, &nir(1)).await.unwrap(),
        before,
        "line 1 was rolled back"
    );
    for identifiant in ["nouveau", "agent6", "agent7", "agent8", "agent11"] {
        assert!(
            login(store, CAISSE_A, identifiant).await.is_none(),
            "{identifiant}"
        );
    }
    assert_eq!(store.dossier_by_nir(a, &nir(9)).await.unwrap(), None);
}

pub async fn import_keeps_the_last_of_repeated_records(store: &dyn Store) {
    let mut file = world();
    let n = file.len();
    file.extend(
        numbered(vec![
            dossier(CAISSE_A, dossier_of("0001", "26", false, 999), &[1, 5]),
            partenaire(CAISSE_A, "T-001", &["07", "26"]),
        ])
        .into_iter()
        .map(|r| NumberedRecord {
            ligne: r.ligne + n,
            ..r
        }),
    );
    let counts = import_ok(store, file).await;
    assert_eq!(counts.dossiers, 4, "counts are records of the file");
    let jd = user(store, CAISSE_A, "jdupont").await;
    let found = store
        .dossier_by_nir(jd.caisse_id, &nir(1))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found, dossier_of("0001", "26", false, 999));
    assert!(store
        .dossier_by_nir(jd.caisse_id, &nir(2))
        .await
        .unwrap()
        .is_none());
    assert!(store
        .dossier_by_nir(jd.caisse_id, &nir(5))
        .await
        .unwrap()
        .is_some());
    let mut deps = store.perimetre(jd.user).await.unwrap().departements;
    deps.sort();
    assert_eq!(deps, vec![dep("07"), dep("26")]);
}

pub async fn import_of_thousands_of_dossiers_crosses_statement_chunks(store: &dyn Store) {
    import_ok(store, world()).await;
    const N: usize = 7_001;
    // Its caisse record adds département 84 to caisse A's.
    let counts = import_ok(store, synthetic_caisse(CAISSE_A, N)).await;
    assert_eq!(counts.dossiers, N);
    let a = caisse_id(store, CAISSE_A).await;
    for i in [0, 1, 2, 1_999, 2_000, 5_999, 6_000, N - 1] {
        for k in 0..2 + i % 3 {
            let found = store.dossier_by_nir(a, &nir(synthetic_nir(i, k))).await.unwrap();
            assert_eq!(
                found.map(|d| d.matricule.as_str().to_owned()),
                Some(format!("{i:08}")),
                "dossier {i}, person {k}"
            );
        }
    }
    // The world's dossiers, absent from this file, are still there.
    assert!(store.dossier_by_nir(a, &nir(3)).await.unwrap().is_some());
}

pub async fn reimported_dossier_replaces_its_nirs(store: &dyn Store) {
    import_ok(store, world()).await;
    let a = caisse_id(store, CAISSE_A).await;
    import_ok(
        store,
        numbered(vec![dossier(
            CAISSE_A,
            dossier_of("0001", "07", false, 612),
            &[2, 5],
        )]),
    )
    .await;
    assert_eq!(
        store.dossier_by_nir(a, &nir(1)).await.unwrap(),
        None,
        "NIR 1 left the household"
    );
    let updated = dossier_of("0001", "07", false, 612);
    assert_eq!(
        store.dossier_by_nir(a, &nir(2)).await.unwrap(),
        Some(updated.clone())
    );
    assert_eq!(store.dossier_by_nir(a, &nir(5)).await.unwrap(), Some(updated));
    assert!(
        store.dossier_by_nir(a, &nir(3)).await.unwrap().is_some(),
        "other dossiers untouched"
    );
    let b = caisse_id(store, CAISSE_B).await;
    assert!(
        store.dossier_by_nir(b, &nir(1)).await.unwrap().is_some(),
        "caisse B's NIR 1 untouched"
    );
}

pub async fn au_2_reimported_user_keeps_the_password_he_chose(store: &dyn Store) {
    import_ok(store, world()).await;
    let jd = user(store, CAISSE_A, "jdupont").await;
    let session = open_session(store, jd.user, "s1", at(0)).await;
    store
        .change_password(jd.user, "$argon2id$choisi", &session)
        .await
        .unwrap();

    let mut file = world();
    for r in &mut file {
        if let ImportRecord::Utilisateur(u) = &mut r.record {
            u.mot_de_passe_provisoire_hash = "$argon2id$autre-provisoire".into();
            u.email = "nouvelle@example.fr".into();
        }
    }
    import_ok(store, file).await;
    let after = user(store, CAISSE_A, "jdupont").await;
    assert_eq!(after.user, jd.user);
    assert_eq!(after.password_hash, "$argon2id$choisi");
    assert!(!after.must_change_password);
    assert!(
        store.session(&session).await.unwrap().is_some(),
        "an import ends no session"
    );
    // Users who never changed theirs keep the first temporary password too.
    assert_eq!(user(store, CAISSE_A, "pmartin").await.password_hash, TEMPORAIRE);
}

pub async fn hb_5_reimported_user_habilitations_are_the_files(store: &dyn Store) {
    import_ok(store, world()).await;
    let jd = user(store, CAISSE_A, "jdupont").await;
    import_ok(
        store,
        numbered(vec![utilisateur(
            CAISSE_A,
            "jdupont",
            "T-001",
            &[("C-1", Bouquet::Psu)],
        )]),
    )
    .await;
    let p = store.perimetre(jd.user).await.unwrap();
    let granted: Vec<Bouquet> = p.habilitations.iter().map(|h| h.bouquet).collect();
    assert_eq!(granted, vec![Bouquet::Psu]);

    import_ok(
        store,
        numbered(vec![utilisateur(CAISSE_A, "jdupont", "T-001", &[])]),
    )
    .await;
    assert!(store.perimetre(jd.user).await.unwrap().habilitations.is_empty());
    // The other caisse's namesake is not touched.
    let other = user(store, CAISSE_B, "jdupont").await;
    assert_eq!(store.perimetre(other.user).await.unwrap().habilitations.len(), 1);
}

// ---------------------------------------------------------------------------------------------------------
// Sessions.
// ---------------------------------------------------------------------------------------------------------

pub async fn au_4_sessions_are_created_touched_forward_only_and_ended(store: &dyn Store) {
    import_ok(store, world()).await;
    let jd = user(store, CAISSE_A, "jdupont").await;
    let s = open_session(store, jd.user, "s1", at(0)).await;

    let record = store.session(&s).await.unwrap().unwrap();
    assert_eq!(record.user, jd.user);
    assert_eq!(record.caisse_id, jd.caisse_id);
    assert_eq!(record.caisse.as_str(), CAISSE_A);
    assert_eq!(record.regime, Regime::Msa);
    assert_eq!(record.identifiant.as_str(), "jdupont");
    assert_eq!(record.partenaire.as_str(), "T-001");
    assert_eq!(record.created_at, at(0));
    assert_eq!(record.last_seen_at, at(0));
    assert!(record.must_change_password);
    assert!(record.active);

    touch(store, &[(&s, at(300))]).await;
    assert_eq!(store.session(&s).await.unwrap().unwrap().last_seen_at, at(300));
    // A request that started earlier and finishes late must not move activity back in time.
    touch(store, &[(&s, at(60))]).await;
    assert_eq!(store.session(&s).await.unwrap().unwrap().last_seen_at, at(300));
    touch(store, &[(&s, at(420)), (&s, at(360))]).await;
    assert_eq!(store.session(&s).await.unwrap().unwrap().last_seen_at, at(420));
    touch(store, &[(&token("inconnue"), at(500))]).await;
    assert!(store.session(&token("inconnue")).await.unwrap().is_none());

    let b = user(store, CAISSE_B, "jdupont").await;
    let sb = open_session(store, b.user, "sb", at(10)).await;
    assert_eq!(store.session(&sb).await.unwrap().unwrap().regime, Regime::Caf);

    store.end_session(&s).await.unwrap();
    assert!(store.session(&s).await.unwrap().is_none());
    store.end_session(&s).await.unwrap();
    assert!(store.session(&sb).await.unwrap().is_some());
}

pub async fn su_2_end_all_sessions_ends_every_session_of_that_user_only(store: &dyn Store) {
    import_ok(store, world()).await;
    let jd = user(store, CAISSE_A, "jdupont").await;
    let pm = user(store, CAISSE_A, "pmartin").await;
    let first = open_session(store, jd.user, "premiere", at(0)).await;
    let second = open_session(store, jd.user, "seconde", at(1)).await;
    let someone_else = open_session(store, pm.user, "pmartin", at(2)).await;

    assert_eq!(store.end_all_sessions(jd.user).await.unwrap(), 2);

    assert!(store.session(&first).await.unwrap().is_none());
    assert!(store.session(&second).await.unwrap().is_none());
    assert!(store.session(&someone_else).await.unwrap().is_some());
    assert_eq!(store.end_all_sessions(jd.user).await.unwrap(), 0);
}

pub async fn au_2_change_password_ends_the_other_sessions_only(store: &dyn Store) {
    import_ok(store, world()).await;
    let jd = user(store, CAISSE_A, "jdupont").await;
    let pm = user(store, CAISSE_A, "pmartin").await;
    let current = open_session(store, jd.user, "courante", at(0)).await;
    let other = open_session(store, jd.user, "autre", at(1)).await;
    let someone_else = open_session(store, pm.user, "pmartin", at(2)).await;

    store
        .change_password(jd.user, "$argon2id$nouveau", &current)
        .await
        .unwrap();

    let kept = store.session(&current).await.unwrap().unwrap();
    assert!(!kept.must_change_password);
    assert!(store.session(&other).await.unwrap().is_none());
    assert!(store.session(&someone_else).await.unwrap().is_some());
    let after = user(store, CAISSE_A, "jdupont").await;
    assert_eq!(after.password_hash, "$argon2id$nouveau");
    assert!(!after.must_change_password);
}

// ---------------------------------------------------------------------------------------------------------
// Traces.
// ---------------------------------------------------------------------------------------------------------

pub async fn tr_1_journal_appends_every_trace_in_order(store: &dyn Store) {
    let first: Vec<Trace> = (0..3).map(|n| trace(n, Resultat::Succes)).collect();
    let second = vec![
        trace(3, Resultat::NonHabilite),
        trace(4, Resultat::DossierIntrouvable),
    ];
    store
        .journal(&JournalBatch {
            traces: first.clone(),
            session_touches: vec![],
        })
        .await
        .unwrap();
    store
        .journal(&JournalBatch {
            traces: second.clone(),
            session_touches: vec![],
        })
        .await
        .unwrap();
    store.journal(&JournalBatch::default()).await.unwrap();

    let stored = store.traces_after(0, 100).await.unwrap();
    let traces: Vec<Trace> = stored.iter().map(|s| s.trace.clone()).collect();
    assert_eq!(traces, [first, second].concat());
    assert!(
        stored.windows(2).all(|w| w[0].id < w[1].id),
        "ids follow the order of the journal"
    );
}

pub async fn tr_1_traces_after_pages_through_the_journal(store: &dyn Store) {
    let all: Vec<Trace> = (0..7).map(|n| trace(n, Resultat::Succes)).collect();
    store
        .journal(&JournalBatch {
            traces: all.clone(),
            session_touches: vec![],
        })
        .await
        .unwrap();
    let mut read = Vec::new();
    let mut after = 0;
    loop {
        let page = store.traces_after(after, 3).await.unwrap();
        assert!(page.len() <= 3);
        let Some(last) = page.last() else { break };
        after = last.id;
        read.extend(page.into_iter().map(|s| s.trace));
    }
    assert_eq!(read, all);
    assert!(store.traces_after(after, 10).await.unwrap().is_empty());
    assert!(store.traces_after(0, 0).await.unwrap().is_empty());
}

// ---------------------------------------------------------------------------------------------------------
// Keys and tenancy.
// ---------------------------------------------------------------------------------------------------------

pub async fn nir_key_is_stable(store: &dyn Store) {
    let first = store.nir_key().await.unwrap();
    let second = store.nir_key().await.unwrap();
    assert_eq!(first.0, second.0);
    assert_ne!(first.0, [0u8; 32]);
    import_ok(store, world()).await;
    assert_eq!(
        store.nir_key().await.unwrap().0,
        first.0,
        "an import does not touch the key"
    );
}

pub async fn ten_1_dossier_of_another_caisse_is_invisible(store: &dyn Store) {
    import_ok(store, world()).await;
    let a = caisse_id(store, CAISSE_A).await;
    let b = caisse_id(store, CAISSE_B).await;
    assert_ne!(a, b);
    // NIR 2 and 3 are only in caisse A's dossiers.
    assert_eq!(store.dossier_by_nir(b, &nir(2)).await.unwrap(), None);
    assert_eq!(store.dossier_by_nir(b, &nir(3)).await.unwrap(), None);
    assert_eq!(store.dossier_by_nir(a, &nir(4)).await.unwrap(), None);
    // NIR 1 is in a dossier of each: each caisse finds its own.
    assert_eq!(
        store
            .dossier_by_nir(a, &nir(1))
            .await
            .unwrap()
            .map(|d| d.departement),
        Some(dep("07"))
    );
    assert_eq!(
        store
            .dossier_by_nir(b, &nir(1))
            .await
            .unwrap()
            .map(|d| d.departement),
        Some(dep("59"))
    );
}

pub async fn ten_2_same_identifiers_in_two_caisses_are_distinct(store: &dyn Store) {
    import_ok(store, world()).await;
    let a = user(store, CAISSE_A, "jdupont").await;
    let b = user(store, CAISSE_B, "jdupont").await;
    assert_ne!(a.user, b.user);
    assert_ne!(a.caisse_id, b.caisse_id);
    assert_eq!(
        store.perimetre(b.user).await.unwrap().departements,
        vec![dep("59")]
    );
    let pb = store.perimetre(b.user).await.unwrap();
    assert_eq!(
        pb.habilitations[0].convention,
        convention_of("C-1", &[Bouquet::Qf])
    );
}

pub async fn co_4_perimetre_of_an_unknown_user_is_empty(store: &dyn Store) {
    import_ok(store, world()).await;
    let p = store.perimetre(UserId(i64::MAX)).await.unwrap();
    assert!(p.departements.is_empty());
    assert!(p.habilitations.is_empty());
    assert!(store.session(&token("absente")).await.unwrap().is_none());
}
