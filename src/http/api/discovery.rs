//! `GET /api/v1/discovery`: an OpenAPI 3.0 document of every route in [`super::endpoints`].
//! (Quay serves Swagger 2.0 here; OpenAPI 3.0 says the same and is what current tools read.)

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use serde_json::{Map, Value, json};

use super::{ApiResult, Endpoint, Scope, json_response};
use crate::app::AppState;

/// Builders for the JSON schemas the endpoints declare.
pub mod schema {
    use serde_json::{Map, Value, json};

    pub fn string() -> Value {
        json!({"type": "string"})
    }

    pub fn integer() -> Value {
        json!({"type": "integer"})
    }

    pub fn boolean() -> Value {
        json!({"type": "boolean"})
    }

    pub fn nullable(mut v: Value) -> Value {
        v["nullable"] = true.into();
        v
    }

    pub fn array(items: Value) -> Value {
        json!({"type": "array", "items": items})
    }

    pub fn enumeration(values: &[&str]) -> Value {
        json!({"type": "string", "enum": values})
    }

    /// An object with these properties (others allowed), of which `required` must be present.
    pub fn object(properties: &[(&str, Value)], required: &[&str]) -> Value {
        let props: Map<String, Value> = properties.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect();
        let mut o = json!({"type": "object", "properties": props});
        if !required.is_empty() {
            o["required"] = json!(required);
        }
        o
    }

    /// A map from names to values of one schema.
    pub fn map_of(values: Value) -> Value {
        json!({"type": "object", "additionalProperties": values})
    }
}

use schema::{boolean, integer, object, string};

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        Endpoint {
            method: "GET",
            path: "/discovery",
            operation_id: "discovery",
            summary: "This document: every operation of the API",
            scope: None,
            query: &[],
            body: None,
            responses: &[(
                200,
                Some(|| {
                    schema::object(
                        &[("openapi", string()), ("paths", json!({"type": "object"}))],
                        &["openapi", "paths"],
                    )
                }),
            )],
            handler: || get(discovery),
        },
        Endpoint {
            method: "GET",
            path: "/registry/capabilities",
            operation_id: "getRegistryCapabilities",
            summary: "What the registry accepts: sparse manifest lists and their required architectures",
            scope: None,
            query: &[],
            body: None,
            responses: &[(
                200,
                Some(|| {
                    let sparse = object(
                        &[
                            ("supported", boolean()),
                            ("required_architectures", schema::array(string())),
                            ("optional_architectures_allowed", boolean()),
                        ],
                        &["supported", "required_architectures", "optional_architectures_allowed"],
                    );
                    object(
                        &[("sparse_manifests", sparse), ("mirror_architectures", schema::array(string()))],
                        &["sparse_manifests", "mirror_architectures"],
                    )
                }),
            )],
            handler: || get(capabilities),
        },
    ]
}

/// The architectures a repository mirror may filter on (Quay's `VALID_ARCHITECTURES`).
pub const MIRROR_ARCHITECTURES: &[&str] = &["amd64", "arm64", "ppc64le", "s390x"];

async fn capabilities(State(app): State<AppState>) -> ApiResult {
    let sparse = app.config.feature_sparse_index;
    let required = if sparse { app.config.sparse_index_required_archs.clone() } else { Vec::new() };
    // Quay allows optional architectures only when some are required; here, with none required,
    // every architecture is optional (docs/COMPATIBILITY.md).
    json_response(
        StatusCode::OK,
        json!({
            "sparse_manifests": {"supported": sparse, "required_architectures": required, "optional_architectures_allowed": sparse},
            "mirror_architectures": MIRROR_ARCHITECTURES,
        }),
    )
}

/// Quay's error body.
pub fn error_schema() -> Value {
    object(
        &[
            ("status", integer()),
            ("error_message", string()),
            ("title", string()),
            ("type", string()),
            ("detail", string()),
            ("error_type", string()),
        ],
        &["status", "error_message", "title", "type", "detail"],
    )
}

/// A 400's body: Quay's problem document, or the bare `{"message": ...}` some of its handlers
/// answer.
pub fn bad_request_schema() -> Value {
    json!({"anyOf": [error_schema(), object(&[("message", string())], &["message"])]})
}

