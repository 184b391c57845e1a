//! Authentication storage: password lookup, server-side sessions, API tokens and the login
//! throttle. Secrets are stored only as hashes (the app hashes; this module never sees them).

use sqlx::AssertSqlSafe;
use time::OffsetDateTime;

use crate::{
    ApiTokenId, AuthTx, MunicipalityId, StoreError, UserId, now, on,
    users::{USER_COLUMNS, USER_FROM, User, UserRow},
    utc,
};

/// A user with the password hash and second factor, for verifying a login.
pub struct Credentials {
    pub user: User,
    pub password_hash: String,
    /// The TOTP secret (base32) of an enrolled account.
    pub totp_secret: Option<String>,
    /// The last TOTP step a code was accepted for.
    pub totp_last_step: Option<i64>,
    /// Whether the user's municipality allows login with a local password.
    pub local_login: bool,
}

/// Finds an active or inactive user by username, across municipalities (usernames are global).
pub async fn credentials(tx: &mut AuthTx, username: &str) -> Result<Credentials, StoreError> {
    let sql = format!(
        "select {USER_COLUMNS}, u.password_hash, u.totp_secret, u.totp_last_step, \
         (select m.local_login from municipalities m where m.id = u.municipality_id) as local_login \
         {USER_FROM} where u.username = $1"
    );
    let row: CredentialRow =
        on!(&mut tx.tx, c => sqlx::query_as(AssertSqlSafe(sql)).bind(username).fetch_one(c).await?);
    Ok(Credentials {
        user: row.user.into_user()?,
        password_hash: row.password_hash,
        totp_secret: row.totp_secret,
        totp_last_step: row.totp_last_step,
        local_login: row.local_login,
    })
}

#[derive(sqlx::FromRow)]
struct CredentialRow {
    #[sqlx(flatten)]
    user: UserRow,
    password_hash: String,
    totp_secret: Option<String>,
    totp_last_step: Option<i64>,
    local_login: bool,
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    #[sqlx(flatten)]
    user: UserRow,
    municipality_code: String,
    municipality_name: String,
    csrf_token: String,
    created_at: OffsetDateTime,
    last_seen_at: OffsetDateTime,
}

/// A stored session: its user (with the municipality's code and name) and CSRF token.
pub struct SessionRecord {
    pub user: User,
    pub municipality_code: String,
    pub municipality_name: String,
    pub csrf_token: String,
    /// When the login opened it (its absolute lifetime counts from here).
    pub created_at: OffsetDateTime,
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
         s.csrf_token, s.created_at, s.last_seen_at {USER_FROM} join sessions s on s.user_id = u.id \
         join municipalities m on m.id = u.municipality_id where s.id_hash = $1"
    );
    let row: SessionRow =
        on!(&mut tx.tx, c => sqlx::query_as(AssertSqlSafe(sql)).bind(id_hash).fetch_one(c).await?);
    Ok(SessionRecord {
        user: row.user.into_user()?,
        municipality_code: row.municipality_code,
        municipality_name: row.municipality_name,
        csrf_token: row.csrf_token,
        created_at: row.created_at,
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

/// One throttle key's count: failed (or still unchecked) logins since the count last started
/// over, and until when the key must wait.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ThrottleCount {
    pub failures: i64,
    pub last_failure_at: OffsetDateTime,
    pub blocked_until: Option<OffsetDateTime>,
}

/// Locks a throttle key's row for the rest of the transaction, creating it with no failures if
/// missing, and returns its count. On PostgreSQL the row is locked (`for update`); SQLite's
/// write transaction (`begin immediate`) already holds the whole database. Lock several keys in
/// one order (sorted) so two logins cannot wait on each other.
pub async fn lock_throttle(tx: &mut AuthTx, key: &str) -> Result<ThrottleCount, StoreError> {
    let at = now();
    on!(&mut tx.tx, c => {
        sqlx::query(
            "insert into login_throttle (key, failures, last_failure_at) values ($1, 0, $2) \
             on conflict (key) do nothing",
        )
        .bind(key).bind(at).execute(c).await?;
    });
    let lock = match tx.tx {
        crate::Tx::Pg(_) => " for update",
        crate::Tx::Sqlite(_) => "",
    };
    let sql = format!(
        "select failures, last_failure_at, blocked_until from login_throttle where key = $1{lock}"
    );
    Ok(
        on!(&mut tx.tx, c => sqlx::query_as(AssertSqlSafe(sql.clone())).bind(key).fetch_one(c).await?),
    )
}

/// Stores a key's new count.
pub async fn save_throttle(
    tx: &mut AuthTx,
    key: &str,
    count: &ThrottleCount,
) -> Result<(), StoreError> {
    on!(&mut tx.tx, c => {
        sqlx::query(
            "update login_throttle set failures = $2, last_failure_at = $3, blocked_until = $4 \
             where key = $1",
        )
        .bind(key).bind(count.failures).bind(utc(count.last_failure_at))
        .bind(count.blocked_until.map(utc))
        .execute(c).await?;
    });
    Ok(())
}

/// Forgets a key (after a successful login).
pub async fn forget_throttle(tx: &mut AuthTx, key: &str) -> Result<(), StoreError> {
    on!(&mut tx.tx, c => {
        sqlx::query("delete from login_throttle where key = $1").bind(key).execute(c).await?;
    });
    Ok(())
}

/// Forgets every key whose last failure is older than `before` (no count that old matters).
pub async fn forget_throttles_before(
    tx: &mut AuthTx,
    before: OffsetDateTime,
) -> Result<u64, StoreError> {
    Ok(on!(&mut tx.tx, c => {
        sqlx::query("delete from login_throttle where last_failure_at < $1")
            .bind(utc(before)).execute(c).await?.rows_affected()
    }))
}
