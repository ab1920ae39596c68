//! `Store::import` on SQLite: one transaction, layer by layer (caisses, partners, conventions, users,
//! dossiers), each written with multi-row statements. Each layer's references are checked against what the
//! transaction already holds, which includes the layers written before it; every bad line is collected, and
//! any bad line rolls the whole file back. The checks and their messages are `partage_store::import_check`'s,
//! shared with the other backend; this module only loads and writes.

use crate::codec::{date, json_list, parse_departements, parse_json};
use crate::error::DbResult;
use crate::MAX_BINDS;
use partage_domain::rsa::Circonscription;
use partage_store::import_check::{
    self as check, key, last_by_key, Batch, Caisse, Convention, Keyed, Utilisateur,
};
use partage_store::{
    CaisseRecord, ConventionRecord, DossierRecord, ImportCounts, ImportError, NumberedRecord,
    PartenaireRecord, StoreError,
};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};
use std::collections::HashMap;

fn ids_json(ids: impl IntoIterator<Item = i64>) -> String {
    serde_json::Value::from(ids.into_iter().collect::<Vec<i64>>()).to_string()
}

pub(crate) async fn apply(
    conn: &mut SqliteConnection,
    records: Vec<NumberedRecord>,
) -> Result<ImportCounts, ImportError> {
    let batch = Batch::sort(records);
    let counts = batch.counts();
    // Every bad line of every layer is collected; the checks and their messages are the shared ones.
    let mut errors = Vec::new();

    write_caisses(conn, &batch.caisses).await?;
    let caisses = load_caisses(conn).await?;
    let referenced = batch.caisses_referenced(&caisses);

    let partenaires = check::partenaires(&batch, &caisses, &mut errors);
    write_partenaires(conn, partenaires).await?;
    let (partenaires, circonscriptions) = load_partenaires(conn, &referenced).await?;

    let before = load_conventions(conn, &referenced).await?;
    let conventions = check::conventions(&batch, &caisses, &partenaires, &before, &mut errors);
    write_conventions(conn, conventions).await?;
    let conventions = load_conventions(conn, &referenced).await?;

    let utilisateurs = check::utilisateurs(
        &batch,
        &caisses,
        &partenaires,
        &circonscriptions,
        &conventions,
        &mut errors,
    );
    write_utilisateurs(conn, utilisateurs).await?;

    let dossiers = check::dossiers(&batch, &caisses, &mut errors);
    let baremes = check::baremes(&batch, &caisses, &mut errors);
    check::verdict(errors)?;
    write_dossiers(conn, dossiers).await?;
    write_baremes(conn, baremes).await?;
    Ok(counts)
}

/// Each caisse's barème document replaces the one it had.
async fn write_baremes(conn: &mut SqliteConnection, baremes: Vec<(i64, String)>) -> Result<(), StoreError> {
    for (caisse_id, contenu) in baremes {
        sqlx::query(
            "INSERT INTO baremes_psu (caisse_id, contenu) VALUES (?, ?)
             ON CONFLICT (caisse_id) DO UPDATE SET contenu = excluded.contenu",
        )
        .bind(caisse_id)
        .bind(contenu)
        .execute(&mut *conn)
        .await
        .db()?;
    }
    Ok(())
}

async fn write_caisses(
    conn: &mut SqliteConnection,
    caisses: &[(usize, CaisseRecord)],
) -> Result<(), StoreError> {
    let caisses = last_by_key(caisses.iter().map(|(_, c)| c).collect(), |c| c.code.clone());
    for chunk in caisses.chunks(MAX_BINDS / 4) {
        let mut q = QueryBuilder::<Sqlite>::new("INSERT INTO caisses (code, nom, regime, departements) ");
        q.push_values(chunk, |mut row, c| {
            row.push_bind(c.code.as_str())
                .push_bind(c.nom.as_str())
                .push_bind(c.regime.as_str())
                .push_bind(json_list(c.departements.iter().map(|d| d.as_str())));
        });
        q.push(
            " ON CONFLICT (code) DO UPDATE SET nom = excluded.nom, regime = excluded.regime, \
             departements = excluded.departements",
        );
        q.build().execute(&mut *conn).await.db()?;
    }
    Ok(())
}

