//! The journal of a child's case. Append-only: there is no update or delete here, and the
//! database refuses both. A correction is a new entry with `corrects_id`.

use serde::Serialize;
use sqlx::AssertSqlSafe;
use time::{Date, OffsetDateTime};
use vaern_domain::journal::EntryKind;

use crate::{ChildCaseId, JournalEntryId, StoreError, SubCaseId, TenantTx, UserId, now, on, utc};

/// The most entries one page of the journal shows.
pub const PAGE_SIZE: i64 = 100;

/// A journal entry with its author's name and, if corrected, the correcting entry.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct JournalEntry {
    pub id: JournalEntryId,
    pub child_case_id: ChildCaseId,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub event_date: Date,
    pub author_id: Option<UserId>,
    pub author_name: Option<String>,
    pub corrects_id: Option<JournalEntryId>,
    pub corrected_by_id: Option<JournalEntryId>,
    pub created_at: OffsetDateTime,
    /// The sub-case the entry concerns, if any.
    pub sub_case_id: Option<SubCaseId>,
    pub sub_case_title: Option<String>,
}

/// A new entry.
pub struct NewEntry<'a> {
    pub case: ChildCaseId,
    pub kind: EntryKind,
    pub title: &'a str,
    pub body: &'a str,
    pub event_date: Date,
    pub author: Option<UserId>,
    pub corrects: Option<JournalEntryId>,
    /// The sub-case it concerns; it must belong to `case`.
    pub sub_case: Option<SubCaseId>,
}

/// Filters for reading the journal; all optional.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub kind: Option<EntryKind>,
    pub author: Option<UserId>,
    pub from: Option<Date>,
    pub to: Option<Date>,
    /// Only entries about this sub-case.
    pub sub_case: Option<SubCaseId>,
    /// Keyset: entries strictly older than this (event date, created at, id) come next.
    pub before: Option<(Date, OffsetDateTime, JournalEntryId)>,
}

const ENTRY_SELECT: &str = "select j.id, j.child_case_id, j.kind, j.title, j.body, j.event_date, \
    j.author_id, u.name as author_name, j.corrects_id, \
    (select k.id from journal_entries k where k.corrects_id = j.id \
    order by k.created_at, k.id limit 1) as corrected_by_id, \
    j.created_at, j.sub_case_id, s.title as sub_case_title \
    from journal_entries j left join users u on u.id = j.author_id \
    left join sub_cases s on s.id = j.sub_case_id";

/// Appends an entry in the caller's transaction (the same one as the change it records).
pub async fn append(tx: &mut TenantTx, entry: &NewEntry<'_>) -> Result<JournalEntry, StoreError> {
    let id = JournalEntryId::new();
    let municipality = tx.municipality();
    on!(&mut tx.tx, c => {
        sqlx::query(
            "insert into journal_entries (id, municipality_id, child_case_id, kind, title, body, \
             event_date, author_id, corrects_id, created_at, sub_case_id) \
             select $1, $2, cc.id, $4, $5, $6, $7, $8, $9, $10, $11 from child_cases cc \
             where cc.municipality_id = $2 and cc.id = $3 and ($11 is null or exists \
             (select 1 from sub_cases s where s.id = $11 and s.child_case_id = cc.id))",
        )
        .bind(id).bind(municipality).bind(entry.case).bind(entry.kind.code())
        .bind(entry.title).bind(entry.body).bind(entry.event_date).bind(entry.author)
        .bind(entry.corrects).bind(now())
        .bind(entry.sub_case)
        .execute(c).await?;
    });
    get(tx, id).await
}

/// One entry of the municipality.
pub async fn get(tx: &mut TenantTx, id: JournalEntryId) -> Result<JournalEntry, StoreError> {
    let municipality = tx.municipality();
    let sql = format!("{ENTRY_SELECT} where j.municipality_id = $1 and j.id = $2");
    Ok(
        on!(&mut tx.tx, c => sqlx::query_as(AssertSqlSafe(sql)).bind(municipality).bind(id).fetch_one(c).await?),
    )
}

/// A page of the case's journal, newest event first, filtered.
pub async fn list(
    tx: &mut TenantTx,
    case: ChildCaseId,
    filter: &Filter,
) -> Result<Vec<JournalEntry>, StoreError> {
    let municipality = tx.municipality();
    let (before_date, before_at, before_id) = filter.before.unzip3();
    let sql = format!(
        "{ENTRY_SELECT} where j.municipality_id = $1 and j.child_case_id = $2 \
         and ($3 is null or j.kind = $3) and ($4 is null or j.author_id = $4) \
         and ($5 is null or j.event_date >= $5) and ($6 is null or j.event_date <= $6) \
         and ($7 is null or (j.event_date, j.created_at, j.id) < ($7, $8, $9)) \
         and ($11 is null or j.sub_case_id = $11) \
         order by j.event_date desc, j.created_at desc, j.id desc limit $10"
    );
    Ok(on!(&mut tx.tx, c => {
        sqlx::query_as(AssertSqlSafe(sql))
            .bind(municipality).bind(case).bind(filter.kind.map(EntryKind::code))
            .bind(filter.author).bind(filter.from).bind(filter.to)
            .bind(before_date).bind(before_at.map(utc)).bind(before_id).bind(PAGE_SIZE)
            .bind(filter.sub_case)
            .fetch_all(c).await?
    }))
}

/// The distinct authors of a case's manual entries, for the author filter.
pub async fn authors(
    tx: &mut TenantTx,
    case: ChildCaseId,
) -> Result<Vec<(UserId, String)>, StoreError> {
    let municipality = tx.municipality();
    let sql = "select distinct u.id, u.name from journal_entries j join users u on u.id = j.author_id \
               where j.municipality_id = $1 and j.child_case_id = $2 order by u.name";
    Ok(on!(&mut tx.tx, c => sqlx::query_as(sql).bind(municipality).bind(case).fetch_all(c).await?))
}

trait Unzip3<A, B, C> {
    fn unzip3(self) -> (Option<A>, Option<B>, Option<C>);
}

impl<A: Copy, B: Copy, C: Copy> Unzip3<A, B, C> for Option<(A, B, C)> {
    fn unzip3(self) -> (Option<A>, Option<B>, Option<C>) {
        match self {
            Some((a, b, c)) => (Some(a), Some(b), Some(c)),
            None => (None, None, None),
        }
    }
}
