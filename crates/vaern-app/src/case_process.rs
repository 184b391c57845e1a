//! The case process (DOMAIN.md §2-3): underretninger with the 24-hour assessment, sub-cases with
//! steps, statutory deadlines, and the consolidated overview. Every change writes an automatic
//! journal note in its transaction.

use serde::Deserialize;
use time::OffsetDateTime;
use vaern_domain::{
    Capability, FieldErrors,
    dates::format_datetime,
    process::{
        FEEDBACK_STEP, SECOND_REVIEW_STEP, StepContext, StepDef, SubCaseKind,
        decision::{Decision, Outcome},
        notification::{
            Assessment, AssessmentInput, Intake, NewNotification, NewNotificationInput,
        },
        rule,
    },
    text::required_text,
};
use vaern_store::{
    ChildCaseId, ChildId, SubCaseId, TenantTx, UserId,
    access_log::{self, AccessKind},
    children::{self, Child},
    deadlines::{self, Deadline, NewDeadline},
    decisions::{self, StoredDecision},
    journal,
    notifications::{self, Notification},
    sub_cases::{self, NewStep, SubCase},
};

use crate::{
    Actor, AppError,
    case_file::{automatic_note, child_case},
    deadlines::MunicipalityRules,
    today,
};

/// The step a sub-case's 24-hour assessment completes.
pub const ASSESSMENT_STEP: &str = "vurdering_24t";

/// The Danish label of a step code within a kind.
pub fn step_def(kind: &str, code: &str) -> Option<&'static StepDef> {
    SubCaseKind::parse(kind)
        .ok()?
        .steps()
        .iter()
        .find(|s| s.code == code)
}

async fn note(
    tx: &mut TenantTx,
    actor: &Actor,
    case: ChildCaseId,
    sub_case: SubCaseId,
    title: &str,
    body: &str,
) -> Result<(), AppError> {
    automatic_note(tx, actor, case, Some(sub_case), title, body).await
}

/// Opens a sub-case with its steps and starts the deadlines its steps carry, from `trigger_at`.
pub(crate) async fn open_with_deadlines(
    tx: &mut TenantTx,
    opened_by: Option<UserId>,
    case: ChildCaseId,
    kind: SubCaseKind,
    title: &str,
    trigger_at: OffsetDateTime,
    steps: Vec<&'static StepDef>,
) -> Result<(SubCase, Vec<String>), AppError> {
    let new_steps: Vec<NewStep<'_>> = steps
        .iter()
        .map(|s| NewStep {
            code: s.code,
            required: s.required,
        })
        .collect();
    let sub_case = sub_cases::open(
        tx,
        case,
        kind.code(),
        title,
        trigger_at,
        opened_by,
        &new_steps,
    )
    .await?;
    let rules = MunicipalityRules::load(tx).await?;
    let mut started = Vec::new();
    for (def, step) in steps.iter().zip(&sub_case.steps) {
        let Some(rule) = def.rule.and_then(rule) else {
            continue;
        };
        let Some(due_at) = rules.due_at(rule, trigger_at) else {
            continue;
        };
        deadlines::create(
            tx,
            &NewDeadline {
                case,
                sub_case: sub_case.id,
                step: Some(step.id),
                rule_id: rule.id,
                trigger_at,
                due_at,
            },
        )
        .await?;
        started.push(format!(
            "{} senest {} ({})",
            def.label,
            format_datetime(due_at),
            rule.legal_reference
        ));
    }
    Ok((sub_case, started))
}

/// What the case's state adds to a new sub-case's steps: running measures (an active measure, or
/// an open «Indsats og opfølgning» sub-case) and a professional's underretning still awaiting
/// feedback.
async fn case_context(tx: &mut TenantTx, case: ChildCaseId) -> Result<StepContext, AppError> {
    let sub_cases = sub_cases::for_case(tx, case).await?;
    let running_measures = vaern_store::measures::any_active(tx, case).await?
        || sub_cases
            .iter()
            .any(|s| s.kind == SubCaseKind::Measure.code() && s.status == "open");
    // Each feedback step answers one professional's underretning: feedback is due while there
    // are more of those than sub-cases that took the step, so each notifier hears what came of
    // their underretning.
    let feedback_steps = sub_cases
        .iter()
        .filter(|s| s.steps.iter().any(|step| step.code == FEEDBACK_STEP))
        .count();
    let professional = notifications::for_case(tx, case)
        .await?
        .iter()
        .filter(|n| n.intake == "underretning" && n.notifier_kind == "professional")
        .count();
    Ok(StepContext {
        running_measures,
        feedback_due: professional > feedback_steps,
        ..StepContext::default()
    })
}

