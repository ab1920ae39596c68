//! Contract of [`DossierLookup`](crate::dossiers::DossierLookup) and of the PSU data a dossier carries.

use super::{caisse_id, d, dossier, dossier_of, import_ok, numbered, world, CAISSE_A, CAISSE_B};
use crate::Store;
use partage_domain::famille::{Famille, PeriodeRessources, Situation};
use partage_domain::{Euros, Matricule};

/// 001:4-3: the matricule search block finds the caisse's own dossier, never another caisse's with the same
/// matricule (TEN-1); and the PSU rubriques' data comes back as imported.
pub async fn bq_psu_dossier_by_matricule_with_its_family_and_resources(store: &dyn Store) {
    import_ok(store, world()).await;
    let psu = dossier_of("0003", "07", false, 610)
        .avec_psu(
            Famille {
                situation: Some(Situation::Pacse),
                enfants_a_charge: Some(2),
                enfants_aeeh: vec![0],
            },
            vec![PeriodeRessources {
                debut: d("2026-01-01"),
                fin: d("2026-12-31"),
                annee_reference: 2024,
                montant_annuel: Euros::parse("32500.10").unwrap(),
            }],
        )
        .unwrap();
    import_ok(store, numbered(vec![dossier(CAISSE_A, psu.clone(), &[7])])).await;
    let a = caisse_id(store, CAISSE_A).await;
    let b = caisse_id(store, CAISSE_B).await;
    let m = |s: &str| Matricule::parse(s).unwrap();
    assert_eq!(
        store.dossier_by_matricule(a, &m("0003")).await.unwrap(),
        Some(psu)
    );
    assert_eq!(store.dossier_by_matricule(b, &m("0003")).await.unwrap(), None);
    let own = store.dossier_by_matricule(b, &m("0001")).await.unwrap();
    assert_eq!(own.map(|d| d.departement.to_string()), Some("59".to_owned()));
    assert_eq!(store.dossier_by_matricule(a, &m("9999")).await.unwrap(), None);
}
