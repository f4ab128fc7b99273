//! Quay's autoprune policies (`namespaceautoprunepolicy`, `repositoryautoprunepolicy`) and the
//! tag queries pruning needs. Quay stores a policy double-encoded: the column holds a JSON string
//! whose content is the policy's JSON (`json.dumps` into a JSONField); both layers are read and
//! written so Python Quay reads ours and we read its.

use sea_orm::{ConnectionTrait, DbErr};
use serde_json::Value;

use super::repository::repo_state;
use super::{all, exec, one};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Method {
    /// Keep the newest `n` tags.
    NumberOfTags(i64),
    /// Prune tags older than this (Quay's duration text, such as `7d`).
    CreationDate(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub uuid: String,
    pub namespace_id: i32,
    pub repository_id: Option<i32>,
    pub method: Method,
    pub tag_pattern: Option<String>,
    /// Whether the policy applies to tags that match the pattern (true) or to those that do not.
    pub tag_pattern_matches: bool,
}

impl Policy {
    /// The inner JSON, formatted as Python's `json.dumps` does.
    fn inner_json(&self) -> String {
        let (method, value) = match &self.method {
            Method::NumberOfTags(n) => ("number_of_tags", n.to_string()),
            Method::CreationDate(d) => ("creation_date", Value::from(d.as_str()).to_string()),
        };
        let mut out = format!("{{\"method\": \"{method}\", \"value\": {value}");
        if let Some(pattern) = &self.tag_pattern {
            out.push_str(&format!(
                ", \"tag_pattern\": {}, \"tag_pattern_matches\": {}",
                Value::from(pattern.as_str()),
                if self.tag_pattern_matches { "true" } else { "false" }
            ));
        }
        out.push('}');
        out
    }

    /// The column's text: the inner JSON, encoded once more as a JSON string.
    pub fn column_text(&self) -> String {
        Value::from(self.inner_json()).to_string()
    }
}

/// Reads a stored policy, double-encoded (Quay) or plain.
pub fn parse_policy_text(text: &str) -> Option<(Method, Option<String>, bool)> {
    let outer: Value = serde_json::from_str(text).ok()?;
    let inner: Value = match outer {
        Value::String(s) => serde_json::from_str(&s).ok()?,
        other => other,
    };
    let method = match (inner["method"].as_str()?, &inner["value"]) {
        ("number_of_tags", Value::Number(n)) => Method::NumberOfTags(n.as_i64()?),
        ("number_of_tags", Value::String(s)) => Method::NumberOfTags(s.parse().ok()?),
        ("creation_date", Value::String(s)) => Method::CreationDate(s.clone()),
        _ => return None,
    };
    let pattern = inner["tag_pattern"].as_str().map(str::to_owned);
    let matches = inner["tag_pattern_matches"].as_bool().unwrap_or(true);
    Some((method, pattern, matches))
}

pub async fn insert_policy<C: ConnectionTrait>(c: &C, policy: &Policy) -> Result<(), DbErr> {
    match policy.repository_id {
        Some(repo_id) => {
            exec(
                c,
                "INSERT INTO repositoryautoprunepolicy (uuid, repository_id, namespace_id, policy) VALUES (?, ?, ?, ?)",
                vec![
                    policy.uuid.clone().into(),
                    repo_id.into(),
                    policy.namespace_id.into(),
                    policy.column_text().into(),
                ],
            )
            .await?
        }
        None => {
            exec(
                c,
                "INSERT INTO namespaceautoprunepolicy (uuid, namespace_id, policy) VALUES (?, ?, ?)",
                vec![policy.uuid.clone().into(), policy.namespace_id.into(), policy.column_text().into()],
            )
            .await?
        }
    };
    // Quay keeps one task row per namespace with policies.
    let exists = one(c, "SELECT id FROM autoprunetaskstatus WHERE namespace_id = ?", vec![policy.namespace_id.into()])
        .await?
        .is_some();
    if !exists {
        exec(
            c,
            "INSERT INTO autoprunetaskstatus (namespace_id, last_ran_ms, status) VALUES (?, NULL, NULL)",
            vec![policy.namespace_id.into()],
        )
        .await?;
    }
    Ok(())
}

/// Rewrites a policy's rule in place; false when no policy has its uuid.
pub async fn update_policy<C: ConnectionTrait>(c: &C, policy: &Policy) -> Result<bool, DbErr> {
    let table = if policy.repository_id.is_some() { "repositoryautoprunepolicy" } else { "namespaceautoprunepolicy" };
    let n = exec(
        c,
        &format!("UPDATE {table} SET policy = ? WHERE uuid = ?"),
        vec![policy.column_text().into(), policy.uuid.clone().into()],
    )
    .await?;
    Ok(n > 0)
}

pub async fn delete_policy<C: ConnectionTrait>(c: &C, uuid: &str) -> Result<bool, DbErr> {
    let a = exec(c, "DELETE FROM namespaceautoprunepolicy WHERE uuid = ?", vec![uuid.into()]).await?;
    let b = exec(c, "DELETE FROM repositoryautoprunepolicy WHERE uuid = ?", vec![uuid.into()]).await?;
    Ok(a + b > 0)
}

/// Every policy (of one namespace, or all), namespace policies first.
pub async fn policies<C: ConnectionTrait>(c: &C, namespace_id: Option<i32>) -> Result<Vec<Policy>, DbErr> {
    let filter = if namespace_id.is_some() { "WHERE namespace_id = ?" } else { "" };
    let args: Vec<sea_orm::Value> = namespace_id.into_iter().map(Into::into).collect();
    let mut out = Vec::new();
    for (table, with_repo) in [("namespaceautoprunepolicy", false), ("repositoryautoprunepolicy", true)] {
        let columns =
            if with_repo { "uuid, namespace_id, repository_id, policy" } else { "uuid, namespace_id, policy" };
        let rows = all(c, &format!("SELECT {columns} FROM {table} {filter} ORDER BY id"), args.clone()).await?;
        for r in rows {
            let text: String = r.try_get("", "policy")?;
            let Some((method, tag_pattern, tag_pattern_matches)) = parse_policy_text(&text) else {
                tracing::warn!(table, "unreadable autoprune policy skipped");
                continue;
            };
            out.push(Policy {
                uuid: r.try_get("", "uuid")?,
                namespace_id: r.try_get("", "namespace_id")?,
                repository_id: if with_repo { Some(r.try_get("", "repository_id")?) } else { None },
                method,
                tag_pattern,
                tag_pattern_matches,
            });
        }
    }
    Ok(out)
}

/// Normal repositories of a namespace.
pub async fn normal_repositories<C: ConnectionTrait>(c: &C, namespace_id: i32) -> Result<Vec<(i32, String)>, DbErr> {
    let rows = all(
        c,
        "SELECT id, name FROM repository WHERE namespace_user_id = ? AND state = ? ORDER BY id",
        vec![namespace_id.into(), repo_state::NORMAL.into()],
    )
    .await?;
    rows.iter().map(|r| Ok((r.try_get("", "id")?, r.try_get("", "name")?))).collect()
}

/// Alive, visible, mutable tags of a repository, newest first: `(id, name, lifetime_start_ms)`.
pub async fn prunable_tags<C: ConnectionTrait>(
    c: &C,
    repo_id: i32,
    now_ms: i64,
) -> Result<Vec<(i32, String, i64)>, DbErr> {
    let rows = all(
        c,
        "SELECT id, name, lifetime_start_ms FROM tag WHERE repository_id = ? AND hidden = ? AND immutable = ? \
         AND (lifetime_end_ms IS NULL OR lifetime_end_ms > ?) ORDER BY lifetime_start_ms DESC, id DESC",
        vec![repo_id.into(), false.into(), false.into(), now_ms.into()],
    )
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("", "id")?, r.try_get("", "name")?, r.try_get("", "lifetime_start_ms")?)))
        .collect()
}

