//! The child's Overblik tab, registering an underretning, and the sub-case page with its steps,
//! the 24-hour assessment and closing. Errors re-render the page with the input kept.

use crate::routes::Declared;
use askama::Template;
use axum::{
    Router,
    extract::{Path, Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use serde::Deserialize;
use vaern_app::{
    AppError,
    case_process::{self, ASSESSMENT_STEP, StepInput},
};
use vaern_domain::{
    FieldErrors,
    dates::format_datetime,
    law::decision_bases,
    process::{
        DeadlineRule, RULES, Requirement, SubCaseKind, Trigger, WhenDue,
        appeal::Channel,
        decision::{DecidedBy, DecisionInput, Outcome, STANDARD_APPEAL_GUIDANCE},
        notification::{
            AssessmentInput, CHANNELS, CONCERNS, Intake, NewNotificationInput, NotifierKind,
        },
    },
};
use vaern_store::{
    ChildId, SubCaseId, access_log::AccessKind, deadlines::Deadline, notifications::Notification,
    sub_cases::SubCase,
};

use super::{
    Layout, Page,
    countdown::DeadlineView,
    views::{ChildView, Choice},
};
use crate::{
    AppState,
    errors::{UiError, render},
    forms::{FormView, UiForm, parse_id},
};

pub fn router() -> Router<AppState> {
    Router::new()
        // The Overblik tab is the child page's default.
        .declared("/boern/{id}", get(show_child_overview))
        .declared("/boern/{id}/overblik", get(show_child_overview))
        .declared("/boern/{id}/underretninger/ny", get(new_notification))
        .declared("/boern/{id}/underretninger", post(create_notification))
        .declared("/boern/{id}/delsager", post(create_sub_case))
        .declared("/boern/{id}/delsager/{sub}", get(show_sub_case))
        .declared(
            "/boern/{id}/delsager/{sub}/vurdering",
            post(create_assessment),
        )
        .declared(
            "/boern/{id}/delsager/{sub}/skridt/{step}",
            post(finish_step),
        )
        .declared("/boern/{id}/delsager/{sub}/afslut", post(close_sub_case))
        .declared(
            "/boern/{id}/delsager/{sub}/afgoerelse",
            post(create_decision),
        )
        .declared(
            "/boern/{id}/delsager/{sub}/meddelt",
            post(create_made_known),
        )
}

fn notice(code: &str) -> Option<String> {
    match code {
        "registreret" => Some(
            "Underretningen er registreret. Fristerne er sat, og det er skrevet i journalen."
                .into(),
        ),
        "oprettet" => Some("Delsagen er oprettet.".into()),
        "vurderet" => Some("Vurderingen er gemt, og 24-timersfristen er overholdt.".into()),
        "skridt" => Some("Sagsskridtet er gemt.".into()),
        "afsluttet" => Some("Delsagen er afsluttet.".into()),
        "afgoerelse" => Some("Afgørelsen er truffet og skrevet i journalen.".into()),
        "meddelt" => {
            Some("Det er registreret, at afgørelsen er meddelt. Klagefristen løber nu.".into())
        }
        _ => None,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NoticeQuery {
    besked: String,
}

struct SubCaseSummary {
    id: String,
    title: String,
    kind_label: &'static str,
    opened_at: String,
    status: &'static str,
    next_step: Option<&'static str>,
}

fn kind_label(kind: &str) -> &'static str {
    SubCaseKind::parse(kind)
        .map(SubCaseKind::label)
        .unwrap_or("Delsag")
}

fn status_label(status: &str) -> &'static str {
    if status == "open" {
        "Åben"
    } else {
        "Afsluttet"
    }
}

#[derive(Template)]
#[template(path = "child_overview.html")]
struct ChildOverviewPage {
    layout: Layout,
    child: ChildView,
    notice: Option<String>,
    tab: &'static str,
    form: FormView,
    kinds: Vec<Choice>,
    deadlines: Vec<DeadlineView>,
    sub_cases: Vec<SubCaseSummary>,
}

async fn overview_page(
    state: &AppState,
    page: &Page,
    id: ChildId,
    form: FormView,
    notice: Option<String>,
) -> Result<ChildOverviewPage, UiError> {
    let (child, sub_cases, deadlines) =
        case_process::for_child(&state.db, &page.actor, id, AccessKind::View).await?;
    let now = vaern_store::now();
    let child = ChildView::new(&child);
    Ok(ChildOverviewPage {
        layout: page.layout(format!("Overblik – {}", child.name)),
        child,
        notice,
        tab: "overblik",
        form,
        kinds: SubCaseKind::ALL
            .into_iter()
            .filter(|k| *k != SubCaseKind::Clarification)
            .map(|k| Choice::new(k.code(), k.label()))
            .collect(),
        deadlines: deadlines
            .iter()
            .filter(|d| d.status == "open")
            .map(|d| DeadlineView::new(d, now))
            .collect(),
        sub_cases: sub_cases
            .iter()
            .map(|s| SubCaseSummary {
                id: s.id.to_string(),
                title: s.title.clone(),
                kind_label: kind_label(&s.kind),
                opened_at: format_datetime(s.opened_at),
                status: status_label(&s.status),
                next_step: s
                    .next_step()
                    .and_then(|t| case_process::step_def(&s.kind, &t.code))
                    .map(|d| d.label),
            })
            .collect(),
    })
}

async fn show_child_overview(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, UiError> {
    let id = parse_id(&id)?;
    Ok(render(
        &overview_page(&state, &page, id, FormView::default(), notice(&q.besked)).await?,
    ))
}

async fn create_sub_case(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    UiForm(form): UiForm<case_process::OpenSubCaseInput>,
) -> Result<Response, UiError> {
    let id: ChildId = parse_id(&id)?;
    match case_process::open_sub_case_with(&state.db, &page.actor, id, &form).await {
        Ok(sub_case) => Ok(Redirect::to(&format!(
            "/boern/{id}/delsager/{}?besked=oprettet",
            sub_case.id
        ))
        .into_response()),
        Err(AppError::Invalid(errors)) => {
            let page = overview_page(
                &state,
                &page,
                id,
                FormView::new(
                    [
                        ("kind", form.kind),
                        ("aware_since", form.aware_since),
                        ("aware_reason", form.aware_reason),
                    ],
                    errors,
                ),
                None,
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Template)]
#[template(path = "notification_new.html")]
struct NotificationPage {
    layout: Layout,
    child: ChildView,
    notice: Option<String>,
    tab: &'static str,
    form: FormView,
    checked: Vec<String>,
    channels: Vec<Choice>,
    notifier_kinds: Vec<Choice>,
    concerns: Vec<Choice>,
    intakes: Vec<Choice>,
}

async fn notification_page(
    state: &AppState,
    page: &Page,
    id: ChildId,
    form: FormView,
    checked: Vec<String>,
) -> Result<NotificationPage, UiError> {
    let child = vaern_app::children::read(
        &state.db,
        &page.actor,
        id,
        AccessKind::View,
        "Registrér underretning",
    )
    .await?;
    let child = ChildView::new(&child);
    Ok(NotificationPage {
        layout: page.layout(format!("Registrér underretning – {}", child.name)),
        child,
        notice: None,
        tab: "overblik",
        form,
        checked,
        channels: CHANNELS
            .iter()
            .map(|(code, label)| Choice::new(code, *label))
            .collect(),
        notifier_kinds: NotifierKind::ALL
            .iter()
            .map(|k| Choice::new(k.code(), k.label()))
            .collect(),
        intakes: Intake::ALL
            .iter()
            .map(|k| Choice::new(k.code(), k.label()))
            .collect(),
        concerns: CONCERNS
            .iter()
            .map(|(code, label)| Choice::new(code, *label))
            .collect(),
    })
}

async fn new_notification(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    let id = parse_id(&id)?;
    let now = vaern_store::now();
    let local = now.to_offset(vaern_domain::dates::danish_offset(now));
    let received = format!("{}T{:02}:{:02}", local.date(), local.hour(), local.minute());
    let form = FormView::new(
        [
            ("received_at", received),
            ("channel", "telefon".into()),
            ("intake", "underretning".into()),
        ],
        FieldErrors::new(),
    );
    Ok(render(
        &notification_page(&state, &page, id, form, Vec::new()).await?,
    ))
}

async fn create_notification(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    UiForm(fields): UiForm<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let id: ChildId = parse_id(&id)?;
    let value = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let concerns: Vec<String> = fields
        .iter()
        .filter(|(k, _)| k == "concerns")
        .map(|(_, v)| v.clone())
        .collect();
    let input = NewNotificationInput {
        intake: value("intake"),
        received_at: value("received_at"),
        channel: value("channel"),
        notifier_kind: value("notifier_kind"),
        notifier_name: value("notifier_name"),
        notifier_organisation: value("notifier_organisation"),
        notifier_contact: value("notifier_contact"),
        concerns: concerns.clone(),
        text: value("text"),
    };
    match case_process::register_notification(&state.db, &page.actor, id, &input).await {
        Ok((_, sub_case)) => Ok(Redirect::to(&format!(
            "/boern/{id}/delsager/{}?besked=registreret",
            sub_case.id
        ))
        .into_response()),
        Err(AppError::Invalid(errors)) => {
            let kept = FormView::new(
                [
                    ("intake", input.intake),
                    ("received_at", input.received_at),
                    ("channel", input.channel),
                    ("notifier_kind", input.notifier_kind),
                    ("notifier_name", input.notifier_name),
                    ("notifier_organisation", input.notifier_organisation),
                    ("notifier_contact", input.notifier_contact),
                    ("text", input.text),
                ],
                errors,
            );
            let page = notification_page(&state, &page, id, kept, concerns).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

struct SubCaseHeader {
    id: String,
    title: String,
    kind_label: &'static str,
    opened_at: String,
    opened_by: String,
    status: &'static str,
    open: bool,
    close_reason: Option<String>,
}

struct StepView {
    code: String,
    label: &'static str,
    legal_reference: &'static str,
    required: bool,
    status_label: &'static str,
    css: &'static str,
    deadline: Option<DeadlineView>,
    finished: Option<String>,
    note: Option<String>,
    actionable: bool,
}

struct NotificationView {
    intake: &'static str,
    received_at: String,
    channel: &'static str,
    notifier: String,
    concerns: String,
    text: String,
    assessment: Option<String>,
    deadline: Option<DeadlineView>,
}

#[derive(Template)]
#[template(path = "sub_case.html")]
struct SubCasePage {
    layout: Layout,
    child: ChildView,
    notice: Option<String>,
    tab: &'static str,
    form: FormView,
    sub_case: SubCaseHeader,
    steps: Vec<StepView>,
    notification: Option<NotificationView>,
    decision: Option<DecisionPanel>,
    paragraphs: Vec<Choice>,
    outcomes: Vec<Choice>,
    deciders: Vec<Choice>,
    channels: Vec<Choice>,
    placement_reasons: Vec<Choice>,
    plan_choices: Vec<Choice>,
}

/// The decision part of a Decision sub-case: the form, or the decision made.
struct DecisionPanel {
    /// The checks every decision waits for whose step is still pending, as the rule table has
    /// them (partshøring, the conversation with the child).
    pending_checks: Vec<String>,
    made: Option<String>,
    made_known: Option<String>,
}

/// The rule-table checks that guard every decision and are met by a step of its sub-case.
fn step_checks() -> impl Iterator<Item = (&'static DeadlineRule, &'static str)> {
    RULES
        .iter()
        .filter_map(|r| match (r.when_due, r.starts, r.requires) {
            (
                WhenDue::Blocking,
                Trigger::Decision { sections: [], .. },
                Some(Requirement::Step(code)),
            ) => Some((r, code)),
            _ => None,
        })
}

fn yes_no(value: Option<bool>) -> &'static str {
    match value {
        Some(true) => "ja",
        Some(false) => "nej",
        None => "–",
    }
}

fn notification_view(
    n: &Notification,
    deadlines: &[Deadline],
    sub_case: &SubCase,
    now: time::OffsetDateTime,
) -> NotificationView {
    let assessment_step = sub_case
        .steps
        .iter()
        .find(|s| s.code == ASSESSMENT_STEP)
        .map(|s| s.id);
    let notifier = match (&n.notifier_name, &n.notifier_organisation) {
        (Some(name), Some(org)) => format!("{name}, {org}"),
        (Some(name), None) => name.clone(),
        _ => NotifierKind::parse(&n.notifier_kind)
            .map(NotifierKind::label)
            .unwrap_or("Anonym")
            .to_owned(),
    };
    NotificationView {
        intake: Intake::parse(&n.intake).map(Intake::label).unwrap_or("Henvendelse"),
        received_at: format_datetime(n.received_at),
        channel: CHANNELS.iter().find(|(c, _)| *c == n.channel).map(|(_, l)| *l).unwrap_or("ukendt"),
        notifier,
        concerns: n
            .concerns
            .split(',')
            .filter_map(|c| CONCERNS.iter().find(|(code, _)| *code == c).map(|(_, l)| *l))
            .collect::<Vec<_>>()
            .join(", "),
        text: n.body.clone(),
        assessment: n.assessed_at.map(|at| {
            format!(
                "Vurderet {} af {}.\nBarnets sundhed eller udvikling i fare: {}. Behov for akut indsats: {}.\nBegrundelse: {}",
                format_datetime(at),
                n.assessed_by_name.as_deref().unwrap_or("?"),
                yes_no(n.risk),
                yes_no(n.immediate_action),
                n.assessment_reasoning.as_deref().unwrap_or("")
            )
        }),
        deadline: deadlines.iter().find(|d| d.step_id.is_some() && d.step_id == assessment_step).map(|d| DeadlineView::new(d, now)),
    }
}

async fn sub_case_page(
    state: &AppState,
    page: &Page,
    id: ChildId,
    sub: SubCaseId,
    form: FormView,
    notice: Option<String>,
) -> Result<SubCasePage, UiError> {
    let (child, sub_case, notification, deadlines) =
        case_process::sub_case(&state.db, &page.actor, id, sub).await?;
    let decision = if sub_case.kind == SubCaseKind::Decision.code() {
        let made = case_process::decision(&state.db, &page.actor, id, sub, None).await?;
        Some(decision_panel(&sub_case, made.as_ref()))
    } else {
        None
    };
    let form = if decision.as_ref().is_some_and(|d| d.made.is_none())
        && form.value("appeal_guidance").is_empty()
        && !form.has_errors()
    {
        FormView::new(
            [("appeal_guidance", STANDARD_APPEAL_GUIDANCE.to_owned())],
            FieldErrors::new(),
        )
    } else {
        form
    };
    let now = vaern_store::now();
    let open = sub_case.status == "open";
    let current = sub_case.next_step().map(|s| s.id);
    let steps = sub_case
        .steps
        .iter()
        .map(|s| {
            let def = case_process::step_def(&sub_case.kind, &s.code);
            StepView {
                code: s.code.clone(),
                label: def.map(|d| d.label).unwrap_or("Ukendt skridt"),
                legal_reference: def.map(|d| d.legal_reference).unwrap_or_default(),
                required: s.required,
                status_label: match s.status.as_str() {
                    "done" => "Gennemført",
                    "skipped" => "Sprunget over",
                    _ if Some(s.id) == current => "Næste skridt",
                    _ => "Afventer",
                },
                css: match s.status.as_str() {
                    "done" => "done",
                    "skipped" => "skipped",
                    _ if Some(s.id) == current => "current",
                    _ => "",
                },
                deadline: deadlines
                    .iter()
                    .find(|d| d.step_id == Some(s.id) && d.status == "open")
                    .map(|d| DeadlineView::new(d, now)),
                finished: s.finished_at.map(|at| {
                    format!(
                        "{} {}",
                        s.finished_by_name.as_deref().unwrap_or(""),
                        format_datetime(at)
                    )
                }),
                note: s.note.clone(),
                actionable: open && s.status == "pending" && s.code != ASSESSMENT_STEP,
            }
        })
        .collect();
    let notification = notification
        .as_ref()
        .map(|n| notification_view(n, &deadlines, &sub_case, now));
    let child = ChildView::new(&child);
    Ok(SubCasePage {
        layout: page.layout(format!("{} – {}", sub_case.title, child.name)),
        child,
        notice,
        tab: "overblik",
        form,
        sub_case: SubCaseHeader {
            id: sub_case.id.to_string(),
            title: sub_case.title.clone(),
            kind_label: kind_label(&sub_case.kind),
            opened_at: format_datetime(sub_case.opened_at),
            opened_by: sub_case.opened_by_name.clone().unwrap_or_default(),
            status: status_label(&sub_case.status),
            open,
            close_reason: sub_case.close_reason.clone(),
        },
        steps,
        notification,
        decision,
        paragraphs: decision_bases()
            .map(|p| Choice::new(p.id, format!("{} – {}", p.citation, p.title)))
            .collect(),
        deciders: DecidedBy::ALL
            .iter()
            .map(|d| Choice::new(d.code(), d.label()))
            .collect(),
        channels: Channel::ALL
            .iter()
            .map(|c| Choice::new(c.code(), c.label()))
            .collect(),
        outcomes: Outcome::ALL
            .iter()
            .map(|o| Choice::new(o.code(), o.label()))
            .collect(),
        placement_reasons: vec![
            Choice::new(
                "neglect_or_abuse",
                "Ja – søskende under 15 år skal undersøges (barnets lov § 21, stk. 2-3)",
            ),
            Choice::new("other", "Nej – af andre grunde"),
        ],
        plan_choices: vec![
            Choice::new("yes", "Ja – planen skal foreligge inden 3 måneder"),
            Choice::new("no", "Nej"),
        ],
    })
}

fn decision_panel(
    sub_case: &SubCase,
    made: Option<&vaern_store::decisions::StoredDecision>,
) -> DecisionPanel {
    DecisionPanel {
        pending_checks: step_checks()
            .filter(|(_, code)| {
                sub_case
                    .steps
                    .iter()
                    .any(|s| s.code == *code && s.status == "pending")
            })
            .map(|(rule, _)| format!("{} ({})", rule.description, rule.legal_reference))
            .collect(),
        made_known: made.and_then(|d| {
            let received = d.made_known_at?;
            let channel = d
                .made_known_channel
                .as_deref()
                .and_then(|c| Channel::parse(c).ok());
            Some(match (channel, d.sent_at) {
                (Some(channel), Some(sent)) => format!(
                    "Sendt {} med {}; regnes for modtaget {}. {}",
                    format_datetime(sent),
                    channel.label().to_lowercase(),
                    format_datetime(received),
                    channel.source()
                ),
                _ => format!("Meddelt parten {}", format_datetime(received)),
            })
        }),
        made: made.map(|d| {
            let basis = vaern_domain::law::paragraph(&d.legal_basis)
                .map(|p| p.citation)
                .unwrap_or(&d.legal_basis);
            let outcome = Outcome::parse(&d.outcome).map(Outcome::label).unwrap_or("");
            let body = DecidedBy::parse(&d.decided_by_body)
                .map(DecidedBy::label)
                .unwrap_or("Forvaltningen");
            let mut text = format!(
                "{outcome} efter {basis}.\nTruffet {} af {} ({body}).\n\n{}\n\nBegrundelse: {}",
                format_datetime(d.decided_at),
                d.decided_by_name.as_deref().unwrap_or(""),
                d.content,
                d.reasoning
            );
            if let Some(guidance) = &d.appeal_guidance {
                text.push_str(&format!("\n\nKlagevejledning: {guidance}"));
            }
            text
        }),
    }
}

async fn show_sub_case(
    State(state): State<AppState>,
    page: Page,
    Path((id, sub)): Path<(String, String)>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, UiError> {
    let (id, sub) = (parse_id(&id)?, parse_id(&sub)?);
    Ok(render(
        &sub_case_page(
            &state,
            &page,
            id,
            sub,
            FormView::default(),
            notice(&q.besked),
        )
        .await?,
    ))
}

/// Re-renders the sub-case page with the errors (422) or a conflict message (409).
async fn sub_case_error(
    state: &AppState,
    page: &Page,
    id: ChildId,
    sub: SubCaseId,
    error: AppError,
    kept: Vec<(&'static str, String)>,
) -> Result<Response, UiError> {
    let (status, errors) = match error {
        AppError::Invalid(errors) => (StatusCode::UNPROCESSABLE_ENTITY, errors),
        AppError::Conflict(message) => {
            (StatusCode::CONFLICT, FieldErrors::single("afslut", message))
        }
        other => return Err(other.into()),
    };
    let page = sub_case_page(state, page, id, sub, FormView::new(kept, errors), None).await?;
    Ok((status, render(&page)).into_response())
}

async fn create_assessment(
    State(state): State<AppState>,
    page: Page,
    Path((id, sub)): Path<(String, String)>,
    UiForm(input): UiForm<AssessmentInput>,
) -> Result<Response, UiError> {
    let (id, sub): (ChildId, SubCaseId) = (parse_id(&id)?, parse_id(&sub)?);
    match case_process::record_assessment(&state.db, &page.actor, id, sub, &input).await {
        Ok(_) => Ok(
            Redirect::to(&format!("/boern/{id}/delsager/{sub}?besked=vurderet")).into_response(),
        ),
        Err(error) => {
            let kept = vec![
                ("risk", input.risk),
                ("immediate_action", input.immediate_action),
                ("reasoning", input.reasoning),
            ];
            sub_case_error(&state, &page, id, sub, error, kept).await
        }
    }
}

async fn finish_step(
    State(state): State<AppState>,
    page: Page,
    Path((id, sub, step)): Path<(String, String, String)>,
    UiForm(input): UiForm<StepInput>,
) -> Result<Response, UiError> {
    let (id, sub): (ChildId, SubCaseId) = (parse_id(&id)?, parse_id(&sub)?);
    match case_process::finish_step(&state.db, &page.actor, id, sub, &step, &input).await {
        Ok(_) => Ok(Redirect::to(&format!(
            "/boern/{id}/delsager/{sub}?besked=skridt#skridt-{step}"
        ))
        .into_response()),
        Err(error) => sub_case_error(&state, &page, id, sub, error, Vec::new()).await,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CloseForm {
    reason: String,
}

async fn close_sub_case(
    State(state): State<AppState>,
    page: Page,
    Path((id, sub)): Path<(String, String)>,
    UiForm(input): UiForm<CloseForm>,
) -> Result<Response, UiError> {
    let (id, sub): (ChildId, SubCaseId) = (parse_id(&id)?, parse_id(&sub)?);
    match case_process::close_sub_case(&state.db, &page.actor, id, sub, &input.reason).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/boern/{id}/overblik?besked=afsluttet")).into_response())
        }
        Err(error) => {
            sub_case_error(
                &state,
                &page,
                id,
                sub,
                error,
                vec![("reason", input.reason)],
            )
            .await
        }
    }
}

async fn create_decision(
    State(state): State<AppState>,
    page: Page,
    Path((id, sub)): Path<(String, String)>,
    UiForm(input): UiForm<DecisionInput>,
) -> Result<Response, UiError> {
    let (id, sub): (ChildId, SubCaseId) = (parse_id(&id)?, parse_id(&sub)?);
    match case_process::make_decision(&state.db, &page.actor, id, sub, &input).await {
        Ok(_) => Ok(Redirect::to(&format!(
            "/boern/{id}/delsager/{sub}?besked=afgoerelse#afgoerelse"
        ))
        .into_response()),
        Err(error) => {
            let kept = vec![
                ("decided_by", input.decided_by),
                ("legal_basis", input.legal_basis),
                ("outcome", input.outcome),
                ("content", input.content),
                ("reasoning", input.reasoning),
                ("appeal_guidance", input.appeal_guidance),
                ("placement_reason", input.placement_reason),
                ("plan", input.plan),
            ];
            sub_case_error(&state, &page, id, sub, error, kept).await
        }
    }
}

async fn create_made_known(
    State(state): State<AppState>,
    page: Page,
    Path((id, sub)): Path<(String, String)>,
    UiForm(input): UiForm<case_process::MadeKnownInput>,
) -> Result<Response, UiError> {
    let (id, sub): (ChildId, SubCaseId) = (parse_id(&id)?, parse_id(&sub)?);
    match case_process::record_made_known(&state.db, &page.actor, id, sub, &input).await {
        Ok(_) => Ok(Redirect::to(&format!(
            "/boern/{id}/delsager/{sub}?besked=meddelt#afgoerelse"
        ))
        .into_response()),
        Err(error) => {
            sub_case_error(
                &state,
                &page,
                id,
                sub,
                error,
                vec![("channel", input.channel), ("sent_at", input.sent_at)],
            )
            .await
        }
    }
}
