//! The reads every consultation makes — session, perimeter, dossier — run synchronously with rusqlite on
//! the calling thread.
//!
//! Why not through sqlx like the rest: sqlx runs each SQLite connection on a thread of its own, so every
//! statement costs two thread hand-offs. Profiling the benchmark showed those hand-offs (context switches)
//! taking most of the CPU of a consultation, far more than SQLite's own work (an indexed lookup of a few
//! microseconds). In WAL mode a reader never waits for the writer, so running these short reads inline
//! does not stall the async runtime. Writes stay on sqlx's single writer, where group commit amortises them.

use partage_store::StoreError;
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

/// Idle connections kept for reuse; more only appear under more concurrency than there are threads.
const MAX_IDLE: usize = 16;

pub(crate) struct HotReader {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

/// A session row, as stored: (user, caisse id, caisse code, régime, identifiant, numéro tiers, created_at,
/// last_seen_at, must_change_password, active).
pub(crate) type SessionRow = (
    i64,
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    bool,
    bool,
);

/// The partner's départements, then for each habilitation: bouquet, convention numero, bouquets,
/// signee_le, formalite_cnil_le, fin_le, circonscriptions (all `None` for a user without habilitation), and
/// the départements the convention narrows to (`None` when not narrowed).
pub(crate) type PerimetreRow = (
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// A consultation's three reads: the session, its user's perimeter, the dossier's stored content.
pub(crate) type ConsultationRows = (SessionRow, Vec<PerimetreRow>, Option<String>);

fn db(e: rusqlite::Error) -> StoreError {
    StoreError::Backend(format!("lecture SQLite : {e}"))
}

impl HotReader {
    pub(crate) fn new(path: PathBuf) -> HotReader {
        HotReader {
            path,
            idle: Mutex::new(Vec::new()),
        }
    }

    fn open(&self) -> Result<Connection, StoreError> {
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI,
        )
        .map_err(db)?;
        // Readers only wait in rare cases (WAL recovery after a crash); never for long on the runtime.
        conn.busy_timeout(Duration::from_millis(500)).map_err(db)?;
        // No memory map: a read transaction that finds the write-ahead log changed since the connection's
        // last one — under load nearly every one, traces commit all the time — unmaps the whole map and
        // faults its pages back in (perf: ~225 munmap calls a second, each a TLB shoot-down on every core,
        // about 6 % of a consultation). Re-reading a few pages from the OS cache costs less.
        conn.pragma_update(None, "mmap_size", 0).map_err(db)?;
        Ok(conn)
    }

    /// Runs `read` on an idle connection (or a new one), and keeps the connection for the next read.
    fn with<T>(&self, read: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T, StoreError> {
        let pooled = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let conn = match pooled {
            Some(c) => c,
            None => self.open()?,
        };
        let out = read(&conn).map_err(db);
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        if idle.len() < MAX_IDLE {
            idle.push(conn);
        }
        out
    }

    pub(crate) fn session(&self, token_hash: &str) -> Result<Option<SessionRow>, StoreError> {
        self.with(|c| session_on(c, token_hash))
    }

    /// One statement, so one snapshot: an import committing meanwhile cannot give a perimeter half old,
    /// half new. The LEFT JOIN keeps the partner's départements for a user without habilitation. A suspended
    /// habilitation (HB-9) is left out in the JOIN itself: it grants nothing, as if the agent had none.
    pub(crate) fn perimetre(&self, user: i64) -> Result<Vec<PerimetreRow>, StoreError> {
        self.with(|c| perimetre_on(c, user))
    }

    /// The caisse is checked on both tables (TEN-1). A NIR may be in two dossiers (shared custody); the
    /// oldest answers, so the answer does not change from one request to the next.
    pub(crate) fn dossier_contenu(&self, caisse: i64, nir_hash: &str) -> Result<Option<String>, StoreError> {
        self.with(|c| dossier_on(c, caisse, nir_hash))
    }

    /// `read` inside one read transaction, begun and ended with cached statements (`Connection::transaction`
    /// would parse BEGIN and COMMIT on every call).
    fn in_read_transaction<T>(
        &self,
        read: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> Result<T, StoreError> {
        self.with(|c| {
            c.prepare_cached("BEGIN")?.execute([])?;
            let out = read(c);
            // A read transaction has nothing to keep: end it whatever the reads gave, so the connection
            // goes back to the pool idle.
            let end = c
                .prepare_cached(if out.is_ok() { "COMMIT" } else { "ROLLBACK" })?
                .execute([]);
            let out = out?;
            end?;
            Ok(out)
        })
    }

    /// Both reads of a consultation by NIR in one read transaction: one snapshot, and one look at the
    /// write-ahead log. Each read transaction that finds the log changed since the connection's last one
    /// (under load: nearly every one, traces commit all the time) starts from an emptied page cache.
    pub(crate) fn perimetre_et_dossier(
        &self,
        user: i64,
        caisse: i64,
        nir_hash: &str,
    ) -> Result<(Vec<PerimetreRow>, Option<String>), StoreError> {
        self.in_read_transaction(|c| Ok((perimetre_on(c, user)?, dossier_on(c, caisse, nir_hash)?)))
    }

    /// All three reads of a consultation by NIR — session, then its user's perimeter and its caisse's
    /// dossier — in one read transaction: one snapshot, and one look at the write-ahead log instead of two.
    pub(crate) fn consultation(
        &self,
        token_hash: &str,
        nir_hash: &str,
    ) -> Result<Option<ConsultationRows>, StoreError> {
        self.in_read_transaction(|c| {
            let Some(session) = session_on(c, token_hash)? else {
                return Ok(None);
            };
            let perimetre = perimetre_on(c, session.0)?;
            let dossier = dossier_on(c, session.1, nir_hash)?;
            Ok(Some((session, perimetre, dossier)))
        })
    }
}

fn session_on(c: &Connection, token_hash: &str) -> rusqlite::Result<Option<SessionRow>> {
    c.prepare_cached(
        "SELECT s.utilisateur_id, c.id, c.code, c.regime, u.identifiant, p.numero_tiers,
                    s.created_at, s.last_seen_at, u.must_change_password, u.active
             FROM sessions s
             JOIN utilisateurs u ON u.id = s.utilisateur_id
             JOIN caisses c ON c.id = u.caisse_id
             JOIN partenaires p ON p.id = u.partenaire_id
             WHERE s.token_hash = ?",
    )?
    .query_row([token_hash], |r| SessionRow::try_from(r))
    .optional()
}

fn perimetre_on(c: &Connection, user: i64) -> rusqlite::Result<Vec<PerimetreRow>> {
    let mut stmt = c.prepare_cached(
        "SELECT p.departements, h.bouquet, c.numero, c.bouquets, c.signee_le, c.formalite_cnil_le, c.fin_le,
                    h.circonscriptions, c.departements
             FROM utilisateurs u
             JOIN partenaires p ON p.id = u.partenaire_id
             LEFT JOIN habilitations h ON h.utilisateur_id = u.id AND h.suspendue = 0
             LEFT JOIN conventions c ON c.id = h.convention_id
             WHERE u.id = ?
             ORDER BY c.numero, h.bouquet",
    )?;
    let rows = stmt.query_map([user], |r| PerimetreRow::try_from(r))?;
    rows.collect()
}

fn dossier_on(c: &Connection, caisse: i64, nir_hash: &str) -> rusqlite::Result<Option<String>> {
    c.prepare_cached(
        "SELECT d.contenu FROM dossier_nirs n
             JOIN dossiers d ON d.id = n.dossier_id AND d.caisse_id = n.caisse_id
             WHERE n.caisse_id = ? AND n.nir_hash = ?
             ORDER BY d.id LIMIT 1",
    )?
    .query_row(rusqlite::params![caisse, nir_hash], |r| r.get(0))
    .optional()
}
