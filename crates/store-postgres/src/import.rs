//! `Store::import` on PostgreSQL: one transaction, layer by layer (caisses, partners, conventions, users,
//! dossiers), each written with one `UNNEST` statement per chunk of rows. Each layer's references are checked against what the
//! transaction already holds, which includes the layers written before it; every bad line is collected, and
//! any bad line rolls the whole file back. The checks and their messages are `partage_store::import_check`'s,
//! shared with the other backend; this module only loads and writes.

use crate::codec::{parse_bouquets, parse_departements};
use crate::error::DbResult;
use partage_domain::rsa::Circonscription;
use partage_store::codec::parse_circonscriptions;
use partage_store::import_check::{
    self as check, key, last_by_key, Batch, Caisse, Convention, Keyed, Utilisateur,
};
use partage_store::{
    CaisseRecord, ConventionRecord, DossierRecord, ImportCounts, ImportError, NumberedRecord,
    PartenaireRecord, StoreError,
};
use sqlx::PgConnection;
use std::collections::HashMap;

/// Rows per statement: large enough that round trips do not count, small enough that one statement's
/// arrays stay a few megabytes.
const CHUNK: usize = 10_000;

/// Codes (départements, bouquets) as one text per row, split back into an array by the statement: `UNNEST`
/// cannot take an array of arrays of different lengths. Codes never hold a comma.
fn codes<T: AsRef<str>>(items: impl IntoIterator<Item = T>) -> String {
    let codes: Vec<String> = items.into_iter().map(|i| i.as_ref().to_owned()).collect();
    codes.join(",")
}

