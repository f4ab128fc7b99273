//! OpenStack Swift login. opendal's Swift service takes a storage URL and a token but does not log
//! in, so this module does (auth v1 as served by tempauth/swauth, or Keystone v3) and swaps a
//! fresh operator in before the token expires.

use std::collections::BTreeMap;
use std::sync::{RwLock, Weak};
use std::time::Duration;

use anyhow::{Context as _, bail};
use opendal::Operator;
use serde_json::{Value, json};

use crate::config::StorageDriver;

/// Tokens live 24 hours (tempauth) or 1 hour (Keystone's default); renew well before either ends.
const RENEW_EVERY: Duration = Duration::from_secs(20 * 60);

/// Logs in and returns an operator on the container.
pub async fn login(driver: &StorageDriver) -> anyhow::Result<Operator> {
    let StorageDriver::Swift {
        container,
        storage_path,
        auth_url,
        user,
        password,
        auth_version,
        os_options,
        temp_url_key,
        ..
    } = driver
    else {
        bail!("not a Swift driver");
    };
    let client = reqwest::Client::builder().timeout(Duration::from_secs(30)).build()?;
    let (storage_url, token) = match auth_version {
        3 => keystone_v3(&client, auth_url, user, password, os_options).await?,
        _ => auth_v1(&client, auth_url, user, password).await?,
    };
    let storage_url = os_options.get("object_storage_url").cloned().unwrap_or(storage_url);
    let mut builder = opendal::services::Swift::default()
        .endpoint(&storage_url)
        .container(container)
        .root(storage_path)
        .token(&token);
    if let Some(key) = temp_url_key {
        builder = builder.temp_url_key(key);
    }
    Ok(super::with_own_transport(Operator::new(builder)?))
}

/// Renews the token in the background for as long as the storage exists.
pub fn keep_logged_in(op: Weak<RwLock<Operator>>, driver: StorageDriver) {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(RENEW_EVERY).await;
            let Some(slot) = op.upgrade() else { return };
            match login(&driver).await {
                Ok(fresh) => *slot.write().unwrap_or_else(std::sync::PoisonError::into_inner) = fresh,
                // The old token may still be valid; try again on the next round.
                Err(e) => tracing::warn!(error = %format!("{e:#}"), "Swift login failed"),
            }
        }
    });
}

/// Auth v1: `GET auth_url` with `X-Auth-User`/`X-Auth-Key`; the answer's headers carry the token
/// and the account's storage URL.
async fn auth_v1(
    client: &reqwest::Client,
    auth_url: &str,
    user: &str,
    password: &str,
) -> anyhow::Result<(String, String)> {
    let response = client
        .get(auth_url)
        .header("X-Auth-User", user)
        .header("X-Auth-Key", password)
        .send()
        .await
        .with_context(|| format!("Swift login at {auth_url}"))?;
    if !response.status().is_success() {
        bail!("Swift login at {auth_url} as {user}: HTTP {}", response.status());
    }
    let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let token = header("x-auth-token")
        .or_else(|| header("x-storage-token"))
        .context("Swift login: the answer has no X-Auth-Token")?;
    let url = header("x-storage-url").context("Swift login: the answer has no X-Storage-Url")?;
    Ok((url, token))
}