pub fn avatar_schema() -> Value {
    object(&[("name", string()), ("hash", string()), ("color", string()), ("kind", string())], &["name", "hash"])
}

async fn discovery(State(app): State<AppState>) -> ApiResult {
    json_response(StatusCode::OK, document(&app.config.base_url()))
}

/// The OpenAPI document for a server reached at `base_url`.
pub fn document(base_url: &str) -> Value {
    let mut paths: Map<String, Value> = Map::new();
    for e in super::endpoints() {
        let mut parameters: Vec<Value> = path_parameters(e.path)
            .into_iter()
            .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string", "pattern": "^[^/]+$"}}))
            .collect();
        for (name, kind, description) in e.query {
            parameters.push(json!({"name": name, "in": "query", "required": false, "description": description, "schema": {"type": kind}}));
        }
        let mut responses = Map::new();
        for (status, body) in e.responses {
            let mut r = json!({"description": reason(*status)});
            if let Some(schema) = body {
                r["content"] = json!({"application/json": {"schema": schema()}});
            }
            responses.insert(status.to_string(), r);
        }
        // The errors any such operation can answer, whether or not its entry lists them.
        let mut errors = Vec::new();
        if !e.query.is_empty() || e.body.is_some() {
            errors.push(400);
        }
        // Credentials that are not valid are refused before any operation runs.
        errors.push(401);
        if e.scope.is_some() {
            errors.push(403);
        }
        if !path_parameters(e.path).is_empty() {
            errors.push(404);
        }
        for status in errors {
            let schema = if status == 400 { bad_request_schema() } else { error_schema() };
            responses.entry(status.to_string()).or_insert_with(
                || json!({"description": reason(status), "content": {"application/json": {"schema": schema}}}),
            );
        }
        let mut op = json!({
            "operationId": e.operation_id,
            "summary": e.summary,
            "parameters": parameters,
            "responses": responses,
        });
        if let Some(body) = e.body {
            op["requestBody"] = json!({"required": true, "content": {"application/json": {"schema": body()}}});
        }
        op["security"] = match e.scope {
            Some(scope) => json!([{"oauth2_implicit": [scope.name()]}, {"basic": []}]),
            None => json!([{}, {"oauth2_implicit": []}, {"basic": []}]),
        };
        let path = documented_path(e.path);
        let entry = paths.entry(path).or_insert_with(|| json!({}));
        entry[e.method.to_lowercase()] = op;
    }
    let scopes: Map<String, Value> = Scope::ALL.iter().map(|s| (s.name().to_owned(), json!(s.name()))).collect();
    json!({
        "openapi": "3.0.3",
        "info": {"title": "Quay API", "version": "v1", "description": "Quay's management API as served by quay"},
        "servers": [{"url": base_url}],
        "paths": paths,
        "components": {"securitySchemes": {
            "oauth2_implicit": {"type": "oauth2", "flows": {"implicit": {
                "authorizationUrl": format!("{base_url}/oauth/authorize"), "scopes": scopes}}},
            "basic": {"type": "http", "scheme": "basic"},
        }},
    })
}

/// The document's path: under `/api/v1`, the repository as its two segments.
fn documented_path(path: &str) -> String {
    format!("/api/v1{}", path.replace("{repository}", "{namespace}/{repo}"))
}

fn path_parameters(path: &str) -> Vec<String> {
    documented_path(path)
        .split('/')
        .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(str::to_owned)
        .collect()
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "Successful invocation",
        201 => "Created",
        204 => "Deleted or updated",
        400 => "Bad request",
        401 => "Session required",
        403 => "Unauthorized access",
        404 => "Not found",
        409 => "Conflict",
        _ => "Response",
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_route_is_documented_once_with_its_parameters() {
        let doc = super::document("https://quay.example");
        let mut seen = std::collections::HashSet::new();
        for e in super::super::endpoints() {
            assert!(seen.insert((e.method, e.path)), "{} {} twice", e.method, e.path);
            let path = super::documented_path(e.path);
            let op = &doc["paths"][&path][e.method.to_lowercase()];
            assert_eq!(op["operationId"], e.operation_id, "{path}");
            let params = op["parameters"].as_array().unwrap();
            for name in super::path_parameters(e.path) {
                assert!(params.iter().any(|p| p["name"] == name.as_str() && p["in"] == "path"), "{path}: {name}");
            }
        }
    }
}
