//! Action logs in Quay's `logentry3`, with Quay's kind names (`logentrykind`) and metadata shape.
//!
//! Recording never waits for the database: entries go through a bounded channel to one writer
//! task that inserts them in batches (one transaction per batch), so a pull costs the hot path a
//! channel send, and SQLite's single writer sees one transaction per batch rather than one per
//! pull. If the database falls far behind, entries beyond the channel's capacity are counted in
//! `quay_audit_dropped_total` and dropped rather than slowing the registry down.

use std::collections::HashMap;
use std::time::Duration;

use sea_orm::DatabaseConnection;
use serde_json::Value;
use tokio::sync::mpsc;

const CAPACITY: usize = 20_000;

/// Whose action logs to read.
#[derive(Debug, Clone, Copy)]
pub enum LogScope<'a> {
    /// A repository (its admins).
    Repository(&'a str),
    /// An organization (its admins).
    Organization(&'a str),
    /// The signed-in user's own (`user:admin`).
    Me,
}

/// Action logs of `scope` between `start` and `end`, newest first, optionally only by the user or
/// robot named `performer`; at most `limit` rows with an id below `before_id` (a page).
#[allow(clippy::too_many_arguments)]
pub async fn list(
    app: &crate::app::App,
    actor: &crate::auth::Actor,
    scope: LogScope<'_>,
    start: chrono::NaiveDateTime,
    end: chrono::NaiveDateTime,
    performer: Option<&str>,
    before_id: Option<i64>,
    limit: u64,
) -> Result<Vec<crate::db::log::LogRow>, crate::accounts::AccountError> {
    use crate::accounts::AccountError;
    let (account_id, repository_id) = match scope {
        LogScope::Repository(path) => {
            let target = crate::registry::access::resolve(app, actor, path).await.map_err(|e| match e {
                crate::registry::RegistryError::Access(d) => AccountError::Denied(d),
                crate::registry::RegistryError::NameUnknown => AccountError::NotFound(format!("repository `{path}`")),
                e => AccountError::Internal(e.into()),
            })?;
            target.require(actor, crate::auth::Role::Admin)?;
            (None, Some(target.repo.id))
        }
        LogScope::Organization(name) => (Some(crate::accounts::administered(app, actor, name).await?.id), None),
        LogScope::Me => {
            actor.require(crate::auth::Scope::UserAdmin)?;
            (Some(actor.signed_in()?.id), None)
        }
    };
    let performer_id = match performer.filter(|p| !p.is_empty()) {
        Some(name) => match crate::accounts::find(app, name).await? {
            Some(a) => Some(a.id),
            None => return Ok(Vec::new()),
        },
        None => None,
    };
    let filter = crate::db::log::LogFilter { account_id, repository_id, performer_id, start, end, before_id, limit };
    Ok(crate::db::log::list_logs(&app.db.read, &filter).await?)
}

/// Quay's metadata of registry actions (push, pull, delete): the repository, the reference, the
/// client program and who did it.
pub fn registry_metadata(
    performer: Option<&str>,
    user_agent: Option<&str>,
    name: &crate::oci::RepositoryName,
    reference: &crate::oci::Reference,
    media_type: Option<&str>,
) -> Value {
    let mut metadata = serde_json::json!({
        "repo": name.repository(),
        "namespace": name.namespace(),
        "user-agent": user_agent.unwrap_or(""),
    });
    match reference {
        crate::oci::Reference::Tag(tag) => metadata["tag"] = tag.as_str().into(),
        crate::oci::Reference::Digest(digest) => metadata["manifest_digest"] = digest.to_string().into(),
    }
    if let Some(media_type) = media_type {
        metadata["mediaType"] = media_type.into();
    }
    if let Some(user) = performer {
        metadata["username"] = user.into();
        if user.contains('+') {
            metadata["is_robot"] = true.into();
        }
    }
    metadata
}

/// Writes the action-log row of a change inside the change's own transaction, with the actor as
/// its performer: the change and its record commit together or not at all.
pub async fn write<C: sea_orm::ConnectionTrait>(
    c: &C,
    actor: &crate::auth::Actor,
    kind: &str,
    account_id: i32,
    repository_id: Option<i32>,
    metadata: &Value,
) -> Result<(), sea_orm::DbErr> {
    // A change made with an OAuth token names the token and its application, as Quay's do.
    let with_token;
    let metadata = match actor.signed_in_user().and_then(|u| u.oauth.as_ref()) {
        Some(grant) if metadata.is_object() => {
            with_token = {
                let mut m = metadata.clone();
                m["oauth_token_id"] = grant.token_id.into();
                m["oauth_token_application_id"] = grant.application_client_id.as_str().into();
                m["oauth_token_application"] = grant.application_name.as_str().into();
                m
            };
            &with_token
        }
        _ => metadata,
    };
    crate::db::log::insert_log(c, kind, account_id, actor.performer_id(), repository_id, actor.ip.as_deref(), metadata)
        .await
}
const BATCH: usize = 500;

/// One action, as the registry saw it.
#[derive(Debug, Clone)]
pub struct Entry {
    /// A `logentrykind` name (`push_repo`, `pull_repo`, `delete_tag`, ...).
    pub kind: &'static str,
    /// The namespace the action belongs to (Quay's `account_id`).
    pub account_id: i32,
    pub performer: Performer,
    pub repository_id: Option<i32>,
    pub ip: Option<String>,
    pub metadata: Value,
}

/// Who did a batched action: known by id, or by the name a registry token carries (resolved by the
/// writer, with a cache, so that recording a pull costs the request no database lookup).
#[derive(Debug, Clone)]
pub enum Performer {
    Nobody,
    Id(i32),
    Name(String),
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
                match write_batch(&db, &kinds, &mut performers, &batch).await {
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

async fn write_batch(
    db: &DatabaseConnection,
    kinds: &HashMap<String, i32>,
    performers: &mut HashMap<String, Option<i32>>,
    batch: &[(Entry, chrono::NaiveDateTime)],
) -> Result<(), sea_orm::DbErr> {
    for (entry, _) in batch {
        if let Performer::Name(name) = &entry.performer
            && !performers.contains_key(name)
        {
            let id = crate::db::user::find_user(db, name).await?.map(|u| u.id);
            if performers.len() > 10_000 {
                performers.clear();
            }
            performers.insert(name.clone(), id);
        }
    }
    let rows: Vec<crate::db::log::NewLog> = batch
        .iter()
        .filter_map(|(entry, at)| {
            let Some(kind_id) = kinds.get(entry.kind) else {
                tracing::warn!(kind = entry.kind, "unknown action log kind");
                return None;
            };
            let performer_id = match &entry.performer {
                Performer::Nobody => None,
                Performer::Id(id) => Some(*id),
                Performer::Name(name) => performers.get(name).copied().flatten(),
            };
            Some(crate::db::log::NewLog {
                kind_id: *kind_id,
                account_id: entry.account_id,
                performer_id,
                repository_id: entry.repository_id,
                datetime: *at,
                ip: entry.ip.clone(),
                metadata: entry.metadata.to_string(),
            })
        })
        .collect();
    crate::db::log::insert_batch(db, &rows).await?;
    metrics::counter!("quay_audit_written_total").increment(batch.len() as u64);
    Ok(())
}
