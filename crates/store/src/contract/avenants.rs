//! The contract of a convention's versions (SPEC CV-7): versions are kept, each recorded once, and the last
//! one's bouquets reach the live convention in the same transaction.

use super::{at, caisse_id, d, dep, import_ok, user, world, CAISSE_A};
use crate::avenants::{AttestationRecord, SousTraitantRecord, VersionRecord, ViolationRecord};
use crate::Store;
use partage_domain::avenants::{Attestation, Contenu, NatureAttestation, SousTraitant};
use partage_domain::{Bouquet, NumeroConvention};

fn version(numero: i64, bouquets: Vec<Bouquet>) -> VersionRecord {
    VersionRecord {
        numero,
        contenu: Contenu {
            bouquets,
            departements: vec!["59".into()],
            plafond_habilitations: Some(12),
            gestion: Some("deleguee".into()),
            annexes: vec!["Annexe 2 – sécurité".into()],
        },
        signe_partenaire_le: d("2026-03-01"),
        signe_caisse_le: d("2026-03-04"),
        effet_le: d("2026-03-04"),
        reference: format!("Avenant n° {}", numero - 1),
        par: "adurand".into(),
        horodatage: at(0),
    }
}

/// The imported convention C-1 of caisse A.
async fn c1(store: &dyn Store) -> crate::cycles::ConventionCycle {
    import_ok(store, world()).await;
    let caisse = caisse_id(store, CAISSE_A).await;
    store
        .convention_cycle(caisse, &NumeroConvention::parse("C-1").unwrap())
        .await
        .unwrap()
        .unwrap()
}

pub async fn cv_7_versions_are_kept_once_and_the_last_bouquets_apply(store: &dyn Store) {
    import_ok(store, world()).await;
    let caisse = caisse_id(store, CAISSE_A).await;
    let numero = NumeroConvention::parse("C-1").unwrap();
    let c = store.convention_cycle(caisse, &numero).await.unwrap().unwrap();
    assert!(store.versions(c.id).await.unwrap().is_empty());

    let v1 = version(1, c.bouquets.clone());
    let v2 = version(2, vec![Bouquet::Qf]);
    assert!(store
        .record_versions(c.id, &[v1.clone(), v2.clone()])
        .await
        .unwrap());
    assert_eq!(store.versions(c.id).await.unwrap(), vec![v1.clone(), v2.clone()]);
    let now = store.convention_cycle(caisse, &numero).await.unwrap().unwrap();
    assert_eq!(now.bouquets, vec![Bouquet::Qf]);
    // The cap and the gestion mode of the last version apply too (HB-7, CV-12).
    let live = store
        .convention_du_partenaire(caisse, &c.partenaire, &numero)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(live.plafond, Some(12));
    assert_eq!(live.gestion.map(|g| g.code()), Some("deleguee"));

    // A second writer of version 2 writes nothing, not even its bouquets.
    let other = version(2, vec![Bouquet::Rsacg]);
    let v3 = version(3, vec![Bouquet::Rsacg]);
    assert!(!store.record_versions(c.id, &[v3.clone(), other]).await.unwrap());
    assert_eq!(store.versions(c.id).await.unwrap(), vec![v1, v2]);
    let still = store.convention_cycle(caisse, &numero).await.unwrap().unwrap();
    assert_eq!(still.bouquets, now.bouquets);
}

