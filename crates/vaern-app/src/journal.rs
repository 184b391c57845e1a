//! Reading the journal and writing manual notes and corrections.

use serde::Deserialize;
use vaern_domain::{
    Capability, FieldErrors,
    dates::parse_date,
    journal::{EntryKind, NewNote, NewNoteInput},
};
use vaern_store::{
    ChildId, Db, JournalEntryId, SubCaseId, UserId,
    access_log::{self, AccessKind},
    children::{self, Child},
    journal::{self, Filter, JournalEntry, NewEntry},
};

use crate::{Actor, AppError, today};

/// The journal filters as typed in the UI or query string; empty fields filter nothing.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct FilterInput {
    /// `manual` or `automatic`.
    pub kind: Option<String>,
    pub author: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    /// Only entries about this sub-case (its id).
    pub sub_case: Option<String>,
    /// The page after a full one: the cursor [`older_than`] gave.
    pub before: Option<String>,
}

/// The cursor to the entries older than a page, when the page is full (there may be more); a
/// page shorter than [`journal::PAGE_SIZE`] is the last.
pub fn older_than(page: &[JournalEntry]) -> Option<String> {
    if (page.len() as i64) < journal::PAGE_SIZE {
        return None;
    }
    let last = page.last()?;
    Some(format!(
        "{}_{}_{}",
        last.event_date,
        last.created_at.unix_timestamp_nanos(),
        last.id
    ))
}

type Cursor = (time::Date, time::OffsetDateTime, JournalEntryId);

fn parse_cursor(raw: &str) -> Result<Cursor, String> {
    let bad = || "Ukendt side i journalen. Gå tilbage til første side.".to_owned();
    let mut parts = raw.splitn(3, '_');
    let date = parts
        .next()
        .and_then(|d| parse_date(d).ok())
        .ok_or_else(bad)?;
    let at = parts
        .next()
        .and_then(|n| n.parse().ok())
        .and_then(|n| time::OffsetDateTime::from_unix_timestamp_nanos(n).ok())
        .ok_or_else(bad)?;
    let id = parts.next().and_then(|i| i.parse().ok()).ok_or_else(bad)?;
    Ok((date, at, id))
}

impl FilterInput {
    /// Parses the filters, reporting bad ones at their field.
    pub fn parse(&self) -> Result<Filter, FieldErrors> {
        let mut errors = FieldErrors::new();
        let present = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let kind = present(&self.kind).and_then(|k| {
            errors.take(
                "kind",
                EntryKind::from_code(&k)
                    .ok_or_else(|| "Vælg manuelle eller automatiske notater".to_owned()),
            )
        });
        let author = present(&self.author).and_then(|a| {
            errors.take(
                "author",
                a.parse::<UserId>()
                    .map_err(|_| "Vælg en forfatter fra listen".to_owned()),
            )
        });
        let from = present(&self.from).and_then(|d| errors.take("from", parse_date(&d)));
        let to = present(&self.to).and_then(|d| errors.take("to", parse_date(&d)));
        let sub_case = present(&self.sub_case).and_then(|v| {
            errors.take(
                "sub_case",
                v.parse::<SubCaseId>()
                    .map_err(|_| "Ukendt delsag".to_owned()),
            )
        });
        let before = present(&self.before).and_then(|c| errors.take("before", parse_cursor(&c)));
        if let (Some(from), Some(to)) = (from, to)
            && from > to
        {
            errors.add("to", "Slutdatoen ligger før startdatoen");
        }
        errors.into_result(|| Filter {
            kind,
            author,
            from,
            to,
            before,
            sub_case,
        })
    }
}

/// The child's journal, filtered; reading it is access-logged.
pub async fn list(
    db: &Db,
    actor: &Actor,
    child: ChildId,
    filter: &Filter,
    kind: AccessKind,
) -> Result<(Child, Vec<JournalEntry>), AppError> {
    actor.require(Capability::ReadChildren)?;
    let mut tx = db.tenant_read(actor.municipality_id).await?;
    let child = children::get(&mut tx, child).await?;
    let entries = match child.case_id {
        Some(case) => journal::list(&mut tx, case, filter).await?,
        None => Vec::new(),
    };
    access_log::record(&mut tx, actor.user_id, Some(child.id), kind, "Journal").await?;
    tx.commit().await?;
    Ok((child, entries))
}

/// The authors who have written in the child's journal (for the filter).
pub async fn authors(
    db: &Db,
    actor: &Actor,
    child: &Child,
) -> Result<Vec<(UserId, String)>, AppError> {
    actor.require(Capability::ReadChildren)?;
    let Some(case) = child.case_id else {
        return Ok(Vec::new());
    };
    let mut tx = db.tenant_read(actor.municipality_id).await?;
    let authors = journal::authors(&mut tx, case).await?;
    tx.commit().await?;
    Ok(authors)
}

/// Writes a manual note on the child's case, or a correction of `corrects` (which must be a
/// note of the same case). The corrected note stays as it was.
pub async fn write(
    db: &Db,
    actor: &Actor,
    child: ChildId,
    input: &NewNoteInput,
    corrects: Option<JournalEntryId>,
    sub_case: Option<SubCaseId>,
) -> Result<JournalEntry, AppError> {
    actor.require(Capability::WriteJournal)?;
    let note = NewNote::parse(input, today())?;
    let mut tx = db.tenant(actor.municipality_id).await?;
    let child = children::get(&mut tx, child).await?;
    let case = child.case_id.ok_or_else(|| {
        AppError::Invalid(FieldErrors::single(
            "title",
            "Barnet har ingen åben sag at skrive i",
        ))
    })?;
    let mut sub_case = sub_case;
    if let Some(corrected) = corrects {
        let original = journal::get(&mut tx, corrected).await?;
        if original.child_case_id != case {
            return Err(AppError::NotFound);
        }
        sub_case = sub_case.or(original.sub_case_id);
    }
    let entry = journal::append(
        &mut tx,
        &NewEntry {
            case,
            kind: EntryKind::Manual,
            title: &note.title,
            body: &note.text,
            event_date: note.event_date,
            author: Some(actor.user_id),
            corrects,
            sub_case,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(entry)
}

/// One entry of the child's journal (for the correction form).
pub async fn entry(
    db: &Db,
    actor: &Actor,
    child: ChildId,
    id: JournalEntryId,
) -> Result<JournalEntry, AppError> {
    actor.require(Capability::ReadChildren)?;
    let mut tx = db.tenant_read(actor.municipality_id).await?;
    let child = children::get(&mut tx, child).await?;
    let entry = journal::get(&mut tx, id).await?;
    if Some(entry.child_case_id) != child.case_id {
        return Err(AppError::NotFound);
    }
    access_log::record(
        &mut tx,
        actor.user_id,
        Some(child.id),
        AccessKind::View,
        "Journalnotat",
    )
    .await?;
    tx.commit().await?;
    Ok(entry)
}