/// Registers an underretning: a new Afklaring sub-case with its steps, the 24-hour and (for a
/// professional) the 6-working-day deadline, and an automatic journal note — one transaction.
pub async fn register_notification(
    db: &vaern_store::Db,
    actor: &Actor,
    child: ChildId,
    input: &NewNotificationInput,
) -> Result<(Notification, SubCase), AppError> {
    actor.require(Capability::EditChildren)?;
    let mut tx = db.tenant(actor.municipality_id).await?;
    let (_, case) = child_case(&mut tx, child).await?;
    let new = NewNotification::parse(input, vaern_store::now())?;
    let underretning = new.intake == Intake::Underretning;
    let context = StepContext {
        underretning,
        professional_notifier: new.from_professional(),
        abuse: new.about_abuse(),
        ansoegning: new.intake == Intake::Ansoegning,
        running_measures: underretning && case_context(&mut tx, case).await?.running_measures,
        feedback_due: false,
    };
    let steps = SubCaseKind::Clarification.steps_for(context).collect();
    let title = format!(
        "{} modtaget {}",
        new.intake.label(),
        format_datetime(new.received_at)
    );
    let (sub_case, started) = open_with_deadlines(
        &mut tx,
        Some(actor.user_id),
        case,
        SubCaseKind::Clarification,
        &title,
        new.received_at,
        steps,
    )
    .await?;
    let notification = notifications::create(&mut tx, sub_case.id, &new).await?;
    let from = match (&new.notifier_name, &new.notifier_organisation) {
        (Some(name), Some(org)) => format!("{name}, {org}"),
        (Some(name), None) => name.clone(),
        _ => new.notifier_kind.label().to_owned(),
    };
    let body = format!(
        "{} registrerede en {} fra {from} ({}), modtaget {}.\nFrister: {}.",
        actor.name,
        new.intake.label().to_lowercase(),
        new.notifier_kind.label().to_lowercase(),
        format_datetime(new.received_at),
        if started.is_empty() {
            "ingen lovbestemte".to_owned()
        } else {
            started.join("; ")
        }
    );
    let title = format!("{} registreret", new.intake.label());
    note(&mut tx, actor, case, sub_case.id, &title, &body).await?;
    tx.commit().await?;
    Ok((notification, sub_case))
}

async fn sub_case_of(
    tx: &mut TenantTx,
    child: ChildId,
    id: SubCaseId,
) -> Result<(ChildCaseId, SubCase), AppError> {
    let (_, case) = child_case(tx, child).await?;
    let sub_case = sub_cases::get(tx, id).await?;
    if sub_case.child_case_id != case {
        return Err(AppError::NotFound);
    }
    Ok((case, sub_case))
}

