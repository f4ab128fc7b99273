//! App-specific tokens and OAuth applications and tokens.

use super::{all, exec, one};
use crate::util::now_naive;
use sea_orm::{ConnectionTrait, DbErr, QueryResult, Value};

/// Deletes app-specific tokens that expired before `before`; returns how many.
pub async fn delete_expired_app_tokens<C: ConnectionTrait>(c: &C, before: chrono::NaiveDateTime) -> Result<u64, DbErr> {
    exec(c, "DELETE FROM appspecificauthtoken WHERE expiration IS NOT NULL AND expiration < ?", vec![before.into()])
        .await
}

/// Stores an app-specific token: the first 60 characters in clear (`token_name`), the last 60
/// encrypted (`token_secret`).
pub async fn create_app_token<C: ConnectionTrait>(
    c: &C,
    user_id: i32,
    title: &str,
    token_name: &str,
    encrypted_secret: &str,
    expiration: Option<chrono::NaiveDateTime>,
) -> Result<String, DbErr> {
    let uuid = uuid::Uuid::new_v4().to_string();
    exec(
        c,
        "INSERT INTO appspecificauthtoken (user_id, uuid, title, created, expiration, last_accessed, token_name, token_secret) \
         VALUES (?, ?, ?, ?, ?, NULL, ?, ?)",
        vec![
            user_id.into(),
            uuid.clone().into(),
            title.into(),
            now_naive().into(),
            expiration.into(),
            token_name.into(),
            encrypted_secret.into(),
        ],
    )
    .await?;
    Ok(uuid)
}

#[derive(Debug, Clone)]
pub struct AppToken {
    pub uuid: String,
    pub user_id: i32,
    pub encrypted_secret: String,
}

/// An unexpired app-specific token by its public half.
pub async fn find_app_token<C: ConnectionTrait>(c: &C, token_name: &str) -> Result<Option<AppToken>, DbErr> {
    one(
        c,
        "SELECT uuid, user_id, token_secret FROM appspecificauthtoken WHERE token_name = ? AND (expiration IS NULL OR expiration > ?)",
        vec![token_name.into(), now_naive().into()],
    )
    .await?
    .map(|r| {
        Ok(AppToken {
            uuid: r.try_get("", "uuid")?,
            user_id: r.try_get("", "user_id")?,
            encrypted_secret: r.try_get("", "token_secret")?,
        })
    })
    .transpose()
}

pub async fn touch_app_token<C: ConnectionTrait>(c: &C, uuid: &str) -> Result<(), DbErr> {
    exec(c, "UPDATE appspecificauthtoken SET last_accessed = ? WHERE uuid = ?", vec![now_naive().into(), uuid.into()])
        .await?;
    Ok(())
}

/// Whether an app-specific token (by uuid) of this user is still valid.
pub async fn app_token_valid<C: ConnectionTrait>(c: &C, uuid: &str, user_id: i32) -> Result<bool, DbErr> {
    Ok(one(
        c,
        "SELECT 1 FROM appspecificauthtoken WHERE uuid = ? AND user_id = ? AND (expiration IS NULL OR expiration > ?)",
        vec![uuid.into(), user_id.into(), now_naive().into()],
    )
    .await?
    .is_some())
}

#[derive(Debug, Clone)]
pub struct OAuthToken {
    pub id: i32,
    /// Its application's `client_id` and `name` (Quay writes both into the logs of its changes).
    pub application_client_id: String,
    pub application_name: String,
    pub uuid: String,
    pub user_id: i32,
    pub scope: String,
    pub token_code: String,
}

const OAUTH_TOKEN_SELECT: &str = "SELECT t.id, t.uuid, t.authorized_user_id, t.scope, t.token_code, \
     a.client_id, a.name FROM oauthaccesstoken t JOIN oauthapplication a ON a.id = t.application_id";

/// An unexpired OAuth access token by its public first 20 characters.
pub async fn find_oauth_token<C: ConnectionTrait>(c: &C, token_name: &str) -> Result<Option<OAuthToken>, DbErr> {
    one(
        c,
        &format!("{OAUTH_TOKEN_SELECT} WHERE t.token_name = ? AND t.expires_at > ?"),
        vec![token_name.into(), now_naive().into()],
    )
    .await?
    .map(oauth_token)
    .transpose()
}

/// An unexpired OAuth access token by uuid (what registry tokens issued for it refer to).
pub async fn find_oauth_token_by_uuid<C: ConnectionTrait>(c: &C, uuid: &str) -> Result<Option<OAuthToken>, DbErr> {
    one(
        c,
        &format!("{OAUTH_TOKEN_SELECT} WHERE t.uuid = ? AND t.expires_at > ?"),
        vec![uuid.into(), now_naive().into()],
    )
    .await?
    .map(oauth_token)
    .transpose()
}

