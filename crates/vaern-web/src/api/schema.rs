//! Constraints the OpenAPI document states for input, matching the domain's own checks
//! (`vaern_domain::text`, the code tables): a required line holds a visible character and no
//! control character (U+0000-U+001F, U+007F-U+009F); a required text may also hold line breaks
//! and tabs; a name has no `<` or `>`; a code is one of its table's. Fields use them as
//! `#[schema(schema_with = line::<100>, required = true)]`.

use utoipa::openapi::{Object, ObjectBuilder, Type};
use vaern_domain::{
    address_book::OrganisationKind, document::DocumentKind, ics::Dimension, journal::EntryKind,
    process::appeal::Channel,
};

const CONTROL: &str = r"\u0000-\u001F\u007F-\u009F";
const CONTROL_BUT_TAB_AND_NEWLINE: &str = r"\u0000-\u0008\u000B-\u001F\u007F-\u009F";

/// A required single-line text of at most `MAX` characters.
pub fn line<const MAX: usize>() -> Object {
    visible(CONTROL, MAX)
}

/// A required multi-line text of at most `MAX` characters.
pub fn text<const MAX: usize>() -> Object {
    visible(CONTROL_BUT_TAB_AND_NEWLINE, MAX)
}

/// An optional multi-line text of at most `MAX` characters.
pub fn optional_text<const MAX: usize>() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(format!("^[^{CONTROL_BUT_TAB_AND_NEWLINE}]*$")))
        .max_length(Some(MAX))
        .build()
}

/// A person's or organisation's name (`vaern_domain::child::name`).
pub fn name() -> Object {
    visible(&format!("{CONTROL}<>"), vaern_domain::child::NAME_MAX)
}

pub fn organisation_kind() -> Object {
    codes(OrganisationKind::ALL.map(OrganisationKind::code))
}

pub fn document_kind() -> Object {
    codes(DocumentKind::ALL.map(DocumentKind::code))
}

pub fn dimension() -> Object {
    codes(Dimension::ALL.map(Dimension::code))
}

pub fn journal_kind() -> Object {
    codes([EntryKind::Manual, EntryKind::Automatic].map(EntryKind::code))
}

pub fn channel() -> Object {
    codes(Channel::ALL.map(Channel::code))
}

fn codes<const N: usize>(codes: [&'static str; N]) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(codes))
        .build()
}

/// A string with at least one visible character, none of `forbidden`, at most `max` long.
fn visible(forbidden: &str, max: usize) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(format!(
            r"^[^{forbidden}]*[^\s{forbidden}][^{forbidden}]*$"
        )))
        .max_length(Some(max))
        .build()
}
