//! `Store::import` on PostgreSQL: one transaction, layer by layer (caisses, partners, conventions, users,
//! dossiers), each written with one `UNNEST` statement per chunk of rows. Each layer's references are checked against what the
//! transaction already holds, which includes the layers written before it; every bad line is collected, and
//! any bad line rolls the whole file back.

use crate::codec::{parse_bouquets, parse_departements};
use crate::error::DbResult;
use partage_domain::Bouquet;
use partage_store::{
    CaisseRecord, ConventionRecord, DossierRecord, ImportCounts, ImportError, ImportRecord, LineError,
    NumberedRecord, PartenaireRecord, StoreError, UtilisateurRecord,
};
use sqlx::PgConnection;
use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::hash::Hash;

/// The records of a file sorted by kind, each with its line.
#[derive(Default)]
struct Batch {
    caisses: Vec<(usize, CaisseRecord)>,
    partenaires: Vec<(usize, PartenaireRecord)>,
    conventions: Vec<(usize, ConventionRecord)>,
    utilisateurs: Vec<(usize, UtilisateurRecord)>,
    dossiers: Vec<(usize, DossierRecord)>,
}

impl Batch {
    fn sort(records: Vec<NumberedRecord>) -> Batch {
        let mut batch = Batch::default();
        for NumberedRecord { ligne, record } in records {
            match record {
                ImportRecord::Caisse(r) => batch.caisses.push((ligne, r)),
                ImportRecord::Partenaire(r) => batch.partenaires.push((ligne, r)),
                ImportRecord::Convention(r) => batch.conventions.push((ligne, r)),
                ImportRecord::Utilisateur(r) => batch.utilisateurs.push((ligne, r)),
                ImportRecord::Dossier(r) => batch.dossiers.push((ligne, r)),
            }
        }
        batch
    }

    fn counts(&self) -> ImportCounts {
        ImportCounts {
            caisses: self.caisses.len(),
            partenaires: self.partenaires.len(),
            conventions: self.conventions.len(),
            utilisateurs: self.utilisateurs.len(),
            dossiers: self.dossiers.len(),
        }
    }

    /// Caisses whose partners or conventions later layers refer to.
    fn caisses_referenced(&self, caisses: &HashMap<String, Caisse>) -> Vec<i64> {
        let codes = self
            .conventions
            .iter()
            .map(|(_, c)| c.caisse.as_str())
            .chain(self.utilisateurs.iter().map(|(_, u)| u.caisse.as_str()));
        let mut ids: Vec<i64> = codes.filter_map(|c| caisses.get(c)).map(|c| c.id).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }
}

struct Caisse {
    id: i64,
    departements: Vec<String>,
}

struct Convention {
    id: i64,
    partenaire_id: i64,
    partenaire: String,
    bouquets: Vec<Bouquet>,
}

/// Keys are (caisse id, natural key): every natural key is unique within its caisse only.
type Keyed<T> = HashMap<(i64, String), T>;

fn key(caisse_id: i64, natural: &str) -> (i64, String) {
    (caisse_id, natural.to_owned())
}

fn refuse(ligne: usize, champ: &str, raison: String) -> LineError {
    LineError {
        ligne,
        champ: champ.to_owned(),
        raison,
    }
}

fn known_caisse<'a>(
    caisses: &'a HashMap<String, Caisse>,
    ligne: usize,
    code: &str,
    errors: &mut Vec<LineError>,
) -> Option<&'a Caisse> {
    let caisse = caisses.get(code);
    if caisse.is_none() {
        errors.push(refuse(
            ligne,
            "caisse",
            format!("caisse « {code} » inconnue : ni dans le fichier ni déjà enregistrée"),
        ));
    }
    caisse
}

/// Départements outside the caisse's, or `None` when all are the caisse's (TEN-3).
fn hors_caisse<'a>(caisse: &Caisse, departements: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let hors: Vec<&str> = departements
        .into_iter()
        .filter(|d| !caisse.departements.iter().any(|c| c == d))
        .collect();
    (!hors.is_empty()).then(|| hors.join(", "))
}

