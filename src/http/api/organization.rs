//! `/organization`: organizations, their teams and members.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get, post, put};
use serde::Deserialize;
use serde_json::{Value, json};

use super::discovery::schema::{array, boolean, enumeration, integer, map_of, nullable, object, string};
use super::user::avatar;
use super::{ApiError, ApiResult, Body, Caller, Endpoint, Path, Scope, json_response, no_content};
use crate::accounts::prototypes::Delegate;
use crate::accounts::{self, Account, Prototype, TeamView, organizations, prototypes, teams};
use crate::app::AppState;

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        Endpoint {
            method: "POST",
            path: "/organization/",
            operation_id: "createOrganization",
            summary: "Creates an organization; the caller joins its owners team",
            scope: Some(Scope::UserAdmin),
            query: &[],
            body: Some(|| object(&[("name", string()), ("email", string())], &["name"])),
            responses: &[(201, Some(string))],
            handler: || post(create),
        },
        Endpoint {
            method: "GET",
            path: "/organization/{orgname}",
            operation_id: "getOrganization",
            summary: "An organization, with its teams for members",
            scope: None,
            query: &[],
            body: None,
            responses: &[(200, Some(org_schema)), (404, Some(super::discovery::error_schema))],
            handler: || get(view),
        },
        Endpoint {
            method: "PUT",
            path: "/organization/{orgname}",
            operation_id: "changeOrganizationDetails",
            summary: "Changes the email or the time machine window (tag_expiration_s)",
            scope: Some(Scope::OrgAdmin),
            query: &[],
            body: Some(|| object(&[("email", string()), ("tag_expiration_s", integer())], &[])),
            responses: &[(200, Some(org_schema))],
            handler: || put(update),
        },
        Endpoint {
            method: "DELETE",
            path: "/organization/{orgname}",
            operation_id: "deleteAdminedOrganization",
            summary: "Deletes the organization; garbage collection purges its content",
            scope: Some(Scope::OrgAdmin),
            query: &[],
            body: None,
            responses: &[(204, None)],
            handler: || delete(remove),
        },
        Endpoint {
            method: "GET",
            path: "/organization/{orgname}/members",
            operation_id: "getOrganizationMembers",
            summary: "Everyone on a team of the organization",
            scope: Some(Scope::OrgAdmin),
            query: &[],
            body: None,
            responses: &[(200, Some(|| object(&[("members", array(member_schema()))], &["members"])))],
            handler: || get(members),
        },
        Endpoint {
            method: "PUT",
            path: "/organization/{orgname}/team/{teamname}",
            operation_id: "updateOrganizationTeam",
            summary: "Creates the team, or changes its role and description",
            scope: Some(Scope::OrgAdmin),
            query: &[],
            body: Some(|| {
                object(&[("role", enumeration(&["member", "creator", "admin"])), ("description", string())], &["role"])
            }),
            responses: &[(200, Some(saved_team_schema))],
            handler: || put(put_team),
        },
        Endpoint {
            method: "DELETE",
            path: "/organization/{orgname}/team/{teamname}",
            operation_id: "deleteOrganizationTeam",
            summary: "Deletes the team (not the last admin team)",
            scope: Some(Scope::OrgAdmin),
            query: &[],
            body: None,
            responses: &[(204, None)],
            handler: || delete(delete_team),
        },
        Endpoint {
            method: "GET",
            path: "/organization/{orgname}/team/{teamname}/members",
            operation_id: "getOrganizationTeamMembers",
            summary: "The team's members",
            scope: Some(Scope::OrgAdmin),
            query: &[],
            body: None,
            responses: &[(
                200,
                Some(|| {
                    object(
                        &[("name", string()), ("members", array(team_member_schema())), ("can_edit", boolean())],
                        &["name", "members", "can_edit"],
                    )
                }),
            )],
            handler: || get(team_members),
        },
        Endpoint {
            method: "PUT",
            path: "/organization/{orgname}/team/{teamname}/members/{membername}",
            operation_id: "updateOrganizationTeamMember",
            summary: "Adds a user or robot to the team",
            scope: Some(Scope::OrgAdmin),
            query: &[],
            body: None,
            responses: &[(200, Some(team_member_schema))],
            handler: || put(add_team_member),
        },
        Endpoint {
            method: "DELETE",
            path: "/organization/{orgname}/team/{teamname}/members/{membername}",
            operation_id: "deleteOrganizationTeamMember",
            summary: "Removes a member from the team (not the last member of the last admin team)",
            scope: Some(Scope::OrgAdmin),
            query: &[],
            body: None,
            responses: &[(204, None)],
            handler: || delete(remove_team_member),
        },
        Endpoint {
            method: "GET",
            path: "/organization/{orgname}/prototypes",
            operation_id: "getOrganizationPrototypePermissions",
            summary: "Default permissions given on repositories created in the organization",
            scope: Some(Scope::OrgAdmin),
            query: &[],
            body: None,
            responses: &[(200, Some(|| object(&[("prototypes", array(prototype_schema()))], &["prototypes"])))],
            handler: || get(list_prototypes),
        },
        Endpoint {
            method: "POST",
            path: "/organization/{orgname}/prototypes",
            operation_id: "createOrganizationPrototypePermission",
            summary: "Adds a default permission: a role for a user, robot or team, on repositories created by \
                      `activating_user` (or anyone)",
            scope: Some(Scope::OrgAdmin),
            query: &[],
            body: Some(|| {
                object(
                    &[
                        ("role", enumeration(&["read", "write", "admin"])),
                        (
                            "delegate",
                            object(&[("name", string()), ("kind", enumeration(&["user", "team"]))], &["name", "kind"]),
                        ),
                        ("activating_user", object(&[("name", string())], &["name"])),
                    ],
                    &["role", "delegate"],
                )
            }),
            responses: &[(200, Some(prototype_schema))],
            handler: || post(create_prototype),
        },
        Endpoint {
            method: "PUT",
            path: "/organization/{orgname}/prototypes/{prototypeid}",
            operation_id: "updateOrganizationPrototypePermission",
            summary: "Changes a default permission's role",
            scope: Some(Scope::OrgAdmin),
            query: &[],
            body: Some(|| object(&[("role", enumeration(&["read", "write", "admin"]))], &["role"])),
            responses: &[(200, Some(prototype_schema))],
            handler: || put(update_prototype),
        },
        Endpoint {
            method: "DELETE",
            path: "/organization/{orgname}/prototypes/{prototypeid}",
            operation_id: "deleteOrganizationPrototypePermission",
            summary: "Removes a default permission",
            scope: Some(Scope::OrgAdmin),
            query: &[],
            body: None,
            responses: &[(204, None)],
            handler: || delete(delete_prototype),
        },
    ]
}

