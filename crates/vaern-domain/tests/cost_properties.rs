//! Properties of the cost computation that must hold for every price list and every measure:
//! splitting a period never changes the sum, months and years add up, leap years and month
//! lengths are honoured.

use proptest::prelude::*;
use time::{Date, Duration, Month};
use vaern_domain::economy::cost::{Charge, HoursPer, PricePeriod, Unit, month_bounds, year_bounds};

fn day(offset: i64) -> Date {
    Date::from_calendar_date(2024, Month::January, 1).unwrap() + Duration::days(offset)
}

prop_compose! {
    /// One to three consecutive price periods from 2024, with optional gaps between them.
    fn price_list()(
        prices in prop::collection::vec(0i64..5_000_000, 1..4),
        lengths in prop::collection::vec(1i64..900, 3),
        gaps in prop::collection::vec(0i64..40, 3),
        open_ended in any::<bool>(),
    ) -> Vec<PricePeriod> {
        let mut start = 0;
        let count = prices.len();
        prices.iter().enumerate().map(|(i, &price_ore)| {
            let from = day(start);
            let last = i + 1 == count;
            let to = (!(last && open_ended)).then(|| from + Duration::days(lengths[i] - 1));
            start += lengths[i] + gaps[i];
            PricePeriod { from, to, price_ore }
        }).collect()
    }
}

fn unit() -> impl Strategy<Value = (Unit, HoursPer)> {
    prop_oneof![
        Just((Unit::Day, HoursPer::Week)),
        Just((Unit::Week, HoursPer::Week)),
        Just((Unit::Month, HoursPer::Week)),
        Just((Unit::Hour, HoursPer::Week)),
        Just((Unit::Hour, HoursPer::Month)),
        Just((Unit::Once, HoursPer::Week)),
    ]
}

proptest! {
    #[test]
    fn splitting_a_period_anywhere_never_changes_the_sum(
        prices in price_list(),
        (unit, hours_per) in unit(),
        quantity in 1i64..100_000,
        start in 0i64..1500,
        length in 0i64..2000,
        split in 0i64..2000,
    ) {
        let charge = Charge { unit, hours_per, quantity, starts_on: day(start), ends_on: day(start + length), prices: &prices };
        let split = day(start + split.min(length));
        let whole = charge.total();
        let left = charge.cost_between(charge.starts_on, split);
        let right = charge.cost_between(split + Duration::days(1), charge.ends_on);
        prop_assert_eq!(left + right, whole);
        prop_assert!(whole.ore >= 0);
    }

    #[test]
    fn the_months_of_a_year_add_up_to_the_year_and_the_years_to_the_total(
        prices in price_list(),
        (unit, hours_per) in unit(),
        quantity in 1i64..100_000,
        start in 0i64..1500,
        length in 0i64..1500,
    ) {
        let charge = Charge { unit, hours_per, quantity, starts_on: day(start), ends_on: day(start + length), prices: &prices };
        let years = charge.starts_on.year()..=charge.ends_on.year();
        for year in years.clone() {
            prop_assert_eq!(charge.per_month(year).iter().sum::<i64>(), charge.in_year(year).ore);
        }
        prop_assert_eq!(years.map(|y| charge.in_year(y)).sum::<vaern_domain::economy::cost::Cost>(), charge.total());
    }

    /// Month lengths: a full calendar month costs its price, be it 28, 29, 30 or 31 days long.
    #[test]
    fn every_full_calendar_month_costs_exactly_its_monthly_price(
        price in 0i64..5_000_000,
        whole_quantity in 1i64..20,
        year in 1990i32..2100,
        month in 1u8..=12,
    ) {
        let prices = [PricePeriod { from: year_bounds(year).0, to: None, price_ore: price }];
        let (first, last) = month_bounds(year, month);
        let charge = Charge { unit: Unit::Month, hours_per: HoursPer::Week, quantity: whole_quantity * 100, starts_on: first, ends_on: last, prices: &prices };
        prop_assert_eq!(charge.total().ore, price * whole_quantity);
    }

    /// Leap years: a daily price over a calendar year is paid 366 times in a leap year, else 365.
    #[test]
    fn a_daily_price_over_a_year_is_paid_for_each_of_its_days(
        price in 0i64..5_000_000,
        year in 1990i32..2100,
    ) {
        let (first, last) = year_bounds(year);
        let prices = [PricePeriod { from: first, to: None, price_ore: price }];
        let charge = Charge { unit: Unit::Day, hours_per: HoursPer::Week, quantity: 100, starts_on: first, ends_on: last, prices: &prices };
        let days = if time::util::is_leap_year(year) { 366 } else { 365 };
        prop_assert_eq!(charge.in_year(year).ore, price * days);
        prop_assert_eq!(charge.per_month(year)[1], price * if days == 366 { 29 } else { 28 });
    }
}
