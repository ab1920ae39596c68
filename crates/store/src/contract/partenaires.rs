//! The contract of the référentiel des tiers (SPEC TEN): the staff's fiche is kept whole, each caisse sees
//! only its own partners, a number is created once, and a re-import leaves the staff's coordonnées alone.

use super::{caisse_id, import_ok, world, CAISSE_A, CAISSE_B};
use crate::Store;
use partage_domain::partenaire::{Contact, Coordonnees, Fiche};
use partage_domain::{CodeDepartement, NumeroTiers, Siret};

fn fiche(tiers: &str, nom: &str) -> Fiche {
    Fiche {
        numero_tiers: NumeroTiers::parse(tiers).unwrap(),
        nom: nom.into(),
        categorie: "gestionnaire".into(),
        siret: Siret::parse("73282932000074").unwrap(),
        departements: vec![CodeDepartement::parse("26").unwrap()],
        circonscriptions: Vec::new(),
        coordonnees: Coordonnees {
            adresse: "2 rue des Écoles, 26000 Valence".into(),
            representant: "M. Roux".into(),
            fonction_representant: "Directeur".into(),
            contacts: vec![Contact {
                nom: "Mme Blanc".into(),
                email: "blanc@exemple.test".into(),
                telephone: "04 75 00 00 00".into(),
            }],
            structures: vec!["Crèche Les Lutins".into(), "Halte-garderie Pom'".into()],
            document_delegation: None,
        },
    }
}

pub async fn ten_1_partner_fiches_are_kept_whole_within_their_caisse(store: &dyn Store) {
    import_ok(store, world()).await;
    let a = caisse_id(store, CAISSE_A).await;
    let b = caisse_id(store, CAISSE_B).await;

    // Imported partners have empty coordonnées.
    let imported = store
        .partenaire(a, &NumeroTiers::parse("T-002").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(imported.coordonnees, Coordonnees::default());
    assert_eq!(imported.departements.len(), 2);

    let nouveau = fiche("G-10", "Association Petite Enfance");
    assert!(store.creer_partenaire(a, &nouveau).await.unwrap());
    assert!(
        !store
            .creer_partenaire(a, &fiche("G-10", "Autre nom"))
            .await
            .unwrap(),
        "created once"
    );
    assert_eq!(
        store.partenaire(a, &nouveau.numero_tiers).await.unwrap(),
        Some(nouveau.clone())
    );
    assert_eq!(
        store.partenaire(b, &nouveau.numero_tiers).await.unwrap(),
        None,
        "TEN-1"
    );

    // Search by name or number, case aside; all of them when empty; the other caisse's are never listed.
    let noms = |l: Vec<Fiche>| {
        l.into_iter()
            .map(|f| f.numero_tiers.to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(noms(store.partenaires(a, "petite").await.unwrap()), ["G-10"]);
    assert_eq!(
        noms(store.partenaires(a, "t-00").await.unwrap()),
        ["T-001", "T-002"]
    );
    assert_eq!(
        noms(store.partenaires(a, "").await.unwrap()),
        ["G-10", "T-001", "T-002"]
    );
    assert_eq!(noms(store.partenaires(b, "").await.unwrap()), ["T-001"]);

    let mut modifiee = nouveau.clone();
    modifiee.nom = "APE Valence".into();
    modifiee.coordonnees.structures.pop();
    assert!(store.modifier_partenaire(a, &modifiee).await.unwrap());
    assert_eq!(
        store.partenaire(a, &nouveau.numero_tiers).await.unwrap(),
        Some(modifiee)
    );
    assert!(
        !store.modifier_partenaire(b, &nouveau).await.unwrap(),
        "nothing to edit in caisse B"
    );
    assert_eq!(store.partenaire(b, &nouveau.numero_tiers).await.unwrap(), None);

    // A re-import of T-001 keeps what the staff wrote beside the imported columns.
    let mut t1 = store
        .partenaire(a, &NumeroTiers::parse("T-001").unwrap())
        .await
        .unwrap()
        .unwrap();
    t1.coordonnees = fiche("T-001", "x").coordonnees;
    assert!(store.modifier_partenaire(a, &t1).await.unwrap());
    import_ok(store, world()).await;
    let relu = store.partenaire(a, &t1.numero_tiers).await.unwrap().unwrap();
    assert_eq!(relu.coordonnees, t1.coordonnees);
}

pub async fn cv_1_the_caisses_conventions_are_listed_with_their_partner(store: &dyn Store) {
    import_ok(store, world()).await;
    let a = caisse_id(store, CAISSE_A).await;
    let listed: Vec<_> = store
        .conventions_de_la_caisse(a)
        .await
        .unwrap()
        .into_iter()
        .map(|c| (c.numero.to_string(), c.partenaire.to_string(), c.bouquets.len()))
        .collect();
    assert_eq!(
        listed,
        [
            ("C-1".into(), "T-001".into(), 2),
            ("C-2".into(), "T-002".into(), 1)
        ]
    );
}
