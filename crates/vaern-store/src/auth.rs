//! Authentication storage: password lookup, server-side sessions, API tokens and the login
//! throttle. Secrets are stored only as hashes (the app hashes; this module never sees them).

use sqlx::AssertSqlSafe;
use time::OffsetDateTime;

use crate::{
    ApiTokenId, AuthTx, MunicipalityId, StoreError, UserId, now, on,
    users::{USER_COLUMNS, USER_FROM, User, UserRow},
    utc,
};

/// A user with the password hash, for verifying a login.
pub struct Credentials {
    pub user: User,
    pub password_hash: String,
}

/// Finds an active or inactive user by username, across municipalities (usernames are global).
pub async fn credentials(tx: &mut AuthTx, username: &str) -> Result<Credentials, StoreError> {
    let sql = format!("select {USER_COLUMNS}, u.password_hash {USER_FROM} where u.username = $1");
    let row: CredentialRow =
        on!(&mut tx.tx, c => sqlx::query_as(AssertSqlSafe(sql)).bind(username).fetch_one(c).await?);
    Ok(Credentials {
        user: row.user.into_user()?,
        password_hash: row.password_hash,
    })
}

#[derive(sqlx::FromRow)]
struct CredentialRow {
    #[sqlx(flatten)]
    user: UserRow,
    password_hash: String,
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    #[sqlx(flatten)]
    user: UserRow,
    municipality_code: String,
    municipality_name: String,
    csrf_token: String,
    last_seen_at: OffsetDateTime,
}

/// A stored session: its user (with the municipality's code and name) and CSRF token.
pub struct SessionRecord {
    pub user: User,
    pub municipality_code: String,
    pub municipality_name: String,
    pub csrf_token: String,
    pub last_seen_at: OffsetDateTime,
}

/// Stores a new session under the hash of its cookie value.
pub async fn create_session(
    tx: &mut AuthTx,
    id_hash: &str,
    user: UserId,
    municipality: MunicipalityId,
    csrf_token: &str,
) -> Result<(), StoreError> {
    let at = now();
    on!(&mut tx.tx, c => {
        sqlx::query(
            "insert into sessions (id_hash, user_id, municipality_id, csrf_token, created_at, \
             last_seen_at) values ($1, $2, $3, $4, $5, $5)",
        )
        .bind(id_hash).bind(user).bind(municipality).bind(csrf_token).bind(at)
        .execute(c).await?;
    });
    Ok(())
}

/// The session stored under `id_hash`, live or idle; deciding which is the caller's.
pub async fn find_session(tx: &mut AuthTx, id_hash: &str) -> Result<SessionRecord, StoreError> {
    let sql = format!(
        "select {USER_COLUMNS}, m.code as municipality_code, m.name as municipality_name, \
         s.csrf_token, s.last_seen_at {USER_FROM} join sessions s on s.user_id = u.id \
         join municipalities m on m.id = u.municipality_id where s.id_hash = $1"
    );
    let row: SessionRow =
        on!(&mut tx.tx, c => sqlx::query_as(AssertSqlSafe(sql)).bind(id_hash).fetch_one(c).await?);
    Ok(SessionRecord {
        user: row.user.into_user()?,
        municipality_code: row.municipality_code,
        municipality_name: row.municipality_name,
        csrf_token: row.csrf_token,
        last_seen_at: row.last_seen_at,
    })
}

/// Marks a session used at `at`.
pub async fn touch_session(
    tx: &mut AuthTx,
    id_hash: &str,
    at: OffsetDateTime,
) -> Result<(), StoreError> {
    on!(&mut tx.tx, c => {
        sqlx::query("update sessions set last_seen_at = $2 where id_hash = $1")
            .bind(id_hash).bind(utc(at)).execute(c).await?;
    });
    Ok(())
}

/// Ends a session (logout).
pub async fn delete_session(tx: &mut AuthTx, id_hash: &str) -> Result<(), StoreError> {
    on!(&mut tx.tx, c => {
        sqlx::query("delete from sessions where id_hash = $1").bind(id_hash).execute(c).await?;
    });
    Ok(())
}

/// Stores an API token's hash for a user.
pub async fn create_token(
    tx: &mut AuthTx,
    user: UserId,
    municipality: MunicipalityId,
    token_hash: &str,
) -> Result<ApiTokenId, StoreError> {
    let id = ApiTokenId::new();
    on!(&mut tx.tx, c => {
        sqlx::query(
            "insert into api_tokens (id, user_id, municipality_id, token_hash, created_at) \
             values ($1, $2, $3, $4, $5)",
        )
        .bind(id).bind(user).bind(municipality).bind(token_hash).bind(now())
        .execute(c).await?;
    });
    Ok(id)
}

/// The active user owning a token hash.
pub async fn token_user(tx: &mut AuthTx, token_hash: &str) -> Result<User, StoreError> {
    let sql = format!(
        "select {USER_COLUMNS} {USER_FROM} join api_tokens k on k.user_id = u.id \
         where k.token_hash = $1 and u.active = $2"
    );
    let row: UserRow = on!(&mut tx.tx, c => {
        sqlx::query_as(AssertSqlSafe(sql)).bind(token_hash).bind(true).fetch_one(c).await?
    });
    row.into_user()
}

/// Records a failed login for the throttle.
pub async fn record_login_failure(tx: &mut AuthTx, username: &str) -> Result<(), StoreError> {
    on!(&mut tx.tx, c => {
        sqlx::query("insert into login_failures (id, username, at) values ($1, $2, $3)")
            .bind(uuid::Uuid::new_v4()).bind(username).bind(now())
            .execute(c).await?;
    });
    Ok(())
}

/// Failed logins for `username` since `since`.
pub async fn login_failures_since(
    tx: &mut AuthTx,
    username: &str,
    since: OffsetDateTime,
) -> Result<i64, StoreError> {
    let sql = "select count(*) from login_failures where username = $1 and at >= $2";
    Ok(
        on!(&mut tx.tx, c => sqlx::query_scalar(sql).bind(username).bind(utc(since)).fetch_one(c).await?),
    )
}

/// Forgets failures after a successful login.
pub async fn clear_login_failures(tx: &mut AuthTx, username: &str) -> Result<(), StoreError> {
    on!(&mut tx.tx, c => {
        sqlx::query("delete from login_failures where username = $1")
            .bind(username).execute(c).await?;
    });
    Ok(())
}
