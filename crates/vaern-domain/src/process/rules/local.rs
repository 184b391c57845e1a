//! A municipality's own, stricter standards (retssikkerhedslovens § 3, stk. 2).

use serde::Serialize;
use time::OffsetDateTime;

use super::{DeadlineRule, Offset, RuleId};
use crate::calendar::Calendar;

/// A municipality's own, stricter standard for a rule (retssikkerhedslovens § 3, stk. 2), or the
/// deadline of a rule the law leaves to the municipality.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LocalStandard {
    pub rule_id: RuleId,
    pub offset: Offset,
    /// The municipality's published text.
    pub description: String,
}

impl Offset {
    /// Parses a unit code and amount as the API and forms give them.
    pub fn parse(unit: &str, amount: u32) -> Result<Offset, String> {
        if amount == 0 || amount > 366 {
            return Err("Angiv en frist mellem 1 og 366".into());
        }
        Ok(match unit {
            "hours" => Offset::Hours(amount),
            "working_days" => Offset::WorkingDays(amount),
            "calendar_days" => Offset::CalendarDays(amount),
            "weeks" => Offset::Weeks(amount),
            "months" => Offset::Months(amount),
            _ => return Err("Vælg timer, arbejdsdage, dage, uger eller måneder".into()),
        })
    }

    /// The unit code and amount (the inverse of [`Offset::parse`]).
    pub fn unit_amount(self) -> (&'static str, Option<u32>) {
        match self {
            Offset::Hours(n) => ("hours", Some(n)),
            Offset::WorkingDays(n) => ("working_days", Some(n)),
            Offset::CalendarDays(n) => ("calendar_days", Some(n)),
            Offset::Weeks(n) => ("weeks", Some(n)),
            Offset::Months(n) => ("months", Some(n)),
            Offset::MonthsBefore(n) => ("months_before", Some(n)),
            Offset::AtEvent => ("at_event", None),
            Offset::SetLocally => ("set_locally", None),
        }
    }
}

/// The due instant in a municipality: the national deadline, or the local standard if it runs
/// out earlier (a local standard can only tighten the law, never relax it). A local standard
/// counts in the municipality's own calendar, closed days included.
pub fn effective_due_at(
    rule: &DeadlineRule,
    local: Option<&LocalStandard>,
    trigger_at: OffsetDateTime,
    calendar: &Calendar,
) -> Option<OffsetDateTime> {
    let national = rule.due_at(trigger_at, calendar);
    let local = local
        .filter(|l| l.rule_id == rule.id && !matches!(rule.offset, Offset::AtEvent))
        .and_then(|l| {
            DeadlineRule {
                offset: l.offset,
                extends_to_working_day: false,
                ..*rule
            }
            .due_in(trigger_at, calendar)
        });
    match (national, local) {
        (Some(n), Some(l)) => Some(n.min(l)),
        (n, l) => n.or(l),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::process::rules::rule;
    use time::macros::datetime;

    fn local(rule_id: RuleId, offset: Offset) -> LocalStandard {
        LocalStandard {
            rule_id,
            offset,
            description: "Kommunens servicemål".into(),
        }
    }

    #[test]
    fn a_stricter_local_standard_wins_but_a_looser_one_never_relaxes_the_law() {
        let rule = rule(RuleId::Receipt);
        let received = datetime!(2026 - 11 - 23 09:00 +01:00);
        let cal = Calendar::default();
        let national = rule.due_at(received, &cal).unwrap();
        let stricter = effective_due_at(
            rule,
            Some(&local(rule.id, Offset::WorkingDays(3))),
            received,
            &cal,
        )
        .unwrap();
        assert_eq!(stricter, datetime!(2026 - 11 - 26 23:59:59 +01:00));
        let looser = effective_due_at(
            rule,
            Some(&local(rule.id, Offset::WorkingDays(10))),
            received,
            &cal,
        )
        .unwrap();
        assert_eq!(looser, national);
    }

    /// Retssikkerhedslovens § 3, stk. 2: a local standard is the municipality's own, so it counts
    /// the municipality's closed days (here juleaftensdag and nytårsaftensdag).
    #[test]
    fn a_local_standard_counts_the_municipalitys_closed_days() {
        let rule = rule(RuleId::Receipt);
        let received = datetime!(2026 - 12 - 22 09:00 +01:00);
        let due = effective_due_at(
            rule,
            Some(&local(rule.id, Offset::WorkingDays(3))),
            received,
            &Calendar::default(),
        );
        // 23.12, (24-27 closed), 28.12, 29.12.
        assert_eq!(due, Some(datetime!(2026 - 12 - 29 23:59:59 +01:00)));
    }

    /// Retssikkerhedslovens § 3, stk. 2: the municipality publishes its own case-processing deadline.
    #[test]
    fn a_rule_left_to_the_municipality_takes_the_local_deadline() {
        let rule = rule(RuleId::ApplicationDeadline);
        let received = datetime!(2026 - 11 - 23 09:00 +01:00);
        let cal = Calendar::default();
        assert_eq!(effective_due_at(rule, None, received, &cal), None);
        let due = effective_due_at(
            rule,
            Some(&local(rule.id, Offset::Weeks(8))),
            received,
            &cal,
        );
        assert_eq!(due, Some(datetime!(2027 - 01 - 18 23:59:59 +01:00)));
    }

    #[test]
    fn offsets_parse_from_unit_and_amount() {
        assert_eq!(Offset::parse("working_days", 3), Ok(Offset::WorkingDays(3)));
        assert!(Offset::parse("years", 1).is_err());
        assert!(Offset::parse("weeks", 0).is_err());
        assert_eq!(Offset::Months(4).unit_amount(), ("months", Some(4)));
    }
}
