//! partage's production store: PostgreSQL, for volume and for several application servers sharing one
//! database. Bulk writes (import, journal) send whole columns as arrays and `UNNEST` them, so a batch costs
//! one round trip per statement however many rows it holds.

mod abus;
mod activations;
mod avenants;
mod baremes;
mod codec;
mod cycles;
mod dormants;
mod dossiers;
mod double_facteur;
mod error;
mod habilitations;
mod import;
mod mots_de_passe;
mod partenaires;
mod personnel;
mod plages;
mod retention;
mod statistiques;
mod supervision;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
mod trace_log;
mod verrouillage;

use crate::codec::{parse_action, parse_bouquet, parse_departements, parse_regime, parse_resultat};
use crate::error::{corrupt, DbResult};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use partage_domain::perimetre::{Habilitation, Perimetre};
use partage_domain::trace::Trace;
use partage_domain::{CaisseCode, Dossier, Identifiant};
use partage_store::{
    CaisseId, ImportCounts, ImportError, JournalBatch, LoginRecord, NewSession, NirHash, NirKey,
    NumberedRecord, SessionRecord, Store, StoreError, StoredTrace, TokenHash, UserId,
};
use rand::RngCore;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{FromRow, PgPool, Row};
use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

/// Connections per application server; PostgreSQL's default limit of 100 leaves room for several servers,
/// an import and supervision queries.
const MAX_CONNECTIONS: u32 = 10;

const NIR_KEY: &str = "nir_key";

#[derive(Clone)]
pub struct PostgresStore {
    pool: PgPool,
    schema: Option<String>,
}

/// A database URL as it may be shown in a message or a log: its password masked.
pub fn url_without_password(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

impl fmt::Debug for PostgresStore {
    // The URL may hold a password: it is not kept, and so never printed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresStore")
            .field("schema", &self.schema)
            .finish_non_exhaustive()
    }
}

impl PostgresStore {
    /// Connects to the database at `postgres://…`, in its default schema.
    pub async fn connect(url: &str) -> Result<PostgresStore, StoreError> {
        let options = PgConnectOptions::from_str(url).db()?;
        let pool = pool(options).await?;
        Ok(PostgresStore { pool, schema: None })
    }

    /// Connects with every pooled connection working in `schema` (created if missing), so that several
    /// deployments, or tests running side by side, share one database without seeing each other's tables.
    /// The name is restricted to lowercase letters, digits and `_`, so it never needs quoting.
    pub async fn connect_with_schema(url: &str, schema: &str) -> Result<PostgresStore, StoreError> {
        let plain = schema.len() <= 63
            && schema.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
            && schema
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !plain {
            return Err(StoreError::Backend(format!(
                "nom de schéma « {schema} » refusé : lettres minuscules, chiffres et _ seulement"
            )));
        }
        // A startup parameter rather than a `SET` after connecting: it holds for every connection the pool
        // ever opens, including those reopened after a network failure.
        let options = PgConnectOptions::from_str(url)
            .db()?
            .options([("search_path", schema)]);
        let pool = pool(options).await?;
        sqlx::query(&format!("CREATE SCHEMA IF NOT EXISTS {schema}"))
            .execute(&pool)
            .await
            .db()?;
        Ok(PostgresStore {
            pool,
            schema: Some(schema.to_owned()),
        })
    }

    /// Brings the schema up to date, then makes sure the NIR key exists, so that it is created once, by the
    /// administrator's `migrate`, rather than by whichever request comes first.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        sqlx::migrate!("./migrations").run(&self.pool).await.db()?;
        self.nir_key().await.map(|_| ())
    }

    /// Waits for running queries, then closes every connection.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// A pooled connection idle longer than this is checked (one round trip) before use; see [`pool`].
const PING_AFTER_IDLE: std::time::Duration = std::time::Duration::from_secs(30);

/// The partner's départements, then for each habilitation: bouquet, convention numero, bouquets,
/// signee_le, formalite_cnil_le, fin_le, circonscriptions (all `None` for a user without habilitation), and
/// the départements the convention narrows to (`None` when not narrowed).
type PerimetreRow = (
    Vec<String>,
    Option<String>,
    Option<String>,
    Option<Vec<String>>,
    Option<NaiveDate>,
    Option<NaiveDate>,
    Option<NaiveDate>,
    Option<Vec<String>>,
    Option<Vec<String>>,
);

