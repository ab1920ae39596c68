//! partage's embedded default store: one SQLite file.
//!
//! SQLite lets one writer in at a time, so writes go through a pool of a single connection (queued here
//! rather than failing on a lock), while reads use a pool of several read-only connections that WAL lets run
//! beside the writer. `synchronous=FULL` makes every commit reach the disk before it returns: a trace
//! `journal` has accepted survives a power cut (TR-1).

mod abus;
mod activations;
mod avenants;
mod baremes;
mod codec;
mod cycles;
mod dormants;
mod dossiers;
mod double_facteur;
mod ecrivain;
mod error;
mod habilitations;
mod hot;
mod import;
mod mots_de_passe;
mod partenaires;
mod personnel;
mod plages;
mod retention;
mod statistiques;
mod supervision;
mod trace_log;
mod verrouillage;

use crate::codec::{instant, parse_action, parse_bouquet, parse_instant, parse_regime, parse_resultat};
use crate::error::{corrupt, DbResult};
use async_trait::async_trait;
use partage_domain::perimetre::{Habilitation, Perimetre};
use partage_domain::trace::Trace;
use partage_domain::{CaisseCode, Dossier, Identifiant};
use partage_store::{
    CaisseId, ImportCounts, ImportError, JournalBatch, LoginRecord, NewSession, NirHash, NirKey,
    NumberedRecord, SessionRecord, Store, StoreError, StoredTrace, TokenHash, UserId,
};
use rand::RngCore;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool};
use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// Readers that may run beside the writer; more would only compete for the same few cores.
const READERS: u32 = 4;

/// How long a statement waits for a lock held by another process (a `partage import` run beside the
/// server) before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// Pages the writer keeps in memory, in KiB (negative: SQLite's unit for a size rather than a page count).
/// An import of 100,000 dossiers touches far more than the default 2 MiB, and would otherwise spill
/// half-written pages to the WAL mid-transaction.
const WRITER_CACHE_KIB: &str = "-65536";

/// Under SQLite's default limit of 32,766 bound parameters per statement.
pub(crate) const MAX_BINDS: usize = 30_000;

const NIR_KEY: &str = "nir_key";

#[derive(Clone)]
pub struct SqliteStore {
    writer: SqlitePool,
    readers: SqlitePool,
    /// The consultation's hot-path reads, without sqlx's per-statement thread hand-offs (see hot.rs).
    hot: Arc<hot::HotReader>,
    /// The journal's group-committed writes, on a thread of their own (see ecrivain.rs).
    journal: Arc<ecrivain::JournalWriter>,
    path: PathBuf,
}

impl fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens (creating it if missing) the database at `sqlite://PATH`.
    pub async fn connect(url: &str) -> Result<SqliteStore, StoreError> {
        let options = SqliteConnectOptions::from_str(url).db()?;
        let path = options.get_filename().to_path_buf();
        // Each connection of an in-memory database is a database of its own: the readers would not see
        // what the writer wrote.
        if url.contains(":memory:") || url.contains("mode=memory") {
            return Err(StoreError::Backend(
                "une base SQLite en mémoire n'est pas prise en charge : indiquez un fichier (sqlite://CHEMIN)".into(),
            ));
        }
        let options = options
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT)
            .synchronous(SqliteSynchronous::Full);
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(
                options
                    .clone()
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .pragma("cache_size", WRITER_CACHE_KIB),
            )
            .await
            .db()?;
        // Read-only, so a query sent to the wrong pool fails at once instead of racing the writer.
        let readers = SqlitePoolOptions::new()
            .max_connections(READERS)
            // No memory map, as for the consultation's readers (see `hot`): with traces committing all
            // the time, SQLite unmaps and faults back the whole map at nearly every read transaction.
            .connect_with(options.read_only(true))
            .await
            .db()?;
        Ok(SqliteStore {
            writer,
            readers,
            hot: Arc::new(hot::HotReader::new(path.clone())),
            journal: Arc::new(ecrivain::JournalWriter::spawn(path.clone(), BUSY_TIMEOUT)?),
            path,
        })
    }

    /// Brings the schema up to date, then makes sure the NIR key exists, so that it is created once, by the
    /// administrator's `migrate`, rather than by whichever request comes first.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        sqlx::migrate!("./migrations").run(&self.writer).await.db()?;
        self.nir_key().await.map(|_| ())
    }

    /// Waits for running queries, then closes every connection, checkpointing the WAL into the file.
    pub async fn close(&self) {
        self.readers.close().await;
        self.writer.close().await;
    }

    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, Sqlite>, StoreError> {
        // IMMEDIATE takes the write lock at once: a transaction that reads first and writes later could
        // otherwise find another process committed in between and fail without waiting (SQLITE_BUSY).
        self.writer.begin_with("BEGIN IMMEDIATE").await.db()
    }
}

