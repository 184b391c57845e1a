//! Barnets plan (BL § 91; ungeplan § 108) and its follow-ups (BL §§ 95-96). A plan takes its
//! goals from a concluded investigation in one action; versions go draft → approved, and an
//! approved version is never changed — a new version is made from it, keeping each goal's key so
//! its progress can be followed across versions.

use std::collections::HashMap;

use vaern_domain::{
    Capability, FieldErrors,
    calendar::end_of_danish_day,
    dates::format_date,
    ics::{Dimension, FollowUp, FollowUpInput, Goal, GoalInput, score},
    process::{Requirement, RuleId, SubCaseKind, rules::met_by},
};
use vaern_store::{
    ChildCaseId, ChildId, GoalKey, InvestigationId, PlanId, TenantTx,
    access_log::{self, AccessKind},
    children::Child,
    deadlines,
    investigations::{self, Investigation, StoredDimension},
    plans::{self, Plan, Score, StoredFollowUp, StoredGoal},
    sub_cases,
};

use vaern_letters::Block;
use vaern_store::documents::Document;

use crate::{
    Actor, AppError,
    case_file::{automatic_note, child_case},
    documents::CaseFiles,
    investigations::{case_letter, file_pdf, paragraph},
    today,
};

/// The child's plans, the newest version's goals, the follow-ups and the investigations a plan
/// can be made from.
pub struct PlanView {
    pub child: Child,
    /// Newest first.
    pub plans: Vec<Plan>,
    pub goals: Vec<StoredGoal>,
    pub follow_ups: Vec<StoredFollowUp>,
    pub scores: Vec<Score>,
    /// Every goal ever in a plan, by key, as its newest version words it.
    pub goal_names: HashMap<GoalKey, (Dimension, String)>,
    pub investigations: Vec<Investigation>,
    /// The newest concluded investigation's dimensions, to take goals from.
    pub investigation_dimensions: Vec<StoredDimension>,
}

impl PlanView {
    pub fn current(&self) -> Option<&Plan> {
        self.plans.first()
    }

    /// The newest approved version: the one follow-ups score.
    pub fn approved(&self) -> Option<&Plan> {
        self.plans.iter().find(|p| p.status == "approved")
    }
}

async fn load(tx: &mut TenantTx, child: ChildId) -> Result<(PlanView, ChildCaseId), AppError> {
    let (child, case) = child_case(tx, child).await?;
    let plans = plans::for_case(tx, case).await?;
    let all_goals = plans::goals_for_case(tx, case).await?;
    let newest = plans.first().map(|p| p.id);
    let goals = all_goals
        .iter()
        .filter(|(plan, _)| Some(*plan) == newest)
        .map(|(_, goal)| goal.clone())
        .collect();
    let (follow_ups, scores) = plans::follow_ups(tx, case).await?;
    let mut goal_names = HashMap::new();
    // Oldest version first, so the newest wording wins.
    for (_, goal) in all_goals {
        let dimension = Dimension::parse(&goal.dimension).map_err(AppError::Internal)?;
        goal_names.insert(goal.goal_key, (dimension, goal.wording));
    }
    let investigations = investigations::concluded_for_case(tx, case).await?;
    let investigation_dimensions = match investigations.first() {
        Some(newest) => investigations::dimensions(tx, newest.id).await?,
        None => Vec::new(),
    };
    Ok((
        PlanView {
            child,
            plans,
            goals,
            follow_ups,
            scores,
            goal_names,
            investigations,
            investigation_dimensions,
        },
        case,
    ))
}

/// The child's plan page; reading it is access-logged.
pub async fn overview(
    db: &vaern_store::Db,
    actor: &Actor,
    child: ChildId,
    kind: AccessKind,
) -> Result<PlanView, AppError> {
    actor.require(Capability::ReadChildren)?;
    let mut tx = db.tenant_read(actor.municipality_id).await?;
    let (view, _) = load(&mut tx, child).await?;
    access_log::record(
        &mut tx,
        actor.user_id,
        Some(view.child.id),
        kind,
        "Barnets plan",
    )
    .await?;
    tx.commit().await?;
    Ok(view)
}