/// Keystone v3 password authentication, scoped to a project from `os_options` (`project_name` or
/// `tenant_name`, or `project_id`; `user_domain_name`/`project_domain_name` default to `Default`).
async fn keystone_v3(
    client: &reqwest::Client,
    auth_url: &str,
    user: &str,
    password: &str,
    options: &BTreeMap<String, String>,
) -> anyhow::Result<(String, String)> {
    let url = format!("{}/auth/tokens", auth_url.trim_end_matches('/'));
    let body = keystone_request(user, password, options);
    let response = client.post(&url).json(&body).send().await.with_context(|| format!("Keystone login at {url}"))?;
    if !response.status().is_success() {
        bail!("Keystone login at {url} as {user}: HTTP {}", response.status());
    }
    let token = response
        .headers()
        .get("x-subject-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .context("Keystone login: the answer has no X-Subject-Token")?;
    let document: Value = response.json().await.context("Keystone login: the answer is not JSON")?;
    let storage_url = object_store_endpoint(&document, options)?;
    Ok((storage_url, token))
}

fn keystone_request(user: &str, password: &str, options: &BTreeMap<String, String>) -> Value {
    let option = |k: &str| options.get(k).map(String::as_str);
    let user_domain = option("user_domain_name").unwrap_or("Default");
    let user = match option("user_id") {
        Some(id) => json!({"id": id, "password": password}),
        None => json!({"name": user, "domain": {"name": user_domain}, "password": password}),
    };
    let project = match (option("project_id").or(option("tenant_id")), option("project_name").or(option("tenant_name")))
    {
        (Some(id), _) => Some(json!({"id": id})),
        (None, Some(name)) => {
            Some(json!({"name": name, "domain": {"name": option("project_domain_name").unwrap_or("Default")}}))
        }
        (None, None) => None,
    };
    let mut auth = json!({"identity": {"methods": ["password"], "password": {"user": user}}});
    if let Some(project) = project {
        auth["scope"] = json!({"project": project});
    }
    json!({ "auth": auth })
}

/// The `object-store` endpoint of the token's catalog, for `os_options.endpoint_type` (default
/// `public`) and `os_options.region_name` when given.
fn object_store_endpoint(document: &Value, options: &BTreeMap<String, String>) -> anyhow::Result<String> {
    let interface = options.get("endpoint_type").map(|s| s.trim_end_matches("URL")).unwrap_or("public");
    let region = options.get("region_name");
    let catalog = document["token"]["catalog"].as_array().context("Keystone login: no service catalog")?;
    catalog
        .iter()
        .filter(|service| service["type"] == "object-store")
        .flat_map(|service| service["endpoints"].as_array().into_iter().flatten())
        .find(|e| {
            e["interface"].as_str() == Some(interface)
                && region.is_none_or(|r| e["region"].as_str() == Some(r) || e["region_id"].as_str() == Some(r))
        })
        .and_then(|e| e["url"].as_str())
        .map(str::to_owned)
        .context("Keystone login: the catalog has no matching object-store endpoint")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_object_store_endpoint_from_a_keystone_catalog() {
        let document = json!({"token": {"catalog": [
            {"type": "identity", "endpoints": [{"interface": "public", "region": "r1", "url": "http://keystone"}]},
            {"type": "object-store", "endpoints": [
                {"interface": "internal", "region": "r1", "url": "http://internal/v1/AUTH_p"},
                {"interface": "public", "region": "r2", "url": "http://public-r2/v1/AUTH_p"},
                {"interface": "public", "region": "r1", "url": "http://public-r1/v1/AUTH_p"}
            ]}
        ]}});
        let mut options = BTreeMap::new();
        assert_eq!(object_store_endpoint(&document, &options).unwrap(), "http://public-r2/v1/AUTH_p");
        options.insert("region_name".to_owned(), "r1".to_owned());
        assert_eq!(object_store_endpoint(&document, &options).unwrap(), "http://public-r1/v1/AUTH_p");
        options.insert("endpoint_type".to_owned(), "internalURL".to_owned());
        assert_eq!(object_store_endpoint(&document, &options).unwrap(), "http://internal/v1/AUTH_p");
        options.insert("region_name".to_owned(), "r9".to_owned());
        assert!(object_store_endpoint(&document, &options).is_err());
    }

    #[test]
    fn keystone_request_scopes_to_the_project() {
        let mut options = BTreeMap::new();
        options.insert("tenant_name".to_owned(), "quay".to_owned());
        let body = keystone_request("svc", "pw", &options);
        assert_eq!(body["auth"]["identity"]["password"]["user"]["name"], "svc");
        assert_eq!(body["auth"]["identity"]["password"]["user"]["domain"]["name"], "Default");
        assert_eq!(body["auth"]["scope"]["project"]["name"], "quay");
        options.insert("project_id".to_owned(), "abc".to_owned());
        assert_eq!(keystone_request("svc", "pw", &options)["auth"]["scope"]["project"], json!({"id": "abc"}));
    }
}