pub(crate) async fn apply(
    conn: &mut PgConnection,
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
async fn write_baremes(conn: &mut PgConnection, baremes: Vec<(i64, String)>) -> Result<(), StoreError> {
    for (caisse_id, contenu) in baremes {
        sqlx::query(
            "INSERT INTO baremes_psu (caisse_id, contenu) VALUES ($1, $2::jsonb)
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

async fn write_caisses(conn: &mut PgConnection, caisses: &[(usize, CaisseRecord)]) -> Result<(), StoreError> {
    let caisses = last_by_key(caisses.iter().map(|(_, c)| c).collect(), |c| c.code.clone());
    for chunk in caisses.chunks(CHUNK) {
        sqlx::query(
            "INSERT INTO caisses (code, nom, regime, departements)
             SELECT code, nom, regime, string_to_array(departements, ',')
             FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[]) AS t(code, nom, regime, departements)
             ON CONFLICT (code) DO UPDATE SET nom = excluded.nom, regime = excluded.regime,
                 departements = excluded.departements",
        )
        .bind(chunk.iter().map(|c| c.code.as_str()).collect::<Vec<_>>())
        .bind(chunk.iter().map(|c| c.nom.as_str()).collect::<Vec<_>>())
        .bind(chunk.iter().map(|c| c.regime.as_str()).collect::<Vec<_>>())
        .bind(
            chunk
                .iter()
                .map(|c| codes(c.departements.iter().map(|d| d.as_str())))
                .collect::<Vec<_>>(),
        )
        .execute(&mut *conn)
        .await
        .db()?;
    }
    Ok(())
}

async fn load_caisses(conn: &mut PgConnection) -> Result<HashMap<String, Caisse>, StoreError> {
    let rows: Vec<(i64, String, Vec<String>)> = sqlx::query_as("SELECT id, code, departements FROM caisses")
        .fetch_all(&mut *conn)
        .await
        .db()?;
    rows.into_iter()
        .map(|(id, code, departements)| {
            // Parsed only to refuse a corrupted row; the checks compare the codes as text.
            parse_departements("caisses.departements", &departements)?;
            Ok((code, Caisse { id, departements }))
        })
        .collect()
}

async fn write_partenaires(
    conn: &mut PgConnection,
    partenaires: Vec<(i64, &PartenaireRecord)>,
) -> Result<(), StoreError> {
    let partenaires = last_by_key(partenaires, |(c, p)| key(*c, p.numero_tiers.as_str()));
    for chunk in partenaires.chunks(CHUNK) {
        sqlx::query(
            "INSERT INTO partenaires
                 (caisse_id, numero_tiers, nom, categorie, siret, departements, circonscriptions)
             SELECT caisse_id, numero_tiers, nom, categorie, siret, string_to_array(departements, ','),
                    string_to_array(circonscriptions, ',')
             FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
                  AS t(caisse_id, numero_tiers, nom, categorie, siret, departements, circonscriptions)
             ON CONFLICT (caisse_id, numero_tiers) DO UPDATE SET nom = excluded.nom,
                 categorie = excluded.categorie, siret = excluded.siret, departements = excluded.departements,
                 circonscriptions = excluded.circonscriptions",
        )
        .bind(chunk.iter().map(|(c, _)| *c).collect::<Vec<_>>())
        .bind(
            chunk
                .iter()
                .map(|(_, p)| p.numero_tiers.as_str())
                .collect::<Vec<_>>(),
        )
        .bind(chunk.iter().map(|(_, p)| p.nom.as_str()).collect::<Vec<_>>())
        .bind(
            chunk
                .iter()
                .map(|(_, p)| p.categorie.as_str())
                .collect::<Vec<_>>(),
        )
        .bind(chunk.iter().map(|(_, p)| p.siret.as_str()).collect::<Vec<_>>())
        .bind(
            chunk
                .iter()
                .map(|(_, p)| codes(p.departements.iter().map(|d| d.as_str())))
                .collect::<Vec<_>>(),
        )
        .bind(
            chunk
                .iter()
                .map(|(_, p)| codes(p.circonscriptions.iter().map(ToString::to_string)))
                .collect::<Vec<_>>(),
        )
        .execute(&mut *conn)
        .await
        .db()?;
    }
    // Issue #3 part 2: the référentiel's fields, for the partners whose line carries them (the others keep
    // theirs). Few lines do, so one statement each.
    for (caisse_id, p) in &partenaires {
        let Some(coordonnees) = &p.coordonnees else {
            continue;
        };
        let json = serde_json::to_string(coordonnees).map_err(|e| StoreError::Backend(e.to_string()))?;
        sqlx::query(
            "UPDATE partenaires SET coordonnees = $1::jsonb WHERE caisse_id = $2 AND numero_tiers = $3",
        )
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
    conn: &mut PgConnection,
    caisses: &[i64],
) -> Result<(Keyed<i64>, HashMap<i64, Vec<Circonscription>>), StoreError> {
    let rows: Vec<(i64, i64, String, Vec<String>)> = sqlx::query_as(
        "SELECT id, caisse_id, numero_tiers, circonscriptions FROM partenaires WHERE caisse_id = ANY($1)",
    )
    .bind(caisses)
    .fetch_all(&mut *conn)
    .await
    .db()?;
    let mut ids = Keyed::with_capacity(rows.len());
    let mut circonscriptions = HashMap::new();
    for (id, caisse_id, tiers, circ) in rows {
        ids.insert((caisse_id, tiers), id);
        if !circ.is_empty() {
            circonscriptions.insert(id, parse_circonscriptions("partenaires.circonscriptions", &circ)?);
        }
    }
    Ok((ids, circonscriptions))
}

async fn write_conventions(
    conn: &mut PgConnection,
    conventions: Vec<(i64, i64, &ConventionRecord)>,
) -> Result<(), StoreError> {
    let conventions = last_by_key(conventions, |(c, _, r)| key(*c, r.convention.numero.as_str()));
    for chunk in conventions.chunks(CHUNK) {
        sqlx::query(
            "INSERT INTO conventions
                 (caisse_id, numero, partenaire_id, bouquets, signee_le, formalite_cnil_le, fin_le,
                  plafond_habilitations, gestion, departements)
             SELECT caisse_id, numero, partenaire_id, string_to_array(bouquets, ','), signee_le,
                    formalite_cnil_le, fin_le, plafond, gestion, string_to_array(departements, ',')
             FROM UNNEST($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::date[], $6::date[], $7::date[],
                         $8::integer[], $9::text[], $10::text[])
                  AS t(caisse_id, numero, partenaire_id, bouquets, signee_le, formalite_cnil_le, fin_le, plafond,
                       gestion, departements)
             ON CONFLICT (caisse_id, numero) DO UPDATE SET partenaire_id = excluded.partenaire_id,
                 bouquets = excluded.bouquets, signee_le = excluded.signee_le,
                 formalite_cnil_le = excluded.formalite_cnil_le, fin_le = excluded.fin_le,
                 -- A file without the cap keeps the one the caisse set (HB-7).
                 plafond_habilitations = COALESCE(excluded.plafond_habilitations,
                                                  conventions.plafond_habilitations),
                 -- Likewise the gestion mode (CV-12).
                 gestion = COALESCE(excluded.gestion, conventions.gestion),
                 -- And the départements it narrows to (TEN-3); an empty list narrows nothing.
                 departements = COALESCE(excluded.departements, conventions.departements)",
        )
        .bind(chunk.iter().map(|(c, _, _)| *c).collect::<Vec<_>>())
        .bind(chunk.iter().map(|(_, _, r)| r.convention.numero.as_str()).collect::<Vec<_>>())
        .bind(chunk.iter().map(|(_, p, _)| *p).collect::<Vec<_>>())
        .bind(
            chunk
                .iter()
                .map(|(_, _, r)| codes(r.convention.bouquets.iter().map(|b| b.code())))
                .collect::<Vec<_>>(),
        )
        .bind(chunk.iter().map(|(_, _, r)| r.convention.signee_le).collect::<Vec<_>>())
        .bind(chunk.iter().map(|(_, _, r)| r.convention.formalite_cnil_le).collect::<Vec<_>>())
        .bind(chunk.iter().map(|(_, _, r)| r.convention.fin_le).collect::<Vec<_>>())
        .bind(
            chunk
                .iter()
                .map(|(_, _, r)| r.plafond_habilitations.and_then(|p| i32::try_from(p).ok()))
                .collect::<Vec<_>>(),
        )
        .bind(
            chunk
                .iter()
                .map(|(_, _, r)| r.gestion.map(|g| g.code()))
                .collect::<Vec<_>>(),
        )
        .bind(
            chunk
                .iter()
                .map(|(_, _, r)| r.departements.as_ref().map(|d| codes(d.iter().map(|d| d.as_str()))))
                .collect::<Vec<_>>(),
        )
        .execute(&mut *conn)
        .await
        .db()?;
    }
    Ok(())
}

async fn load_conventions(conn: &mut PgConnection, caisses: &[i64]) -> Result<Keyed<Convention>, StoreError> {
    let rows: Vec<(i64, i64, String, i64, String, Vec<String>)> = sqlx::query_as(
        "SELECT c.id, c.caisse_id, c.numero, c.partenaire_id, p.numero_tiers, c.bouquets
         FROM conventions c JOIN partenaires p ON p.id = c.partenaire_id
         WHERE c.caisse_id = ANY($1)",
    )
    .bind(caisses)
    .fetch_all(&mut *conn)
    .await
    .db()?;
    rows.into_iter()
        .map(|(id, caisse_id, numero, partenaire_id, partenaire, bouquets)| {
            let bouquets = parse_bouquets("conventions.bouquets", &bouquets)?;
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

async fn write_utilisateurs(conn: &mut PgConnection, users: Vec<Utilisateur<'_>>) -> Result<(), StoreError> {
    let users = last_by_key(users, |u| key(u.caisse_id, u.record.identifiant.as_str()));
    for chunk in users.chunks(CHUNK) {
        // The temporary password applies to a new user only: a user already there keeps the password he
        // chose, and whether he must change it.
        let returned: Vec<(i64, i64, String)> = sqlx::query_as(
            "INSERT INTO utilisateurs
                 (caisse_id, identifiant, partenaire_id, civilite, nom, prenom, email, password_hash)
             SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[],
                                  $7::text[], $8::text[])
             ON CONFLICT (caisse_id, identifiant) DO UPDATE SET partenaire_id = excluded.partenaire_id,
                 civilite = excluded.civilite, nom = excluded.nom, prenom = excluded.prenom,
                 email = excluded.email
             RETURNING id, caisse_id, identifiant",
        )
        .bind(chunk.iter().map(|u| u.caisse_id).collect::<Vec<_>>())
        .bind(
            chunk
                .iter()
                .map(|u| u.record.identifiant.as_str())
                .collect::<Vec<_>>(),
        )
        .bind(chunk.iter().map(|u| u.partenaire_id).collect::<Vec<_>>())
        .bind(
            chunk
                .iter()
                .map(|u| u.record.civilite.as_str())
                .collect::<Vec<_>>(),
        )
        .bind(chunk.iter().map(|u| u.record.nom.as_str()).collect::<Vec<_>>())
        .bind(chunk.iter().map(|u| u.record.prenom.as_str()).collect::<Vec<_>>())
        .bind(chunk.iter().map(|u| u.record.email.as_str()).collect::<Vec<_>>())
        .bind(
            chunk
                .iter()
                .map(|u| u.record.mot_de_passe_provisoire_hash.as_str())
                .collect::<Vec<_>>(),
        )
        .fetch_all(&mut *conn)
        .await
        .db()?;
        let ids: Keyed<i64> = returned
            .into_iter()
            .map(|(id, caisse_id, identifiant)| ((caisse_id, identifiant), id))
            .collect();
        let (mut users, mut conventions, mut bouquets) = (Vec::new(), Vec::new(), Vec::new());
        let (mut profils, mut circonscriptions) = (Vec::new(), Vec::new());
        for u in chunk {
            if let Some(&id) = ids.get(&key(u.caisse_id, u.record.identifiant.as_str())) {
                for (convention, h) in &u.habilitations {
                    users.push(id);
                    conventions.push(*convention);
                    bouquets.push(h.bouquet.code());
                    profils.push(h.profil.as_deref());
                    circonscriptions.push(codes(h.circonscriptions.iter().map(ToString::to_string)));
                }
            }
        }
        // The file says what each of its users may do now: earlier habilitations not in it are gone.
        sqlx::query("DELETE FROM habilitations WHERE utilisateur_id = ANY($1)")
            .bind(ids.values().copied().collect::<Vec<i64>>())
            .execute(&mut *conn)
            .await
            .db()?;
        sqlx::query(
            "INSERT INTO habilitations (utilisateur_id, convention_id, bouquet, profil, circonscriptions)
             SELECT u, c, b, p, string_to_array(ci, ',')
             FROM UNNEST($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[]) AS t(u, c, b, p, ci)
             ON CONFLICT DO NOTHING",
        )
        .bind(users)
        .bind(conventions)
        .bind(bouquets)
        .bind(profils)
        .bind(circonscriptions)
        .execute(&mut *conn)
        .await
        .db()?;
    }
    Ok(())
}

async fn write_dossiers(
    conn: &mut PgConnection,
    dossiers: Vec<(i64, &DossierRecord)>,
) -> Result<(), StoreError> {
    let dossiers = last_by_key(dossiers, |(c, d)| key(*c, d.dossier.matricule.as_str()));
    for chunk in dossiers.chunks(CHUNK) {
        let contenus = chunk
            .iter()
            .map(|(_, d)| serde_json::to_string(&d.dossier))
            .collect::<Result<Vec<String>, _>>()
            .map_err(|e| StoreError::Backend(format!("dossier non sérialisable : {e}")))?;
        let returned: Vec<(i64, i64, String)> = sqlx::query_as(
            "INSERT INTO dossiers (caisse_id, matricule, departement, opposition, contenu)
             SELECT caisse_id, matricule, departement, opposition, contenu::jsonb
             FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::boolean[], $5::text[])
                  AS t(caisse_id, matricule, departement, opposition, contenu)
             ON CONFLICT (caisse_id, matricule) DO UPDATE SET departement = excluded.departement,
                 opposition = excluded.opposition, contenu = excluded.contenu
             RETURNING id, caisse_id, matricule",
        )
        .bind(chunk.iter().map(|(c, _)| *c).collect::<Vec<_>>())
        .bind(
            chunk
                .iter()
                .map(|(_, d)| d.dossier.matricule.as_str())
                .collect::<Vec<_>>(),
        )
        .bind(
            chunk
                .iter()
                .map(|(_, d)| d.dossier.departement.as_str())
                .collect::<Vec<_>>(),
        )
        .bind(
            chunk
                .iter()
                .map(|(_, d)| d.dossier.opposition)
                .collect::<Vec<_>>(),
        )
        .bind(&contenus)
        .fetch_all(&mut *conn)
        .await
        .db()?;
        let ids: Keyed<i64> = returned
            .into_iter()
            .map(|(id, caisse_id, matricule)| ((caisse_id, matricule), id))
            .collect();
        // A re-imported dossier's NIRs are the file's: a person who left the household no longer finds it.
        sqlx::query("DELETE FROM dossier_nirs WHERE dossier_id = ANY($1)")
            .bind(ids.values().copied().collect::<Vec<i64>>())
            .execute(&mut *conn)
            .await
            .db()?;
        let (mut dossier_ids, mut hashes, mut caisse_ids) = (Vec::new(), Vec::new(), Vec::new());
        for (caisse_id, d) in chunk {
            if let Some(&id) = ids.get(&key(*caisse_id, d.dossier.matricule.as_str())) {
                let mut nirs: Vec<&str> = d.nirs.iter().map(|n| n.0.as_str()).collect();
                nirs.sort_unstable();
                nirs.dedup();
                for nir in nirs {
                    dossier_ids.push(id);
                    hashes.push(nir);
                    caisse_ids.push(*caisse_id);
                }
            }
        }
        sqlx::query(
            "INSERT INTO dossier_nirs (dossier_id, nir_hash, caisse_id)
             SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::bigint[])",
        )
        .bind(dossier_ids)
        .bind(hashes)
        .bind(caisse_ids)
        .execute(&mut *conn)
        .await
        .db()?;
    }
    Ok(())
}
