//! Login through the municipality's own identity provider (single sign-on). The web layer
//! checks the provider's answer (signature, issuer, audience, expiry, nonce) and maps its
//! groups to a role; here the account is made to match: created on first login, given the
//! mapped role when the groups changed, each change in the administration log.
//!
//! The identity provider is the authority for these accounts: the municipality's own directory
//! decides who is a caseworker, so the four-eyes rule for local accounts
//! ([`vaern_domain::access::needs_second_administrator`]) is the directory's to keep; Værn
//! records every account and role it takes over so the administrators see it.

use vaern_domain::{FieldErrors, Role};
use vaern_store::{
    Db, StoreError, TenantTx, admin_log,
    users::{self, NewUserRow, User},
};

use super::{NewSession, hash_password, open_session, random_secret};
use crate::AppError;

/// Who the identity provider says logged in, with the role their groups map to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoIdentity {
    /// The username claim (usernames are global in Værn, and follow
    /// [`vaern_domain::user::username`]).
    pub username: String,
    /// The name shown in Værn; the username when the provider sends none.
    pub name: String,
    pub role: Role,
}

/// Opens a session for `identity` in the municipality with code `municipality`, creating or
/// updating the account first.
/// A deactivated account stays deactivated: an administrator's decision in Værn is not undone
/// by the directory, and the user is told so.
pub async fn login(
    db: &Db,
    municipality: &str,
    identity: &SsoIdentity,
) -> Result<NewSession, AppError> {
    let Ok(username) = vaern_domain::user::username(&identity.username) else {
        return Err(refused(
            "Kommunens login sendte ikke et brugernavn, Værn kan bruge. Kontakt din administrator.",
        ));
    };
    let municipality = crate::users::municipality_by_code(db, municipality).await?;
    let mut tx = db.tenant(municipality.id).await?;
    let user = match users::by_username(&mut tx, &username).await {
        Ok(user) => take_over(&mut tx, user, identity.role).await?,
        Err(StoreError::NotFound) => create(&mut tx, &username, identity).await?,
        Err(other) => return Err(other.into()),
    };
    tx.commit().await?;
    if !user.active {
        return Err(refused(
            "Din bruger er deaktiveret i Værn. Kontakt din administrator.",
        ));
    }
    open_session(db, db.auth().await?, &user).await
}

fn refused(message: &str) -> AppError {
    AppError::Invalid(FieldErrors::single("sso", message))
}

async fn create(
    tx: &mut TenantTx,
    username: &str,
    identity: &SsoIdentity,
) -> Result<User, AppError> {
    // The account has no password anyone knows: it logs in only through the provider.
    let hash = hash_password(&random_secret())?;
    let name = Some(identity.name.trim())
        .filter(|n| !n.is_empty() && !n.chars().any(char::is_control))
        .unwrap_or(username);
    let row = NewUserRow {
        username,
        name,
        role: identity.role,
        password_hash: &hash,
        team_id: None,
        pending_by: None,
    };
    let user = match users::create(tx, &row).await {
        Ok(user) => user,
        Err(StoreError::Conflict(_)) => {
            return Err(refused(
                "Brugernavnet fra kommunens login bruges allerede i en anden kommune i Værn. Kontakt din administrator.",
            ));
        }
        Err(other) => return Err(other.into()),
    };
    let detail = format!(
        "Kommunens login oprettede {} ({}) som {}",
        user.name,
        user.username,
        user.role.label()
    );
    admin_log::record(
        tx,
        None,
        Some(user.id),
        admin_log::SSO_USER_CREATED,
        &detail,
    )
    .await?;
    Ok(user)
}

async fn take_over(tx: &mut TenantTx, user: User, role: Role) -> Result<User, AppError> {
    if user.role == role || !user.active {
        return Ok(user);
    }
    let before = user.role;
    let user = users::update(tx, user.id, role, user.team_id, user.active).await?;
    let detail = format!(
        "Kommunens login ændrede {} ({}) fra {} til {}",
        user.name,
        user.username,
        before.label(),
        role.label()
    );
    admin_log::record(
        tx,
        None,
        Some(user.id),
        admin_log::SSO_ROLE_CHANGED,
        &detail,
    )
    .await?;
    Ok(user)
}
