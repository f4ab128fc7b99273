//! `/organization`: organizations, their teams and members.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get, post, put};
use serde::Deserialize;
use serde_json::{Value, json};

use super::discovery::schema::{array, boolean, enumeration, integer, map_of, object, string};
use super::user::avatar;
use super::{ApiError, ApiResult, Body, Caller, Endpoint, Path, Scope, json_response, no_content};
use crate::app::{App, AppState};
use crate::db::identity::{self, Account, TeamView};
use crate::db::queries;

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
            responses: &[(200, Some(team_schema))],
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
        &[("id", string()), ("role", string()), ("delegate", who.clone()), ("activating_user", who)],
        &["id", "role", "delegate"],
    )
}

fn prototype_json(org: &str, p: &identity::Prototype) -> Value {
    let person = |(name, robot, email): &(String, bool, String)| json!({"name": name, "kind": "user", "is_robot": robot, "avatar": avatar(name, email, if *robot { "robot" } else { "user" })});
    let delegate = match (&p.delegate_user, &p.delegate_team) {
        (Some(u), _) => person(u),
        (None, Some(t)) => json!({"name": t, "kind": "team", "avatar": avatar(t, &format!("{org}/{t}"), "team")}),
        (None, None) => Value::Null,
    };
    let mut v = json!({"id": p.uuid, "role": p.role, "delegate": delegate});
    if let Some(a) = &p.activating_user {
        v["activating_user"] = person(a);
    }
    v
}

