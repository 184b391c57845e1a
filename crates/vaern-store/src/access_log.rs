//! The access log: every read of a person's data (DOMAIN.md §9). Append-only.

use serde::Serialize;
use time::OffsetDateTime;

use crate::{
    AccessLogId, ChildId, StoreError, TenantTx, UserId,
    group_commit::{self, AccessRow},
    now, on, utc,
};

/// The most rows one page shows.
pub const PAGE_SIZE: i64 = 100;
/// The most rows one export holds; a larger export must be narrowed by period.
pub const EXPORT_LIMIT: i64 = 100_000;

/// What kind of use the read was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AccessKind {
    /// A page in the UI showing the person.
    View,
    /// A read through the JSON API.
    ApiRead,
    /// A search, with its criterion; one row per person found.
    Search,
    /// An extract to a file.
    Export,
}

impl AccessKind {
    pub const ALL: [AccessKind; 4] = [
        AccessKind::View,
        AccessKind::ApiRead,
        AccessKind::Search,
        AccessKind::Export,
    ];

    pub fn code(self) -> &'static str {
        match self {
            AccessKind::View => "view",
            AccessKind::ApiRead => "api_read",
            AccessKind::Search => "search",
            AccessKind::Export => "export",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            AccessKind::View => "Visning",
            AccessKind::ApiRead => "API-opslag",
            AccessKind::Search => "Søgning",
            AccessKind::Export => "Udtræk",
        }
    }
}

/// One row of the log with names for display.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AccessLogRow {
    pub id: AccessLogId,
    pub at: OffsetDateTime,
    pub user_id: Option<UserId>,
    pub user_name: Option<String>,
    pub person_id: Option<ChildId>,
    pub person_name: Option<String>,
    pub kind: String,
    pub detail: String,
}

/// Filters; all optional.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub user: Option<UserId>,
    pub person: Option<ChildId>,
    pub kind: Option<AccessKind>,
    pub from: Option<OffsetDateTime>,
    pub to: Option<OffsetDateTime>,
    /// Keyset: rows strictly older than (at, id).
    pub before: Option<(OffsetDateTime, AccessLogId)>,
}

/// Records that `user` used `person`'s data (`None`: a search that found no one).
pub async fn record(
    tx: &mut TenantTx,
    user: UserId,
    person: Option<ChildId>,
    kind: AccessKind,
    detail: &str,
) -> Result<(), StoreError> {
    record_many(tx, user, &[person], kind, detail).await
}

/// Records one row per person for one use (a search hitting several children). In a write
/// transaction the rows are inserted with the use case's changes, in multi-row inserts of up to
/// 100 rows; a read transaction keeps them for the group commit at its end.
pub async fn record_many(
    tx: &mut TenantTx,
    user: UserId,
    persons: &[Option<ChildId>],
    kind: AccessKind,
    detail: &str,
) -> Result<(), StoreError> {
    let municipality = tx.municipality();
    let at = now();
    let rows = persons.iter().map(|person| AccessRow {
        id: AccessLogId::new(),
        municipality,
        user,
        person: *person,
        kind: kind.code(),
        detail: detail.to_owned(),
        at,
    });
    match &mut tx.deferred_log {
        Some(log) => log.rows.extend(rows),
        None => {
            let rows: Vec<AccessRow> = rows.collect();
            let refs: Vec<&AccessRow> = rows.iter().collect();
            group_commit::insert(&mut tx.tx, &refs).await?;
        }
    }
    Ok(())
}

/// Rows of the municipality's log, newest first, at most `limit`.
pub async fn list(
    tx: &mut TenantTx,
    filter: &Filter,
    limit: i64,
) -> Result<Vec<AccessLogRow>, StoreError> {
    let municipality = tx.municipality();
    let (before_at, before_id) = match filter.before {
        Some((at, id)) => (Some(at), Some(id)),
        None => (None, None),
    };
    let sql = "select a.id, a.at, a.user_id, u.name as user_name, a.person_id, \
        ch.first_name || ' ' || ch.last_name as person_name, a.kind, a.detail \
        from access_log a left join users u on u.id = a.user_id \
        left join children ch on ch.id = a.person_id \
        where a.municipality_id = $1 and ($2 is null or a.user_id = $2) \
        and ($3 is null or a.person_id = $3) and ($4 is null or a.kind = $4) \
        and ($5 is null or a.at >= $5) and ($6 is null or a.at < $6) \
        and ($7 is null or (a.at, a.id) < ($7, $8)) \
        order by a.at desc, a.id desc limit $9";
    Ok(on!(&mut tx.tx, c => {
        sqlx::query_as(sql)
            .bind(municipality).bind(filter.user).bind(filter.person)
            .bind(filter.kind.map(AccessKind::code)).bind(filter.from.map(utc)).bind(filter.to.map(utc))
            .bind(before_at.map(utc)).bind(before_id).bind(limit)
            .fetch_all(c).await?
    }))
}
