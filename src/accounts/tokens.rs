//! App-specific tokens (passwords of `$app` for registry clients, Quay's 120 characters: a name
//! and an encrypted secret) and the OAuth access tokens `user/initialize` hands out.

use serde_json::json;

use super::{AccountError, AppTokenView, Result, encryption, log};
use crate::app::App;
use crate::auth::{Actor, Denied, Scope};

/// An app token with its code, when the encryption key can read it.
pub struct AppToken {
    pub view: AppTokenView,
    pub code: Option<String>,
}

/// The user whose tokens the actor manages: themself, signed in with a password or an OAuth
/// token (`user:admin`; app tokens and robots manage none), or any user for the system.
async fn owner(app: &App, actor: &Actor, user: Option<&str>) -> Result<super::Account> {
    match (actor.is_system(), user) {
        (true, Some(name)) => super::person(app, name).await,
        (true, None) => Err(AccountError::Invalid("name the user whose app tokens these are".into())),
        (false, _) => {
            actor.require(Scope::UserAdmin)?;
            let signed_in = actor.signed_in()?;
            if signed_in.robot || signed_in.app_token.is_some() {
                return Err(Denied::Forbidden.into());
            }
            super::person(app, &signed_in.username).await
        }
    }
}

fn with_code(app: &App, view: AppTokenView) -> AppToken {
    let code = app
        .secrets
        .as_ref()
        .and_then(|s| s.decrypt(&view.encrypted_secret).ok())
        .map(|secret| format!("{}{secret}", view.token_name));
    AppToken { view, code }
}

/// Creates an app token for the actor (or, by the system, for `user`); logged as Quay's
/// `create_app_specific_token`.
pub async fn create(
    app: &App,
    actor: &Actor,
    user: Option<&str>,
    title: &str,
    expires_in_days: Option<u32>,
) -> Result<AppToken> {
    let owner = owner(app, actor, user).await?;
    let secrets = encryption(app)?;
    if title.is_empty() || title.chars().count() > 255 {
        return Err(AccountError::Invalid("app token titles are 1 to 255 characters".into()));
    }
    let token = format!("{}{}", &super::new_robot_token()[..60], &super::new_robot_token()[..60]);
    let expiration = expires_in_days.map(|d| crate::util::now_naive() + chrono::Duration::days(i64::from(d)));
    let tx = app.db.begin().await?;
    let uuid = crate::db::token::create_app_token(
        &tx,
        owner.id,
        title,
        &token[..60],
        &secrets.encrypt(&token[60..]),
        expiration,
    )
    .await?;
    let metadata = json!({"app_specific_token_title": title, "app_specific_token": uuid});
    log(&tx, actor, "create_app_specific_token", owner.id, None, &metadata).await?;
    tx.commit().await?;
    let created = crate::db::token::app_tokens_of(&app.db.read, owner.id, Some(&uuid)).await?;
    let view = created.into_iter().next().ok_or_else(|| AccountError::NotFound("the new token".into()))?;
    Ok(AppToken { view, code: Some(token) })
}

/// The actor's app tokens (without their codes).
pub async fn list(app: &App, actor: &Actor) -> Result<Vec<AppTokenView>> {
    let owner = owner(app, actor, None).await?;
    Ok(crate::db::token::app_tokens_of(&app.db.read, owner.id, None).await?)
}

/// One of the actor's app tokens, with its code.
pub async fn get(app: &App, actor: &Actor, uuid: &str) -> Result<AppToken> {
    let owner = owner(app, actor, None).await?;
    let found = crate::db::token::app_tokens_of(&app.db.read, owner.id, Some(uuid)).await?;
    let view = found.into_iter().next().ok_or_else(|| AccountError::NotFound("app token".into()))?;
    Ok(with_code(app, view))
}

/// Revokes one of the actor's app tokens; logged as `revoke_app_specific_token`.
pub async fn revoke(app: &App, actor: &Actor, uuid: &str) -> Result<()> {
    let owner = owner(app, actor, None).await?;
    let found = crate::db::token::app_tokens_of(&app.db.read, owner.id, Some(uuid)).await?;
    let view = found.into_iter().next().ok_or_else(|| AccountError::NotFound("app token".into()))?;
    let tx = app.db.begin().await?;
    crate::db::token::delete_app_token(&tx, owner.id, uuid).await?;
    let metadata = json!({"app_specific_token_title": view.title, "app_specific_token": uuid});
    log(&tx, actor, "revoke_app_specific_token", owner.id, None, &metadata).await?;
    tx.commit().await?;
    Ok(())
}

/// How long an OAuth access token issued here lasts (Quay's `create_user_access_token` default).
pub const OAUTH_TOKEN_LIFETIME_S: i64 = 9000;

/// Creates an OAuth application owned by the user (with `client_id`) and an access token for it
/// with `scopes`, as Quay's `user/initialize` does; returns the 40-character token (shown once:
/// only a bcrypt hash of its second half is kept).
pub async fn create_oauth_token(
    app: &App,
    user_id: i32,
    client_id: &str,
    application: &str,
    description: &str,
    scopes: &str,
) -> Result<String> {
    let token = super::new_robot_token()[..40].to_owned();
    let code = token[20..].to_owned();
    let code_hash = tokio::task::spawn_blocking(move || crate::auth::hash_password(&code))
        .await
        .map_err(|e| AccountError::Internal(anyhow::anyhow!("hashing the token failed: {e}")))??;
    let client_secret = app.secrets.as_ref().map(|s| s.encrypt(&crate::util::random_token(40)));
    let expires = crate::util::now_naive() + chrono::Duration::seconds(OAUTH_TOKEN_LIFETIME_S);
    let tx = app.db.begin().await?;
    let application_id = crate::db::token::create_oauth_application(
        &tx,
        user_id,
        client_id,
        application,
        description,
        client_secret.as_deref(),
    )
    .await?;
    crate::db::token::create_oauth_token(&tx, application_id, user_id, scopes, &token[..20], &code_hash, expires)
        .await?;
    tx.commit().await?;
    Ok(token)
}
