//! `GET /v2/auth`: Quay's token service. Basic credentials in, an RS256 JWT out, granting the
//! requested actions the caller may perform (denied scopes appear with no actions, as in Quay).

use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use serde_json::json;

use super::error::{Code, V2Error};
use crate::app::AppState;
use crate::auth::{Access, Actor, AuthError, Identity};
use crate::oci::RepositoryName;
use crate::registry::{self, RegistryError};

fn basic_credentials(headers: &HeaderMap) -> Option<Result<(String, String), ()>> {
    let value = headers.get(header::AUTHORIZATION)?;
    let parsed = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Basic ").or_else(|| v.strip_prefix("basic ")))
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b.trim()).ok())
        .and_then(|raw| String::from_utf8(raw).ok())
        .and_then(|s| s.split_once(':').map(|(u, p)| (u.to_owned(), p.to_owned())));
    Some(parsed.ok_or(()))
}

fn unauthorized(message: &str) -> Response {
    Code::Unauthorized.error(message).into_response()
}

pub async fn token(
    State(app): State<AppState>,
    headers: HeaderMap,
    peer: Option<axum::Extension<super::PeerAddr>>,
    Query(params): Query<Vec<(String, String)>>,
) -> Response {
    let identity = match basic_credentials(&headers) {
        None => Identity::Anonymous,
        Some(Err(())) => return unauthorized("malformed Basic credentials"),
        Some(Ok((user, password))) => match sign_in(&app, peer.map(|p| p.0.0), &user, &password).await {
            Ok(u) => Identity::User(u),
            Err(r) => return r,
        },
    };
    // Docker's token spec: `account`, when given, must be the authenticated account.
    if let (Some(account), Identity::User(user)) = (param(&params, "account"), &identity)
        && account != user.username
        && !(user.app_token.is_some() && account == "$app")
        && !(user.oauth.is_some() && account == "$oauthtoken")
    {
        return unauthorized("the account parameter does not match the credentials");
    }
    let offline = param(&params, "offline_token") == Some("true");
    let scoped = params.iter().any(|(k, v)| k == "scope" && !v.trim().is_empty());
    if !scoped && let Identity::User(user) = &identity {
        // `docker login`: Quay's login_success entry.
        let user_agent = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok());
        crate::auth::log_login(&app.audit, user, peer.map(|p| p.0.0.to_string()), user_agent);
    }
    respond(&app, identity, &params, offline).await
}