async fn load_caisses(conn: &mut SqliteConnection) -> Result<HashMap<String, Caisse>, StoreError> {
    let rows: Vec<(i64, String, String)> = sqlx::query_as("SELECT id, code, departements FROM caisses")
        .fetch_all(&mut *conn)
        .await
        .db()?;
    rows.into_iter()
        .map(|(id, code, departements)| {
            let departements = parse_departements("caisses.departements", &departements)?
                .iter()
                .map(|d| d.as_str().to_owned())
                .collect();
            Ok((code, Caisse { id, departements }))
        })
        .collect()
}

async fn write_partenaires(
    conn: &mut SqliteConnection,
    partenaires: Vec<(i64, &PartenaireRecord)>,
) -> Result<(), StoreError> {
    let partenaires = last_by_key(partenaires, |(c, p)| key(*c, p.numero_tiers.as_str()));
    for chunk in partenaires.chunks(MAX_BINDS / 7) {
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT INTO partenaires \
             (caisse_id, numero_tiers, nom, categorie, siret, departements, circonscriptions) ",
        );
        q.push_values(chunk, |mut row, (caisse_id, p)| {
            row.push_bind(*caisse_id)
                .push_bind(p.numero_tiers.as_str())
                .push_bind(p.nom.as_str())
                .push_bind(p.categorie.as_str())
                .push_bind(p.siret.as_str())
                .push_bind(json_list(p.departements.iter().map(|d| d.as_str())))
                .push_bind(json_list(p.circonscriptions.iter().map(ToString::to_string)));
        });
        q.push(
            " ON CONFLICT (caisse_id, numero_tiers) DO UPDATE SET nom = excluded.nom, \
             categorie = excluded.categorie, siret = excluded.siret, departements = excluded.departements, \
             circonscriptions = excluded.circonscriptions",
        );
        q.build().execute(&mut *conn).await.db()?;
    }
    // Issue #3 part 2: the référentiel's fields, for the partners whose line carries them (the others keep
    // theirs). Few lines do, so one statement each.
    for (caisse_id, p) in &partenaires {
        let Some(coordonnees) = &p.coordonnees else {
            continue;
        };
        let json = serde_json::to_string(coordonnees).map_err(|e| StoreError::Backend(e.to_string()))?;
        sqlx::query("UPDATE partenaires SET coordonnees = ? WHERE caisse_id = ? AND numero_tiers = ?")
            .bind(json)
            .bind(*caisse_id)
            .bind(p.numero_tiers.as_str())
            .execute(&mut *conn)
            .await
            .db()?;
    }
    Ok(())
}

/// The partners' ids by key, and each one's circonscriptions (CO-3) by id.
async fn load_partenaires(
    conn: &mut SqliteConnection,
    caisses: &[i64],
) -> Result<(Keyed<i64>, HashMap<i64, Vec<Circonscription>>), StoreError> {
    let rows: Vec<(i64, i64, String, String)> = sqlx::query_as(
        "SELECT id, caisse_id, numero_tiers, circonscriptions FROM partenaires
         WHERE caisse_id IN (SELECT value FROM json_each(?))",
    )
    .bind(ids_json(caisses.iter().copied()))
    .fetch_all(&mut *conn)
    .await
    .db()?;
    let mut ids = Keyed::with_capacity(rows.len());
    let mut circonscriptions = HashMap::new();
    for (id, caisse_id, tiers, circ) in rows {
        ids.insert((caisse_id, tiers), id);
        let circ: Vec<Circonscription> = parse_json("partenaires.circonscriptions", &circ)?;
        if !circ.is_empty() {
            circonscriptions.insert(id, circ);
        }
    }
    Ok((ids, circonscriptions))
}

