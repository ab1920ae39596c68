//! Contract of the RSACG data (BQ-RSA, CO-3): the partner's circonscriptions, an RSACG habilitation's
//! perimeter and profile, a dossier's RSA data, through the import and back.

use super::{
    caisse, convention, dossier, dossier_of, import_ok, numbered, partenaire, user, CAISSE_A, TEMPORAIRE,
};
use crate::{HabilitationRecord, ImportError, ImportRecord, PartenaireRecord, Store, UtilisateurRecord};
use partage_domain::rsa::{
    AdresseAnterieure, Circonscription, DeclarationTrimestrielle, DonneesRsa, DroitRsa, EtatRsa, Prestation,
};
use partage_domain::{
    Adresse, Bouquet, CaisseCode, CodeCirconscription, Euros, Identifiant, Matricule, NumeroConvention,
    NumeroTiers, Regime,
};

fn circ(c: &str) -> Circonscription {
    Circonscription::parse(c).unwrap()
}

fn conseil_departemental(circonscriptions: &[&str]) -> ImportRecord {
    let ImportRecord::Partenaire(p) = partenaire(CAISSE_A, "CD-07", &["07", "26"]) else {
        unreachable!()
    };
    ImportRecord::Partenaire(PartenaireRecord {
        circonscriptions: circonscriptions.iter().map(|c| circ(c)).collect(),
        coordonnees: None,
        ..p
    })
}

fn travailleur_social(identifiant: &str, circonscriptions: &[&str]) -> ImportRecord {
    ImportRecord::Utilisateur(UtilisateurRecord {
        caisse: CaisseCode::parse(CAISSE_A).unwrap(),
        identifiant: Identifiant::parse(identifiant).unwrap(),
        partenaire: NumeroTiers::parse("CD-07").unwrap(),
        civilite: "Mme".into(),
        nom: "Roux".into(),
        prenom: "Sophie".into(),
        email: format!("{identifiant}@ardeche.example"),
        habilitations: vec![HabilitationRecord {
            convention: NumeroConvention::parse("RSA-1").unwrap(),
            bouquet: Bouquet::Rsacg,
            profil: Some("1".into()),
            circonscriptions: circonscriptions.iter().map(|c| circ(c)).collect(),
        }],
        mot_de_passe_provisoire_hash: TEMPORAIRE.into(),
    })
}

fn base(circonscriptions: &[&str]) -> Vec<ImportRecord> {
    vec![
        caisse(CAISSE_A, Regime::Msa, &["07", "26"]),
        conseil_departemental(circonscriptions),
        convention(CAISSE_A, "CD-07", "RSA-1", &[Bouquet::Rsacg]),
    ]
}

/// CO-3: the partner's circonscriptions and the habilitation's perimeter are kept, and the perimeter comes
/// back with the habilitation; BQ-RSA: a dossier's RSA data comes back as imported.
pub async fn co_3_circonscriptions_of_partners_and_habilitations_reach_the_perimetre(store: &dyn Store) {
    let mut records = base(&["07/PRIVAS", "07/AUBENAS", "26/VALENCE"]);
    records.push(travailleur_social("sroux", &["07/PRIVAS", "26/VALENCE"]));
    let rsa = dossier_of("R-1", "07", false, 0)
        .avec_rsa(DonneesRsa {
            circonscription: Some(CodeCirconscription::parse("PRIVAS").unwrap()),
            droit: Some(DroitRsa {
                etat: EtatRsa::Suspendu,
                ouvert_le: "2024-05-01".parse().unwrap(),
                montant_mensuel: Euros::parse("635.71").unwrap(),
                majoration: true,
                motif_suspension: Some("Défaut de déclaration trimestrielle".into()),
            }),
            prestations: vec![Prestation {
                prestation: "ALF".into(),
                debut: "2025-01-01".parse().unwrap(),
                fin: None,
                montant_mensuel: Euros::parse("212.40").unwrap(),
            }],
            declarations: vec![DeclarationTrimestrielle {
                annee: 2026,
                trimestre: 1,
                montant: Euros::parse("1250").unwrap(),
                declaree_le: Some("2026-04-03".parse().unwrap()),
            }],
            adresses_anterieures: vec![AdresseAnterieure {
                jusqu_au: "2025-12-31".parse().unwrap(),
                adresse: Adresse {
                    code_postal_ville: Some("07200 AUBENAS".into()),
                    ..Adresse::default()
                },
            }],
        })
        .unwrap();
    records.push(dossier(CAISSE_A, rsa.clone(), &[71]));
    import_ok(store, numbered(records)).await;
    let login = user(store, CAISSE_A, "sroux").await;
    let perimetre = store.perimetre(login.user).await.unwrap();
    assert_eq!(perimetre.habilitations.len(), 1);
    assert_eq!(
        perimetre.habilitations[0].circonscriptions,
        vec![circ("07/PRIVAS"), circ("26/VALENCE")]
    );
    let found = store
        .dossier_by_matricule(login.caisse_id, &Matricule::parse("R-1").unwrap())
        .await
        .unwrap();
    assert_eq!(found, Some(rsa));
    // Re-imported without a perimeter change, the file's habilitation replaces the stored one.
    import_ok(
        store,
        numbered(vec![travailleur_social("sroux", &["07/AUBENAS"])]),
    )
    .await;
    let perimetre = store.perimetre(login.user).await.unwrap();
    assert_eq!(
        perimetre.habilitations[0].circonscriptions,
        vec![circ("07/AUBENAS")]
    );
}

/// CO-3: an habilitation reaches only circonscriptions of its own partner, as stored or in the same file;
/// one outside refuses the whole file, named on its line.
pub async fn co_3_an_habilitation_outside_the_partners_circonscriptions_refuses_the_file(store: &dyn Store) {
    import_ok(store, numbered(base(&["07/PRIVAS"]))).await;
    let file = numbered(vec![
        travailleur_social("agent1", &["07/PRIVAS"]),
        travailleur_social("agent2", &["07/PRIVAS", "07/AUBENAS"]),
    ]);
    let lines = match store.import(file).await {
        Err(ImportError::Refused(lines)) => lines,
        other => panic!("the file should be refused, got {other:?}"),
    };
    let got: Vec<(usize, &str)> = lines.iter().map(|l| (l.ligne, l.champ.as_str())).collect();
    assert_eq!(got, vec![(2, "habilitations")]);
    assert!(lines[0].raison.contains("07/AUBENAS"), "{}", lines[0].raison);
    assert!(
        store
            .find_login(
                &CaisseCode::parse(CAISSE_A).unwrap(),
                &Identifiant::parse("agent1").unwrap()
            )
            .await
            .unwrap()
            .is_none(),
        "nothing written"
    );
    // The partner's circonscriptions grow in the same file as the habilitation that needs them.
    let mut records = base(&["07/PRIVAS", "07/AUBENAS"]);
    records.push(travailleur_social("agent2", &["07/PRIVAS", "07/AUBENAS"]));
    import_ok(store, numbered(records)).await;
}
