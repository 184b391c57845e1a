//! User administration within the administrator's own municipality.

use serde::Deserialize;
use vaern_domain::{
    Capability, FieldErrors, Role,
    access::{Access, needs_second_administrator},
    user::{NewUser, NewUserInput},
};
use vaern_store::{
    Db, StoreError, TeamId, TenantTx, UserId,
    admin_log::{self, AdminEvent},
    municipalities,
    users::{self, NewUserRow, PendingGrant, User},
};

use crate::{Actor, AppError, auth::hash_password};

/// Changes an administrator may make to a user.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct UpdateUserInput {
    pub role: String,
    pub team_id: Option<String>,
    /// `true`/`on` keeps the user active; anything else deactivates.
    pub active: Option<String>,
}

/// The municipality's users and teams.
pub async fn list(
    db: &Db,
    actor: &Actor,
) -> Result<(Vec<User>, Vec<municipalities::Team>), AppError> {
    actor.require(Capability::ManageUsers)?;
    let mut tx = db.tenant(actor.municipality_id).await?;
    let all = users::list(&mut tx).await?;
    let teams = municipalities::teams(&mut tx).await?;
    tx.commit().await?;
    Ok((all, teams))
}

/// Creates a user in the administrator's municipality.
pub async fn create(db: &Db, actor: &Actor, input: &NewUserInput) -> Result<User, AppError> {
    actor.require(Capability::ManageUsers)?;
    let mut tx = db.tenant(actor.municipality_id).await?;
    let user = insert(&mut tx, input, Some(actor.user_id)).await?;
    tx.commit().await?;
    Ok(user)
}

/// Creates a user without an acting administrator: the operator's `vaern user add`.
pub async fn create_as_operator(
    db: &Db,
    municipality_code: &str,
    input: &NewUserInput,
) -> Result<User, AppError> {
    let municipality = municipality_by_code(db, municipality_code).await?;
    let mut tx = db.tenant(municipality.id).await?;
    let user = insert(&mut tx, input, None).await?;
    tx.commit().await?;
    Ok(user)
}

/// The municipality with `code`, for the operator's commands and single sign-on's settings; an
/// unknown code is an error at the field `municipality`.
pub(crate) async fn municipality_by_code(
    db: &Db,
    code: &str,
) -> Result<municipalities::Municipality, AppError> {
    let mut global = db.global_read().await?;
    let found = municipalities::by_code(&mut global, code).await;
    global.commit().await?;
    match found {
        Ok(municipality) => Ok(municipality),
        Err(StoreError::NotFound) => Err(AppError::Invalid(FieldErrors::single(
            "municipality",
            format!("Der findes ingen kommune med koden {code}"),
        ))),
        Err(other) => Err(other.into()),
    }
}

/// Inserts the user and records who created it (`None`: the operator's CLI, which needs no
/// second administrator: the operator holds the database anyway).
async fn insert(
    tx: &mut TenantTx,
    input: &NewUserInput,
    actor: Option<UserId>,
) -> Result<User, AppError> {
    let parsed = NewUser::parse(input);
    let team = parse_team(tx, input.team_id.as_deref()).await;
    let mut errors = parsed.as_ref().err().cloned().unwrap_or_default();
    let team = errors.take("team_id", team);
    let (Ok(new), Some(team)) = (parsed, team) else {
        return Err(AppError::Invalid(errors));
    };
    let hash = hash_password(&new.password)?;
    let access = Access {
        role: new.role,
        active: true,
    };
    let row = NewUserRow {
        username: &new.username,
        name: &new.name,
        role: new.role,
        password_hash: &hash,
        team_id: team,
        pending_by: actor.filter(|_| needs_second_administrator(None, access)),
    };
    match users::create(tx, &row).await {
        Ok(user) => {
            let detail = format!(
                "Oprettede {} ({}) som {}{}{}",
                user.name,
                user.username,
                user.role.label(),
                user.team_name
                    .as_ref()
                    .map(|t| format!(", team {t}"))
                    .unwrap_or_default(),
                if user.pending.is_some() {
                    AWAITS_APPROVAL
                } else {
                    ""
                }
            );
            admin_log::record(tx, actor, Some(user.id), "user_created", &detail).await?;
            Ok(user)
        }
        Err(StoreError::Conflict(_)) => Err(AppError::Invalid(FieldErrors::single(
            "username",
            format!("Brugernavnet «{}» er optaget", new.username),
        ))),
        Err(other) => Err(other.into()),
    }
}

async fn parse_team(tx: &mut TenantTx, raw: Option<&str>) -> Result<Option<TeamId>, String> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(raw) => {
            let id: TeamId = raw
                .parse()
                .map_err(|_| "Vælg et team fra listen".to_owned())?;
            municipalities::team(tx, id)
                .await
                .map(|t| Some(t.id))
                .map_err(|_| "Vælg et team fra listen".to_owned())
        }
    }
}

const AWAITS_APPROVAL: &str = " – afventer godkendelse af en anden administrator";

