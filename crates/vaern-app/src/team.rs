//! The team lead's view: the team's open cases, overdue deadlines (escalations), and masseskift —
//! moving selected cases to another caseworker in one transaction, journalled on every case.

use vaern_domain::{Capability, FieldErrors};
use vaern_store::{
    ChildId, Db, TeamId, UserId,
    access_log::{self, AccessKind},
    children::{self, Child},
    deadlines::{self, Deadline},
    journal::{self, NewEntry},
    users::{self, User},
};

use crate::{Actor, AppError, today};

/// What the team page shows.
pub struct TeamOverview {
    pub team_name: Option<String>,
    pub cases: Vec<Child>,
    pub escalations: Vec<Deadline>,
    /// Who cases can be moved to.
    pub caseworkers: Vec<User>,
}

async fn lead_team(
    tx: &mut vaern_store::TenantTx,
    actor: &Actor,
) -> Result<Option<(TeamId, String)>, AppError> {
    let me = users::get(tx, actor.user_id).await?;
    Ok(me.team_id.zip(me.team_name))
}

/// The lead's team: cases, escalations and caseworkers. Showing the cases is logged as `kind`.
pub async fn overview(db: &Db, actor: &Actor, kind: AccessKind) -> Result<TeamOverview, AppError> {
    actor.require(Capability::LeadTeam)?;
    let mut tx = db.tenant_read(actor.municipality_id).await?;
    let caseworkers = users::list(&mut tx)
        .await?
        .into_iter()
        .filter(|u| u.active && u.role.can(Capability::EditChildren))
        .collect();
    let Some((team, team_name)) = lead_team(&mut tx, actor).await? else {
        tx.commit().await?;
        return Ok(TeamOverview {
            team_name: None,
            cases: Vec::new(),
            escalations: Vec::new(),
            caseworkers,
        });
    };
    let cases = children::open_cases_of_team(&mut tx, team).await?;
    let escalations = deadlines::overdue_for_team(&mut tx, team, vaern_store::now()).await?;
    let persons: Vec<Option<ChildId>> = cases.iter().map(|c| Some(c.id)).collect();
    if !persons.is_empty() {
        access_log::record_many(&mut tx, actor.user_id, &persons, kind, "Teamets sager").await?;
    }
    tx.commit().await?;
    Ok(TeamOverview {
        team_name: Some(team_name),
        cases,
        escalations,
        caseworkers,
    })
}

/// Moves the chosen children's cases to `to` (and to `to`'s team) in one transaction, with an
/// automatic journal note on each. One unknown case refuses the whole move.
pub async fn reassign(
    db: &Db,
    actor: &Actor,
    cases: &[ChildId],
    to: Option<UserId>,
) -> Result<usize, AppError> {
    actor.require(Capability::LeadTeam)?;
    let mut errors = FieldErrors::new();
    if cases.is_empty() {
        errors.add("cases", "Vælg mindst én sag, der skal flyttes");
    }
    let mut tx = db.tenant(actor.municipality_id).await?;
    let target = match to {
        None => {
            errors.add(
                "caseworker_id",
                "Vælg den rådgiver, sagerne skal flyttes til",
            );
            None
        }
        Some(id) => match users::get(&mut tx, id).await {
            Ok(user) if user.active && user.role.can(Capability::EditChildren) => Some(user),
            Ok(user) => {
                errors.add(
                    "caseworker_id",
                    format!("{} kan ikke være rådgiver på en sag", user.name),
                );
                None
            }
            Err(_) => {
                errors.add("caseworker_id", "Vælg en rådgiver fra listen");
                None
            }
        },
    };
    let Some(target) = target.filter(|_| errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    for id in cases {
        let child = children::get(&mut tx, *id).await?;
        let case = child.case_id.ok_or(AppError::NotFound)?;
        if child.caseworker_id == Some(target.id) {
            continue;
        }
        children::assign_case(&mut tx, case, target.id, target.team_id).await?;
        let body = format!(
            "Masseskift: {} flyttede sagen fra {} til {}{}.",
            actor.name,
            child.caseworker_name.as_deref().unwrap_or("ingen"),
            target.name,
            target
                .team_name
                .as_ref()
                .map(|t| format!(", team {t}"))
                .unwrap_or_default()
        );
        journal::append(
            &mut tx,
            &NewEntry {
                case,
                kind: vaern_domain::journal::EntryKind::Automatic,
                title: "Rådgiver ændret (masseskift)",
                body: &body,
                event_date: today(),
                author: Some(actor.user_id),
                corrects: None,
                sub_case: None,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(cases.len())
}
