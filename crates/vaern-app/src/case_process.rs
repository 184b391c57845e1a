//! The case process (DOMAIN.md §2-3): underretninger with the 24-hour assessment, sub-cases with
//! steps, statutory deadlines, and the consolidated overview. Every change writes an automatic
//! journal note in its transaction.

use serde::Deserialize;
use time::OffsetDateTime;
use vaern_domain::{
    Capability, FieldErrors,
    dates::format_datetime,
    law::{Section, paragraph},
    process::{
        DecisionFacts, Event, FEEDBACK_STEP, Requirement, SECOND_REVIEW_STEP, StepContext, StepDef,
        SubCaseKind,
        appeal::Channel,
        awareness::{AwarenessInput, FirstKnown, investigation_start},
        blocking,
        decision::{Decision, Outcome},
        notification::{
            Assessment, AssessmentInput, Intake, NewNotification, NewNotificationInput,
        },
        rule,
        rules::{case_wide, met_by_decision_on, table::SECOND_REVIEW_SECTIONS},
    },
    text::required_text,
};
use vaern_store::{
    ChildCaseId, ChildId, SubCaseId, TenantTx, UserId,
    access_log::{self, AccessKind},
    children::{self, Child},
    deadlines::{self, Deadline},
    decisions::{self, MadeKnown, StoredDecision},
    journal,
    notifications::{self, Notification},
    sub_cases::{self, NewStep, SubCase},
};

use crate::{
    Actor, AppError,
    case_file::{automatic_note, child_case},
    clocks::{self, Clock},
    deadlines::MunicipalityRules,
    today,
};

/// The step a sub-case's 24-hour assessment completes.
pub const ASSESSMENT_STEP: &str = "vurdering_24t";

/// The Danish label of a step code within a kind.
pub fn step_def(kind: &str, code: &str) -> Option<&'static StepDef> {
    SubCaseKind::parse(kind).ok()?.step(code)
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

/// A sub-case about to be opened: which case, what kind, who opened it and with which steps.
pub(crate) struct Opening<'a> {
    pub case: ChildCaseId,
    pub kind: SubCaseKind,
    pub title: &'a str,
    pub opened_at: OffsetDateTime,
    pub opened_by: Option<UserId>,
    pub steps: Vec<&'static StepDef>,
}

/// Opens a sub-case with its steps and starts the deadlines its steps carry, counted from
/// `clock`.
pub(crate) async fn open_with_deadlines(
    tx: &mut TenantTx,
    opening: Opening<'_>,
    clock: &Clock,
) -> Result<(SubCase, Vec<String>), AppError> {
    let Opening {
        case,
        kind,
        title,
        opened_at,
        opened_by,
        steps,
    } = opening;
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
        opened_at,
        opened_by,
        &new_steps,
    )
    .await?;
    let rules = MunicipalityRules::load(tx).await?;
    let mut started = Vec::new();
    for (def, step) in steps.iter().zip(&sub_case.steps) {
        let Some(id) = def.rule else {
            continue;
        };
        let rule = rule(id);
        if let Some((due_at, _)) =
            clocks::start(tx, &rules, case, &sub_case, rule, Some(step.id), clock).await?
        {
            started.push(format!(
                "{} senest {} ({})",
                def.label,
                format_datetime(due_at),
                rule.legal_reference
            ));
        }
    }
    Ok((sub_case, started))
}

