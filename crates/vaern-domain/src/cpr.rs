//! CPR numbers (personnummer), DOMAIN.md §8.
//!
//! Source for the rules: CPR-kontoret, "Personnummeret i CPR-systemet" (Indenrigs- og
//! Sundhedsministeriet, 2008) — the table mapping digit 7 and the year to the century, and the
//! statement that since 1 October 2007 numbers are issued without a modulus-11 check digit.
//! A CPR number is therefore never rejected for failing modulus 11.

use serde::{Deserialize, Serialize};
use time::{Date, Month};

use crate::dates::format_date;

/// A valid CPR number (10 digits whose first six form an existing date).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Cpr(String);

/// Legal sex as registered in CPR: odd last digit is male.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sex {
    Male,
    Female,
}

impl Sex {
    /// The stored code.
    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Male => "male",
            Sex::Female => "female",
        }
    }

    /// Parses the stored code.
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "male" => Some(Sex::Male),
            "female" => Some(Sex::Female),
            _ => None,
        }
    }

    /// Danish word for a child of this sex.
    pub fn child_label(self) -> &'static str {
        match self {
            Sex::Male => "Dreng",
            Sex::Female => "Pige",
        }
    }
}

impl Cpr {
    /// Parses `DDMMYY-SSSS`, `DDMMYYSSSS` or `DDMMYY SSSS`. Errors are Danish, for the user.
    pub fn parse(input: &str) -> Result<Self, String> {
        let trimmed = input.trim();
        let digits: String = trimmed
            .chars()
            .filter(|c| !matches!(c, '-' | ' '))
            .collect();
        let separators = trimmed.len() - digits.len();
        if digits.len() != 10
            || !digits.chars().all(|c| c.is_ascii_digit())
            || separators > 1
            || (separators == 1 && trimmed.chars().nth(6).is_none_or(|c| c != '-' && c != ' '))
        {
            return Err(
                "CPR-nummeret skal have formen DDMMÅÅ-XXXX (10 cifre, bindestreg valgfri)".into(),
            );
        }
        let number = |range: std::ops::Range<usize>| -> u32 {
            digits[range].parse().expect("checked to be ASCII digits")
        };
        let (day, month, yy, digit7) = (number(0..2), number(2..4), number(4..6), number(6..7));
        let year = century_base(digit7, yy) + yy as i32;
        let date = Month::try_from(month as u8)
            .ok()
            .and_then(|m| Date::from_calendar_date(year, m, day as u8).ok());
        if date.is_none() {
            return Err(format!(
                "CPR-nummeret findes ikke: datoen {:02}.{:02}.{year} eksisterer ikke",
                day, month
            ));
        }
        Ok(Cpr(digits))
    }

    /// The ten digits without separator, as stored and searched.
    pub fn digits(&self) -> &str {
        &self.0
    }

    /// The birth date, with the century derived from digit 7.
    pub fn birth_date(&self) -> Date {
        let n = |r: std::ops::Range<usize>| -> u32 { self.0[r].parse().expect("valid CPR") };
        let yy = n(4..6);
        let year = century_base(n(6..7), yy) + yy as i32;
        let month = Month::try_from(n(2..4) as u8).expect("valid CPR");
        Date::from_calendar_date(year, month, n(0..2) as u8).expect("valid CPR")
    }

    /// Sex from the last digit.
    pub fn sex(&self) -> Sex {
        if self.0.as_bytes()[9] % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    /// `DDMMYY-xxxx`: what screens show unless the full number is needed.
    pub fn masked(&self) -> String {
        format!("{}-xxxx", &self.0[..6])
    }

    /// `DDMMYY-SSSS`.
    pub fn formatted(&self) -> String {
        format!("{}-{}", &self.0[..6], &self.0[6..])
    }

    /// A human description of the derived birth date (for messages).
    pub fn birth_date_text(&self) -> String {
        format_date(self.birth_date())
    }
}

/// The century table from CPR-kontoret: digit 7 and YY give the century.
fn century_base(digit7: u32, yy: u32) -> i32 {
    match digit7 {
        0..=3 => 1900,
        4 | 9 => {
            if yy <= 36 {
                2000
            } else {
                1900
            }
        }
        _ => {
            if yy <= 57 {
                2000
            } else {
                1800
            }
        }
    }
}

impl TryFrom<String> for Cpr {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Cpr::parse(&value)
    }
}

