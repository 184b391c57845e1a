//! What a measure costs: its offer's unit and price periods applied to the measure's quantity and
//! dates, in whole øre with no floating point.
//!
//! Prices per week or month are spread evenly over the days they cover (a month's price over the
//! days of that calendar month, so every full month costs exactly its price, in February as in
//! July). The exact cost is kept as a fraction over a common denominator and only the running
//! total from the measure's start is rounded down; the cost of any window is the difference of
//! two running totals. So splitting a period — by year, by month, by a price change — never
//! changes the sum, and no øre is lost or invented at a split.

use serde::{Deserialize, Serialize};
use time::{Date, Duration, Month};

/// What one price is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Day,
    Week,
    Month,
    Hour,
    Once,
}

impl Unit {
    pub const ALL: [Unit; 5] = [Unit::Day, Unit::Week, Unit::Month, Unit::Hour, Unit::Once];

    pub fn code(self) -> &'static str {
        match self {
            Unit::Day => "day",
            Unit::Week => "week",
            Unit::Month => "month",
            Unit::Hour => "hour",
            Unit::Once => "once",
        }
    }

    /// `pr. døgn`, as written after a price.
    pub fn label(self) -> &'static str {
        match self {
            Unit::Day => "pr. døgn",
            Unit::Week => "pr. uge",
            Unit::Month => "pr. måned",
            Unit::Hour => "pr. time",
            Unit::Once => "engangsbeløb",
        }
    }

    pub fn parse(code: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|u| u.code() == code.trim())
            .ok_or_else(|| {
                "Vælg hvad prisen gælder for (døgn, uge, måned, time eller engangsbeløb)".to_owned()
            })
    }
}

/// For an hourly offer: how often the measure's hours recur.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HoursPer {
    Week,
    Month,
}

impl HoursPer {
    pub const ALL: [HoursPer; 2] = [HoursPer::Week, HoursPer::Month];

    pub fn code(self) -> &'static str {
        match self {
            HoursPer::Week => "week",
            HoursPer::Month => "month",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            HoursPer::Week => "timer pr. uge",
            HoursPer::Month => "timer pr. måned",
        }
    }

    pub fn parse(code: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|u| u.code() == code.trim())
            .ok_or_else(|| "Vælg om timerne er pr. uge eller pr. måned".to_owned())
    }
}

/// A price valid from `from` to `to` (both inclusive; open-ended without `to`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PricePeriod {
    pub from: Date,
    pub to: Option<Date>,
    pub price_ore: i64,
}

impl PricePeriod {
    pub fn contains(&self, day: Date) -> bool {
        self.from <= day && self.to.is_none_or(|to| day <= to)
    }
}

/// The price valid on `day`, if any.
pub fn price_on(periods: &[PricePeriod], day: Date) -> Option<i64> {
    periods
        .iter()
        .find(|p| p.contains(day))
        .map(|p| p.price_ore)
}

/// Quantities are kept in hundredths (1,5 timer = 150).
pub const QUANTITY_SCALE: i64 = 100;

/// The least common multiple of 7 and every month length (28-31): each day's share of a week's
/// or a month's price is a whole number of 1/`DAY_PARTS` øre.
const DAY_PARTS: i128 = 377_580;

/// What a measure is charged: its offer's unit and prices, its quantity and its dates.
#[derive(Debug, Clone, Copy)]
pub struct Charge<'a> {
    pub unit: Unit,
    /// For hourly offers; ignored otherwise.
    pub hours_per: HoursPer,
    /// In hundredths ([`QUANTITY_SCALE`]).
    pub quantity: i64,
    pub starts_on: Date,
    /// Inclusive.
    pub ends_on: Date,
    pub prices: &'a [PricePeriod],
}

/// A cost, and how many of its days had no valid price (a gap between price periods).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Cost {
    pub ore: i64,
    pub unpriced_days: i64,
}

impl std::ops::Add for Cost {
    type Output = Cost;
    fn add(self, other: Cost) -> Cost {
        Cost {
            ore: self.ore + other.ore,
            unpriced_days: self.unpriced_days + other.unpriced_days,
        }
    }
}

