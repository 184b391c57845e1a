//! When the four months of a børnefaglig undersøgelse start (Barnets lov § 20, stk. 3): when the
//! municipality *became aware* that the child may need support — normally the receipt of the
//! underretning, or the date of the henvendelse or ansøgning — not when the sub-case was opened.
//! A caseworker may set an earlier date; a later one only with a reason.

use time::{Date, OffsetDateTime, Time};

use crate::{
    FieldErrors,
    calendar::{danish_date, danish_local},
    dates::{format_date, format_datetime, parse_date},
    text::optional_text,
};

/// What the municipality learnt first since the last investigation: «Underretning» at 10:00.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FirstKnown {
    /// `Underretning`, `Henvendelse` or `Ansøgning`.
    pub what: &'static str,
    pub at: OffsetDateTime,
}

/// The caseworker's own date, as typed.
#[derive(Debug, Clone, Default)]
pub struct AwarenessInput<'a> {
    pub aware_since: &'a str,
    pub reason: &'a str,
}

/// The start of the clock and, in Danish, its source.
pub fn investigation_start(
    first: Option<FirstKnown>,
    opened_at: OffsetDateTime,
    input: &AwarenessInput<'_>,
) -> Result<(OffsetDateTime, String), FieldErrors> {
    let (default_at, default_source) = match first {
        Some(known) => (
            known.at,
            format!("{} modtaget {}", known.what, format_datetime(known.at)),
        ),
        None => (
            opened_at,
            format!(
                "Delsagen oprettet {} (ingen underretning, henvendelse eller ansøgning registreret)",
                format_datetime(opened_at)
            ),
        ),
    };
    if input.aware_since.trim().is_empty() {
        return Ok((default_at, default_source));
    }
    let mut errors = FieldErrors::new();
    let day = errors.take("aware_since", parse_date(input.aware_since));
    let reason = errors.take(
        "aware_reason",
        optional_text(input.reason, "begrundelsen", 2000),
    );
    let (Some(day), Some(reason)) = (day, reason) else {
        return Err(errors);
    };
    let default_day = danish_date(default_at);
    if day > danish_date(opened_at) {
        return Err(FieldErrors::single(
            "aware_since",
            "Datoen ligger i fremtiden",
        ));
    }
    let start = start_of(day);
    let reason_text = reason
        .as_ref()
        .map(|r| format!(": {r}"))
        .unwrap_or_default();
    match day.cmp(&default_day) {
        std::cmp::Ordering::Equal => Ok((default_at, default_source)),
        std::cmp::Ordering::Less => Ok((
            start,
            format!(
                "Rådgiverens dato {} (tidligere end: {default_source}){reason_text}",
                format_date(day)
            ),
        )),
        std::cmp::Ordering::Greater if reason.is_none() => Err(FieldErrors::single(
            "aware_reason",
            format!(
                "Begrund, hvorfor kommunen først blev opmærksom på behovet senere end {} \
                 ({default_source}) – barnets lov § 20, stk. 3",
                format_date(default_day)
            ),
        )),
        std::cmp::Ordering::Greater => Ok((
            start,
            format!(
                "Rådgiverens dato {} (senere end: {default_source}){reason_text}",
                format_date(day)
            ),
        )),
    }
}

fn start_of(day: Date) -> OffsetDateTime {
    danish_local(day, Time::MIDNIGHT)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const OPENED: OffsetDateTime = datetime!(2026 - 12 - 03 10:00 +01:00);
    const RECEIVED: FirstKnown = FirstKnown {
        what: "Underretning",
        at: datetime!(2026 - 11 - 12 09:30 +01:00),
    };

    fn start(
        first: Option<FirstKnown>,
        since: &str,
        reason: &str,
    ) -> Result<(OffsetDateTime, String), FieldErrors> {
        investigation_start(
            first,
            OPENED,
            &AwarenessInput {
                aware_since: since,
                reason,
            },
        )
    }

    /// Barnets lov § 20, stk. 3: the clock runs from awareness, not from the sub-case.
    #[test]
    fn bl_20_3_the_clock_starts_at_the_underretnings_receipt() {
        let (at, source) = start(Some(RECEIVED), "", "").unwrap();
        assert_eq!(at, RECEIVED.at);
        assert_eq!(source, "Underretning modtaget 12.11.2026 09:30");
        let (at, source) = start(None, "", "").unwrap();
        assert_eq!(at, OPENED);
        assert!(source.starts_with("Delsagen oprettet 03.12.2026 10:00"));
    }

    /// Barnets lov § 20, stk. 3: an earlier date is the caseworker's to set; a later one needs a
    /// reason; a future one is refused.
    #[test]
    fn bl_20_3_an_earlier_date_is_allowed_a_later_one_needs_a_reason() {
        let table: [(&str, &str, Result<OffsetDateTime, &str>); 6] = [
            ("01.11.2026", "", Ok(datetime!(2026 - 11 - 01 00:00 +01:00))),
            ("12.11.2026", "", Ok(RECEIVED.at)),
            ("20.11.2026", "", Err("aware_reason")),
            (
                "20.11.2026",
                "Underretningen vedrørte søsteren; barnet blev først nævnt 20.11.",
                Ok(datetime!(2026 - 11 - 20 00:00 +01:00)),
            ),
            ("04.12.2026", "Fremtid", Err("aware_since")),
            ("31.02.2026", "", Err("aware_since")),
        ];
        for (since, reason, expected) in table {
            let got = start(Some(RECEIVED), since, reason);
            match expected {
                Ok(at) => assert_eq!(got.unwrap().0, at, "{since}"),
                Err(field) => assert!(got.unwrap_err().for_field(field).is_some(), "{since}"),
            }
        }
        let (_, source) = start(Some(RECEIVED), "20.11.2026", "Først nævnt 20.11.").unwrap();
        assert!(source.contains("senere end: Underretning modtaget 12.11.2026 09:30"));
        assert!(source.ends_with(": Først nævnt 20.11."));
    }
}