/// BL § 21, stk. 2-3: a child placed because of neglect or abuse has their siblings under 15
/// looked at. A sibling with an open case in the municipality gets a «Søskendeundersøgelse»
/// sub-case (once) with a journal note; siblings in the network without a case of their own are
/// named in the placed child's note so the caseworker can create them. Returns that note's text.
async fn sibling_tasks(
    tx: &mut TenantTx,
    actor: &Actor,
    child: ChildId,
) -> Result<String, AppError> {
    let placed = children::get(tx, child).await?;
    let today = today();
    let (mut opened, mut already, mut no_open_case, mut known) = (vec![], vec![], vec![], vec![]);
    for id in vaern_store::network::sibling_children(tx, child).await? {
        let sibling = children::get(tx, id).await?;
        known.push((sibling.cpr.clone(), sibling.full_name()));
        if vaern_domain::dates::age_on(sibling.birth_date, today) >= 15 {
            continue;
        }
        let (Some(case), Some("open")) = (sibling.case_id, sibling.case_status.as_deref()) else {
            no_open_case.push(sibling.full_name());
            continue;
        };
        let under_way = sub_cases::for_case(tx, case)
            .await?
            .iter()
            .any(|s| s.kind == SubCaseKind::SiblingInvestigation.code() && s.status == "open");
        if under_way {
            already.push(sibling.full_name());
            continue;
        }
        let kind = SubCaseKind::SiblingInvestigation;
        let title = format!(
            "{} efter anbringelse af {}",
            kind.label(),
            placed.full_name()
        );
        let (sub_case, started) = open_with_deadlines(
            tx,
            Some(actor.user_id),
            case,
            kind,
            &title,
            vaern_store::now(),
            kind.steps_for(StepContext::default()).collect(),
        )
        .await?;
        let body = format!(
            "{} er anbragt, og anbringelsen skyldes efter rådgiverens angivelse omsorgssvigt eller \
             overgreb. Forholdene for søskende under 15 år skal undersøges (barnets lov § 21, \
             stk. 2-3).\nFrister: {}.",
            placed.full_name(),
            started.join("; ")
        );
        note(
            tx,
            actor,
            case,
            sub_case.id,
            "Søskendeundersøgelse oprettet",
            &body,
        )
        .await?;
        opened.push(sibling.full_name());
    }
    // Siblings in the network who are not one of the children above (by CPR, or by name when
    // the network has no CPR for them).
    let without_case: Vec<String> = vaern_store::network::for_child(tx, child)
        .await?
        .into_iter()
        .filter(|m| matches!(m.kind.as_str(), "sibling" | "half_sibling"))
        .filter(|m| {
            !known.iter().any(|(cpr, name)| match &m.cpr {
                Some(c) => cpr.as_ref() == Some(c),
                None => *name == m.full_name(),
            })
        })
        .filter(|m| {
            m.birth_date
                .is_none_or(|born| vaern_domain::dates::age_on(born, today) < 15)
        })
        .map(|m| m.full_name())
        .collect();
    let mut text = String::from(
        "\n\nAnbringelsen skyldes efter rådgiverens angivelse omsorgssvigt eller overgreb: \
         søskende under 15 år skal undersøges (barnets lov § 21, stk. 2-3).",
    );
    for (names, what) in [
        (&opened, "Søskendeundersøgelse oprettet for"),
        (&already, "Søskendeundersøgelse er allerede i gang for"),
        (
            &no_open_case,
            "Uden åben sag (opret eller genåbn sagen for at undersøge):",
        ),
        (
            &without_case,
            "Søskende uden egen sag i Værn (opret barnet for at undersøge):",
        ),
    ] {
        if !names.is_empty() {
            text.push_str(&format!(" {what} {}.", names.join(", ")));
        }
    }
    if opened.is_empty() && already.is_empty() && no_open_case.is_empty() && without_case.is_empty()
    {
        text.push_str(
            " Netværket har ingen søskende under 15 år; tilføj dem under Netværk, hvis barnet har \
             søskende.",
        );
    }
    Ok(text)
}

/// BL § 137: the re-assessment of an underretning on a child with running measures is done with
/// at least one person new to the case — not its caseworker, nor anyone who has written in its
/// journal — and cannot be skipped.
async fn second_review(
    tx: &mut TenantTx,
    actor: &Actor,
    child: ChildId,
    case: ChildCaseId,
    action: &str,
    errors: &mut FieldErrors,
) -> Result<(), AppError> {
    if action == "skip" {
        errors.add(
            "action",
            "Genvurderingen med en ny person kan ikke springes over (barnets lov § 137)",
        );
        return Ok(());
    }
    let caseworker = children::get(tx, child).await?.caseworker_id;
    let involved = caseworker == Some(actor.user_id)
        || journal::authors(tx, case)
            .await?
            .iter()
            .any(|(user, _)| *user == actor.user_id);
    if involved {
        errors.add(
            "action",
            "Genvurderingen skal gennemføres af en person, der ikke tidligere har været \
             involveret i sagen (barnets lov § 137). Du er sagens rådgiver eller har skrevet i \
             dens journal – bed en kollega om at gennemføre skridtet",
        );
    }
    Ok(())
}

fn yes_no(value: bool) -> &'static str {
    if value { "ja" } else { "nej" }
}

