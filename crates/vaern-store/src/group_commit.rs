//! The group commit of the access log.
//!
//! A page only reads, but every read of a person's data writes an access-log row (DOMAIN.md §9),
//! and a durable commit per page view made SQLite's one writer and its fsync the limit of the
//! whole server (BENCHMARKS.md, issue 8). Read transactions therefore hand their rows to one
//! writer task, which writes everything queued while its previous commit was running in one
//! transaction. The page waits for that commit before it answers, so "no read shown without its
//! log row" holds as before; many pages share one fsync.

use std::collections::BTreeMap;

use tokio::sync::{mpsc, oneshot};

use crate::{MunicipalityId, StoreError, db::Pool, tenant::Tx};

/// One access-log row, ready to insert.
#[derive(Debug, Clone)]
pub(crate) struct AccessRow {
    pub id: crate::AccessLogId,
    pub municipality: MunicipalityId,
    pub user: crate::UserId,
    pub person: Option<crate::ChildId>,
    pub kind: &'static str,
    pub detail: String,
    pub at: time::OffsetDateTime,
}

/// The most use cases' rows one commit takes; a longer queue waits for the next commit.
const MAX_BATCH: usize = 512;

struct Request {
    rows: Vec<AccessRow>,
    done: oneshot::Sender<Result<(), String>>,
}

/// A handle on the writer task; cloned with the [`crate::Db`] it belongs to. The task ends when
/// the last handle is dropped.
#[derive(Debug, Clone)]
pub(crate) struct AccessLogWriter {
    requests: mpsc::UnboundedSender<Request>,
}

impl AccessLogWriter {
    /// Starts the writer for `pool` on the current Tokio runtime.
    pub(crate) fn start(pool: Pool) -> AccessLogWriter {
        let (requests, receiver) = mpsc::unbounded_channel();
        tokio::spawn(run(pool, receiver));
        AccessLogWriter { requests }
    }

    /// Writes `rows` durably, together with whatever else is queued; returns once committed.
    pub(crate) async fn write(&self, rows: Vec<AccessRow>) -> Result<(), StoreError> {
        if rows.is_empty() {
            return Ok(());
        }
        let (done, answer) = oneshot::channel();
        let failed = |message: String| {
            StoreError::Database(sqlx::Error::Protocol(format!(
                "the access log could not be written: {message}"
            )))
        };
        self.requests
            .send(Request { rows, done })
            .map_err(|_| failed("its writer has stopped".into()))?;
        answer
            .await
            .map_err(|_| failed("its writer has stopped".into()))?
            .map_err(failed)
    }
}

async fn run(pool: Pool, mut receiver: mpsc::UnboundedReceiver<Request>) {
    while let Some(first) = receiver.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match receiver.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        let rows: Vec<&AccessRow> = batch.iter().flat_map(|r| &r.rows).collect();
        let result = commit(&pool, &rows).await.map_err(|e| e.to_string());
        for request in batch {
            // A page that gave up waiting (its client left) has nothing to be told.
            let _ = request.done.send(result.clone());
        }
    }
}

/// One transaction for the whole batch; on PostgreSQL each municipality's rows are inserted
/// under its own `app.municipality`, which row-level security checks.
async fn commit(pool: &Pool, rows: &[&AccessRow]) -> Result<(), StoreError> {
    let mut by_municipality: BTreeMap<MunicipalityId, Vec<&AccessRow>> = BTreeMap::new();
    for row in rows {
        by_municipality
            .entry(row.municipality)
            .or_default()
            .push(row);
    }
    let mut tx = pool.begin_write().await?;
    for (municipality, rows) in by_municipality {
        tx.set_local("app.municipality", &municipality.to_string())
            .await?;
        insert(&mut tx, &rows).await?;
    }
    tx.commit().await
}

/// Inserts rows in multi-row statements of up to 100 rows.
pub(crate) async fn insert(tx: &mut Tx, rows: &[&AccessRow]) -> Result<(), StoreError> {
    for chunk in rows.chunks(100) {
        // Placeholders only; every value is bound.
        let values: Vec<String> = (0..chunk.len())
            .map(|i| {
                let b = i * 7;
                format!(
                    "(${}, ${}, ${}, ${}, ${}, ${}, ${})",
                    b + 1,
                    b + 2,
                    b + 3,
                    b + 4,
                    b + 5,
                    b + 6,
                    b + 7
                )
            })
            .collect();
        let sql = format!(
            "insert into access_log (id, municipality_id, user_id, person_id, kind, detail, at) values {}",
            values.join(", ")
        );
        crate::on!(tx, c => {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for row in chunk {
                query = query.bind(row.id).bind(row.municipality).bind(row.user).bind(row.person)
                    .bind(row.kind).bind(&row.detail).bind(row.at);
            }
            query.execute(c).await?;
        });
    }
    Ok(())
}