pub async fn record_run<C: ConnectionTrait>(c: &C, namespace_id: i32, status: &str) -> Result<(), DbErr> {
    exec(
        c,
        "UPDATE autoprunetaskstatus SET last_ran_ms = ?, status = ? WHERE namespace_id = ?",
        vec![crate::util::now_ms().into(), status.into(), namespace_id.into()],
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies_are_double_encoded_as_quay_stores_them() {
        let p = Policy {
            uuid: "u".into(),
            namespace_id: 1,
            repository_id: None,
            method: Method::NumberOfTags(10),
            tag_pattern: Some(r"^v\d+".into()),
            tag_pattern_matches: false,
        };
        let text = p.column_text();
        let inner: String = serde_json::from_str(&text).unwrap();
        assert_eq!(
            inner,
            r#"{"method": "number_of_tags", "value": 10, "tag_pattern": "^v\\d+", "tag_pattern_matches": false}"#
        );
        assert_eq!(parse_policy_text(&text), Some((Method::NumberOfTags(10), Some(r"^v\d+".into()), false)));
        // As Python Quay writes it, and single-encoded.
        let quay = r#""{\"method\": \"creation_date\", \"value\": \"7d\"}""#;
        assert_eq!(parse_policy_text(quay), Some((Method::CreationDate("7d".into()), None, true)));
        let plain = parse_policy_text(r#"{"method":"number_of_tags","value":"3"}"#);
        assert_eq!(plain.map(|p| p.0), Some(Method::NumberOfTags(3)));
        assert_eq!(parse_policy_text(r#"{"method":"unknown","value":1}"#), None);
    }
}
