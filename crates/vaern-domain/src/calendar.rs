//! Danish working days and deadline arithmetic (DOMAIN.md §3, "Working days").
//!
//! Public holidays: nytårsdag, skærtorsdag, langfredag, påskedag, 2. påskedag, store bededag
//! (until 2023; abolished from 2024 by lov nr. 207 af 28/02/2023), Kristi himmelfartsdag,
//! pinsedag, 2. pinsedag, juledag, 2. juledag. Grundlovsdag, juleaftensdag and nytårsaftensdag are
//! not public holidays but usually closed days in municipalities: [`ClosedDays`] makes them
//! configurable. Deadlines are instants in Danish local time (Europe/Copenhagen).

use time::{Date, Duration, Month, OffsetDateTime, Time, Weekday};

use crate::dates::danish_offset;

/// Easter Sunday in the Gregorian calendar (the anonymous algorithm of Meeus, Jones and Butcher).
pub fn easter_sunday(year: i32) -> Date {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    Date::from_calendar_date(
        year,
        Month::try_from(month as u8).expect("March or April"),
        day as u8,
    )
    .expect("Easter is a real date")
}

/// The first year without store bededag (lov nr. 207 af 28/02/2023).
pub const STORE_BEDEDAG_ABOLISHED_FROM: i32 = 2024;

/// The Danish public holidays of `year`, with their names, in date order.
pub fn public_holidays(year: i32) -> Vec<(Date, &'static str)> {
    let easter = easter_sunday(year);
    let fixed =
        |month: Month, day: u8| Date::from_calendar_date(year, month, day).expect("fixed holiday");
    let mut days = vec![
        (fixed(Month::January, 1), "Nytårsdag"),
        (easter - Duration::days(3), "Skærtorsdag"),
        (easter - Duration::days(2), "Langfredag"),
        (easter, "Påskedag"),
        (easter + Duration::days(1), "2. påskedag"),
        (easter + Duration::days(39), "Kristi himmelfartsdag"),
        (easter + Duration::days(49), "Pinsedag"),
        (easter + Duration::days(50), "2. pinsedag"),
        (fixed(Month::December, 25), "Juledag"),
        (fixed(Month::December, 26), "2. juledag"),
    ];
    if year < STORE_BEDEDAG_ABOLISHED_FROM {
        days.push((easter + Duration::days(26), "Store bededag"));
    }
    days.sort();
    days
}

/// Days a municipality keeps closed besides weekends and public holidays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClosedDays {
    /// 5 June.
    pub grundlovsdag: bool,
    /// 24 December.
    pub juleaftensdag: bool,
    /// 31 December.
    pub nytaarsaftensdag: bool,
    /// Further closed days the municipality has decided.
    pub extra: Vec<Date>,
}

impl Default for ClosedDays {
    /// Most municipalities close on all three.
    fn default() -> Self {
        Self {
            grundlovsdag: true,
            juleaftensdag: true,
            nytaarsaftensdag: true,
            extra: Vec::new(),
        }
    }
}

/// A municipality's calendar of working days.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calendar {
    pub closed: ClosedDays,
}

impl Calendar {
    pub fn new(closed: ClosedDays) -> Self {
        Self { closed }
    }

    /// The law's calendar: weekends and public holidays only. Statutory deadlines count in it,
    /// so a municipality's own closed days (grundlovsdag, 24 and 31 December, local days) never
    /// make one later.
    pub fn statutory() -> Self {
        Self::new(ClosedDays {
            grundlovsdag: false,
            juleaftensdag: false,
            nytaarsaftensdag: false,
            extra: Vec::new(),
        })
    }

