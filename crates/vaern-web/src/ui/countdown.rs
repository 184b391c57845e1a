//! Deadlines for display: Danish due text, a countdown ("om 5 t 12 min", "overskredet med 2 dage")
//! and the list bucket (overdue, today, this week). app.js keeps the countdown live.

use time::{Duration, OffsetDateTime};
use vaern_domain::{dates::format_datetime, process::rule_by_code};
use vaern_store::deadlines::Deadline;

/// Whole days, hours and minutes in Danish.
pub fn remaining(due: OffsetDateTime, now: OffsetDateTime) -> String {
    let left = due - now;
    let span = left.abs();
    let text = if span >= Duration::days(2) {
        format!("{} dage", span.whole_days())
    } else if span >= Duration::hours(1) {
        format!("{} t {} min", span.whole_hours(), span.whole_minutes() % 60)
    } else {
        format!("{} min", span.whole_minutes().max(1))
    };
    if left.is_negative() {
        format!("overskredet med {text}")
    } else {
        format!("om {text}")
    }
}

/// A deadline as the lists show it.
pub struct DeadlineView {
    pub child_id: String,
    pub child_name: String,
    pub sub_case_id: String,
    pub description: String,
    pub legal_reference: String,
    /// What started the clock.
    pub started_by: Option<String>,
    /// Set when the deadline runs out on a day the municipality keeps closed.
    pub closed_day: Option<String>,
    pub due: String,
    pub due_iso: String,
    pub remaining: String,
    /// `overdue`, `today` or `week`.
    pub bucket: &'static str,
    pub status: &'static str,
}

impl DeadlineView {
    pub fn new(d: &Deadline, now: OffsetDateTime) -> Self {
        let rule = rule_by_code(&d.rule_id);
        let today = vaern_domain::dates::danish_today(now);
        let bucket = if d.due_at < now {
            "overdue"
        } else if vaern_domain::calendar::danish_date(d.due_at) == today {
            "today"
        } else {
            "week"
        };
        DeadlineView {
            child_id: d.child_id.to_string(),
            child_name: d.child_name.clone(),
            sub_case_id: d.sub_case_id.to_string(),
            description: rule.map(|r| r.description).unwrap_or(&d.rule_id).to_owned(),
            legal_reference: rule
                .map(|r| r.legal_reference)
                .unwrap_or_default()
                .to_owned(),
            started_by: d.started_by.clone(),
            closed_day: None,
            due: format_datetime(d.due_at),
            due_iso: vaern_domain::dates::rfc3339_utc(d.due_at),
            remaining: remaining(d.due_at, now),
            bucket,
            status: match d.state(now) {
                "met" => "Overholdt",
                "cancelled" => "Bortfaldet",
                "overdue" => "Overskredet",
                _ => "Åben",
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::remaining;
    use time::macros::datetime;

    #[test]
    fn countdowns_read_as_danish() {
        let now = datetime!(2026 - 11 - 23 12:00 UTC);
        assert_eq!(
            remaining(datetime!(2026 - 11 - 24 11:59 UTC), now),
            "om 23 t 59 min"
        );
        assert_eq!(
            remaining(datetime!(2026 - 11 - 23 12:20 UTC), now),
            "om 20 min"
        );
        assert_eq!(
            remaining(datetime!(2026 - 11 - 20 12:00 UTC), now),
            "overskredet med 3 dage"
        );
        assert_eq!(
            remaining(datetime!(2026 - 11 - 23 10:30 UTC), now),
            "overskredet med 1 t 30 min"
        );
    }
}
