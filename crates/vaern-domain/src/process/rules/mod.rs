//! Statutory deadline rules as data (ARCHITECTURE.md principle 1): what starts each clock (a typed
//! [`Trigger`]), how long it runs ([`Offset`]), in which calendar it counts, what the law says
//! and what happens when it is due. The app never chooses a rule in code: it tells the table what
//! happened ([`Event`]) and starts, or checks, what the table answers. Adding a deadline is one
//! row of [`table::RULES`] and its table test.

mod id;
mod local;
pub mod table;

use serde::Serialize;
use time::{Date, Duration, OffsetDateTime};

pub use id::RuleId;
pub use local::{LocalStandard, effective_due_at};
pub use table::RULES;

use crate::{
    calendar::{Calendar, add_months, danish_date, end_of_danish_day, months_before},
    law::Section,
};

/// How far from the trigger a deadline lies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "unit", content = "amount", rename_all = "snake_case")]
pub enum Offset {
    /// Elapsed hours, nights, weekends and summer-time changes included.
    Hours(u32),
    /// Working days after the trigger day; due at the end of the last one.
    WorkingDays(u32),
    /// Calendar days after the trigger day; due at the end of that day.
    CalendarDays(u32),
    /// Weeks: the same weekday `n` weeks later, at the end of that day.
    Weeks(u32),
    /// The same date `n` months later (clamped to month end), at the end of that day.
    Months(u32),
    /// The same date `n` months *before* the trigger (a duty that must be met ahead of an event
    /// known in advance, such as an 18th birthday), at the end of that day.
    MonthsBefore(u32),
    /// Must be done before (or when) the triggering event happens: a blocking check.
    AtEvent,
    /// The municipality sets the deadline itself (a published local standard).
    SetLocally,
}

/// What the system does when a deadline is due or about to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WhenDue {
    /// Shown in the caseworker's consolidated list.
    Reminder,
    /// Shown to the caseworker and escalated to the team lead when overdue.
    Escalation,
    /// Blocks the action that the rule guards until it is fulfilled.
    Blocking,
}

impl WhenDue {
    pub fn label(self) -> &'static str {
        match self {
            WhenDue::Reminder => "Påmindelse",
            WhenDue::Escalation => "Eskalering til teamleder",
            WhenDue::Blocking => "Blokerende kontrol",
        }
    }
}

/// Which decisions of a section start a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    /// Any decision, granted or refused.
    Any,
    /// Granted in full or in part.
    Granted,
    /// Granted support for which a barnets plan is to be made (BL § 91, stk. 1).
    GrantedWithPlan,
    /// A granted placement due to neglect or abuse (BL § 21, stk. 2-3).
    GrantedForNeglect,
    /// Granted, and the first decision of its section on the case.
    GrantedFirst,
    /// Granted, renewing an earlier decision of its section on the case.
    GrantedAgain,
    /// Granted for a young person of 16 or 17.
    GrantedAged16Or17,
}

/// What starts a rule's clock (or, for a blocking rule, what it guards).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Trigger {
    /// A sub-case opens with the step whose row in `kinds.rs` names the rule; completing the
    /// step meets it.
    StepOpened,
    /// A decision on one of these sections (empty: any section).
    Decision {
        sections: &'static [Section],
        kind: DecisionKind,
    },
    /// The decision reaches the party: `trigger_at` is the moment it counts as received, which
    /// the channel it was sent by turns a sending time into ([`crate::process::appeal`]).
    DecisionReceived,
    /// A measure on one of these sections starts: `trigger_at` is its first day.
    MeasureStarted { sections: &'static [Section] },
    /// The child's birthday at `age`, while a placement (§§ 46-47) runs: `trigger_at` is the
    /// birthday, known from the day the placement starts.
    Birthday { age: u8 },
}