/// TEN-3, CV-7: the départements the last version (or the import's convention line) lists reach the
/// perimeter of every agent habilitated through the convention, in the same transaction; a version listing
/// none narrows nothing again.
pub async fn ten_3_the_departements_of_the_last_version_or_the_import_narrow_the_perimeter(
    store: &dyn Store,
) {
    let c = c1(store).await;
    let jd = user(store, CAISSE_A, "jdupont").await;
    let narrowed = |p: partage_domain::perimetre::Perimetre| {
        p.habilitations
            .into_iter()
            .map(|h| h.departements_convention)
            .collect::<Vec<_>>()
    };
    assert_eq!(narrowed(store.perimetre(jd.user).await.unwrap()), vec![vec![]]);

    let mut v1 = version(1, c.bouquets.clone());
    v1.contenu.departements = vec![];
    let mut v2 = version(2, c.bouquets.clone());
    v2.contenu.departements = vec!["07".into(), "26".into()];
    assert!(store.record_versions(c.id, &[v1, v2]).await.unwrap());
    let p = store.perimetre(jd.user).await.unwrap();
    assert_eq!(
        p.departements,
        vec![dep("07")],
        "the partner's competence is unchanged"
    );
    assert_eq!(narrowed(p), vec![vec![dep("07"), dep("26")]]);

    let mut v3 = version(3, c.bouquets.clone());
    v3.contenu.departements = vec![];
    assert!(store.record_versions(c.id, &[v3]).await.unwrap());
    assert_eq!(narrowed(store.perimetre(jd.user).await.unwrap()), vec![vec![]]);

    // The import's convention line: a list sets them (the live convention shows them), none keeps them,
    // an empty one narrows nothing.
    let ligne = |departements: Option<&[&str]>| {
        let mut record = super::convention(CAISSE_A, "T-001", "C-1", &c.bouquets);
        if let crate::ImportRecord::Convention(r) = &mut record {
            r.departements = departements.map(|d| d.iter().map(|d| dep(d)).collect());
        }
        super::numbered(vec![record])
    };
    let live = || async {
        store
            .convention_du_partenaire(c.caisse_id, &c.partenaire, &c.numero)
            .await
            .unwrap()
            .unwrap()
            .departements
    };
    import_ok(store, ligne(Some(&["07"]))).await;
    assert_eq!(
        narrowed(store.perimetre(jd.user).await.unwrap()),
        vec![vec![dep("07")]]
    );
    assert_eq!(live().await, vec![dep("07")]);
    import_ok(store, ligne(None)).await;
    assert_eq!(live().await, vec![dep("07")], "kept");
    import_ok(store, ligne(Some(&[]))).await;
    assert_eq!(narrowed(store.perimetre(jd.user).await.unwrap()), vec![vec![]]);
    assert!(live().await.is_empty());
}

pub async fn cv_11_breach_notifications_are_listed_per_convention(store: &dyn Store) {
    let c = c1(store).await;
    assert!(store.violations(c.id).await.unwrap().is_empty());
    let v = |le: &str, description: &str| ViolationRecord {
        notifiee_le: d(le),
        description: description.into(),
        documents: vec!["Courrier".into(), "Rapport d'incident".into()],
        par: "adurand".into(),
        horodatage: at(0),
    };
    let seconde = v("2026-03-05", "Poste volé");
    let premiere = v("2026-02-01", "Export envoyé au mauvais destinataire");
    store.record_violation(c.id, &seconde).await.unwrap();
    store.record_violation(c.id, &premiere).await.unwrap();
    assert_eq!(store.violations(c.id).await.unwrap(), vec![premiere, seconde]);
}

pub async fn cv_9_declared_sub_contractors_are_listed_per_convention(store: &dyn Store) {
    let c = c1(store).await;
    assert!(store.sous_traitants(c.id).await.unwrap().is_empty());
    let s = |nom: &str, declare_le: &str| SousTraitantRecord {
        declaration: SousTraitant {
            nom: nom.into(),
            localisation_prestataires: "France".into(),
            localisation_bases: "France (Roubaix)".into(),
            regime_juridique: "RGPD art. 28".into(),
            taches: "hébergement des bases".into(),
            declare_le: d(declare_le),
            debut_le: d("2027-01-01"),
        },
        par: "adurand".into(),
        horodatage: at(0),
    };
    let second = s("Infogérance SAS", "2026-03-01");
    let premier = s("Hébergeur SA", "2026-02-01");
    store.record_sous_traitant(c.id, &second).await.unwrap();
    store.record_sous_traitant(c.id, &premier).await.unwrap();
    assert_eq!(store.sous_traitants(c.id).await.unwrap(), vec![premier, second]);
}

pub async fn cv_8_one_attestation_of_return_or_destruction_per_convention(store: &dyn Store) {
    let c = c1(store).await;
    assert_eq!(store.attestation(c.id).await.unwrap(), None);
    let a = |nature, reference: &str| AttestationRecord {
        attestation: Attestation {
            nature,
            attestee_le: d("2026-04-03"),
            reference: reference.into(),
        },
        par: "adurand".into(),
        horodatage: at(0),
    };
    let premiere = a(NatureAttestation::Destruction, "LRAR 1A 0001");
    assert!(store.record_attestation(c.id, &premiere).await.unwrap());
    // A second one writes nothing.
    let seconde = a(NatureAttestation::Restitution, "LRAR 1A 0002");
    assert!(!store.record_attestation(c.id, &seconde).await.unwrap());
    assert_eq!(store.attestation(c.id).await.unwrap(), Some(premiere));
}