/// A session's row with its user, caisse and partner ([`SessionRow`]), by its token's hash `$1`.
const SESSION_COLUMNS: &str = "s.utilisateur_id, c.id AS caisse_id, c.code, c.regime, u.identifiant,
        p.numero_tiers, s.created_at, s.last_seen_at, u.must_change_password, u.active";
const SESSION_FROM: &str = "FROM sessions s
     JOIN utilisateurs u ON u.id = s.utilisateur_id
     JOIN caisses c ON c.id = u.caisse_id
     JOIN partenaires p ON p.id = u.partenaire_id";

/// [`Store::consultation_par_nir`]'s statement, token hash `$1`, NIR hash `$2`: the session's columns, the
/// dossier's content (`contenu_dossier`), then the perimeter's columns ([`perimetre_sql`]), one row per
/// habilitation, at least one (a user without any keeps his session and his partner's départements).
static CONSULTATION_SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "SELECT {SESSION_COLUMNS}, ({}) AS contenu_dossier, per.*
         {SESSION_FROM}
         LEFT JOIN LATERAL ({}) AS per ON true
         WHERE s.token_hash = $1
         ORDER BY per.numero, per.bouquet",
        dossier_by_nir_sql("c.id", "$2"),
        perimetre_sql("s.utilisateur_id"),
    )
});

/// The dossier's content, then a [`PerimetreRow`] whose every column may be NULL (unknown user).
type PerimetreEtDossierRow = (
    Option<String>,
    Option<Vec<String>>,
    Option<String>,
    Option<String>,
    Option<Vec<String>>,
    Option<NaiveDate>,
    Option<NaiveDate>,
    Option<NaiveDate>,
    Option<Vec<String>>,
    Option<Vec<String>>,
);

/// The perimeter of user `user` (a placeholder or a column) as [`PerimetreRow`]s, in one statement, so one snapshot (an import committing
/// meanwhile cannot give a perimeter half old, half new). The LEFT JOIN keeps the partner's départements for
/// a user without habilitation. A suspended habilitation (HB-9) is left out in the JOIN itself: it grants
/// nothing, exactly as if the agent had none for that bouquet. Order by `numero, bouquet` where used.
fn perimetre_sql(user: &str) -> String {
    format!(
        "SELECT p.departements, h.bouquet, c.numero, c.bouquets, c.signee_le,
        c.formalite_cnil_le, c.fin_le, h.circonscriptions, c.departements AS departements_convention
     FROM utilisateurs u
     JOIN partenaires p ON p.id = u.partenaire_id
     LEFT JOIN habilitations h ON h.utilisateur_id = u.id AND NOT h.suspendue
     LEFT JOIN conventions c ON c.id = h.convention_id
     WHERE u.id = {user}"
    )
}

/// The content, as text, of the dossier of caisse `caisse` one of whose people has the NIR hash `nir`
/// (placeholders). The caisse is checked on both tables (TEN-1). A NIR may be in two dossiers (shared
/// custody); the oldest answers, so the answer does not change from one request to the next. Read as
/// text: a `jsonb` that is not a dossier must come out as corrupt, not as a driver error.
fn dossier_by_nir_sql(caisse: &str, nir: &str) -> String {
    format!(
        "SELECT d.contenu::text FROM dossier_nirs n
         JOIN dossiers d ON d.id = n.dossier_id AND d.caisse_id = n.caisse_id
         WHERE n.caisse_id = {caisse} AND n.nir_hash = {nir}
         ORDER BY d.id LIMIT 1"
    )
}

fn perimetre_from_rows(all: Vec<PerimetreRow>) -> Result<Perimetre, StoreError> {
    let departements = match all.first() {
        Some(row) => parse_departements("partenaires.departements", &row.0)?,
        // An unknown user may reach nothing.
        None => Vec::new(),
    };
    let habilitations = all
        .into_iter()
        .filter_map(
            |(_, bouquet, numero, bouquets, signee_le, cnil, fin, circ, deps)| {
                Some((bouquet?, numero?, bouquets?, signee_le?, cnil, fin, circ?, deps))
            },
        )
        .map(
            |(bouquet, numero, bouquets, signee_le, formalite_cnil_le, fin_le, circ, deps)| {
                Ok(Habilitation {
                    bouquet: parse_bouquet("habilitations.bouquet", &bouquet)?,
                    convention: codec::ConventionRow {
                        numero,
                        bouquets,
                        signee_le,
                        formalite_cnil_le,
                        fin_le,
                    }
                    .into_convention()?,
                    circonscriptions: partage_store::codec::parse_circonscriptions(
                        "habilitations.circonscriptions",
                        &circ,
                    )?,
                    departements_convention: parse_departements(
                        "conventions.departements",
                        &deps.unwrap_or_default(),
                    )?,
                })
            },
        )
        .collect::<Result<_, StoreError>>()?;
    Ok(Perimetre {
        departements,
        habilitations,
    })
}