/// `POST /v2/auth`: the OAuth2 form (`grant_type=password` or `refresh_token`) that containerd and
/// podman use once they hold a refresh token. Quay lacks it; distribution's token servers have it.
pub async fn oauth_token(
    State(app): State<AppState>,
    peer: Option<axum::Extension<super::PeerAddr>>,
    Form(params): Form<Vec<(String, String)>>,
) -> Response {
    let identity = match param(&params, "grant_type") {
        Some("password") => {
            let (Some(user), Some(password)) = (param(&params, "username"), param(&params, "password")) else {
                return Code::InvalidRequest.error("username and password are required").into_response();
            };
            match sign_in(&app, peer.map(|p| p.0.0), user, password).await {
                Ok(u) => Identity::User(u),
                Err(r) => return r,
            }
        }
        Some("refresh_token") => {
            let Some(refresh) = param(&params, "refresh_token") else {
                return Code::InvalidRequest.error("refresh_token is required").into_response();
            };
            match crate::auth::verify_refresh_token(&app.db, &app.verification_keys, &app.config, refresh).await {
                Ok(Some(u)) => Identity::User(u),
                Ok(None) => return unauthorized("invalid or revoked refresh token"),
                Err(e) => return V2Error::from(RegistryError::Internal(e)).into_response(),
            }
        }
        _ => {
            return Code::Unsupported
                .with(StatusCode::BAD_REQUEST, "grant_type must be password or refresh_token")
                .into_response();
        }
    };
    // The OAuth2 flow asks for a refresh token with `access_type=offline`.
    let offline = param(&params, "access_type") == Some("offline");
    respond(&app, identity, &params, offline).await
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

async fn sign_in(
    app: &AppState,
    client: Option<std::net::IpAddr>,
    user: &str,
    password: &str,
) -> Result<crate::auth::User, Response> {
    match crate::auth::authenticate_password(crate::auth::Login::new(app, client), user, password).await {
        Ok(u) => Ok(u),
        Err(AuthError::Internal(e)) => Err(V2Error::from(RegistryError::Internal(e)).into_response()),
        Err(e @ (AuthError::Throttled(_) | AuthError::Busy)) => {
            let seconds = if let AuthError::Throttled(s) = e { s.max(1) } else { 1 };
            Err(Code::TooManyRequests
                .error(e.to_string())
                .with_header(header::RETRY_AFTER, &seconds.to_string())
                .into_response())
        }
        Err(e) => Err(unauthorized(&e.to_string())),
    }
}

/// Grants the requested scopes and answers with the token (and a refresh token when asked).
async fn respond(app: &AppState, identity: Identity, params: &[(String, String)], offline: bool) -> Response {
    if matches!(identity, Identity::Anonymous) && !app.config.feature_anonymous_access {
        return (StatusCode::UNAUTHORIZED, axum::Json(json!({"error": "Anonymous access is not allowed"})))
            .into_response();
    }
    let scopes: Vec<&str> =
        params.iter().filter(|(k, _)| k == "scope").flat_map(|(_, v)| v.split(' ')).filter(|s| !s.is_empty()).collect();
    if scopes.is_empty() && matches!(identity, Identity::Anonymous) {
        return unauthorized("no credentials and no scope");
    }
    if scopes.len() > crate::auth::MAX_SCOPES {
        return Code::InvalidRequest
            .error(format!(
                "{} scopes asked for; at most {} are granted at once",
                scopes.len(),
                crate::auth::MAX_SCOPES
            ))
            .into_response();
    }
    let mut access = Vec::new();
    for scope in &scopes {
        match grant(app, &identity, scope).await {
            Ok(a) => access.push(a),
            Err(e) => return e.into_response(),
        }
    }
    // Quay copies `service` into `aud` verbatim; a token without it could never be used, so it
    // defaults to this registry.
    let audience = param(params, "service").unwrap_or(app.config.server_hostname.as_str());
    let token = match crate::auth::issue_token(&app.signing_key, &app.config, Some(audience), &identity, access) {
        Ok(t) => t,
        Err(e) => return V2Error::from(RegistryError::Internal(e)).into_response(),
    };
    let mut body = json!({
        "token": token,
        "access_token": token,
        "expires_in": app.config.token_validity_lifetime_s,
        "issued_at": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "scope": scopes.join(" "),
    });
    if offline && let Identity::User(user) = &identity {
        match crate::auth::issue_refresh_token(&app.signing_key, &app.config, user) {
            Ok(refresh) => body["refresh_token"] = json!(refresh),
            Err(e) => return V2Error::from(RegistryError::Internal(e)).into_response(),
        }
    }
    let mut r = axum::Json(body).into_response();
    r.headers_mut()
        .insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-cache, no-store, must-revalidate"));
    r
}

/// Decides one scope: `repository:<name>:<actions>` or `registry:catalog:*`.
async fn grant(app: &AppState, identity: &Identity, scope: &str) -> Result<Access, V2Error> {
    let invalid = || {
        Code::InvalidRequest.with(
            StatusCode::BAD_REQUEST,
            format!("Unable to decode repository and actions: {}", scope.chars().take(200).collect::<String>()),
        )
    };
    let (kind, rest) = scope.split_once(':').ok_or_else(invalid)?;
    let (target, actions) = rest.rsplit_once(':').ok_or_else(invalid)?;
    let requested: Vec<&str> = actions.split(',').collect();
    if requested.iter().any(|a| !matches!(*a, "pull" | "push" | "*" | "delete")) {
        return Err(invalid());
    }
    match kind {
        "registry" if target == "catalog" => {
            let actions = if identity.user().is_some() { vec!["*".to_owned()] } else { Vec::new() };
            return Ok(Access { kind: "registry".into(), name: "catalog".into(), actions });
        }
        "repository" => {}
        _ => return Err(invalid()),
    }
    let host_prefix = format!("{}/", app.config.server_hostname);
    let path = target.strip_prefix(&host_prefix).unwrap_or(target);
    let name = RepositoryName::parse(path, app.config.library_namespace())
        .map_err(|e| V2Error::from(RegistryError::from(e)))?;
    let actor = match identity {
        Identity::User(user) => Actor::user(user.clone()),
        _ => Actor::anonymous(),
    };
    let granted = registry::access::grant(app, &actor, &name, &requested).await?;
    // Quay names the grant as it was asked for, registry host included (`HOST/ns/repo`).
    Ok(Access { kind: "repository".into(), name: target.to_owned(), actions: granted })
}