async fn stored_key(pool: &SqlitePool) -> Result<Option<NirKey>, StoreError> {
    let row: Option<(Vec<u8>,)> = sqlx::query_as("SELECT valeur FROM parametres WHERE nom = ?")
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

pub(crate) type TraceRow = (
    i64,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    Option<String>,
    Option<Vec<u8>>,
);

/// The columns a [`TraceRow`] reads, in its order.
pub(crate) const TRACE_COLUMNS: &str = "id, horodatage, caisse, utilisateur, partenaire, source, action, \
     bouquet, rubriques, matricule, nir_hache, resultat, purgee_le, feuille_conservee";

pub(crate) fn stored_trace(row: TraceRow) -> Result<StoredTrace, StoreError> {
    let (
        id,
        horodatage,
        caisse,
        utilisateur,
        partenaire,
        source,
        action,
        bouquet,
        rubriques,
        matricule,
        nir,
        res,
        purgee_le,
        feuille,
    ) = row;
    let purge = match (purgee_le, feuille) {
        (None, None) => None,
        (Some(at), Some(feuille)) => Some(partage_store::retention::Purge {
            purgee_le: parse_instant("traces.purgee_le", &at)?,
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
                "purge sans empreinte conservée, ou l'inverse".to_owned(),
            ))
        }
    };
    Ok(StoredTrace {
        purge,
        id,
        trace: Trace {
            horodatage: parse_instant("traces.horodatage", &horodatage)?,
            caisse,
            utilisateur,
            partenaire,
            source,
            action: parse_action(&action)?,
            bouquet: bouquet.map(|b| parse_bouquet("traces.bouquet", &b)).transpose()?,
            rubriques,
            matricule,
            nir_hache: nir,
            resultat: parse_resultat(&res)?,
        },
    })
}

fn session_from_row(row: hot::SessionRow) -> Result<SessionRecord, StoreError> {
    let (user, caisse_id, code, regime, ident, tiers, created, seen, must_change, active) = row;
    Ok(SessionRecord {
        user: UserId(user),
        caisse_id: CaisseId(caisse_id),
        caisse: CaisseCode::parse(&code).map_err(|e| corrupt("caisses.code", e))?,
        regime: parse_regime(&regime)?,
        identifiant: identifiant(&ident)?,
        partenaire: numero_tiers(&tiers)?,
        created_at: parse_instant("sessions.created_at", &created)?,
        last_seen_at: parse_instant("sessions.last_seen_at", &seen)?,
        must_change_password: must_change,
        active,
    })
}

fn perimetre_from_rows(all: Vec<hot::PerimetreRow>) -> Result<Perimetre, StoreError> {
    let departements = all.first().map(|row| (row.0.clone(),));
    #[allow(clippy::type_complexity)] // One tuple per row is clearer here than a struct used once.
    let rows: Vec<(
        String,
        String,
        String,
        String,
        Option<String>,
        Option<String>,
        String,
        Option<String>,
    )> = all
        .into_iter()
        .filter_map(
            |(_, bouquet, numero, bouquets, signee_le, cnil, fin, circ, deps)| {
                Some((bouquet?, numero?, bouquets?, signee_le?, cnil, fin, circ?, deps))
            },
        )
        .collect();
    let departements = match departements {
        Some((text,)) => codec::parse_departements("partenaires.departements", &text)?,
        // An unknown user may reach nothing.
        None => Vec::new(),
    };
    let habilitations = rows
        .into_iter()
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
                    circonscriptions: codec::parse_json("habilitations.circonscriptions", &circ)?,
                    departements_convention: match deps {
                        Some(text) => codec::parse_departements("conventions.departements", &text)?,
                        None => Vec::new(),
                    },
                })
            },
        )
        .collect::<Result<_, StoreError>>()?;
    Ok(Perimetre {
        departements,
        habilitations,
    })
}

#[async_trait]
impl Store for SqliteStore {
    async fn nir_key(&self) -> Result<NirKey, StoreError> {
        if let Some(key) = stored_key(&self.readers).await? {
            return Ok(key);
        }
        let mut fresh = [0u8; 32];
        rand::rngs::OsRng
            .try_fill_bytes(&mut fresh)
            .map_err(|e| StoreError::Backend(format!("générateur aléatoire du système : {e}")))?;
        // DO NOTHING: if another process stored a key meanwhile, its key wins and is the one read back;
        // replacing a key would orphan every NIR hash made with it.
        sqlx::query("INSERT INTO parametres (nom, valeur) VALUES (?, ?) ON CONFLICT (nom) DO NOTHING")
            .bind(NIR_KEY)
            .bind(&fresh[..])
            .execute(&self.writer)
            .await
            .db()?;
        stored_key(&self.writer)
            .await?
            .ok_or_else(|| corrupt("parametres.nir_key", "absente après son enregistrement"))
    }