/// One version's goals; reading them is access-logged.
pub async fn version(
    db: &vaern_store::Db,
    actor: &Actor,
    child: ChildId,
    version: i32,
    kind: AccessKind,
) -> Result<(Child, Plan, Vec<StoredGoal>), AppError> {
    actor.require(Capability::ReadChildren)?;
    let mut tx = db.tenant_read(actor.municipality_id).await?;
    let (child, case) = child_case(&mut tx, child).await?;
    let plan = plans::for_case(&mut tx, case)
        .await?
        .into_iter()
        .find(|p| p.version == version)
        .ok_or(AppError::NotFound)?;
    let goals = plans::goals(&mut tx, plan.id).await?;
    access_log::record(
        &mut tx,
        actor.user_id,
        Some(child.id),
        kind,
        &format!("Barnets plan, version {version}"),
    )
    .await?;
    tx.commit().await?;
    Ok((child, plan, goals))
}

/// Validates goals typed in rows; each row's errors are reported at `<field>_<row>`.
fn parse_goals(rows: &[GoalInput]) -> Result<Vec<Goal>, AppError> {
    let mut errors = FieldErrors::new();
    let mut goals = Vec::new();
    for (row, input) in rows.iter().enumerate() {
        match Goal::parse(input, today()) {
            Ok(goal) => goals.push(goal),
            Err(row_errors) => {
                for error in row_errors.iter() {
                    errors.add(&format!("{}_{row}", error.field), error.message.clone());
                }
            }
        }
    }
    if rows.is_empty() {
        errors.add("goals", "Vælg mindst ét mål til planen");
    }
    errors.into_result(|| goals).map_err(AppError::Invalid)
}

fn draft_exists(plan: &Plan) -> AppError {
    AppError::Invalid(FieldErrors::single(
        "plan",
        format!(
            "Version {} af planen er et udkast. Ret eller godkend den, før en ny version laves",
            plan.version
        ),
    ))
}

/// Makes a new draft plan from a concluded investigation with the goals the caseworker picked
/// and edited (each row: dimension, wording, measures, target date), journalled.
pub async fn create_from_investigation(
    db: &vaern_store::Db,
    actor: &Actor,
    child: ChildId,
    investigation: &str,
    rows: &[GoalInput],
) -> Result<Plan, AppError> {
    actor.require(Capability::EditChildren)?;
    let mut tx = db.tenant(actor.municipality_id).await?;
    let (view, case) = load(&mut tx, child).await?;
    let goals = parse_goals(rows)?;
    let investigation: Option<InvestigationId> = investigation.trim().parse().ok();
    let source = view
        .investigations
        .iter()
        .find(|i| Some(i.id) == investigation)
        .ok_or_else(|| {
            AppError::Invalid(FieldErrors::single(
                "investigation",
                "Vælg en afsluttet undersøgelse at tage målene fra",
            ))
        })?;
    if let Some(draft) = view.plans.first().filter(|p| p.status == "draft") {
        return Err(draft_exists(draft));
    }
    let keyed: Vec<(GoalKey, Goal)> = goals.into_iter().map(|g| (GoalKey::new(), g)).collect();
    let plan = plans::create(&mut tx, case, Some(source.id), &keyed, actor.user_id).await?;
    let body = format!(
        "{} lavede version {} af barnets plan ud fra undersøgelsen med {} mål:\n{}",
        actor.name,
        plan.version,
        keyed.len(),
        goal_lines(keyed.iter().map(|(_, g)| g))
    );
    automatic_note(&mut tx, actor, case, None, "Barnets plan: udkast", &body).await?;
    tx.commit().await?;
    Ok(plan)
}