/// What meets a rule started by an event: for a blocking rule, what lets the guarded action go
/// ahead; for a deadline, what marks it met.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "detail", rename_all = "snake_case")]
pub enum Requirement {
    /// This step of the sub-case is done, or skipped with a recorded reason.
    Step(&'static str),
    /// The case's current barnets plan (or ungeplan) is approved.
    PlanApproved,
    /// A new granted decision on one of these sections.
    DecisionOn(&'static [Section]),
    /// The decision's own text: checked by the decision form itself.
    DecisionText,
}

/// Where a deadline lives: with the sub-case that started it (closing that sub-case cancels it),
/// or with the child's case (it outlives the sub-case).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    SubCase,
    Case,
}

/// Whose rule it is: the law's (counted in the law's calendar, never later for a municipality's
/// closed days) or Værn's own policy where the law gives no number (counted in the
/// municipality's calendar).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Authority {
    Statute,
    Policy,
}

/// One deadline rule.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct DeadlineRule {
    /// Stable id used by the API and stored on deadline instances.
    pub id: RuleId,
    /// What starts the clock.
    pub starts: Trigger,
    /// What starts the clock, in Danish.
    pub trigger: &'static str,
    /// What must be done (Danish).
    pub description: &'static str,
    pub offset: Offset,
    /// A deadline that ends on a Saturday, Sunday or public holiday runs to the next working day
    /// (the general rule for a citizen's time limits; see the appeal rule's reference).
    pub extends_to_working_day: bool,
    pub legal_reference: &'static str,
    pub when_due: WhenDue,
    /// For a blocking rule: what lets the guarded action go ahead.
    pub requires: Option<Requirement>,
    pub scope: Scope,
    pub authority: Authority,
    /// False where DOMAIN.md marks the reference [verify].
    pub verified: bool,
}

/// What a decision was, as the rule table needs to know it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecisionFacts {
    pub section: Section,
    pub granted: bool,
    pub plan_chosen: bool,
    pub neglect_or_abuse: bool,
    /// An earlier granted decision of the same section exists on the case.
    pub renewal: bool,
    /// The child's age on the day of the decision.
    pub age: i32,
}

/// What happened on a case, as the rule table understands it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    Decision(DecisionFacts),
    DecisionReceived,
    MeasureStarted { section: Section },
    Birthday { age: u8 },
}

impl Trigger {
    /// Whether `event` starts (or is guarded by) a rule with this trigger.
    pub fn matches(&self, event: &Event) -> bool {
        let covers =
            |sections: &[Section], s: &Section| sections.is_empty() || sections.contains(s);
        match (*self, *event) {
            (
                Trigger::Decision { sections, kind },
                Event::Decision(DecisionFacts {
                    section,
                    granted,
                    plan_chosen,
                    neglect_or_abuse,
                    renewal,
                    age,
                }),
            ) => {
                covers(sections, &section)
                    && match kind {
                        DecisionKind::Any => true,
                        DecisionKind::Granted => granted,
                        DecisionKind::GrantedWithPlan => granted && plan_chosen,
                        DecisionKind::GrantedForNeglect => granted && neglect_or_abuse,
                        DecisionKind::GrantedFirst => granted && !renewal,
                        DecisionKind::GrantedAgain => granted && renewal,
                        DecisionKind::GrantedAged16Or17 => granted && (16..18).contains(&age),
                    }
            }
            (Trigger::DecisionReceived, Event::DecisionReceived) => true,
            (Trigger::MeasureStarted { sections }, Event::MeasureStarted { section }) => {
                covers(sections, &section)
            }
            (Trigger::Birthday { age }, Event::Birthday { age: turned }) => age == turned,
            _ => false,
        }
    }
}

impl DeadlineRule {
    /// When the deadline runs out for a trigger at `trigger_at`. Statutory rules count in the
    /// law's calendar whatever `municipal` says; Værn's policy rules in the municipality's.
    /// `None` for rules without a fixed offset.
    pub fn due_at(
        &self,
        trigger_at: OffsetDateTime,
        municipal: &Calendar,
    ) -> Option<OffsetDateTime> {
        let calendar = match self.authority {
            Authority::Statute => &Calendar::statutory(),
            Authority::Policy => municipal,
        };
        self.due_in(trigger_at, calendar)
    }

