//! Journal notes (journalnotater). Notes are never edited or deleted: a correction is a new note
//! that points to the note it corrects.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::{
    FieldErrors,
    dates::{format_date, parse_date},
    text::{required_line, required_text},
};

pub const TITLE_MAX: usize = 200;
pub const TEXT_MAX: usize = 20_000;

/// Manual notes are written by a person; automatic notes by the system for every change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryKind {
    Manual,
    Automatic,
}

impl EntryKind {
    pub fn code(self) -> &'static str {
        match self {
            EntryKind::Manual => "manual",
            EntryKind::Automatic => "automatic",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "manual" => Some(EntryKind::Manual),
            "automatic" => Some(EntryKind::Automatic),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            EntryKind::Manual => "Manuelt notat",
            EntryKind::Automatic => "Automatisk notat",
        }
    }

    /// The filter option's name.
    pub fn plural_label(self) -> &'static str {
        match self {
            EntryKind::Manual => "Manuelle",
            EntryKind::Automatic => "Automatiske",
        }
    }
}

/// The raw form or JSON body for a note.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct NewNoteInput {
    pub title: String,
    pub text: String,
    pub event_date: Option<String>,
}

/// A validated manual note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNote {
    pub title: String,
    pub text: String,
    pub event_date: Date,
}

impl NewNote {
    /// Validates a note; the event date defaults to `today` and may not lie after it.
    pub fn parse(input: &NewNoteInput, today: Date) -> Result<NewNote, FieldErrors> {
        let mut errors = FieldErrors::new();
        let title = errors.take(
            "title",
            required_line(&input.title, "overskrift", TITLE_MAX),
        );
        let text = errors.take(
            "text",
            required_text(&input.text, "notatets tekst", TEXT_MAX),
        );
        let event_date = match input.event_date.as_deref().map(str::trim) {
            None | Some("") => Some(today),
            Some(raw) => errors.take("event_date", parse_date(raw)),
        };
        if let Some(date) = event_date
            && date > today
        {
            errors.add(
                "event_date",
                format!(
                    "Hændelsesdatoen {} ligger i fremtiden; et notat beskriver noget, der er sket",
                    format_date(date)
                ),
            );
        }
        errors.into_result(|| NewNote {
            title: title.expect("checked"),
            text: text.expect("checked"),
            event_date: event_date.expect("checked"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 23);

    #[test]
    fn the_event_date_defaults_to_today() {
        let note = NewNote::parse(
            &NewNoteInput {
                title: "Samtale".into(),
                text: "Tekst".into(),
                event_date: None,
            },
            TODAY,
        )
        .unwrap();
        assert_eq!(note.event_date, TODAY);
    }

    #[test]
    fn an_empty_note_names_both_fields() {
        let errors = NewNote::parse(&NewNoteInput::default(), TODAY).unwrap_err();
        assert_eq!(errors.for_field("title"), Some("Udfyld overskrift"));
        assert_eq!(errors.for_field("text"), Some("Udfyld notatets tekst"));
    }

    #[test]
    fn an_over_long_text_is_rejected_with_its_length() {
        let input = NewNoteInput {
            title: "x".into(),
            text: "a".repeat(TEXT_MAX + 1),
            event_date: None,
        };
        let errors = NewNote::parse(&input, TODAY).unwrap_err();
        assert!(errors.for_field("text").unwrap().contains("20000"));
    }

    #[test]
    fn a_future_event_date_is_rejected() {
        let input = NewNoteInput {
            title: "x".into(),
            text: "y".into(),
            event_date: Some("2026-11-24".into()),
        };
        assert!(
            NewNote::parse(&input, TODAY)
                .unwrap_err()
                .for_field("event_date")
                .is_some()
        );
    }
}
