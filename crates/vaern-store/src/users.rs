//! Users (employees) of a municipality.

use serde::Serialize;
use sqlx::AssertSqlSafe;
use time::OffsetDateTime;
use vaern_domain::Role;

use crate::{MunicipalityId, StoreError, TeamId, TenantTx, UserId, now, on};

/// A user as shown to administrators and used for authorization.
#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub id: UserId,
    pub municipality_id: MunicipalityId,
    pub team_id: Option<TeamId>,
    pub team_name: Option<String>,
    pub username: String,
    pub name: String,
    pub role: Role,
    pub active: bool,
    pub created_at: OffsetDateTime,
    /// A case-reading role one administrator asked for, waiting for another's approval.
    pub pending: Option<PendingGrant>,
}

/// A role asked for and who asked: the four-eyes request on an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PendingGrant {
    pub role: Role,
    pub requested_by: UserId,
}

#[derive(sqlx::FromRow)]
pub(crate) struct UserRow {
    id: UserId,
    municipality_id: MunicipalityId,
    team_id: Option<TeamId>,
    team_name: Option<String>,
    username: String,
    name: String,
    role: String,
    active: bool,
    created_at: OffsetDateTime,
    pending_role: Option<String>,
    pending_by: Option<UserId>,
}

fn decode_role(code: &str) -> Result<Role, StoreError> {
    Role::parse(code)
        .map_err(|e| StoreError::Database(sqlx::Error::Decode(format!("users.role: {e}").into())))
}

impl UserRow {
    pub(crate) fn into_user(self) -> Result<User, StoreError> {
        let role = decode_role(&self.role)?;
        let pending = match (self.pending_role, self.pending_by) {
            (Some(role), Some(requested_by)) => Some(PendingGrant {
                role: decode_role(&role)?,
                requested_by,
            }),
            _ => None,
        };
        Ok(User {
            id: self.id,
            municipality_id: self.municipality_id,
            team_id: self.team_id,
            team_name: self.team_name,
            username: self.username,
            name: self.name,
            role,
            active: self.active,
            created_at: self.created_at,
            pending,
        })
    }
}

pub(crate) const USER_COLUMNS: &str = "u.id, u.municipality_id, u.team_id, t.name as team_name, \
    u.username, u.name, u.role, u.active, u.created_at, u.pending_role, u.pending_by";
pub(crate) const USER_FROM: &str = "from users u left join teams t on t.id = u.team_id";

/// What it takes to create a user.
pub struct NewUserRow<'a> {
    pub username: &'a str,
    pub name: &'a str,
    pub role: Role,
    pub password_hash: &'a str,
    pub team_id: Option<TeamId>,
    /// Who asked for the account when it waits for a second administrator: it is then created
    /// inactive with its role as the request.
    pub pending_by: Option<UserId>,
}

/// Creates a user in the transaction's municipality. A taken username is a `Conflict`.
pub async fn create(tx: &mut TenantTx, new: &NewUserRow<'_>) -> Result<User, StoreError> {
    let id = UserId::new();
    let municipality = tx.municipality();
    let at = now();
    on!(&mut tx.tx, c => {
        sqlx::query(
            "insert into users (id, municipality_id, team_id, username, name, role, password_hash, \
             active, created_at, updated_at, pending_role, pending_by) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10, $11)",
        )
        .bind(id).bind(municipality).bind(new.team_id).bind(new.username).bind(new.name)
        .bind(new.role.code()).bind(new.password_hash).bind(new.pending_by.is_none()).bind(at)
        .bind(new.pending_by.map(|_| new.role.code())).bind(new.pending_by)
        .execute(c).await?;
    });
    get(tx, id).await
}

/// A user of the transaction's municipality.
pub async fn get(tx: &mut TenantTx, id: UserId) -> Result<User, StoreError> {
    let municipality = tx.municipality();
    let sql =
        format!("select {USER_COLUMNS} {USER_FROM} where u.municipality_id = $1 and u.id = $2");
    let row: UserRow = on!(&mut tx.tx, c => sqlx::query_as(AssertSqlSafe(sql)).bind(municipality).bind(id).fetch_one(c).await?);
    row.into_user()
}

/// The user of the transaction's municipality with this username (usernames are global, so
/// `NotFound` may still mean another municipality has it).
pub async fn by_username(tx: &mut TenantTx, username: &str) -> Result<User, StoreError> {
    let municipality = tx.municipality();
    let sql = format!(
        "select {USER_COLUMNS} {USER_FROM} where u.municipality_id = $1 and u.username = $2"
    );
    let row: UserRow = on!(&mut tx.tx, c => sqlx::query_as(AssertSqlSafe(sql)).bind(municipality).bind(username).fetch_one(c).await?);
    row.into_user()
}

