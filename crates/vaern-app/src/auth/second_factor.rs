//! The second factor of local administrator accounts: a TOTP code from an authenticator app
//! ([`vaern_domain::totp`]). An administrator manages accounts, so a guessed or leaked password
//! alone must not be enough. An account without an authenticator enrols one at its next login:
//! the password opens the enrolment, the first right code completes it. Staff who log in
//! through the municipality's own provider get its multi-factor authentication instead.

use rand::RngCore;
use vaern_domain::{Capability, FieldErrors, Role, totp};
use vaern_store::{Db, UserId, admin_log, users, users::User};

use crate::{Actor, AppError};

/// The one-time code typed with the password, and during enrolment the secret the form showed.
#[derive(Debug, Clone, Copy, Default)]
pub struct OneTimeCode<'a> {
    pub code: &'a str,
    /// The base32 secret being enrolled (the form's hidden field); empty otherwise.
    pub enrolling: &'a str,
}

impl OneTimeCode<'_> {
    /// No code: enough for every account that needs no second factor.
    pub const NONE: OneTimeCode<'static> = OneTimeCode {
        code: "",
        enrolling: "",
    };
}

/// An authenticator for the administrator to add: its secret (base32, to type in) and the
/// `otpauth://` URI (to open or scan).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enrolment {
    pub secret: String,
    pub uri: String,
    /// Why the last code was not accepted, if one was typed.
    pub problem: Option<&'static str>,
}

/// Whether a local account of `role` needs a second factor: the roles that manage accounts.
pub fn required(role: Role) -> bool {
    role.can(Capability::ManageUsers)
}

/// Bytes of a new secret: 160 bits, as RFC 4226 recommends.
const SECRET_BYTES: usize = 20;

fn new_secret() -> String {
    let mut bytes = [0u8; SECRET_BYTES];
    rand::rng().fill_bytes(&mut bytes);
    totp::base32_encode(&bytes)
}

fn enrolment(secret: String, username: &str, problem: Option<&'static str>) -> AppError {
    let bytes = totp::base32_decode(&secret).unwrap_or_default();
    AppError::Enrol(Box::new(Enrolment {
        uri: totp::otpauth_uri(&bytes, username),
        secret,
        problem,
    }))
}

fn wrong(message: &str) -> AppError {
    AppError::Invalid(FieldErrors::single("code", message))
}

const MISSING: &str = "Skriv engangskoden fra din godkender-app";
const WRONG: &str =
    "Engangskoden er forkert eller udløbet. Skriv den kode, godkender-appen viser nu.";
const USED: &str = "Engangskoden er allerede brugt. Vent på den næste kode i godkender-appen.";

/// Checks `given` for `user`, whose enrolled secret is `secret`; accepting a code stores its
/// step, so it cannot be used again (RFC 6238 § 5.2), in one update that also refuses a code as
/// old as the last one when two logins race.
pub async fn check(
    db: &Db,
    user: &User,
    secret: Option<&str>,
    given: &OneTimeCode<'_>,
) -> Result<(), AppError> {
    let (secret, enrolling) = match secret {
        Some(secret) => (secret.to_owned(), false),
        None => {
            let proposed = given.enrolling.trim().to_uppercase();
            let valid = totp::base32_decode(&proposed).is_some_and(|b| b.len() >= SECRET_BYTES);
            if !valid {
                return Err(enrolment(new_secret(), &user.username, None));
            }
            (proposed, true)
        }
    };
    let bytes = totp::base32_decode(&secret)
        .ok_or_else(|| AppError::Internal(format!("{}'s TOTP secret is not base32", user.id)))?;
    let now = totp::step_at(vaern_store::now().unix_timestamp());
    let Some(step) = totp::matching_step(&bytes, given.code, now) else {
        let problem = if given.code.trim().is_empty() {
            MISSING
        } else {
            WRONG
        };
        return Err(if enrolling {
            enrolment(secret, &user.username, Some(problem))
        } else {
            wrong(problem)
        });
    };
    let mut tx = db.tenant(user.municipality_id).await?;
    if !users::accept_totp(&mut tx, user.id, &secret, step).await? {
        return Err(wrong(USED));
    }
    if enrolling {
        let detail = format!(
            "{} ({}) tilføjede en godkender-app (engangskoder)",
            user.name, user.username
        );
        admin_log::record(
            &mut tx,
            Some(user.id),
            Some(user.id),
            admin_log::TOTP_ENROLLED,
            &detail,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Removes another administrator's authenticator (a lost phone), by an administrator of the
/// same municipality: the owner's next login with their password enrols a new one. Nobody
/// resets their own, since a second factor an account can remove by itself protects nothing.
pub async fn reset_by(db: &Db, actor: &Actor, id: UserId) -> Result<User, AppError> {
    actor.require(Capability::ManageUsers)?;
    if actor.user_id == id {
        return Err(AppError::Invalid(FieldErrors::single(
            "users",
            "Du kan ikke nulstille din egen godkender-app. Bed en anden administrator eller driften om det.",
        )));
    }
    let mut tx = db.tenant(actor.municipality_id).await?;
    let user = users::get(&mut tx, id).await?;
    users::reset_totp(&mut tx, user.id).await?;
    let detail = format!(
        "Fjernede godkender-appen for {} ({}); næste login tilføjer en ny",
        user.name, user.username
    );
    admin_log::record(
        &mut tx,
        Some(actor.user_id),
        Some(user.id),
        admin_log::TOTP_RESET,
        &detail,
    )
    .await?;
    tx.commit().await?;
    Ok(user)
}

/// Removes `username`'s authenticator, for the operator's `vaern user reset-totp` when an
/// administrator lost their phone: their next login enrols a new one (with their password).
pub async fn reset(db: &Db, username: &str) -> Result<User, AppError> {
    let unknown = || {
        AppError::Invalid(FieldErrors::single(
            "username",
            format!("Der findes ingen bruger med brugernavnet «{username}»"),
        ))
    };
    let mut tx = db.auth_read().await?;
    let user = match vaern_store::auth::credentials(&mut tx, &username.trim().to_lowercase()).await
    {
        Ok(found) => found.user,
        Err(vaern_store::StoreError::NotFound) => return Err(unknown()),
        Err(other) => return Err(other.into()),
    };
    tx.commit().await?;
    let mut tx = db.tenant(user.municipality_id).await?;
    users::reset_totp(&mut tx, user.id).await?;
    let detail = format!(
        "Driften fjernede godkender-appen for {} ({}); næste login tilføjer en ny",
        user.name, user.username
    );
    admin_log::record(&mut tx, None, Some(user.id), admin_log::TOTP_RESET, &detail).await?;
    tx.commit().await?;
    Ok(user)
}
