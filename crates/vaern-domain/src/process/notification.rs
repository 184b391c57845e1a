//! Registering an underretning and recording the 24-hour assessment (BL §§ 133-137).

use serde::{Deserialize, Serialize};
use time::{
    OffsetDateTime, PrimitiveDateTime, format_description::well_known::Rfc3339,
    macros::format_description,
};

use crate::{
    FieldErrors,
    calendar::danish_local,
    child::name,
    text::{optional_line, required_text},
};

/// What came in: the three ways an Afklaring starts (DOMAIN.md §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Intake {
    /// Underretning (BL §§ 133-137): the 24-hour assessment applies.
    Underretning,
    /// Henvendelse: an inquiry, e.g. from a parent or the child.
    Henvendelse,
    /// Ansøgning: an application; the municipality's own case-processing deadline applies
    /// (retssikkerhedslovens § 3, stk. 2).
    Ansoegning,
}

impl Intake {
    pub const ALL: [Intake; 3] = [
        Intake::Underretning,
        Intake::Henvendelse,
        Intake::Ansoegning,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Intake::Underretning => "underretning",
            Intake::Henvendelse => "henvendelse",
            Intake::Ansoegning => "ansoegning",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Intake::Underretning => "Underretning",
            Intake::Henvendelse => "Henvendelse",
            Intake::Ansoegning => "Ansøgning",
        }
    }

    /// Empty means an underretning (the API's default).
    pub fn parse(code: &str) -> Result<Self, String> {
        match code.trim() {
            "" => Ok(Intake::Underretning),
            code => Self::ALL
                .into_iter()
                .find(|k| k.code() == code)
                .ok_or_else(|| "Vælg underretning, henvendelse eller ansøgning".to_owned()),
        }
    }
}

/// Who sent the underretning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotifierKind {
    /// A professional with a duty to notify (school, daycare, health, police …).
    Professional,
    Private,
    Anonymous,
}

impl NotifierKind {
    pub const ALL: [NotifierKind; 3] = [
        NotifierKind::Professional,
        NotifierKind::Private,
        NotifierKind::Anonymous,
    ];

    pub fn code(self) -> &'static str {
        match self {
            NotifierKind::Professional => "professional",
            NotifierKind::Private => "private",
            NotifierKind::Anonymous => "anonymous",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            NotifierKind::Professional => "Fagperson med underretningspligt",
            NotifierKind::Private => "Privatperson",
            NotifierKind::Anonymous => "Anonym",
        }
    }

    pub fn parse(code: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|k| k.code() == code.trim())
            .ok_or_else(|| "Vælg, hvem der underretter".to_owned())
    }
}

/// Concern categories (code, Danish label). Violence and sexual abuse make the conversation with
/// the child a required step (BL § 137, stk. 3).
pub const CONCERNS: &[(&str, &str)] = &[
    ("vold", "Vold mod barnet"),
    ("seksuelle_overgreb", "Seksuelle overgreb"),
    ("omsorgssvigt", "Omsorgssvigt"),
    ("misbrug_hjemmet", "Misbrug i hjemmet"),
    ("psykisk_sygdom", "Psykisk sygdom hos forældre"),
    (
        "skolefravaer",
        "Skolefravær eller trivsel i skole/dagtilbud",
    ),
    ("kriminalitet", "Kriminalitet"),
    ("andet", "Andet"),
];

const ABUSE: [&str; 2] = ["vold", "seksuelle_overgreb"];

/// Channels an underretning arrives by (code, Danish label).
pub const CHANNELS: &[(&str, &str)] = &[
    ("telefon", "Telefon"),
    ("digital", "Digital underretning / sikker mail"),
    ("brev", "Brev"),
    ("personligt", "Personligt fremmøde"),
];

/// The raw form or JSON body.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct NewNotificationInput {
    /// `underretning` (default), `henvendelse` or `ansoegning`.
    pub intake: String,
    /// `2026-11-23T09:15` (Danish local time, the HTML input), `23.11.2026 09:15` or RFC 3339.
    pub received_at: String,
    pub channel: String,
    pub notifier_kind: String,
    pub notifier_name: String,
    pub notifier_organisation: String,
    pub notifier_contact: String,
    pub concerns: Vec<String>,
    pub text: String,
}

/// A validated underretning.
#[derive(Debug, Clone)]
pub struct NewNotification {
    pub intake: Intake,
    pub received_at: OffsetDateTime,
    pub channel: String,
    pub notifier_kind: NotifierKind,
    pub notifier_name: Option<String>,
    pub notifier_organisation: Option<String>,
    pub notifier_contact: Option<String>,
    pub concerns: Vec<String>,
    pub text: String,
}

impl NewNotification {
    /// Whether a professional with a duty to notify sent an underretning (the receipt applies).
    pub fn from_professional(&self) -> bool {
        self.intake == Intake::Underretning && self.notifier_kind == NotifierKind::Professional
    }