/// The last record for each key, where the first one stood: a file that repeats a record means its last
/// version, and one statement must not upsert the same row twice.
fn last_by_key<T, K: Eq + Hash>(items: Vec<T>, key: impl Fn(&T) -> K) -> Vec<T> {
    let mut position: HashMap<K, usize> = HashMap::with_capacity(items.len());
    let mut kept: Vec<Option<T>> = Vec::with_capacity(items.len());
    for item in items {
        match position.entry(key(&item)) {
            Entry::Occupied(e) => kept[*e.get()] = Some(item),
            Entry::Vacant(e) => {
                e.insert(kept.len());
                kept.push(Some(item));
            }
        }
    }
    kept.into_iter().flatten().collect()
}

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
    let mut errors = Vec::new();

    write_caisses(conn, &batch.caisses).await?;
    let caisses = load_caisses(conn).await?;
    let referenced = batch.caisses_referenced(&caisses);

    let mut partenaires = Vec::new();
    for (ligne, p) in &batch.partenaires {
        let Some(caisse) = known_caisse(&caisses, *ligne, p.caisse.as_str(), &mut errors) else {
            continue;
        };
        if let Some(hors) = hors_caisse(caisse, p.departements.iter().map(|d| d.as_str())) {
            errors.push(refuse(
                *ligne,
                "departements",
                format!(
                    "département(s) {hors} hors de la caisse {} (qui gère : {})",
                    p.caisse,
                    caisse.departements.join(", ")
                ),
            ));
            continue;
        }
        partenaires.push((caisse.id, p));
    }
    write_partenaires(conn, partenaires).await?;
    let partenaires = load_partenaires(conn, &referenced).await?;

    let before = load_conventions(conn, &referenced).await?;
    let mut conventions = Vec::new();
    for (ligne, c) in &batch.conventions {
        let Some(caisse) = known_caisse(&caisses, *ligne, c.caisse.as_str(), &mut errors) else {
            continue;
        };
        let Some(&partenaire_id) = partenaires.get(&key(caisse.id, c.partenaire.as_str())) else {
            errors.push(unknown_partner(*ligne, c.partenaire.as_str(), c.caisse.as_str()));
            continue;
        };
        let numero = c.convention.numero.as_str();
        if let Some(old) = before.get(&key(caisse.id, numero)) {
            // CV-1: a convention binds one partner; handing it to another would hand over its
            // habilitations too.
            if old.partenaire_id != partenaire_id {
                errors.push(refuse(
                    *ligne,
                    "partenaire",
                    format!(
                        "la convention « {numero} » est déjà enregistrée pour le partenaire « {} »",
                        old.partenaire
                    ),
                ));
                continue;
            }
        }
        conventions.push((caisse.id, partenaire_id, c));
    }
    write_conventions(conn, conventions).await?;
    let conventions = load_conventions(conn, &referenced).await?;

    let mut utilisateurs = Vec::new();
    for (ligne, u) in &batch.utilisateurs {
        let Some(caisse) = known_caisse(&caisses, *ligne, u.caisse.as_str(), &mut errors) else {
            continue;
        };
        let Some(&partenaire_id) = partenaires.get(&key(caisse.id, u.partenaire.as_str())) else {
            errors.push(unknown_partner(*ligne, u.partenaire.as_str(), u.caisse.as_str()));
            continue;
        };
        let mut habilitations = Vec::with_capacity(u.habilitations.len());
        let mut valid = true;
        for h in &u.habilitations {
            let numero = h.convention.as_str();
            let raison = match conventions.get(&key(caisse.id, numero)) {
                None => format!("convention « {numero} » inconnue dans la caisse {}", u.caisse),
                Some(c) if c.partenaire_id != partenaire_id => format!(
                    "la convention « {numero} » est celle du partenaire « {} », pas de « {} »",
                    c.partenaire, u.partenaire
                ),
                Some(c) if !c.bouquets.contains(&h.bouquet) => format!(
                    "la convention « {numero} » n'ouvre pas le bouquet {}",
                    h.bouquet.code()
                ),
                Some(c) => {
                    habilitations.push((c.id, h.bouquet));
                    continue;
                }
            };
            valid = false;
            errors.push(refuse(*ligne, "habilitations", raison));
        }
        if valid {
            utilisateurs.push(Utilisateur {
                caisse_id: caisse.id,
                partenaire_id,
                record: u,
                habilitations,
            });
        }
    }
    write_utilisateurs(conn, utilisateurs).await?;

    let mut dossiers = Vec::new();
    for (ligne, d) in &batch.dossiers {
        let Some(caisse) = known_caisse(&caisses, *ligne, d.caisse.as_str(), &mut errors) else {
            continue;
        };
        let departement = d.dossier.departement.as_str();
        if hors_caisse(caisse, [departement]).is_some() {
            errors.push(refuse(
                *ligne,
                "departement",
                format!(
                    "département {departement} hors de la caisse {} (qui gère : {})",
                    d.caisse,
                    caisse.departements.join(", ")
                ),
            ));
            continue;
        }
        // Past the first error the file is refused anyway: check the rest, write none of it.
        if errors.is_empty() {
            dossiers.push((caisse.id, d));
        }
    }

    if !errors.is_empty() {
        errors.sort_by_key(|e| e.ligne);
        return Err(ImportError::Refused(errors));
    }
    write_dossiers(conn, dossiers).await?;
    Ok(counts)
}