async fn write_conventions(
    conn: &mut SqliteConnection,
    conventions: Vec<(i64, i64, &ConventionRecord)>,
) -> Result<(), StoreError> {
    let conventions = last_by_key(conventions, |(c, _, r)| key(*c, r.convention.numero.as_str()));
    for chunk in conventions.chunks(MAX_BINDS / 10) {
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT INTO conventions \
             (caisse_id, numero, partenaire_id, bouquets, signee_le, formalite_cnil_le, fin_le, \
              plafond_habilitations, gestion, departements) ",
        );
        q.push_values(chunk, |mut row, (caisse_id, partenaire_id, r)| {
            let c = &r.convention;
            row.push_bind(*caisse_id)
                .push_bind(c.numero.as_str())
                .push_bind(*partenaire_id)
                .push_bind(json_list(c.bouquets.iter().map(|b| b.code())))
                .push_bind(date(c.signee_le))
                .push_bind(c.formalite_cnil_le.map(date))
                .push_bind(c.fin_le.map(date))
                .push_bind(r.plafond_habilitations.map(i64::from))
                .push_bind(r.gestion.map(|g| g.code()))
                .push_bind(
                    r.departements
                        .as_ref()
                        .map(|d| json_list(d.iter().map(|d| d.as_str()))),
                );
        });
        q.push(
            " ON CONFLICT (caisse_id, numero) DO UPDATE SET partenaire_id = excluded.partenaire_id, \
             bouquets = excluded.bouquets, signee_le = excluded.signee_le, \
             formalite_cnil_le = excluded.formalite_cnil_le, fin_le = excluded.fin_le, \
             plafond_habilitations = coalesce(excluded.plafond_habilitations, plafond_habilitations), \
             gestion = coalesce(excluded.gestion, gestion), \
             departements = coalesce(excluded.departements, departements)",
        );
        q.build().execute(&mut *conn).await.db()?;
    }
    Ok(())
}

async fn load_conventions(
    conn: &mut SqliteConnection,
    caisses: &[i64],
) -> Result<Keyed<Convention>, StoreError> {
    let rows: Vec<(i64, i64, String, i64, String, String)> = sqlx::query_as(
        "SELECT c.id, c.caisse_id, c.numero, c.partenaire_id, p.numero_tiers, c.bouquets
         FROM conventions c JOIN partenaires p ON p.id = c.partenaire_id
         WHERE c.caisse_id IN (SELECT value FROM json_each(?))",
    )
    .bind(ids_json(caisses.iter().copied()))
    .fetch_all(&mut *conn)
    .await
    .db()?;
    rows.into_iter()
        .map(|(id, caisse_id, numero, partenaire_id, partenaire, bouquets)| {
            let bouquets = parse_json("conventions.bouquets", &bouquets)?;
            Ok((
                (caisse_id, numero),
                Convention {
                    id,
                    partenaire_id,
                    partenaire,
                    bouquets,
                },
            ))
        })
        .collect()
}

async fn write_utilisateurs(
    conn: &mut SqliteConnection,
    users: Vec<Utilisateur<'_>>,
) -> Result<(), StoreError> {
    let users = last_by_key(users, |u| key(u.caisse_id, u.record.identifiant.as_str()));
    for chunk in users.chunks(MAX_BINDS / 8) {
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT INTO utilisateurs \
             (caisse_id, identifiant, partenaire_id, civilite, nom, prenom, email, password_hash) ",
        );
        q.push_values(chunk, |mut row, u| {
            let r = u.record;
            row.push_bind(u.caisse_id)
                .push_bind(r.identifiant.as_str())
                .push_bind(u.partenaire_id)
                .push_bind(r.civilite.as_str())
                .push_bind(r.nom.as_str())
                .push_bind(r.prenom.as_str())
                .push_bind(r.email.as_str())
                .push_bind(r.mot_de_passe_provisoire_hash.as_str());
        });
        // The temporary password applies to a new user only: a user already there keeps the password he
        // chose, and whether he must change it.
        q.push(
            " ON CONFLICT (caisse_id, identifiant) DO UPDATE SET partenaire_id = excluded.partenaire_id, \
             civilite = excluded.civilite, nom = excluded.nom, prenom = excluded.prenom, email = excluded.email \
             RETURNING id, caisse_id, identifiant",
        );
        let returned: Vec<(i64, i64, String)> = q.build_query_as().fetch_all(&mut *conn).await.db()?;
        let ids: Keyed<i64> = returned
            .into_iter()
            .map(|(id, caisse_id, identifiant)| ((caisse_id, identifiant), id))
            .collect();
        let mut grants = Vec::new();
        for u in chunk {
            if let Some(&id) = ids.get(&key(u.caisse_id, u.record.identifiant.as_str())) {
                grants.extend(
                    u.habilitations
                        .iter()
                        .map(|(convention, h)| (id, *convention, *h)),
                );
            }
        }
        // The file says what each of its users may do now: earlier habilitations not in it are gone.
        sqlx::query("DELETE FROM habilitations WHERE utilisateur_id IN (SELECT value FROM json_each(?))")
            .bind(ids_json(ids.values().copied()))
            .execute(&mut *conn)
            .await
            .db()?;
        for grants in grants.chunks(MAX_BINDS / 5) {
            let mut q = QueryBuilder::<Sqlite>::new(
                "INSERT INTO habilitations (utilisateur_id, convention_id, bouquet, profil, circonscriptions) ",
            );
            q.push_values(grants, |mut row, (user, convention, h)| {
                row.push_bind(*user)
                    .push_bind(*convention)
                    .push_bind(h.bouquet.code())
                    .push_bind(h.profil.as_deref())
                    .push_bind(json_list(h.circonscriptions.iter().map(ToString::to_string)));
            });
            q.push(" ON CONFLICT DO NOTHING");
            q.build().execute(&mut *conn).await.db()?;
        }
    }
    Ok(())
}