    /// Why `date` is a closed day in this municipality though the law counts it as a working
    /// day (grundlovsdag, 24 or 31 December, a local closed day), or `None`.
    pub fn closed_but_statutory_working_day(&self, date: Date) -> Option<&'static str> {
        match self.closed_reason(date) {
            Some(reason) if Calendar::statutory().is_working_day(date) => Some(reason),
            _ => None,
        }
    }

    /// Why `date` is not a working day, or `None` if it is one.
    pub fn closed_reason(&self, date: Date) -> Option<&'static str> {
        match date.weekday() {
            Weekday::Saturday => return Some("Lørdag"),
            Weekday::Sunday => return Some("Søndag"),
            _ => {}
        }
        if let Some((_, name)) = public_holidays(date.year())
            .into_iter()
            .find(|(d, _)| *d == date)
        {
            return Some(name);
        }
        let (month, day) = (date.month(), date.day());
        if self.closed.grundlovsdag && (month, day) == (Month::June, 5) {
            return Some("Grundlovsdag");
        }
        if self.closed.juleaftensdag && (month, day) == (Month::December, 24) {
            return Some("Juleaftensdag");
        }
        if self.closed.nytaarsaftensdag && (month, day) == (Month::December, 31) {
            return Some("Nytårsaftensdag");
        }
        if self.closed.extra.contains(&date) {
            return Some("Lukkedag");
        }
        None
    }

    pub fn is_working_day(&self, date: Date) -> bool {
        self.closed_reason(date).is_none()
    }

    /// The last working day before `date`.
    pub fn previous_working_day(&self, date: Date) -> Date {
        let mut day = date.previous_day().expect("within the calendar");
        while !self.is_working_day(day) {
            day = day.previous_day().expect("within the calendar");
        }
        day
    }

    /// A warning for a statutory deadline that runs out on a day this municipality keeps
    /// closed (the law still counts it): the deadline must be met on the working day before.
    pub fn closed_day_warning(&self, due: Date) -> Option<String> {
        let reason = self.closed_but_statutory_working_day(due)?;
        Some(format!(
            "Fristen udløber {} ({}), hvor kommunen holder lukket, men loven regner dagen med: \
             nå den senest {}",
            crate::dates::format_date(due),
            reason.to_lowercase(),
            crate::dates::format_date(self.previous_working_day(due))
        ))
    }

    /// The `n`-th working day after `date` (`date` itself does not count).
    pub fn add_working_days(&self, date: Date, n: u32) -> Date {
        let mut day = date;
        let mut left = n;
        while left > 0 {
            day = day.next_day().expect("within the calendar");
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        day
    }
}

#[cfg(test)]
mod closed_day_tests {
    use super::*;
    use time::macros::date;

    /// Issue 16, item 8: a statutory deadline on a closed day is warned about, with the day to
    /// meet it by; a deadline on a weekend, a public holiday or an open day is not.
    #[test]
    fn a_statutory_deadline_on_a_closed_day_is_warned_about() {
        let calendar = Calendar::new(ClosedDays {
            extra: vec![date!(2027 - 05 - 07)],
            ..ClosedDays::default()
        });
        let table = [
            (date!(2026 - 12 - 24), Some("nå den senest 23.12.2026")),
            (date!(2026 - 12 - 31), Some("nå den senest 30.12.2026")),
            (date!(2027 - 06 - 05), None), // a Saturday in 2027
            (date!(2026 - 06 - 05), Some("nå den senest 04.06.2026")),
            (date!(2027 - 05 - 07), Some("nå den senest 05.05.2027")), // after Kristi himmelfart
            (date!(2026 - 12 - 25), None),
            (date!(2026 - 12 - 23), None),
        ];
        for (due, expected) in table {
            let warning = calendar.closed_day_warning(due);
            match expected {
                Some(text) => assert!(
                    warning.as_deref().is_some_and(|w| w.ends_with(text)),
                    "{due}: {warning:?}"
                ),
                None => assert_eq!(warning, None, "{due}"),
            }
        }
    }
}

/// The same date `n` months later, clamped to the month's end (31 January + 1 month = 28/29
/// February): DOMAIN.md §3, "Month deadlines".
pub fn add_months(date: Date, n: u32) -> Date {
    shift_months(date, n as i32)
}

/// The same date `n` months earlier, clamped to the month's end (31 August − 6 months = 28/29
/// February).
pub fn months_before(date: Date, n: u32) -> Date {
    shift_months(date, -(n as i32))
}

fn shift_months(date: Date, n: i32) -> Date {
    let months = date.year() * 12 + i32::from(u8::from(date.month())) - 1 + n;
    let (year, month) = (
        months.div_euclid(12),
        Month::try_from((months.rem_euclid(12) + 1) as u8).expect("1-12"),
    );
    let day = date.day().min(month.length(year));
    Date::from_calendar_date(year, month, day).expect("clamped day exists")
}

