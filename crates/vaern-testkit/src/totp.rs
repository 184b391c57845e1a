//! One-time codes for tests that log in as an administrator (their accounts need a second
//! factor, `vaern_app::auth::second_factor`).

use std::time::Duration;

use vaern_domain::totp;
use vaern_store::Db;

/// A code the server accepts now for `username`'s authenticator: the current step's, or the
/// next one's when that was used (a code is used once), waiting for a new step when both were.
/// Never the previous step's: the step could turn before the server checks it. `None`: the
/// account has no authenticator.
pub async fn next_code(db: &Db, username: &str) -> Option<String> {
    loop {
        let mut tx = db.auth_read().await.unwrap();
        let credentials = vaern_store::auth::credentials(&mut tx, username)
            .await
            .ok()?;
        tx.commit().await.unwrap();
        let secret = totp::base32_decode(&credentials.totp_secret?).expect("a base32 secret");
        let now = totp::step_at(vaern_store::now().unix_timestamp());
        let after = credentials.totp_last_step.unwrap_or(i64::MIN);
        if let Some(step) = (now..=now + totp::WINDOW).find(|s| *s > after) {
            return Some(totp::code(&secret, step));
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}
