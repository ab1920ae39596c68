//! The contract of habilitation requests and grants (SPEC HB-1 to HB-7, HB-10).

use super::{at, caisse_id, import_ok, open_session, user, world, CAISSE_A, CAISSE_B, TEMPORAIRE};
use crate::habilitations::{
    Accord, AccordRefuse, CibleInconnue, ConventionDuPartenaire, DemandeId, Designation, Effet,
    FiltreDemandes, NouvelleDemande,
};
use crate::{CaisseId, Store};
use chrono::NaiveDate;
use partage_domain::demande::{Acteur, AgentDemande, Demande, EtatDemande, NatureDemande, Signature};
use partage_domain::habilitation::{Administrateur, Gestion};
use partage_domain::{Bouquet, Identifiant, NumeroConvention, NumeroTiers};

fn agent(prenom: &str, nom: &str) -> AgentDemande {
    AgentDemande {
        civilite: Some("Mme".into()),
        nom: nom.into(),
        prenom: prenom.into(),
        service: Some("Action sociale".into()),
        adresse_service: None,
        fonction: Some("Assistante sociale".into()),
        profil: None,
        email: "agent@ccas.example.fr".into(),
        circonscriptions: Vec::new(),
    }
}

/// A request signed and submitted by partner `tiers`.
fn soumise(nature: NatureDemande, agent: AgentDemande, tiers: &str) -> Demande {
    let partenaire = Acteur::Partenaire(tiers.into());
    let mut d = Demande::brouillon(nature, agent, partenaire.clone(), at(0)).unwrap();
    d.soumettre(
        Signature {
            signataire: "Jean Maire".into(),
            fonction: "Président du CCAS".into(),
            le: NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(),
        },
        partenaire,
        at(1),
    )
    .unwrap();
    d
}

fn faite(mut d: Demande) -> Demande {
    let caisse = Acteur::Caisse("hab".into());
    d.accorder(caisse.clone(), at(2)).unwrap();
    d.marquer_faite(caisse, at(2)).unwrap();
    d
}

fn nouvelle(caisse: CaisseId, tiers: &str, numero: &str, bouquet: Bouquet, d: Demande) -> NouvelleDemande {
    NouvelleDemande {
        caisse,
        partenaire: NumeroTiers::parse(tiers).unwrap(),
        convention: NumeroConvention::parse(numero).unwrap(),
        bouquet,
        utilisateur: None,
        saisie_par: "hab".into(),
        demande: d,
    }
}

async fn creer(store: &dyn Store, n: &NouvelleDemande) -> DemandeId {
    store.create_demande(n).await.unwrap().unwrap()
}

fn acces(prenom: &str, nom: &str) -> Effet {
    Effet::Acces {
        agent: agent(prenom, nom),
        profil: None,
        mot_de_passe_provisoire_hash: TEMPORAIRE.into(),
    }
}

/// Creates and grants an access request on `numero`; the store's answer.
async fn accorder_acces(
    store: &dyn Store,
    caisse: CaisseId,
    tiers: &str,
    numero: &str,
    nom: &str,
) -> Result<Accord, AccordRefuse> {
    let d = soumise(NatureDemande::Acces, agent("Jeanne", nom), tiers);
    let id = creer(store, &nouvelle(caisse, tiers, numero, Bouquet::Qf, d.clone())).await;
    store
        .accorder_demande(caisse, id, 2, &faite(d), &acces("Jeanne", nom))
        .await
        .unwrap()
}