/// The instant of a Danish wall-clock time. In the spring gap (02:00-03:00 on the last Sunday of
/// March) the time is read as summer time; in the autumn overlap the earlier (summer) instant wins.
pub fn danish_local(date: Date, time: Time) -> OffsetDateTime {
    let naive = date.with_time(time);
    for hours in [2, 1] {
        let offset = time::UtcOffset::from_hms(hours, 0, 0).expect("valid");
        let candidate = naive.assume_offset(offset);
        if danish_offset(candidate) == offset {
            return candidate;
        }
    }
    naive.assume_offset(time::UtcOffset::from_hms(2, 0, 0).expect("valid"))
}

/// The last second of `date` in Danish time: when a deadline "on that day" runs out.
pub fn end_of_danish_day(date: Date) -> OffsetDateTime {
    danish_local(date, Time::from_hms(23, 59, 59).expect("valid"))
}

/// The Danish calendar date an instant falls on.
pub fn danish_date(at: OffsetDateTime) -> Date {
    at.to_offset(danish_offset(at)).date()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    /// Easter dates checked against the Danish almanac (Almanak, Københavns Universitet).
    #[test]
    fn easter_sunday_matches_the_almanac() {
        for (year, easter) in [
            (2000, date!(2000 - 04 - 23)),
            (2008, date!(2008 - 03 - 23)),
            (2019, date!(2019 - 04 - 21)),
            (2023, date!(2023 - 04 - 09)),
            (2024, date!(2024 - 03 - 31)),
            (2025, date!(2025 - 04 - 20)),
            (2026, date!(2026 - 04 - 05)),
            (2027, date!(2027 - 03 - 28)),
            (2038, date!(2038 - 04 - 25)),
        ] {
            assert_eq!(easter_sunday(year), easter, "{year}");
        }
    }

    /// Store bededag was the 4th Friday after Easter until 2023; lov nr. 207 af 28/02/2023
    /// abolished it from 2024.
    #[test]
    fn store_bededag_is_a_holiday_in_2023_but_not_from_2024() {
        let cal = Calendar::default();
        assert_eq!(
            cal.closed_reason(date!(2023 - 05 - 05)),
            Some("Store bededag")
        );
        assert!(
            cal.is_working_day(date!(2024 - 04 - 26)),
            "would have been store bededag 2024"
        );
        assert!(
            cal.is_working_day(date!(2026 - 05 - 01)),
            "would have been store bededag 2026"
        );
    }

    #[test]
    fn the_2026_holidays_are_the_hand_checked_ones() {
        let expected = [
            (date!(2026 - 01 - 01), "Nytårsdag"),
            (date!(2026 - 04 - 02), "Skærtorsdag"),
            (date!(2026 - 04 - 03), "Langfredag"),
            (date!(2026 - 04 - 05), "Påskedag"),
            (date!(2026 - 04 - 06), "2. påskedag"),
            (date!(2026 - 05 - 14), "Kristi himmelfartsdag"),
            (date!(2026 - 05 - 24), "Pinsedag"),
            (date!(2026 - 05 - 25), "2. pinsedag"),
            (date!(2026 - 12 - 25), "Juledag"),
            (date!(2026 - 12 - 26), "2. juledag"),
        ];
        assert_eq!(public_holidays(2026), expected);
    }

    #[test]
    fn closed_days_are_configurable_per_municipality() {
        let all = Calendar::default();
        let none = Calendar::new(ClosedDays {
            grundlovsdag: false,
            juleaftensdag: false,
            nytaarsaftensdag: false,
            extra: vec![date!(2026 - 11 - 27)],
        });
        for day in [
            date!(2026 - 06 - 05),
            date!(2026 - 12 - 24),
            date!(2026 - 12 - 31),
        ] {
            assert!(!all.is_working_day(day), "{day}");
            assert!(none.is_working_day(day), "{day}");
        }
        assert_eq!(none.closed_reason(date!(2026 - 11 - 27)), Some("Lukkedag"));
    }

    #[test]
    fn working_days_skip_weekends_holidays_and_christmas() {
        let cal = Calendar::default();
        // Thu 17.12.2026 + 6: Fri 18, Mon 21, Tue 22, Wed 23, (24-27 closed) Mon 28, Tue 29.
        assert_eq!(
            cal.add_working_days(date!(2026 - 12 - 17), 6),
            date!(2026 - 12 - 29)
        );
        let open_christmas_eve = Calendar::new(ClosedDays {
            juleaftensdag: false,
            ..ClosedDays::default()
        });
        assert_eq!(
            open_christmas_eve.add_working_days(date!(2026 - 12 - 17), 6),
            date!(2026 - 12 - 28)
        );
        // Over Easter 2026: Wed 1 April + 1 = Tue 7 April.
        assert_eq!(
            cal.add_working_days(date!(2026 - 04 - 01), 1),
            date!(2026 - 04 - 07)
        );
        // A Saturday start: the first working day after is Monday.
        assert_eq!(
            cal.add_working_days(date!(2026 - 11 - 21), 1),
            date!(2026 - 11 - 23)
        );
    }

    #[test]
    fn month_arithmetic_keeps_the_date_and_clamps_to_month_end() {
        for (from, months, to) in [
            (date!(2026 - 01 - 31), 1, date!(2026 - 02 - 28)),
            (date!(2024 - 01 - 31), 1, date!(2024 - 02 - 29)),
            (date!(2026 - 10 - 31), 4, date!(2027 - 02 - 28)),
            (date!(2026 - 11 - 23), 3, date!(2027 - 02 - 23)),
            (date!(2026 - 08 - 31), 3, date!(2026 - 11 - 30)),
            (date!(2026 - 12 - 15), 12, date!(2027 - 12 - 15)),
        ] {
            assert_eq!(add_months(from, months), to, "{from} + {months}");
        }
    }

    /// Exhaustive over 2020-2030 (a property check without a generator): the result is a working
    /// day, and exactly `n` working days lie after the start up to and including it.
    #[test]
    fn adding_working_days_lands_on_the_nth_working_day_for_every_start_date() {
        let cal = Calendar::default();
        let mut day = date!(2020 - 01 - 01);
        while day < date!(2030 - 12 - 31) {
            for n in [1, 6, 7] {
                let due = cal.add_working_days(day, n);
                assert!(cal.is_working_day(due), "{day} + {n}");
                let mut counted = 0;
                let mut d = day;
                while d < due {
                    d = d.next_day().unwrap();
                    if cal.is_working_day(d) {
                        counted += 1;
                    }
                }
                assert_eq!(counted, n, "{day} + {n}");
            }
            day = day.next_day().unwrap();
        }
    }

    #[test]
    fn adding_months_never_overshoots_the_target_month() {
        let mut day = date!(2020 - 01 - 01);
        while day < date!(2030 - 12 - 31) {
            for n in [1, 3, 4, 12] {
                let due = add_months(day, n);
                let months = (due.year() - day.year()) * 12 + i32::from(u8::from(due.month()))
                    - i32::from(u8::from(day.month()));
                assert_eq!(months, n as i32, "{day} + {n}");
                assert!(due.day() <= day.day(), "{day} + {n}");
            }
            day = day.next_day().unwrap();
        }
    }

    #[test]
    fn local_times_follow_summer_time() {
        assert_eq!(
            danish_local(date!(2026 - 01 - 15), Time::MIDNIGHT),
            datetime!(2026 - 01 - 14 23:00 UTC)
        );
        assert_eq!(
            danish_local(date!(2026 - 07 - 15), Time::MIDNIGHT),
            datetime!(2026 - 07 - 14 22:00 UTC)
        );
        // 02:30 on 29.03.2026 does not exist; it is read as summer time.
        assert_eq!(
            danish_local(date!(2026 - 03 - 29), Time::from_hms(2, 30, 0).unwrap()),
            datetime!(2026 - 03 - 29 00:30 UTC)
        );
        assert_eq!(
            end_of_danish_day(date!(2026 - 12 - 29)),
            datetime!(2026 - 12 - 29 22:59:59 UTC)
        );
        assert_eq!(
            danish_date(datetime!(2026 - 07 - 14 22:30 UTC)),
            date!(2026 - 07 - 15)
        );
    }
}