fn prototype_schema() -> Value {
    let who = object(
        &[
            ("name", string()),
            ("kind", string()),
            ("is_robot", boolean()),
            ("avatar", super::discovery::avatar_schema()),
        ],
        &["name", "kind"],
    );
    object(
        &[("id", string()), ("role", string()), ("delegate", who.clone()), ("activating_user", nullable(who))],
        &["id", "role", "delegate"],
    )
}

fn prototype_json(p: &Prototype) -> Value {
    let person = |(name, robot, email): &(String, bool, String)| json!({"name": name, "kind": "user", "is_robot": robot, "avatar": avatar(name, email, if *robot { "robot" } else { "user" })});
    let delegate = match (&p.delegate_user, &p.delegate_team) {
        (Some(u), _) => person(u),
        (None, Some(t)) => json!({"name": t, "kind": "team", "avatar": avatar(t, t, "team")}),
        (None, None) => Value::Null,
    };
    json!({"id": p.uuid, "role": p.role, "delegate": delegate, "activating_user": p.activating_user.as_ref().map(person)})
}

async fn list_prototypes(State(app): State<AppState>, caller: Caller, Path(name): Path<String>) -> ApiResult {
    let list: Vec<Value> = prototypes::list(&app, &caller, &name).await?.iter().map(prototype_json).collect();
    json_response(StatusCode::OK, json!({"prototypes": list}))
}

#[derive(Deserialize)]
struct Named {
    name: String,
    kind: Option<String>,
}

#[derive(Deserialize)]
struct PrototypeRequest {
    role: String,
    delegate: Named,
    activating_user: Option<Named>,
}

async fn create_prototype(
    State(app): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
    Body(req): Body<PrototypeRequest>,
) -> ApiResult {
    let delegate = match req.delegate.kind.as_deref() {
        Some("team") => Delegate::Team(&req.delegate.name),
        Some("user") => Delegate::User(&req.delegate.name),
        _ => {
            // The organization's administrators learn about a bad body; others only that they may not.
            accounts::administered(&app, &caller, &name).await?;
            return Err(ApiError::bad_request("delegate.kind must be user or team"));
        }
    };
    let activating = req.activating_user.as_ref().map(|a| a.name.as_str());
    let created = prototypes::create(&app, &caller, &name, delegate, &req.role, activating).await?;
    json_response(StatusCode::OK, prototype_json(&created))
}