fn unknown_partner(ligne: usize, tiers: &str, caisse: &str) -> LineError {
    refuse(
        ligne,
        "partenaire",
        format!(
            "partenaire « {tiers} » inconnu dans la caisse {caisse} : ni dans le fichier ni déjà enregistré"
        ),
    )
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
            "INSERT INTO partenaires (caisse_id, numero_tiers, nom, categorie, siret, departements)
             SELECT caisse_id, numero_tiers, nom, categorie, siret, string_to_array(departements, ',')
             FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
                  AS t(caisse_id, numero_tiers, nom, categorie, siret, departements)
             ON CONFLICT (caisse_id, numero_tiers) DO UPDATE SET nom = excluded.nom,
                 categorie = excluded.categorie, siret = excluded.siret, departements = excluded.departements",
        )
        .bind(chunk.iter().map(|(c, _)| *c).collect::<Vec<_>>())
        .bind(chunk.iter().map(|(_, p)| p.numero_tiers.as_str()).collect::<Vec<_>>())
        .bind(chunk.iter().map(|(_, p)| p.nom.as_str()).collect::<Vec<_>>())
        .bind(chunk.iter().map(|(_, p)| p.categorie.as_str()).collect::<Vec<_>>())
        .bind(chunk.iter().map(|(_, p)| p.siret.as_str()).collect::<Vec<_>>())
        .bind(
            chunk
                .iter()
                .map(|(_, p)| codes(p.departements.iter().map(|d| d.as_str())))
                .collect::<Vec<_>>(),
        )
        .execute(&mut *conn)
        .await
        .db()?;
    }
    Ok(())
}

async fn load_partenaires(conn: &mut PgConnection, caisses: &[i64]) -> Result<Keyed<i64>, StoreError> {
    let rows: Vec<(i64, i64, String)> =
        sqlx::query_as("SELECT id, caisse_id, numero_tiers FROM partenaires WHERE caisse_id = ANY($1)")
            .bind(caisses)
            .fetch_all(&mut *conn)
            .await
            .db()?;
    Ok(rows
        .into_iter()
        .map(|(id, caisse_id, tiers)| ((caisse_id, tiers), id))
        .collect())
}

async fn write_conventions(
    conn: &mut PgConnection,
    conventions: Vec<(i64, i64, &ConventionRecord)>,
) -> Result<(), StoreError> {
    let conventions = last_by_key(conventions, |(c, _, r)| key(*c, r.convention.numero.as_str()));
    for chunk in conventions.chunks(CHUNK) {
        sqlx::query(
            "INSERT INTO conventions
                 (caisse_id, numero, partenaire_id, bouquets, signee_le, formalite_cnil_le, fin_le)
             SELECT caisse_id, numero, partenaire_id, string_to_array(bouquets, ','), signee_le,
                    formalite_cnil_le, fin_le
             FROM UNNEST($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::date[], $6::date[], $7::date[])
                  AS t(caisse_id, numero, partenaire_id, bouquets, signee_le, formalite_cnil_le, fin_le)
             ON CONFLICT (caisse_id, numero) DO UPDATE SET partenaire_id = excluded.partenaire_id,
                 bouquets = excluded.bouquets, signee_le = excluded.signee_le,
                 formalite_cnil_le = excluded.formalite_cnil_le, fin_le = excluded.fin_le",
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

struct Utilisateur<'a> {
    caisse_id: i64,
    partenaire_id: i64,
    record: &'a UtilisateurRecord,
    /// (convention id, bouquet), all checked.
    habilitations: Vec<(i64, Bouquet)>,
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
        for u in chunk {
            if let Some(&id) = ids.get(&key(u.caisse_id, u.record.identifiant.as_str())) {
                for (convention, bouquet) in &u.habilitations {
                    users.push(id);
                    conventions.push(*convention);
                    bouquets.push(bouquet.code());
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
            "INSERT INTO habilitations (utilisateur_id, convention_id, bouquet)
             SELECT * FROM UNNEST($1::bigint[], $2::bigint[], $3::text[])
             ON CONFLICT DO NOTHING",
        )
        .bind(users)
        .bind(conventions)
        .bind(bouquets)
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
