//! What every use case on a child's case needs: the case itself and the automatic journal note
//! that records a change in the same transaction.

use vaern_domain::{FieldErrors, journal::EntryKind};
use vaern_store::{
    ChildCaseId, ChildId, SubCaseId, TenantTx,
    children::{self, Child},
    journal::{self, NewEntry},
    sub_cases,
};

use crate::{Actor, AppError, today};

/// The child and its case; `NotFound` if the child has no case yet.
pub(crate) async fn child_case(
    tx: &mut TenantTx,
    child: ChildId,
) -> Result<(Child, ChildCaseId), AppError> {
    let child = children::get(tx, child).await?;
    let case = child.case_id.ok_or(AppError::NotFound)?;
    Ok((child, case))
}

/// The sub-case a form names (optional); a malformed id is an error at the `sub_case` field.
pub(crate) fn parse_sub_case(raw: Option<&str>, errors: &mut FieldErrors) -> Option<SubCaseId> {
    match raw.map(str::trim) {
        None | Some("") => None,
        Some(raw) => errors.take(
            "sub_case",
            raw.parse::<SubCaseId>()
                .map_err(|_| "Vælg en delsag fra listen".to_owned()),
        ),
    }
}

/// `NotFound` unless the sub-case belongs to the case.
pub(crate) async fn check_sub_case(
    tx: &mut TenantTx,
    case: ChildCaseId,
    sub_case: SubCaseId,
) -> Result<(), AppError> {
    if sub_cases::get(tx, sub_case).await?.child_case_id == case {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// Writes the automatic note for a change made by `actor`.
pub(crate) async fn automatic_note(
    tx: &mut TenantTx,
    actor: &Actor,
    case: ChildCaseId,
    sub_case: Option<SubCaseId>,
    title: &str,
    body: &str,
) -> Result<(), AppError> {
    journal::append(
        tx,
        &NewEntry {
            case,
            kind: EntryKind::Automatic,
            title,
            body,
            event_date: today(),
            author: Some(actor.user_id),
            corrects: None,
            sub_case,
        },
    )
    .await?;
    Ok(())
}