/// Accepts a TOTP code of `step` for the user: stores `secret` (enrolment) and the step, if no
/// other secret is enrolled and no code of this or a later step was accepted before. `false`:
/// refused (a replayed code, or a second enrolment that lost the race), nothing changed.
pub async fn accept_totp(
    tx: &mut TenantTx,
    id: UserId,
    secret: &str,
    step: i64,
) -> Result<bool, StoreError> {
    let municipality = tx.municipality();
    let changed = on!(&mut tx.tx, c => sqlx::query(
            "update users set totp_secret = $3, totp_last_step = $4 \
             where municipality_id = $1 and id = $2 \
             and (totp_secret is null or totp_secret = $3) \
             and (totp_last_step is null or totp_last_step < $4)",
        )
        .bind(municipality).bind(id).bind(secret).bind(step)
        .execute(c).await?.rows_affected());
    Ok(changed == 1)
}

/// Forgets the user's authenticator (a lost phone): the next login enrols a new one.
pub async fn reset_totp(tx: &mut TenantTx, id: UserId) -> Result<(), StoreError> {
    let municipality = tx.municipality();
    let changed = on!(&mut tx.tx, c => sqlx::query(
            "update users set totp_secret = null, totp_last_step = null, updated_at = $3 \
             where municipality_id = $1 and id = $2",
        )
        .bind(municipality).bind(id).bind(now())
        .execute(c).await?.rows_affected());
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// All users of the municipality, by name.
pub async fn list(tx: &mut TenantTx) -> Result<Vec<User>, StoreError> {
    let municipality = tx.municipality();
    let sql = format!(
        "select {USER_COLUMNS} {USER_FROM} where u.municipality_id = $1 order by u.name, u.id"
    );
    let rows: Vec<UserRow> = on!(&mut tx.tx, c => sqlx::query_as(AssertSqlSafe(sql)).bind(municipality).fetch_all(c).await?);
    rows.into_iter().map(UserRow::into_user).collect()
}

/// Changes role, team and active flag; deactivation also ends the user's sessions and tokens.
pub async fn update(
    tx: &mut TenantTx,
    id: UserId,
    role: Role,
    team_id: Option<TeamId>,
    active: bool,
) -> Result<User, StoreError> {
    let municipality = tx.municipality();
    let changed = on!(&mut tx.tx, c => {
        let changed = sqlx::query(
            "update users set role = $3, team_id = $4, active = $5, updated_at = $6 \
             where municipality_id = $1 and id = $2",
        )
        .bind(municipality).bind(id).bind(role.code()).bind(team_id).bind(active).bind(now())
        .execute(&mut *c).await?.rows_affected();
        if !active {
            crate::count_queries(2);
            sqlx::query("delete from sessions where municipality_id = $1 and user_id = $2")
                .bind(municipality).bind(id).execute(&mut *c).await?;
            sqlx::query("delete from api_tokens where municipality_id = $1 and user_id = $2")
                .bind(municipality).bind(id).execute(&mut *c).await?;
        }
        changed
    });
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    get(tx, id).await
}

/// Sets or clears the four-eyes request on a user.
pub async fn set_pending(
    tx: &mut TenantTx,
    id: UserId,
    pending: Option<PendingGrant>,
) -> Result<User, StoreError> {
    let municipality = tx.municipality();
    let changed = on!(&mut tx.tx, c => sqlx::query(
            "update users set pending_role = $3, pending_by = $4, updated_at = $5 \
             where municipality_id = $1 and id = $2",
        )
        .bind(municipality).bind(id).bind(pending.map(|p| p.role.code()))
        .bind(pending.map(|p| p.requested_by)).bind(now())
        .execute(c).await?.rows_affected());
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    get(tx, id).await
}

/// Grants the request: the asked-for role, active. `NotFound` when nothing waits (another
/// administrator answered it first).
pub async fn grant_pending(tx: &mut TenantTx, id: UserId) -> Result<User, StoreError> {
    let municipality = tx.municipality();
    let changed = on!(&mut tx.tx, c => sqlx::query(
            "update users set role = pending_role, active = $3, pending_role = null, \
             pending_by = null, updated_at = $4 \
             where municipality_id = $1 and id = $2 and pending_role is not null",
        )
        .bind(municipality).bind(id).bind(true).bind(now())
        .execute(c).await?.rows_affected());
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    get(tx, id).await
}
