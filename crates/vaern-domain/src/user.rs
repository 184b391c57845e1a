//! Users of a municipality, as the administrator creates and changes them.

use serde::Deserialize;

use crate::{FieldErrors, Role, child::name, text::required_line};

pub const PASSWORD_MIN: usize = 12;

/// The raw form or JSON body for a new user.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct NewUserInput {
    pub username: String,
    pub name: String,
    pub role: String,
    pub password: String,
    /// Team id, empty for none.
    pub team_id: Option<String>,
}

/// A validated new user (the password still in clear; the app hashes it).
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub name: String,
    pub role: Role,
    pub password: String,
}

/// A username: 3-64 characters of a-z, 0-9, `.`, `-`, `_` and `@` (they go into logs and URLs;
/// `@` because single sign-on's usernames are often e-mail-like, `bo@kommune.dk`).
pub fn username(value: &str) -> Result<String, String> {
    let value = required_line(value, "brugernavn", 64)?.to_lowercase();
    if value.chars().count() < 3
        || !value.chars().all(|c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_' | '@')
        })
    {
        return Err(
            "Brugernavnet skal være 3-64 tegn og må kun bestå af a-z, 0-9, punktum, bindestreg, understreg og @"
                .into(),
        );
    }
    Ok(value)
}

/// A password: at least [`PASSWORD_MIN`] characters (NIST SP 800-63B favours length).
pub fn password(value: &str) -> Result<String, String> {
    if value.chars().count() < PASSWORD_MIN {
        return Err(format!("Adgangskoden skal være mindst {PASSWORD_MIN} tegn"));
    }
    if value.chars().count() > 256 {
        return Err("Adgangskoden må højst være 256 tegn".into());
    }
    Ok(value.to_owned())
}

impl NewUser {
    pub fn parse(input: &NewUserInput) -> Result<NewUser, FieldErrors> {
        let mut errors = FieldErrors::new();
        let username = errors.take("username", username(&input.username));
        let full_name = errors.take("name", name(&input.name, "navn"));
        let role = errors.take("role", Role::parse(&input.role));
        let password = errors.take("password", password(&input.password));
        errors.into_result(|| NewUser {
            username: username.expect("checked"),
            name: full_name.expect("checked"),
            role: role.expect("checked"),
            password: password.expect("checked"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_username_with_spaces_is_rejected() {
        assert!(username("anne hansen").is_err());
        assert!(username("anne/hansen").is_err());
        assert_eq!(username("Anne.Hansen").unwrap(), "anne.hansen");
        assert_eq!(username("Bo@Kommune.dk").unwrap(), "bo@kommune.dk");
    }

    #[test]
    fn a_short_password_is_rejected() {
        assert_eq!(
            password("kort").unwrap_err(),
            "Adgangskoden skal være mindst 12 tegn"
        );
    }
}
