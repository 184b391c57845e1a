//! SAML single sign-on's memory: the AuthnRequests sent and not yet answered, and the
//! assertions already used. An answer is accepted only for a request Værn sent (and only once),
//! and an assertion only once, whichever browser brings it.

use sqlx::AssertSqlSafe;
use time::OffsetDateTime;

use crate::{AuthTx, StoreError, now, on, utc};

/// A login under way, as remembered when its request was sent.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PendingRequest {
    /// The municipality whose identity provider was asked.
    pub municipality_code: String,
    /// Where the user goes after logging in.
    pub next_path: String,
}

/// Remembers a request sent until `expires_at`, and forgets requests and assertions past theirs.
pub async fn remember_request(
    tx: &mut AuthTx,
    id: &str,
    request: &PendingRequest,
    expires_at: OffsetDateTime,
) -> Result<(), StoreError> {
    let at = now();
    for table in ["saml_requests", "saml_assertions"] {
        let sql = format!("delete from {table} where expires_at < $1");
        on!(&mut tx.tx, c => {
            sqlx::query(AssertSqlSafe(sql.clone())).bind(at).execute(c).await?;
        });
    }
    on!(&mut tx.tx, c => {
        sqlx::query(
            "insert into saml_requests (id, municipality_code, next_path, expires_at) \
             values ($1, $2, $3, $4)",
        )
        .bind(id).bind(&request.municipality_code).bind(&request.next_path).bind(utc(expires_at))
        .execute(c).await?;
    });
    Ok(())
}

/// Takes the request `id` answers, if it is still under way: a second answer finds nothing.
pub async fn take_request(tx: &mut AuthTx, id: &str) -> Result<Option<PendingRequest>, StoreError> {
    Ok(on!(&mut tx.tx, c => {
        sqlx::query_as(
            "delete from saml_requests where id = $1 and expires_at >= $2 \
             returning municipality_code, next_path",
        )
        .bind(id).bind(now()).fetch_optional(c).await?
    }))
}

/// Records an assertion as used until `expires_at`; false if it was used before.
pub async fn use_assertion(
    tx: &mut AuthTx,
    id: &str,
    expires_at: OffsetDateTime,
) -> Result<bool, StoreError> {
    Ok(on!(&mut tx.tx, c => {
        sqlx::query(
            "insert into saml_assertions (id, expires_at) values ($1, $2) \
             on conflict (id) do nothing",
        )
        .bind(id).bind(utc(expires_at)).execute(c).await?.rows_affected()
    }) == 1)
}