impl std::iter::Sum for Cost {
    fn sum<I: Iterator<Item = Cost>>(iter: I) -> Cost {
        iter.fold(Cost::default(), |a, b| a + b)
    }
}

fn first_of_next_month(day: Date) -> Date {
    let (year, month) = match day.month() {
        Month::December => (day.year() + 1, Month::January),
        m => (day.year(), m.next()),
    };
    Date::from_calendar_date(year, month, 1).expect("the first of a month exists")
}

fn days(from: Date, to_exclusive: Date) -> i64 {
    i64::from(to_exclusive.to_julian_day() - from.to_julian_day())
}

impl Charge<'_> {
    /// The days a price is spread over at `day`: 1, 7 or the length of `day`'s month.
    fn spread(&self, day: Date) -> i128 {
        let per_month = match self.unit {
            Unit::Day | Unit::Once => return 1,
            Unit::Week => false,
            Unit::Month => true,
            Unit::Hour => self.hours_per == HoursPer::Month,
        };
        if per_month {
            i128::from(day.month().length(day.year()))
        } else {
            7
        }
    }

    /// The exact cost of the days `[self.starts_on, until)` in 1/(`DAY_PARTS` × 100) øre, and the
    /// days among them without a price.
    fn exact_until(&self, until: Date) -> (i128, i64) {
        let until = until.min(self.ends_on + Duration::days(1));
        if until <= self.starts_on {
            return (0, 0);
        }
        let quantity = i128::from(self.quantity);
        if self.unit == Unit::Once {
            return match price_on(self.prices, self.starts_on) {
                Some(price) => (i128::from(price) * quantity * DAY_PARTS, 0),
                None => (0, 1),
            };
        }
        let (mut exact, mut unpriced) = (0i128, 0i64);
        let mut day = self.starts_on;
        while day < until {
            // A stretch ends where the month (and so a month's spread) or the price changes.
            let mut end = first_of_next_month(day).min(until);
            let period = self.prices.iter().find(|p| p.contains(day));
            match period {
                Some(p) => {
                    if let Some(to) = p.to {
                        end = end.min(to + Duration::days(1));
                    }
                    let share = DAY_PARTS / self.spread(day);
                    exact +=
                        i128::from(days(day, end)) * i128::from(p.price_ore) * quantity * share;
                }
                None => {
                    if let Some(next) = self
                        .prices
                        .iter()
                        .map(|p| p.from)
                        .filter(|f| *f > day)
                        .min()
                    {
                        end = end.min(next);
                    }
                    unpriced += days(day, end);
                }
            }
            day = end;
        }
        (exact, unpriced)
    }

    /// The running total from the start up to (not including) `until`, in whole øre.
    fn running_total(&self, until: Date) -> (i64, i64) {
        let (exact, unpriced) = self.exact_until(until);
        let ore = exact / (DAY_PARTS * i128::from(QUANTITY_SCALE));
        (i64::try_from(ore).unwrap_or(i64::MAX), unpriced)
    }

    /// The cost of the days from `from` to `to`, both inclusive, within the measure's dates.
    pub fn cost_between(&self, from: Date, to: Date) -> Cost {
        let from = from.max(self.starts_on);
        let to = to.min(self.ends_on);
        if from > to {
            return Cost::default();
        }
        let (before, unpriced_before) = self.running_total(from);
        let (through, unpriced_through) = self.running_total(to + Duration::days(1));
        Cost {
            ore: through - before,
            unpriced_days: unpriced_through - unpriced_before,
        }
    }

    /// The cost over the measure's whole duration.
    pub fn total(&self) -> Cost {
        self.cost_between(self.starts_on, self.ends_on)
    }

    /// The cost of calendar year `year`.
    pub fn in_year(&self, year: i32) -> Cost {
        let (first, last) = year_bounds(year);
        self.cost_between(first, last)
    }

    /// The cost of each month of `year`, January first.
    pub fn per_month(&self, year: i32) -> [i64; 12] {
        let mut months = [0; 12];
        for (i, month) in months.iter_mut().enumerate() {
            let (first, last) = month_bounds(year, i as u8 + 1);
            *month = self.cost_between(first, last).ore;
        }
        months
    }

    /// The cost of the measure's first twelve months: what the kompetenceplan compares with its
    /// threshold, so a short expensive measure and a long one are judged by the same yardstick.
    pub fn first_year(&self) -> Cost {
        let year_later = self
            .starts_on
            .replace_year(self.starts_on.year() + 1)
            .unwrap_or_else(|_| self.starts_on + Duration::days(365));
        self.cost_between(self.starts_on, year_later - Duration::days(1))
    }
}

