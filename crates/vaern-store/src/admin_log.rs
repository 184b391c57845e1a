//! Changes to users and teams: who changed whose rights, what and when. Append-only (no update
//! or delete here; the database refuses both), written in the transaction of the change.

use serde::Serialize;
use time::OffsetDateTime;

use crate::{StoreError, TenantTx, UserId, now, on};

/// The most events one read returns.
pub const PAGE_SIZE: i64 = 100;

/// Værn itself slowed logins to an account after failed attempts (no actor).
pub const LOGIN_DELAYED: &str = "login_delayed";
/// An administrator added an authenticator app (TOTP) at login.
pub const TOTP_ENROLLED: &str = "totp_enrolled";
/// Another administrator or the operator removed an administrator's authenticator (a lost
/// phone).
pub const TOTP_RESET: &str = "totp_reset";
/// An administrator (or the operator) allowed or refused login with local passwords.
pub const LOCAL_LOGIN_CHANGED: &str = "local_login_changed";
/// Single sign-on created an account the municipality's identity provider vouched for.
pub const SSO_USER_CREATED: &str = "sso_user_created";
/// Single sign-on gave an account the role the identity provider's groups now map to.
pub const SSO_ROLE_CHANGED: &str = "sso_role_changed";

/// One change, with names for display.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AdminEvent {
    pub at: OffsetDateTime,
    pub actor_id: Option<UserId>,
    pub actor_name: Option<String>,
    pub subject_user_id: Option<UserId>,
    pub subject_name: Option<String>,
    /// `user_created`, `user_changed`, `team_created`, [`LOGIN_DELAYED`],
    /// [`SSO_USER_CREATED`], [`SSO_ROLE_CHANGED`], [`TOTP_ENROLLED`], [`TOTP_RESET`] or
    /// [`LOCAL_LOGIN_CHANGED`].
    pub action: String,
    pub detail: String,
}

/// Records a change made by `actor` (None: the operator's CLI, or Værn itself).
pub async fn record(
    tx: &mut TenantTx,
    actor: Option<UserId>,
    subject: Option<UserId>,
    action: &str,
    detail: &str,
) -> Result<(), StoreError> {
    let municipality = tx.municipality();
    on!(&mut tx.tx, c => {
        sqlx::query(
            "insert into admin_events (id, municipality_id, actor_id, subject_user_id, action, \
             detail, at) values ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(uuid::Uuid::new_v4()).bind(municipality).bind(actor).bind(subject)
        .bind(action).bind(detail).bind(now())
        .execute(c).await?;
    });
    Ok(())
}

/// The municipality's latest changes, newest first.
pub async fn latest(tx: &mut TenantTx) -> Result<Vec<AdminEvent>, StoreError> {
    let municipality = tx.municipality();
    let sql = "select e.at, e.actor_id, a.name as actor_name, e.subject_user_id, \
        s.name as subject_name, e.action, e.detail from admin_events e \
        left join users a on a.id = e.actor_id left join users s on s.id = e.subject_user_id \
        where e.municipality_id = $1 order by e.at desc, e.id desc limit $2";
    Ok(
        on!(&mut tx.tx, c => sqlx::query_as(sql).bind(municipality).bind(PAGE_SIZE).fetch_all(c).await?),
    )
}
