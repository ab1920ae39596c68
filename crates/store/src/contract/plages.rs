//! CO-7: each caisse keeps its own opening window per bouquet; setting it again replaces it, removing it
//! brings back the default.

use super::{at, caisse_id, import_ok, world, CAISSE_A, CAISSE_B};
use crate::plages::PlageCaisse;
use crate::Store;
use partage_domain::plage::Plage;
use partage_domain::Bouquet;

fn plage(bouquet: Bouquet, texte: &str, par: &str, jour: i64) -> PlageCaisse {
    PlageCaisse {
        bouquet,
        plage: Plage::parse(texte).unwrap(),
        par: par.into(),
        le: at(jour),
    }
}

pub async fn co_7_each_caisse_keeps_its_own_window_per_bouquet(store: &dyn Store) {
    import_ok(store, world()).await;
    let a = caisse_id(store, CAISSE_A).await;
    let b = caisse_id(store, CAISSE_B).await;
    assert!(store.plages_caisse(a).await.unwrap().is_empty());
    assert_eq!(store.plage_caisse(a, Bouquet::Psu).await.unwrap(), None);

    let psu = plage(Bouquet::Psu, "04:30-23:30", "admin-a", 1);
    let qf = plage(Bouquet::Qf, "05:00-23:00", "admin-a", 2);
    store.definir_plage(a, &psu).await.unwrap();
    store.definir_plage(a, &qf).await.unwrap();
    // Listed in the order of the bouquets, QF first.
    assert_eq!(
        store.plages_caisse(a).await.unwrap(),
        vec![qf.clone(), psu.clone()]
    );
    assert_eq!(
        store.plage_caisse(a, Bouquet::Psu).await.unwrap(),
        Some(psu.plage)
    );
    assert_eq!(store.plage_caisse(a, Bouquet::Rsacg).await.unwrap(), None);
    // The other caisse sees none of it.
    assert!(store.plages_caisse(b).await.unwrap().is_empty());
    assert_eq!(store.plage_caisse(b, Bouquet::Psu).await.unwrap(), None);

    // Setting it again replaces it, with its author.
    let psu2 = plage(Bouquet::Psu, "00:00-23:59", "admin-bis", 3);
    store.definir_plage(a, &psu2).await.unwrap();
    assert_eq!(
        store.plages_caisse(a).await.unwrap(),
        vec![qf.clone(), psu2.clone()]
    );

    // Removing it brings the default back; removing it twice says there was nothing left.
    assert!(store.retirer_plage(a, Bouquet::Psu).await.unwrap());
    assert!(!store.retirer_plage(a, Bouquet::Psu).await.unwrap());
    assert_eq!(store.plage_caisse(a, Bouquet::Psu).await.unwrap(), None);
    assert_eq!(store.plages_caisse(a).await.unwrap(), vec![qf]);
}
