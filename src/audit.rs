//! Action logs in Quay's `logentry3`, with Quay's kind names (`logentrykind`) and metadata shape.
//!
//! Recording never waits for the database: entries go through a bounded channel to one writer
//! task that inserts them in batches (one transaction per batch), so a pull costs the hot path a
//! channel send, and SQLite's single writer sees one transaction per batch rather than one per
//! pull. If the database falls far behind, entries beyond the channel's capacity are counted in
//! `quay_audit_dropped_total` and dropped rather than slowing the registry down.

use std::collections::HashMap;
use std::time::Duration;

use sea_orm::{ConnectionTrait as _, DatabaseConnection, TransactionTrait as _};
use serde_json::Value;
use tokio::sync::mpsc;

const CAPACITY: usize = 20_000;
const BATCH: usize = 500;

/// One action, as the registry saw it.
#[derive(Debug, Clone)]
pub struct Entry {
    /// A `logentrykind` name (`push_repo`, `pull_repo`, `delete_tag`, ...).
    pub kind: &'static str,
    /// The namespace the action belongs to (Quay's `account_id`).
    pub account_id: i32,
    /// Who did it, by name; resolved to `performer_id` by the writer.
    pub performer: Option<String>,
    pub repository_id: Option<i32>,
    pub ip: Option<String>,
    pub metadata: Value,
}

enum Message {
    Log(Entry, chrono::NaiveDateTime),
    /// Answered once everything sent before it is written.
    Flush(tokio::sync::oneshot::Sender<()>),
}

/// The sending side; cheap to clone.
#[derive(Clone)]
pub struct AuditLog {
    tx: mpsc::Sender<Message>,
}

impl AuditLog {
    /// Starts the writer on `db` (the writer connection).
    pub fn start(db: DatabaseConnection, kinds: HashMap<String, i32>) -> AuditLog {
        let (tx, rx) = mpsc::channel(CAPACITY);
        tokio::spawn(write_batches(db, kinds, rx));
        AuditLog { tx }
    }

    pub fn record(&self, entry: Entry) {
        if self.tx.try_send(Message::Log(entry, crate::util::now_naive())).is_err() {
            metrics::counter!("quay_audit_dropped_total").increment(1);
        }
    }

    /// Waits until everything recorded so far is written (shutdown, tests).
    pub async fn flush(&self) {
        let (done, written) = tokio::sync::oneshot::channel();
        if self.tx.send(Message::Flush(done)).await.is_ok() {
            let _ = tokio::time::timeout(Duration::from_secs(10), written).await;
        }
    }
}

async fn write_batches(db: DatabaseConnection, kinds: HashMap<String, i32>, mut rx: mpsc::Receiver<Message>) {
    let mut performers: HashMap<String, Option<i32>> = HashMap::new();
    let mut messages = Vec::with_capacity(BATCH);
    while rx.recv_many(&mut messages, BATCH).await > 0 {
        let mut batch = Vec::with_capacity(messages.len());
        let mut waiting = Vec::new();
        for message in messages.drain(..) {
            match message {
                Message::Log(entry, at) => batch.push((entry, at)),
                Message::Flush(done) => waiting.push(done),
            }
        }
        if !batch.is_empty() {
            // Contention (another process writing to SQLite, a PostgreSQL deadlock) is retried.
            let mut attempt = 0;
            loop {
                match write(&db, &kinds, &mut performers, &batch).await {
                    Ok(()) => break,
                    Err(e) if crate::db::is_retryable(&e) && attempt < 5 => {
                        attempt += 1;
                        tokio::time::sleep(Duration::from_millis(50 << attempt)).await;
                    }
                    Err(e) => {
                        metrics::counter!("quay_audit_dropped_total").increment(batch.len() as u64);
                        tracing::warn!(entries = batch.len(), error = %e, "cannot write action logs");
                        break;
                    }
                }
            }
        }
        for done in waiting {
            let _ = done.send(());
        }
    }
}

async fn write(
    db: &DatabaseConnection,
    kinds: &HashMap<String, i32>,
    performers: &mut HashMap<String, Option<i32>>,
    batch: &[(Entry, chrono::NaiveDateTime)],
) -> Result<(), sea_orm::DbErr> {
    for (entry, _) in batch {
        if let Some(name) = &entry.performer
            && !performers.contains_key(name)
        {
            let row = db
                .query_one_raw(crate::db::sql(
                    db.get_database_backend(),
                    "SELECT id FROM \"user\" WHERE username = ?",
                    [name.as_str().into()],
                ))
                .await?;
            let id = row.map(|r| r.try_get::<i32>("", "id")).transpose()?;
            if performers.len() > 10_000 {
                performers.clear();
            }
            performers.insert(name.clone(), id);
        }
    }
    let tx = db.begin().await?;
    for (entry, at) in batch {
        let Some(kind_id) = kinds.get(entry.kind) else {
            tracing::warn!(kind = entry.kind, "unknown action log kind");
            continue;
        };
        let performer_id = entry.performer.as_ref().and_then(|p| performers.get(p).copied().flatten());
        tx.execute_raw(crate::db::sql(
            tx.get_database_backend(),
            "INSERT INTO logentry3 (kind_id, account_id, performer_id, repository_id, datetime, ip, metadata_json) \
             VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (*kind_id).into(),
                entry.account_id.into(),
                performer_id.into(),
                entry.repository_id.into(),
                (*at).into(),
                entry.ip.clone().into(),
                entry.metadata.to_string().into(),
            ],
        ))
        .await?;
    }
    tx.commit().await?;
    metrics::counter!("quay_audit_written_total").increment(batch.len() as u64);
    Ok(())
}
