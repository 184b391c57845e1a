//! Documents (dokumenter) on a child's case: what is said about a file when it is filed. The
//! file itself is checked by [`file_type`]; versions are kept forever (deletion belongs to the
//! retention rules, never to a user).

pub mod file_type;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::{FieldErrors, dates::parse_date, text::required_line};

pub use file_type::{FileType, identify};

pub const TITLE_MAX: usize = 200;
/// File names longer than this are cut (keeping the extension) rather than refused.
pub const FILE_NAME_MAX: usize = 150;

/// What a document is, as the case file sorts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DocumentKind {
    Incoming,
    Outgoing,
    Internal,
    Decision,
    Statement,
}

impl DocumentKind {
    pub const ALL: [DocumentKind; 5] = [
        DocumentKind::Incoming,
        DocumentKind::Outgoing,
        DocumentKind::Internal,
        DocumentKind::Decision,
        DocumentKind::Statement,
    ];

    pub fn code(self) -> &'static str {
        match self {
            DocumentKind::Incoming => "incoming",
            DocumentKind::Outgoing => "outgoing",
            DocumentKind::Internal => "internal",
            DocumentKind::Decision => "decision",
            DocumentKind::Statement => "statement",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            DocumentKind::Incoming => "Indgående",
            DocumentKind::Outgoing => "Udgående",
            DocumentKind::Internal => "Internt",
            DocumentKind::Decision => "Afgørelse",
            DocumentKind::Statement => "Udtalelse",
        }
    }

    pub fn parse(code: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|k| k.code() == code)
            .ok_or_else(|| "Vælg dokumentets art".to_owned())
    }
}

/// The raw form or multipart fields describing a document.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct NewDocumentInput {
    pub title: String,
    pub kind: String,
    /// The date the document carries (a letter's date), `dd.mm.åååå` or ISO.
    pub document_date: String,
    pub confidential: bool,
    pub shareable_with_siblings: bool,
}

/// A validated document description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDocument {
    pub title: String,
    pub kind: DocumentKind,
    pub document_date: Date,
    pub confidential: bool,
    pub shareable_with_siblings: bool,
}

impl NewDocument {
    /// Validates the description; an empty date means `today`, a future one is refused.
    pub fn parse(input: &NewDocumentInput, today: Date) -> Result<NewDocument, FieldErrors> {
        let mut errors = FieldErrors::new();
        let title = errors.take(
            "title",
            required_line(&input.title, "dokumentets titel", TITLE_MAX),
        );
        let kind = errors.take("kind", DocumentKind::parse(input.kind.trim()));
        let document_date = match input.document_date.trim() {
            "" => Some(today),
            text => errors
                .take("document_date", parse_date(text))
                .and_then(|date| {
                    if date > today {
                        errors.add("document_date", "Dokumentdatoen kan ikke ligge i fremtiden");
                        None
                    } else {
                        Some(date)
                    }
                }),
        };
        if input.confidential && input.shareable_with_siblings {
            errors.add(
                "shareable_with_siblings",
                "Et fortroligt dokument kan ikke deles med søskendes sager",
            );
        }
        errors.into_result(|| NewDocument {
            title: title.expect("checked"),
            kind: kind.expect("checked"),
            document_date: document_date.expect("checked"),
            confidential: input.confidential,
            shareable_with_siblings: input.shareable_with_siblings,
        })
    }
}

/// The file name as stored: the last path segment a browser may send, without control
/// characters or quotes, cut to [`FILE_NAME_MAX`] characters keeping the extension.
pub fn clean_file_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or(raw);
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && *c != '"')
        .collect();
    let cleaned = cleaned.trim();
    if cleaned.chars().count() <= FILE_NAME_MAX {
        return cleaned.to_owned();
    }
    let (stem, extension) = cleaned.rsplit_once('.').unwrap_or((cleaned, ""));
    let keep = FILE_NAME_MAX - extension.chars().count() - 1;
    format!(
        "{}.{extension}",
        stem.chars().take(keep).collect::<String>()
    )
}

/// The refusal for a file above the limit, in whole megabytes as users think of them.
pub fn too_large(limit_bytes: u64) -> String {
    format!(
        "Filen er for stor. Den må højst fylde {} MB",
        limit_bytes / (1024 * 1024)
    )
}

/// A size as users read it: `12 kB`, `3,4 MB`.
pub fn format_size(bytes: u64) -> String {
    const MB: u64 = 1024 * 1024;
    if bytes < 1024 {
        format!("{bytes} byte")
    } else if bytes < MB {
        format!("{} kB", bytes.div_ceil(1024))
    } else {
        let tenths = (bytes * 10).div_ceil(MB);
        format!("{},{} MB", tenths / 10, tenths % 10)
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    fn input() -> NewDocumentInput {
        NewDocumentInput {
            title: "Skoleudtalelse".into(),
            kind: "statement".into(),
            document_date: "20.11.2026".into(),
            confidential: false,
            shareable_with_siblings: true,
        }
    }

    #[test]
    fn a_valid_description_parses() {
        let parsed = NewDocument::parse(&input(), date!(2026 - 11 - 23)).unwrap();
        assert_eq!(parsed.kind, DocumentKind::Statement);
        assert_eq!(parsed.document_date, date!(2026 - 11 - 20));
        let undated = NewDocumentInput {
            document_date: String::new(),
            ..input()
        };
        assert_eq!(
            NewDocument::parse(&undated, date!(2026 - 11 - 23))
                .unwrap()
                .document_date,
            date!(2026 - 11 - 23)
        );
    }

    #[test]
    fn every_problem_is_reported_at_its_field() {
        let bad = NewDocumentInput {
            title: " ".into(),
            kind: "secret".into(),
            document_date: "24.11.2026".into(),
            confidential: true,
            shareable_with_siblings: true,
        };
        let errors = NewDocument::parse(&bad, date!(2026 - 11 - 23)).unwrap_err();
        assert_eq!(errors.for_field("title"), Some("Udfyld dokumentets titel"));
        assert_eq!(errors.for_field("kind"), Some("Vælg dokumentets art"));
        assert_eq!(
            errors.for_field("document_date"),
            Some("Dokumentdatoen kan ikke ligge i fremtiden")
        );
        assert!(errors.for_field("shareable_with_siblings").is_some());
    }

    #[test]
    fn file_names_are_cleaned_and_cut() {
        assert_eq!(clean_file_name("C:\\Users\\a\\brev.pdf"), "brev.pdf");
        assert_eq!(clean_file_name("../../etc/\"x\".pdf"), "x.pdf");
        let long = format!("{}.docx", "a".repeat(300));
        let cut = clean_file_name(&long);
        assert_eq!(cut.chars().count(), FILE_NAME_MAX);
        assert!(cut.ends_with(".docx"));
    }

    #[test]
    fn sizes_read_as_danish() {
        assert_eq!(format_size(900), "900 byte");
        assert_eq!(format_size(12 * 1024), "12 kB");
        assert_eq!(format_size(3 * 1024 * 1024 + 400 * 1024), "3,4 MB");
        assert_eq!(
            too_large(50 * 1024 * 1024),
            "Filen er for stor. Den må højst fylde 50 MB"
        );
    }
}
