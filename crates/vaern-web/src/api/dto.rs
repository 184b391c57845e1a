//! The API's JSON shapes. Dates are ISO 8601 strings (`2026-11-22`), instants RFC 3339.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use vaern_domain::Cpr;
use vaern_store::{children::Child, journal::JournalEntry, users::User};

use super::schema::{line, name, text};

pub use vaern_domain::dates::rfc3339_utc as instant;

/// An RFC 9457 problem.
#[derive(Serialize, ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldErrorDto>>,
}

/// A validation message bound to an input field.
#[derive(Serialize, ToSchema)]
pub struct FieldErrorDto {
    pub field: String,
    pub message: String,
}

#[derive(Serialize, ToSchema)]
pub struct MeDto {
    pub id: Uuid,
    pub username: String,
    pub name: String,
    pub role: String,
    pub municipality_code: String,
    pub municipality_name: String,
}

/// A child with the essentials of its case.
#[derive(Serialize, ToSchema)]
pub struct ChildDto {
    pub id: Uuid,
    /// `DDMMYY-SSSS`, or null for a child without CPR.
    pub cpr: Option<String>,
    /// `DDMMYY-xxxx`.
    pub cpr_masked: Option<String>,
    pub first_name: String,
    pub last_name: String,
    #[schema(format = Date)]
    pub birth_date: String,
    /// `male`/`female`, derived from the CPR number where there is one.
    pub sex: Option<String>,
    pub case: Option<CaseDto>,
    /// True when POST found the CPR already registered and returned that child.
    pub existing: bool,
}

/// The child's case (barnets sag).
#[derive(Serialize, ToSchema)]
pub struct CaseDto {
    pub id: Uuid,
    pub case_number: String,
    pub status: String,
    pub caseworker_id: Option<Uuid>,
    pub caseworker_name: Option<String>,
    pub team_id: Option<Uuid>,
    pub team_name: Option<String>,
}

impl ChildDto {
    pub fn new(child: &Child, existing: bool) -> Self {
        let cpr = child.cpr.as_deref().and_then(|c| Cpr::parse(c).ok());
        ChildDto {
            id: child.id.0,
            cpr: cpr.as_ref().map(Cpr::formatted),
            cpr_masked: cpr.as_ref().map(Cpr::masked),
            first_name: child.first_name.clone(),
            last_name: child.last_name.clone(),
            birth_date: child.birth_date.to_string(),
            sex: child.sex.clone(),
            case: CaseDto::new(child),
            existing,
        }
    }
}

impl CaseDto {
    pub fn new(child: &Child) -> Option<Self> {
        Some(CaseDto {
            id: child.case_id?.0,
            case_number: child.case_number.clone()?,
            status: child.case_status.clone()?,
            caseworker_id: child.caseworker_id.map(|u| u.0),
            caseworker_name: child.caseworker_name.clone(),
            team_id: child.team_id.map(|t| t.0),
            team_name: child.team_name.clone(),
        })
    }
}

#[derive(Serialize, ToSchema)]
pub struct ChildList {
    pub items: Vec<ChildDto>,
    /// More children matched than returned; narrow the search.
    pub truncated: bool,
}

/// Body of `POST /api/v1/children`.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct NewChildBody {
    /// `DDMMYY-SSSS` or 10 digits; omit for a child without CPR.
    pub cpr: Option<String>,
    #[schema(schema_with = name, required = true)]
    pub first_name: String,
    #[schema(schema_with = name, required = true)]
    pub last_name: String,
    /// Required without CPR; must match the CPR when both are given.
    #[schema(format = Date)]
    pub birth_date: Option<String>,
    /// `male`/`female`; only used without CPR.
    pub sex: Option<String>,
    /// The case's caseworker; default the caller.
    pub caseworker_id: Option<Uuid>,
    /// The case's team; default the caseworker's team.
    pub team_id: Option<Uuid>,
}

/// Body of `PUT /api/v1/children/{id}/case`.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct CaseAssignmentBody {
    pub caseworker_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
}

#[derive(Serialize, ToSchema)]
pub struct JournalEntryDto {
    pub id: Uuid,
    /// `manual` or `automatic`.
    pub kind: String,
    pub title: String,
    pub text: String,
    #[schema(format = Date)]
    pub event_date: String,
    pub author_id: Option<Uuid>,
    pub author_name: Option<String>,
    /// The entry this one corrects.
    pub corrects_id: Option<Uuid>,
    /// A later entry that corrects this one.
    pub corrected_by_id: Option<Uuid>,
    #[schema(format = DateTime)]
    pub created_at: String,
    pub sub_case_id: Option<Uuid>,
    pub sub_case_title: Option<String>,
}