/// The first and last day of `year`.
pub fn year_bounds(year: i32) -> (Date, Date) {
    (
        Date::from_calendar_date(year, Month::January, 1).expect("1 January exists"),
        Date::from_calendar_date(year, Month::December, 31).expect("31 December exists"),
    )
}

/// The first and last day of month `month` (1-12) of `year`.
pub fn month_bounds(year: i32, month: u8) -> (Date, Date) {
    let month = Month::try_from(month).unwrap_or(Month::January);
    let first = Date::from_calendar_date(year, month, 1).expect("the first exists");
    (first, first_of_next_month(first) - Duration::days(1))
}

/// The measure's expected duration in words: `3 måneder`, `1 år og 2 måneder`, `10 dage`.
pub fn duration_text(starts_on: Date, ends_on: Date) -> String {
    // Whole months from the start to the day after the end: 1 March to 31 May is three.
    let day_after = ends_on + Duration::days(1);
    let mut months = (day_after.year() - starts_on.year()) * 12
        + i32::from(u8::from(day_after.month()))
        - i32::from(u8::from(starts_on.month()));
    if day_after.day() < starts_on.day() {
        months -= 1;
    }
    if months < 1 {
        let n = days(starts_on, day_after);
        return if n == 1 {
            "1 dag".into()
        } else {
            format!("{n} dage")
        };
    }
    let (years, months) = (months / 12, months % 12);
    let plural = |n: i32, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    match (years, months) {
        (0, m) => format!("ca. {}", plural(m, "måned", "måneder")),
        (y, 0) => format!("ca. {}", plural(y, "år", "år")),
        (y, m) => format!(
            "ca. {} og {}",
            plural(y, "år", "år"),
            plural(m, "måned", "måneder")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const NO_END: Option<Date> = None;

    fn prices(list: &[(Date, Option<Date>, i64)]) -> Vec<PricePeriod> {
        list.iter()
            .map(|&(from, to, price_ore)| PricePeriod {
                from,
                to,
                price_ore,
            })
            .collect()
    }

    fn charge(
        unit: Unit,
        quantity: i64,
        starts_on: Date,
        ends_on: Date,
        prices: &[PricePeriod],
    ) -> Charge<'_> {
        Charge {
            unit,
            hours_per: HoursPer::Week,
            quantity,
            starts_on,
            ends_on,
            prices,
        }
    }

    #[test]
    fn a_daily_price_counts_every_day_including_the_29th_of_february() {
        let p = prices(&[(date!(2020 - 01 - 01), NO_END, 100_000)]);
        let c = charge(
            Unit::Day,
            100,
            date!(2028 - 01 - 01),
            date!(2028 - 12 - 31),
            &p,
        );
        assert_eq!(c.total().ore, 366 * 100_000, "2028 is a leap year");
        let c = charge(
            Unit::Day,
            100,
            date!(2027 - 01 - 01),
            date!(2027 - 12 - 31),
            &p,
        );
        assert_eq!(c.total().ore, 365 * 100_000);
    }

    #[test]
    fn a_full_calendar_month_costs_exactly_its_price_whatever_its_length() {
        let p = prices(&[(date!(2020 - 01 - 01), NO_END, 3_000_000)]);
        let c = charge(
            Unit::Month,
            100,
            date!(2028 - 01 - 01),
            date!(2028 - 12 - 31),
            &p,
        );
        assert_eq!(c.per_month(2028), [3_000_000; 12]);
        assert_eq!(c.total().ore, 12 * 3_000_000);
        let half = charge(
            Unit::Month,
            100,
            date!(2027 - 02 - 01),
            date!(2027 - 02 - 14),
            &p,
        );
        assert_eq!(half.total().ore, 1_500_000, "14 of February's 28 days");
    }

    #[test]
    fn a_price_change_mid_period_splits_it() {
        let p = prices(&[
            (date!(2026 - 01 - 01), Some(date!(2026 - 12 - 31)), 100_000),
            (date!(2027 - 01 - 01), NO_END, 110_000),
        ]);
        let c = charge(
            Unit::Day,
            200,
            date!(2026 - 12 - 30),
            date!(2027 - 01 - 02),
            &p,
        );
        assert_eq!(c.total().ore, 2 * (2 * 100_000 + 2 * 110_000));
        assert_eq!(c.in_year(2026).ore, 400_000);
        assert_eq!(c.in_year(2027).ore, 440_000);
    }

    #[test]
    fn days_without_a_price_cost_nothing_and_are_counted() {
        let p = prices(&[
            (date!(2026 - 01 - 01), Some(date!(2026 - 01 - 10)), 1_000),
            (date!(2026 - 01 - 21), NO_END, 1_000),
        ]);
        let c = charge(
            Unit::Day,
            100,
            date!(2026 - 01 - 01),
            date!(2026 - 01 - 31),
            &p,
        );
        assert_eq!(
            c.total(),
            Cost {
                ore: 21_000,
                unpriced_days: 10
            }
        );
    }

    #[test]
    fn hours_per_week_are_spread_over_the_week() {
        let p = prices(&[(date!(2026 - 01 - 01), NO_END, 85_000)]);
        let c = Charge {
            hours_per: HoursPer::Week,
            ..charge(
                Unit::Hour,
                600,
                date!(2026 - 01 - 05),
                date!(2026 - 02 - 01),
                &p,
            )
        };
        assert_eq!(c.total().ore, 4 * 6 * 85_000, "four weeks of six hours");
        let monthly = Charge {
            hours_per: HoursPer::Month,
            ..charge(
                Unit::Hour,
                1000,
                date!(2026 - 03 - 01),
                date!(2026 - 03 - 31),
                &p,
            )
        };
        assert_eq!(monthly.total().ore, 10 * 85_000);
    }

    #[test]
    fn a_once_price_falls_on_the_start_date() {
        let p = prices(&[(date!(2026 - 01 - 01), NO_END, 250_000)]);
        let c = charge(
            Unit::Once,
            100,
            date!(2026 - 12 - 15),
            date!(2027 - 03 - 01),
            &p,
        );
        assert_eq!(c.in_year(2026).ore, 250_000);
        assert_eq!(c.in_year(2027).ore, 0);
        assert_eq!(c.total().ore, 250_000);
    }

    #[test]
    fn the_first_year_is_twelve_months_from_the_start() {
        let p = prices(&[(date!(2026 - 01 - 01), NO_END, 100)]);
        let c = charge(
            Unit::Day,
            100,
            date!(2027 - 03 - 01),
            date!(2030 - 01 - 01),
            &p,
        );
        assert_eq!(
            c.first_year().ore,
            366 * 100,
            "1.3.2027-29.2.2028 spans a leap day"
        );
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(
            duration_text(date!(2026 - 03 - 01), date!(2026 - 05 - 31)),
            "ca. 3 måneder"
        );
        assert_eq!(
            duration_text(date!(2026 - 03 - 15), date!(2027 - 03 - 14)),
            "ca. 1 år"
        );
        assert_eq!(
            duration_text(date!(2026 - 01 - 01), date!(2027 - 02 - 28)),
            "ca. 1 år og 2 måneder"
        );
        assert_eq!(
            duration_text(date!(2026 - 01 - 01), date!(2026 - 01 - 10)),
            "10 dage"
        );
        assert_eq!(
            duration_text(date!(2026 - 01 - 01), date!(2026 - 01 - 01)),
            "1 dag"
        );
    }
}