impl From<Cpr> for String {
    fn from(value: Cpr) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    /// Century table, CPR-kontoret "Personnummeret i CPR-systemet" (2008), section 3.
    #[test]
    fn the_century_follows_digit_seven_and_the_year() {
        let table: &[(&str, Date, &str)] = &[
            (
                "010190-0001",
                date!(1990 - 01 - 01),
                "digit 7 = 0 → 1900-1999",
            ),
            (
                "010190-3001",
                date!(1990 - 01 - 01),
                "digit 7 = 3 → 1900-1999",
            ),
            (
                "010136-4001",
                date!(2036 - 01 - 01),
                "digit 7 = 4, YY ≤ 36 → 2000s",
            ),
            (
                "010137-4001",
                date!(1937 - 01 - 01),
                "digit 7 = 4, YY ≥ 37 → 1900s",
            ),
            (
                "010157-5001",
                date!(2057 - 01 - 01),
                "digit 7 = 5, YY ≤ 57 → 2000s",
            ),
            (
                "010158-5001",
                date!(1858 - 01 - 01),
                "digit 7 = 5, YY ≥ 58 → 1800s",
            ),
            (
                "010108-8001",
                date!(2008 - 01 - 01),
                "digit 7 = 8, YY ≤ 57 → 2000s",
            ),
            (
                "010136-9001",
                date!(2036 - 01 - 01),
                "digit 7 = 9, YY ≤ 36 → 2000s",
            ),
            (
                "010137-9001",
                date!(1937 - 01 - 01),
                "digit 7 = 9, YY ≥ 37 → 1900s",
            ),
            ("150615-4123", date!(2015 - 06 - 15), "a child born 2015"),
        ];
        for (cpr, birth, why) in table {
            let parsed = Cpr::parse(cpr).unwrap_or_else(|e| panic!("{cpr} ({why}): {e}"));
            assert_eq!(parsed.birth_date(), *birth, "{cpr}: {why}");
        }
    }

    /// Since 1 October 2007 CPR numbers are issued without modulus-11 (CPR-kontoret 2008).
    #[test]
    fn a_number_failing_modulus_eleven_is_still_valid() {
        // 010107-4001: weights 4,3,2,7,6,5,4,3,2,1 give a sum not divisible by 11.
        let digits = [0, 1, 0, 1, 0, 7, 4, 0, 0, 1];
        let weights = [4, 3, 2, 7, 6, 5, 4, 3, 2, 1];
        let sum: u32 = digits.iter().zip(weights).map(|(d, w)| d * w).sum();
        assert_ne!(sum % 11, 0, "the example must fail modulus 11");
        assert!(Cpr::parse("010107-4001").is_ok());
    }

    #[test]
    fn the_sex_follows_the_last_digit() {
        assert_eq!(Cpr::parse("0101904001").unwrap().sex(), Sex::Male);
        assert_eq!(Cpr::parse("0101904002").unwrap().sex(), Sex::Female);
    }

    #[test]
    fn dash_space_and_no_separator_are_all_accepted() {
        for input in ["150615-4123", "1506154123", "150615 4123", " 150615-4123 "] {
            assert_eq!(Cpr::parse(input).unwrap().digits(), "1506154123", "{input}");
        }
    }

    #[test]
    fn a_date_that_does_not_exist_is_rejected_with_the_date() {
        // 29 February 2001 (digit 7 = 4, YY = 01 → 2001) does not exist.
        assert_eq!(
            Cpr::parse("290201-4001").unwrap_err(),
            "CPR-nummeret findes ikke: datoen 29.02.2001 eksisterer ikke"
        );
        // 29 February 2004 does.
        assert!(Cpr::parse("290204-4001").is_ok());
        assert!(Cpr::parse("320115-4001").is_err());
        assert!(Cpr::parse("011315-4001").is_err());
    }

    #[test]
    fn malformed_input_is_rejected_with_the_expected_form() {
        for input in [
            "",
            "12345",
            "150615-412",
            "15061541234",
            "1506-154123",
            "15o615-4123",
            "150615--4123",
        ] {
            assert_eq!(
                Cpr::parse(input).unwrap_err(),
                "CPR-nummeret skal have formen DDMMÅÅ-XXXX (10 cifre, bindestreg valgfri)",
                "{input:?}"
            );
        }
    }

    #[test]
    fn masking_hides_the_serial_number() {
        assert_eq!(Cpr::parse("1506154123").unwrap().masked(), "150615-xxxx");
        assert_eq!(Cpr::parse("1506154123").unwrap().formatted(), "150615-4123");
    }
}