async fn list_prototypes(State(app): State<AppState>, caller: Caller, Path(name): Path<String>) -> ApiResult {
    let org = administered(&app, &caller, &name).await?;
    let list: Vec<Value> =
        identity::prototypes(&app.db.read, org.id, None).await?.iter().map(|p| prototype_json(&name, p)).collect();
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

fn role_id(app: &App, role: &str) -> Result<i32, ApiError> {
    app.db.lookups.role_ids.get(role).copied().ok_or_else(|| ApiError::bad_request("role must be read, write or admin"))
}

async fn create_prototype(
    State(app): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
    Body(req): Body<PrototypeRequest>,
) -> ApiResult {
    let org = administered(&app, &caller, &name).await?;
    let role = role_id(&app, &req.role)?;
    let (delegate_user, delegate_team) = match req.delegate.kind.as_deref() {
        Some("team") => {
            let team = identity::find_team(&app.db.read, org.id, &req.delegate.name).await?;
            (None, Some(team.ok_or_else(|| ApiError::bad_request("Unknown team"))?))
        }
        Some("user") => {
            let user = identity::find_account(&app.db.read, &req.delegate.name).await?.filter(|a| !a.organization);
            let user = user.ok_or_else(|| ApiError::bad_request("Unknown user or robot"))?;
            if user.robot && !user.username.starts_with(&format!("{name}+")) {
                return Err(ApiError::bad_request("Only this organization's robots can be delegates"));
            }
            (Some(user.id), None)
        }
        _ => return Err(ApiError::bad_request("delegate.kind must be user or team")),
    };
    let activating = match &req.activating_user {
        Some(a) => {
            let user = identity::find_account(&app.db.read, &a.name).await?.filter(|u| !u.organization && !u.robot);
            Some(user.ok_or_else(|| ApiError::bad_request("Unknown activating user"))?.id)
        }
        None => None,
    };
    let tx = app.db.begin().await?;
    let uuid = identity::create_prototype(&tx, org.id, activating, delegate_user, delegate_team, role).await?;
    let metadata = json!({
        "delegate": {"name": req.delegate.name, "kind": req.delegate.kind},
        "activating_user": req.activating_user.as_ref().map(|a| a.name.clone()),
        "role": req.role,
    });
    queries::insert_log(&tx, "create_prototype_permission", org.id, caller.user().map(|u| u.id), None, &metadata)
        .await?;
    tx.commit().await?;
    let created = identity::prototypes(&app.db.read, org.id, Some(&uuid)).await?;
    let created = created.first().ok_or_else(ApiError::not_found)?;
    json_response(StatusCode::OK, prototype_json(&name, created))
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
    let org = administered(&app, &caller, &name).await?;
    let role = role_id(&app, &req.role)?;
    let tx = app.db.begin().await?;
    if !identity::set_prototype_role(&tx, org.id, &id, role).await? {
        return Err(ApiError::not_found());
    }
    let metadata = json!({"id": id, "role": req.role});
    queries::insert_log(&tx, "modify_prototype_permission", org.id, caller.user().map(|u| u.id), None, &metadata)
        .await?;
    tx.commit().await?;
    let updated = identity::prototypes(&app.db.read, org.id, Some(&id)).await?;
    json_response(StatusCode::OK, prototype_json(&name, updated.first().ok_or_else(ApiError::not_found)?))
}

async fn delete_prototype(
    State(app): State<AppState>,
    caller: Caller,
    Path((name, id)): Path<(String, String)>,
) -> ApiResult {
    let org = administered(&app, &caller, &name).await?;
    let tx = app.db.begin().await?;
    if !identity::delete_prototype(&tx, org.id, &id).await? {
        return Err(ApiError::not_found());
    }
    queries::insert_log(
        &tx,
        "delete_prototype_permission",
        org.id,
        caller.user().map(|u| u.id),
        None,
        &json!({"id": id}),
    )
    .await?;
    tx.commit().await?;
    no_content()
}

fn team_schema() -> Value {
    object(
        &[
            ("name", string()),
            ("description", string()),
            ("role", string()),
            ("avatar", super::discovery::avatar_schema()),
            ("can_view", boolean()),
            ("repo_count", integer()),
            ("member_count", integer()),
            ("is_synced", boolean()),
        ],
        &["name", "role", "can_view", "repo_count", "member_count"],
    )
}

fn org_schema() -> Value {
    object(
        &[
            ("name", string()),
            ("email", string()),
            ("avatar", super::discovery::avatar_schema()),
            ("is_admin", boolean()),
            ("is_member", boolean()),
            ("teams", map_of(team_schema())),
            ("ordered_teams", array(string())),
            ("tag_expiration_s", integer()),
            ("invoice_email", boolean()),
        ],
        &["name", "avatar", "is_admin", "is_member"],
    )
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

/// The organization in the path, or 404.
pub async fn organization(app: &App, name: &str) -> Result<Account, ApiError> {
    match identity::find_account(&app.db.read, name).await? {
        Some(a) if a.organization => Ok(a),
        _ => Err(ApiError::not_found()),
    }
}

/// The organization in the path, for a caller who administers it (an `admin` team member, or a
/// superuser acting as one) with a token that has `org:admin`.
pub async fn administered(app: &App, caller: &Caller, name: &str) -> Result<Account, ApiError> {
    let org = organization(app, name).await?;
    let user = caller.require(Scope::OrgAdmin)?;
    if caller.superuser() {
        return Ok(org);
    }
    let (_, admin) = identity::organization_membership(&app.db.read, org.id, user.id).await?;
    if !admin {
        return Err(ApiError::forbidden());
    }
    Ok(org)
}

fn team_json(org: &str, t: &TeamView, can_view: bool) -> Value {
    json!({
        "name": t.name,
        "description": t.description,
        "role": t.role,
        "avatar": avatar(&t.name, &format!("{org}/{}", t.name), "team"),
        "can_view": can_view,
        "repo_count": t.repo_count,
        "member_count": t.member_count,
        "is_synced": false,
    })
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
    let user = caller.require(Scope::UserAdmin)?;
    if user.robot {
        return Err(ApiError::forbidden());
    }
    crate::identity::create_org(&app.db, &req.name, Some(&user.username)).await?;
    let org = organization(&app, &req.name).await?;
    let tx = app.db.begin().await?;
    if let Some(email) = req.email.as_deref().filter(|e| !e.is_empty()) {
        identity::set_email(&tx, org.id, email).await?;
    }
    let metadata = json!({"email": req.email, "namespace": req.name});
    queries::insert_log(&tx, "org_create", org.id, Some(user.id), None, &metadata).await?;
    tx.commit().await?;
    json_response(StatusCode::CREATED, json!("Created"))
}

async fn org_view(app: &App, caller: &Caller, org: &Account) -> Result<Value, ApiError> {
    let (member, admin) = match caller.user() {
        Some(u) => identity::organization_membership(&app.db.read, org.id, u.id).await?,
        None => (false, false),
    };
    let admin = admin || caller.superuser();
    let mut v = json!({
        "name": org.username,
        "email": if admin { org.email.clone() } else { String::new() },
        "avatar": avatar(&org.username, &org.email, "org"),
        "is_admin": admin,
        "is_member": member,
    });
    if member || admin {
        let teams = identity::teams_of(&app.db.read, org.id).await?;
        let map: serde_json::Map<String, Value> =
            teams.iter().map(|t| (t.name.clone(), team_json(&org.username, t, true))).collect();
        v["teams"] = Value::Object(map);
        v["ordered_teams"] = json!(teams.iter().map(|t| t.name.clone()).collect::<Vec<_>>());
    }
    if admin {
        let settings = identity::account_settings(&app.db.read, org.id).await?;
        v["tag_expiration_s"] = json!(settings.removed_tag_expiration_s);
        v["invoice_email"] = json!(false);
    }
    Ok(v)
}

async fn view(State(app): State<AppState>, caller: Caller, Path(name): Path<String>) -> ApiResult {
    let org = organization(&app, &name).await?;
    json_response(StatusCode::OK, org_view(&app, &caller, &org).await?)
}

#[derive(Deserialize)]
struct UpdateRequest {
    email: Option<String>,
    tag_expiration_s: Option<i64>,
}

/// Quay's default `TAG_EXPIRATION_OPTIONS` (`0s, 1d, 1w, 2w, 4w`), in seconds.
pub const TAG_EXPIRATION_OPTIONS: [i64; 5] = [0, 86_400, 604_800, 1_209_600, 2_419_200];

async fn update(
    State(app): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
    Body(req): Body<UpdateRequest>,
) -> ApiResult {
    let org = administered(&app, &caller, &name).await?;
    let tx = app.db.begin().await?;
    let performer = caller.user().map(|u| u.id);
    if let Some(seconds) = req.tag_expiration_s {
        if !TAG_EXPIRATION_OPTIONS.contains(&seconds) {
            return Err(ApiError::bad_request("Invalid tag expiration option"));
        }
        identity::set_tag_expiration_window(&tx, org.id, seconds).await?;
        let metadata = json!({"namespace": name, "tag_expiration": seconds});
        queries::insert_log(&tx, "org_change_tag_expiration", org.id, performer, None, &metadata).await?;
    }
    if let Some(email) = req.email.as_deref() {
        if !email.contains('@') {
            return Err(ApiError::bad_request("Invalid email address"));
        }
        identity::set_email(&tx, org.id, email).await?;
        let metadata = json!({"namespace": name, "email": email});
        queries::insert_log(&tx, "org_change_email", org.id, performer, None, &metadata).await?;
    }
    tx.commit().await?;
    let org = organization(&app, &name).await?;
    json_response(StatusCode::OK, org_view(&app, &caller, &org).await?)
}

async fn remove(State(app): State<AppState>, caller: Caller, Path(name): Path<String>) -> ApiResult {
    administered(&app, &caller, &name).await?;
    crate::identity::delete_namespace(&app.db, &name, app.config.namespace_gc_grace()).await?;
    no_content()
}

async fn members(State(app): State<AppState>, caller: Caller, Path(name): Path<String>) -> ApiResult {
    let org = administered(&app, &caller, &name).await?;
    let members: Vec<Value> = identity::organization_members(&app.db.read, org.id)
        .await?
        .iter()
        .map(|(a, teams)| {
            json!({
                "name": a.username,
                "kind": "user",
                "avatar": avatar(&a.username, &a.email, if a.robot { "robot" } else { "user" }),
                "teams": teams.iter().map(|t| json!({"name": t, "avatar": avatar(t, &format!("{name}/{t}"), "team")})).collect::<Vec<_>>(),
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
    let org = administered(&app, &caller, &name).await?;
    let Some(&role_id) = app.db.lookups.team_role_ids.get(&req.role) else {
        return Err(ApiError::bad_request("role must be member, creator or admin"));
    };
    crate::identity::validate_namespace(&team).map_err(|_| ApiError::bad_request("Invalid team name"))?;
    let performer = caller.user().map(|u| u.id);
    let tx = app.db.begin().await?;
    let existing = identity::team(&tx, org.id, &team).await?;
    let description =
        req.description.clone().unwrap_or_else(|| existing.as_ref().map(|t| t.description.clone()).unwrap_or_default());
    match &existing {
        None => {
            identity::create_team(&tx, org.id, &team, role_id, &description).await?;
            let metadata = json!({"team": team});
            queries::insert_log(&tx, "org_create_team", org.id, performer, None, &metadata).await?;
        }
        Some(t) => {
            if t.role == "admin" && req.role != "admin" && last_admin_team(&app, org.id, t.id).await? {
                return Err(ApiError::bad_request("Cannot change the role of the last admin team"));
            }
            identity::update_team(&tx, t.id, role_id, &description).await?;
            if t.role != req.role {
                let metadata = json!({"team": team, "role": req.role});
                queries::insert_log(&tx, "org_set_team_role", org.id, performer, None, &metadata).await?;
            }
            if t.description != description {
                let metadata = json!({"team": team, "description": description});
                queries::insert_log(&tx, "org_set_team_description", org.id, performer, None, &metadata).await?;
            }
        }
    }
    tx.commit().await?;
    let saved = identity::team(&app.db.read, org.id, &team).await?.ok_or_else(ApiError::not_found)?;
    json_response(StatusCode::OK, team_json(&name, &saved, true))
}

/// Whether `team_id` is the organization's only team with the admin role.
async fn last_admin_team(app: &App, org_id: i32, team_id: i32) -> Result<bool, ApiError> {
    let teams = identity::teams_of(&app.db.read, org_id).await?;
    Ok(!teams.iter().any(|t| t.role == "admin" && t.id != team_id))
}

async fn find_team(app: &App, org_id: i32, team: &str) -> Result<TeamView, ApiError> {
    identity::team(&app.db.read, org_id, team).await?.ok_or_else(ApiError::not_found)
}

async fn delete_team(
    State(app): State<AppState>,
    caller: Caller,
    Path((name, team)): Path<(String, String)>,
) -> ApiResult {
    let org = administered(&app, &caller, &name).await?;
    let t = find_team(&app, org.id, &team).await?;
    if t.role == "admin" && last_admin_team(&app, org.id, t.id).await? {
        return Err(ApiError::bad_request("Cannot delete the last admin team of an organization"));
    }
    let tx = app.db.begin().await?;
    identity::delete_team(&tx, t.id).await?;
    queries::insert_log(&tx, "org_delete_team", org.id, caller.user().map(|u| u.id), None, &json!({"team": team}))
        .await?;
    tx.commit().await?;
    no_content()
}

async fn team_members(
    State(app): State<AppState>,
    caller: Caller,
    Path((name, team)): Path<(String, String)>,
) -> ApiResult {
    let org = administered(&app, &caller, &name).await?;
    let t = find_team(&app, org.id, &team).await?;
    let members: Vec<Value> = identity::team_members(&app.db.read, t.id).await?.iter().map(member_json).collect();
    json_response(StatusCode::OK, json!({"name": team, "members": members, "can_edit": true}))
}

async fn add_team_member(
    State(app): State<AppState>,
    caller: Caller,
    Path((name, team, member)): Path<(String, String, String)>,
) -> ApiResult {
    let org = administered(&app, &caller, &name).await?;
    let t = find_team(&app, org.id, &team).await?;
    let Some(account) = identity::find_account(&app.db.read, &member).await? else {
        return Err(ApiError::bad_request(&format!("Unknown user or robot `{member}`")));
    };
    if account.organization || (account.robot && !member.starts_with(&format!("{name}+"))) {
        return Err(ApiError::bad_request("Only users and this organization's robots can join its teams"));
    }
    let tx = app.db.begin().await?;
    identity::add_team_member(&tx, t.id, account.id).await?;
    let metadata = json!({"team": team, "member": member});
    queries::insert_log(&tx, "org_add_team_member", org.id, caller.user().map(|u| u.id), None, &metadata).await?;
    tx.commit().await?;
    json_response(StatusCode::OK, member_json(&account))
}

async fn remove_team_member(
    State(app): State<AppState>,
    caller: Caller,
    Path((name, team, member)): Path<(String, String, String)>,
) -> ApiResult {
    let org = administered(&app, &caller, &name).await?;
    let t = find_team(&app, org.id, &team).await?;
    let Some(account) = identity::find_account(&app.db.read, &member).await? else {
        return Err(ApiError::not_found());
    };
    if t.role == "admin" && last_admin_team(&app, org.id, t.id).await? {
        // Robots on the team do not count: someone must be left to administer the organization.
        let people = identity::team_members(&app.db.read, t.id).await?;
        if !people.iter().any(|m| !m.robot && m.id != account.id) {
            return Err(ApiError::bad_request("Cannot remove the last member of the last admin team"));
        }
    }
    let tx = app.db.begin().await?;
    if !identity::remove_team_member(&tx, t.id, account.id).await? {
        return Err(ApiError::not_found());
    }
    let metadata = json!({"team": team, "member": member});
    queries::insert_log(&tx, "org_remove_team_member", org.id, caller.user().map(|u| u.id), None, &metadata).await?;
    tx.commit().await?;
    no_content()
}