/// Sets role, team and active flag. Administrators cannot deactivate themselves or take away
/// their own administrator role (the municipality would lock itself out). A change that gives
/// case access the account lacked is not made but asked for: it waits for a second
/// administrator ([`approve`]); another role or status replaces a waiting request.
pub async fn update(
    db: &Db,
    actor: &Actor,
    id: UserId,
    input: &UpdateUserInput,
) -> Result<User, AppError> {
    actor.require(Capability::ManageUsers)?;
    let mut errors = FieldErrors::new();
    let role = errors.take("role", Role::parse(&input.role));
    let active = matches!(input.active.as_deref(), Some("true" | "on" | "1"));
    if id == actor.user_id && !active {
        errors.add("active", "Du kan ikke deaktivere din egen bruger");
    }
    if id == actor.user_id && role.is_some_and(|r| r != Role::Admin) {
        errors.add("role", "Du kan ikke fjerne din egen administratorrolle");
    }
    let mut tx = db.tenant(actor.municipality_id).await?;
    let before = users::get(&mut tx, id).await?;
    let team = errors.take(
        "team_id",
        parse_team(&mut tx, input.team_id.as_deref()).await,
    );
    let (Some(role), Some(team)) = (role, team) else {
        return Err(AppError::Invalid(errors));
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let current = Access {
        role: before.role,
        active: before.active,
    };
    let wanted = Access { role, active };
    let (user, request) = if needs_second_administrator(Some(current), wanted) {
        users::update(&mut tx, id, before.role, team, before.active).await?;
        let request = PendingGrant {
            role,
            requested_by: actor.user_id,
        };
        let asked = (before.pending != Some(request)).then(|| {
            if before.active {
                format!("anmodede om rollen {}", role.label())
            } else {
                format!("anmodede om genaktivering som {}", role.label())
            }
        });
        (users::set_pending(&mut tx, id, Some(request)).await?, asked)
    } else if wanted == current || before.pending.is_none() {
        // Only the team changed (or nothing waits): a waiting request stands.
        (users::update(&mut tx, id, role, team, active).await?, None)
    } else {
        // Another role or status was chosen instead: the waiting request gives way to it.
        users::update(&mut tx, id, role, team, active).await?;
        let dropped = before.pending.map(|p| {
            format!(
                "anmodningen om rollen {} er trukket tilbage",
                p.role.label()
            )
        });
        (users::set_pending(&mut tx, id, None).await?, dropped)
    };
    let mut changes = describe_changes(&before, &user);
    if let Some(request) = request {
        let awaits = if user.pending.is_some() {
            AWAITS_APPROVAL
        } else {
            ""
        };
        changes.push(format!("{request}{awaits}"));
    }
    if !changes.is_empty() {
        let detail = format!("Ændrede {}: {}", user.name, changes.join("; "));
        admin_log::record(
            &mut tx,
            Some(actor.user_id),
            Some(user.id),
            "user_changed",
            &detail,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(user)
}

/// A second administrator grants the waiting request on `id`: the role asked for, active.
pub async fn approve(db: &Db, actor: &Actor, id: UserId) -> Result<User, AppError> {
    actor.require(Capability::ManageUsers)?;
    let mut tx = db.tenant(actor.municipality_id).await?;
    let before = users::get(&mut tx, id).await?;
    let Some(request) = before.pending else {
        return Err(nothing_waits());
    };
    if request.requested_by == actor.user_id {
        return Err(AppError::Invalid(FieldErrors::single(
            "approval",
            "En anden administrator end den, der bad om adgangen, skal godkende den (firøjeprincippet)",
        )));
    }
    if id == actor.user_id {
        return Err(AppError::Invalid(FieldErrors::single(
            "approval",
            "Du kan ikke godkende adgang til din egen bruger",
        )));
    }
    let asker = users::get(&mut tx, request.requested_by).await?;
    let user = match users::grant_pending(&mut tx, id).await {
        Ok(user) => user,
        Err(StoreError::NotFound) => return Err(nothing_waits()),
        Err(other) => return Err(other.into()),
    };
    let detail = format!(
        "Godkendte {} ({}) som {}, som {} bad om",
        user.name,
        user.username,
        request.role.label(),
        asker.name
    );
    admin_log::record(
        &mut tx,
        Some(actor.user_id),
        Some(user.id),
        "user_approved",
        &detail,
    )
    .await?;
    tx.commit().await?;
    Ok(user)
}

/// Refuses (or, by the administrator who asked, withdraws) the waiting request on `id`; the
/// account keeps the access it had.
pub async fn reject(db: &Db, actor: &Actor, id: UserId) -> Result<User, AppError> {
    actor.require(Capability::ManageUsers)?;
    let mut tx = db.tenant(actor.municipality_id).await?;
    let before = users::get(&mut tx, id).await?;
    let Some(request) = before.pending else {
        return Err(nothing_waits());
    };
    let user = users::set_pending(&mut tx, id, None).await?;
    let detail = format!(
        "Afviste anmodningen om {} som {}",
        user.name,
        request.role.label()
    );
    admin_log::record(
        &mut tx,
        Some(actor.user_id),
        Some(user.id),
        "user_request_rejected",
        &detail,
    )
    .await?;
    tx.commit().await?;
    Ok(user)
}

fn nothing_waits() -> AppError {
    AppError::Invalid(FieldErrors::single(
        "approval",
        "Brugeren venter ikke på godkendelse (en anden administrator har måske svaret)",
    ))
}

fn describe_changes(before: &User, after: &User) -> Vec<String> {
    let team = |u: &User| u.team_name.clone().unwrap_or_else(|| "intet".into());
    let mut changes = Vec::new();
    if before.role != after.role {
        changes.push(format!(
            "rolle {} → {}",
            before.role.label(),
            after.role.label()
        ));
    }
    if before.team_id != after.team_id {
        changes.push(format!("team {} → {}", team(before), team(after)));
    }
    if before.active != after.active {
        changes.push(if after.active {
            "genaktiveret".into()
        } else {
            "deaktiveret (sessioner og API-tokens lukket)".into()
        });
    }
    changes
}

/// The latest changes to the municipality's users and teams (administrators and auditors).
pub async fn changes(db: &Db, actor: &Actor) -> Result<Vec<AdminEvent>, AppError> {
    actor.require(Capability::ReadAccessLog)?;
    let mut tx = db.tenant(actor.municipality_id).await?;
    let events = admin_log::latest(&mut tx).await?;
    tx.commit().await?;
    Ok(events)
}

/// Creates a team in the administrator's municipality.
pub async fn create_team(
    db: &Db,
    actor: &Actor,
    name: &str,
) -> Result<municipalities::Team, AppError> {
    actor.require(Capability::ManageUsers)?;
    let name = vaern_domain::text::required_line(name, "teamets navn", 100)
        .map_err(|m| AppError::Invalid(FieldErrors::single("team_name", m)))?;
    let mut tx = db.tenant(actor.municipality_id).await?;
    let team = match municipalities::create_team(&mut tx, &name).await {
        Ok(team) => team,
        Err(StoreError::Conflict(_)) => {
            return Err(AppError::Invalid(FieldErrors::single(
                "team_name",
                format!("Der findes allerede et team med navnet «{name}»"),
            )));
        }
        Err(other) => return Err(other.into()),
    };
    let detail = format!("Oprettede teamet {}", team.name);
    admin_log::record(&mut tx, Some(actor.user_id), None, "team_created", &detail).await?;
    tx.commit().await?;
    Ok(team)
}

/// Whether the administrator's municipality allows login with local passwords.
pub async fn local_login(db: &Db, actor: &Actor) -> Result<bool, AppError> {
    actor.require(Capability::ManageUsers)?;
    let mut tx = db.tenant_read(actor.municipality_id).await?;
    let allowed = municipalities::local_login(&mut tx).await?;
    tx.commit().await?;
    Ok(allowed)
}

/// Allows or refuses login with local passwords in the administrator's municipality (the demo
/// and break-glass accounts use them). Refusing them needs the municipality's own login to be
/// set up (`has_own_login`), or nobody could log in; the operator's
/// [`set_local_login_as_operator`] can always turn them back on.
pub async fn set_local_login(
    db: &Db,
    actor: &Actor,
    allowed: bool,
    has_own_login: bool,
) -> Result<(), AppError> {
    actor.require(Capability::ManageUsers)?;
    if !allowed && !has_own_login {
        return Err(AppError::Invalid(FieldErrors::single(
            "local_login",
            "Kommunen har ikke sit eget login sat op i Værn. Slå ikke adgangskoder fra, før driften har sat det op.",
        )));
    }
    let mut tx = db.tenant(actor.municipality_id).await?;
    record_local_login(&mut tx, Some(actor.user_id), allowed).await?;
    tx.commit().await?;
    Ok(())
}

/// [`set_local_login`] by the operator's `vaern municipality local-login` (the way back in when
/// the municipality's own login fails).
pub async fn set_local_login_as_operator(
    db: &Db,
    municipality_code: &str,
    allowed: bool,
) -> Result<(), AppError> {
    let municipality = municipality_by_code(db, municipality_code).await?;
    let mut tx = db.tenant(municipality.id).await?;
    record_local_login(&mut tx, None, allowed).await?;
    tx.commit().await?;
    Ok(())
}

async fn record_local_login(
    tx: &mut TenantTx,
    actor: Option<UserId>,
    allowed: bool,
) -> Result<(), AppError> {
    municipalities::set_local_login(tx, allowed).await?;
    let detail = if allowed {
        "Login med adgangskode er slået til"
    } else {
        "Login med adgangskode er slået fra; medarbejderne logger ind med kommunens eget login"
    };
    admin_log::record(tx, actor, None, admin_log::LOCAL_LOGIN_CHANGED, detail).await?;
    Ok(())
}
