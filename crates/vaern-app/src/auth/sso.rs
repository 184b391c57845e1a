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
    Db, StoreError, TenantTx, admin_log, saml,
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

/// How long a SAML login may take at the identity provider before its answer is refused.
pub const SAML_LOGIN_LIFETIME: time::Duration = time::Duration::minutes(10);

/// Remembers the AuthnRequest `request_id` sent to `municipality`'s identity provider, with
/// where the user goes afterwards.
pub async fn saml_request_sent(
    db: &Db,
    request_id: &str,
    municipality: &str,
    next: &str,
) -> Result<(), AppError> {
    let mut tx = db.auth().await?;
    let pending = saml::PendingRequest {
        municipality_code: municipality.to_owned(),
        next_path: next.to_owned(),
    };
    saml::remember_request(
        &mut tx,
        request_id,
        &pending,
        vaern_store::now() + SAML_LOGIN_LIFETIME,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Accepts a verified answer once: the request it answers must be one Værn sent to
/// `municipality` and still under way, and its assertion new; both are then used up, whatever
/// browser brings the answer again. `assertion_lifetime` is how long the assertion is valid
/// for (the replay record lives as long). Returns where the user goes next, or `None` for an
/// answer that is replayed, late, or meant for another municipality's login.
pub async fn saml_answer_arrived(
    db: &Db,
    request_id: &str,
    municipality: &str,
    assertion_id: &str,
    assertion_lifetime: time::Duration,
) -> Result<Option<String>, AppError> {
    let mut tx = db.auth().await?;
    let Some(pending) = saml::take_request(&mut tx, request_id).await? else {
        return Ok(None);
    };
    let expires = vaern_store::now() + assertion_lifetime.max(time::Duration::ZERO);
    if pending.municipality_code != municipality
        || !saml::use_assertion(&mut tx, assertion_id, expires).await?
    {
        // The request stays used up: an answer tried on the wrong login does not get a second go.
        tx.commit().await?;
        return Ok(None);
    }
    tx.commit().await?;
    Ok(Some(pending.next_path))
}
