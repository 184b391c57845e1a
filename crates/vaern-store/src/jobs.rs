//! Leases for background jobs: a job runs on one instance at a time. Taking a lease is one
//! conditional update, so two instances racing for it cannot both win (on either database).

use time::{Duration, OffsetDateTime};

use crate::{GlobalTx, StoreError, now, on, utc};

/// Takes the lease on `job` for `owner` until `now + length` if it is free or expired.
pub async fn take_lease(
    tx: &mut GlobalTx,
    job: &str,
    owner: &str,
    length: Duration,
) -> Result<bool, StoreError> {
    let at = now();
    crate::count_queries(1);
    let taken = on!(&mut tx.tx, c => {
        sqlx::query("insert into jobs (name) values ($1) on conflict (name) do nothing")
            .bind(job).execute(&mut *c).await?;
        sqlx::query(
            "update jobs set lease_owner = $2, lease_until = $3 \
             where name = $1 and (lease_until is null or lease_until < $4 or lease_owner = $2)",
        )
        .bind(job).bind(owner).bind(utc(at + length)).bind(at)
        .execute(&mut *c).await?.rows_affected()
    });
    Ok(taken == 1)
}

/// Records the outcome and frees the lease.
pub async fn finish(
    tx: &mut GlobalTx,
    job: &str,
    owner: &str,
    result: &str,
) -> Result<(), StoreError> {
    on!(&mut tx.tx, c => {
        sqlx::query(
            "update jobs set lease_owner = null, lease_until = null, last_run_at = $3, last_result = $4 \
             where name = $1 and lease_owner = $2",
        )
        .bind(job).bind(owner).bind(now()).bind(result)
        .execute(c).await?;
    });
    Ok(())
}

/// When the job last ran and how it went.
pub async fn last_run(
    tx: &mut GlobalTx,
    job: &str,
) -> Result<Option<(OffsetDateTime, String)>, StoreError> {
    let row: Option<(Option<OffsetDateTime>, Option<String>)> = on!(&mut tx.tx, c => {
        sqlx::query_as("select last_run_at, last_result from jobs where name = $1").bind(job).fetch_optional(c).await?
    });
    Ok(row.and_then(|(at, result)| Some((at?, result.unwrap_or_default()))))
}