    /// Whether it concerns violence or sexual abuse.
    pub fn about_abuse(&self) -> bool {
        self.concerns.iter().any(|c| ABUSE.contains(&c.as_str()))
    }

    /// Validates; the receipt time may not lie after `now`.
    pub fn parse(
        input: &NewNotificationInput,
        now: OffsetDateTime,
    ) -> Result<NewNotification, FieldErrors> {
        let mut errors = FieldErrors::new();
        let intake = errors.take("intake", Intake::parse(&input.intake));
        let received_at = errors.take("received_at", parse_instant(&input.received_at));
        if let Some(at) = received_at
            && at > now + time::Duration::minutes(5)
        {
            errors.add("received_at", "Modtagelsestidspunktet ligger i fremtiden");
        }
        let channel = match CHANNELS
            .iter()
            .find(|(code, _)| *code == input.channel.trim())
        {
            Some((code, _)) => Some((*code).to_owned()),
            None => {
                errors.add("channel", "Vælg, hvordan underretningen kom ind");
                None
            }
        };
        let kind = errors.take("notifier_kind", NotifierKind::parse(&input.notifier_kind));
        let anonymous = kind == Some(NotifierKind::Anonymous);
        let notifier_name = if anonymous {
            None
        } else {
            match optional_line(&input.notifier_name, "underretterens navn", 200) {
                Ok(None) if kind.is_some() => {
                    errors.add(
                        "notifier_name",
                        "Udfyld underretterens navn (vælg «Anonym», hvis navnet ikke kendes)",
                    );
                    None
                }
                Ok(value) => value.and_then(|v| errors.take("notifier_name", name(&v, "navn"))),
                Err(message) => {
                    errors.add("notifier_name", message);
                    None
                }
            }
        };
        let notifier_organisation = if kind == Some(NotifierKind::Professional) {
            match optional_line(&input.notifier_organisation, "arbejdssted", 200) {
                Ok(None) => {
                    errors.add(
                        "notifier_organisation",
                        "Udfyld fagpersonens arbejdssted (fx skole eller dagtilbud)",
                    );
                    None
                }
                Ok(value) => value,
                Err(message) => {
                    errors.add("notifier_organisation", message);
                    None
                }
            }
        } else {
            None
        };
        let notifier_contact = if anonymous {
            None
        } else {
            errors
                .take(
                    "notifier_contact",
                    optional_line(&input.notifier_contact, "kontaktoplysninger", 200),
                )
                .flatten()
        };
        let mut concerns = Vec::new();
        for concern in input
            .concerns
            .iter()
            .map(|c| c.trim())
            .filter(|c| !c.is_empty())
        {
            match CONCERNS.iter().find(|(code, _)| *code == concern) {
                Some((code, _)) if !concerns.iter().any(|c: &String| c == code) => {
                    concerns.push((*code).to_owned())
                }
                Some(_) => {}
                None => errors.add("concerns", format!("Ukendt bekymringskategori «{concern}»")),
            }
        }
        let text = errors.take(
            "text",
            required_text(
                &input.text,
                "underretningens indhold",
                crate::journal::TEXT_MAX,
            ),
        );
        errors.into_result(|| NewNotification {
            intake: intake.expect("checked"),
            received_at: received_at.expect("checked"),
            channel: channel.expect("checked"),
            notifier_kind: kind.expect("checked"),
            notifier_name,
            notifier_organisation,
            notifier_contact,
            concerns,
            text: text.expect("checked"),
        })
    }
}

/// Parses a receipt time: RFC 3339, the HTML `datetime-local` form or `DD.MM.ÅÅÅÅ TT:MM`, the
/// last two read as Danish local time.
pub fn parse_instant(input: &str) -> Result<OffsetDateTime, String> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err("Udfyld hvornår underretningen blev modtaget".into());
    }
    if let Ok(at) = OffsetDateTime::parse(trimmed, &Rfc3339) {
        return Ok(at);
    }
    let html = format_description!("[year]-[month]-[day]T[hour]:[minute]");
    let danish = format_description!("[day].[month].[year] [hour]:[minute]");
    PrimitiveDateTime::parse(trimmed, &html)
        .or_else(|_| PrimitiveDateTime::parse(trimmed, &danish))
        .map(|local| danish_local(local.date(), local.time()))
        .map_err(|_| format!("Tidspunktet «{trimmed}» skal have formen DD.MM.ÅÅÅÅ TT:MM"))
}

/// The raw 24-hour assessment.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct AssessmentInput {
    /// `ja` / `nej` (or `true` / `false`): is the child's health or development at risk?
    pub risk: String,
    /// `ja` / `nej`: is immediate action needed?
    pub immediate_action: String,
    pub reasoning: String,
}