fn oauth_token(r: QueryResult) -> Result<OAuthToken, DbErr> {
    Ok(OAuthToken {
        id: r.try_get("", "id")?,
        application_client_id: r.try_get("", "client_id")?,
        application_name: r.try_get("", "name")?,
        uuid: r.try_get("", "uuid")?,
        user_id: r.try_get("", "authorized_user_id")?,
        scope: r.try_get("", "scope")?,
        token_code: r.try_get("", "token_code")?,
    })
}

/// An `oauthapplication` owned by a user or organization; returns its id.
pub async fn create_oauth_application<C: ConnectionTrait>(
    c: &C,
    owner_id: i32,
    client_id: &str,
    name: &str,
    description: &str,
    encrypted_client_secret: Option<&str>,
) -> Result<i32, DbErr> {
    exec(
        c,
        "INSERT INTO oauthapplication (client_id, redirect_uri, application_uri, organization_id, name, description, \
         secure_client_secret, fully_migrated) VALUES (?, '', '', ?, ?, ?, ?, ?)",
        vec![
            client_id.into(),
            owner_id.into(),
            name.into(),
            description.into(),
            encrypted_client_secret.map(str::to_owned).into(),
            true.into(),
        ],
    )
    .await?;
    one(c, "SELECT id FROM oauthapplication WHERE client_id = ?", vec![client_id.into()])
        .await?
        .map(|r| r.try_get("", "id"))
        .transpose()?
        .ok_or_else(|| DbErr::RecordNotFound("oauthapplication".into()))
}

/// An `oauthaccesstoken`: `token_name` in clear, `token_code` a bcrypt hash.
pub async fn create_oauth_token<C: ConnectionTrait>(
    c: &C,
    application_id: i32,
    user_id: i32,
    scope: &str,
    token_name: &str,
    token_code_hash: &str,
    expires_at: chrono::NaiveDateTime,
) -> Result<(), DbErr> {
    exec(
        c,
        "INSERT INTO oauthaccesstoken (uuid, application_id, authorized_user_id, scope, token_type, expires_at, data, \
         token_code, token_name, created) VALUES (?, ?, ?, ?, 'Bearer', ?, '', ?, ?, ?)",
        vec![
            uuid::Uuid::new_v4().to_string().into(),
            application_id.into(),
            user_id.into(),
            scope.into(),
            expires_at.into(),
            token_code_hash.into(),
            token_name.into(),
            now_naive().into(),
        ],
    )
    .await?;
    Ok(())
}

/// An app-specific token as the API shows it (the secret still encrypted).
#[derive(Debug, Clone)]
pub struct AppTokenView {
    pub uuid: String,
    pub title: String,
    pub created: chrono::NaiveDateTime,
    pub expiration: Option<chrono::NaiveDateTime>,
    pub last_accessed: Option<chrono::NaiveDateTime>,
    pub token_name: String,
    pub encrypted_secret: String,
}

/// A user's app-specific tokens, or the one with `uuid`.
pub async fn app_tokens_of<C: ConnectionTrait>(
    c: &C,
    user_id: i32,
    uuid: Option<&str>,
) -> Result<Vec<AppTokenView>, DbErr> {
    let mut text = String::from(
        "SELECT uuid, title, created, expiration, last_accessed, token_name, token_secret FROM appspecificauthtoken \
         WHERE user_id = ?",
    );
    let mut values: Vec<Value> = vec![user_id.into()];
    if let Some(u) = uuid {
        text.push_str(" AND uuid = ?");
        values.push(u.into());
    }
    text.push_str(" ORDER BY id");
    all(c, &text, values)
        .await?
        .iter()
        .map(|r| {
            Ok(AppTokenView {
                uuid: r.try_get("", "uuid")?,
                title: r.try_get("", "title")?,
                created: r.try_get("", "created")?,
                expiration: r.try_get("", "expiration")?,
                last_accessed: r.try_get("", "last_accessed")?,
                token_name: r.try_get("", "token_name")?,
                encrypted_secret: r.try_get("", "token_secret")?,
            })
        })
        .collect()
}

pub async fn delete_app_token<C: ConnectionTrait>(c: &C, user_id: i32, uuid: &str) -> Result<bool, DbErr> {
    let n =
        exec(c, "DELETE FROM appspecificauthtoken WHERE user_id = ? AND uuid = ?", vec![user_id.into(), uuid.into()])
            .await?;
    Ok(n > 0)
}
