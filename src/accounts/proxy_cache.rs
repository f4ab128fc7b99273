//! Proxy cache organizations (Quay's `proxycacheconfig`, with `FEATURE_PROXY_CACHE`): an
//! organization whose repositories are pulled through from an upstream registry
//! (`registry::proxy` serves them). Read by the organization's members, set and removed by its
//! admins, each change logged as Quay's `create_proxy_cache_config` / `delete_proxy_cache_config`.

use serde_json::json;

use super::{AccountError, Result, administered, organization};
use crate::app::App;
use crate::auth::Actor;

/// What an organization's proxy cache is set to.
#[derive(Debug, Clone, Default)]
pub struct ProxyCacheInput {
    /// `host[/namespace...]`.
    pub upstream_registry: String,
    pub username: Option<String>,
    pub password: Option<String>,
    /// How long a cached tag lives after its last pull (0: forever); Quay's default one day.
    pub expiration_s: Option<i64>,
    /// Plain HTTP, or HTTPS without verification.
    pub insecure: bool,
}

/// An organization's proxy cache as Quay's API shows it (credentials never).
#[derive(Debug, Clone, serde::Serialize)]
pub struct ProxyCacheView {
    pub upstream_registry: String,
    pub expiration_s: i64,
    pub insecure: bool,
}

fn feature(app: &App) -> Result<()> {
    if !app.config.feature_proxy_cache {
        return Err(AccountError::Invalid("proxy cache organizations are off (FEATURE_PROXY_CACHE)".into()));
    }
    Ok(())
}

/// The organization's proxy cache, for its members (and superusers with full access).
pub async fn get(app: &App, actor: &Actor, org: &str) -> Result<Option<ProxyCacheView>> {
    feature(app)?;
    let account = organization(app, org).await?;
    let member = match actor.signed_in_user() {
        _ if actor.reaches_everything(&app.config) => true,
        Some(user) => crate::db::team::organization_membership(&app.db.read, account.id, user.id).await?.0,
        None => false,
    };
    if !member {
        return Err(crate::auth::Denied::Forbidden.into());
    }
    let row = crate::db::proxy::find_proxy_cache(&app.db.read, account.id).await?;
    Ok(row.map(|r| ProxyCacheView {
        upstream_registry: r.upstream_registry,
        expiration_s: r.expiration_s.unwrap_or(86400) as i64,
        insecure: r.insecure,
    }))
}

/// `docker.io` is Docker Hub's API host; a scheme is not part of the setting.
fn normalized_upstream(upstream: &str) -> Result<String> {
    let upstream = upstream.trim().trim_end_matches('/');
    if upstream.contains("://") {
        return Err(AccountError::Invalid(format!(
            "`{upstream}` names a scheme; give HOST[:PORT][/NAMESPACE] (and `insecure` for plain HTTP)"
        )));
    }
    let (host, _) = upstream.split_once('/').unwrap_or((upstream, ""));
    if host.is_empty() || upstream.len() > 270 {
        return Err(AccountError::Invalid(format!("`{upstream}` is not HOST[:PORT][/NAMESPACE]")));
    }
    Ok(upstream.to_owned())
}

/// Makes the organization a proxy cache of `input.upstream_registry` (its admins); refused when it
/// already is one (remove it first) or the upstream is at an address Quay's SSRF rule refuses.
pub async fn set(app: &App, actor: &Actor, org: &str, input: &ProxyCacheInput) -> Result<()> {
    feature(app)?;
    let account = administered(app, actor, org).await?;
    let upstream = normalized_upstream(&input.upstream_registry)?;
    let host = upstream.split('/').next().unwrap_or_default();
    crate::registry::mirror::upstream_allowed(&app.config, host, false)
        .await
        .map_err(|_| AccountError::Invalid(crate::registry::mirror::NOT_ALLOWED.into()))?;
    let expiration_s = input.expiration_s.unwrap_or(86400);
    if !(0..=i32::MAX as i64).contains(&expiration_s) {
        return Err(AccountError::Invalid("expiration_s must be a number of seconds, 0 or more".into()));
    }
    if input.password.is_some() && input.username.is_none() {
        return Err(AccountError::Invalid("a password is only taken together with a username".into()));
    }
    let encrypt = |plain: &Option<String>| -> Result<Option<String>> {
        match plain {
            None => Ok(None),
            Some(p) => {
                let secrets = app.secrets.as_ref().ok_or_else(|| {
                    AccountError::Invalid("upstream credentials need DATABASE_SECRET_KEY in config.yaml".into())
                })?;
                Ok(Some(secrets.encrypt(p)))
            }
        }
    };
    let new = crate::db::proxy::NewProxyCache {
        upstream_registry: &upstream,
        username: encrypt(&input.username)?,
        password: encrypt(&input.password)?,
        expiration_s: expiration_s as i32,
        insecure: input.insecure,
    };
    let tx = app.db.begin().await?;
    if crate::db::proxy::find_proxy_cache(&tx, account.id).await?.is_some() {
        return Err(AccountError::Invalid(format!("`{org}` is already a proxy cache; remove its configuration first")));
    }
    crate::db::proxy::insert_proxy_cache(&tx, account.id, &new).await?;
    let metadata = json!({"namespace": org, "upstream_registry": upstream, "expiration_s": expiration_s,
                          "insecure": input.insecure});
    super::log(&tx, actor, "create_proxy_cache_config", account.id, None, &metadata).await?;
    tx.commit().await?;
    Ok(())
}

/// Stops the organization being a proxy cache; what it cached stays, as ordinary repositories.
pub async fn remove(app: &App, actor: &Actor, org: &str) -> Result<()> {
    feature(app)?;
    let account = administered(app, actor, org).await?;
    let tx = app.db.begin().await?;
    if !crate::db::proxy::delete_proxy_cache(&tx, account.id).await? {
        return Err(AccountError::NotFound(format!("a proxy cache configuration of `{org}`")));
    }
    super::log(&tx, actor, "delete_proxy_cache_config", account.id, None, &json!({"namespace": org})).await?;
    tx.commit().await?;
    Ok(())
}

/// Whether the upstream answers with these settings and credentials (Quay's
/// `validateproxycache`): `Ok(())`, or why not.
pub async fn validate(app: &App, actor: &Actor, org: &str, input: &ProxyCacheInput) -> Result<Result<(), String>> {
    feature(app)?;
    administered(app, actor, org).await?;
    let upstream = normalized_upstream(&input.upstream_registry)?;
    let host = upstream.split('/').next().unwrap_or_default();
    if crate::registry::mirror::upstream_allowed(&app.config, host, true).await.is_err() {
        return Ok(Err(crate::registry::mirror::NOT_ALLOWED.into()));
    }
    let options = crate::remote::Options {
        verify_tls: !input.insecure,
        username: input.username.clone(),
        password: input.password.clone(),
        ..Default::default()
    };
    Ok(crate::registry::proxy::check_upstream(app, host, &options).await)
}