fn goal_lines<'a>(goals: impl Iterator<Item = &'a Goal>) -> String {
    goals
        .map(|g| {
            format!(
                "- {}: {} (mål {})",
                g.dimension.label(),
                g.wording,
                format_date(g.target_date)
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Replaces the goals of the draft version; an approved version is never changed.
pub async fn update_draft(
    db: &vaern_store::Db,
    actor: &Actor,
    child: ChildId,
    plan: PlanId,
    rows: &[(Option<GoalKey>, GoalInput)],
) -> Result<Plan, AppError> {
    actor.require(Capability::EditChildren)?;
    let inputs: Vec<GoalInput> = rows.iter().map(|(_, g)| g.clone()).collect();
    let mut tx = db.tenant(actor.municipality_id).await?;
    let (view, case) = load(&mut tx, child).await?;
    let plan = view
        .plans
        .iter()
        .find(|p| p.id == plan)
        .ok_or(AppError::NotFound)?;
    let goals = parse_goals(&inputs)?;
    // A goal keeps its key only if it is one of this plan's: a key from elsewhere is a new goal.
    let known: Vec<GoalKey> = plans::goals(&mut tx, plan.id)
        .await?
        .iter()
        .map(|g| g.goal_key)
        .collect();
    let keyed: Vec<(GoalKey, Goal)> = rows
        .iter()
        .zip(goals)
        .map(|((key, _), goal)| (key.filter(|k| known.contains(k)).unwrap_or_default(), goal))
        .collect();
    if !plans::replace_goals(&mut tx, plan.id, &keyed).await? {
        return Err(already_approved(plan));
    }
    let body = format!(
        "{} rettede udkastet til barnets plan, version {}:\n{}",
        actor.name,
        plan.version,
        goal_lines(keyed.iter().map(|(_, g)| g))
    );
    automatic_note(
        &mut tx,
        actor,
        case,
        None,
        "Barnets plan: udkast rettet",
        &body,
    )
    .await?;
    let plan = plans::get(&mut tx, plan.id).await?;
    tx.commit().await?;
    Ok(plan)
}

fn already_approved(plan: &Plan) -> AppError {
    AppError::Invalid(FieldErrors::single(
        "plan",
        format!(
            "Version {} er allerede godkendt og kan ikke ændres. Lav en ny version",
            plan.version
        ),
    ))
}

/// Approves a draft version (who and when are recorded); approving twice is refused.
pub async fn approve(
    db: &vaern_store::Db,
    actor: &Actor,
    child: ChildId,
    plan: PlanId,
) -> Result<Plan, AppError> {
    actor.require(Capability::EditChildren)?;
    let mut tx = db.tenant(actor.municipality_id).await?;
    let (view, case) = load(&mut tx, child).await?;
    let plan = view
        .plans
        .iter()
        .find(|p| p.id == plan)
        .ok_or(AppError::NotFound)?;
    if !plans::approve(&mut tx, plan.id, actor.user_id).await? {
        return Err(already_approved(plan));
    }
    deadlines::meet_rules_for_case(&mut tx, case, &met_by(Requirement::PlanApproved)).await?;
    let body = format!(
        "{} godkendte barnets plan, version {}.",
        actor.name, plan.version
    );
    automatic_note(&mut tx, actor, case, None, "Barnets plan godkendt", &body).await?;
    let plan = plans::get(&mut tx, plan.id).await?;
    tx.commit().await?;
    Ok(plan)
}

/// Makes a new draft version from the newest approved one, with the same goals (and keys).
pub async fn new_version(
    db: &vaern_store::Db,
    actor: &Actor,
    child: ChildId,
) -> Result<Plan, AppError> {
    actor.require(Capability::EditChildren)?;
    let mut tx = db.tenant(actor.municipality_id).await?;
    let (view, case) = load(&mut tx, child).await?;
    if let Some(draft) = view.plans.first().filter(|p| p.status == "draft") {
        return Err(draft_exists(draft));
    }
    let Some(approved) = view.approved() else {
        return Err(AppError::Invalid(FieldErrors::single(
            "plan",
            "Der er ingen godkendt plan at lave en ny version af",
        )));
    };
    let goals: Vec<(GoalKey, Goal)> = view
        .goals
        .iter()
        .map(|g| {
            Ok((
                g.goal_key,
                Goal {
                    dimension: Dimension::parse(&g.dimension).map_err(AppError::Internal)?,
                    wording: g.wording.clone(),
                    measures: g.measures.clone(),
                    target_date: g.target_date,
                },
            ))
        })
        .collect::<Result<_, AppError>>()?;
    let plan = plans::create(
        &mut tx,
        case,
        approved.investigation_id,
        &goals,
        actor.user_id,
    )
    .await?;
    let body = format!(
        "{} lavede version {} af barnets plan ud fra den godkendte version {}.",
        actor.name, plan.version, approved.version
    );
    automatic_note(
        &mut tx,
        actor,
        case,
        None,
        "Barnets plan: ny version",
        &body,
    )
    .await?;
    tx.commit().await?;
    Ok(plan)
}

/// How one goal differs between two versions.
#[derive(Debug, Clone)]
pub enum GoalChange {
    Added(StoredGoal),
    Removed(StoredGoal),
    Changed {
        before: StoredGoal,
        after: StoredGoal,
    },
    Same(StoredGoal),
}

/// Whether two versions of a goal say the same.
fn same_content(a: &StoredGoal, b: &StoredGoal) -> bool {
    a.dimension == b.dimension
        && a.wording == b.wording
        && a.measures == b.measures
        && a.target_date == b.target_date
}

/// Compares two versions' goals by key, in the newer version's order, removed goals last.
pub fn compare(older: &[StoredGoal], newer: &[StoredGoal]) -> Vec<GoalChange> {
    let mut changes: Vec<GoalChange> = newer
        .iter()
        .map(
            |after| match older.iter().find(|b| b.goal_key == after.goal_key) {
                None => GoalChange::Added(after.clone()),
                Some(before) if same_content(before, after) => GoalChange::Same(after.clone()),
                Some(before) => GoalChange::Changed {
                    before: before.clone(),
                    after: after.clone(),
                },
            },
        )
        .collect();
    changes.extend(
        older
            .iter()
            .filter(|b| !newer.iter().any(|a| a.goal_key == b.goal_key))
            .cloned()
            .map(GoalChange::Removed),
    );
    changes
}

/// Records a follow-up of the newest approved plan: a score for every goal, the parties'
/// views, the decision and the next follow-up with its reason (BL § 95, stk. 3), journalled.
pub async fn record_follow_up(
    db: &vaern_store::Db,
    actor: &Actor,
    child: ChildId,
    input: &FollowUpInput,
    scores: &HashMap<String, String>,
) -> Result<StoredFollowUp, AppError> {
    actor.require(Capability::EditChildren)?;
    let mut tx = db.tenant(actor.municipality_id).await?;
    let (view, case) = load(&mut tx, child).await?;
    let Some(plan) = view.approved() else {
        return Err(AppError::Invalid(FieldErrors::single(
            "plan",
            "Der er ingen godkendt plan at følge op på",
        )));
    };
    let goals = plans::goals(&mut tx, plan.id).await?;
    let (follow_up, mut errors) = match FollowUp::parse(input, today()) {
        Ok(follow_up) => (Some(follow_up), FieldErrors::new()),
        Err(errors) => (None, errors),
    };
    let mut scored = Vec::new();
    for goal in &goals {
        let field = format!("score_{}", goal.goal_key);
        match score(scores.get(&field).map_or("", String::as_str)) {
            Ok(value) => scored.push((goal.goal_key, value)),
            Err(message) => errors.add(&field, message),
        }
    }
    let (Some(follow_up), true) = (follow_up, errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let id = plans::add_follow_up(
        &mut tx,
        case,
        plan.id,
        today(),
        &follow_up,
        &scored,
        actor.user_id,
    )
    .await?;
    let tracked = follow_up_deadline(&mut tx, case, follow_up.next_date).await?;
    let lines: Vec<String> = goals
        .iter()
        .zip(&scored)
        .map(|(g, (_, s))| format!("- {}: {s} af 5", g.wording))
        .collect();
    let body = format!(
        "{} fulgte op på barnets plan, version {}.\n{}\nBeslutning: {}.\nNæste opfølgning: {} \
         – {}",
        actor.name,
        plan.version,
        lines.join("\n"),
        follow_up.decision.label(),
        format_date(follow_up.next_date),
        follow_up.next_reason
    );
    let body = if tracked {
        body
    } else {
        format!(
            "{body}\nDer er ingen åben delsag «Indsats og opfølgning», så datoen følges ikke som \
             frist i Mit overblik."
        )
    };
    automatic_note(
        &mut tx,
        actor,
        case,
        None,
        "Opfølgning (barnets lov § 95)",
        &body,
    )
    .await?;
    let (follow_ups, _) = plans::follow_ups(&mut tx, case).await?;
    tx.commit().await?;
    follow_ups
        .into_iter()
        .find(|f| f.id == id)
        .ok_or(AppError::NotFound)
}

/// Whether the case has an approved plan that is current: made from the newest concluded
/// investigation (a plan from an earlier investigation answers an earlier situation), or any
/// approved plan when no investigation is concluded.
pub(crate) async fn current_plan_approved(
    tx: &mut TenantTx,
    case: ChildCaseId,
) -> Result<bool, AppError> {
    let newest = investigations::concluded_for_case(tx, case)
        .await?
        .first()
        .map(|i| i.id);
    Ok(plans::for_case(tx, case)
        .await?
        .iter()
        .any(|p| p.status == "approved" && (newest.is_none() || p.investigation_id == newest)))
}

/// The follow-up deadline (BL § 95, stk. 2-3): a follow-up meets the open one, and the next
/// date it set becomes the new one on the case's open «Indsats og opfølgning» sub-case, so it
/// shows in Mit overblik. False when there is no such sub-case to carry it.
async fn follow_up_deadline(
    tx: &mut TenantTx,
    case: ChildCaseId,
    next_date: time::Date,
) -> Result<bool, AppError> {
    deadlines::meet_rules_for_case(tx, case, &[RuleId::FirstFollowUp]).await?;
    let measure = sub_cases::for_case(tx, case)
        .await?
        .into_iter()
        .find(|s| s.kind == SubCaseKind::Measure.code() && s.status == "open");
    let Some(measure) = measure else {
        return Ok(false);
    };
    deadlines::create(
        tx,
        &deadlines::NewDeadline {
            case,
            sub_case: measure.id,
            step: None,
            rule_id: RuleId::FirstFollowUp,
            trigger_at: vaern_store::now(),
            due_at: end_of_danish_day(next_date),
            started_by: Some("Opfølgningens næste dato"),
        },
    )
    .await?;
    Ok(true)
}

/// Renders a plan version as a Danish PDF/A document on the case, for the parties: its goals
/// per dimension with measures and target dates, and whether it is approved.
pub async fn render_document(
    db: &vaern_store::Db,
    files: &CaseFiles,
    actor: &Actor,
    child: ChildId,
    version: i32,
) -> Result<Document, AppError> {
    actor.require(Capability::EditChildren)?;
    let mut tx = db.tenant(actor.municipality_id).await?;
    let (view, case) = load(&mut tx, child).await?;
    let plan = view
        .plans
        .iter()
        .find(|p| p.version == version)
        .ok_or(AppError::NotFound)?;
    let goals = plans::goals(&mut tx, plan.id).await?;
    tx.commit().await?;
    let young = vaern_domain::dates::age_on(view.child.birth_date, today()) >= 18;
    let name = if young {
        "Ungeplan (barnets lov § 108)"
    } else {
        "Barnets plan (barnets lov § 91)"
    };
    let status = match (&plan.approved_at, &plan.approved_by_name) {
        (Some(at), by) => format!(
            "Version {}, godkendt {} af {}.",
            plan.version,
            format_date(vaern_domain::calendar::danish_date(*at)),
            by.as_deref().unwrap_or("ukendt")
        ),
        _ => format!("Version {}, udkast (ikke godkendt).", plan.version),
    };
    let mut blocks = vec![Block::Paragraph(vec![status])];
    for goal in &goals {
        let dimension = Dimension::parse(&goal.dimension).map_or("Ukendt", Dimension::label);
        blocks.push(Block::Heading(dimension.to_owned()));
        blocks.push(Block::Paragraph(vec!["Mål:".into()]));
        blocks.push(paragraph(&goal.wording));
        if let Some(measures) = &goal.measures {
            blocks.push(Block::Paragraph(vec!["Indsatser:".into()]));
            blocks.push(paragraph(measures));
        }
        blocks.push(Block::Paragraph(vec![format!(
            "Måldato: {}",
            format_date(goal.target_date)
        )]));
    }
    let title = if plan.status == "approved" {
        name.to_owned()
    } else {
        format!("{name} – udkast")
    };
    let letter = case_letter(&title, &view.child, actor, blocks);
    file_pdf(db, files, actor, (case, None), &letter, "barnets-plan").await
}
