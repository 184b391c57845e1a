//! Passwords (argon2id), server-side sessions, API tokens and the login throttle.
//!
//! Session ids and API tokens are 256-bit random values; only their SHA-256 is stored, so a copy
//! of the database cannot be replayed as a login. (A slow hash adds nothing for random secrets of
//! that size; passwords, which people choose, get argon2id.)

use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier, password_hash::SaltString};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::{cell::Cell, net::IpAddr};
use time::Duration;

use vaern_store::{Db, StoreError, admin_log, auth, municipalities, users::User};

use crate::{Actor, AppError};

pub mod second_factor;
pub mod sso;
pub mod throttle;

pub use second_factor::{Enrolment, OneTimeCode};

use throttle::KeyKind;

/// A session this old has ended, however busy: a working day (configurable in the web layer).
pub const SESSION_LIFETIME: Duration = Duration::hours(8);
/// A session unused this long has ended.
pub const IDLE_TIMEOUT: Duration = Duration::minutes(30);
/// A session's last use is stored at most this often: a caseworker's burst of page views then
/// writes once, not once per page, and the idle timeout is still kept to within a minute.
pub const TOUCH_INTERVAL: Duration = Duration::minutes(1);
/// Prefix of API tokens, so a leaked one is recognisable in logs and secret scanners.
pub const TOKEN_PREFIX: &str = "vaern_";

/// Hashes a password with argon2id and a random salt.
pub fn hash_password(password: &str) -> Result<String, AppError> {
    let mut salt_bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut salt_bytes);
    let salt = SaltString::encode_b64(&salt_bytes)
        .map_err(|e| AppError::Internal(format!("salt encoding failed: {e}")))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| AppError::Internal(format!("password hashing failed: {e}")))
}

/// Checks a password against its argon2id hash on the blocking pool: each check is tens of
/// milliseconds of CPU and 19 MiB, so it stays off the async workers serving pages, and no more
/// run at once than there are cores (a burst of logins queues instead of exhausting memory).
async fn verify_password(password: &str, hash: String) -> Result<bool, AppError> {
    static CHECKS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    let checks = CHECKS.get_or_init(|| {
        tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
    });
    let _turn = checks
        .acquire()
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let password = password.to_owned();
    let _ = PASSWORD_CHECKS.try_with(|checks| checks.set(checks.get() + 1));
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .map_err(|e| AppError::Internal(format!("password check failed: {e}")))
}

tokio::task_local! {
    static PASSWORD_CHECKS: Cell<u64>;
}

/// Runs `work` and counts the argon2id checks it made: a login of an unknown username must make
/// one as a known one does, or its time tells whether the name exists.
pub async fn counting_password_checks<F: std::future::Future>(work: F) -> (F::Output, u64) {
    PASSWORD_CHECKS
        .scope(Cell::new(0), async {
            let output = work.await;
            (output, PASSWORD_CHECKS.with(Cell::get))
        })
        .await
}

/// A hash no password matches, checked for an unknown username so that it takes as long as a
/// known one.
fn dummy_hash() -> Result<String, AppError> {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    if let Some(hash) = DUMMY.get() {
        return Ok(hash.clone());
    }
    let hash = hash_password(&random_secret())?;
    Ok(DUMMY.get_or_init(|| hash).clone())
}

fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// SHA-256 of a secret, hex; what the database stores for sessions and tokens.
pub fn secret_hash(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A session just created by a login.
pub struct NewSession {
    pub actor: Actor,
    /// The cookie value (never stored).
    pub session_id: String,
    pub csrf_token: String,
}

/// The user of a live session.
pub struct Session {
    pub actor: Actor,
    pub csrf_token: String,
}

async fn actor_for(db: &Db, user: &User) -> Result<Actor, AppError> {
    let mut tx = db.global_read().await?;
    let municipality = municipalities::get(&mut tx, user.municipality_id).await?;
    Ok(Actor::new(user, &municipality.code, &municipality.name))
}

const WRONG_LOGIN: &str = "Forkert brugernavn eller adgangskode";

/// Checks a username and password from `address` and opens a session.
///
/// Each attempt is first claimed against the [`throttle`] in one write transaction: refused
/// with the time to wait if the account, the address or the two together must wait, else
/// counted before the password is checked (between transactions, so no lock is held during
/// argon2id's tens of milliseconds). A wrong password leaves the claim counted, and when that
/// starts a delay for a known user the municipality's administrators see it in the
/// administration log; the right one gives the claim back and opens the session in one
/// transaction. Unknown usernames and deactivated users get the same message, and the same
/// argon2id work, as a wrong password. An administrator's account also needs a one-time code
/// ([`second_factor`]); a missing or wrong one leaves the claim counted like a wrong password.
pub async fn login(
    db: &Db,
    username: &str,
    password: &str,
    code: &OneTimeCode<'_>,
    address: Option<IpAddr>,
) -> Result<NewSession, AppError> {
    let username = username.trim().to_lowercase();
    // No username holds a control character; a NUL would reach PostgreSQL as an error.
    if username.chars().any(char::is_control) {
        return Err(AppError::Invalid(vaern_domain::FieldErrors::single(
            "username",
            WRONG_LOGIN,
        )));
    }
    let keys = throttle::keys(&username, address);
    let at = vaern_store::now();
    let mut tx = db.auth().await?;
    let mut claimed = Vec::with_capacity(keys.len());
    let mut wait_until = None;
    for (kind, key) in &keys {
        let count = auth::lock_throttle(&mut tx, key).await?;
        match throttle::claim(&count, kind.limit(), at) {
            Ok(next) => claimed.push((*kind, next)),
            Err(until) => wait_until = wait_until.max(Some(until)),
        }
    }
    if let Some(until) = wait_until {
        // Nothing is counted for a refused attempt: waiting out the delay is enough.
        tx.commit().await?;
        return Err(AppError::Throttled(throttle::wait_message(until, at)));
    }
    for ((_, key), (_, next)) in keys.iter().zip(&claimed) {
        auth::save_throttle(&mut tx, key, next).await?;
    }
    let credentials = match auth::credentials(&mut tx, &username).await {
        Ok(found) => Some(found),
        Err(StoreError::NotFound) => None,
        Err(other) => return Err(other.into()),
    };
    tx.commit().await?;

    let (hash, user, totp_secret, local_login) = match credentials {
        Some(c) => (c.password_hash, Some(c.user), c.totp_secret, c.local_login),
        None => (dummy_hash()?, None, None, true),
    };
    let right = verify_password(password, hash).await?;
    let user = match user {
        Some(user) if right && user.active => user,
        known => {
            if let Some(user) = known {
                report_delay(db, &user, &claimed, address).await?;
            }
            return Err(AppError::Invalid(vaern_domain::FieldErrors::single(
                "username",
                WRONG_LOGIN,
            )));
        }
    };
    // Told only to someone who knew the password: it says nothing about the account to others.
    if !local_login {
        return Err(AppError::Invalid(vaern_domain::FieldErrors::single(
            "username",
            "Kommunen har slået login med adgangskode fra. Log ind med kommunens eget login.",
        )));
    }
    if second_factor::required(user.role)
        && let Err(refused) = second_factor::check(db, &user, totp_secret.as_deref(), code).await
    {
        report_delay(db, &user, &claimed, address).await?;
        return Err(refused);
    }
    let mut tx = db.auth().await?;
    for (kind, key) in &keys {
        match kind {
            KeyKind::Account | KeyKind::Pair => auth::forget_throttle(&mut tx, key).await?,
            KeyKind::Address => {
                let count = auth::lock_throttle(&mut tx, key).await?;
                auth::save_throttle(&mut tx, key, &throttle::give_back(&count)).await?;
            }
        }
    }
    auth::forget_throttles_before(&mut tx, at - throttle::FORGET_AFTER).await?;
    open_session(db, tx, &user).await
}

/// Stores a new session for `user` in `tx`, with what else the login wrote there, and commits.
async fn open_session(
    db: &Db,
    mut tx: vaern_store::AuthTx,
    user: &User,
) -> Result<NewSession, AppError> {
    let session_id = random_secret();
    let csrf_token = random_secret();
    auth::create_session(
        &mut tx,
        &secret_hash(&session_id),
        user.id,
        user.municipality_id,
        &csrf_token,
    )
    .await?;
    tx.commit().await?;
    Ok(NewSession {
        actor: actor_for(db, user).await?,
        session_id,
        csrf_token,
    })
}

/// Tells the administrators, in the administration log, when a failed login started a delay
/// for `user`: from one address (someone mistyping, or guessing from there) or from every
/// address (guesses spread out, which the real user now waits for too).
async fn report_delay(
    db: &Db,
    user: &User,
    claimed: &[(KeyKind, vaern_store::auth::ThrottleCount)],
    address: Option<IpAddr>,
) -> Result<(), AppError> {
    let from = address.map_or_else(|| "en ukendt adresse".to_owned(), |a| a.to_string());
    let started = |kind: KeyKind| {
        claimed
            .iter()
            .any(|(k, count)| *k == kind && count.failures == kind.limit().free)
    };
    let detail = if started(KeyKind::Account) {
        format!(
            "{} mislykkede login-forsøg på {} fra flere adresser: login forsinkes nu for brugeren fra alle adresser",
            throttle::ACCOUNT.free,
            user.username
        )
    } else if started(KeyKind::Pair) {
        format!(
            "{} mislykkede login-forsøg på {} fra {from}: login fra den adresse forsinkes nu",
            throttle::PAIR.free,
            user.username
        )
    } else {
        return Ok(());
    };
    let mut tx = db.tenant(user.municipality_id).await?;
    admin_log::record(
        &mut tx,
        None,
        Some(user.id),
        admin_log::LOGIN_DELAYED,
        &detail,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The live session behind a cookie value; `Unauthenticated` if unknown, idle, older than
/// `lifetime` or deactivated. The lookup only reads; an ended session is deleted, and a live one
/// is marked used when its last use is older than [`TOUCH_INTERVAL`].
pub async fn session(db: &Db, session_id: &str, lifetime: Duration) -> Result<Session, AppError> {
    let id_hash = secret_hash(session_id);
    let mut tx = db.auth_read().await?;
    let found = auth::find_session(&mut tx, &id_hash).await;
    tx.commit().await?;
    let record = match found {
        Ok(record) => record,
        Err(StoreError::NotFound) => return Err(AppError::Unauthenticated),
        Err(other) => return Err(other.into()),
    };
    let at = vaern_store::now();
    let idle = at - record.last_seen_at;
    if idle > IDLE_TIMEOUT || at - record.created_at > lifetime || !record.user.active {
        let mut tx = db.auth().await?;
        auth::delete_session(&mut tx, &id_hash).await?;
        tx.commit().await?;
        return Err(AppError::Unauthenticated);
    }
    if idle > TOUCH_INTERVAL {
        let mut tx = db.auth().await?;
        auth::touch_session(&mut tx, &id_hash, at).await?;
        tx.commit().await?;
    }
    Ok(Session {
        actor: Actor::new(
            &record.user,
            &record.municipality_code,
            &record.municipality_name,
        ),
        csrf_token: record.csrf_token,
    })
}

/// Ends a session.
pub async fn logout(db: &Db, session_id: &str) -> Result<(), AppError> {
    let mut tx = db.auth().await?;
    auth::delete_session(&mut tx, &secret_hash(session_id)).await?;
    tx.commit().await?;
    Ok(())
}

/// Issues an API bearer token for an active user (CLI `vaern token create`). Only its hash is kept.
pub async fn create_token(db: &Db, username: &str) -> Result<String, AppError> {
    let mut tx = db.auth().await?;
    let credentials = match auth::credentials(&mut tx, &username.trim().to_lowercase()).await {
        Ok(found) if found.user.active => found,
        Ok(_) | Err(StoreError::NotFound) => {
            return Err(AppError::Invalid(vaern_domain::FieldErrors::single(
                "username",
                format!("Der findes ingen aktiv bruger med brugernavnet «{username}»"),
            )));
        }
        Err(other) => return Err(other.into()),
    };
    let token = format!("{TOKEN_PREFIX}{}", random_secret());
    auth::create_token(
        &mut tx,
        credentials.user.id,
        credentials.user.municipality_id,
        &secret_hash(&token),
    )
    .await?;
    tx.commit().await?;
    Ok(token)
}

/// The actor behind a bearer token.
pub async fn token_actor(db: &Db, token: &str) -> Result<Actor, AppError> {
    let mut tx = db.auth_read().await?;
    let user = match auth::token_user(&mut tx, &secret_hash(token)).await {
        Ok(user) => user,
        Err(StoreError::NotFound) => return Err(AppError::Unauthenticated),
        Err(other) => return Err(other.into()),
    };
    tx.commit().await?;
    actor_for(db, &user).await
}