async fn pool(options: PgConnectOptions) -> Result<PgPool, StoreError> {
    // sqlx checks every connection it takes from the pool with a round trip to the server before handing
    // it out: on the consultation path, that doubled the round trips of every statement. A connection
    // in constant use is known alive by its last statement; only one left idle a while (the server may
    // have restarted, a firewall may have dropped it) is checked, and replaced if dead.
    PgPoolOptions::new()
        .max_connections(MAX_CONNECTIONS)
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for >= PING_AFTER_IDLE {
                    sqlx::Connection::ping(conn).await?;
                }
                Ok(true)
            })
        })
        .connect_with(options.application_name("partage"))
        .await
        .db()
}

async fn stored_key(pool: &PgPool) -> Result<Option<NirKey>, StoreError> {
    let row: Option<(Vec<u8>,)> = sqlx::query_as("SELECT valeur FROM parametres WHERE nom = $1")
        .bind(NIR_KEY)
        .fetch_optional(pool)
        .await
        .db()?;
    row.map(|(bytes,)| {
        <[u8; 32]>::try_from(bytes.as_slice()).map(NirKey).map_err(|_| {
            corrupt(
                "parametres.nir_key",
                format!("{} octets au lieu de 32", bytes.len()),
            )
        })
    })
    .transpose()
}

use partage_store::codec::{identifiant, numero_tiers};

#[derive(sqlx::FromRow)]
pub(crate) struct TraceRow {
    id: i64,
    horodatage: DateTime<Utc>,
    caisse: Option<String>,
    utilisateur: Option<String>,
    partenaire: Option<String>,
    source: String,
    action: String,
    bouquet: Option<String>,
    rubriques: Option<String>,
    matricule: Option<String>,
    nir_hache: Option<String>,
    resultat: String,
    purgee_le: Option<DateTime<Utc>>,
    feuille_conservee: Option<Vec<u8>>,
}

/// The columns a [`TraceRow`] reads.
pub(crate) const TRACE_COLUMNS: &str = "id, horodatage, caisse, utilisateur, partenaire, source, action, \
     bouquet, rubriques, matricule, nir_hache, resultat, purgee_le, feuille_conservee";

impl TraceRow {
    pub(crate) fn into_stored(self) -> Result<StoredTrace, StoreError> {
        let purge = match (self.purgee_le, self.feuille_conservee) {
            (None, None) => None,
            (Some(purgee_le), Some(feuille)) => Some(partage_store::retention::Purge {
                purgee_le,
                feuille: <[u8; 32]>::try_from(feuille.as_slice()).map_err(|_| {
                    corrupt(
                        "traces.feuille_conservee",
                        format!("{} octets au lieu de 32", feuille.len()),
                    )
                })?,
            }),
            _ => {
                return Err(corrupt(
                    "traces.purgee_le",
                    "purge sans empreinte conservée, ou l'inverse",
                ))
            }
        };
        Ok(StoredTrace {
            purge,
            id: self.id,
            trace: Trace {
                horodatage: self.horodatage,
                caisse: self.caisse,
                utilisateur: self.utilisateur,
                partenaire: self.partenaire,
                source: self.source,
                action: parse_action(&self.action)?,
                bouquet: self
                    .bouquet
                    .map(|b| parse_bouquet("traces.bouquet", &b))
                    .transpose()?,
                rubriques: self.rubriques,
                matricule: self.matricule,
                nir_hache: self.nir_hache,
                resultat: parse_resultat(&self.resultat)?,
            },
        })
    }
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    utilisateur_id: i64,
    caisse_id: i64,
    code: String,
    regime: String,
    identifiant: String,
    numero_tiers: String,
    created_at: DateTime<Utc>,
    last_seen_at: DateTime<Utc>,
    must_change_password: bool,
    active: bool,
}

