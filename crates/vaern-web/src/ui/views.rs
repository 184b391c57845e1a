//! Display forms of domain data: dates as `22.11.2026`, CPR masked, names joined. Templates get
//! these, never raw domain types, so formatting lives in one place.

use vaern_domain::{
    Cpr,
    dates::{age_on, format_date, format_datetime},
    journal::EntryKind,
    process::party::of_party_age,
};
use vaern_store::{children::Child, journal::JournalEntry};

/// A child as lists and the child header show it.
pub struct ChildView {
    pub id: String,
    pub name: String,
    pub cpr: String,
    pub age: i32,
    /// Turned 10: a party in the cases barnets lov § 3 lists.
    pub party: bool,
    pub birth_date: String,
    pub case_number: String,
    pub caseworker: String,
    pub team: String,
    /// Filled where a list shows it (Mit overblik).
    pub next_step: Option<&'static str>,
}

impl ChildView {
    pub fn new(child: &Child) -> Self {
        ChildView {
            id: child.id.to_string(),
            name: child.full_name(),
            cpr: child
                .cpr
                .as_deref()
                .and_then(|c| Cpr::parse(c).ok())
                .map(|c| c.masked())
                .unwrap_or_else(|| "Intet CPR-nr.".into()),
            age: age_on(child.birth_date, vaern_app::today()),
            party: of_party_age(child.birth_date, vaern_app::today()),
            birth_date: format_date(child.birth_date),
            case_number: child
                .case_number
                .clone()
                .unwrap_or_else(|| "Ingen sag".into()),
            caseworker: child
                .caseworker_name
                .clone()
                .unwrap_or_else(|| "Ingen".into()),
            team: child
                .team_name
                .clone()
                .unwrap_or_else(|| "Intet team".into()),
            next_step: None,
        }
    }
}

/// A journal entry for display.
pub struct EntryView {
    pub id: String,
    pub title: String,
    pub body: String,
    pub automatic: bool,
    pub kind_label: &'static str,
    pub event_date: String,
    pub author: String,
    pub created_at: String,
    pub corrects: Option<String>,
    pub corrected_by: Option<String>,
    pub sub_case: Option<String>,
}

impl EntryView {
    pub fn new(entry: &JournalEntry) -> Self {
        let kind = EntryKind::from_code(&entry.kind).unwrap_or(EntryKind::Automatic);
        EntryView {
            id: entry.id.to_string(),
            title: entry.title.clone(),
            body: entry.body.clone(),
            automatic: kind == EntryKind::Automatic,
            kind_label: kind.label(),
            event_date: format_date(entry.event_date),
            author: entry
                .author_name
                .clone()
                .unwrap_or_else(|| "Systemet".into()),
            created_at: format_datetime(entry.created_at),
            corrects: entry.corrects_id.map(|id| id.to_string()),
            corrected_by: entry.corrected_by_id.map(|id| id.to_string()),
            sub_case: entry.sub_case_title.clone(),
        }
    }
}

/// An option of a select.
#[derive(Clone)]
pub struct Choice {
    pub id: String,
    pub name: String,
}

impl Choice {
    pub fn new(id: impl ToString, name: impl Into<String>) -> Self {
        Choice {
            id: id.to_string(),
            name: name.into(),
        }
    }
}