/// What the case's state adds to a new sub-case's steps: a running measure of a kind BL § 137,
/// stk. 1 names, and a professional's underretning still awaiting feedback.
async fn case_context(tx: &mut TenantTx, case: ChildCaseId) -> Result<StepContext, AppError> {
    let sub_cases = sub_cases::for_case(tx, case).await?;
    let running_measures = vaern_store::measures::active_bases(tx, case)
        .await?
        .iter()
        .filter_map(|basis| paragraph(basis))
        .any(|p| SECOND_REVIEW_SECTIONS.contains(&p.section));
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
    let clock = Clock::at(new.received_at, &format!("{} modtaget", new.intake.label()));
    let (sub_case, started) = open_with_deadlines(
        &mut tx,
        Opening {
            case,
            kind: SubCaseKind::Clarification,
            title: &title,
            opened_at: new.received_at,
            opened_by: Some(actor.user_id),
            steps,
        },
        &clock,
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
        let now = vaern_store::now();
        let clock = Clock::at(
            now,
            &format!("Afgørelse om anbringelse af {}", placed.full_name()),
        );
        let (sub_case, started) = open_with_deadlines(
            tx,
            Opening {
                case,
                kind,
                title: &title,
                opened_at: now,
                opened_by: Some(actor.user_id),
                steps: kind.steps_for(StepContext::default()).collect(),
            },
            &clock,
        )
        .await?;
        let body = format!(
            "{} er anbragt, og anbringelsen skyldes efter rådgiverens angivelse omsorgssvigt eller \
             overgreb. Forholdene for søskende under 15 år skal undersøges i en børnefaglig \
             undersøgelse, medmindre det åbenlyst ikke er nødvendigt (barnets lov § 21, stk. \
             2-3).\nFrister: {}.",
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
    deadlines::cancel_for_sub_case(&mut tx, id, &case_wide()).await?;
    let body = format!(
        "{} afsluttede delsagen «{}».\nBegrundelse: {reason}",
        actor.name, sub_case.title
    );
    note(&mut tx, actor, case, id, "Delsag afsluttet", &body).await?;
    let sub_case = sub_cases::get(&mut tx, id).await?;
    tx.commit().await?;
    Ok(sub_case)
}

/// A new sub-case, as the form or API gives it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct OpenSubCaseInput {
    pub kind: String,
    /// For a børnefaglig undersøgelse: the date the municipality became aware of the need, if
    /// not the receipt of the first underretning, henvendelse or ansøgning since the last one.
    pub aware_since: String,
    /// Required when `aware_since` is later than that receipt.
    pub aware_reason: String,
}

/// Opens a sub-case of any kind but Afklaring with the default start of its clock.
pub async fn open_sub_case(
    db: &vaern_store::Db,
    actor: &Actor,
    child: ChildId,
    kind: &str,
) -> Result<SubCase, AppError> {
    let input = OpenSubCaseInput {
        kind: kind.into(),
        ..OpenSubCaseInput::default()
    };
    open_sub_case_with(db, actor, child, &input).await
}

/// What the municipality learnt first since the case's last børnefaglig undersøgelse opened:
/// where the four months of a new one start (BL § 20, stk. 3).
async fn first_known_since_last_investigation(
    tx: &mut TenantTx,
    case: ChildCaseId,
) -> Result<Option<FirstKnown>, AppError> {
    let last_opened = sub_cases::for_case(tx, case)
        .await?
        .into_iter()
        .filter(|s| s.kind == SubCaseKind::Investigation.code())
        .map(|s| s.opened_at)
        .max();
    Ok(notifications::for_case(tx, case)
        .await?
        .into_iter()
        .filter(|n| last_opened.is_none_or(|at| n.received_at > at))
        .filter_map(|n| {
            let what = Intake::parse(&n.intake).ok()?.label();
            Some(FirstKnown {
                what,
                at: n.received_at,
            })
        })
        .min_by_key(|k| k.at))
}

/// Opens a sub-case of any kind but Afklaring (which opens by registering an underretning). A
/// børnefaglig undersøgelse's four months run from when the municipality became aware of the
/// need (BL § 20, stk. 3), which the journal note and the sub-case's deadline show.
pub async fn open_sub_case_with(
    db: &vaern_store::Db,
    actor: &Actor,
    child: ChildId,
    input: &OpenSubCaseInput,
) -> Result<SubCase, AppError> {
    actor.require(Capability::EditChildren)?;
    let mut tx = db.tenant(actor.municipality_id).await?;
    let (_, case) = child_case(&mut tx, child).await?;
    let kind = SubCaseKind::parse(&input.kind)
        .map_err(|m| AppError::Invalid(FieldErrors::single("kind", m)))?;
    if kind == SubCaseKind::Clarification {
        return Err(AppError::Invalid(FieldErrors::single(
            "kind",
            "En afklaring oprettes ved at registrere underretningen, henvendelsen eller ansøgningen",
        )));
    }
    let now = vaern_store::now();
    let clock = if kind == SubCaseKind::Investigation {
        let first = first_known_since_last_investigation(&mut tx, case).await?;
        let awareness = AwarenessInput {
            aware_since: &input.aware_since,
            reason: &input.aware_reason,
        };
        let (at, source) = investigation_start(first, now, &awareness)?;
        Clock::new(at, source)
    } else {
        Clock::at(now, "Delsagen oprettet")
    };
    let context = case_context(&mut tx, case).await?;
    let (sub_case, started) = open_with_deadlines(
        &mut tx,
        Opening {
            case,
            kind,
            title: kind.label(),
            opened_at: now,
            opened_by: Some(actor.user_id),
            steps: kind.steps_for(context).collect(),
        },
        &clock,
    )
    .await?;
    let deadlines_text = if started.is_empty() {
        String::new()
    } else {
        format!(
            "\nFrister: {}.\nRegnet fra: {}.",
            started.join("; "),
            clock.source
        )
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

/// A deadline on Mit overblik, with a warning when it runs out on a day the municipality keeps
/// closed though the law counts it (then it is listed from the working day before).
pub struct OverviewDeadline {
    pub deadline: Deadline,
    pub closed_day: Option<String>,
}

/// What Mit overblik shows above the case list: underretninger awaiting the 24-hour assessment,
/// and one consolidated list of open deadlines due by the end of this week (overdue first).
pub struct Overview {
    pub awaiting: Vec<Notification>,
    pub deadlines: Vec<OverviewDeadline>,
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
    // A week further, for deadlines on a closed day whose working day before is this week.
    let calendar = MunicipalityRules::load(&mut tx).await?.calendar;
    let deadlines: Vec<OverviewDeadline> = deadlines::open_for_caseworker(
        &mut tx,
        actor.user_id,
        end_of_week + time::Duration::days(7),
    )
    .await?
    .into_iter()
    .filter_map(|deadline| {
        let due_day = vaern_domain::calendar::danish_date(deadline.due_at);
        let closed_day = calendar.closed_day_warning(due_day);
        let shown_from = match closed_day {
            Some(_) => calendar.previous_working_day(due_day),
            None => due_day,
        };
        (vaern_domain::calendar::end_of_danish_day(shown_from) <= end_of_week).then_some(
            OverviewDeadline {
                deadline,
                closed_day,
            },
        )
    })
    .collect();
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
        .chain(deadlines.iter().map(|d| Some(d.deadline.child_id)))
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

/// Why the check `rule` stops a decision, or `None` if it is met.
async fn unmet(
    tx: &mut TenantTx,
    case: ChildCaseId,
    sub_case: &SubCase,
    rule: &vaern_domain::process::DeadlineRule,
) -> Result<Option<String>, AppError> {
    let met = match rule.requires {
        Some(Requirement::Step(code)) => sub_case
            .steps
            .iter()
            .any(|s| s.code == code && s.status != "pending"),
        Some(Requirement::PlanApproved) => crate::plans::current_plan_approved(tx, case).await?,
        // The decision's own text is checked by the form; nothing else guards a decision.
        Some(Requirement::DecisionText | Requirement::DecisionOn(_)) | None => true,
    };
    Ok((!met).then(|| {
        format!(
            "Afgørelsen kan ikke træffes endnu: {} ({})",
            rule.description.trim_end_matches('.'),
            rule.legal_reference
        )
    }))
}

/// Makes the decision of a Decision sub-case. The rule table's checks come first (partshøring,
/// the conversation with the child, a plan before § 47 — each done or its exception recorded),
/// then the decision's own text; what the decision starts and meets is the table's too.
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
    let placed = children::get(&mut tx, child).await?;
    let decision = Decision::parse(input, placed.birth_date, today())?;
    let granted = decision.outcome != Outcome::Refusal;
    let section = paragraph(decision.legal_basis)
        .map(|p| p.section)
        .expect("a parsed decision has a catalogue basis");
    let renewal = granted && earlier_grant_on(&mut tx, case, id, section).await?;
    let event = Event::Decision(DecisionFacts {
        section,
        granted,
        plan_chosen: decision.plan_chosen,
        neglect_or_abuse: decision.neglect_or_abuse,
        renewal,
        age: vaern_domain::dates::age_on(placed.birth_date, today()),
    });
    let mut refusals = Vec::new();
    for check in blocking(&event) {
        if let Some(why) = unmet(&mut tx, case, &sub_case, check).await? {
            refusals.push(why);
        }
    }
    if !refusals.is_empty() {
        let mut errors = FieldErrors::new();
        for why in refusals {
            errors.add("legal_basis", why);
        }
        return Err(AppError::Invalid(errors));
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
    let basis = paragraph(decision.legal_basis)
        .map(|p| p.citation)
        .unwrap_or(decision.legal_basis);
    let mut body = format!(
        "{} traf afgørelse ({}): {} efter {basis}.\n\n{}\n\nBegrundelse: {}",
        actor.name,
        decision.decided_by.label().to_lowercase(),
        decision.outcome.label().to_lowercase(),
        decision.content,
        decision.reasoning
    );
    if let Some(guidance) = &decision.appeal_guidance {
        body.push_str(&format!("\n\nKlagevejledning: {guidance}"));
    }
    if granted {
        deadlines::meet_rules_for_case(&mut tx, case, &met_by_decision_on(section)).await?;
    }
    let clock = Clock::at(vaern_store::now(), "Afgørelse truffet");
    let started = clocks::start_for_event(&mut tx, case, &sub_case, &event, &clock).await?;
    if !started.is_empty() {
        body.push_str(&format!("\n\nFrister: {}.", started.join("; ")));
    }
    if decision.neglect_or_abuse {
        body.push_str(&sibling_tasks(&mut tx, actor, child).await?);
    }
    note(&mut tx, actor, case, id, "Afgørelse truffet", &body).await?;
    tx.commit().await?;
    Ok(stored)
}

/// Whether another sub-case of the case holds a granted decision on `section` (so this one
/// renews it, e.g. a § 47 placement decided again under § 50).
async fn earlier_grant_on(
    tx: &mut TenantTx,
    case: ChildCaseId,
    this: SubCaseId,
    section: Section,
) -> Result<bool, AppError> {
    for other in sub_cases::for_case(tx, case).await? {
        if other.id == this || other.kind != SubCaseKind::Decision.code() {
            continue;
        }
        if let Some(d) = decisions::for_sub_case(tx, other.id).await?
            && d.outcome != Outcome::Refusal.code()
            && paragraph(&d.legal_basis).is_some_and(|p| p.section == section)
        {
            return Ok(true);
        }
    }
    Ok(false)
}

/// How a decision was made known, as the form or API gives it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct MadeKnownInput {
    /// `digital_post`, `letter` or `in_person`.
    pub channel: String,
    /// When it was sent (or handed over).
    pub sent_at: String,
}

/// Records how and when the decision was made known to the party: completes the step and starts
/// the appeal deadline from the moment the channel makes it received (retssikkerhedslovens § 67).
pub async fn record_made_known(
    db: &vaern_store::Db,
    actor: &Actor,
    child: ChildId,
    id: SubCaseId,
    input: &MadeKnownInput,
) -> Result<StoredDecision, AppError> {
    actor.require(Capability::EditChildren)?;
    let mut tx = db.tenant(actor.municipality_id).await?;
    let (case, sub_case) = sub_case_of(&mut tx, child, id).await?;
    let mut errors = FieldErrors::new();
    let channel = errors.take("channel", Channel::parse(&input.channel));
    let sent_at = errors.take(
        "sent_at",
        vaern_domain::process::notification::parse_instant(&input.sent_at),
    );
    let (Some(channel), Some(sent_at)) = (channel, sent_at) else {
        return Err(AppError::Invalid(errors));
    };
    let decision = decisions::for_sub_case(&mut tx, id).await?.ok_or_else(|| {
        AppError::Invalid(FieldErrors::single(
            "sent_at",
            "Afgørelsen skal være truffet, før den kan meddeles",
        ))
    })?;
    if sent_at > vaern_store::now() + time::Duration::minutes(5) {
        return Err(AppError::Invalid(FieldErrors::single(
            "sent_at",
            "Tidspunktet ligger i fremtiden",
        )));
    }
    if sent_at < decision.decided_at - time::Duration::minutes(5) {
        return Err(AppError::Invalid(FieldErrors::single(
            "sent_at",
            "En afgørelse kan ikke sendes, før den er truffet",
        )));
    }
    let received_at = channel.received_at(sent_at);
    let known = MadeKnown {
        channel: channel.code(),
        sent_at,
        received_at,
    };
    if !decisions::set_made_known(&mut tx, decision.id, &known).await? {
        return Err(AppError::Conflict(
            "Det er allerede registreret, hvornår afgørelsen blev meddelt".into(),
        ));
    }
    let clock = Clock::new(
        received_at,
        format!(
            "Sendt {} med {}; modtaget {}. {}",
            format_datetime(sent_at),
            channel.label().to_lowercase(),
            format_datetime(received_at),
            channel.source()
        ),
    );
    let started =
        clocks::start_for_event(&mut tx, case, &sub_case, &Event::DecisionReceived, &clock).await?;
    if let Some(step) = sub_case
        .steps
        .iter()
        .find(|s| s.code == "meddelelse" && s.status == "pending")
    {
        sub_cases::finish_step(
            &mut tx,
            step.id,
            "done",
            Some(&format!("{} {}", channel.label(), format_datetime(sent_at))),
            actor.user_id,
        )
        .await?;
    }
    let body = format!(
        "{} registrerede, at afgørelsen blev sendt til parten {} med {}.\nFrister: {}.",
        actor.name,
        format_datetime(sent_at),
        channel.label().to_lowercase(),
        started.join("; ")
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