impl JournalEntryDto {
    pub fn new(entry: &JournalEntry) -> Self {
        JournalEntryDto {
            id: entry.id.0,
            kind: entry.kind.clone(),
            title: entry.title.clone(),
            text: entry.body.clone(),
            event_date: entry.event_date.to_string(),
            author_id: entry.author_id.map(|a| a.0),
            author_name: entry.author_name.clone(),
            corrects_id: entry.corrects_id.map(|c| c.0),
            corrected_by_id: entry.corrected_by_id.map(|c| c.0),
            created_at: instant(entry.created_at),
            sub_case_id: entry.sub_case_id.map(|s| s.0),
            sub_case_title: entry.sub_case_title.clone(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct JournalList {
    pub items: Vec<JournalEntryDto>,
    /// Set when the page is full (100 entries): the `before` that fetches the older entries.
    /// Null on the last page.
    pub next_before: Option<String>,
}

/// Body of `POST /api/v1/children/{id}/journal`.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct NewJournalEntryBody {
    #[schema(schema_with = line::<200>, required = true)]
    pub title: String,
    #[schema(schema_with = text::<20_000>, required = true)]
    pub text: String,
    /// Default today; not in the future.
    #[schema(format = Date)]
    pub event_date: Option<String>,
    /// Makes this entry a correction of an earlier entry of the same case.
    pub corrects_id: Option<Uuid>,
    /// The sub-case the note concerns (one of the child's).
    pub sub_case_id: Option<Uuid>,
}

#[derive(Serialize, ToSchema)]
pub struct UserDto {
    pub id: Uuid,
    pub username: String,
    pub name: String,
    /// `caseworker`, `team_lead`, `finance`, `admin` or `auditor`.
    pub role: String,
    pub team_id: Option<Uuid>,
    pub team_name: Option<String>,
    pub active: bool,
    /// A case-reading role asked for and waiting for a second administrator's approval
    /// (`POST /api/v1/users/{id}/approve`); until then `role` and `active` are the access the
    /// account has.
    pub pending: Option<PendingGrantDto>,
}

/// A role asked for and who asked.
#[derive(Serialize, ToSchema)]
pub struct PendingGrantDto {
    pub role: String,
    pub requested_by: Uuid,
}

impl UserDto {
    pub fn new(user: &User) -> Self {
        UserDto {
            id: user.id.0,
            username: user.username.clone(),
            name: user.name.clone(),
            role: user.role.code().to_owned(),
            team_id: user.team_id.map(|t| t.0),
            team_name: user.team_name.clone(),
            active: user.active,
            pending: user.pending.map(|p| PendingGrantDto {
                role: p.role.code().to_owned(),
                requested_by: p.requested_by.0,
            }),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct UserList {
    pub items: Vec<UserDto>,
}

/// Body of `POST /api/v1/users`.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct NewUserBody {
    pub username: String,
    pub name: String,
    pub role: String,
    pub password: String,
    pub team_id: Option<Uuid>,
}

/// Body of `PUT /api/v1/users/{id}`.
#[derive(Deserialize, ToSchema)]
pub struct UpdateUserBody {
    pub role: String,
    pub team_id: Option<Uuid>,
    pub active: bool,
}

#[derive(Serialize, ToSchema)]
pub struct AccessLogRowDto {
    pub id: Uuid,
    #[schema(format = DateTime)]
    pub at: String,
    pub user_id: Option<Uuid>,
    pub user_name: Option<String>,
    pub person_id: Option<Uuid>,
    pub person_name: Option<String>,
    /// `view`, `api_read`, `search` or `export`.
    pub kind: String,
    pub detail: String,
}

#[derive(Serialize, ToSchema)]
pub struct AccessLogPage {
    pub items: Vec<AccessLogRowDto>,
    /// Pass as `before` for the next page; null on the last page.
    pub next: Option<String>,
}

/// A change to a user or team: who did what to whom, when.
#[derive(Serialize, ToSchema)]
pub struct UserChangeDto {
    #[schema(format = DateTime)]
    pub at: String,
    pub actor_id: Option<Uuid>,
    /// Null when the operator's CLI or Værn itself made the change.
    pub actor_name: Option<String>,
    pub subject_user_id: Option<Uuid>,
    pub subject_name: Option<String>,
    /// `user_created`, `user_changed`, `team_created` or `login_delayed` (Værn slowed logins to
    /// the account after failed attempts).
    pub action: String,
    pub detail: String,
}

#[derive(Serialize, ToSchema)]
pub struct UserChangeList {
    pub items: Vec<UserChangeDto>,
}