#[derive(Deserialize)]
struct PrototypeRole {
    role: String,
}

async fn update_prototype(
    State(app): State<AppState>,
    caller: Caller,
    Path((name, id)): Path<(String, String)>,
    Body(req): Body<PrototypeRole>,
) -> ApiResult {
    let updated = prototypes::set_role(&app, &caller, &name, &id, &req.role).await?;
    json_response(StatusCode::OK, prototype_json(&updated))
}

async fn delete_prototype(
    State(app): State<AppState>,
    caller: Caller,
    Path((name, id)): Path<(String, String)>,
) -> ApiResult {
    prototypes::delete(&app, &caller, &name, &id).await?;
    no_content()
}

/// A team's own fields, and those its view adds (`extra`, `required` among them).
fn team_fields_schema(extra: &[(&str, Value)], required: &[&str]) -> Value {
    let mut fields = vec![
        ("name", string()),
        ("description", string()),
        ("role", string()),
        ("avatar", super::discovery::avatar_schema()),
        ("can_view", boolean()),
    ];
    fields.extend(extra.iter().cloned());
    let required: Vec<&str> = ["name", "role", "can_view"].iter().chain(required).copied().collect();
    object(&fields, &required)
}

fn team_schema() -> Value {
    team_fields_schema(
        &[("repo_count", integer()), ("member_count", integer()), ("is_synced", boolean())],
        &["repo_count", "member_count"],
    )
}

/// What a team PUT answers (Quay): the team's own fields and whether it was created.
fn saved_team_schema() -> Value {
    team_fields_schema(&[("new_team", boolean())], &["new_team"])
}

fn org_schema() -> Value {
    let mut fields = vec![
        ("name", string()),
        ("email", string()),
        ("avatar", super::discovery::avatar_schema()),
        ("is_admin", boolean()),
        ("is_member", boolean()),
        ("teams", map_of(team_schema())),
        ("ordered_teams", array(string())),
        ("tag_expiration_s", integer()),
        ("invoice_email", boolean()),
        ("invoice_email_address", nullable(string())),
        ("is_free_account", boolean()),
    ];
    fields.extend(super::lifecycle::quota_report_fields());
    object(&fields, &["name", "avatar", "is_admin", "is_member"])
}

fn member_schema() -> Value {
    object(
        &[
            ("name", string()),
            ("kind", string()),
            ("avatar", super::discovery::avatar_schema()),
            ("teams", array(object(&[("name", string())], &["name"]))),
            ("repositories", array(string())),
        ],
        &["name", "kind", "teams"],
    )
}

fn team_member_schema() -> Value {
    object(
        &[
            ("name", string()),
            ("kind", string()),
            ("is_robot", boolean()),
            ("avatar", super::discovery::avatar_schema()),
            ("invited", boolean()),
        ],
        &["name", "kind", "is_robot", "invited"],
    )
}

fn team_fields_json(t: &TeamView, can_view: bool) -> Value {
    json!({
        "name": t.name,
        "description": t.description,
        "role": t.role,
        "avatar": avatar(&t.name, &t.name, "team"),
        "can_view": can_view,
    })
}

fn team_json(t: &TeamView, can_view: bool) -> Value {
    let mut v = team_fields_json(t, can_view);
    v["repo_count"] = json!(t.repo_count);
    v["member_count"] = json!(t.member_count);
    v["is_synced"] = json!(false);
    v
}

fn member_json(a: &Account) -> Value {
    json!({
        "name": a.username,
        "kind": "user",
        "is_robot": a.robot,
        "avatar": avatar(&a.username, &a.email, if a.robot { "robot" } else { "user" }),
        "invited": false,
    })
}

#[derive(Deserialize)]
struct CreateRequest {
    name: String,
    email: Option<String>,
}

async fn create(State(app): State<AppState>, caller: Caller, Body(req): Body<CreateRequest>) -> ApiResult {
    organizations::create(&app, &caller, &req.name, req.email.as_deref(), None).await?;
    json_response(StatusCode::CREATED, json!("Created"))
}