/// Records the 24-hour assessment: completes its step, meets its deadline, journals the reasoning.
pub async fn record_assessment(
    db: &vaern_store::Db,
    actor: &Actor,
    child: ChildId,
    id: SubCaseId,
    input: &AssessmentInput,
) -> Result<Notification, AppError> {
    actor.require(Capability::EditChildren)?;
    let mut tx = db.tenant(actor.municipality_id).await?;
    let (case, sub_case) = sub_case_of(&mut tx, child, id).await?;
    let assessment = Assessment::parse(input)?;
    let notification = notifications::for_sub_case(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if let Some(at) = notification.assessed_at {
        return Err(AppError::Conflict(format!(
            "Vurderingen er allerede registreret af {} {}",
            notification
                .assessed_by_name
                .as_deref()
                .unwrap_or("en anden"),
            format_datetime(at)
        )));
    }
    if !notifications::record_assessment(&mut tx, notification.id, actor.user_id, &assessment)
        .await?
    {
        return Err(AppError::Conflict(
            "Vurderingen blev netop registreret af en anden. Genindlæs siden.".into(),
        ));
    }
    let summary = format!(
        "Barnets sundhed eller udvikling i fare: {}. Behov for akut indsats: {}.",
        yes_no(assessment.risk),
        yes_no(assessment.immediate_action)
    );
    if let Some(step) = sub_case.steps.iter().find(|s| s.code == ASSESSMENT_STEP) {
        sub_cases::finish_step(&mut tx, step.id, "done", Some(&summary), actor.user_id).await?;
        deadlines::meet_for_step(&mut tx, step.id).await?;
    }
    let body = format!(
        "{} vurderede underretningen.\n{summary}\nBegrundelse: {}",
        actor.name, assessment.reasoning
    );
    note(
        &mut tx,
        actor,
        case,
        id,
        "24-timersvurdering af underretning",
        &body,
    )
    .await?;
    let notification = notifications::get(&mut tx, notification.id).await?;
    tx.commit().await?;
    Ok(notification)
}

/// Finishing a step: done, or skipped with a reason.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct StepInput {
    /// `done` or `skip`.
    pub action: String,
    /// A short note; the reason when skipping a required step.
    pub note: String,
}