impl SessionRow {
    fn into_record(self) -> Result<SessionRecord, StoreError> {
        let r = self;
        Ok(SessionRecord {
            user: UserId(r.utilisateur_id),
            caisse_id: CaisseId(r.caisse_id),
            caisse: CaisseCode::parse(&r.code).map_err(|e| corrupt("caisses.code", e))?,
            regime: parse_regime(&r.regime)?,
            identifiant: identifiant(&r.identifiant)?,
            partenaire: numero_tiers(&r.numero_tiers)?,
            created_at: r.created_at,
            last_seen_at: r.last_seen_at,
            must_change_password: r.must_change_password,
            active: r.active,
        })
    }
}

#[async_trait]
impl Store for PostgresStore {
    async fn nir_key(&self) -> Result<NirKey, StoreError> {
        if let Some(key) = stored_key(&self.pool).await? {
            return Ok(key);
        }
        let mut fresh = [0u8; 32];
        rand::rngs::OsRng
            .try_fill_bytes(&mut fresh)
            .map_err(|e| StoreError::Backend(format!("générateur aléatoire du système : {e}")))?;
        // DO NOTHING: if another server stored a key meanwhile, its key wins and is the one read back;
        // replacing a key would orphan every NIR hash made with it.
        sqlx::query("INSERT INTO parametres (nom, valeur) VALUES ($1, $2) ON CONFLICT (nom) DO NOTHING")
            .bind(NIR_KEY)
            .bind(&fresh[..])
            .execute(&self.pool)
            .await
            .db()?;
        stored_key(&self.pool)
            .await?
            .ok_or_else(|| corrupt("parametres.nir_key", "absente après son enregistrement"))
    }

    async fn import(&self, records: Vec<NumberedRecord>) -> Result<ImportCounts, ImportError> {
        let mut tx = self.pool.begin().await.db()?;
        match import::apply(&mut tx, records).await {
            Ok(counts) => {
                tx.commit().await.db()?;
                Ok(counts)
            }
            Err(e) => {
                tx.rollback().await.db()?;
                Err(e)
            }
        }
    }

    async fn find_login(
        &self,
        caisse: &CaisseCode,
        identifiant: &Identifiant,
    ) -> Result<Option<LoginRecord>, StoreError> {
        let row: Option<partage_store::codec::LoginRow> = sqlx::query_as(
            "SELECT u.id, c.id, u.identifiant, p.numero_tiers, u.password_hash, u.must_change_password, u.active
             FROM utilisateurs u
             JOIN caisses c ON c.id = u.caisse_id
             JOIN partenaires p ON p.id = u.partenaire_id
             WHERE c.code = $1 AND u.identifiant = $2",
        )
        .bind(caisse.as_str())
        .bind(identifiant.as_str())
        .fetch_optional(&self.pool)
        .await
        .db()?;
        row.map(partage_store::codec::login_record).transpose()
    }

    async fn change_password(
        &self,
        user: UserId,
        new_hash: &str,
        keep_session: &TokenHash,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.db()?;
        sqlx::query("UPDATE utilisateurs SET password_hash = $1, must_change_password = false WHERE id = $2")
            .bind(new_hash)
            .bind(user.0)
            .execute(&mut *tx)
            .await
            .db()?;
        // Whoever else held a session may have had the old password: all of them end with it.
        sqlx::query("DELETE FROM sessions WHERE utilisateur_id = $1 AND token_hash <> $2")
            .bind(user.0)
            .bind(keep_session.0.as_str())
            .execute(&mut *tx)
            .await
            .db()?;
        tx.commit().await.db()
    }

