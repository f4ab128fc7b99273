//! Action logs (`logentry3`) and their kinds (`logentrykind`).

use super::{all, exec};
use crate::util::now_naive;
use sea_orm::{ConnectionTrait, DbErr, Value};
use std::collections::HashMap;

/// Quay's action log kinds by name (`logentrykind`).
pub async fn log_kinds<C: ConnectionTrait>(c: &C) -> Result<HashMap<String, i32>, DbErr> {
    let rows = all(c, "SELECT id, name FROM logentrykind", vec![]).await?;
    rows.iter().map(|r| Ok((r.try_get("", "name")?, r.try_get("", "id")?))).collect()
}

/// Writes one action log at once (administrative commands; the registry batches through
/// `audit::AuditLog`).
pub async fn insert_log<C: ConnectionTrait>(
    c: &C,
    kind: &str,
    account_id: i32,
    performer_id: Option<i32>,
    repository_id: Option<i32>,
    ip: Option<&str>,
    metadata: &serde_json::Value,
) -> Result<(), DbErr> {
    exec(
        c,
        "INSERT INTO logentry3 (kind_id, account_id, performer_id, repository_id, datetime, ip, metadata_json) \
         SELECT id, ?, ?, ?, ?, ?, ? FROM logentrykind WHERE name = ?",
        vec![
            account_id.into(),
            performer_id.into(),
            repository_id.into(),
            now_naive().into(),
            ip.into(),
            metadata.to_string().into(),
            kind.into(),
        ],
    )
    .await?;
    Ok(())
}

/// Deletes action logs older than `before`; returns how many.
pub async fn delete_logs_before<C: ConnectionTrait>(c: &C, before: chrono::NaiveDateTime) -> Result<u64, DbErr> {
    exec(c, "DELETE FROM logentry3 WHERE datetime < ?", vec![before.into()]).await
}

/// One action log row with its kind's name and performer's name.
#[derive(Debug, Clone)]
pub struct LogRow {
    pub id: i64,
    pub kind: String,
    pub metadata: String,
    pub ip: Option<String>,
    pub datetime: chrono::NaiveDateTime,
    pub performer: Option<(String, bool)>,
    pub namespace: Option<String>,
}

/// What an action log listing covers.
pub struct LogFilter {
    pub account_id: Option<i32>,
    pub repository_id: Option<i32>,
    pub performer_id: Option<i32>,
    pub start: chrono::NaiveDateTime,
    pub end: chrono::NaiveDateTime,
    /// Rows with an id below this (the page token): newest first.
    pub before_id: Option<i64>,
    pub limit: u64,
}

pub async fn list_logs<C: ConnectionTrait>(c: &C, f: &LogFilter) -> Result<Vec<LogRow>, DbErr> {
    let mut text = String::from(
        "SELECT l.id, k.name AS kind, l.metadata_json, l.ip, l.datetime, p.username AS performer, p.robot AS performer_robot, \
         a.username AS namespace FROM logentry3 l JOIN logentrykind k ON k.id = l.kind_id \
         LEFT JOIN \"user\" p ON p.id = l.performer_id LEFT JOIN \"user\" a ON a.id = l.account_id \
         WHERE l.datetime >= ? AND l.datetime < ?",
    );
    let mut values: Vec<Value> = vec![f.start.into(), f.end.into()];
    for (column, value) in
        [("l.account_id", f.account_id), ("l.repository_id", f.repository_id), ("l.performer_id", f.performer_id)]
    {
        if let Some(v) = value {
            text.push_str(&format!(" AND {column} = ?"));
            values.push(v.into());
        }
    }
    if let Some(before) = f.before_id {
        text.push_str(" AND l.id < ?");
        values.push(before.into());
    }
    text.push_str(" ORDER BY l.id DESC LIMIT ?");
    values.push((f.limit as i64).into());
    all(c, &text, values)
        .await?
        .iter()
        .map(|r| {
            let performer: Option<String> = r.try_get("", "performer")?;
            let robot: Option<bool> = r.try_get("", "performer_robot")?;
            Ok(LogRow {
                id: r.try_get("", "id")?,
                kind: r.try_get("", "kind")?,
                metadata: r.try_get("", "metadata_json")?,
                ip: r.try_get("", "ip")?,
                datetime: r.try_get("", "datetime")?,
                performer: performer.map(|p| (p, robot.unwrap_or(false))),
                namespace: r.try_get("", "namespace")?,
            })
        })
        .collect()
}

/// An action log row to write, its kind already resolved.
pub struct NewLog {
    pub kind_id: i32,
    pub account_id: i32,
    pub performer_id: Option<i32>,
    pub repository_id: Option<i32>,
    pub datetime: chrono::NaiveDateTime,
    pub ip: Option<String>,
    pub metadata: String,
}

/// Writes a batch of action logs in one transaction.
pub async fn insert_batch(db: &sea_orm::DatabaseConnection, rows: &[NewLog]) -> Result<(), DbErr> {
    use sea_orm::TransactionTrait as _;
    let tx = db.begin().await?;
    for row in rows {
        exec(
            &tx,
            "INSERT INTO logentry3 (kind_id, account_id, performer_id, repository_id, datetime, ip, metadata_json) \
             VALUES (?, ?, ?, ?, ?, ?, ?)",
            vec![
                row.kind_id.into(),
                row.account_id.into(),
                row.performer_id.into(),
                row.repository_id.into(),
                row.datetime.into(),
                row.ip.clone().into(),
                row.metadata.clone().into(),
            ],
        )
        .await?;
    }
    tx.commit().await
}