/// A validated assessment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    pub risk: bool,
    pub immediate_action: bool,
    pub reasoning: String,
}

fn yes_no(value: &str, message: &str) -> Result<bool, String> {
    match value.trim() {
        "ja" | "true" => Ok(true),
        "nej" | "false" => Ok(false),
        _ => Err(message.to_owned()),
    }
}

impl Assessment {
    pub fn parse(input: &AssessmentInput) -> Result<Assessment, FieldErrors> {
        let mut errors = FieldErrors::new();
        let risk = errors.take(
            "risk",
            yes_no(
                &input.risk,
                "Svar ja eller nej: er barnets sundhed eller udvikling i fare?",
            ),
        );
        let immediate = errors.take(
            "immediate_action",
            yes_no(
                &input.immediate_action,
                "Svar ja eller nej: er der behov for akut indsats?",
            ),
        );
        let reasoning = errors.take(
            "reasoning",
            required_text(
                &input.reasoning,
                "begrundelsen for vurderingen",
                crate::journal::TEXT_MAX,
            ),
        );
        errors.into_result(|| Assessment {
            risk: risk.expect("checked"),
            immediate_action: immediate.expect("checked"),
            reasoning: reasoning.expect("checked"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026 - 11 - 23 12:00 +01:00);

    fn input() -> NewNotificationInput {
        NewNotificationInput {
            intake: "".into(),
            received_at: "2026-11-23T09:15".into(),
            channel: "telefon".into(),
            notifier_kind: "professional".into(),
            notifier_name: "Lise Lærer".into(),
            notifier_organisation: "Værnby Skole".into(),
            notifier_contact: "".into(),
            concerns: vec!["vold".into()],
            text: "Barnet har blå mærker.".into(),
        }
    }

    #[test]
    fn the_receipt_time_is_read_as_danish_local_time() {
        let n = NewNotification::parse(&input(), NOW).unwrap();
        assert_eq!(n.received_at, datetime!(2026 - 11 - 23 09:15 +01:00));
        assert!(n.about_abuse());
        assert_eq!(
            parse_instant("23.07.2026 09:15").unwrap(),
            datetime!(2026 - 07 - 23 09:15 +02:00)
        );
    }

    #[test]
    fn a_professional_must_be_named_with_workplace_and_the_time_not_in_the_future() {
        let raw = NewNotificationInput {
            received_at: "2026-11-24T09:15".into(),
            notifier_name: "".into(),
            notifier_organisation: "".into(),
            ..input()
        };
        let errors = NewNotification::parse(&raw, NOW).unwrap_err();
        assert_eq!(
            errors.for_field("received_at"),
            Some("Modtagelsestidspunktet ligger i fremtiden")
        );
        assert!(errors.for_field("notifier_name").is_some());
        assert!(errors.for_field("notifier_organisation").is_some());
    }

    #[test]
    fn the_intake_defaults_to_underretning_and_an_unknown_one_is_refused() {
        assert_eq!(
            NewNotification::parse(&input(), NOW).unwrap().intake,
            Intake::Underretning
        );
        let application = NewNotificationInput {
            intake: "ansoegning".into(),
            ..input()
        };
        let parsed = NewNotification::parse(&application, NOW).unwrap();
        assert_eq!(parsed.intake, Intake::Ansoegning);
        assert!(
            !parsed.from_professional(),
            "the receipt is for underretninger only"
        );
        let unknown = NewNotificationInput {
            intake: "klage".into(),
            ..input()
        };
        assert!(
            NewNotification::parse(&unknown, NOW)
                .unwrap_err()
                .for_field("intake")
                .is_some()
        );
    }

    #[test]
    fn an_anonymous_underretning_keeps_no_notifier_details() {
        let raw = NewNotificationInput {
            notifier_kind: "anonymous".into(),
            notifier_name: "".into(),
            ..input()
        };
        let n = NewNotification::parse(&raw, NOW).unwrap();
        assert_eq!((n.notifier_name, n.notifier_organisation), (None, None));
    }

    #[test]
    fn the_assessment_needs_both_answers_and_a_reasoning() {
        let errors = Assessment::parse(&AssessmentInput::default()).unwrap_err();
        assert!(
            errors.for_field("risk").is_some() && errors.for_field("immediate_action").is_some()
        );
        assert_eq!(
            errors.for_field("reasoning"),
            Some("Udfyld begrundelsen for vurderingen")
        );
        let ok = Assessment::parse(&AssessmentInput {
            risk: "ja".into(),
            immediate_action: "nej".into(),
            reasoning: "Blå mærker".into(),
        });
        assert_eq!(
            ok.unwrap(),
            Assessment {
                risk: true,
                immediate_action: false,
                reasoning: "Blå mærker".into()
            }
        );
    }
}
