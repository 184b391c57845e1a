//! Registering children, finding them, the child page and case assignment.

use serde::Deserialize;
use vaern_domain::{
    Capability, FieldErrors,
    child::{NewChild, NewChildInput},
    journal::EntryKind,
};
use vaern_store::{
    ChildId, Db, StoreError, TeamId, TenantTx, UserId,
    access_log::{self, AccessKind},
    children::{self, Child},
    journal::{self, NewEntry},
    municipalities, users,
};

use crate::{Actor, AppError, today};

/// Who gets the new case; empty means the actor and the actor's team.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct AssignmentInput {
    pub caseworker_id: Option<String>,
    pub team_id: Option<String>,
}

/// The outcome of registering a child.
#[derive(Debug)]
pub enum Registered {
    /// A new child with a newly opened case.
    Created(Child),
    /// The CPR was already registered in the municipality: this is that child (no duplicate).
    Existing(Child),
}

impl Registered {
    pub fn child(&self) -> &Child {
        match self {
            Registered::Created(child) | Registered::Existing(child) => child,
        }
    }
}

/// Registers a child and opens the child's case (barnets sag) in one transaction, with an
/// automatic journal note. A CPR already registered in the municipality returns that child.
pub async fn register(
    db: &Db,
    actor: &Actor,
    input: &NewChildInput,
    assignment: &AssignmentInput,
) -> Result<Registered, AppError> {
    actor.require(Capability::EditChildren)?;
    let child = NewChild::parse(input, today());
    let mut tx = db.tenant(actor.municipality_id).await?;
    let (caseworker, team) = resolve_assignment(&mut tx, actor, assignment).await;
    let mut errors = child.as_ref().err().cloned().unwrap_or_default();
    let caseworker = errors.take("caseworker_id", caseworker);
    let team = errors.take("team_id", team);
    let (Ok(child), Some(caseworker), Some(team)) = (child, caseworker, team) else {
        return Err(AppError::Invalid(errors));
    };
    if let Some(cpr) = &child.cpr
        && let Some(existing) = children::by_cpr(&mut tx, cpr.digits()).await?
    {
        access_log::record(
            &mut tx,
            actor.user_id,
            Some(existing.id),
            AccessKind::Search,
            "Oprettelse: CPR-nummeret var allerede registreret",
        )
        .await?;
        tx.commit().await?;
        return Ok(Registered::Existing(existing));
    }
    let created = match children::create(&mut tx, &child).await {
        Ok(created) => created,
        // Registered by someone else since our check: show theirs.
        Err(StoreError::Conflict(_)) => {
            drop(tx);
            let mut tx = db.tenant(actor.municipality_id).await?;
            let digits = child
                .cpr
                .as_ref()
                .map(|c| c.digits().to_owned())
                .unwrap_or_default();
            let existing = children::by_cpr(&mut tx, &digits)
                .await?
                .ok_or(AppError::NotFound)?;
            return Ok(Registered::Existing(existing));
        }
        Err(other) => return Err(other.into()),
    };
    let case = children::open_case(
        &mut tx,
        created.id,
        &actor.municipality_code,
        caseworker.0,
        team.as_ref().map(|t| t.0),
    )
    .await?;
    let identity = match &child.cpr {
        Some(cpr) => format!("CPR-nr. {}", cpr.masked()),
        None => format!(
            "uden CPR-nummer, født {}",
            vaern_domain::dates::format_date(child.birth_date)
        ),
    };
    let team_text = team
        .as_ref()
        .map(|t| format!(", team {}", t.1))
        .unwrap_or_default();
    let body = format!(
        "{} registrerede {} {} ({identity}) og oprettede barnets sag. Rådgiver: {}{team_text}.",
        actor.name, child.first_name, child.last_name, caseworker.1
    );
    journal::append(
        &mut tx,
        &NewEntry {
            case,
            kind: EntryKind::Automatic,
            title: "Barnets sag oprettet",
            body: &body,
            event_date: today(),
            author: Some(actor.user_id),
            corrects: None,
            sub_case: None,
        },
    )
    .await?;
    let created = children::get(&mut tx, created.id).await?;
    tx.commit().await?;
    Ok(Registered::Created(created))
}

type Assignee = (UserId, String);
type AssignedTeam = (TeamId, String);

/// Resolves the chosen caseworker and team within the municipality; a caseworker must be an
/// active user who may work on cases.
async fn resolve_assignment(
    tx: &mut TenantTx,
    actor: &Actor,
    input: &AssignmentInput,
) -> (
    Result<Assignee, String>,
    Result<Option<AssignedTeam>, String>,
) {
    let chosen = input
        .caseworker_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let caseworker = match chosen {
        None => users::get(tx, actor.user_id)
            .await
            .map_err(|_| "Rådgiveren findes ikke".to_owned()),
        Some(raw) => match raw.parse::<UserId>() {
            Ok(id) => users::get(tx, id)
                .await
                .map_err(|_| "Vælg en rådgiver fra listen".to_owned()),
            Err(_) => Err("Vælg en rådgiver fra listen".to_owned()),
        },
    }
    .and_then(|user| {
        if !user.active || !user.role.can(Capability::EditChildren) {
            Err(format!("{} kan ikke være rådgiver på en sag", user.name))
        } else {
            Ok(user)
        }
    });
    let team = match input
        .team_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => match &caseworker {
            Ok(user) => Ok(user.team_id.zip(user.team_name.clone())),
            Err(_) => Ok(None),
        },
        Some(raw) => match raw.parse::<TeamId>() {
            Ok(id) => municipalities::team(tx, id)
                .await
                .map(|t| Some((t.id, t.name)))
                .map_err(|_| "Vælg et team fra listen".to_owned()),
            Err(_) => Err("Vælg et team fra listen".to_owned()),
        },
    };
    (caseworker.map(|u| (u.id, u.name)), team)
}

