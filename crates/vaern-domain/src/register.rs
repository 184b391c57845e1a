//! A person as the CPR register (Det Centrale Personregister) knows them: name, status, address,
//! parents and custody holders. Værn reads the register; it never writes to it.

use serde::Serialize;
use time::Date;

use crate::cpr::Cpr;

/// A person's status in the register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "status", content = "date", rename_all = "snake_case")]
pub enum RegisterStatus {
    /// Alive and resident in Denmark.
    Active,
    /// Died on the date.
    Dead(Date),
    /// Emigrated on the date.
    Emigrated(Date),
}

impl RegisterStatus {
    /// The stored code: `active`, `dead` or `emigrated`.
    pub fn code(self) -> &'static str {
        match self {
            RegisterStatus::Active => "active",
            RegisterStatus::Dead(_) => "dead",
            RegisterStatus::Emigrated(_) => "emigrated",
        }
    }

    /// The date of death or emigration.
    pub fn date(self) -> Option<Date> {
        match self {
            RegisterStatus::Active => None,
            RegisterStatus::Dead(date) | RegisterStatus::Emigrated(date) => Some(date),
        }
    }

    /// Builds the status from its stored code and date; `None` if they do not fit together.
    pub fn from_code(code: &str, date: Option<Date>) -> Option<Self> {
        match (code, date) {
            ("active", None) => Some(RegisterStatus::Active),
            ("dead", Some(date)) => Some(RegisterStatus::Dead(date)),
            ("emigrated", Some(date)) => Some(RegisterStatus::Emigrated(date)),
            _ => None,
        }
    }
}

/// A registered address: the lines of a letter and the municipality it lies in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegisterAddress {
    /// The municipality's four-digit code (kommunekode), e.g. `0101` for København.
    pub municipality_code: String,
    /// Street and number, floor and door, then postcode and town: ready for a letter.
    pub lines: Vec<String>,
}

/// One person's current record in the register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegisterPerson {
    pub cpr: Cpr,
    /// All first and middle names, as registered.
    pub first_name: String,
    pub last_name: String,
    pub status: RegisterStatus,
    pub address: Option<RegisterAddress>,
    pub mother: Option<Cpr>,
    pub father: Option<Cpr>,
    /// Those who hold custody (forældremyndighed) of the person, when the person is a child.
    pub custody: Vec<Cpr>,
}

impl RegisterPerson {
    pub fn full_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }
}