    async fn import(&self, records: Vec<NumberedRecord>) -> Result<ImportCounts, ImportError> {
        let mut tx = self.begin_write().await?;
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
             WHERE c.code = ? AND u.identifiant = ?",
        )
        .bind(caisse.as_str())
        .bind(identifiant.as_str())
        .fetch_optional(&self.readers)
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
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE utilisateurs SET password_hash = ?, must_change_password = 0 WHERE id = ?")
            .bind(new_hash)
            .bind(user.0)
            .execute(&mut *tx)
            .await
            .db()?;
        // Whoever else held a session may have had the old password: all of them end with it.
        sqlx::query("DELETE FROM sessions WHERE utilisateur_id = ? AND token_hash <> ?")
            .bind(user.0)
            .bind(keep_session.0.as_str())
            .execute(&mut *tx)
            .await
            .db()?;
        tx.commit().await.db()
    }

    async fn create_session(&self, session: &NewSession) -> Result<(), StoreError> {
        let at = instant(session.created_at);
        sqlx::query(
            "INSERT INTO sessions (token_hash, utilisateur_id, created_at, last_seen_at) VALUES (?, ?, ?, ?)",
        )
        .bind(session.token_hash.0.as_str())
        .bind(session.user.0)
        .bind(&at)
        .bind(&at)
        .execute(&self.writer)
        .await
        .db()?;
        Ok(())
    }

    async fn session(&self, token_hash: &TokenHash) -> Result<Option<SessionRecord>, StoreError> {
        self.hot.session(&token_hash.0)?.map(session_from_row).transpose()
    }

    async fn end_session(&self, token_hash: &TokenHash) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = ?")
            .bind(token_hash.0.as_str())
            .execute(&self.writer)
            .await
            .db()?;
        Ok(())
    }

    async fn end_all_sessions(&self, user: UserId) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM sessions WHERE utilisateur_id = ?")
            .bind(user.0)
            .execute(&self.writer)
            .await
            .db()?;
        Ok(done.rows_affected())
    }

    async fn perimetre(&self, user: UserId) -> Result<Perimetre, StoreError> {
        perimetre_from_rows(self.hot.perimetre(user.0)?)
    }

    async fn dossier_by_nir(&self, caisse: CaisseId, nir: &NirHash) -> Result<Option<Dossier>, StoreError> {
        let row = self
            .hot
            .dossier_contenu(caisse.0, &nir.0)?
            .map(|contenu| (contenu,));
        row.map(|(contenu,)| codec::parse_json("dossiers.contenu", &contenu))
            .transpose()
    }

    async fn consultation_par_nir(
        &self,
        token_hash: &TokenHash,
        nir: &NirHash,
    ) -> Result<Option<(SessionRecord, Perimetre, Option<Dossier>)>, StoreError> {
        let Some((session, rows, contenu)) = self.hot.consultation(&token_hash.0, &nir.0)? else {
            return Ok(None);
        };
        let dossier = contenu
            .map(|contenu| codec::parse_json("dossiers.contenu", &contenu))
            .transpose()?;
        Ok(Some((
            session_from_row(session)?,
            perimetre_from_rows(rows)?,
            dossier,
        )))
    }

    async fn perimetre_et_dossier_par_nir(
        &self,
        user: UserId,
        caisse: CaisseId,
        nir: &NirHash,
    ) -> Result<(Perimetre, Option<Dossier>), StoreError> {
        let (rows, contenu) = self.hot.perimetre_et_dossier(user.0, caisse.0, &nir.0)?;
        let dossier = contenu
            .map(|contenu| codec::parse_json("dossiers.contenu", &contenu))
            .transpose()?;
        Ok((perimetre_from_rows(rows)?, dossier))
    }

    async fn journal(&self, batch: &JournalBatch) -> Result<(), StoreError> {
        if batch.traces.is_empty() && batch.session_touches.is_empty() {
            return Ok(());
        }
        self.journal.write(batch.clone()).await
    }

    async fn traces_after(&self, after: i64, limit: u32) -> Result<Vec<StoredTrace>, StoreError> {
        let rows: Vec<TraceRow> = sqlx::query_as(&format!(
            "SELECT {TRACE_COLUMNS} FROM traces WHERE id > ? ORDER BY id LIMIT ?"
        ))
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(&self.readers)
        .await
        .db()?;
        rows.into_iter().map(stored_trace).collect()
    }
}
