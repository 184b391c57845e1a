//! Background jobs. Each takes a lease in the database first, so when several server instances
//! run the scheduler, one of them does the work; and each job is idempotent, so a rerun after a
//! crash changes nothing that was already done.

use time::Duration;
use vaern_domain::{
    dates::format_datetime,
    journal::EntryKind,
    process::{RULES, WhenDue},
};
use vaern_store::{Db, deadlines, jobs, journal, municipalities};

use crate::{AppError, today};

/// Escalates overdue deadlines of escalating rules once each.
pub const ESCALATION_JOB: &str = "deadline_escalation";
/// How long a lease holds before another instance may take over a job that died.
pub const LEASE: Duration = Duration::minutes(5);

/// What a run did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobReport {
    /// False when another instance held the lease.
    pub ran: bool,
    pub escalated: usize,
}

/// Runs every job once, each under its lease, as `owner` (a unique name for this instance).
pub async fn run_once(db: &Db, owner: &str) -> Result<JobReport, AppError> {
    let mut tx = db.global().await?;
    let taken = jobs::take_lease(&mut tx, ESCALATION_JOB, owner, LEASE).await?;
    tx.commit().await?;
    if !taken {
        return Ok(JobReport {
            ran: false,
            escalated: 0,
        });
    }
    let result = escalate_overdue(db).await;
    let summary = match &result {
        Ok(n) => format!("ok: {n} eskaleret"),
        Err(error) => format!("fejl: {error}"),
    };
    let mut tx = db.global().await?;
    jobs::finish(&mut tx, ESCALATION_JOB, owner, &summary).await?;
    tx.commit().await?;
    Ok(JobReport {
        ran: true,
        escalated: result?,
    })
}

async fn journal_escalation(
    tx: &mut vaern_store::TenantTx,
    deadline: &deadlines::Deadline,
) -> Result<(), AppError> {
    let rule = vaern_domain::process::rule_by_code(&deadline.rule_id);
    let body = format!(
        "Fristen «{}» ({}) udløb {}. Den er eskaleret til teamlederen og vises under «Teamets sager».",
        rule.map(|r| r.description).unwrap_or(&deadline.rule_id),
        rule.map(|r| r.legal_reference).unwrap_or_default(),
        format_datetime(deadline.due_at)
    );
    journal::append(
        tx,
        &journal::NewEntry {
            case: deadline.child_case_id,
            kind: EntryKind::Automatic,
            title: "Frist overskredet – eskaleret",
            body: &body,
            event_date: today(),
            author: None,
            corrects: None,
            sub_case: Some(deadline.sub_case_id),
        },
    )
    .await?;
    Ok(())
}

/// For every municipality: overdue deadlines of escalating rules that are not yet escalated get
/// their mark and an automatic journal note, one transaction per municipality.
async fn escalate_overdue(db: &Db) -> Result<usize, AppError> {
    let escalating: Vec<&str> = RULES
        .iter()
        .filter(|r| r.when_due == WhenDue::Escalation)
        .map(|r| r.id.code())
        .collect();
    let mut tx = db.global().await?;
    let all = municipalities::list(&mut tx).await?;
    tx.commit().await?;
    let mut escalated = 0;
    for municipality in all {
        // Batches of up to 1,000 (the store's limit), each in its own transaction, until none
        // are left: a backlog drains in one run without one huge transaction.
        loop {
            let mut tx = db.tenant(municipality.id).await?;
            let batch =
                deadlines::overdue_unescalated(&mut tx, &escalating, vaern_store::now()).await?;
            let full = batch.len() >= deadlines::SCAN_LIMIT;
            for deadline in batch {
                if deadlines::mark_escalated(&mut tx, deadline.id).await? {
                    journal_escalation(&mut tx, &deadline).await?;
                    escalated += 1;
                }
            }
            tx.commit().await?;
            if !full {
                break;
            }
        }
    }
    Ok(escalated)
}
