//! Dates as Danish users read and type them (`22.11.2026`), and ages.

use time::{Date, Month, OffsetDateTime, UtcOffset, macros::format_description};

/// `22.11.2026`.
pub fn format_date(date: Date) -> String {
    format!(
        "{:02}.{:02}.{}",
        date.day(),
        u8::from(date.month()),
        date.year()
    )
}

/// `22.11.2026 14:05`, in Danish local time.
pub fn format_datetime(at: OffsetDateTime) -> String {
    let local = at.to_offset(danish_offset(at));
    format!(
        "{} {:02}:{:02}",
        format_date(local.date()),
        local.hour(),
        local.minute()
    )
}

/// `23. november 2026`, as a letter writes a date.
pub fn format_date_long(date: Date) -> String {
    const MONTHS: [&str; 12] = [
        "januar",
        "februar",
        "marts",
        "april",
        "maj",
        "juni",
        "juli",
        "august",
        "september",
        "oktober",
        "november",
        "december",
    ];
    format!(
        "{}. {} {}",
        date.day(),
        MONTHS[usize::from(u8::from(date.month())) - 1],
        date.year()
    )
}

/// `5. januar 2026 kl. 09.00`, in Danish local time, as a letter writes an instant.
pub fn format_datetime_long(at: OffsetDateTime) -> String {
    let local = at.to_offset(danish_offset(at));
    format!(
        "{} kl. {:02}.{:02}",
        format_date_long(local.date()),
        local.hour(),
        local.minute()
    )
}

/// Europe/Copenhagen's offset at `at`: CEST (+2) from the last Sunday of March 01:00 UTC to the
/// last Sunday of October 01:00 UTC, else CET (+1). EU summer-time directive 2000/84/EC.
pub fn danish_offset(at: OffsetDateTime) -> UtcOffset {
    let utc = at.to_offset(UtcOffset::UTC);
    let year = utc.year();
    let start = last_sunday(year, Month::March)
        .with_hms(1, 0, 0)
        .expect("valid")
        .assume_utc();
    let end = last_sunday(year, Month::October)
        .with_hms(1, 0, 0)
        .expect("valid")
        .assume_utc();
    let hours = if utc >= start && utc < end { 2 } else { 1 };
    UtcOffset::from_hms(hours, 0, 0).expect("valid offset")
}

/// An instant as RFC 3339 in UTC (`2026-11-22T13:05:00Z`), whatever offset it was given in:
/// how the API and the page scripts exchange instants.
pub fn rfc3339_utc(at: OffsetDateTime) -> String {
    at.to_offset(UtcOffset::UTC)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Today's date in Denmark.
pub fn danish_today(now: OffsetDateTime) -> Date {
    now.to_offset(danish_offset(now)).date()
}

fn last_sunday(year: i32, month: Month) -> Date {
    let mut day = Date::from_calendar_date(year, month, month.length(year)).expect("valid");
    while day.weekday() != time::Weekday::Sunday {
        day = day.previous_day().expect("valid");
    }
    day
}

/// Parses `22.11.2026`, `22-11-2026` or the HTML date input's `2026-11-22`.
pub fn parse_date(input: &str) -> Result<Date, String> {
    let trimmed = input.trim();
    let iso = format_description!("[year]-[month]-[day]");
    let danish = format_description!("[day].[month].[year]");
    let danish_dash = format_description!("[day]-[month]-[year]");
    Date::parse(trimmed, &iso)
        .or_else(|_| Date::parse(trimmed, &danish))
        .or_else(|_| Date::parse(trimmed, &danish_dash))
        .map_err(|_| format!("Datoen «{trimmed}» findes ikke eller har ikke formen DD.MM.ÅÅÅÅ"))
}

/// Whole years from `birth` to `on`.
pub fn age_on(birth: Date, on: Date) -> i32 {
    let mut age = on.year() - birth.year();
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age.max(0)
}

#[cfg(test)]
mod tests {
    #[test]
    fn letters_write_dates_with_the_month_name_and_local_time() {
        use time::macros::{date, datetime};
        assert_eq!(
            super::format_date_long(date!(2026 - 11 - 23)),
            "23. november 2026"
        );
        assert_eq!(
            super::format_date_long(date!(2027 - 03 - 01)),
            "1. marts 2027"
        );
        assert_eq!(
            super::format_datetime_long(datetime!(2026-01-05 08:00 UTC)),
            "5. januar 2026 kl. 09.00"
        );
        assert_eq!(
            super::format_datetime_long(datetime!(2026-07-01 22:30 UTC)),
            "2. juli 2026 kl. 00.30",
            "summer time, and the local date"
        );
    }

    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn dates_are_shown_the_danish_way() {
        assert_eq!(format_date(date!(2026 - 11 - 02)), "02.11.2026");
    }

    #[test]
    fn all_three_typed_forms_parse() {
        for input in ["2026-11-22", "22.11.2026", "22-11-2026"] {
            assert_eq!(parse_date(input).unwrap(), date!(2026 - 11 - 22), "{input}");
        }
        assert!(parse_date("31.02.2026").is_err());
    }

    #[test]
    fn instants_are_exchanged_in_utc() {
        assert_eq!(
            rfc3339_utc(datetime!(2026 - 07 - 01 14:05 +02:00)),
            "2026-07-01T12:05:00Z"
        );
    }

    #[test]
    fn age_counts_whole_years() {
        assert_eq!(age_on(date!(2015 - 06 - 15), date!(2026 - 06 - 14)), 10);
        assert_eq!(age_on(date!(2015 - 06 - 15), date!(2026 - 06 - 15)), 11);
    }

    /// Summer time 2026: 29 March 01:00 UTC to 25 October 01:00 UTC (directive 2000/84/EC).
    #[test]
    fn danish_time_follows_summer_time() {
        assert_eq!(
            format_datetime(datetime!(2026 - 03 - 29 00:59 UTC)),
            "29.03.2026 01:59"
        );
        assert_eq!(
            format_datetime(datetime!(2026 - 03 - 29 01:00 UTC)),
            "29.03.2026 03:00"
        );
        assert_eq!(
            format_datetime(datetime!(2026 - 10 - 25 00:59 UTC)),
            "25.10.2026 02:59"
        );
        assert_eq!(
            format_datetime(datetime!(2026 - 10 - 25 01:00 UTC)),
            "25.10.2026 02:00"
        );
    }
}