/// Marks a step done or skipped (a required step needs a reason), meets its deadlines, journals.
pub async fn finish_step(
    db: &vaern_store::Db,
    actor: &Actor,
    child: ChildId,
    id: SubCaseId,
    code: &str,
    input: &StepInput,
) -> Result<SubCase, AppError> {
    actor.require(Capability::EditChildren)?;
    let mut tx = db.tenant(actor.municipality_id).await?;
    let (case, sub_case) = sub_case_of(&mut tx, child, id).await?;
    let step = sub_case
        .steps
        .iter()
        .find(|s| s.code == code)
        .ok_or(AppError::NotFound)?;
    let label = step_def(&sub_case.kind, code)
        .map(|d| d.label)
        .unwrap_or(code);
    let note_text = input.note.trim();
    let mut errors = FieldErrors::new();
    if sub_case.status != "open" {
        errors.add("action", "Delsagen er afsluttet; skridt kan ikke ændres");
    }
    if code == ASSESSMENT_STEP {
        errors.add(
            "action",
            "24-timersvurderingen registreres i vurderingsformularen med svar og begrundelse",
        );
    }
    if code == SECOND_REVIEW_STEP {
        second_review(&mut tx, actor, child, case, &input.action, &mut errors).await?;
    }
    let status = match input.action.as_str() {
        "done" => "done",
        "skip" if step.required && note_text.is_empty() => {
            errors.add("note", "Skriv hvorfor et påkrævet skridt springes over");
            "skipped"
        }
        "skip" => "skipped",
        _ => {
            errors.add(
                "action",
                "Vælg om skridtet er gennemført eller springes over",
            );
            "done"
        }
    };
    if note_text.chars().count() > 2000 {
        errors.add("note", "Bemærkningen må højst være 2000 tegn");
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    if step.status != "pending" {
        return Err(AppError::Conflict(format!(
            "Skridtet «{label}» er allerede afsluttet af {} {}",
            step.finished_by_name.as_deref().unwrap_or("en anden"),
            step.finished_at.map(format_datetime).unwrap_or_default()
        )));
    }
    let note_opt = (!note_text.is_empty()).then_some(note_text);
    if !sub_cases::finish_step(&mut tx, step.id, status, note_opt, actor.user_id).await? {
        return Err(AppError::Conflict(format!(
            "Skridtet «{label}» blev netop afsluttet af en anden. Genindlæs siden."
        )));
    }
    deadlines::meet_for_step(&mut tx, step.id).await?;
    let verb = if status == "done" {
        "gennemførte"
    } else {
        "sprang over"
    };
    let mut body = format!(
        "{} {verb} skridtet «{label}» i delsagen «{}».",
        actor.name, sub_case.title
    );
    if let Some(text) = note_opt {
        body.push_str(&format!(
            "\n{}: {text}",
            if status == "done" {
                "Bemærkning"
            } else {
                "Begrundelse"
            }
        ));
    }
    note(
        &mut tx,
        actor,
        case,
        id,
        &format!(
            "Sagsskridt {}",
            if status == "done" {
                "gennemført"
            } else {
                "sprunget over"
            }
        ),
        &body,
    )
    .await?;
    let sub_case = sub_cases::get(&mut tx, id).await?;
    tx.commit().await?;
    Ok(sub_case)
}

/// Closes a sub-case once every required step is done or skipped; open deadlines are cancelled.
pub async fn close_sub_case(
    db: &vaern_store::Db,
    actor: &Actor,
    child: ChildId,
    id: SubCaseId,
    reason: &str,
) -> Result<SubCase, AppError> {
    actor.require(Capability::EditChildren)?;
    let mut tx = db.tenant(actor.municipality_id).await?;
    let (case, sub_case) = sub_case_of(&mut tx, child, id).await?;
    let reason = required_text(reason, "begrundelsen for at afslutte", 2000)
        .map_err(|m| AppError::Invalid(FieldErrors::single("reason", m)))?;
    if sub_case.status != "open" {
        return Err(AppError::Conflict("Delsagen er allerede afsluttet".into()));
    }
    let missing: Vec<&str> = sub_case
        .steps
        .iter()
        .filter(|s| s.required && s.status == "pending")
        .map(|s| {
            step_def(&sub_case.kind, &s.code)
                .map(|d| d.label)
                .unwrap_or(&s.code)
        })
        .collect();
    if !missing.is_empty() {
        return Err(AppError::Invalid(FieldErrors::single(
            "reason",
            format!(
                "Delsagen kan ikke afsluttes, før disse påkrævede skridt er gennemført eller sprunget over med begrundelse: {}",
                missing.join("; ")
            ),
        )));
    }
    if !sub_cases::close(&mut tx, id, actor.user_id, &reason).await? {
        return Err(AppError::Conflict(
            "Delsagen blev netop afsluttet af en anden".into(),
        ));
    }
    deadlines::cancel_for_sub_case(&mut tx, id, vaern_domain::process::CASE_WIDE).await?;
    let body = format!(
        "{} afsluttede delsagen «{}».\nBegrundelse: {reason}",
        actor.name, sub_case.title
    );
    note(&mut tx, actor, case, id, "Delsag afsluttet", &body).await?;
    let sub_case = sub_cases::get(&mut tx, id).await?;
    tx.commit().await?;
    Ok(sub_case)
}

/// Opens a sub-case of any kind but Afklaring (which opens by registering an underretning).
pub async fn open_sub_case(
    db: &vaern_store::Db,
    actor: &Actor,
    child: ChildId,
    kind: &str,
) -> Result<SubCase, AppError> {
    actor.require(Capability::EditChildren)?;
    let mut tx = db.tenant(actor.municipality_id).await?;
    let (_, case) = child_case(&mut tx, child).await?;
    let kind =
        SubCaseKind::parse(kind).map_err(|m| AppError::Invalid(FieldErrors::single("kind", m)))?;
    if kind == SubCaseKind::Clarification {
        return Err(AppError::Invalid(FieldErrors::single(
            "kind",
            "En afklaring oprettes ved at registrere underretningen, henvendelsen eller ansøgningen",
        )));
    }
    let now = vaern_store::now();
    let context = case_context(&mut tx, case).await?;
    let (sub_case, started) = open_with_deadlines(
        &mut tx,
        Some(actor.user_id),
        case,
        kind,
        kind.label(),
        now,
        kind.steps_for(context).collect(),
    )
    .await?;
    let deadlines_text = if started.is_empty() {
        String::new()
    } else {
        format!("\nFrister: {}.", started.join("; "))
    };
    let body = format!(
        "{} oprettede delsagen «{}».{deadlines_text}",
        actor.name,
        kind.label()
    );
    note(&mut tx, actor, case, sub_case.id, "Delsag oprettet", &body).await?;
    tx.commit().await?;
    Ok(sub_case)
}

/// The child's sub-cases (newest first, with steps) and deadlines; reading them is logged.
pub async fn for_child(
    db: &vaern_store::Db,
    actor: &Actor,
    child: ChildId,
    kind: AccessKind,
) -> Result<(Child, Vec<SubCase>, Vec<Deadline>), AppError> {
    actor.require(Capability::ReadChildren)?;
    let mut tx = db.tenant_read(actor.municipality_id).await?;
    let (child, case) = child_case(&mut tx, child).await?;
    let sub_cases = sub_cases::for_case(&mut tx, case).await?;
    let deadlines = deadlines::for_case(&mut tx, case).await?;
    access_log::record(
        &mut tx,
        actor.user_id,
        Some(child.id),
        kind,
        "Delsager og frister",
    )
    .await?;
    tx.commit().await?;
    Ok((child, sub_cases, deadlines))
}

/// One sub-case of the child, with its underretning if it has one; reading it is logged.
pub async fn sub_case(
    db: &vaern_store::Db,
    actor: &Actor,
    child: ChildId,
    id: SubCaseId,
) -> Result<(Child, SubCase, Option<Notification>, Vec<Deadline>), AppError> {
    actor.require(Capability::ReadChildren)?;
    let mut tx = db.tenant_read(actor.municipality_id).await?;
    let (_, sub_case) = sub_case_of(&mut tx, child, id).await?;
    let child = children::get(&mut tx, child).await?;
    let notification = notifications::for_sub_case(&mut tx, id).await?;
    let deadlines = deadlines::for_case(&mut tx, sub_case.child_case_id)
        .await?
        .into_iter()
        .filter(|d| d.sub_case_id == id)
        .collect();
    access_log::record(
        &mut tx,
        actor.user_id,
        Some(child.id),
        AccessKind::View,
        "Delsag",
    )
    .await?;
    tx.commit().await?;
    Ok((child, sub_case, notification, deadlines))
}

/// What Mit overblik shows above the case list: underretninger awaiting the 24-hour assessment,
/// and one consolidated list of open deadlines due by the end of this week (overdue first).
pub struct Overview {
    pub awaiting: Vec<Notification>,
    pub deadlines: Vec<Deadline>,
    /// Each case's next step: the first pending step of its oldest open sub-case.
    pub next_steps: Vec<(ChildCaseId, &'static str)>,
}

/// The actor's consolidated overview. Showing children's names is a use of their data: logged.
pub async fn overview(db: &vaern_store::Db, actor: &Actor) -> Result<Overview, AppError> {
    if !actor.can(Capability::ReadChildren) {
        return Ok(Overview {
            awaiting: Vec::new(),
            deadlines: Vec::new(),
            next_steps: Vec::new(),
        });
    }
    let today = today();
    let days_to_sunday = 6 - i64::from(today.weekday().number_days_from_monday());
    let end_of_week =
        vaern_domain::calendar::end_of_danish_day(today + time::Duration::days(days_to_sunday));
    let mut tx = db.tenant_read(actor.municipality_id).await?;
    let awaiting = notifications::awaiting_assessment(&mut tx, actor.user_id).await?;
    let deadlines = deadlines::open_for_caseworker(&mut tx, actor.user_id, end_of_week).await?;
    let mut next_steps: Vec<(ChildCaseId, &'static str)> = Vec::new();
    for sub_case in sub_cases::open_for_caseworker(&mut tx, actor.user_id).await? {
        let label = sub_case
            .next_step()
            .and_then(|s| step_def(&sub_case.kind, &s.code))
            .map(|d| d.label);
        if let Some(label) = label
            && !next_steps
                .iter()
                .any(|(case, _)| *case == sub_case.child_case_id)
        {
            next_steps.push((sub_case.child_case_id, label));
        }
    }
    let mut persons: Vec<Option<ChildId>> = awaiting
        .iter()
        .map(|n| Some(n.child_id))
        .chain(deadlines.iter().map(|d| Some(d.child_id)))
        .collect();
    persons.sort();
    persons.dedup();
    if !persons.is_empty() {
        access_log::record_many(
            &mut tx,
            actor.user_id,
            &persons,
            AccessKind::View,
            "Mit overblik: frister",
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Overview {
        awaiting,
        deadlines,
        next_steps,
    })
}

/// Makes the decision of a Decision sub-case: refused before partshøring (or a recorded
/// exception), without begrundelse, or without klagevejledning unless fully granted. Completes
/// the step and journals the full decision.
pub async fn make_decision(
    db: &vaern_store::Db,
    actor: &Actor,
    child: ChildId,
    id: SubCaseId,
    input: &vaern_domain::process::decision::DecisionInput,
) -> Result<StoredDecision, AppError> {
    actor.require(Capability::EditChildren)?;
    let mut tx = db.tenant(actor.municipality_id).await?;
    let (case, sub_case) = sub_case_of(&mut tx, child, id).await?;
    if sub_case.kind != SubCaseKind::Decision.code() || sub_case.status != "open" {
        return Err(AppError::Invalid(FieldErrors::single(
            "legal_basis",
            "Afgørelser træffes i en åben delsag af typen «Afgørelse»",
        )));
    }
    if let Some(existing) = decisions::for_sub_case(&mut tx, id).await? {
        return Err(AppError::Conflict(format!(
            "Afgørelsen er allerede truffet af {} {}",
            existing.decided_by_name.as_deref().unwrap_or("en anden"),
            format_datetime(existing.decided_at)
        )));
    }
    let party_heard = sub_case
        .steps
        .iter()
        .any(|s| s.code == "partshoering" && s.status != "pending");
    let decision = Decision::parse(input, party_heard)?;
    let granted = decision.outcome != Outcome::Refusal;
    let plan_approved = crate::plans::current_plan_approved(&mut tx, case).await?;
    if granted && decision.legal_basis == "bl47" && !plan_approved {
        return Err(AppError::Invalid(FieldErrors::single(
            "legal_basis",
            "Barnets plan skal være godkendt, før der træffes afgørelse om anbringelse uden \
             samtykke (barnets lov § 91, stk. 2)",
        )));
    }
    let stored = match decisions::create(&mut tx, id, &decision, actor.user_id).await {
        Ok(stored) => stored,
        Err(vaern_store::StoreError::Conflict(_)) => {
            return Err(AppError::Conflict(
                "Afgørelsen blev netop truffet af en anden. Genindlæs siden.".into(),
            ));
        }
        Err(other) => return Err(other.into()),
    };
    if let Some(step) = sub_case
        .steps
        .iter()
        .find(|s| s.code == "afgoerelse" && s.status == "pending")
    {
        sub_cases::finish_step(
            &mut tx,
            step.id,
            "done",
            Some(decision.outcome.label()),
            actor.user_id,
        )
        .await?;
        deadlines::meet_for_step(&mut tx, step.id).await?;
    }
    let basis = vaern_domain::law::paragraph(decision.legal_basis)
        .map(|p| p.citation)
        .unwrap_or(decision.legal_basis);
    let mut body = format!(
        "{} traf afgørelse: {} efter {basis}.\n\n{}\n\nBegrundelse: {}",
        actor.name,
        decision.outcome.label().to_lowercase(),
        decision.content,
        decision.reasoning
    );
    if let Some(guidance) = &decision.appeal_guidance {
        body.push_str(&format!("\n\nKlagevejledning: {guidance}"));
    }
    let plan_rule = match decision.legal_basis {
        basis if basis.starts_with("bl32") && decision.plan_chosen => Some("plan.32_3mdr"),
        "bl46" => Some("plan.46_3mdr"),
        _ => None,
    };
    if let (true, false, Some(rule)) = (granted, plan_approved, plan_rule.and_then(rule)) {
        let now = vaern_store::now();
        if let Some(due_at) = MunicipalityRules::load(&mut tx).await?.due_at(rule, now) {
            deadlines::create(
                &mut tx,
                &NewDeadline {
                    case,
                    sub_case: id,
                    step: None,
                    rule_id: rule.id,
                    trigger_at: now,
                    due_at,
                },
            )
            .await?;
            body.push_str(&format!(
                "\n\nFrist: barnets plan senest {} ({}).",
                format_datetime(due_at),
                rule.legal_reference
            ));
        }
    }
    if decision.neglect_or_abuse {
        body.push_str(&sibling_tasks(&mut tx, actor, child).await?);
    }
    note(&mut tx, actor, case, id, "Afgørelse truffet", &body).await?;
    tx.commit().await?;
    Ok(stored)
}

/// Records when the decision was made known to the party: completes the step and starts the
/// 4-week appeal deadline (retssikkerhedslovens § 67).
pub async fn record_made_known(
    db: &vaern_store::Db,
    actor: &Actor,
    child: ChildId,
    id: SubCaseId,
    made_known_at: &str,
) -> Result<StoredDecision, AppError> {
    actor.require(Capability::EditChildren)?;
    let mut tx = db.tenant(actor.municipality_id).await?;
    let (case, sub_case) = sub_case_of(&mut tx, child, id).await?;
    let decision = decisions::for_sub_case(&mut tx, id).await?.ok_or_else(|| {
        AppError::Invalid(FieldErrors::single(
            "made_known_at",
            "Afgørelsen skal være truffet, før den kan meddeles",
        ))
    })?;
    let at = vaern_domain::process::notification::parse_instant(made_known_at)
        .map_err(|m| AppError::Invalid(FieldErrors::single("made_known_at", m)))?;
    if at > vaern_store::now() + time::Duration::minutes(5) {
        return Err(AppError::Invalid(FieldErrors::single(
            "made_known_at",
            "Tidspunktet ligger i fremtiden",
        )));
    }
    if at < decision.decided_at - time::Duration::minutes(5) {
        return Err(AppError::Invalid(FieldErrors::single(
            "made_known_at",
            "En afgørelse kan ikke meddeles, før den er truffet",
        )));
    }
    if !decisions::set_made_known(&mut tx, decision.id, at).await? {
        return Err(AppError::Conflict(
            "Det er allerede registreret, hvornår afgørelsen blev meddelt".into(),
        ));
    }
    let rules = MunicipalityRules::load(&mut tx).await?;
    let rule = rule("afgoerelse.klagefrist_4u").expect("a national rule");
    let step = sub_case.steps.iter().find(|s| s.code == "meddelelse");
    let due_at = rules.due_at(rule, at).expect("a fixed offset");
    deadlines::create(
        &mut tx,
        &NewDeadline {
            case,
            sub_case: id,
            step: None,
            rule_id: rule.id,
            trigger_at: at,
            due_at,
        },
    )
    .await?;
    if let Some(step) = step.filter(|s| s.status == "pending") {
        sub_cases::finish_step(
            &mut tx,
            step.id,
            "done",
            Some(&format!("Meddelt {}", format_datetime(at))),
            actor.user_id,
        )
        .await?;
    }
    let body = format!(
        "{} registrerede, at afgørelsen blev meddelt parten {}. Klagefristen udløber {} ({}).",
        actor.name,
        format_datetime(at),
        format_datetime(due_at),
        rule.legal_reference
    );
    note(&mut tx, actor, case, id, "Afgørelse meddelt", &body).await?;
    let decision = decisions::for_sub_case(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(decision)
}

/// The decision of a sub-case, if made.
///
/// `log` is the kind of access-log row to write; `None` where the caller's own read of the
/// sub-case is logged already (its page) or the decision only fills a letter being written.
pub async fn decision(
    db: &vaern_store::Db,
    actor: &Actor,
    child: ChildId,
    id: SubCaseId,
    log: Option<AccessKind>,
) -> Result<Option<StoredDecision>, AppError> {
    actor.require(Capability::ReadChildren)?;
    let mut tx = db.tenant_read(actor.municipality_id).await?;
    sub_case_of(&mut tx, child, id).await?;
    let decision = decisions::for_sub_case(&mut tx, id).await?;
    if let Some(kind) = log {
        access_log::record(&mut tx, actor.user_id, Some(child), kind, "Afgørelse").await?;
    }
    tx.commit().await?;
    Ok(decision)
}
