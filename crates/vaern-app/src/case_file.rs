//! What every use case on a child's case needs: the case itself and the automatic journal note
//! that records a change in the same transaction.

use vaern_domain::journal::EntryKind;
use vaern_store::{
    ChildCaseId, ChildId, SubCaseId, TenantTx,
    children::{self, Child},
    journal::{self, NewEntry},
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