/// Reads a child for a page or API call, logging the use.
pub async fn read(
    db: &Db,
    actor: &Actor,
    id: ChildId,
    kind: AccessKind,
    detail: &str,
) -> Result<Child, AppError> {
    actor.require(Capability::ReadChildren)?;
    let mut tx = db.tenant_read(actor.municipality_id).await?;
    let child = children::get(&mut tx, id).await?;
    access_log::record(&mut tx, actor.user_id, Some(child.id), kind, detail).await?;
    tx.commit().await?;
    Ok(child)
}

/// Result of a search: the hits and whether there were more than shown.
pub struct SearchResult {
    pub children: Vec<Child>,
    pub truncated: bool,
}

/// Searches children by name, CPR or case number; each hit is access-logged as a search with
/// the criterion (a search that finds no one is logged too).
pub async fn search(db: &Db, actor: &Actor, query: &str) -> Result<SearchResult, AppError> {
    actor.require(Capability::ReadChildren)?;
    let query = query.trim();
    if query.is_empty() {
        return Err(AppError::Invalid(FieldErrors::single(
            "q",
            "Skriv et navn, CPR-nummer eller sagsnummer",
        )));
    }
    // A NUL or other control character never matches a name and breaks the databases' text
    // handling (issue 17: a NUL searched the whole municipality on SQLite).
    let query = vaern_domain::text::required_line(query, "søgningen", 100)
        .map_err(|m| AppError::Invalid(FieldErrors::single("q", m)))?;
    let query = query.as_str();
    let mut tx = db.tenant_read(actor.municipality_id).await?;
    let mut found = children::search(&mut tx, query).await?;
    let truncated = found.len() as i64 > children::SEARCH_LIMIT;
    found.truncate(children::SEARCH_LIMIT as usize);
    let persons: Vec<Option<ChildId>> = if found.is_empty() {
        vec![None]
    } else {
        found.iter().map(|c| Some(c.id)).collect()
    };
    let detail = format!("Søgning: «{query}»");
    access_log::record_many(
        &mut tx,
        actor.user_id,
        &persons,
        AccessKind::Search,
        &detail,
    )
    .await?;
    tx.commit().await?;
    Ok(SearchResult {
        children: found,
        truncated,
    })
}

/// Mit overblik: the actor's open cases. Showing them is a use of each child's data, so logged.
pub async fn my_open_cases(db: &Db, actor: &Actor) -> Result<Vec<Child>, AppError> {
    if !actor.can(Capability::ReadChildren) {
        return Ok(Vec::new());
    }
    let mut tx = db.tenant_read(actor.municipality_id).await?;
    let cases = children::open_cases_of(&mut tx, actor.user_id).await?;
    if !cases.is_empty() {
        let persons: Vec<_> = cases.iter().map(|c| Some(c.id)).collect();
        access_log::record_many(
            &mut tx,
            actor.user_id,
            &persons,
            AccessKind::View,
            "Mit overblik",
        )
        .await?;
    }
    tx.commit().await?;
    Ok(cases)
}

/// Assigns the child's case to a caseworker and team, with an automatic journal note.
pub async fn assign(
    db: &Db,
    actor: &Actor,
    id: ChildId,
    assignment: &AssignmentInput,
) -> Result<Child, AppError> {
    actor.require(Capability::EditChildren)?;
    let mut tx = db.tenant(actor.municipality_id).await?;
    let child = children::get(&mut tx, id).await?;
    let case = child.case_id.ok_or(AppError::NotFound)?;
    let (caseworker, team) = resolve_assignment(&mut tx, actor, assignment).await;
    let mut errors = FieldErrors::new();
    let caseworker = errors.take("caseworker_id", caseworker);
    let team = errors.take("team_id", team);
    let (Some(caseworker), Some(team)) = (caseworker, team) else {
        return Err(AppError::Invalid(errors));
    };
    children::assign_case(&mut tx, case, caseworker.0, team.as_ref().map(|t| t.0)).await?;
    let body = format!(
        "{} ændrede sagens rådgiver fra {} til {}{}.",
        actor.name,
        child.caseworker_name.as_deref().unwrap_or("ingen"),
        caseworker.1,
        team.as_ref()
            .map(|t| format!(", team {}", t.1))
            .unwrap_or_default()
    );
    journal::append(
        &mut tx,
        &NewEntry {
            case,
            kind: EntryKind::Automatic,
            title: "Rådgiver ændret",
            body: &body,
            event_date: today(),
            author: Some(actor.user_id),
            corrects: None,
            sub_case: None,
        },
    )
    .await?;
    let child = children::get(&mut tx, id).await?;
    tx.commit().await?;
    Ok(child)
}

/// The users who can be chosen as caseworker, and the teams (for the forms).
pub async fn assignment_choices(
    db: &Db,
    actor: &Actor,
) -> Result<(Vec<users::User>, Vec<municipalities::Team>), AppError> {
    actor.require(Capability::EditChildren)?;
    let mut tx = db.tenant(actor.municipality_id).await?;
    let caseworkers = users::list(&mut tx)
        .await?
        .into_iter()
        .filter(|u| u.active && u.role.can(Capability::EditChildren))
        .collect();
    let teams = municipalities::teams(&mut tx).await?;
    tx.commit().await?;
    Ok((caseworkers, teams))
}
