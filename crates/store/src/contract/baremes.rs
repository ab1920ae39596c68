//! Contract of the PSU barème (issue #5, the PSU family fee): imported per caisse, read back as imported,
//! replaced whole by a re-import, refused for an unknown caisse with nothing written.

use super::{caisse_id, import_ok, numbered, world, CAISSE_A, CAISSE_B};
use crate::{BaremeRecord, ImportError, ImportRecord, Store};
use partage_domain::bareme::{BaremePsu, TauxEffort};
use partage_domain::{CaisseCode, Euros};

fn bareme(caisse: &str, debut: &str, fin: Option<&str>, plancher: &str) -> ImportRecord {
    let taux = |l: &[&str]| l.iter().map(|t| TauxEffort::parse(t).unwrap()).collect();
    ImportRecord::BaremePsu(BaremeRecord {
        caisse: CaisseCode::parse(caisse).unwrap(),
        bareme: BaremePsu::new(
            debut.parse().unwrap(),
            fin.map(|f| f.parse().unwrap()),
            Euros::parse(plancher).unwrap(),
            Euros::parse("7000.00").unwrap(),
            taux(&["0.0619", "0.0516", "0.0413"]),
            taux(&["0.0516", "0.0413"]),
        )
        .unwrap(),
    })
}

fn of(record: &ImportRecord) -> BaremePsu {
    match record {
        ImportRecord::BaremePsu(b) => b.bareme.clone(),
        _ => unreachable!(),
    }
}

pub async fn bq_psu_fee_bareme_is_kept_per_caisse_and_replaced_by_a_reimport(store: &dyn Store) {
    import_ok(store, world()).await;
    let (a, b) = (caisse_id(store, CAISSE_A).await, caisse_id(store, CAISSE_B).await);
    assert!(store.baremes_psu(a).await.unwrap().is_empty());

    let y2026 = bareme(CAISSE_A, "2026-01-01", None, "810.00");
    let y2025 = bareme(CAISSE_A, "2025-01-01", Some("2025-12-31"), "801.00");
    let counts = import_ok(store, numbered(vec![y2026.clone(), y2025.clone()])).await;
    assert_eq!(counts.baremes_psu, 2);
    // Sorted by start date, exactly as imported; the other caisse has none.
    assert_eq!(store.baremes_psu(a).await.unwrap(), vec![of(&y2025), of(&y2026)]);
    assert!(store.baremes_psu(b).await.unwrap().is_empty());

    // A re-import of the caisse's barème replaces all its periods.
    let seul = bareme(CAISSE_A, "2024-01-01", None, "790.00");
    import_ok(store, numbered(vec![seul.clone()])).await;
    assert_eq!(store.baremes_psu(a).await.unwrap(), vec![of(&seul)]);
    // A file without barème lines keeps it.
    import_ok(store, world()).await;
    assert_eq!(store.baremes_psu(a).await.unwrap(), vec![of(&seul)]);

    // A barème of an unknown caisse refuses the file and writes nothing, the other line's neither.
    let refused = store
        .import(numbered(vec![
            bareme(CAISSE_A, "2030-01-01", None, "900.00"),
            bareme("CAF-00", "2030-01-01", None, "900.00"),
        ]))
        .await;
    match refused {
        Err(ImportError::Refused(lines)) => assert_eq!(lines[0].ligne, 2),
        other => panic!("refus attendu : {other:?}"),
    }
    assert_eq!(store.baremes_psu(a).await.unwrap(), vec![of(&seul)]);
}

pub async fn bq_psu_fee_a_period_added_in_the_back_office_replaces_only_what_was_read(store: &dyn Store) {
    import_ok(store, world()).await;
    let (a, b) = (caisse_id(store, CAISSE_A).await, caisse_id(store, CAISSE_B).await);
    let y2025 = of(&bareme(CAISSE_A, "2025-01-01", Some("2025-12-31"), "801.00"));
    let y2026 = of(&bareme(CAISSE_A, "2026-01-01", None, "810.00"));

    // A caisse without a barème: the first period.
    assert!(store
        .remplacer_baremes_psu(a, &[], std::slice::from_ref(&y2025))
        .await
        .unwrap());
    assert_eq!(store.baremes_psu(a).await.unwrap(), vec![y2025.clone()]);
    // Against a stale read, nothing is written.
    assert!(!store
        .remplacer_baremes_psu(a, &[], std::slice::from_ref(&y2026))
        .await
        .unwrap());
    assert_eq!(store.baremes_psu(a).await.unwrap(), vec![y2025.clone()]);
    // Against what is stored, the new list replaces it.
    let deux = vec![y2025.clone(), y2026.clone()];
    assert!(store.remplacer_baremes_psu(a, &[y2025], &deux).await.unwrap());
    assert_eq!(store.baremes_psu(a).await.unwrap(), deux);
    assert!(store.baremes_psu(b).await.unwrap().is_empty());
}
