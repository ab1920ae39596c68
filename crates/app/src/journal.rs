//! Group commit of traces and session activity.
//!
//! A trace must be durable before the answer that it records leaves (TR-1). One disk flush per request
//! would cap partage at a few thousand requests a second; instead every request hands its writes to one
//! writer task and waits. While the writer is committing a batch, the next requests queue up, and the writer
//! takes them all in its next transaction: one flush for many requests, and no added latency when idle.

use chrono::{DateTime, Utc};
use partage_domain::trace::Trace;
use partage_store::{JournalBatch, Store, StoreError, TokenHash};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// The most entries one transaction takes, to bound its size and the latency of the first entry in it.
const MAX_BATCH: usize = 1024;

enum Entry {
    Trace(Trace),
    Touch(TokenHash, DateTime<Utc>),
}

struct Request {
    entries: Vec<Entry>,
    done: oneshot::Sender<Result<(), String>>,
}

/// A handle to the writer task; cheap to clone.
#[derive(Debug, Clone)]
pub struct Journal {
    tx: mpsc::Sender<Request>,
}

impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Request({} entries)", self.entries.len())
    }
}

/// What a caller learns when its writes could not be made durable: the request must then fail.
#[derive(Debug, thiserror::Error)]
#[error("journal indisponible : {0}")]
pub struct JournalError(pub String);

impl From<StoreError> for JournalError {
    fn from(e: StoreError) -> Self {
        JournalError(e.to_string())
    }
}

impl Journal {
    /// Starts the writer task on the current tokio runtime.
    pub fn spawn(store: Arc<dyn Store>) -> Journal {
        let (tx, rx) = mpsc::channel::<Request>(MAX_BATCH * 4);
        tokio::spawn(writer(store, rx));
        Journal { tx }
    }

    /// Appends a trace, and optionally marks a session active at the same instant; returns once both are
    /// committed.
    pub async fn record(
        &self,
        trace: Trace,
        touch: Option<(TokenHash, DateTime<Utc>)>,
    ) -> Result<(), JournalError> {
        let mut entries = vec![Entry::Trace(trace)];
        if let Some((hash, at)) = touch {
            entries.push(Entry::Touch(hash, at));
        }
        self.submit(entries).await
    }

    /// Marks a session active (AU-4), durably.
    pub async fn touch(&self, session: TokenHash, at: DateTime<Utc>) -> Result<(), JournalError> {
        self.submit(vec![Entry::Touch(session, at)]).await
    }

    async fn submit(&self, entries: Vec<Entry>) -> Result<(), JournalError> {
        let (done, wait) = oneshot::channel();
        self.tx
            .send(Request { entries, done })
            .await
            .map_err(|_| JournalError("le rédacteur du journal est arrêté".into()))?;
        wait.await
            .map_err(|_| JournalError("le rédacteur du journal s'est arrêté".into()))?
            .map_err(JournalError)
    }
}

async fn writer(store: Arc<dyn Store>, mut rx: mpsc::Receiver<Request>) {
    let mut pending: Vec<Request> = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = rx.recv().await {
        pending.push(first);
        // Take whatever queued up while the previous batch was committing, without waiting for more.
        while pending.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(next) => pending.push(next),
                Err(_) => break,
            }
        }
        let mut batch = JournalBatch::default();
        // A session busy with many requests at once (a partner's software) is touched once per batch, at
        // the latest instant: one UPDATE instead of one per request.
        let mut touches: HashMap<TokenHash, DateTime<Utc>> = HashMap::new();
        for request in &mut pending {
            for entry in request.entries.drain(..) {
                match entry {
                    Entry::Trace(t) => batch.traces.push(t),
                    Entry::Touch(h, at) => {
                        let latest = touches.entry(h).or_insert(at);
                        *latest = (*latest).max(at);
                    }
                }
            }
        }
        batch.session_touches.extend(touches);
        let outcome = store.journal(&batch).await.map_err(|e| {
            tracing::error!(error = %e, traces = batch.traces.len(), "journal commit failed");
            e.to_string()
        });
        for request in pending.drain(..) {
            // A caller that went away no longer needs the answer.
            let _ = request.done.send(outcome.clone());
        }
    }
}