    /// The due instant counted in `calendar`.
    pub(crate) fn due_in(
        &self,
        trigger_at: OffsetDateTime,
        calendar: &Calendar,
    ) -> Option<OffsetDateTime> {
        let day = danish_date(trigger_at);
        let due_day = match self.offset {
            Offset::Hours(hours) => return Some(trigger_at + Duration::hours(i64::from(hours))),
            Offset::AtEvent => return Some(trigger_at),
            Offset::SetLocally => return None,
            Offset::WorkingDays(n) => calendar.add_working_days(day, n),
            Offset::CalendarDays(n) => day + Duration::days(i64::from(n)),
            Offset::Weeks(n) => day + Duration::weeks(i64::from(n)),
            Offset::Months(n) => add_months(day, n),
            Offset::MonthsBefore(n) => months_before(day, n),
        };
        Some(end_of_danish_day(self.extended(due_day)))
    }

    /// The day a deadline ending on `day` really ends: the next working day in the law's
    /// calendar where the rule extends to one.
    fn extended(&self, day: Date) -> Date {
        let calendar = Calendar::statutory();
        if self.extends_to_working_day && !calendar.is_working_day(day) {
            calendar.add_working_days(day, 1)
        } else {
            day
        }
    }

    /// The offset in Danish words, for lists.
    pub fn offset_text(&self) -> String {
        let text = match self.offset {
            Offset::Hours(n) => format!("{n} timer"),
            Offset::WorkingDays(n) => format!("{n} arbejdsdage"),
            Offset::CalendarDays(n) => format!("{n} dage"),
            Offset::Weeks(n) => format!("{n} uger"),
            Offset::Months(1) => "1 måned".into(),
            Offset::Months(n) => format!("{n} måneder"),
            Offset::MonthsBefore(n) => format!("{n} måneder før"),
            Offset::AtEvent => "Før handlingen".into(),
            Offset::SetLocally => "Kommunens egen frist".into(),
        };
        if self.extends_to_working_day {
            format!(
                "{text} (til næste hverdag, hvis fristen ender på en lørdag, søndag eller helligdag)"
            )
        } else {
            text
        }
    }

    /// Whether the rule is Værn's own policy rather than the law.
    pub fn is_policy(&self) -> bool {
        self.authority == Authority::Policy
    }
}

/// The rule with this id.
pub fn rule(id: RuleId) -> &'static DeadlineRule {
    RULES
        .iter()
        .find(|r| r.id == id)
        .expect("every rule id has its row (checked by a table test)")
}

/// The rule stored under this code, if it still exists.
pub fn rule_by_code(code: &str) -> Option<&'static DeadlineRule> {
    RuleId::parse(code).map(rule)
}

/// The rules `requirement` meets.
pub fn met_by(requirement: Requirement) -> Vec<RuleId> {
    RULES
        .iter()
        .filter(|r| r.requires == Some(requirement))
        .map(|r| r.id)
        .collect()
}

/// The rules whose deadlines a granted decision on `section` meets.
pub fn met_by_decision_on(section: Section) -> Vec<RuleId> {
    RULES
        .iter()
        .filter(|r| matches!(r.requires, Some(Requirement::DecisionOn(s)) if s.contains(&section)))
        .map(|r| r.id)
        .collect()
}

/// The rules whose deadlines belong to the case and outlive the sub-case that started them.
pub fn case_wide() -> Vec<RuleId> {
    RULES
        .iter()
        .filter(|r| r.scope == Scope::Case)
        .map(|r| r.id)
        .collect()
}

/// The deadlines `event` starts (not the checks it must pass).
pub fn started_by(event: &Event) -> impl Iterator<Item = &'static DeadlineRule> + '_ {
    RULES
        .iter()
        .filter(move |r| r.when_due != WhenDue::Blocking && r.starts.matches(event))
}

/// The checks the action `event` must pass before it may happen.
pub fn blocking(event: &Event) -> impl Iterator<Item = &'static DeadlineRule> + '_ {
    RULES
        .iter()
        .filter(move |r| r.when_due == WhenDue::Blocking && r.starts.matches(event))
}