    async fn create_session(&self, session: &NewSession) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, utilisateur_id, created_at, last_seen_at) VALUES ($1, $2, $3, $3)",
        )
        .bind(session.token_hash.0.as_str())
        .bind(session.user.0)
        .bind(session.created_at)
        .execute(&self.pool)
        .await
        .db()?;
        Ok(())
    }

    async fn session(&self, token_hash: &TokenHash) -> Result<Option<SessionRecord>, StoreError> {
        let row: Option<SessionRow> = sqlx::query_as(&format!(
            "SELECT {SESSION_COLUMNS} {SESSION_FROM} WHERE s.token_hash = $1"
        ))
        .bind(token_hash.0.as_str())
        .fetch_optional(&self.pool)
        .await
        .db()?;
        row.map(SessionRow::into_record).transpose()
    }

    async fn consultation_par_nir(
        &self,
        token_hash: &TokenHash,
        nir: &NirHash,
    ) -> Result<Option<(SessionRecord, Perimetre, Option<Dossier>)>, StoreError> {
        // One statement, one round trip, one snapshot: the session's row, then its user's perimeter
        // rows (LATERAL, at least one: the LEFT JOIN keeps the session for a user without any), each
        // carrying the dossier's content, read once as a scalar subquery keyed by the session's caisse.
        let rows = sqlx::query(&CONSULTATION_SQL)
            .bind(token_hash.0.as_str())
            .bind(nir.0.as_str())
            .fetch_all(&self.pool)
            .await
            .db()?;
        let Some(first) = rows.first() else {
            return Ok(None);
        };
        let session = SessionRow::from_row(first).db()?.into_record()?;
        let contenu: Option<String> = first.try_get("contenu_dossier").db()?;
        let dossier = contenu
            .map(|c| codec::parse_json("dossiers.contenu", &c))
            .transpose()?;
        let perimetre = rows
            .iter()
            .map(|r| -> Result<Option<PerimetreRow>, sqlx::Error> {
                let Some(departements) = r.try_get::<Option<Vec<String>>, _>("departements")? else {
                    return Ok(None);
                };
                Ok(Some((
                    departements,
                    r.try_get("bouquet")?,
                    r.try_get("numero")?,
                    r.try_get("bouquets")?,
                    r.try_get("signee_le")?,
                    r.try_get("formalite_cnil_le")?,
                    r.try_get("fin_le")?,
                    r.try_get("circonscriptions")?,
                    r.try_get("departements_convention")?,
                )))
            })
            .filter_map(Result::transpose)
            .collect::<Result<Vec<_>, _>>()
            .db()?;
        Ok(Some((session, perimetre_from_rows(perimetre)?, dossier)))
    }

    async fn end_session(&self, token_hash: &TokenHash) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash.0.as_str())
            .execute(&self.pool)
            .await
            .db()?;
        Ok(())
    }

    async fn end_all_sessions(&self, user: UserId) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM sessions WHERE utilisateur_id = $1")
            .bind(user.0)
            .execute(&self.pool)
            .await
            .db()?;
        Ok(done.rows_affected())
    }

    async fn perimetre(&self, user: UserId) -> Result<Perimetre, StoreError> {
        let rows: Vec<PerimetreRow> =
            sqlx::query_as(&format!("{} ORDER BY numero, bouquet", perimetre_sql("$1")))
                .bind(user.0)
                .fetch_all(&self.pool)
                .await
                .db()?;
        perimetre_from_rows(rows)
    }

    async fn dossier_by_nir(&self, caisse: CaisseId, nir: &NirHash) -> Result<Option<Dossier>, StoreError> {
        let row: Option<(String,)> = sqlx::query_as(&dossier_by_nir_sql("$1", "$2"))
            .bind(caisse.0)
            .bind(nir.0.as_str())
            .fetch_optional(&self.pool)
            .await
            .db()?;
        row.map(|(contenu,)| codec::parse_json("dossiers.contenu", &contenu))
            .transpose()
    }

    async fn perimetre_et_dossier_par_nir(
        &self,
        user: UserId,
        caisse: CaisseId,
        nir: &NirHash,
    ) -> Result<(Perimetre, Option<Dossier>), StoreError> {
        // One statement, one round trip, one snapshot: the perimeter's rows (none for an unknown user, kept
        // by the LEFT JOIN to a one-row table) each carry the dossier's content, read once as a scalar
        // subquery. A user has a handful of habilitations; the content travels that many times.
        let rows: Vec<PerimetreEtDossierRow> = sqlx::query_as(&format!(
            "SELECT ({}), per.*
                 FROM (SELECT 1) AS un
                 LEFT JOIN ({}) AS per ON true
                 ORDER BY per.numero, per.bouquet",
            dossier_by_nir_sql("$2", "$3"),
            perimetre_sql("$1"),
        ))
        .bind(user.0)
        .bind(caisse.0)
        .bind(nir.0.as_str())
        .fetch_all(&self.pool)
        .await
        .db()?;
        let dossier = match rows.first().and_then(|r| r.0.as_deref()) {
            Some(contenu) => Some(codec::parse_json("dossiers.contenu", contenu)?),
            None => None,
        };
        let perimetre = perimetre_from_rows(
            rows.into_iter()
                .filter_map(
                    |(_, dep, bouquet, numero, bouquets, signee_le, cnil, fin, circ, deps)| {
                        Some((dep?, bouquet, numero, bouquets, signee_le, cnil, fin, circ, deps))
                    },
                )
                .collect(),
        )?;
        Ok((perimetre, dossier))
    }

    async fn journal(&self, batch: &JournalBatch) -> Result<(), StoreError> {
        if batch.traces.is_empty() && batch.session_touches.is_empty() {
            return Ok(());
        }
        let mut tx = self.pool.begin().await.db()?;
        if !batch.traces.is_empty() {
            // Identity values are taken at insert but become visible at commit: two servers journalling at
            // once could commit ids out of order, and a reader paging with `traces_after` would step over
            // the later-committed lower id for good. Writers take turns; readers are not blocked.
            sqlx::query("LOCK TABLE traces IN EXCLUSIVE MODE")
                .execute(&mut *tx)
                .await
                .db()?;
            let t = &batch.traces;
            sqlx::query(
                "INSERT INTO traces (horodatage, caisse, utilisateur, partenaire, source, action, bouquet,
                                     rubriques, matricule, nir_hache, resultat)
                 SELECT horodatage, caisse, utilisateur, partenaire, source, action, bouquet,
                        rubriques, matricule, nir_hache, resultat
                 FROM UNNEST($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                             $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])
                      WITH ORDINALITY AS t(horodatage, caisse, utilisateur, partenaire, source, action, bouquet,
                                           rubriques, matricule, nir_hache, resultat, rang)
                 ORDER BY rang",
            )
            .bind(t.iter().map(|t| t.horodatage).collect::<Vec<_>>())
            .bind(t.iter().map(|t| t.caisse.clone()).collect::<Vec<_>>())
            .bind(t.iter().map(|t| t.utilisateur.clone()).collect::<Vec<_>>())
            .bind(t.iter().map(|t| t.partenaire.clone()).collect::<Vec<_>>())
            .bind(t.iter().map(|t| t.source.clone()).collect::<Vec<_>>())
            .bind(t.iter().map(|t| t.action.code()).collect::<Vec<_>>())
            .bind(t.iter().map(|t| t.bouquet.map(|b| b.code())).collect::<Vec<_>>())
            .bind(t.iter().map(|t| t.rubriques.clone()).collect::<Vec<_>>())
            .bind(t.iter().map(|t| t.matricule.clone()).collect::<Vec<_>>())
            .bind(t.iter().map(|t| t.nir_hache.clone()).collect::<Vec<_>>())
            .bind(t.iter().map(|t| t.resultat.code()).collect::<Vec<_>>())
            .execute(&mut *tx)
            .await
            .db()?;
        }
        if !batch.session_touches.is_empty() {
            // One row per session, at its latest instant: an UPDATE … FROM joining a session twice would
            // apply either of the two.
            let mut touches: HashMap<&str, DateTime<Utc>> = HashMap::new();
            for (token, at) in &batch.session_touches {
                let latest = touches.entry(token.0.as_str()).or_insert(*at);
                *latest = (*latest).max(*at);
            }
            let (tokens, instants): (Vec<&str>, Vec<DateTime<Utc>>) = touches.into_iter().unzip();
            // GREATEST: a slow request finishing late must not move the session's activity back in time.
            sqlx::query(
                "UPDATE sessions s SET last_seen_at = GREATEST(s.last_seen_at, t.vu)
                 FROM UNNEST($1::text[], $2::timestamptz[]) AS t(token_hash, vu)
                 WHERE s.token_hash = t.token_hash",
            )
            .bind(tokens)
            .bind(instants)
            .execute(&mut *tx)
            .await
            .db()?;
        }
        tx.commit().await.db()
    }

    async fn traces_after(&self, after: i64, limit: u32) -> Result<Vec<StoredTrace>, StoreError> {
        let rows: Vec<TraceRow> = sqlx::query_as(&format!(
            "SELECT {TRACE_COLUMNS} FROM traces WHERE id > $1 ORDER BY id LIMIT $2"
        ))
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .db()?;
        rows.into_iter().map(TraceRow::into_stored).collect()
    }
}