fn org_json(view: &organizations::OrganizationView) -> Value {
    let org = &view.organization;
    let mut v = json!({
        "name": org.username,
        "email": if view.admin { org.email.clone() } else { String::new() },
        // Quay reports an organization's own avatar with kind `user` here.
        "avatar": avatar(&org.username, &org.email, "user"),
        "is_admin": view.admin,
        "is_member": view.member,
    });
    if let Some(teams) = &view.teams {
        let map: serde_json::Map<String, Value> = teams.iter().map(|t| (t.name.clone(), team_json(t, true))).collect();
        v["teams"] = Value::Object(map);
        v["ordered_teams"] = json!(teams.iter().map(|t| t.name.clone()).collect::<Vec<_>>());
    }
    if let Some(settings) = &view.settings {
        v["tag_expiration_s"] = json!(settings.removed_tag_expiration_s);
        v["invoice_email"] = json!(false);
        v["invoice_email_address"] = Value::Null;
        v["is_free_account"] = json!(true);
    }
    v
}

/// An organization's view with its storage report (Quay shows it with quota management on).
async fn org_with_report(app: &AppState, view: &organizations::OrganizationView) -> ApiResult {
    let mut v = org_json(view);
    let report = crate::accounts::quotas::report(app, view.organization.id).await?;
    super::lifecycle::add_quota_report(&mut v, report.as_ref());
    json_response(StatusCode::OK, v)
}

async fn view(State(app): State<AppState>, caller: Caller, Path(name): Path<String>) -> ApiResult {
    org_with_report(&app, &organizations::view(&app, &caller, &name).await?).await
}

#[derive(Deserialize)]
struct UpdateRequest {
    email: Option<String>,
    tag_expiration_s: Option<i64>,
}

async fn update(
    State(app): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
    Body(req): Body<UpdateRequest>,
) -> ApiResult {
    let view = organizations::update(&app, &caller, &name, req.email.as_deref(), req.tag_expiration_s).await?;
    org_with_report(&app, &view).await
}

async fn remove(State(app): State<AppState>, caller: Caller, Path(name): Path<String>) -> ApiResult {
    organizations::delete(&app, &caller, &name).await?;
    no_content()
}

async fn members(State(app): State<AppState>, caller: Caller, Path(name): Path<String>) -> ApiResult {
    let members: Vec<Value> = organizations::members(&app, &caller, &name)
        .await?
        .iter()
        .map(|(a, teams)| {
            json!({
                "name": a.username,
                "kind": "user",
                "avatar": avatar(&a.username, &a.email, if a.robot { "robot" } else { "user" }),
                "teams": teams.iter().map(|t| json!({"name": t, "avatar": avatar(t, t, "team")})).collect::<Vec<_>>(),
                "repositories": [],
            })
        })
        .collect();
    json_response(StatusCode::OK, json!({"members": members}))
}

#[derive(Deserialize)]
struct TeamRequest {
    role: String,
    description: Option<String>,
}

async fn put_team(
    State(app): State<AppState>,
    caller: Caller,
    Path((name, team)): Path<(String, String)>,
    Body(req): Body<TeamRequest>,
) -> ApiResult {
    let (saved, new_team) = teams::put(&app, &caller, &name, &team, &req.role, req.description.as_deref()).await?;
    let mut v = team_fields_json(&saved, true);
    v["new_team"] = json!(new_team);
    json_response(StatusCode::OK, v)
}

async fn delete_team(
    State(app): State<AppState>,
    caller: Caller,
    Path((name, team)): Path<(String, String)>,
) -> ApiResult {
    teams::delete(&app, &caller, &name, &team).await?;
    no_content()
}

async fn team_members(
    State(app): State<AppState>,
    caller: Caller,
    Path((name, team)): Path<(String, String)>,
) -> ApiResult {
    let members: Vec<Value> = teams::members(&app, &caller, &name, &team).await?.iter().map(member_json).collect();
    json_response(StatusCode::OK, json!({"name": team, "members": members, "can_edit": true}))
}

async fn add_team_member(
    State(app): State<AppState>,
    caller: Caller,
    Path((name, team, member)): Path<(String, String, String)>,
) -> ApiResult {
    let account = teams::add_member(&app, &caller, &name, &team, &member).await?;
    json_response(StatusCode::OK, member_json(&account))
}

async fn remove_team_member(
    State(app): State<AppState>,
    caller: Caller,
    Path((name, team, member)): Path<(String, String, String)>,
) -> ApiResult {
    teams::remove_member(&app, &caller, &name, &team, &member).await?;
    no_content()
}
