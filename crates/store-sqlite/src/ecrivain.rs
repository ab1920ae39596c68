//! The journal's writes — traces and session activity, group-committed by the application (TR-1) — run
//! with rusqlite on one thread of their own.
//!
//! Why not through sqlx's writer like every other write: a batch went through sqlx as one multi-row INSERT
//! whose text changed with the batch's size, so SQLite prepared a new statement for almost every batch, and
//! each statement cost two thread hand-offs (sqlx runs a SQLite connection on a thread of its own). Here one
//! connection keeps two prepared statements for its whole life and runs a batch as plain steps, with one
//! hand-off to this thread and one back. The commit is as durable as before: WAL with `synchronous=FULL`.
//!
//! This connection and sqlx's writer are two writers of one file: SQLite serialises them (`BEGIN
//! IMMEDIATE`, busy timeout), as it does with a `partage import` run in another process.

use crate::codec::instant;
use partage_store::{JournalBatch, StoreError};
use rusqlite::{Connection, OpenFlags};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use tokio::sync::oneshot;

type Job = (JournalBatch, oneshot::Sender<Result<(), StoreError>>);

/// A handle to the journal's writing thread; the thread ends when the last handle is dropped.
pub(crate) struct JournalWriter {
    jobs: mpsc::Sender<Job>,
}

fn db(e: rusqlite::Error) -> StoreError {
    StoreError::Backend(format!("écriture SQLite du journal : {e}"))
}

impl JournalWriter {
    /// Starts the thread. Its connection is opened at the first batch: opening the store must not fail
    /// for a thread that may never write (`partage traces export`).
    pub(crate) fn spawn(
        path: PathBuf,
        busy_timeout: std::time::Duration,
    ) -> Result<JournalWriter, StoreError> {
        let (jobs, inbox) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("partage-journal".into())
            .spawn(move || run(&path, busy_timeout, &inbox))
            .map_err(|e| StoreError::Backend(format!("fil d'écriture du journal : {e}")))?;
        Ok(JournalWriter { jobs })
    }

    /// Commits the batch durably; returns once it is on disk.
    pub(crate) async fn write(&self, batch: JournalBatch) -> Result<(), StoreError> {
        let (done, wait) = oneshot::channel();
        self.jobs
            .send((batch, done))
            .map_err(|_| StoreError::Backend("le fil d'écriture du journal est arrêté".into()))?;
        wait.await
            .map_err(|_| StoreError::Backend("le fil d'écriture du journal s'est arrêté".into()))?
    }
}

fn run(path: &Path, busy_timeout: std::time::Duration, inbox: &mpsc::Receiver<Job>) {
    let mut conn: Option<Connection> = None;
    while let Ok((batch, done)) = inbox.recv() {
        let outcome = match conn.as_mut() {
            Some(c) => commit(c, &batch),
            None => match open(path, busy_timeout) {
                Ok(c) => commit(conn.insert(c), &batch),
                Err(e) => Err(e),
            },
        };
        // A caller that went away no longer needs the answer.
        let _ = done.send(outcome);
    }
}

fn open(path: &Path, busy_timeout: std::time::Duration) -> Result<Connection, StoreError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI,
    )
    .map_err(db)?;
    conn.busy_timeout(busy_timeout).map_err(db)?;
    // The same durability as sqlx's writer: WAL (already the file's mode), every commit flushed.
    conn.pragma_update(None, "journal_mode", "wal").map_err(db)?;
    conn.pragma_update(None, "synchronous", "full").map_err(db)?;
    conn.pragma_update(None, "foreign_keys", true).map_err(db)?;
    Ok(conn)
}

fn commit(conn: &mut Connection, batch: &JournalBatch) -> Result<(), StoreError> {
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(db)?;
    {
        let mut insert = tx
            .prepare_cached(
                "INSERT INTO traces (horodatage, caisse, utilisateur, partenaire, source, action, bouquet, \
                 rubriques, matricule, nir_hache, resultat) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .map_err(db)?;
        for t in &batch.traces {
            insert
                .execute(rusqlite::params![
                    instant(t.horodatage),
                    t.caisse.as_deref(),
                    t.utilisateur.as_deref(),
                    t.partenaire.as_deref(),
                    t.source.as_str(),
                    t.action.code(),
                    t.bouquet.map(|b| b.code()),
                    t.rubriques.as_deref(),
                    t.matricule.as_deref(),
                    t.nir_hache.as_deref(),
                    t.resultat.code(),
                ])
                .map_err(db)?;
        }
        // A session touched twice in one batch keeps the later instant, whatever their order in the batch.
        let mut touches: HashMap<&str, chrono::DateTime<chrono::Utc>> = HashMap::new();
        for (token, at) in &batch.session_touches {
            let latest = touches.entry(token.0.as_str()).or_insert(*at);
            *latest = (*latest).max(*at);
        }
        let mut touch = tx
            // max(): a slow request finishing late must not move the session's activity back in time.
            .prepare_cached("UPDATE sessions SET last_seen_at = max(last_seen_at, ?) WHERE token_hash = ?")
            .map_err(db)?;
        for (token, at) in touches {
            touch.execute(rusqlite::params![instant(at), token]).map_err(db)?;
        }
    }
    tx.commit().map_err(db)
}
