//! Service keys (`servicekey`): the signing keys of the registry's nodes.

use super::entities::{servicekey, servicekeyapproval};
use super::{all, exec};
use crate::util::now_naive;
use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait as _, ConnectionTrait, DbErr};

#[derive(Debug, Clone)]
pub struct ServiceKeyRow {
    pub kid: String,
    pub jwk: String,
}

/// Approved, unexpired keys of a service: the keys whose tokens this node accepts.
pub async fn approved_service_keys<C: ConnectionTrait>(c: &C, service: &str) -> Result<Vec<ServiceKeyRow>, DbErr> {
    all(
        c,
        "SELECT k.kid, k.jwk FROM servicekey k JOIN servicekeyapproval a ON a.id = k.approval_id \
         WHERE k.service = ? AND (k.expiration_date IS NULL OR k.expiration_date > ?)",
        vec![service.into(), now_naive().into()],
    )
    .await?
    .iter()
    .map(|r| Ok(ServiceKeyRow { kid: r.try_get("", "kid")?, jwk: r.try_get("", "jwk")? }))
    .collect()
}

/// Registers (or renews) this node's signing key, auto-approved as Quay's boot does.
pub async fn register_service_key<C: ConnectionTrait>(
    c: &C,
    name: &str,
    kid: &str,
    service: &str,
    jwk: &str,
    expires: chrono::NaiveDateTime,
) -> Result<(), DbErr> {
    let renewed = exec(
        c,
        "UPDATE servicekey SET expiration_date = ?, name = ? WHERE kid = ?",
        vec![expires.into(), name.into(), kid.into()],
    )
    .await?;
    if renewed > 0 {
        return Ok(());
    }
    let now = now_naive();
    // Quay stores the enum's str(): "ServiceKeyApprovalType.AUTOMATIC".
    let approval = servicekeyapproval::ActiveModel {
        approver_id: Set(None),
        approval_type: Set("ServiceKeyApprovalType.AUTOMATIC".to_owned()),
        approved_date: Set(now),
        notes: Set(String::new()),
        ..Default::default()
    }
    .insert(c)
    .await?;
    servicekey::ActiveModel {
        name: Set(name.to_owned()),
        kid: Set(kid.to_owned()),
        service: Set(service.to_owned()),
        jwk: Set(jwk.to_owned()),
        metadata: Set(r#"{"created_by": "CLI tool"}"#.to_owned()),
        created_date: Set(now),
        expiration_date: Set(Some(expires)),
        rotation_duration: Set(None),
        approval_id: Set(Some(approval.id)),
        ..Default::default()
    }
    .insert(c)
    .await?;
    Ok(())
}
