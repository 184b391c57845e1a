//! Reading, filtering and exporting the access log (administrators and auditors only).

use serde::Deserialize;
use time::{Date, OffsetDateTime, Time};
use vaern_domain::{
    Capability, FieldErrors,
    dates::{danish_offset, format_datetime, parse_date},
};
use vaern_store::{
    AccessLogId, ChildId, Db, UserId,
    access_log::{self, AccessKind, AccessLogRow, EXPORT_LIMIT, Filter, PAGE_SIZE},
};

use crate::{Actor, AppError};

/// The filters as typed; empty fields filter nothing.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct FilterInput {
    pub user_id: Option<String>,
    pub person_id: Option<String>,
    pub kind: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    /// Keyset cursor from the previous page: `<unix nanos>_<id>`.
    pub before: Option<String>,
}

fn present(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Midnight at the start of `date` in Danish time.
fn danish_midnight(date: Date) -> OffsetDateTime {
    let guess = date.with_time(Time::MIDNIGHT).assume_utc();
    date.with_time(Time::MIDNIGHT)
        .assume_offset(danish_offset(guess))
}

impl FilterInput {
    pub fn parse(&self) -> Result<Filter, FieldErrors> {
        let mut errors = FieldErrors::new();
        let user = present(&self.user_id).and_then(|v| {
            errors.take(
                "user_id",
                v.parse::<UserId>()
                    .map_err(|_| "Vælg en medarbejder fra listen".into()),
            )
        });
        let person = present(&self.person_id).and_then(|v| {
            errors.take(
                "person_id",
                v.parse::<ChildId>()
                    .map_err(|_| "Person-id'et er ikke gyldigt".into()),
            )
        });
        let kind = present(&self.kind).and_then(|v| {
            errors.take(
                "kind",
                AccessKind::from_code(v).ok_or_else(|| "Vælg en type fra listen".into()),
            )
        });
        let from = present(&self.from).and_then(|v| errors.take("from", parse_date(v)));
        let to = present(&self.to).and_then(|v| errors.take("to", parse_date(v)));
        if let (Some(from), Some(to)) = (from, to)
            && from > to
        {
            errors.add("to", "Slutdatoen ligger før startdatoen");
        }
        let before = present(&self.before).and_then(|v| {
            errors.take(
                "before",
                parse_cursor(v).ok_or_else(|| "Ugyldig sidemarkør".into()),
            )
        });
        errors.into_result(|| Filter {
            user,
            person,
            kind,
            from: from.map(danish_midnight),
            to: to.and_then(|d| d.next_day()).map(danish_midnight),
            before,
        })
    }
}

fn parse_cursor(raw: &str) -> Option<(OffsetDateTime, AccessLogId)> {
    let (nanos, id) = raw.split_once('_')?;
    let at = OffsetDateTime::from_unix_timestamp_nanos(nanos.parse().ok()?).ok()?;
    Some((at, id.parse().ok()?))
}

/// The cursor for the page after `row`.
pub fn cursor(row: &AccessLogRow) -> String {
    format!("{}_{}", row.at.unix_timestamp_nanos(), row.id)
}

/// One page of the log, newest first; `true` if there is a next page.
pub async fn list(
    db: &Db,
    actor: &Actor,
    filter: &Filter,
) -> Result<(Vec<AccessLogRow>, bool), AppError> {
    actor.require(Capability::ReadAccessLog)?;
    let mut tx = db.tenant(actor.municipality_id).await?;
    let mut rows = access_log::list(&mut tx, filter, PAGE_SIZE + 1).await?;
    tx.commit().await?;
    let more = rows.len() as i64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);
    Ok((rows, more))
}

/// The filtered log as CSV (semicolon-separated, UTF-8 with BOM so Danish Excel opens it right).
/// The export itself is logged.
pub async fn export_csv(db: &Db, actor: &Actor, filter: &Filter) -> Result<String, AppError> {
    actor.require(Capability::ExportAccessLog)?;
    let mut tx = db.tenant(actor.municipality_id).await?;
    let rows = access_log::list(&mut tx, filter, EXPORT_LIMIT).await?;
    access_log::record(
        &mut tx,
        actor.user_id,
        filter.person,
        AccessKind::Export,
        &format!("Udtræk af adgangsloggen ({} rækker)", rows.len()),
    )
    .await?;
    tx.commit().await?;
    let mut csv = String::from("\u{feff}tidspunkt;medarbejder;person;person_id;type;detaljer\r\n");
    for row in &rows {
        let kind = AccessKind::from_code(&row.kind)
            .map(AccessKind::label)
            .unwrap_or(&row.kind);
        let fields = [
            format_datetime(row.at),
            row.user_name.clone().unwrap_or_default(),
            row.person_name.clone().unwrap_or_default(),
            row.person_id.map(|p| p.to_string()).unwrap_or_default(),
            kind.to_owned(),
            row.detail.clone(),
        ];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        csv.push_str(&line.join(";"));
        csv.push_str("\r\n");
    }
    Ok(csv)
}

/// Quotes a CSV field, and neutralises a leading formula character (CSV injection into Excel).
fn csv_field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    format!("\"{}\"", value.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_formulas_neutralised() {
        assert_eq!(csv_field("a\"b"), "\"a\"\"b\"");
        assert_eq!(csv_field("=HYPERLINK(1)"), "\"'=HYPERLINK(1)\"");
    }

    #[test]
    fn a_period_ends_at_the_following_danish_midnight() {
        let filter = FilterInput {
            from: Some("01.07.2026".into()),
            to: Some("01.07.2026".into()),
            ..Default::default()
        }
        .parse()
        .unwrap();
        assert_eq!(
            filter.from.unwrap().to_string(),
            "2026-07-01 0:00:00.0 +02:00:00"
        );
        assert_eq!(
            filter.to.unwrap().to_string(),
            "2026-07-02 0:00:00.0 +02:00:00"
        );
    }
}