/// Dossiers per statement: five columns each.
const DOSSIERS_PER_CHUNK: usize = MAX_BINDS / 5;

async fn write_dossiers(
    conn: &mut SqliteConnection,
    dossiers: Vec<(i64, &DossierRecord)>,
) -> Result<(), StoreError> {
    let dossiers = last_by_key(dossiers, |(c, d)| key(*c, d.dossier.matricule.as_str()));
    for chunk in dossiers.chunks(DOSSIERS_PER_CHUNK) {
        let contenus = chunk
            .iter()
            .map(|(_, d)| serde_json::to_string(&d.dossier))
            .collect::<Result<Vec<String>, _>>()
            .map_err(|e| StoreError::Backend(format!("dossier non sérialisable : {e}")))?;
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT INTO dossiers (caisse_id, matricule, departement, opposition, contenu) ",
        );
        q.push_values(
            chunk.iter().zip(&contenus),
            |mut row, ((caisse_id, d), contenu)| {
                row.push_bind(*caisse_id)
                    .push_bind(d.dossier.matricule.as_str())
                    .push_bind(d.dossier.departement.as_str())
                    .push_bind(d.dossier.opposition)
                    .push_bind(contenu.as_str());
            },
        );
        q.push(
            " ON CONFLICT (caisse_id, matricule) DO UPDATE SET departement = excluded.departement, \
             opposition = excluded.opposition, contenu = excluded.contenu \
             RETURNING id, caisse_id, matricule",
        );
        let returned: Vec<(i64, i64, String)> = q.build_query_as().fetch_all(&mut *conn).await.db()?;
        let ids: Keyed<i64> = returned
            .into_iter()
            .map(|(id, caisse_id, matricule)| ((caisse_id, matricule), id))
            .collect();
        // A re-imported dossier's NIRs are the file's: a person who left the household no longer finds it.
        sqlx::query("DELETE FROM dossier_nirs WHERE dossier_id IN (SELECT value FROM json_each(?))")
            .bind(ids_json(ids.values().copied()))
            .execute(&mut *conn)
            .await
            .db()?;
        let mut nirs = Vec::with_capacity(chunk.len() * 4);
        for (caisse_id, d) in chunk {
            if let Some(&id) = ids.get(&key(*caisse_id, d.dossier.matricule.as_str())) {
                nirs.extend(d.nirs.iter().map(|n| (id, n.0.as_str(), *caisse_id)));
            }
        }
        for nirs in nirs.chunks(MAX_BINDS / 3) {
            let mut q =
                QueryBuilder::<Sqlite>::new("INSERT INTO dossier_nirs (dossier_id, nir_hash, caisse_id) ");
            q.push_values(nirs, |mut row, (dossier, hash, caisse)| {
                row.push_bind(*dossier).push_bind(*hash).push_bind(*caisse);
            });
            q.push(" ON CONFLICT DO NOTHING");
            q.build().execute(&mut *conn).await.db()?;
        }
    }
    Ok(())
}
