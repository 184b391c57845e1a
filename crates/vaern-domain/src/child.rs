//! Creating a child: CPR or, without one, a birth date (foreign or unknown CPR).

use serde::Deserialize;
use time::Date;

use crate::{
    FieldErrors,
    cpr::{Cpr, Sex},
    dates::{format_date, parse_date},
    text::required_line,
};

/// Names are at most this long (CPR allows 34 + 40; leave room for foreign names).
pub const NAME_MAX: usize = 100;

/// The raw form or JSON body for a new child.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct NewChildInput {
    pub cpr: Option<String>,
    pub first_name: String,
    pub last_name: String,
    pub birth_date: Option<String>,
    /// `male` / `female`; only used without CPR.
    pub sex: Option<String>,
}

/// A validated new child.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewChild {
    pub cpr: Option<Cpr>,
    pub first_name: String,
    pub last_name: String,
    pub birth_date: Date,
    pub sex: Option<Sex>,
}

impl NewChild {
    /// Validates every field and reports all problems at once. `today` bounds the birth date.
    pub fn parse(input: &NewChildInput, today: Date) -> Result<NewChild, FieldErrors> {
        let mut errors = FieldErrors::new();
        let first_name = errors.take("first_name", name(&input.first_name, "fornavn"));
        let last_name = errors.take("last_name", name(&input.last_name, "efternavn"));
        let cpr_text = input.cpr.as_deref().map(str::trim).unwrap_or("");
        let cpr = if cpr_text.is_empty() {
            None
        } else {
            errors.take("cpr", Cpr::parse(cpr_text))
        };
        let typed_birth = match input.birth_date.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => errors.take("birth_date", parse_date(text)),
        };
        let birth_date = match (&cpr, typed_birth) {
            (Some(cpr), Some(typed)) if typed != cpr.birth_date() => {
                errors.add(
                    "birth_date",
                    format!(
                        "Fødselsdatoen passer ikke med CPR-nummeret, som giver {}",
                        cpr.birth_date_text()
                    ),
                );
                None
            }
            (Some(cpr), _) => Some(cpr.birth_date()),
            (None, Some(typed)) => Some(typed),
            (None, None) => {
                if cpr_text.is_empty() {
                    errors.add(
                        "birth_date",
                        "Udfyld fødselsdato, når barnet ikke har et CPR-nummer",
                    );
                }
                None
            }
        };
        if let Some(birth) = birth_date
            && birth > today
        {
            errors.add(
                "birth_date",
                format!("Fødselsdatoen {} ligger i fremtiden", format_date(birth)),
            );
        }
        let sex = match &cpr {
            Some(cpr) => Some(cpr.sex()),
            None => match input.sex.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(code) => errors.take(
                    "sex",
                    Sex::from_code(code).ok_or_else(|| "Vælg dreng eller pige".to_owned()),
                ),
            },
        };
        errors.into_result(|| NewChild {
            cpr,
            first_name: first_name.expect("checked"),
            last_name: last_name.expect("checked"),
            birth_date: birth_date.expect("checked"),
            sex,
        })
    }
}

/// A person's name: required, one line, and without `<`/`>` — no name has them, and they are the
/// usual sign of pasted markup.
pub fn name(value: &str, label: &str) -> Result<String, String> {
    let name = required_line(value, label, NAME_MAX)?;
    if name.contains(['<', '>']) {
        return Err(format!("Et {label} kan ikke indeholde tegnene < og >"));
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 23);

    fn input(cpr: Option<&str>, birth: Option<&str>) -> NewChildInput {
        NewChildInput {
            cpr: cpr.map(Into::into),
            first_name: "Emma".into(),
            last_name: "Nielsen".into(),
            birth_date: birth.map(Into::into),
            sex: None,
        }
    }

    #[test]
    fn the_birth_date_and_sex_are_derived_from_the_cpr() {
        let child = NewChild::parse(&input(Some("150615-4122"), None), TODAY).unwrap();
        assert_eq!(child.birth_date, date!(2015 - 06 - 15));
        assert_eq!(child.sex, Some(Sex::Female));
    }

    #[test]
    fn a_child_without_cpr_needs_a_birth_date() {
        let errors = NewChild::parse(&input(None, None), TODAY).unwrap_err();
        assert_eq!(
            errors.for_field("birth_date"),
            Some("Udfyld fødselsdato, når barnet ikke har et CPR-nummer")
        );
        let child = NewChild::parse(&input(None, Some("01.02.2019")), TODAY).unwrap();
        assert_eq!(child.birth_date, date!(2019 - 02 - 01));
        assert_eq!(child.cpr, None);
    }

    #[test]
    fn a_birth_date_contradicting_the_cpr_is_rejected() {
        let errors =
            NewChild::parse(&input(Some("150615-4122"), Some("16.06.2015")), TODAY).unwrap_err();
        assert!(
            errors
                .for_field("birth_date")
                .unwrap()
                .contains("15.06.2015")
        );
    }

    #[test]
    fn a_birth_date_in_the_future_is_rejected() {
        let errors = NewChild::parse(&input(None, Some("01.01.2027")), TODAY).unwrap_err();
        assert!(
            errors
                .for_field("birth_date")
                .unwrap()
                .contains("fremtiden")
        );
    }

    #[test]
    fn all_problems_are_reported_at_once() {
        let raw = NewChildInput {
            cpr: Some("999999-9999".into()),
            first_name: "".into(),
            last_name: "<b>x</b>".into(),
            ..Default::default()
        };
        let errors = NewChild::parse(&raw, TODAY).unwrap_err();
        assert!(errors.for_field("cpr").is_some());
        assert_eq!(errors.for_field("first_name"), Some("Udfyld fornavn"));
        assert!(errors.for_field("last_name").is_some());
    }
}