pub async fn hb_1_requests_keep_their_history_and_move_by_revision(store: &dyn Store) {
    import_ok(store, world()).await;
    let a = caisse_id(store, CAISSE_A).await;
    let b = caisse_id(store, CAISSE_B).await;
    let d = soumise(NatureDemande::Acces, agent("Claire", "Martin"), "T-001");
    let n = nouvelle(a, "T-001", "C-1", Bouquet::Qf, d.clone());
    // Unknown partner; a convention of another partner is not this partner's.
    assert_eq!(
        store
            .create_demande(&NouvelleDemande {
                partenaire: NumeroTiers::parse("T-999").unwrap(),
                ..n.clone()
            })
            .await
            .unwrap(),
        Err(CibleInconnue::Partenaire)
    );
    assert_eq!(
        store
            .create_demande(&NouvelleDemande {
                convention: NumeroConvention::parse("C-2").unwrap(),
                ..n.clone()
            })
            .await
            .unwrap(),
        Err(CibleInconnue::Convention)
    );
    let id = creer(store, &n).await;
    let lue = store.demande(a, id).await.unwrap().unwrap();
    assert_eq!(lue.demande, d);
    assert_eq!(lue.revision, 2);
    assert_eq!(
        (lue.partenaire.as_str(), lue.convention.as_str()),
        ("T-001", "C-1")
    );
    assert_eq!((lue.bouquet, lue.saisie_par.as_str()), (Bouquet::Qf, "hab"));
    assert_eq!(lue.utilisateur, None);
    // TEN-1: another caisse does not see it.
    assert!(store.demande(b, id).await.unwrap().is_none());
    assert!(store
        .demandes(b, &FiltreDemandes::default())
        .await
        .unwrap()
        .is_empty());

    let mut refusee = d.clone();
    refusee
        .refuser("Signature illisible", Acteur::Caisse("hab".into()), at(3))
        .unwrap();
    assert!(
        !store.record_demande(a, id, 1, &refusee).await.unwrap(),
        "stale revision"
    );
    assert!(
        !store.record_demande(b, id, 2, &refusee).await.unwrap(),
        "other caisse"
    );
    assert_eq!(store.demande(a, id).await.unwrap().unwrap().demande, d);
    assert!(store.record_demande(a, id, 2, &refusee).await.unwrap());
    let lue = store.demande(a, id).await.unwrap().unwrap();
    assert_eq!(lue.demande.etat(), EtatDemande::Refusee);
    assert_eq!(
        lue.demande.historique()[2].motif.as_deref(),
        Some("Signature illisible")
    );
    assert_eq!(lue.revision, 3);

    let autre = creer(
        store,
        &nouvelle(
            a,
            "T-002",
            "C-2",
            Bouquet::Qf,
            soumise(NatureDemande::Acces, agent("Paul", "Roux"), "T-002"),
        ),
    )
    .await;
    let toutes = store.demandes(a, &FiltreDemandes::default()).await.unwrap();
    assert_eq!(
        toutes.iter().map(|d| d.id).collect::<Vec<_>>(),
        [autre, id],
        "newest first"
    );
    let refusees = store
        .demandes(
            a,
            &FiltreDemandes {
                etat: Some(EtatDemande::Refusee),
                partenaire: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(refusees.iter().map(|d| d.id).collect::<Vec<_>>(), [id]);
    let de_t2 = store
        .demandes(
            a,
            &FiltreDemandes {
                etat: None,
                partenaire: Some(NumeroTiers::parse("T-002").unwrap()),
            },
        )
        .await
        .unwrap();
    assert_eq!(de_t2.iter().map(|d| d.id).collect::<Vec<_>>(), [autre]);
}

pub async fn hb_3_a_grant_creates_the_user_with_a_unique_identifier_once(store: &dyn Store) {
    import_ok(store, world()).await;
    let a = caisse_id(store, CAISSE_A).await;
    let d = soumise(NatureDemande::Acces, agent("Jeanne", "Dupont"), "T-001");
    let id = creer(store, &nouvelle(a, "T-001", "C-1", Bouquet::Psu, d.clone())).await;
    let effet = Effet::Acces {
        agent: agent("Jeanne", "Dupont"),
        profil: None,
        mot_de_passe_provisoire_hash: "$argon2id$nouvel-agent".into(),
    };
    // A stale revision writes nothing.
    assert_eq!(
        store
            .accorder_demande(a, id, 1, &faite(d.clone()), &effet)
            .await
            .unwrap(),
        Err(AccordRefuse::Concurrence)
    );
    assert!(super::login(store, CAISSE_A, "jdupont2").await.is_none());
    // `jdupont` is taken in this caisse (TEN-2: not because of the other caisse's).
    let accord = store
        .accorder_demande(a, id, 2, &faite(d.clone()), &effet)
        .await
        .unwrap();
    assert_eq!(accord, Ok(Accord::Cree(Identifiant::parse("jdupont2").unwrap())));
    let login = user(store, CAISSE_A, "jdupont2").await;
    assert!(login.must_change_password && login.active);
    assert_eq!(login.password_hash, "$argon2id$nouvel-agent");
    assert_eq!(login.partenaire.as_str(), "T-001");
    let perimetre = store.perimetre(login.user).await.unwrap();
    assert_eq!(perimetre.habilitations.len(), 1);
    assert_eq!(perimetre.habilitations[0].bouquet, Bouquet::Psu);
    let lue = store.demande(a, id).await.unwrap().unwrap();
    assert!(lue.demande.faite());
    assert_eq!(lue.revision, 4);
    assert_eq!(
        lue.utilisateur.as_ref().map(Identifiant::as_str),
        Some("jdupont2")
    );
    // Granted twice: the second finds the request moved.
    assert_eq!(
        store.accorder_demande(a, id, 2, &faite(d), &effet).await.unwrap(),
        Err(AccordRefuse::Concurrence)
    );
    let again = accorder_acces(store, a, "T-001", "C-1", "Dupont").await;
    assert_eq!(again, Ok(Accord::Cree(Identifiant::parse("jdupont3").unwrap())));
}

pub async fn hb_7_the_cap_is_counted_inside_the_grant(store: &dyn Store) {
    import_ok(store, world()).await;
    let a = caisse_id(store, CAISSE_A).await;
    let t1 = NumeroTiers::parse("T-001").unwrap();
    let c1 = NumeroConvention::parse("C-1").unwrap();
    let c = store
        .convention_du_partenaire(a, &t1, &c1)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((c.plafond, c.habilitations), (None, 1));
    assert_eq!(c.convention.numero, c1);
    assert_eq!(
        store
            .convention_du_partenaire(a, &t1, &NumeroConvention::parse("C-2").unwrap())
            .await
            .unwrap(),
        Err(CibleInconnue::Convention)
    );
    assert!(!store
        .set_plafond(a, &NumeroConvention::parse("C-404").unwrap(), Some(1))
        .await
        .unwrap());
    assert!(store.set_plafond(a, &c1, Some(2)).await.unwrap());
    // One slot left: the grant that takes it passes, the next is refused and writes nothing.
    assert!(accorder_acces(store, a, "T-001", "C-1", "Un").await.is_ok());
    let avant = store.demandes(a, &FiltreDemandes::default()).await.unwrap();
    assert_eq!(
        accorder_acces(store, a, "T-001", "C-1", "Deux").await,
        Err(AccordRefuse::PlafondAtteint(2))
    );
    assert!(super::login(store, CAISSE_A, "jdeux").await.is_none());
    let c = store
        .convention_du_partenaire(a, &t1, &c1)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((c.plafond, c.habilitations), (Some(2), 2));
    let apres = store.demandes(a, &FiltreDemandes::default()).await.unwrap();
    assert_eq!(apres.len(), avant.len() + 1);
    assert_eq!(
        apres[0].demande.etat(),
        EtatDemande::Soumise,
        "the refused grant wrote nothing"
    );

    // Two grants racing for the last slot: one passes.
    assert!(store.set_plafond(a, &c1, Some(3)).await.unwrap());
    let d1 = soumise(NatureDemande::Acces, agent("Jeanne", "Trois"), "T-001");
    let d2 = soumise(NatureDemande::Acces, agent("Jeanne", "Quatre"), "T-001");
    let i1 = creer(store, &nouvelle(a, "T-001", "C-1", Bouquet::Qf, d1.clone())).await;
    let i2 = creer(store, &nouvelle(a, "T-001", "C-1", Bouquet::Qf, d2.clone())).await;
    let (f1, f2) = (faite(d1), faite(d2));
    let (e1, e2) = (acces("Jeanne", "Trois"), acces("Jeanne", "Quatre"));
    let (r1, r2) = tokio::join!(
        store.accorder_demande(a, i1, 2, &f1, &e1),
        store.accorder_demande(a, i2, 2, &f2, &e2)
    );
    let mut resultats = [r1.unwrap().is_ok(), r2.unwrap().is_ok()];
    resultats.sort();
    assert_eq!(resultats, [false, true]);
    let c = store
        .convention_du_partenaire(a, &t1, &c1)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(c.habilitations, 3);
    // No cap any more.
    assert!(store.set_plafond(a, &c1, None).await.unwrap());
    assert!(accorder_acces(store, a, "T-001", "C-1", "Cinq").await.is_ok());
}

pub async fn hb_5_modification_and_suppression_change_the_user_and_end_his_sessions(store: &dyn Store) {
    import_ok(store, world()).await;
    let a = caisse_id(store, CAISSE_A).await;
    let demande = |nature, tiers: &str, numero: &str, bouquet, qui: Option<&str>| {
        let d = soumise(nature, agent("Jeanne", "Durand-Dupont"), tiers);
        (
            NouvelleDemande {
                utilisateur: qui.map(|q| Identifiant::parse(q).unwrap()),
                ..nouvelle(a, tiers, numero, bouquet, d.clone())
            },
            faite(d),
        )
    };
    let modification = Effet::Modification {
        agent: agent("Jeanne", "Durand-Dupont"),
        profil: None,
    };
    // A user of another partner, an unknown one, a habilitation he does not hold: nothing written.
    for (qui, tiers, numero, bouquet, effet, refus) in [
        (
            "pmartin",
            "T-001",
            "C-1",
            Bouquet::Qf,
            &modification,
            AccordRefuse::UtilisateurInconnu,
        ),
        (
            "inconnu",
            "T-001",
            "C-1",
            Bouquet::Qf,
            &Effet::Suppression,
            AccordRefuse::UtilisateurInconnu,
        ),
        (
            "jdupont",
            "T-001",
            "C-1",
            Bouquet::Psu,
            &Effet::Suppression,
            AccordRefuse::HabilitationAbsente,
        ),
    ] {
        let (n, f) = demande(NatureDemande::Suppression, tiers, numero, bouquet, Some(qui));
        let id = creer(store, &n).await;
        assert_eq!(
            store.accorder_demande(a, id, 2, &f, effet).await.unwrap(),
            Err(refus)
        );
        assert_eq!(store.demande(a, id).await.unwrap().unwrap().revision, 2);
    }

    let (n, f) = demande(
        NatureDemande::Modification,
        "T-001",
        "C-1",
        Bouquet::Qf,
        Some("jdupont"),
    );
    let id = creer(store, &n).await;
    assert_eq!(
        store.accorder_demande(a, id, 2, &f, &modification).await.unwrap(),
        Ok(Accord::Modifie(Identifiant::parse("jdupont").unwrap()))
    );
    let dir = store.extranautes(a, Bouquet::Qf).await.unwrap();
    let jdupont = dir.iter().find(|e| e.identifiant.as_str() == "jdupont").unwrap();
    assert_eq!(jdupont.nom, "Durand-Dupont");
    assert_eq!(jdupont.service.as_deref(), Some("Action sociale"));

    let pmartin = user(store, CAISSE_A, "pmartin").await;
    let s1 = open_session(store, pmartin.user, "pm1", at(0)).await;
    let s2 = open_session(store, pmartin.user, "pm2", at(0)).await;
    let (n, f) = demande(
        NatureDemande::Suppression,
        "T-002",
        "C-2",
        Bouquet::Qf,
        Some("pmartin"),
    );
    let id = creer(store, &n).await;
    assert_eq!(
        store
            .accorder_demande(a, id, 2, &f, &Effet::Suppression)
            .await
            .unwrap(),
        Ok(Accord::Supprime {
            identifiant: Identifiant::parse("pmartin").unwrap(),
            desactive: true,
            sessions_fermees: 2,
        })
    );
    assert!(store.session(&s1).await.unwrap().is_none());
    assert!(store.session(&s2).await.unwrap().is_none());
    assert!(!user(store, CAISSE_A, "pmartin").await.active);
    assert!(store
        .perimetre(pmartin.user)
        .await
        .unwrap()
        .habilitations
        .is_empty());
    assert!(store.demande(a, id).await.unwrap().unwrap().demande.faite());
}

pub async fn hb_6_reset_replaces_the_password_and_ends_every_session(store: &dyn Store) {
    import_ok(store, world()).await;
    let a = caisse_id(store, CAISSE_A).await;
    let jdupont = user(store, CAISSE_A, "jdupont").await;
    let autre = user(store, CAISSE_B, "jdupont").await;
    store
        .change_password(jdupont.user, "$argon2id$choisi", &super::token("aucune"))
        .await
        .unwrap();
    let s1 = open_session(store, jdupont.user, "j1", at(0)).await;
    let s2 = open_session(store, jdupont.user, "j2", at(0)).await;
    let s3 = open_session(store, autre.user, "b1", at(0)).await;
    let id = Identifiant::parse("jdupont").unwrap();
    assert_eq!(
        store
            .reinitialiser_mot_de_passe(a, &id, "$argon2id$reinit")
            .await
            .unwrap(),
        Some((2, NumeroTiers::parse("T-001").unwrap()))
    );
    let login = user(store, CAISSE_A, "jdupont").await;
    assert_eq!(login.password_hash, "$argon2id$reinit");
    assert!(login.must_change_password);
    assert!(store.session(&s1).await.unwrap().is_none());
    assert!(store.session(&s2).await.unwrap().is_none());
    assert!(
        store.session(&s3).await.unwrap().is_some(),
        "the other caisse's jdupont is another person"
    );
    assert_eq!(user(store, CAISSE_B, "jdupont").await.password_hash, TEMPORAIRE);
    assert_eq!(
        store
            .reinitialiser_mot_de_passe(a, &Identifiant::parse("inconnu").unwrap(), "$x")
            .await
            .unwrap(),
        None
    );
}

pub async fn hb_2_the_directory_lists_the_caisses_agents_by_bouquet(store: &dyn Store) {
    import_ok(store, world()).await;
    let a = caisse_id(store, CAISSE_A).await;
    let qf = store.extranautes(a, Bouquet::Qf).await.unwrap();
    let vus: Vec<_> = qf
        .iter()
        .map(|e| {
            (
                e.partenaire.as_str(),
                e.identifiant.as_str(),
                e.convention.as_str(),
            )
        })
        .collect();
    assert_eq!(vus, [("T-001", "jdupont", "C-1"), ("T-002", "pmartin", "C-2")]);
    assert_eq!(qf[1].departements.len(), 2);
    assert_eq!(qf[0].nom_partenaire, "CCAS T-001");
    assert!(qf[0].actif);
    assert!(store.extranautes(a, Bouquet::Psu).await.unwrap().is_empty());
    let b = caisse_id(store, CAISSE_B).await;
    assert_eq!(store.extranautes(b, Bouquet::Qf).await.unwrap().len(), 1);
}

pub async fn hb_7_the_cap_comes_with_the_import_and_a_file_without_it_keeps_it(store: &dyn Store) {
    import_ok(store, world()).await;
    let a = caisse_id(store, CAISSE_A).await;
    let t1 = NumeroTiers::parse("T-001").unwrap();
    let c1 = NumeroConvention::parse("C-1").unwrap();
    let avec_plafond = |plafond| {
        let mut records = world();
        for r in &mut records {
            if let crate::ImportRecord::Convention(c) = &mut r.record {
                c.plafond_habilitations = plafond;
            }
        }
        records
    };
    import_ok(store, avec_plafond(Some(5))).await;
    let c = store
        .convention_du_partenaire(a, &t1, &c1)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(c.plafond, Some(5));
    store.set_plafond(a, &c1, Some(7)).await.unwrap();
    import_ok(store, avec_plafond(None)).await;
    let c = store
        .convention_du_partenaire(a, &t1, &c1)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(c.plafond, Some(7), "a file without the cap keeps the caisse's");
}

pub async fn cv_12_the_caisse_sets_the_mode_and_the_administrators(store: &dyn Store) {
    import_ok(store, world()).await;
    let a = caisse_id(store, CAISSE_A).await;
    let t1 = NumeroTiers::parse("T-001").unwrap();
    let c1 = NumeroConvention::parse("C-1").unwrap();
    let gestion = |c: ConventionDuPartenaire| c.gestion;
    let lire = || async {
        store
            .convention_du_partenaire(a, &t1, &c1)
            .await
            .unwrap()
            .unwrap()
    };
    assert_eq!(gestion(lire().await), None);
    assert!(store.set_gestion(a, &c1, Some(Gestion::Deleguee)).await.unwrap());
    assert_eq!(gestion(lire().await), Some(Gestion::Deleguee));
    assert!(store.set_gestion(a, &c1, None).await.unwrap());
    assert_eq!(gestion(lire().await), None);
    assert!(!store
        .set_gestion(
            a,
            &NumeroConvention::parse("C-404").unwrap(),
            Some(Gestion::Deleguee)
        )
        .await
        .unwrap());

    let jdupont = user(store, CAISSE_A, "jdupont").await;
    assert_eq!(store.administrateur(jdupont.user).await.unwrap(), None);
    let id = Identifiant::parse("jdupont").unwrap();
    assert_eq!(
        store
            .set_administrateur(a, &id, Some(Administrateur::Principal))
            .await
            .unwrap(),
        Designation::Faite
    );
    assert_eq!(
        store.administrateur(jdupont.user).await.unwrap(),
        Some(Administrateur::Principal)
    );
    // TEN-1: the other caisse's jdupont is another person.
    let autre = user(store, CAISSE_B, "jdupont").await;
    assert_eq!(store.administrateur(autre.user).await.unwrap(), None);
    assert_eq!(
        store
            .set_administrateur(a, &Identifiant::parse("inconnu").unwrap(), None)
            .await
            .unwrap(),
        Designation::UtilisateurInconnu
    );
}

pub async fn hb_9_delegated_acts_stay_within_the_partner_and_spare_administrators(store: &dyn Store) {
    import_ok(store, world()).await;
    let a = caisse_id(store, CAISSE_A).await;
    let t1 = NumeroTiers::parse("T-001").unwrap();
    let c1 = NumeroConvention::parse("C-1").unwrap();
    let c2 = NumeroConvention::parse("C-2").unwrap();
    // Another partner's convention is not found for this one.
    assert_eq!(
        store
            .appliquer_habilitation(a, &t1, &c2, Bouquet::Qf, None, &acces("Léa", "Roux"))
            .await
            .unwrap(),
        Err(AccordRefuse::Cible(CibleInconnue::Convention))
    );
    let cree = store
        .appliquer_habilitation(a, &t1, &c1, Bouquet::Psu, None, &acces("Léa", "Roux"))
        .await
        .unwrap();
    assert_eq!(cree, Ok(Accord::Cree(Identifiant::parse("lroux").unwrap())));
    assert!(user(store, CAISSE_A, "lroux").await.must_change_password);
    // Another partner's agent is unknown to this partner.
    let pmartin = Identifiant::parse("pmartin").unwrap();
    assert_eq!(
        store
            .appliquer_habilitation(a, &t1, &c1, Bouquet::Qf, Some(&pmartin), &Effet::Suppression)
            .await
            .unwrap(),
        Err(AccordRefuse::UtilisateurInconnu)
    );
    // An administrator's habilitations are the caisse's to change.
    let jdupont = Identifiant::parse("jdupont").unwrap();
    assert_eq!(
        store
            .set_administrateur(a, &jdupont, Some(Administrateur::Suppleant))
            .await
            .unwrap(),
        Designation::Faite
    );
    assert_eq!(
        store
            .appliquer_habilitation(a, &t1, &c1, Bouquet::Qf, Some(&jdupont), &Effet::Suppression)
            .await
            .unwrap(),
        Err(AccordRefuse::Administrateur)
    );
    assert_eq!(
        store
            .perimetre(user(store, CAISSE_A, "jdupont").await.user)
            .await
            .unwrap()
            .habilitations
            .len(),
        1
    );
    let lroux = Identifiant::parse("lroux").unwrap();
    assert_eq!(
        store
            .appliquer_habilitation(a, &t1, &c1, Bouquet::Psu, Some(&lroux), &Effet::Suppression)
            .await
            .unwrap(),
        Ok(Accord::Supprime {
            identifiant: lroux,
            desactive: true,
            sessions_fermees: 0,
        })
    );
}

pub async fn hb_9_a_partner_has_one_gestionnaire_principal_and_one_suppleant(store: &dyn Store) {
    import_ok(store, world()).await;
    let a = caisse_id(store, CAISSE_A).await;
    let t1 = NumeroTiers::parse("T-001").unwrap();
    let c1 = NumeroConvention::parse("C-1").unwrap();
    store
        .appliquer_habilitation(a, &t1, &c1, Bouquet::Psu, None, &acces("Léa", "Roux"))
        .await
        .unwrap()
        .unwrap();
    let (jdupont, lroux) = (
        Identifiant::parse("jdupont").unwrap(),
        Identifiant::parse("lroux").unwrap(),
    );
    let designer = |who: &Identifiant, role| {
        let who = who.clone();
        async move { store.set_administrateur(a, &who, role).await.unwrap() }
    };
    assert_eq!(
        designer(&jdupont, Some(Administrateur::Principal)).await,
        Designation::Faite
    );
    // The same role for another user of the partner is refused, naming who holds it; nothing changes.
    assert_eq!(
        designer(&lroux, Some(Administrateur::Principal)).await,
        Designation::RoleDejaTenu(jdupont.clone())
    );
    let lroux_user = user(store, CAISSE_A, "lroux").await.user;
    assert_eq!(store.administrateur(lroux_user).await.unwrap(), None);
    // The other role is free; designating the holder again is no conflict with himself.
    assert_eq!(
        designer(&lroux, Some(Administrateur::Suppleant)).await,
        Designation::Faite
    );
    assert_eq!(
        designer(&jdupont, Some(Administrateur::Principal)).await,
        Designation::Faite
    );
    // Once the principal steps down, the suppléant may become principal.
    assert_eq!(designer(&jdupont, None).await, Designation::Faite);
    assert_eq!(
        designer(&lroux, Some(Administrateur::Principal)).await,
        Designation::Faite
    );
    assert_eq!(
        store.administrateur(lroux_user).await.unwrap(),
        Some(Administrateur::Principal)
    );
    // Another partner's principal is his own organisation's affair.
    assert_eq!(
        designer(
            &Identifiant::parse("pmartin").unwrap(),
            Some(Administrateur::Principal)
        )
        .await,
        Designation::Faite
    );
}

pub async fn hb_9_a_suspended_habilitation_grants_nothing_until_reactivated(store: &dyn Store) {
    import_ok(store, world()).await;
    let a = caisse_id(store, CAISSE_A).await;
    let t1 = NumeroTiers::parse("T-001").unwrap();
    let c1 = NumeroConvention::parse("C-1").unwrap();
    let jdupont = Identifiant::parse("jdupont").unwrap();
    let login = user(store, CAISSE_A, "jdupont").await;
    let session = open_session(store, login.user, "js", at(0)).await;
    let avant = store.perimetre(login.user).await.unwrap();
    assert_eq!(avant.habilitations.len(), 1);
    let compte = store
        .convention_du_partenaire(a, &t1, &c1)
        .await
        .unwrap()
        .unwrap()
        .habilitations;
    let agir = |effet: Effet, qui: Identifiant, bouquet: Bouquet| {
        let (t1, c1) = (t1.clone(), c1.clone());
        async move {
            store
                .appliquer_habilitation(a, &t1, &c1, bouquet, Some(&qui), &effet)
                .await
                .unwrap()
        }
    };
    assert_eq!(
        agir(Effet::Suspension, jdupont.clone(), Bouquet::Qf).await,
        Ok(Accord::Suspendu(jdupont.clone()))
    );
    // The perimeter skips it at once, the partner's départements stay; his session goes on.
    let pendant = store.perimetre(login.user).await.unwrap();
    assert!(pendant.habilitations.is_empty());
    assert_eq!(pendant.departements, avant.departements);
    assert!(store.session(&session).await.unwrap().is_some());
    // Held, only paused: the directory shows it suspended and the cap still counts it (HB-7).
    let annuaire = store.extranautes(a, Bouquet::Qf).await.unwrap();
    let ligne = annuaire.iter().find(|e| e.identifiant == jdupont).unwrap();
    assert!(ligne.suspendue && ligne.actif);
    let occupation = store
        .convention_du_partenaire(a, &t1, &c1)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(occupation.habilitations, compte);
    // Twice is refused, nothing written; so is reactivating an active one.
    assert_eq!(
        agir(Effet::Suspension, jdupont.clone(), Bouquet::Qf).await,
        Err(AccordRefuse::DejaSuspendue)
    );
    assert_eq!(
        agir(Effet::Reactivation, jdupont.clone(), Bouquet::Qf).await,
        Ok(Accord::Reactive(jdupont.clone()))
    );
    assert_eq!(store.perimetre(login.user).await.unwrap(), avant);
    assert!(!store
        .extranautes(a, Bouquet::Qf)
        .await
        .unwrap()
        .iter()
        .any(|e| e.suspendue));
    assert_eq!(
        agir(Effet::Reactivation, jdupont.clone(), Bouquet::Qf).await,
        Err(AccordRefuse::NonSuspendue)
    );
    // A habilitation he does not hold, another partner's agent, an administrator's habilitation.
    assert_eq!(
        agir(Effet::Suspension, jdupont.clone(), Bouquet::Psu).await,
        Err(AccordRefuse::HabilitationAbsente)
    );
    assert_eq!(
        agir(
            Effet::Suspension,
            Identifiant::parse("pmartin").unwrap(),
            Bouquet::Qf
        )
        .await,
        Err(AccordRefuse::UtilisateurInconnu)
    );
    assert_eq!(
        store
            .set_administrateur(a, &jdupont, Some(Administrateur::Principal))
            .await
            .unwrap(),
        Designation::Faite
    );
    assert_eq!(
        agir(Effet::Suspension, jdupont.clone(), Bouquet::Qf).await,
        Err(AccordRefuse::Administrateur)
    );
    assert_eq!(store.perimetre(login.user).await.unwrap(), avant);
}
